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
from array import array
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
_sub("c", "o", 0.4, "OCR c/o")
_sub("n", "u", 0.4, "OCR n/u")
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


@lru_cache(maxsize=32768)
def fold(text: str) -> str:
    """Lower-case, accent-free, letters and digits only: the form names are compared in."""
    return "".join(ch for ch in strip_accents(text).casefold() if ch.isalnum())


@lru_cache(maxsize=32768)
def exact_key(text: str) -> str:
    """Case-insensitive but accent-sensitive key: "GANTZ" == "Gantz", "Muller" != "Müller"."""
    normal = unicodedata.normalize("NFC", text).casefold()
    return "".join(ch for ch in normal if ch.isalnum())


class Match:
    """How alike two spellings are, and why.

    ``reasons`` names the confusions used, e.g. ("K/G voicing",).  Thousands of pairs are
    compared for each one that becomes a finding, so a compared pair keeps its alignment
    and names its confusions only when asked.
    """

    __slots__ = ("score", "cost", "_reasons", "_alignment")

    def __init__(self, score: float, cost: float, reasons: tuple[str, ...] = (), alignment=None):
        self.score = score  # 1.0 identical .. 0.0 unrelated
        self.cost = cost  # weighted edit cost
        self._reasons = reasons
        self._alignment = alignment  # (a, b, steps last first), until reasons are asked for

    @property
    def reasons(self) -> tuple[str, ...]:
        if self._alignment is not None:
            self._reasons = _reasons(*self._alignment)
            self._alignment = None
        return self._reasons

    def _key(self) -> tuple:
        return self.score, self.cost, self.reasons

    def __eq__(self, other: object) -> bool:
        return self._key() == other._key() if isinstance(other, Match) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Match(score={self.score!r}, cost={self.cost!r}, reasons={self.reasons!r})"


def confusion_labels() -> frozenset[str]:
    """The names of every substitution and multi-letter rule (as a Match's reasons give them),
    the misread capitals of ``compare`` included."""
    capitals = frozenset(f"OCR {a}/{b}" for a, b in CAPITAL_SHAPES)
    return frozenset(label for _, label in _SUBST.values()) | frozenset(rule[3] for rule in _MULTI) | capitals


def letter_drop_labels() -> frozenset[str]:
    """The multi-letter rules that only drop a letter ("CK/K", "TH/T", "OU/U"): any channel drops letters."""
    def drops(x: str, y: str) -> bool:
        return len(x) == len(y) + 1 and any(x[:k] + x[k + 1 :] == y for k in range(len(x)))

    return frozenset(label for x, y, _, label in _MULTI if drops(x, y) or drops(y, x))


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

# The steps of an alignment (a multi-letter rule k is step _RULE + k): the DP's back-pointers.
_DROP_A, _DROP_B, _SUBSTITUTE, _SWAP, _RULE = range(5)
_RULE_SIZES = tuple((len(x), len(y)) for x, y, _, _ in _MULTI)
# how many letters of a and of b each step consumes, by step code
_STEP_SIZES = ((1, 0), (0, 1), (1, 1), (2, 2)) + _RULE_SIZES


# Each multi-letter rule side -> the rules (as bits: rule k is bit k) it is the left side of,
# and those it is the right side of.
_LEFT_BITS: dict[str, int] = {}
_RIGHT_BITS: dict[str, int] = {}
for _k, (_x, _y, _, _) in enumerate(_MULTI):
    _LEFT_BITS[_x] = _LEFT_BITS.get(_x, 0) | 1 << _k
    _RIGHT_BITS[_y] = _RIGHT_BITS.get(_y, 0) | 1 << _k


