"""Candidate lookup: which gazetteer tokens could a misspelt token be? Without scanning them all.

Every distinct folded token of a correct form goes into two inverted indexes (one ``TokenIndex`` for
curated entries' tokens and one for the tokens only reference-list entries use: see ``Gazetteer``),
both flat arrays
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

The survivors are ranked at C speed (rapidfuzz) on ``phonetic.confusion_folded`` spellings
(``rank_by_sound``), and only the best few go on to the weighted edit distance in
``phonetic.similarity``.  An index of fewer than ``EXHAUSTIVE_BELOW`` tokens (a hand-written list)
ranks all of them instead: at that size rapidfuzz is cheaper than the trigram lists, and exact.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from entityfix.spelling.phonetic import confusion_folded, skeleton
from entityfix.gazetteer.tables import EMPTY, HashIndex, Strings, stable_hash

MIN_SKELETON = 3  # shorter skeletons ("st") match far too much to be a useful key
MAX_BUCKET = 2000  # a skeleton shared by more tokens than this proposes nothing
MAX_EDITS = 3  # trigram filter: edits a candidate may be away from the query
MAX_PROPOSED = 400  # most-overlapping proposals kept before ranking
PROPOSAL_BUDGET = 32_000  # postings counted per query, rarest trigrams first
GRAM_MEMO = 16_384  # distinct trigrams whose postings are remembered
CANDIDATES = 16  # best-ranked tokens a lookup returns
EXHAUSTIVE_BELOW = 512  # an index of fewer tokens ranks them all: cheaper than its trigram lists
MIN_RANK_SIMILARITY = 0.5  # rapidfuzz cut-off on the confusion-folded spellings


def length_span(word_length: int) -> int:
    """How many letters longer or shorter than a misspelt word its target may be."""
    return max(3, word_length // 2)


def rank_by_sound(word: str, choices: dict[int, str] | list[str], limit: int | None = CANDIDATES, min_similarity: float = MIN_RANK_SIMILARITY) -> list[int]:
    """Keys (or list positions) of ``choices`` (confusion-folded spellings) closest to ``word`` (folded),
    best first, ties in the order given (``limit`` None: all)."""
    if not choices:
        return []
    ranked = process.extract(
        confusion_folded(word), choices, scorer=Levenshtein.normalized_similarity,
        limit=limit, score_cutoff=min_similarity,
    )
    return [key for _, _, key in ranked]


def _count_sorted_runs(hits: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(hits, return_counts=True)`` for a concatenation of sorted posting lists.

    A stable sort (a merge of the already sorted runs) instead of unique's quicksort: a third
    less time on the 20,000-odd postings a query counts in a million-name gazetteer.
    """
    ordered = np.sort(hits, kind="stable")
    starts = np.empty(len(ordered), dtype=bool)
    starts[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    ids = ordered[starts]
    counts = np.diff(np.append(np.flatnonzero(starts), len(ordered)))
    return ids, counts


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``np.union1d(a, b)``: the sorted distinct values of both.

    Without ``np.unique``, which imports ``numpy.ma`` (~15 ms of a cold start) on its first call.
    """
    both = np.sort(np.concatenate((a, b), axis=None))
    first = np.empty(len(both), dtype=bool)
    first[:1] = True
    np.not_equal(both[1:], both[:-1], out=first[1:])
    return both[first]


def trigrams(word: str) -> list[str]:
    padded = f"$${word}$"
    return sorted({padded[i : i + 3] for i in range(len(padded) - 2)})


class TokenIndex:
    """Inverted indexes over folded tokens; a lookup answers with each token's id from ``ids``.

    Internally a token is its position in the list the index was built from; ``ids`` maps those
    positions to the caller's ids (the gazetteer's vocabulary ids), so an index can cover a subset.
    """

    def __init__(self, grams: HashIndex, skeletons: HashIndex, folded: Strings, lengths: np.ndarray, ids: np.ndarray):
        self.grams = grams
        self.skeletons = skeletons
        self.folded_table = folded
        self.lengths = lengths
        self.ids = ids
        self._folded: list[str] | None = None
        # a trigram's postings, found by hashing (microseconds); a text's words share most trigrams
        self._postings = lru_cache(maxsize=GRAM_MEMO)(grams.get)

    @property
    def folded_forms(self) -> list[str]:
        """Confusion-folded spellings, decoded in one go on first use (most queries need hundreds)."""
        if self._folded is None:
            self._folded = self.folded_table.tolist()
        return self._folded

    @classmethod
    def build(cls, tokens: Sequence[str], ids: np.ndarray | None = None) -> "TokenIndex":
        """Index ``tokens``; ``ids[i]`` is what a lookup returns for ``tokens[i]`` (default: ``i``)."""
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
            HashIndex.build(u64(pair_hash), i32(pair_tok)),
            HashIndex.build(u64(skel_hash), i32(skel_tok)),
            Strings.build([confusion_folded(t) for t in tokens]),
            # int32: a token as long as a whole name (schema.MAX_NAME_CHARS) or, from code, longer
            # still must not overflow (int16 did, at 32,768 characters)
            np.fromiter((len(t) for t in tokens), dtype=np.int32, count=len(tokens)),
            np.arange(len(tokens), dtype=np.int32) if ids is None else np.asarray(ids, dtype=np.int32),
        )

    @classmethod
    def merge(cls, parts: Sequence["TokenIndex"], places: Sequence[np.ndarray], ids: np.ndarray) -> "TokenIndex":
        """The index ``build`` would make of tokens ``ids`` of a combined vocabulary, from indexes of parts.

        ``places[i][t]``: where token ``t`` of part ``i`` (indexed with ``build``'s default ids) sits in
        the combined vocabulary; ``ids``: the combined vocabulary's tokens to index, ascending.  A
        token several parts hold is taken from the first.  Nothing is hashed or folded again: the
        parts' postings are renumbered and re-sorted, the same arrays ``build`` gives, at C speed.
        """
        ids = np.asarray(ids, dtype=np.int32)
        if len(parts) == 1 and len(ids) == len(parts[0].lengths) and np.array_equal(places[0], ids):
            only = parts[0]  # one part indexed whole (a list without reference entries): as it is
            return cls(only.grams, only.skeletons, only.folded_table, only.lengths, ids)
        size = max((int(p.max()) + 1 for p in places if len(p)), default=0)
        position = np.full(max(size, int(ids.max()) + 1 if len(ids) else 0), -1, dtype=np.int32)
        position[ids] = np.arange(len(ids), dtype=np.int32)
        taken = np.zeros(len(position), dtype=bool)
        gram_h, gram_t, skel_h, skel_t, source = [], [], [], [], np.zeros(len(ids), dtype=np.int64)
        lengths = np.zeros(len(ids), dtype=np.int32)
        base = 0
        for part, place in zip(parts, places):
            tid = position[place] if len(place) else np.empty(0, np.int32)
            mine = tid >= 0
            mine[mine] = ~taken[place[mine]]
            taken[place[mine]] = True
            tid = np.where(mine, tid, -1)
            local = np.flatnonzero(mine)
            lengths[tid[local]] = part.lengths[local]
            source[tid[local]] = base + local
            base += len(part.lengths)
            for index, hs, ts in ((part.grams, gram_h, gram_t), (part.skeletons, skel_h, skel_t)):
                h, v = index.pairs()
                t = tid[v] if len(v) else np.empty(0, np.int32)
                keep = t >= 0
                hs.append(h[keep])
                ts.append(t[keep])

        def postings(hs: list[np.ndarray], ts: list[np.ndarray]) -> HashIndex:
            h = np.concatenate(hs) if hs else np.empty(0, np.uint64)
            t = np.concatenate(ts).astype(np.int32) if ts else np.empty(0, np.int32)
            order = np.argsort(t, kind="stable")  # each key's tokens in token order, as ``build`` has them
            return HashIndex.build(h[order].astype(np.uint64, copy=False), t[order])

        folded = Strings.concat([p.folded_table for p in parts]).take(source) if parts else Strings.build([])
        return cls(postings(gram_h, gram_t), postings(skel_h, skel_t), folded, lengths, ids)

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        out = {f"{prefix}.lengths": self.lengths, f"{prefix}.ids": self.ids}
        out.update(self.grams.arrays(f"{prefix}.grams"))
        out.update(self.skeletons.arrays(f"{prefix}.skeletons"))
        out.update(self.folded_table.arrays(f"{prefix}.folded"))
        return out

    @classmethod
    def from_arrays(cls, data, prefix: str) -> "TokenIndex":
        return cls(
            HashIndex.from_arrays(data, f"{prefix}.grams"),
            HashIndex.from_arrays(data, f"{prefix}.skeletons"),
            Strings.from_arrays(data, f"{prefix}.folded"),
            data[f"{prefix}.lengths"],
            data[f"{prefix}.ids"],
        )

    def _trigram_proposals(self, word: str) -> np.ndarray:
        grams = trigrams(word)
        lists = sorted((p for p in map(self._postings, grams) if len(p)), key=len)
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
            ids, counts = _count_sorted_runs(hits)
            keep = counts >= need
            ids, counts = ids[keep], counts[keep]
        if len(ids) > MAX_PROPOSED:
            ids = ids[np.argpartition(-counts, MAX_PROPOSED)[:MAX_PROPOSED]]
        return ids

    def candidates(self, word: str, limit: int = CANDIDATES, min_similarity: float = MIN_RANK_SIMILARITY) -> list[int]:
        """Ids of indexed tokens plausibly misspelt as ``word`` (folded), best first."""
        if len(self.lengths) < EXHAUSTIVE_BELOW:
            proposed = np.arange(len(self.lengths))
        else:
            proposed = self._proposals(word)
        if not len(proposed):
            return []
        proposed = proposed[np.abs(self.lengths[proposed].astype(np.int32) - len(word)) <= length_span(len(word))]
        folded = self.folded_forms
        proposed_ids = proposed.tolist()
        ranked = rank_by_sound(word, [folded[tid] for tid in proposed_ids], limit, min_similarity)
        return self.ids[[proposed_ids[k] for k in ranked]].tolist() if ranked else []

    def _proposals(self, word: str) -> np.ndarray:
        """Tokens sharing enough trigrams with ``word``, or its consonant skeleton."""
        proposed = self._trigram_proposals(word)
        key = skeleton(word)
        if len(key) >= MIN_SKELETON:
            bucket = self.skeletons.get(key)
            if 0 < len(bucket) <= MAX_BUCKET:
                proposed = _union(proposed, bucket)
        return proposed
