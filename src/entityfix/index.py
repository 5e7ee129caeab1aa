"""Candidate lookup: which gazetteer tokens could a misspelt token be? Without scanning them all.

Every distinct folded token of every correct form goes into two inverted indexes, both flat arrays
(``tables.HashIndex``) so they are saved with the compiled gazetteer and loaded without rebuilding:

* character trigrams of the padded token, stored as numpy CSR postings (token ids per trigram).
  A word within ``MAX_EDITS`` edits of the query shares at least ``len(grams) - 3 * MAX_EDITS`` of its
  trigrams (one edit touches at most three), so counting shared trigrams filters without scanning.
  Only the rarest of the query's trigrams are counted, up to ``PROPOSAL_BUDGET`` postings: in a big
  gazetteer a common trigram ("$$k", "ber") lists tens of thousands of tokens and says almost nothing,
  and counting it cost more than everything else in a lookup.  This bounds the work per query
  whatever the gazetteer's size (the speed benchmark compares the result with a brute-force scan);
* the consonant skeleton from ``phonetic.skeleton``, which catches spellings that share few
  trigrams but sound alike ("Purida" / "Bourita").

The survivors are ranked at C speed (rapidfuzz) on ``phonetic.confusion_folded`` spellings, and only
the best few go on to the weighted edit distance in ``phonetic.similarity``.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .phonetic import confusion_folded, skeleton
from .tables import EMPTY, HashIndex, Strings, stable_hash

MIN_SKELETON = 3  # shorter skeletons ("st") match far too much to be a useful key
MAX_BUCKET = 2000  # a skeleton shared by more tokens than this proposes nothing
MAX_EDITS = 3  # trigram filter: edits a candidate may be away from the query
MAX_PROPOSED = 400  # most-overlapping proposals kept before ranking
PROPOSAL_BUDGET = 32_000  # postings counted per query, rarest trigrams first


def trigrams(word: str) -> list[str]:
    padded = f"$${word}$"
    return sorted({padded[i : i + 3] for i in range(len(padded) - 2)})


class TokenIndex:
    """Inverted indexes over the distinct folded tokens of a gazetteer (token ids = vocabulary ids)."""

    def __init__(self, tokens: Sequence[str], grams: HashIndex, skeletons: HashIndex, folded: Strings, lengths: np.ndarray):
        self.tokens = tokens
        self.grams = grams
        self.skeletons = skeletons
        self.folded_table = folded
        self.lengths = lengths
        self._folded: list[str] | None = None

    @property
    def folded_forms(self) -> list[str]:
        """Confusion-folded spellings, decoded in one go on first use (most queries need hundreds)."""
        if self._folded is None:
            self._folded = self.folded_table.tolist()
        return self._folded

    @classmethod
    def build(cls, tokens: Sequence[str]) -> "TokenIndex":
        gram_hash: dict[str, int] = {}
        pair_hash, pair_tok = array("Q"), array("i")
        skel_hash, skel_tok = array("Q"), array("i")
        for tid, tok in enumerate(tokens):
            for gram in trigrams(tok):
                h = gram_hash.get(gram)
                if h is None:
                    h = gram_hash[gram] = stable_hash(gram)
                pair_hash.append(h)
                pair_tok.append(tid)
            key = skeleton(tok)
            if len(key) >= MIN_SKELETON:
                skel_hash.append(stable_hash(key))
                skel_tok.append(tid)
        u64 = lambda a: np.frombuffer(a, dtype=np.uint64) if len(a) else np.empty(0, np.uint64)  # noqa: E731
        i32 = lambda a: np.frombuffer(a, dtype=np.int32) if len(a) else np.empty(0, np.int32)  # noqa: E731
        return cls(
            tokens,
            HashIndex.build(u64(pair_hash), i32(pair_tok)),
            HashIndex.build(u64(skel_hash), i32(skel_tok)),
            Strings.build([confusion_folded(t) for t in tokens]),
            np.fromiter((len(t) for t in tokens), dtype=np.int16, count=len(tokens)),
        )

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        out = {f"{prefix}.lengths": self.lengths}
        out.update(self.grams.arrays(f"{prefix}.grams"))
        out.update(self.skeletons.arrays(f"{prefix}.skeletons"))
        out.update(self.folded_table.arrays(f"{prefix}.folded"))
        return out

    @classmethod
    def from_arrays(cls, data, prefix: str, tokens: Sequence[str]) -> "TokenIndex":
        return cls(
            tokens,
            HashIndex.from_arrays(data, f"{prefix}.grams"),
            HashIndex.from_arrays(data, f"{prefix}.skeletons"),
            Strings.from_arrays(data, f"{prefix}.folded"),
            data[f"{prefix}.lengths"],
        )

    def _trigram_proposals(self, word: str) -> np.ndarray:
        grams = trigrams(word)
        lists = sorted((p for p in (self.grams.get(g) for g in grams) if len(p)), key=len)
        if not lists:
            return EMPTY
        used, size = 1, len(lists[0])
        while used < len(lists) and size + len(lists[used]) <= PROPOSAL_BUDGET:
            size += len(lists[used])
            used += 1
        hits = np.concatenate(lists[:used])
        # a token missing from the lists left uncounted may still share those trigrams
        need = max(1, len(grams) - 3 * MAX_EDITS - (len(lists) - used))
        if len(hits) * 8 > len(self.lengths):  # dense: counting by id beats sorting
            counts = np.bincount(hits, minlength=len(self.lengths))
            ids = np.flatnonzero(counts >= need)
            counts = counts[ids]
        else:
            ids, counts = np.unique(hits, return_counts=True)
            keep = counts >= need
            ids, counts = ids[keep], counts[keep]
        if len(ids) > MAX_PROPOSED:
            ids = ids[np.argpartition(-counts, MAX_PROPOSED)[:MAX_PROPOSED]]
        return ids

    def candidates(self, word: str, limit: int = 16, min_similarity: float = 0.5) -> list[int]:
        """Ids of gazetteer tokens plausibly misspelt as ``word`` (folded), best first."""
        proposed = self._trigram_proposals(word)
        key = skeleton(word)
        if len(key) >= MIN_SKELETON:
            bucket = self.skeletons.get(key)
            if 0 < len(bucket) <= MAX_BUCKET:
                proposed = np.union1d(proposed, bucket)
        if not len(proposed):
            return []
        span = max(3, len(word) // 2)
        proposed = proposed[np.abs(self.lengths[proposed].astype(np.int32) - len(word)) <= span]
        folded = self.folded_forms
        choices = {tid: folded[tid] for tid in proposed.tolist()}
        ranked = process.extract(
            confusion_folded(word), choices, scorer=Levenshtein.normalized_similarity,
            limit=limit, score_cutoff=min_similarity,
        )
        return [tid for _, _, tid in ranked]
