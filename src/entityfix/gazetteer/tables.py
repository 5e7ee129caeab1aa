"""Flat, saveable lookup tables: a string table and a string-keyed hash index, both plain numpy arrays.

Why not Python dicts and lists: a million names held as Python objects took 2.3 GiB and a minute
to build, and could only be cached with pickle (slow to load, unsafe to read from a shared cache
folder).  These two tables hold the same information in a few flat arrays that ``numpy.savez``
writes and ``numpy.load`` reads back in milliseconds, without pickle.

Keys are 64-bit keyed blake2b hashes of the UTF-8 string (Python's own ``hash`` changes from one
process to the next, so it cannot be saved).  Two different keys share a hash with probability
about n²/2⁶⁵: for ten million keys, about one in 400,000 gazetteers.  Callers that turn a lookup
into a change verify the hit against the stored strings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from hashlib import blake2b

import numpy as np

_PERSON = b"entityfix-key-v1"
EMPTY = np.empty(0, dtype=np.int32)


def stable_hash(text: str) -> int:
    """The same 64-bit number for the same string in every process and on every machine."""
    return int.from_bytes(blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8, person=_PERSON).digest(), "little")


def hash_array(texts: Iterable[str]) -> np.ndarray:
    return np.fromiter((stable_hash(t) for t in texts), dtype=np.uint64)


SEPARATOR = "\0"  # between items in the buffer, so the whole table can be split at C speed


class Strings(Sequence[str]):
    """Many strings in one UTF-8 byte buffer plus offsets; item ``i`` is decoded when asked for.

    Items are stored NUL-separated (no gazetteer string may hold a NUL), which lets ``tolist``
    decode the whole table with one ``decode`` and one ``split`` when a caller needs most of it.
    """

    def __init__(self, blob: np.ndarray, offsets: np.ndarray):
        self.blob = blob
        self.offsets = offsets
        self._bytes = blob.tobytes()

    @classmethod
    def build(cls, items: Sequence[str]) -> "Strings":
        if any(SEPARATOR in s for s in items):
            raise ValueError("a string in a table holds a NUL character")
        encoded = [s.encode("utf-8", "surrogatepass") + b"\0" for s in items]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        if encoded:
            np.cumsum(np.fromiter((len(e) for e in encoded), dtype=np.int64, count=len(encoded)), out=offsets[1:])
        return cls(np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets)

    def tolist(self) -> list[str]:
        if not len(self):
            return []
        return self._bytes[:-1].decode("utf-8", "surrogatepass").split(SEPARATOR)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self._bytes[self.offsets[i] : self.offsets[i + 1] - 1].decode("utf-8", "surrogatepass")

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.blob": self.blob, f"{prefix}.offsets": self.offsets}

    @classmethod
    def concat(cls, tables: Sequence["Strings"]) -> "Strings":
        """One table holding every table's items, in order (item ``j`` of table ``i`` moves up by
        the lengths of the tables before it); no decoding."""
        if len(tables) <= 1:
            return tables[0] if tables else cls.build([])
        starts = np.cumsum([0] + [len(t.blob) for t in tables])
        offsets = np.concatenate([t.offsets[:-1] + start for t, start in zip(tables, starts)] + [starts[-1:]])
        return cls(np.concatenate([t.blob for t in tables]).astype(np.uint8, copy=False), offsets.astype(np.int64))

    def take(self, items: np.ndarray) -> "Strings":
        """A table of the items at these positions, in this order, gathered byte by byte at C speed."""
        items = np.asarray(items, dtype=np.int64)
        begins = self.offsets[items]
        lengths = self.offsets[items + 1] - begins
        offsets = csr(lengths)
        gather = np.repeat(begins - offsets[:-1], lengths) + np.arange(offsets[-1], dtype=np.int64)
        return Strings(self.blob[gather], offsets)

    @classmethod
    def from_arrays(cls, data, prefix: str) -> "Strings":
        return cls(data[f"{prefix}.blob"], data[f"{prefix}.offsets"])


class HashIndex:
    """String -> array of ints, as sorted key hashes plus CSR postings (values in insertion order)."""

    def __init__(self, keys: np.ndarray, indptr: np.ndarray, values: np.ndarray):
        self.keys = keys
        self.indptr = indptr
        self.values = values

    @classmethod
    def build(cls, hashes: np.ndarray, values: np.ndarray) -> "HashIndex":
        order = np.argsort(hashes, kind="stable")
        hashes, values = hashes[order], values[order]
        starts = np.flatnonzero(np.append(True, hashes[1:] != hashes[:-1])) if len(hashes) else np.empty(0, np.int64)
        indptr = np.append(starts, len(hashes)).astype(np.int64)
        return cls(hashes[starts], indptr, values)

    def __len__(self) -> int:
        return len(self.keys)

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (key hash, value) the index was built from, by hash, each key's values in their order."""
        return np.repeat(self.keys, np.diff(self.indptr)), self.values

    def slot(self, text: str) -> int:
        """Position of ``text``'s hash in ``keys``, or -1."""
        if not len(self.keys):
            return -1
        h = np.uint64(stable_hash(text))
        i = int(np.searchsorted(self.keys, h))
        return i if i < len(self.keys) and self.keys[i] == h else -1

    def get(self, text: str) -> np.ndarray:
        i = self.slot(text)
        return self.values[self.indptr[i] : self.indptr[i + 1]] if i >= 0 else EMPTY

    def posting_length(self, text: str) -> int:
        i = self.slot(text)
        return int(self.indptr[i + 1] - self.indptr[i]) if i >= 0 else 0

    def __contains__(self, text: str) -> bool:
        return self.slot(text) >= 0

    def arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {f"{prefix}.keys": self.keys, f"{prefix}.indptr": self.indptr, f"{prefix}.values": self.values}

    @classmethod
    def from_arrays(cls, data, prefix: str) -> "HashIndex":
        return cls(data[f"{prefix}.keys"], data[f"{prefix}.indptr"], data[f"{prefix}.values"])


def csr(lengths: Sequence[int] | np.ndarray) -> np.ndarray:
    """Row pointers for rows of the given lengths."""
    ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(np.asarray(lengths, dtype=np.int64), out=ptr[1:])
    return ptr
