"""Realistic misspellings of names: what translation, transliteration, OCR and speech do.

Each corruption is a small function ``word -> word | None`` (None: does not
apply to this word).  ``corrupt(word, rng)`` tries them in a random order and
returns (new word, kind), keeping the word's case pattern.
"""

from __future__ import annotations

import random
import re
import unicodedata

VOWELS = "aeiou"


def _swap_pairs(pairs):
    def corrupt(w: str, rng: random.Random):
        options = []
        for a, b in pairs:
            for m in re.finditer(re.escape(a), w):
                options.append((m.start(), a, b))
            for m in re.finditer(re.escape(b), w):
                options.append((m.start(), b, a))
        if not options:
            return None
        i, x, y = rng.choice(options)
        return w[:i] + y + w[i + len(x):]

    return corrupt


def _double(w, rng):
    doubles = [i for i in range(len(w) - 1) if w[i] == w[i + 1]]
    if doubles and rng.random() < 0.5:
        i = rng.choice(doubles)
        return w[:i] + w[i + 1:]
    cons = [i for i in range(1, len(w)) if w[i] not in VOWELS and w[i].isalpha()]
    if not cons:
        return None
    i = rng.choice(cons)
    return w[:i] + w[i] + w[i:]


def _vowel(w, rng):
    idx = [i for i, ch in enumerate(w) if ch in VOWELS and i > 0]
    if not idx:
        return None
    i = rng.choice(idx)
    return w[:i] + rng.choice([v for v in VOWELS if v != w[i]]) + w[i + 1:]


def _drop_ending(w, rng):
    if len(w) < 7:
        return None
    cut = rng.choice([1, 2]) if w[-1] in VOWELS else 2
    return w[:-cut]


def _drop_letter(w, rng):
    if len(w) < 5:
        return None
    i = rng.randrange(1, len(w))
    return w[:i] + w[i + 1:]


def _swap_letters(w, rng):
    idx = [i for i in range(1, len(w) - 1) if w[i] != w[i + 1]]
    if not idx:
        return None
    i = rng.choice(idx)
    return w[:i] + w[i + 1] + w[i] + w[i + 2:]


def _strip_diacritics(w, rng):
    stripped = "".join(ch for ch in unicodedata.normalize("NFKD", w) if not unicodedata.combining(ch))
    return stripped if stripped != w else None


CORRUPTIONS = {
    "voicing": _swap_pairs([("g", "k"), ("b", "p"), ("d", "t"), ("v", "f"), ("s", "z")]),
    "c/k/q": _swap_pairs([("c", "k"), ("k", "q"), ("ck", "k")]),
    "ph/f": _swap_pairs([("ph", "f")]),
    "w/v": _swap_pairs([("w", "v")]),
    "y/i/j": _swap_pairs([("y", "i"), ("j", "y"), ("j", "i")]),
    "ou/u": _swap_pairs([("ou", "u"), ("oo", "u")]),
    "sh/ch/sch": _swap_pairs([("sh", "ch"), ("sch", "sh"), ("tch", "ch")]),
    "double": _double,
    "vowel": _vowel,
    "drop ending": _drop_ending,
    "ocr": _swap_pairs([("rn", "m"), ("cl", "d"), ("l", "1"), ("o", "0"), ("e", "c"), ("li", "h")]),
    "drop letter": _drop_letter,
    "swap letters": _swap_letters,
    "diacritics": _strip_diacritics,
}


def _recase(pattern: str, word: str) -> str:
    if pattern.isupper() and len(pattern) > 1:
        return word.upper()
    if pattern[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def corrupt(word: str, rng: random.Random) -> tuple[str, str] | None:
    """A misspelling of ``word`` and the kind of error, or None if none applies."""
    lower = word.lower()
    kinds = list(CORRUPTIONS)
    rng.shuffle(kinds)
    for kind in kinds:
        new = CORRUPTIONS[kind](lower, rng)
        if new and new != lower:
            return _recase(word, new), kind
    return None
