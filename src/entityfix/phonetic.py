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


# Per letter: the cost of putting each other letter in its place (absent: PLAIN_COST).
_SUB_COST: dict[str, dict[str, float]] = {}
for (_x, _y), (_cost, _label) in _SUBST.items():
    _SUB_COST.setdefault(_x, {})[_y] = _cost
_NO_SUBST: dict[str, float] = {}

# Back-pointer codes of the DP below (a multi-letter rule k is stored as _RULE + k).
_DROP_A, _DROP_B, _SUBSTITUTE, _SWAP, _RULE = range(5)


_RULES_BY_SIDE: dict[str, list[int]] = {}  # a rule's left side -> the rules (table order) that start from it
for _k, (_x, _y, _, _) in enumerate(_MULTI):
    _RULES_BY_SIDE.setdefault(_x, []).append(_k)
_SIDES = frozenset(x for x, _, _, _ in _MULTI)


@lru_cache(maxsize=65536)
def _side_ends(word: str) -> dict[str, tuple[int, ...]]:
    """Each multi-letter rule side found in ``word``, with where its occurrences end."""
    found: dict[str, tuple[int, ...]] = {}
    for side in _SIDES:
        if side in word:
            found[side] = tuple(p + len(side) for p in range(len(word) - len(side) + 1) if word.startswith(side, p))
    return found


def _rule_cells(a: str, b: str) -> dict[tuple[int, int], list[int]]:
    """Where each multi-letter rule applies: DP cell (i, j) -> rules ending there, in table order.

    Worked out once per pair from each word's (cached) rule-side positions, so the DP's inner
    loop looks rules up only in the few cells where one can apply.
    """
    ends_a, ends_b = _side_ends(a), _side_ends(b)
    if not ends_a or not ends_b:
        return {}
    usable = sorted(k for x in ends_a for k in _RULES_BY_SIDE[x] if _MULTI[k][1] in ends_b)
    cells: dict[tuple[int, int], list[int]] = {}
    for k in usable:
        x, y = _MULTI[k][0], _MULTI[k][1]
        for i in ends_a[x]:
            for j in ends_b[y]:
                cells.setdefault((i, j), []).append(k)
    return cells


@lru_cache(maxsize=65536)
def _drop_costs(word: str) -> tuple[tuple[float, ...], tuple[float, ...], tuple[tuple[tuple[float, str], tuple[float, str]], ...]]:
    """For each letter of a word: the cost of dropping it mid-word, at the end, and both with labels."""
    both = tuple((_indel_cost(word, i, False), _indel_cost(word, i, True)) for i in range(len(word)))
    return tuple(d[0][0] for d in both), tuple(d[1][0] for d in both), both


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> Match:
    """Weighted Damerau-Levenshtein similarity of two folded words, with reasons.

    Both inputs should already be folded with ``fold``; accents are compared by
    the caller.  Score = 1 - cost / max(len).  This runs for every candidate of
    every unknown capitalised word, so the loop is written for speed: costs
    looked up per letter, rules only where they apply, back-pointers as codes.
    """
    if a == b:
        return Match(1.0, 0.0, ())
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return Match(0.0, float(max(n, m)), ())
    longest = max(n, m)
    mid_a_costs, end_a_costs, drop_a = _drop_costs(a)
    mid_b, end_b, drop_b = _drop_costs(b)
    rules = _rule_cells(a, b)
    # row 0: only drops of b's letters
    first = [0.0] * (m + 1)
    for j in range(1, m + 1):
        first[j] = first[j - 1] + mid_b[j - 1]
    dist = [first]
    back = [[_DROP_B] * (m + 1)]
    for i in range(1, n + 1):
        up = dist[i - 1]
        x = a[i - 1]
        x_sub = _SUB_COST.get(x, _NO_SUBST)
        mid_a, end_a = mid_a_costs[i - 1], end_a_costs[i - 1]
        drop_b_cost = end_b if i == n else mid_b
        row = [up[0] + mid_a] + [0.0] * m
        how_row = [_DROP_A] * (m + 1)
        for j in range(1, m + 1):
            best = up[j] + (end_a if j == m else mid_a)
            how = _DROP_A
            cand = row[j - 1] + drop_b_cost[j - 1]
            if cand < best:
                best, how = cand, _DROP_B
            y = b[j - 1]
            cand = up[j - 1] + (0.0 if x == y else x_sub.get(y, PLAIN_COST))
            if cand < best:
                best, how = cand, _SUBSTITUTE
            if i > 1 and j > 1 and x != y and x == b[j - 2] and a[i - 2] == y:
                cand = dist[i - 2][j - 2] + TRANSPOSE_COST
                if cand < best:
                    best, how = cand, _SWAP
            if rules:
                for k in rules.get((i, j), ()):
                    rx, ry, cost, _ = _MULTI[k]
                    cand = dist[i - len(rx)][j - len(ry)] + cost
                    if cand < best:
                        best, how = cand, _RULE + k
            row[j] = best
            how_row[j] = how
        dist.append(row)
        back.append(how_row)
    reasons: list[str] = []
    i, j = n, m
    while (i, j) != (0, 0):
        how = back[i][j]  # row 0 holds only drops of b's letters, column 0 only drops of a's
        if how == _DROP_A:
            label = drop_a[i - 1][j == m][1]
            i -= 1
        elif how == _DROP_B:
            label = drop_b[j - 1][i == n][1]
            j -= 1
        elif how == _SUBSTITUTE:
            x, y = a[i - 1], b[j - 1]
            label = "" if x == y else _SUBST.get((x, y), (PLAIN_COST, "letter changed"))[1]
            i, j = i - 1, j - 1
        elif how == _SWAP:
            label = "swapped letters"
            i, j = i - 2, j - 2
        else:
            rx, ry, _, label = _MULTI[how - _RULE]
            i, j = i - len(rx), j - len(ry)
        if label and label not in reasons:
            reasons.append(label)
    reasons.reverse()
    total = dist[n][m]
    return Match(max(0.0, 1.0 - total / longest), total, tuple(reasons))


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
