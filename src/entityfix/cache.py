"""The on-disk cache of compiled gazetteers, keyed by the gazetteer files' content.

Parsing and compiling a million names takes tens of seconds; loading the compiled arrays takes
well under one.  Each gazetteer file is compiled on its own into a *part*, named by a SHA-256 over
the part layout's version, the file's suffix (it decides how the file is read) and the SHA-256 of
its bytes: the same list at any path, loaded with any other lists, is compiled once.  The parts a
run loads are combined (cheap: numpy, no parsing) and the combination is cached too, named by a
SHA-256 over the layout's version and, for every gazetteer file in order, its path and the SHA-256
of its bytes, so a warm run reads one file.  Edit a list and the next run compiles that list
alone, with no stale state to invalidate.

Where: ``$ENTITYFIX_CACHE_DIR``, else ``$XDG_CACHE_HOME/entityfix``, else ``~/.cache/entityfix``;
``ENTITYFIX_CACHE_DIR=off`` turns caching off.  The cache is an optimisation only: a folder that
cannot be written, a damaged or foreign file, all mean "compile in memory", never an error.
Files are written to a temporary name and renamed, so a killed run never leaves half a cache file,
and arrays are read with ``allow_pickle=False``: a cache file can hold numbers only.

What is kept: the ``KEEP`` most recently used combinations and ``KEEP_PARTS`` most recently used
parts (a use sets a file's access time, ``used``); the files the current run uses are never removed.
So trying out list after list evicts old combinations, which are rebuilt from their parts in a
fraction of a second, and never the part of a big list in use (the shipped places).

Cache files built from installed data (the real-name prior, the word table, the exonyms) are named
after the installing package's version, read here (``package_version``) without importing
``importlib.metadata``, which alone costs a twentieth of a second of every cold start.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import time
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

LAYOUT_VERSION = "entityfix-gazetteer-arrays-5"  # 5: combined from parts compiled file by file
PART_VERSION = "entityfix-gazetteer-part-1"
KEEP = 8  # combinations kept; the least recently used are removed when a new file is written
KEEP_PARTS = 64  # compiled files kept (a small list's part is a few kilobytes)
FAMILIES = {"gazetteer-": KEEP, "part-": KEEP_PARTS}


def folder() -> Path | None:
    configured = os.environ.get("ENTITYFIX_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in {"", "off", "0", "false", "no"} else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "entityfix"


def content_digest(file: Path) -> str | None:
    """SHA-256 of the file's bytes (None: unreadable; the loader reports the problem with the file)."""
    try:
        return hashlib.sha256(file.read_bytes()).hexdigest()
    except OSError:
        return None


def path_for(files: list[Path], digests: list[str | None] | None = None) -> Path | None:
    """The cache file for exactly these gazetteer files with exactly this content (None: no cache).

    ``digests``: the files' ``content_digest``, where already worked out.
    """
    where = folder()
    if where is None:
        return None
    digest = hashlib.sha256(LAYOUT_VERSION.encode())
    for n, file in enumerate(files):
        content = digests[n] if digests is not None else content_digest(file)
        if content is None:
            return None
        digest.update(f"\0{file.resolve()}\0{os.fspath(file)}\0{content}".encode("utf-8", "surrogateescape"))
    return where / f"gazetteer-{digest.hexdigest()[:32]}.npz"


def part_path(file: Path, content: str) -> Path | None:
    """The cache file for one gazetteer file compiled alone, by its content (None: no cache)."""
    where = folder()
    if where is None:
        return None
    digest = hashlib.sha256(f"{PART_VERSION}\0{file.suffix.lower()}\0{content}".encode())
    return where / f"part-{digest.hexdigest()[:32]}.npz"


def read(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None


def write(path: Path, arrays: dict[str, np.ndarray], keep: Iterable[Path | None] = ()) -> None:
    """Save ``arrays`` as ``path`` whole (or not at all), then prune; ``keep``: files in use, never pruned."""
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
        _prune(path.parent, {path, *(p for p in keep if p is not None)})
    except OSError:
        pass  # no cache this time; the compiled gazetteer is still in memory


def used(paths: Iterable[Path]) -> None:
    """Mark cache files as just used (their access time; the modification time stays the write's)."""
    for path in paths:
        try:
            os.utime(path, ns=(time.time_ns(), path.stat().st_mtime_ns))
        except OSError:
            pass


def _last_use(path: Path) -> float:
    st = path.stat()
    return max(st.st_atime, st.st_mtime)


def _prune(where: Path, keep: set[Path]) -> None:
    for family, limit in FAMILIES.items():
        files = []
        for p in where.glob(f"{family}*.npz"):
            try:
                files.append((_last_use(p), p))
            except OSError:
                pass  # removed meanwhile by another run
        files.sort(key=lambda item: item[0], reverse=True)
        for _, old in files[limit:]:
            if old in keep:
                continue
            try:
                old.unlink()
            except OSError:
                pass


# ------------------------------------------------------------ the versions cache files are named after


def package_folder(name: str) -> Path | None:
    import importlib.util

    spec = importlib.util.find_spec(name)
    return Path(spec.origin).parent if spec and spec.origin else None


def package_version(name: str) -> str | None:
    """An installed distribution's version, as ``importlib.metadata.version`` gives it (None: not installed).

    Read from the ``Version:`` line of the ``<name>-<version>.dist-info/METADATA`` beside the
    package's folder: importing ``importlib.metadata`` costs ~20 ms of a cold start, and this ~0.2 ms.
    Anything less plain (no such folder, or two of them, an egg, an editable install) is left to
    ``importlib.metadata``, so the version strings, and the cache files named after them, are the same.
    """
    folder = package_folder(name)
    if folder is not None:
        wanted = _normalized(name)
        try:
            found = [
                entry.path for entry in os.scandir(folder.parent)
                if entry.name.endswith(".dist-info") and _normalized(entry.name[: -len(".dist-info")].partition("-")[0]) == wanted
            ]
            if len(found) == 1:
                with open(os.path.join(found[0], "METADATA"), encoding="utf-8") as handle:
                    for line in handle:
                        if line.startswith("Version:"):
                            return line[len("Version:") :].lstrip(" \t").rstrip("\r\n")  # as email.parser reads it
                        if not line.strip():
                            break  # the end of the headers
        except (OSError, UnicodeDecodeError):
            pass
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


def _normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them: case, and runs of - _ . alike."""
    return re.sub(r"[-_.]+", "-", name).lower()
