"""One name spelt several ways: found with no list at all, from the text's own spellings.

A machine translation of one report writes one man "Kantz", "Kants" and "Gantz"; an OCR'd book
writes a town two ways on two pages.  Without a list nobody can say which spelling is right, but
the text itself says that something is wrong: one document rarely names two different people
whose names differ by a voiced consonant.  So the name tokens of a document (NER's and the
capitalised runs' mentions) are grouped by the same spelling comparison the resolver uses, and
every group of two or more spellings is reported, on the first occurrence of each spelling, as a
``note``: a finding that changes nothing ("Kants: spelt 3 ways here: Kantz (3), Kants (2), Gantz (1): one person?").

Where other evidence says which spelling is right (exactly one of them is a listed name: the
user's list, the shipped one, or the translation's source text; and a neighbour binds them), the
others become suggestions towards it.  A group with a listed spelling and nothing more is left as
the resolver decided it: it weighed the list, and a listed "Barnes" beside an unlisted "Byrnes"
is as often two people as one.  Occurrences the resolver already fixes or suggests are counted under their new
spelling and get no note of their own: a group is reported only when the text would still spell
the name several ways after the resolver's findings.

What keeps different names apart (two people may well be "Johnson" and "Johnston"):
* two spellings join only when ``compare`` finds them alike (``SIMILAR``) and neither is derived
  from the other ("Israel" / "Israeli") or holds the other whole ("Yamada" / "Oyamada");
* a pair with nothing in common in the text but the letters needs a closer likeness
  (``SIMILAR_ALONE``) than a pair that shares a neighbour: the same given name or title before it
  ("Benny Kantz" / "Benny Gantz", "Mr. Kants" / "Mr. Gantz") or the same word after it
  ("Policario Front" / "Polisario Front"); and two well-known names (the real-name prior:
  "Johnson" / "Johnston") need the neighbour;
* tokens of four letters or more, not titles or particles, and not common English words
  ("Front", "State"): those differ from each other in letters every day without being one name;
* demonyms (NORP) and numbers are left out: "Israeli" / "Israelis" are one word's forms.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from rapidfuzz import fuzz, process

from entityfix.gazetteer import prior
from entityfix.matching.decide import CONSISTENCY, FIX, NOTE, SUGGEST, Finding
from entityfix.matching.features import is_derived
from entityfix.spelling import common_words
from entityfix.spelling.names import PARTICLES, is_title, ocr_capital, tokenize
from entityfix.spelling.phonetic import compare, exact_key, fold

MIN_LETTERS = 4  # shorter tokens ("Li", "Lee", "Wu") differ by a letter between different people
SIMILAR = 0.80  # compare() score for two spellings sharing a neighbour to be one name
SIMILAR_ALONE = 0.90  # ... with no neighbour in common
WELL_KNOWN = 0.7  # prior strength of a common surname, a forename or a town: a name in its own right
PREFILTER = 55.0  # rapidfuzz ratio (0-100) of the folded tokens: pairs below cannot reach SIMILAR
COMMON_ZIPF = 4.5  # a word this common in English is a word ("Front", "United"), not a name token
LEFT_OUT_LABELS = frozenset({"NORP", "DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
KIND_WORDS = {"PERSON": "one person", "GPE": "one place", "LOC": "one place", "FAC": "one place", "ORG": "one organisation"}


@dataclass(frozen=True)
class Occurrence:
    """One name token in one document."""

    doc: int  # which document (corpus mode), 0 in a single one
    start: int
    end: int
    text: str  # as written, or as the resolver's finding will write it
    label: str  # the mention's NER label, "" for a capitalised run
    before: str  # folded token (or title) before it in the same mention, ""
    after: str  # folded token after it in the same mention, ""
    covered: bool  # a resolver finding covers it: counted, never noted


def occurrences(
    text: str, mentions: Iterable, findings: Sequence[Finding], doc: int = 0, allowed: frozenset[str] = frozenset(),
) -> list[Occurrence]:
    """The name tokens of one document's mentions, with the resolver's findings applied; ``allowed``
    (folded) spellings are right by the user's word and left out."""
    changed = sorted((f.start, f.end, f.new) for f in findings if f.action in (FIX, SUGGEST))
    out: list[Occurrence] = []
    seen: set[tuple[int, int]] = set()
    for m in mentions:
        if m.label in LEFT_OUT_LABELS:
            continue
        toks = [t.moved(m.start) for t in tokenize(m.text)]
        for i, t in enumerate(toks):
            if (t.start, t.end) in seen or not _name_token(t.text) or t.folded in allowed:
                continue
            seen.add((t.start, t.end))
            written, covered = t.text, False
            for a, b, new in changed:
                if a <= t.start and t.end <= b:
                    covered = True
                    written = _replacement(text, a, b, new, t.start, t.end)
                    break
            before = toks[i - 1].folded if i > 0 else ""
            after = toks[i + 1].folded if i + 1 < len(toks) else ""
            out.append(Occurrence(doc, t.start, t.end, written, m.label, before, after, covered))
    return out


