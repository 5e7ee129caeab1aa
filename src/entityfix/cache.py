"""The on-disk cache of compiled gazetteers, keyed by the gazetteer files' content.

Parsing and compiling a million names takes tens of seconds; loading the compiled arrays takes
well under one.  The cache file's name is a SHA-256 over the compiled layout's version and, for every
gazetteer file in order, its absolute path and the SHA-256 of its bytes: edit a file (or move it)
and the next run compiles afresh, with no stale state to invalidate.

Where: ``$ENTITYFIX_CACHE_DIR``, else ``$XDG_CACHE_HOME/entityfix``, else ``~/.cache/entityfix``;
``ENTITYFIX_CACHE_DIR=off`` turns caching off.  The cache is an optimisation only: a folder that
cannot be written, a damaged or foreign file, all mean "compile in memory", never an error.
Files are written to a temporary name and renamed, so a killed run never leaves half a cache file,
and arrays are read with ``allow_pickle=False``: a cache file can hold numbers only.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

LAYOUT_VERSION = "entityfix-gazetteer-arrays-4"  # 4: lists checked against each other (check_lists)
KEEP = 8  # compiled gazetteers kept; older ones are removed when a new one is written


def folder() -> Path | None:
    configured = os.environ.get("ENTITYFIX_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in {"", "off", "0", "false", "no"} else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "entityfix"


def path_for(files: list[Path]) -> Path | None:
    """The cache file for exactly these gazetteer files with exactly this content (None: no cache)."""
    where = folder()
    if where is None:
        return None
    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    for file in files:
        try:
            content = hashlib.sha256(file.read_bytes()).hexdigest()
        except OSError:
            return None  # the loader reports the problem with the file
        digest.update(f"\0{file.resolve()}\0{content}".encode("utf-8", "surrogateescape"))
    return where / f"gazetteer-{digest.hexdigest()[:32]}.npz"


def read(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".npz", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, **arrays)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(path.parent)
    except OSError:
        pass  # no cache this time; the compiled gazetteer is still in memory


def _prune(where: Path) -> None:
    files = sorted(where.glob("gazetteer-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        try:
            old.unlink()
        except OSError:
            pass
