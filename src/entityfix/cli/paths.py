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

import os
from pathlib import Path

from entityfix.text.walk import folder_files


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
            for file in folder_files(path, include, exclude):
                add(file)
        else:
            add(path)  # missing files are reported when read, one line each
    return out
