"""Names heard, not read: listed names found in a transcript's words, in any case, across word breaks.

A speech recogniser writes only words it knows.  A name it does not know comes out as the nearest
words it does, often split or run together ("next Energy Partners" for NextEra Energy Partners,
"Chris tell" for Christelle, "see logistics" for Sea Logistics), and a lower-case transcript has
no capital letter to tell NER where a name is.  So in speech the mentions come from the list too:
every run of one to ``MAX_WORDS`` words is looked up, by the sound of the whole run with its word
breaks removed, in an index of the listed forms written the same way (``TokenIndex``: trigrams and
consonant skeletons, sublinear in the list's size), and each near form is weighed:

* how alike the run and the form sound, whole (``compare``, the channel's confusion costs);
* words of the form heard exactly ("Energy Partners"): what binds a run to one name best;
* the form said elsewhere in the call (and so known to the recogniser there);
* against: the run being ordinary English where it stands (every changed word a common word:
  "our logistics", "and I"), a changed word that is itself another real name ("Reiner" for
  Rainer, "Colombia" for Columbia), a very short form ("GAAP" heard as "gap"), a run that is
  already a listed form of another entity.

The weights are one table (``WEIGHTS``) combined logistically, as the resolver's are, fitted on the
speech development pack.  Without a language model to say how likely the heard words are as
English where they stand, the best of them are right about two times in three: so a heard name is
a suggestion, with that confidence, never a fix.  It writes the form as the list writes it: the
canonical case is restored ("laura gagnon" -> "Laura Gannon").
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from entityfix.gazetteer.index import TokenIndex
from entityfix.gazetteer.store import Gazetteer
from entityfix.matching.features import is_derived
from entityfix.spelling import common_words
from entityfix.spelling.phonetic import compare, fold

MAX_WORDS = 4  # a run of up to this many words (a three-word name heard as four)
MIN_LETTERS = 4  # runs and forms shorter than this (letters, word breaks removed) are too easily heard
MIN_SIMILARITY = 0.8  # compare() score below which a run is not weighed at all
CANDIDATES = 4  # near forms weighed per run
COMMON_ZIPF = 3.5  # a changed word at least this frequent is an ordinary English word
FUNCTION_ZIPF = 5.5  # "the", "and", "to", "our": a run never starts or ends with one
NEAR_MEMO = 262_144  # distinct runs whose near forms are remembered
SHORT_FORM = 5  # letters: a form this short ("GAAP") is a word as often as a name

# fitted by logistic regression on every candidate of the speech development pack (60 transcripts,
# 81,645 candidates judged against the reference: 1,032 right), then rounded; the fit tops out near
# 0.65 precision, so what this pass finds is offered as a suggestion, never applied as a fix
WEIGHTS = {
    "bias": -4.6,
    "similarity": 24.0,  # times (similarity - MIN_SIMILARITY)
    "anchors": 1.7,  # per word of the form heard exactly (up to 2)
    "said_elsewhere": 1.15,  # the form written exactly elsewhere in the text
    "common_run": -2.3,  # every changed word an ordinary English word
    "real_name": 1.1,  # a changed word is itself a real name (times its strength): recognisers write names as names
    "short_form": -1.2,  # the form has SHORT_FORM letters or fewer
    "word_breaks": 0.0,  # per word break the run and the form disagree on
    "capitalised": 0.95,  # a changed word written with a capital, not at a sentence start (the recogniser took it for a name)
}
DUMP: list | None = None  # development: every weighed candidate's features

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’]s$", re.IGNORECASE)
_JOINERS = re.compile(r"[ \t-]+")  # what may stand between two words of one run


@dataclass(frozen=True)
class Heard:
    """A run of words that may be a listed name."""

    start: int
    end: int
    old: str
    new: str  # the form, as the list writes it
    entity: int
    confidence: float
    reasons: tuple[str, ...]


class FormIndex:
    """The curated forms of a gazetteer, indexed by their sound with word breaks removed."""

    def __init__(self, gaz: Gazetteer):
        self.gaz = gaz
        self.forms: list[int] = []
        keys: list[str] = []
        for fid in range(len(gaz.forms)):
            eid = gaz.form_entity_id(fid)
            if gaz.is_reference(eid):
                continue
            key = fold(gaz.form(fid).text)
            if len(key) >= MIN_LETTERS and len(gaz.form(fid).tokens) <= MAX_WORDS:
                self.forms.append(fid)
                keys.append(key)
        self.keys = keys
        self.index = TokenIndex.build(keys) if keys else None
        self.by_key = {k: fid for k, fid in zip(keys, self.forms)}
        # a transcript says the same words over and over: each distinct run is looked up once
        self.near = lru_cache(maxsize=NEAR_MEMO)(self._near)

    def _near(self, key: str) -> tuple[int, ...]:
        if self.index is None:
            return ()
        return tuple(self.forms[i] for i in self.index.candidates(key, limit=CANDIDATES, min_similarity=0.6))


def heard_names(text: str, index: FormIndex, taken: list[tuple[int, int]], skip: list[tuple[int, int]] | None = None) -> list[Heard]:
    """Runs of ``text``'s words that are likely a listed name, best first, none overlapping another
    or a ``taken`` span (the resolver's findings) or a ``skip`` span."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    if not words:
        return []
    folded = [fold(_POSSESSIVE.sub("", w)) for _, _, w in words]
    function = [_function_word(w) for _, _, w in words]
    joined = [bool(_JOINERS.fullmatch(text[words[k][1] : words[k + 1][0]])) for k in range(len(words) - 1)]
    blocked = _blocked(words, sorted([*taken, *(skip or [])]))
    said = _Said(folded)
    found: list[Heard] = []
    for i in range(len(words)):
        if function[i] or blocked[i]:
            continue
        key = ""
        for j in range(i, min(len(words), i + MAX_WORDS)):
            if j > i and (not joined[j - 1] or blocked[j]):
                break  # punctuation, a line break or a finding ends a run
            key += folded[j]
            if function[j] or len(key) < MIN_LETTERS or key in index.by_key:
                continue  # a run never ends on "the"; a listed form already (whatever its case) stays
            for fid in index.near(key):
                h = _weigh(text, words[i : j + 1], key, fid, index.gaz, said)
                if h is not None:
                    found.append(h)
    found.sort(key=lambda h: (-h.confidence, h.start))
    kept: list[Heard] = []
    for h in found:
        if not any(k.start < h.end and h.start < k.end for k in kept):
            kept.append(h)
    return sorted(kept, key=lambda h: h.start)


def _blocked(words, spans: list[tuple[int, int]]) -> list[bool]:
    """Per word: does it overlap one of the (sorted) spans?"""
    out, k = [], 0
    for start, end, _ in words:
        while k < len(spans) and spans[k][1] <= start:
            k += 1
        out.append(any(a < end and start < b for a, b in spans[k : k + 4]))
    return out


class _Said:
    """Is a listed form's key some run of the text's words, joined (the form said right elsewhere)?
    Asked only of the few forms a run is near, so runs are joined on demand, from the words the key
    starts with."""

    def __init__(self, folded: list[str]):
        self.folded = folded
        self.at: dict[str, list[int]] = {}
        for k, w in enumerate(folded):
            self.at.setdefault(w, []).append(k)
        self.memo: dict[str, bool] = {}

    def __contains__(self, key: str) -> bool:
        if key not in self.memo:
            self.memo[key] = any(self._from(k, key) for n in range(1, len(key) + 1) for k in self.at.get(key[:n], ()))
        return self.memo[key]

    def _from(self, k: int, key: str) -> bool:
        run = ""
        for w in self.folded[k : k + MAX_WORDS]:
            run += w
            if run == key:
                return True
            if not key.startswith(run):
                return False
        return False


def _weigh(text: str, run, key: str, fid: int, gaz: Gazetteer, said: "_Said") -> Heard | None:
    form = gaz.form(fid)
    form_key = fold(form.text)
    if key.startswith(form_key) or form_key.startswith(key) or key.endswith(form_key) or form_key.endswith(key):
        return None  # "Radiometers", "Consolidate", "Florida www": the name and more, or less: other words
    if is_derived(key, form_key) or is_derived(form_key, key):
        return None
    similarity = max(compare(key, form_key).score, compare(form_key, key).score)
    if similarity < MIN_SIMILARITY:
        return None
    form_words = {fold(t) for t in form.tokens}
    heard = [w for _, _, w in run]
    anchors = [w for w in heard if fold(w) in form_words]
    changed = [w for w in heard if fold(w) not in form_words]
    if not changed or form_words <= {fold(w) for w in anchors}:
        return None  # every word of the name heard as it is: the rest of the run is other words
    reasons = [f"heard as {' '.join(heard)!r} ({similarity:.2f})"]
    f = {"similarity": similarity - MIN_SIMILARITY}
    if anchors:
        f["anchors"] = min(2, len(anchors))
        reasons.append("matching " + " ".join(anchors))
    if form_key in said:
        f["said_elsewhere"] = 1.0
        reasons.append(f"{form.text} said elsewhere")
    if all(common_words.zipf(w.lower()) >= COMMON_ZIPF for w in changed):
        f["common_run"] = 1.0
        reasons.append(f"{' '.join(changed)} is ordinary English")
    strength = max((_real_name(w) for w in changed), default=0.0)
    if strength:
        f["real_name"] = strength
        reasons.append(f"{max(changed, key=_real_name)} is itself a real name")
    if len(form_key) <= SHORT_FORM:
        f["short_form"] = 1.0
        reasons.append("short name")
    breaks = abs(len(heard) - len(form.tokens))
    if breaks:
        f["word_breaks"] = breaks
        reasons.append("heard as " + ("more words" if len(heard) > len(form.tokens) else "fewer words"))
    if any(w[:1].isupper() for w in changed) and not _sentence_start(text, run[0][0]):
        f["capitalised"] = 1.0
        reasons.append("written with a capital")
    z = WEIGHTS["bias"] + sum(WEIGHTS[k] * v for k, v in f.items())
    if DUMP is not None:
        DUMP.append((run[0][0], run[-1][1], form.text, f))
    start, end = run[0][0], run[-1][1]
    return Heard(start, end, text[start:end], form.text, form.entity, round(1 / (1 + math.exp(-z)), 3), tuple(reasons))


def _sentence_start(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t")
    return not before or before[-1] in ".?!\n"


@lru_cache(maxsize=65536)
def _function_word(word: str) -> bool:
    return common_words.zipf(word.lower()) >= FUNCTION_ZIPF


@lru_cache(maxsize=65536)
def _real_name(word: str) -> float:
    from entityfix.gazetteer import prior

    return prior.lookup(word).own_strength if len(word) >= 3 else 0.0