def _replacement(text: str, a: int, b: int, new: str, start: int, end: int) -> str:
    """The token at [start, end) as a finding over [a, b) writes it (whole-span findings: the token itself)."""
    if (a, b) == (start, end):
        return new
    old_toks, new_toks = tokenize(text[a:b]), tokenize(new)
    if len(old_toks) == len(new_toks):
        for o, n in zip(old_toks, new_toks):
            if (a + o.start, a + o.end) == (start, end):
                return n.text
    return text[start:end]


def _name_token(word: str) -> bool:
    if len(fold(word)) < MIN_LETTERS or not (word[:1].isupper() or ocr_capital(word)):
        return False
    if any(ch.isdigit() for ch in word) and not ocr_capital(word):
        return False
    if is_title(word) or fold(word) in PARTICLES or word.isupper():
        return False  # ALL-CAPS: an acronym or a headline, not a spelling of a name
    return common_words.zipf(word.lower()) < COMMON_ZIPF


def groups(occs: Sequence[Occurrence]) -> list[tuple[list[str], bool]]:
    """Spellings (exact keys) that are one name, as lists of two or more, most frequent first, each
    with whether a neighbour joined it (the same given name, title or following word)."""
    by_key: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occs:
        by_key[exact_key(o.text)].append(o)
    keys = list(by_key)
    if len(keys) < 2:
        return []
    folded = [fold(by_key[k][0].text) for k in keys]
    neighbours = [{("b", o.before) for o in by_key[k] if o.before} | {("a", o.after) for o in by_key[k] if o.after} for k in keys]
    parent = list(range(len(keys)))
    anchored: set[int] = set()

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    scores = process.cdist(folded, folded, scorer=fuzz.ratio, score_cutoff=PREFILTER, workers=1)
    for i, j in zip(*scores.nonzero()):
        i, j = int(i), int(j)
        if i >= j or root(i) == root(j):
            continue
        shared = bool(neighbours[i] & neighbours[j])
        if one_name(by_key[keys[i]][0].text, by_key[keys[j]][0].text, folded[i], folded[j], shared):
            was = root(i) in anchored or root(j) in anchored
            parent[root(i)] = root(j)
            if shared or was:
                anchored.add(root(j))
    members: dict[int, list[str]] = defaultdict(list)
    for i, k in enumerate(keys):
        members[root(i)].append(k)
    out = [(sorted(ks, key=lambda k: (-len(by_key[k]), k)), r in anchored) for r, ks in members.items() if len(ks) >= 2]
    return sorted(out, key=lambda g: min((o.doc, o.start) for k in g[0] for o in by_key[k]))


def one_name(a: str, b: str, fa: str, fb: str, shared_neighbour: bool) -> bool:
    if fa == fb:
        return True  # the same letters, accents or case aside: "Lopez" / "López"
    if is_derived(fa, fb) or is_derived(fb, fa) or fa.startswith(fb) or fb.startswith(fa) or fa.endswith(fb) or fb.endswith(fa):
        return False  # "Israeli" is made from "Israel", "Saharavi" from "Sahara", "Oyamada" holds "Yamada": other words
    score = max(compare(a, b).score, compare(b, a).score)
    if shared_neighbour:
        return score >= SIMILAR
    # nothing in the text binds them: alike letters only, and not two well-known names ("Johnson"
    # and "Johnston", "Hansen" and "Hanson" are as often two families as one)
    return score >= SIMILAR_ALONE and min(prior.lookup(a).own_strength, prior.lookup(b).own_strength) < WELL_KNOWN


def could_group(words: Iterable[str]) -> bool:
    """The pre-screen's question: could any two of these capitalised words be one name spelt two
    ways?  (Cheap: most texts spell each name one way and stop at the letter comparison.)"""
    distinct = {exact_key(w): w for w in words if _name_token(w)}
    if len(distinct) < 2:
        return False
    texts = list(distinct.values())
    folded = [fold(w) for w in texts]
    scores = process.cdist(folded, folded, scorer=fuzz.ratio, score_cutoff=PREFILTER, workers=1)
    return any(i < j and one_name(texts[i], texts[j], folded[i], folded[j], True) for i, j in zip(*scores.nonzero()))


