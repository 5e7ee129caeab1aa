"""Candidate lookup: which gazetteer tokens could a misspelt token be?

The resolver never scans the whole gazetteer.  Every distinct folded token of
every correct form goes into two inverted indexes:

* character trigrams of the padded token (``$$ka``, ``$ka``, ``kan`` ...), with a
  count filter: a candidate must share enough trigrams with the query;
* the consonant skeleton from ``phonetic.skeleton``, which catches spellings that
  share few trigrams but sound alike ("Purida" / "Bourita").

Both only *propose*; ``phonetic.similarity`` decides how alike they really are.
"""

from __future__ import annotations

from collections import Counter

from rapidfuzz.distance import Levenshtein

from .phonetic import skeleton

MIN_SKELETON = 3  # shorter skeletons ("st") match far too much to be a useful key
MAX_BUCKET = 2000  # a skeleton shared by more tokens than this proposes nothing


def trigrams(word: str) -> set[str]:
    padded = f"$${word}$"
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class TokenIndex:
    """Inverted indexes over the distinct folded tokens of a gazetteer."""

    def __init__(self, tokens: list[str]):
        self.tokens = tokens
        self.grams: dict[str, list[int]] = {}
        self.skeletons: dict[str, list[int]] = {}
        for tid, tok in enumerate(tokens):
            for gram in trigrams(tok):
                self.grams.setdefault(gram, []).append(tid)
            key = skeleton(tok)
            if len(key) >= MIN_SKELETON:
                self.skeletons.setdefault(key, []).append(tid)

    def candidates(self, word: str, limit: int = 40, min_similarity: float = 0.5) -> list[str]:
        """Gazetteer tokens plausibly misspelt as ``word`` (folded), best first."""
        grams = trigrams(word)
        counts: Counter[int] = Counter()
        for gram in grams:
            counts.update(self.grams.get(gram, ()))
        need = max(1, len(grams) // 4)
        proposed = {tid for tid, n in counts.items() if n >= need}
        key = skeleton(word)
        if len(key) >= MIN_SKELETON:
            bucket = self.skeletons.get(key, ())
            if len(bucket) <= MAX_BUCKET:
                proposed.update(bucket)
        scored = []
        for tid in proposed:
            tok = self.tokens[tid]
            if abs(len(tok) - len(word)) > max(3, len(word) // 2):
                continue
            sim = Levenshtein.normalized_similarity(word, tok)
            if sim >= min_similarity or skeleton(tok) == key:
                scored.append((sim, tok))
        scored.sort(key=lambda st: (-st[0], st[1]))
        return [tok for _, tok in scored[:limit]]
