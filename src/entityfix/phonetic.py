"""Phonetic evidence: which spelling changes translation, OCR and speech really make.

Two tools live here:

* ``similarity(a, b)`` — a weighted edit distance in which the substitutions that
  machine translation, transliteration, OCR and speech-to-text produce (voicing
  pairs B/P, D/T, G/K, V/F, S/Z; C/K/Q; PH/F; W/V; OU/U; SH/CH; rn/m ...) cost a
  fraction of an arbitrary substitution.  It returns a score in [0, 1] *and* the
  names of the confusions it used, so a finding can say "K/G voicing" instead of
  just a number.
* ``skeleton(word)`` — a coarse consonant key ("Purida" and "Bourita" both give
  ``prt``) used as one more candidate source and as evidence that two spellings
  sound alike.

jellyfish's metaphone/NYSIIS were considered; they merge some pairs (D/T) but not
others (B/P) and cannot say *which* confusion they used, so the table is ours.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

VOWELS = frozenset("aeiouy")

# Single-character substitutions: (a, b) -> (cost, label).  Symmetric.
_SUBST: dict[tuple[str, str], tuple[float, str]] = {}
# Multi-character substitutions (x <-> y where at least one side is 2+ chars).
_MULTI: list[tuple[str, str, float, str]] = []


def _sub(a: str, b: str, cost: float, label: str) -> None:
    _SUBST[(a, b)] = (cost, label)
    _SUBST[(b, a)] = (cost, label)


def _multi(x: str, y: str, cost: float, label: str) -> None:
    _MULTI.append((x, y, cost, label))
    _MULTI.append((y, x, cost, label))


for _a, _b in (("b", "p"), ("d", "t"), ("g", "k"), ("v", "f"), ("s", "z")):
    _sub(_a, _b, 0.25, f"{_b.upper()}/{_a.upper()} voicing")
_sub("c", "k", 0.2, "C/K")
_sub("c", "q", 0.2, "C/Q")
_sub("k", "q", 0.2, "K/Q")
_sub("c", "s", 0.3, "C/S")
_sub("c", "g", 0.45, "C/G")
_sub("w", "v", 0.2, "W/V")
_sub("w", "u", 0.3, "W/U")
_sub("w", "f", 0.35, "W/F")
_sub("b", "v", 0.35, "B/V")
_sub("b", "f", 0.4, "B/F")
_sub("p", "f", 0.4, "P/F")
_sub("y", "i", 0.2, "Y/I")
_sub("j", "y", 0.3, "J/Y")
_sub("j", "i", 0.3, "J/I")
_sub("j", "g", 0.4, "J/G")
_sub("j", "z", 0.45, "J/Z")
_sub("x", "s", 0.45, "X/S")
_sub("m", "n", 0.5, "M/N")
_sub("l", "r", 0.5, "L/R")
_sub("l", "i", 0.35, "OCR l/I")
_sub("l", "1", 0.2, "OCR l/1")
_sub("i", "1", 0.3, "OCR I/1")
_sub("o", "0", 0.2, "OCR O/0")
_sub("e", "c", 0.4, "OCR e/c")
_sub("h", "b", 0.5, "OCR h/b")
for _i, _a in enumerate("aeiouy"):
    for _b in "aeiouy"[_i + 1 :]:
        if (_a, _b) not in _SUBST:
            _sub(_a, _b, 0.4, "vowel change")

_multi("ph", "f", 0.15, "PH/F")
_multi("th", "t", 0.2, "TH/T")
_multi("kh", "k", 0.25, "KH/K")
_multi("kh", "h", 0.3, "KH/H")
_multi("gh", "g", 0.2, "GH/G")
_multi("ou", "u", 0.2, "OU/U")
_multi("ou", "o", 0.25, "OU/O")
_multi("oo", "u", 0.25, "OO/U")
_multi("ou", "w", 0.3, "OU/W")
_multi("ee", "i", 0.3, "EE/I")
_multi("ie", "i", 0.3, "IE/I")
_multi("ai", "e", 0.3, "AI/E")
_multi("sh", "ch", 0.3, "SH/CH")
_multi("sch", "sh", 0.2, "SCH/SH")
_multi("sch", "ch", 0.3, "SCH/CH")
_multi("tch", "ch", 0.25, "TCH/CH")
_multi("dj", "j", 0.2, "DJ/J")
_multi("dzh", "j", 0.25, "DZH/J")
_multi("zh", "j", 0.3, "ZH/J")
_multi("ck", "k", 0.15, "CK/K")
_multi("ks", "x", 0.2, "KS/X")
_multi("cs", "x", 0.25, "CS/X")
_multi("tz", "ts", 0.2, "TZ/TS")
_multi("tz", "z", 0.25, "TZ/Z")
_multi("ts", "z", 0.3, "TS/Z")
_multi("rn", "m", 0.2, "OCR rn/m")
_multi("cl", "d", 0.2, "OCR cl/d")
_multi("li", "h", 0.25, "OCR li/h")
_multi("vv", "w", 0.2, "OCR vv/w")
_multi("ii", "u", 0.35, "OCR ii/u")

# Multi-letter rules by the last letters of both sides, so each DP cell tries only the rules that can end there.
_MULTI_BY_END: dict[tuple[str, str], list[tuple[str, str, float, str]]] = {}
for _rule in _MULTI:
    _MULTI_BY_END.setdefault((_rule[0][-1], _rule[1][-1]), []).append(_rule)

DOUBLE_COST = 0.15  # "Bennett"/"Benett"
VOWEL_INDEL_COST = 0.45  # "Saharavi"/"Sahrawi"
H_INDEL_COST = 0.4  # "Mohamed"/"Mohamd" no; "Ahmad"/"Amad"
TRAILING_COST = 0.4  # a dropped ending: "Loudi"/"Loudiyi"
TRANSPOSE_COST = 0.5
PLAIN_COST = 1.0
INDEL_COST = 0.7  # a dropped letter (typing, OCR) is likelier than an arbitrary substitution


def strip_accents(text: str) -> str:
    """Remove combining marks: "Bourïta" -> "Bourita"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Lower-case, accent-free, letters and digits only: the form names are compared in."""
    return "".join(ch for ch in strip_accents(text).casefold() if ch.isalnum())


@lru_cache(maxsize=262144)
def exact_key(text: str) -> str:
    """Case-insensitive but accent-sensitive key: "GANTZ" == "Gantz", "Muller" != "Müller"."""
    normal = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in normal if ch.isalnum())


@dataclass(frozen=True)
class Match:
    """How alike two spellings are, and why."""

    score: float  # 1.0 identical .. 0.0 unrelated
    cost: float  # weighted edit cost
    reasons: tuple[str, ...]  # named confusions used, e.g. ("K/G voicing",)


def _indel_cost(word: str, i: int, trailing: bool) -> tuple[float, str]:
    """Cost of dropping word[i] (0-based), given its neighbours."""
    ch = word[i]
    if (i > 0 and word[i - 1] == ch) or (i + 1 < len(word) and word[i + 1] == ch):
        return DOUBLE_COST, "doubled letter"
    if trailing:
        return TRAILING_COST, "dropped ending"
    if ch in VOWELS:
        return VOWEL_INDEL_COST, "vowel dropped"
    if ch == "h":
        return H_INDEL_COST, "silent H"
    return INDEL_COST, "letter dropped"


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> Match:
    """Weighted Damerau-Levenshtein similarity of two folded words, with reasons.

    Both inputs should already be folded with ``fold``; accents are compared by
    the caller.  Score = 1 - cost / max(len).
    """
    if a == b:
        return Match(1.0, 0.0, ())
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return Match(0.0, float(max(n, m)), ())
    inf = float("inf")
    # the cost of dropping each letter, mid-word and at the end, worked out once, not once per cell
    drop_a = [(_indel_cost(a, i, False), _indel_cost(a, i, True)) for i in range(n)]
    drop_b = [(_indel_cost(b, j, False), _indel_cost(b, j, True)) for j in range(m)]
    dist = [[inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, str] | None]] = [[None] * (m + 1) for _ in range(n + 1)]
    dist[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            here = dist[i][j]
            if i == 0 and j == 0:
                continue
            best, how = here, back[i][j]
            if i > 0:  # drop a[i-1]
                cost, label = drop_a[i - 1][j == m]
                cand = dist[i - 1][j] + cost
                if cand < best:
                    best, how = cand, (i - 1, j, label)
            if j > 0:  # drop b[j-1]
                cost, label = drop_b[j - 1][i == n]
                cand = dist[i][j - 1] + cost
                if cand < best:
                    best, how = cand, (i, j - 1, label)
            if i > 0 and j > 0:
                x, y = a[i - 1], b[j - 1]
                if x == y:
                    cost, label = 0.0, ""
                else:
                    cost, label = _SUBST.get((x, y), (PLAIN_COST, "letter changed"))
                cand = dist[i - 1][j - 1] + cost
                if cand < best:
                    best, how = cand, (i - 1, j - 1, label)
                if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y and x != y:
                    cand = dist[i - 2][j - 2] + TRANSPOSE_COST
                    if cand < best:
                        best, how = cand, (i - 2, j - 2, "swapped letters")
            if i == 0 or j == 0:
                dist[i][j], back[i][j] = best, how
                continue
            for x, y, cost, label in _MULTI_BY_END.get((a[i - 1], b[j - 1]), ()):
                lx, ly = len(x), len(y)
                if i >= lx and j >= ly and a[i - lx : i] == x and b[j - ly : j] == y:
                    cand = dist[i - lx][j - ly] + cost
                    if cand < best:
                        best, how = cand, (i - lx, j - ly, label)
            dist[i][j], back[i][j] = best, how
    reasons: list[str] = []
    i, j = n, m
    while (i, j) != (0, 0):
        step = back[i][j]
        assert step is not None
        pi, pj, label = step
        if label and label not in reasons:
            reasons.append(label)
        i, j = pi, pj
    reasons.reverse()
    total = dist[n][m]
    return Match(max(0.0, 1.0 - total / max(n, m)), total, tuple(reasons))


_SKELETON_MULTI = (
    ("sch", "s"), ("tch", "s"), ("ph", "f"), ("ck", "k"), ("kh", "k"), ("gh", "k"),
    ("th", "t"), ("dj", "j"), ("zh", "j"), ("sh", "s"), ("ch", "s"), ("tz", "s"),
    ("ts", "s"), ("ks", "s"), ("rn", "m"), ("ou", "u"),
)
_SKELETON_CLASS = str.maketrans({
    "b": "p", "v": "p", "f": "p", "w": "p", "p": "p",
    "d": "t", "t": "t",
    "g": "k", "c": "k", "q": "k", "k": "k", "x": "k",
    "s": "s", "z": "s", "j": "s",
    "l": "l", "r": "r", "m": "m", "n": "n",
})


def _collapse_doubles(word: str) -> str:
    """"ttss" -> "ts": runs of one letter become one letter."""
    out: list[str] = []
    for ch in word:
        if not out or out[-1] != ch:
            out.append(ch)
    return "".join(out)


@lru_cache(maxsize=262144)
def skeleton(word: str) -> str:
    """Consonant-class key of a folded word: "purida" and "bourita" both give "prt"."""
    w = word
    for x, y in _SKELETON_MULTI:
        w = w.replace(x, y)
    w = "".join(ch for ch in w if ch not in VOWELS and ch != "h")
    w = w.translate(_SKELETON_CLASS)
    return _collapse_doubles(w)


def compare(mention: str, canonical: str) -> Match:
    """Compare two raw tokens: case aside, accents as a cheap difference, then the confusion table."""
    fa, fb = fold(mention), fold(canonical)
    if fa == fb:
        if exact_key(mention) == exact_key(canonical):
            return Match(1.0, 0.0, ())
        return Match(0.97, 0.1, ("diacritics",))
    return similarity(fa, fb)


_FOLD_CLASSES = str.maketrans({
    "b": "p", "d": "t", "g": "k", "c": "k", "q": "k", "v": "f", "w": "f", "z": "s", "y": "i", "j": "i",
})


@lru_cache(maxsize=262144)
def confusion_folded(word: str) -> str:
    """A folded word with each confusion class reduced to one letter, vowels kept, doubles collapsed.

    "purida" -> "purita", "bourita" -> "purita": a cheap string on which plain Levenshtein
    similarity ranks phonetic variants the way ``similarity`` would, at C speed.
    """
    w = word
    for x, y in (("sch", "s"), ("ph", "f"), ("ck", "k"), ("kh", "k"), ("th", "t"), ("sh", "s"), ("ch", "s"), ("ou", "u")):
        w = w.replace(x, y)
    w = w.translate(_FOLD_CLASSES)
    return _collapse_doubles(w)
