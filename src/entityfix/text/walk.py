"""Which files a folder holds for checking: the one walk the command line and the corpus engine share.

Inside a git work tree git lists the files (so ``.gitignore`` counts: ``ls-files --cached --others
--exclude-standard``); elsewhere the folder is walked, hidden folders skipped.  Symlinks met on
the way are not followed either way.  A file is kept when its path relative to the folder (or its
name) matches an ``include`` glob and no ``exclude`` glob.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from pathlib import Path
from typing import Iterable

from entityfix.errors import EntityfixError


def matches(rel: str, patterns: Iterable[str]) -> bool:
    """Does a relative path (or its last part) match one of the globs?"""
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


def folder_files(folder: Path, include: Iterable[str], exclude: Iterable[str]) -> list[Path]:
    """The files of ``folder`` to check, sorted; an unreadable folder is an ``EntityfixError``
    naming it."""
    if not os.access(folder, os.R_OK | os.X_OK):
        raise EntityfixError("permission denied (cannot list folder)", str(folder))
    include, exclude = tuple(include), tuple(exclude)
    files = _git_files(folder)
    if files is None:
        files = _walk(folder)
    out = []
    for file in sorted(files):
        rel = file.relative_to(folder).as_posix()
        if matches(rel, include) and not matches(rel, exclude):
            out.append(file)
    return out


def _git_files(folder: Path) -> list[Path] | None:
    try:
        inside = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "--is-inside-work-tree"], capture_output=True, text=True, timeout=30
        )
        if inside.returncode != 0 or inside.stdout.strip() != "true":
            return None
        listed = subprocess.run(
            ["git", "-C", str(folder), "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
            capture_output=True, timeout=120,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if listed.returncode != 0:
        return None
    paths = (folder / os.fsdecode(raw) for raw in listed.stdout.split(b"\0") if raw)
    return [p for p in paths if p.is_file() and not p.is_symlink()]


def _walk(folder: Path) -> list[Path]:
    out = []
    for root, dirs, files in os.walk(folder, onerror=_raise_walk_error):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(root) / d).is_symlink())
        out.extend(Path(root) / name for name in sorted(files) if not (Path(root) / name).is_symlink())
    return out


def _raise_walk_error(exc: OSError) -> None:
    raise EntityfixError(exc.strerror or str(exc), exc.filename)