def grouping_words(words: Sequence[str], neighbours: Callable[[int], set[str]], written: int | None = None) -> set[str]:
    """The words (by ``exact_key``) that may be one name spelt two ways with another of them.
    ``words``: every name-like word of a text as written, then (from index ``written`` on) words the
    resolver may write instead of one (an occurrence counts under its new spelling, whatever it is);
    ``neighbours(i)``: the words beside the i-th as the text writes them, asked only for a pair that
    needs a neighbour to join (a neighbour inside a mention is one in the text, so a pair sharing
    none there shares none in any mention)."""
    written = len(words) if written is None else written
    by_key: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        if i >= written or _name_token(word):
            by_key.setdefault(exact_key(word), []).append(i)
    if len(by_key) < 2:
        return set()
    keys = list(by_key)
    texts = [words[by_key[k][0]] for k in keys]
    folded = [fold(w) for w in texts]
    seen: dict[str, set[str]] = {}

    def around(k: str) -> set[str]:
        if k not in seen:
            seen[k] = set().union(*(neighbours(i) for i in by_key[k]))
        return seen[k]

    scores = process.cdist(folded, folded, scorer=fuzz.ratio, score_cutoff=PREFILTER, workers=1)
    out: set[str] = set()
    for i, j in zip(*scores.nonzero()):
        if i < j and one_name(texts[i], texts[j], folded[i], folded[j], True) and (
            one_name(texts[i], texts[j], folded[i], folded[j], False) or around(keys[i]) & around(keys[j])
        ):
            out.update((keys[i], keys[j]))
    return out


def notes(occs: Sequence[Occurrence], line_of, listed=None) -> list[Finding]:
    """The consistency findings of one document (see ``_grouped``)."""
    return sorted((f for _, f in _grouped(occs, line_of, listed, "here")), key=lambda f: f.start)


def corpus_notes(occs: Sequence[Occurrence], line_of, listed=None) -> dict[int, list[Finding]]:
    """The consistency findings of a corpus (``--consistency corpus``), per document."""
    out: dict[int, list[Finding]] = defaultdict(list)
    for doc, f in _grouped(occs, line_of, listed, "in the files checked"):
        out[doc].append(f)
    return {doc: sorted(fs, key=lambda f: f.start) for doc, fs in out.items()}


def _grouped(occs: Sequence[Occurrence], line_of, listed, where: str):
    """(document, finding) on the uncovered occurrences of every group.  ``listed(text) -> bool``:
    is this spelling a listed name (a list, or the translation's source)?  ``line_of(occurrence)``:
    its line, for reasons."""
    by_key: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occs:
        by_key[exact_key(o.text)].append(o)
    for keys, anchored in groups(occs):
        spelt = [(by_key[k][0].text, len(by_key[k])) for k in keys]
        kinds = Counter(KIND_WORDS.get(o.label, "one name") for k in keys for o in by_key[k] if o.label)
        top = kinds.most_common(1)
        kind = top[0][0] if top and top[0][1] >= 0.75 * sum(kinds.values()) else "one name"  # what NER mostly says
        summary = ", ".join(f"{text} ({n})" for text, n in spelt)
        right = [text for text, _ in spelt if listed is not None and listed(text)]
        if right and not (len(right) == 1 and anchored):
            continue  # the resolver weighed the list and let these be: two listed names are two names
        for k in keys:
            noted: set[int] = set()  # documents where this spelling has its note
            for o in sorted(by_key[k], key=lambda o: (o.doc, o.start)):
                if o.covered:
                    continue
                if len(right) == 1 and exact_key(right[0]) != k:
                    first = min((p for p in by_key[exact_key(right[0])]), key=lambda p: (p.doc, p.start))
                    reason = f"spelt {len(keys)} ways {where}: {summary}; {right[0]} is listed" + (
                        f" and written at line {line_of(first)}" if first.doc == o.doc else ""
                    )
                    yield o.doc, _finding(o, right[0], SUGGEST, 0.6, reason, spelt)
                elif not right and o.doc not in noted:  # a note on each spelling's first occurrence (per document)
                    noted.add(o.doc)
                    yield o.doc, _finding(o, o.text, NOTE, 0.0, f"spelt {len(keys)} ways {where}: {summary}: {kind}?", spelt)


def _finding(o: Occurrence, new: str, action: str, confidence: float, reason: str, spelt) -> Finding:
    return Finding(
        start=o.start, end=o.end, old=o.text, new=new, entity=spelt[0][0], type=o.label or "NAME",
        confidence=confidence, action=action, reasons=(reason,), kind=CONSISTENCY, group=tuple(spelt),
    )


def relabel(findings: Sequence[Finding], doc_findings: Sequence[Finding]) -> list[Finding]:
    """Consistency findings that do not overlap the resolver's (``doc_findings``), merged in order."""
    taken = [(f.start, f.end) for f in doc_findings]
    kept = [f for f in findings if not any(a < f.end and f.start < b for a, b in taken)]
    return sorted([*doc_findings, *kept], key=lambda f: (f.start, f.end))

