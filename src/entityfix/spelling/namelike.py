"""Is a spelling shaped like a name at all?  A letter-trigram table of real names.

A token that no list holds may still be a correct name: "Hokkoku", "Nakano" and "Byrnes" are made
of letter sequences that names have.  A scanner's misreading usually is not: "Fdward" starts with
"fd", "Cieek" has "iee", "Tliomas" has "tli" — sequences no surname, forename or place name has.
So for a token no list knows, the trigrams it shares with no (or almost no) real name tell a
misreading from an unknown name.

The table is fitted once on the real-name prior's own names (census surnames and forenames, the
names of populated places, not their alternate names; see
``gazetteer/prior.py``) and stored with it in the cache: each trigram of ``^^word$`` is hashed
into ``BUCKETS`` counters that saturate at 255.  A hash collision can only make a rare trigram look
common, which errs towards "shaped like a name", the side that leaves text alone.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable

import numpy as np

BUCKETS = 1 << 20  # tens of thousands of distinct trigrams in the prior's names: few collisions
RARE = 3  # a trigram fewer than this many names have is one a name is not made of
EDGE = "^"
END = "$"


def trigrams(word: str) -> list[str]:
    """The letter trigrams of a folded word, with its start and end marked: "ann" -> ^^a ^an ann nn$."""
    padded = EDGE * 2 + word + END
    return [padded[i : i + 3] for i in range(len(padded) - 2)]


def _bucket(trigram: str) -> int:
    return zlib.crc32(trigram.encode("utf-8")) & (BUCKETS - 1)


def fit(words: Iterable[str]) -> np.ndarray:
    """How many of ``words`` (folded, each counted once) have each trigram, saturated at 255."""
    counts = np.zeros(BUCKETS, dtype=np.uint32)
    for word in words:
        for bucket in {_bucket(t) for t in trigrams(word)}:
            counts[bucket] += 1
    return np.minimum(counts, 255).astype(np.uint8)


def rare_trigrams(word: str, table: np.ndarray) -> list[str]:
    """The trigrams of a folded word that fewer than ``RARE`` real names have."""
    return [t for t in trigrams(word) if table[_bucket(t)] < RARE]


def describe(trigram: str) -> str:
    """A trigram as words: "^fd" -> "starts with 'fd'", "iy$" -> "ends in 'iy'", "iee" -> "has 'iee'"."""
    letters = trigram.strip(EDGE + END)
    if trigram.startswith(EDGE):
        return f"starts with {letters!r}"
    if trigram.endswith(END):
        return f"ends in {letters!r}"
    return f"has {letters!r}"