@lru_cache(maxsize=16384)
def _drop_costs(word: str) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The cost of dropping each letter of a word mid-word, and at its end."""
    mid = tuple(_indel_cost(word, i, False)[0] for i in range(len(word)))
    end = tuple(_indel_cost(word, i, True)[0] for i in range(len(word)))
    return mid, end


@lru_cache(maxsize=32768)
def _word_costs(word: str, first: bool) -> tuple[tuple[float, ...], tuple[float, ...], tuple[int, ...], bytes]:
    """What the DP needs of one word, worked out once per word rather than once per pair.

    The cost of dropping each letter mid-word and at the end, and per position a bit mask
    of the multi-letter rules whose side ends there (bit k: rule k; the word's side is the
    rule's left side when it is the first word of the pair, its right side otherwise), so
    the DP finds the rules of a cell with one AND.  The same, packed as C doubles and
    64-bit masks, for the compiled DP.
    """
    mid, end = _drop_costs(word)
    masks = [0] * (len(word) + 1)
    for side, bits in (_LEFT_BITS if first else _RIGHT_BITS).items():
        start = word.find(side)
        while start >= 0:
            masks[start + len(side)] |= bits
            start = word.find(side, start + 1)
    packed = array("d", mid + end).tobytes() + array("Q", masks).tobytes()
    return mid, end, tuple(masks), packed


def _align_python(a: str, b: str) -> tuple[float, list[int]]:
    """The cheapest alignment of two non-empty folded words: its cost and its steps, last first.

    The reference implementation (and the fallback where ``_align.c`` could not be
    compiled): each cell tries, in this order and keeping the first strictly cheapest,
    dropping a's letter, dropping b's letter, substituting, swapping two letters, then the
    multi-letter rules that end in the cell in table order.
    """
    n, m = len(a), len(b)
    mid_a_costs, end_a_costs, masks_a, _ = _word_costs(a, True)
    mid_b, end_b, masks_b, _ = _word_costs(b, False)
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
        mask_a = masks_a[i]
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
            rules = mask_a & masks_b[j]
            while rules:
                k = (rules & -rules).bit_length() - 1  # lowest bit first: table order
                rules &= rules - 1
                size_a, size_b = _RULE_SIZES[k]
                cand = dist[i - size_a][j - size_b] + _MULTI[k][2]
                if cand < best:
                    best, how = cand, _RULE + k
            row[j] = best
            how_row[j] = how
        dist.append(row)
        back.append(how_row)
    path: list[int] = []
    i, j = n, m
    while i > 0 or j > 0:  # row 0 holds only drops of b's letters, column 0 only drops of a's
        how = back[i][j]
        path.append(how)
        size_a, size_b = _STEP_SIZES[how]
        i, j = i - size_a, j - size_b
    return dist[n][m], path


def _align_compiled(a: str, b: str) -> tuple[float, bytes]:
    """``_align_python``'s result from the compiled table (``_align.c``): same costs, same path."""
    return _compiled.align(a, b, _packed_costs(a, True), _packed_costs(b, False))


@lru_cache(maxsize=32768)
def _packed_costs(word: str, first: bool) -> bytes:
    """``_word_costs(word, first)[3]`` alone: the compiled DP reads only these bytes, and remembering
    them without the tuples beside them takes a fifth of the memory (200 bytes a word, not 900)."""
    return _word_costs.__wrapped__(word, first)[3]


def _configure_compiled():
    """The compiled DP, given this module's cost tables; None where it was not built."""
    try:
        from entityfix.spelling import _align as compiled
    except ImportError:
        return None
    matrix = array("d", [PLAIN_COST]) * (128 * 128)
    for (x, y), (cost, _) in _SUBST.items():
        if ord(x) < 128 and ord(y) < 128:
            matrix[ord(x) * 128 + ord(y)] = cost
    sizes = bytes(size for pair in _RULE_SIZES for size in pair)
    compiled.configure(matrix.tobytes(), sizes, array("d", [rule[2] for rule in _MULTI]).tobytes(), TRANSPOSE_COST, PLAIN_COST)
    return compiled


assert len(_MULTI) <= 64 and all(ord(ch) < 128 for pair in _SUBST for ch in pair)  # what _align.c assumes
_compiled = _configure_compiled()
_align = _align_compiled if _compiled is not None else _align_python


def _reasons(a: str, b: str, path) -> tuple[str, ...]:
    """The named confusions an alignment used, in reading order, each once."""
    reasons: list[str] = []
    i, j = len(a), len(b)
    n, m = i, j
    for how in path:
        if how == _DROP_A:
            label = _indel_cost(a, i - 1, j == m)[1]
        elif how == _DROP_B:
            label = _indel_cost(b, j - 1, i == n)[1]
        elif how == _SUBSTITUTE:
            x, y = a[i - 1], b[j - 1]
            label = "" if x == y else _SUBST.get((x, y), (PLAIN_COST, "letter changed"))[1]
        elif how == _SWAP:
            label = "swapped letters"
        else:
            label = _MULTI[how - _RULE][3]
        if label and label not in reasons:
            reasons.append(label)
        size_a, size_b = _STEP_SIZES[how]
        i, j = i - size_a, j - size_b
    reasons.reverse()
    return tuple(reasons)


@lru_cache(maxsize=32768)
def similarity(a: str, b: str) -> Match:
    """Weighted Damerau-Levenshtein similarity of two folded words, with reasons.

    Both inputs should already be folded with ``fold``; accents are compared by
    the caller.  Score = 1 - cost / max(len).  This runs for every candidate of
    every unknown capitalised word, so the table is filled in C where it was built.
    """
    if a == b:
        return Match(1.0, 0.0, ())
    n, m = len(a), len(b)
    if n == 0 or m == 0:
        return Match(0.0, float(max(n, m)), ())
    total, path = _align(a, b)
    return Match(max(0.0, 1.0 - total / max(n, m)), total, alignment=(a, b, path))


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


@lru_cache(maxsize=32768)
def skeleton(word: str) -> str:
    """Consonant-class key of a folded word: "purida" and "bourita" both give "prt"."""
    w = word
    for x, y in _SKELETON_MULTI:
        w = w.replace(x, y)
    w = "".join(ch for ch in w if ch not in VOWELS and ch != "h")
    w = w.translate(_SKELETON_CLASS)
    return _collapse_doubles(w)


# Capitals a scanner takes for one another (old type, worn print): a word's first letter read wrong
CAPITAL_SHAPES = frozenset(
    (a, b) for x, y in ("TJ", "EF", "FP", "RB", "OD", "OQ", "CO", "CG", "IJ", "IL", "HK", "UV") for a, b in ((x, y), (y, x))
)
CAPITAL_SHAPE_COST = 0.3


def compare(mention: str, canonical: str) -> Match:
    """Compare two raw tokens: case aside, accents as a cheap difference, then the confusion table.

    A capital first letter of the mention may also be a capital misread by OCR ("Tames" for
    "James", "Fdward" for "Edward"): that reading is taken when it is the closer one.
    """
    fa, fb = fold(mention), fold(canonical)
    if fa == fb:
        if exact_key(mention) == exact_key(canonical):
            return Match(1.0, 0.0, ())
        return Match(0.97, 0.1, ("diacritics",))
    match = similarity(fa, fb)
    first, other = mention[:1], fb[:1].upper()
    if len(fa) > 2 and first.isupper() and (first, other) in CAPITAL_SHAPES and fa[:1] != fb[:1]:
        rest = similarity(fb[:1] + fa[1:], fb)
        cost = rest.cost + CAPITAL_SHAPE_COST
        score = max(0.0, 1.0 - cost / max(len(fa), len(fb)))
        if score > match.score:
            return Match(score, cost, (f"OCR {first}/{other}",) + rest.reasons)
    return match


_FOLD_CLASSES = str.maketrans({
    "b": "p", "d": "t", "g": "k", "c": "k", "q": "k", "v": "f", "w": "f", "z": "s", "y": "i", "j": "i",
})


@lru_cache(maxsize=32768)
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
