"""A translation's source names as gazetteer entries: the list ``--source`` adds for one target.

``text/source.py`` reads the names a source text writes (``SourceName``); this turns them into
entries the resolver treats like a user's own list (targets of fixes), written as the translation
should write them: a place whose English form the exonym tables know is entered by that form
("Maroc" as Morocco, "Alger" as Algiers), since a fix towards the French form would be wrong in an
English text.  A name the loaded lists already hold, or list as a misspelling, is not entered
again: the user's list says more about it than one source text does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from entityfix.gazetteer.schema import Entity

PLACES = ("GPE", "LOC", "FAC")


@dataclass(frozen=True)
class SourceEntry:
    """One source name and the form a translation into the target language writes it in."""

    source_text: str  # as the source writes it ("Alger")
    target_text: str  # as the translation should ("Algiers"); the same for most names
    type: str
    line: int
    count: int


def target_forms(names: Sequence, lang: str, target_lang: str = "en") -> list[SourceEntry]:
    """Each source name with its target-language form (exonyms: countries and big cities)."""
    out = []
    for n in names:
        target, etype = n.text, n.type
        if lang != target_lang:
            english = _english_place(n.text, lang)
            if english is not None:
                target, etype = english, ("GPE" if etype not in PLACES else etype)
        out.append(SourceEntry(n.text, target, etype, n.line, n.count))
    return out


def _english_place(name: str, lang: str) -> str | None:
    try:
        from entityfix.gazetteer.exonyms import english_place
    except ImportError:  # pragma: no cover - the tables' packages are dependencies
        return None
    return english_place(name, lang)


def entities(entries: Sequence[SourceEntry], where: str) -> list[Entity]:
    """Gazetteer entries for the source's names, citing the source file and line."""
    seen: set[str] = set()
    out = []
    for e in entries:
        if e.target_text.casefold() in seen:
            continue
        seen.add(e.target_text.casefold())
        out.append(Entity(name=e.target_text, type=e.type, aliases=_reordered(e), source=where, line=e.line))
    return out


def _reordered(e: SourceEntry) -> tuple[str, ...]:
    """A two-word organisation or place name kept from another language, in the other order too:
    languages put the qualifier on either side ("Front Polisario" is the "Polisario Front")."""
    words = e.target_text.split()
    if e.type == "PERSON" or e.source_text != e.target_text or len(words) != 2 or not all(w[:1].isupper() for w in words):
        return ()
    return (f"{words[1]} {words[0]}",)
