"""Which source text each checked file translates: ``--source``, ``--source-dir``, ``sources``.

* ``--source SRC``: one source for every file named (the usual case is one target).
* ``--source-dir DIR`` (or ``sources = "DIR"`` in the config): each file is paired with the file
  of the same name in DIR, else with the one whose name has the same stem before its first dot
  ("report.txt" with "report.fr.txt" or "report.md").  A file with no source in DIR is checked
  without one, and the run says so once per file on standard error.

A source that cannot be read (missing, binary, wrong encoding, too big) is an error naming it,
raised before anything is checked or written.
"""

from __future__ import annotations

from pathlib import Path

from entityfix.cli.runner import SourceText
from entityfix.errors import EntityfixError
from entityfix.text.document import read


def read_source(path: Path, encoding: str | None, max_bytes: int) -> SourceText:
    if not path.exists():
        raise EntityfixError("source text not found", str(path))
    if path.is_dir():
        raise EntityfixError("source text is a folder (use --source-dir for a folder of sources)", str(path))
    return SourceText(str(path), read(path, encoding, max_bytes).text)


def paired(target: str, folder: Path) -> Path | None:
    """The file of ``folder`` that ``target`` translates, if any (see the module docstring)."""
    if target == "-":
        return None
    name = Path(target).name
    if (folder / name).is_file():
        return folder / name
    stem = name.split(".", 1)[0]
    matches = sorted(p for p in folder.iterdir() if p.is_file() and p.name.split(".", 1)[0] == stem)
    return matches[0] if len(matches) == 1 else None


def sources_for(targets: list[str], source: Path | None, folder: Path | None, encoding: str | None, max_bytes: int, warn) -> list[SourceText | None]:
    """The source of each target, in order (None: checked without one)."""
    if source is not None:
        text = read_source(source, encoding, max_bytes)
        return [text] * len(targets)
    if folder is None:
        return [None] * len(targets)
    if not folder.is_dir():
        raise EntityfixError("source folder not found", str(folder))
    out: list[SourceText | None] = []
    read_already: dict[Path, SourceText] = {}
    for target in targets:
        match = paired(target, folder)
        if match is None:
            warn(f"{target}: no source text in {folder}; checked without one")
            out.append(None)
            continue
        if match not in read_already:
            read_already[match] = read_source(match, encoding, max_bytes)
        out.append(read_already[match])
    return out
