"""Which files a command line names: files as given, folders walked for text files.

* A file named on the command line is always checked (whatever its suffix).
  A symlink named explicitly is followed, and ``fix`` writes through it to its
  target (the link itself stays a link).
* A folder is walked for files matching the ``include`` globs (``*.txt``,
  ``*.md`` ... by default) and not matching ``exclude``.  Inside a git work tree
  the walk asks git for the files, so ``.gitignore`` is respected; elsewhere
  hidden folders are skipped.  Symlinks met during a walk are not followed.
* The same file named twice (or reached twice) is checked once.
"""

from __future__ import annotations

import fnmatch
import os
import subprocess
from pathlib import Path

from entityfix.errors import EntityfixError


def _matches(rel: str, patterns: tuple[str, ...]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(name, p) or fnmatch.fnmatch(rel, p) for p in patterns)


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
    out = []
    for raw in listed.stdout.split(b"\0"):
        if raw:
            path = folder / os.fsdecode(raw)
            if path.is_file() and not path.is_symlink():
                out.append(path)
    return out


def _walk(folder: Path) -> list[Path]:
    out = []
    for root, dirs, files in os.walk(folder, onerror=_raise_walk_error):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(root) / d).is_symlink())
        for name in sorted(files):
            path = Path(root) / name
            if not path.is_symlink():
                out.append(path)
    return out


def _raise_walk_error(exc: OSError) -> None:
    raise EntityfixError(exc.strerror or str(exc), exc.filename)


def collect(args: list[str], include: tuple[str, ...], exclude: tuple[str, ...]) -> list[Path | str]:
    """Expand command-line paths into files (``"-"`` stays as standard input), in a stable order."""
    out: list[Path | str] = []
    seen: set[str] = set()

    def add(path: Path) -> None:
        key = os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            out.append(path)

    for arg in args:
        if arg == "-":
            if "-" not in seen:
                seen.add("-")
                out.append("-")
            continue
        path = Path(arg)
        if path.is_dir():
            if not os.access(path, os.R_OK | os.X_OK):
                raise EntityfixError("permission denied (cannot list folder)", arg)
            files = _git_files(path)
            if files is None:
                files = _walk(path)
            for file in sorted(files):
                rel = file.relative_to(path).as_posix()
                if _matches(rel, include) and not _matches(rel, exclude):
                    add(file)
        else:
            add(path)  # missing files are reported when read, one line each
    return out
