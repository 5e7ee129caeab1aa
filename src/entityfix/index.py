"""Candidate lookup: which gazetteer tokens could a misspelt token be? Without scanning them all.

Every distinct folded token of every correct form goes into two inverted indexes:

* character trigrams of the padded token, stored as numpy CSR postings (token ids per trigram).
  A word within ``MAX_EDITS`` edits of the query shares at least ``len(grams) - 3 * MAX_EDITS`` of its
  trigrams (one edit touches at most three), so counting shared trigrams filters without scanning;
* the consonant skeleton from ``phonetic.skeleton``, which catches spellings that share few
  trigrams but sound alike ("Purida" / "Bourita").

The survivors are ranked at C speed (rapidfuzz) on ``phonetic.confusion_folded`` spellings, and only
the best few go on to the weighted edit distance in ``phonetic.similarity``.
"""

from __future__ import annotations

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .phonetic import confusion_folded, skeleton

MIN_SKELETON = 3  # shorter skeletons ("st") match far too much to be a useful key
MAX_BUCKET = 2000  # a skeleton shared by more tokens than this proposes nothing
MAX_EDITS = 3  # trigram filter: edits a candidate may be away from the query
MAX_PROPOSED = 400  # most-overlapping proposals kept before ranking


def trigrams(word: str) -> list[str]:
    padded = f"$${word}$"
    return sorted({padded[i : i + 3] for i in range(len(padded) - 2)})


class TokenIndex:
    """Inverted indexes over the distinct folded tokens of a gazetteer."""

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.folded_forms = [confusion_folded(t) for t in tokens]
        gram_ids: dict[str, int] = {}
        pairs_gram: list[int] = []
        pairs_tok: list[int] = []
        self.skeletons: dict[str, list[int]] = {}
        for tid, tok in enumerate(tokens):
            for gram in trigrams(tok):
                gid = gram_ids.setdefault(gram, len(gram_ids))
                pairs_gram.append(gid)
                pairs_tok.append(tid)
            key = skeleton(tok)
            if len(key) >= MIN_SKELETON:
                self.skeletons.setdefault(key, []).append(tid)
        self.gram_ids = gram_ids
        grams = np.asarray(pairs_gram, dtype=np.int32)
        toks = np.asarray(pairs_tok, dtype=np.int32)
        order = np.argsort(grams, kind="stable")
        self.postings = toks[order]
        self.indptr = np.zeros(len(gram_ids) + 1, dtype=np.int64)
        np.cumsum(np.bincount(grams, minlength=len(gram_ids)), out=self.indptr[1:])

    def _trigram_proposals(self, word: str) -> np.ndarray:
        grams = trigrams(word)
        gids = [self.gram_ids[g] for g in grams if g in self.gram_ids]
        if not gids:
            return np.empty(0, dtype=np.int32)
        hits = np.concatenate([self.postings[self.indptr[g] : self.indptr[g + 1]] for g in gids])
        ids, counts = np.unique(hits, return_counts=True)
        need = max(1, len(grams) - 3 * MAX_EDITS)
        keep = counts >= need
        ids, counts = ids[keep], counts[keep]
        if len(ids) > MAX_PROPOSED:
            top = np.argpartition(-counts, MAX_PROPOSED)[:MAX_PROPOSED]
            ids = ids[top]
        return ids

    def candidates(self, word: str, limit: int = 16, min_similarity: float = 0.5) -> list[str]:
        """Gazetteer tokens plausibly misspelt as ``word`` (folded), best first."""
        proposed = set(self._trigram_proposals(word).tolist())
        key = skeleton(word)
        if len(key) >= MIN_SKELETON:
            bucket = self.skeletons.get(key, ())
            if len(bucket) <= MAX_BUCKET:
                proposed.update(bucket)
        if not proposed:
            return []
        span = max(3, len(word) // 2)
        choices = {tid: self.folded_forms[tid] for tid in proposed if abs(len(self.tokens[tid]) - len(word)) <= span}
        ranked = process.extract(
            confusion_folded(word), choices, scorer=Levenshtein.normalized_similarity,
            limit=limit, score_cutoff=min_similarity,
        )
        return [self.tokens[tid] for _, _, tid in ranked]
