"""Names a translation and its source disagree on, where no fix is certain: reported, never applied.

Two kinds, both ``kind: "source-mismatch"`` notes (findings that change nothing):

* **dropped**: a person the source names, or a place whose name in the target language is known
  (the same word in both, like "Rabat", or an exonym, like "Alger" -> Algiers), that the
  translation never writes.  Organisations are left out: their names are translated ("Front
  Polisario" -> "Polisario Front", "Justice et Bienfaisance" -> "Justice and Charity"), so their
  absence says nothing.  A dropped name has no place in the translation: the note stands at its
  start.
* **spelt apart**: a name token of the translation that no finding changes, close to a token of a
  source name (the comparison consistency uses, as if a neighbour bound them: the source is that
  evidence) but not equal to it.  The resolver fixes what it is sure of; this is what is left.
"""

from __future__ import annotations

from typing import Callable, Sequence

from rapidfuzz import fuzz, process

from entityfix.matching import consistency
from entityfix.matching.decide import NOTE, SOURCE_MISMATCH, Finding
from entityfix.spelling.names import surname_tokens, tokenize
from entityfix.spelling.phonetic import fold

PLACES = ("GPE", "LOC", "FAC")


def dropped(text: str, findings: Sequence[Finding], entries: Sequence, known_place: Callable[[str], bool], where: str) -> list[Finding]:
    """Source people and known places the translation (with its fixes applied) does not write."""
    written = {t.folded for t in tokenize(text)}
    for f in findings:
        if f.action != NOTE:
            written.update(t.folded for t in tokenize(f.new))
    out = []
    for e in entries:
        toks = tuple(t.text for t in tokenize(e.target_text))
        if not toks:
            continue
        if e.type == "PERSON":
            wanted = surname_tokens(toks) or toks[-1:]
        elif e.type in PLACES and (e.target_text != e.source_text or known_place(e.target_text)):
            wanted = toks
        else:
            continue
        if all(fold(w) in written for w in wanted):
            continue
        said = e.source_text if e.source_text == e.target_text else f"{e.source_text} ({e.target_text})"
        out.append(
            Finding(
                start=0, end=0, old="", new="", entity=e.target_text, type=e.type, confidence=0.0, action=NOTE,
                reasons=(f"{said} is in the source ({where}, line {e.line}) but not in the translation",),
                kind=SOURCE_MISMATCH,
            )
        )
    return out


def spelt_apart(occurrences: Sequence, entries: Sequence, where: str) -> list[Finding]:
    """Translation tokens no finding covers that are close to, but not, a source name's token."""
    source_tokens: dict[str, tuple[str, object]] = {}
    for e in entries:
        for t in tokenize(e.target_text):
            source_tokens.setdefault(t.folded, (t.text, e))
    if not source_tokens:
        return []
    keys = list(source_tokens)
    out = []
    for o in occurrences:
        folded = fold(o.text)
        if o.covered or folded in source_tokens:
            continue
        for key, _, _ in process.extract(folded, keys, scorer=fuzz.ratio, score_cutoff=consistency.PREFILTER, limit=5):
            written, entry = source_tokens[key]
            if consistency.one_name(o.text, written, folded, key, True):
                out.append(
                    Finding(
                        start=o.start, end=o.end, old=o.text, new=o.text, entity=entry.target_text, type=entry.type,
                        confidence=0.0, action=NOTE, kind=SOURCE_MISMATCH,
                        reasons=(f"the source writes {entry.source_text} ({where}, line {entry.line})",),
                    )
                )
                break
    return out
