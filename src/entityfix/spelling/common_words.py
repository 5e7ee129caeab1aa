"""How common an English word is (wordfreq's Zipf scale), without importing wordfreq on every run.

"A common English word is probably meant" is evidence against fixing a token (resolve.py), but
importing wordfreq and loading its English list took about half a second: a third of what a
pre-commit hook adds to loading the spaCy model, paid on every commit.  Only words above
``COMMON_FLOOR`` ever change a decision, so those (about 50,000 plain lower-case ASCII words) are
written once, by wordfreq itself, into a small table in the cache folder (see ``cache.py``), named
after wordfreq's version, and read from there (a few milliseconds) on later runs.

* A plain lower-case ASCII word, or a number of up to four digits ("21", "1996"), gets its exact
  Zipf value from the table if it is above the floor, and 0.0 if it is not in the table (its real
  value is at or below the floor);
* anything else (accents, apostrophes, hyphens, letters with digits) is asked of wordfreq itself;
* with no usable cache folder, or a damaged table that cannot be rewritten, wordfreq answers
  everything, as it always did.
"""

from __future__ import annotations

import os
import zipfile
from functools import lru_cache
from pathlib import Path

import numpy as np

from entityfix import cache

COMMON_FLOOR = 2.5  # Zipf values at or below this never count as common (resolve.py's thresholds are above)
TABLE_VERSION = "2"
MAX_DIGITS = 4  # numbers the table covers: "0" .. "9999" (wordfreq rates them by its own digit model)


def _in_table_domain(word: str) -> bool:
    return word.isascii() and (word.isalpha() or (word.isdigit() and len(word) <= MAX_DIGITS))


@lru_cache(maxsize=32_768)
def zipf(word: str) -> float:
    """Zipf frequency of a lower-case English word: exact above ``COMMON_FLOOR``, at most the floor below it."""
    table = _table()
    if table is not None and _in_table_domain(word):
        return table.get(word, 0.0)
    return _wordfreq_zipf(word)


def _wordfreq_zipf(word: str) -> float:
    from wordfreq import zipf_frequency

    return zipf_frequency(word, "en")


def table_path() -> Path | None:
    """Where the table for the installed wordfreq lives (None: caching is off)."""
    where = cache.folder()
    if where is None:
        return None
    from entityfix.cache import package_version  # not importlib.metadata: ~20 ms of a cold start

    release = package_version("wordfreq")
    if release is None:
        return None
    return where / f"common-words-en-{release}-{TABLE_VERSION}.npz"


@lru_cache(maxsize=1)
def _table() -> dict[str, float] | None:
    path = table_path()
    if path is None:
        return None
    table = _read(path)
    if table is not None:
        return table
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(path.parent, os.W_OK):
        return None  # building it on every run would cost more than asking wordfreq
    table = _build()
    words = "\n".join(table).encode("ascii")
    cache.write(path, {"words": np.frombuffer(words, dtype=np.uint8), "zipf": np.array(list(table.values()), dtype=np.float64)})
    return table


def _read(path: Path) -> dict[str, float] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            words = data["words"].tobytes().decode("ascii").split("\n")
            values = data["zipf"].tolist()
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    return dict(zip(words, values)) if len(words) == len(values) else None


def _build() -> dict[str, float]:
    """Every word of the table's domain wordfreq rates above the floor, with wordfreq's own value."""
    from wordfreq import get_frequency_dict, zipf_frequency

    # zipf = log10(frequency) + 9, rounded: half the floor's frequency leaves room for the rounding
    least = 10 ** (COMMON_FLOOR - 9) / 2
    numbers = (f"{n:0{width}d}" for width in range(1, MAX_DIGITS + 1) for n in range(10**width))
    listed = (w for w, freq in get_frequency_dict("en", "best").items() if freq >= least and w == w.lower())
    words = dict.fromkeys(w for w in (*numbers, *listed) if _in_table_domain(w))
    table = {}
    for word in words:
        value = zipf_frequency(word, "en")
        if value > COMMON_FLOOR:
            table[word] = value
    return table
