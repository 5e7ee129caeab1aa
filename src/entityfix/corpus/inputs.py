"""What a corpus run reads: the command line's paths become documents (``plan``, in the driver),
and a worker turns the documents of its task back into text (``load``).

Three kinds of input:

* a **file** of text (named, or found by walking a folder the way ``entityfix check`` does:
  ``expand``): one document, read with ``text.document.read`` (BOM, encoding, binary refused);
* a **JSONL** file (``.jsonl``): one JSON object per line, one document per non-blank line, its text
  in ``text_field``, its id in ``id_field`` or else its line number (1-based);
* a **Parquet** file (``.parquet``, read with pyarrow): one document per row, the same fields, its
  id in ``id_field`` or else its row number (0-based, as ``table[i]`` counts).

The driver only finds documents and their sizes (a JSONL file's line offsets, a Parquet file's
row-group metadata); it never holds the corpus's text, and the workers read it from the same paths
(absolute, so a worker on another host finds them on shared storage).  Each document carries the
stamp (size, modification time) of the file it comes from: a rerun skips a document whose stamp is
the one its recorded result was made from, and a worker refuses to read records at offsets planned
on a file that has changed since.

A folder walk takes ``*.jsonl`` and ``*.parquet`` files as well as the settings' include globs: a
corpus is often a folder of shards.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterable, Iterator

from entityfix.errors import EntityfixError
from entityfix.text.document import Document, read
from entityfix.text.walk import folder_files

FILE, JSONL, PARQUET, ERROR = "file", "jsonl", "parquet", "error"
RECORD_GLOBS = ("*.jsonl", "*.parquet")  # walked in folders too, beside the settings' include globs


@dataclass(frozen=True, slots=True)
class Item:
    """One document to check (or an input that could not even be planned: ``kind == ERROR``)."""

    index: int  # position in input order: results are reported and written in this order
    kind: str  # FILE, JSONL, PARQUET or ERROR
    path: str  # absolute path, as the workers read it
    shown: str  # the path as the user named it (or the walk found it), for reports
    real: str = ""  # the real path: with ``record``, the key of its recorded result
    record: int | None = None  # JSONL line number (1-based), Parquet row (0-based); None for a file
    offset: int = 0  # JSONL: byte offset of the line
    length: int = 0  # JSONL: byte length of the line
    size: int = 0  # bytes (a Parquet row: its row group's average), to group documents into tasks
    stamp: tuple[int, int] = (0, 0)  # (size, mtime_ns) of the file when planned
    error: str = ""  # ERROR: the one-line message

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.real, self.record)



@dataclass(frozen=True)
class Loaded:
    """A document read by a worker: its text, its id and the stamp of the bytes read."""

    item: Item
    text: str
    id: str | int | float | bool | None
    stamp: tuple[int, int]
    document: Document | None = None  # a file's Document (``fix`` writes it back)


# --- the driver: which documents ------------------------------------------------------------------


def expand(args: list[str], include: tuple[str, ...], exclude: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """Paths named -> (file, None) in a stable order, or (arg, error) for one that cannot be walked.

    The command line's rules (``text/walk.py``, shared with ``cli/paths.collect``): a file named is
    always taken, a folder is walked for files matching ``include`` and not ``exclude``, and a file
    reached twice is taken once.
    """
    out: list[tuple[str, str | None]] = []
    seen: set[str] = set()
    for arg in args:
        if arg == "-":
            out.append((arg, "standard input cannot be read by the corpus engine; name files or folders"))
            continue
        path = Path(arg)
        if path.is_dir():
            try:
                found = folder_files(path, include, exclude)
            except EntityfixError as exc:
                out.append((arg, exc.message))
                continue
        else:
            found = [path]  # a missing file is reported when read, one line
        for file in found:
            key = os.path.realpath(file)
            if key not in seen:
                seen.add(key)
                out.append((str(file), None))
    return out


def kind_of(path: str) -> str:
    lower = path.lower()
    return JSONL if lower.endswith(".jsonl") else PARQUET if lower.endswith(".parquet") else FILE


def plan(
    args: list[str], include: tuple[str, ...], exclude: tuple[str, ...], text_field: str = "text", id_field: str | None = None,
    records: bool = True,
) -> Iterator[Item]:
    """Every document the paths name, in input order; an input that cannot be planned (a missing
    JSONL file, a Parquet file without the text column, a record file given to ``fix``:
    ``records=False``) is one ERROR item in its place.  A plain file is not opened here (a missing
    or binary one is found by the worker that reads it)."""
    index = 0
    for name, problem in expand(args, include + RECORD_GLOBS, exclude):
        kind = kind_of(name) if problem is None else ERROR
        try:
            if problem is not None:
                raise EntityfixError(problem, name)
            if kind != FILE and not records:
                raise EntityfixError("fix rewrites files; the records of a JSONL or Parquet file are checked only (use check)", name)
            found = _file(name) if kind == FILE else _jsonl(name) if kind == JSONL else _parquet(name, text_field, id_field)
            for item in found:
                yield _at(item, index)
                index += 1
        except EntityfixError as exc:
            yield Item(index, ERROR, os.path.abspath(name), name, error=str(exc))
            index += 1


def _at(item: Item, index: int) -> Item:
    return replace(item, index=index)


def _stat(name: str) -> tuple[int, int]:
    try:
        st = os.stat(name)
    except FileNotFoundError:
        raise EntityfixError("no such file", name) from None
    except OSError as exc:
        raise EntityfixError(exc.strerror or str(exc), name) from None
    return (st.st_size, st.st_mtime_ns)


def _file(name: str) -> Iterator[Item]:
    try:
        stamp = _stat(name)
    except EntityfixError:
        stamp = (0, 0)  # the worker's read reports it, with the same message as the command line
    yield Item(0, FILE, os.path.abspath(name), name, os.path.realpath(name), None, 0, 0, stamp[0], stamp)


def _jsonl(name: str) -> Iterator[Item]:
    stamp = _stat(name)
    path, real = os.path.abspath(name), os.path.realpath(name)
    try:
        with open(name, "rb") as handle:
            offset = 0
            for number, line in enumerate(handle, 1):
                if line.strip():
                    yield Item(0, JSONL, path, name, real, number, offset, len(line), len(line), stamp)
                offset += len(line)
    except OSError as exc:
        raise EntityfixError(exc.strerror or str(exc), name) from None


def _parquet(name: str, text_field: str, id_field: str | None) -> Iterator[Item]:
    stamp = _stat(name)
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise EntityfixError('reading Parquet needs pyarrow: pip install "entityfix[dask]"', name) from None
    try:
        meta = pq.ParquetFile(name).metadata
    except Exception as exc:  # pyarrow's errors (ArrowInvalid, OSError) for a file that is not Parquet
        raise EntityfixError(f"not a Parquet file ({exc})", name) from None
    columns = set(meta.schema.to_arrow_schema().names)
    for field in (text_field, id_field):
        if field is not None and field not in columns:
            raise EntityfixError(f"no column {field!r} (columns: {', '.join(sorted(columns))})", name)
    path, real = os.path.abspath(name), os.path.realpath(name)
    row = 0
    for group in range(meta.num_row_groups):
        rg = meta.row_group(group)
        size = max(1, rg.total_byte_size // max(1, rg.num_rows))
        for _ in range(rg.num_rows):
            yield Item(0, PARQUET, path, name, real, row, 0, 0, size, stamp)
            row += 1


def named(item: Item, message: str, line: int | None = None) -> str:
    """``path[:line]: message`` with the path as the user named it; a record is named by its line
    (JSONL) or its row (Parquet)."""
    if item.kind == JSONL:
        line = item.record
    elif item.kind == PARQUET:
        message = f"row {item.record}: {message}"
    return str(EntityfixError(message, item.shown, line))


# --- a worker: the texts of a task's documents ---------------------------------------------------------


def load(items: Iterable[Item], text_field: str, id_field: str | None, encoding: str | None, max_bytes: int) -> Iterator[Loaded | EntityfixError]:
    """Each item's text (or the one-line error that stops it), in the items' order.

    A JSONL or Parquet file is opened once per task; an error naming the file (it changed since
    the run was planned, it cannot be read) stops each of its documents in this task."""
    items = list(items)
    parquet_tables: dict[str, object] = {}
    jsonl_handles: dict[str, object] = {}
    try:
        for item in items:
            try:
                if item.kind == FILE:
                    yield _read_file(item, encoding, max_bytes)
                elif item.kind == JSONL:
                    yield _read_jsonl(item, jsonl_handles, text_field, id_field)
                elif item.kind == PARQUET:
                    yield _read_parquet(item, parquet_tables, text_field, id_field)
                else:
                    yield EntityfixError(item.error)
            except EntityfixError as exc:
                yield exc
    finally:
        for handle in jsonl_handles.values():
            if not isinstance(handle, EntityfixError):
                handle.close()


def _read_file(item: Item, encoding: str | None, max_bytes: int) -> Loaded:
    try:
        doc = read(Path(item.path), encoding, max_bytes)
    except EntityfixError as exc:
        raise EntityfixError(exc.message, item.shown, exc.line) from None  # the path as the user named it
    return Loaded(item, doc.text, item.shown, (doc.raw_size, doc.mtime_ns), doc)


def _unchanged(item: Item, st: os.stat_result) -> None:
    if (st.st_size, st.st_mtime_ns) != tuple(item.stamp):
        raise EntityfixError("changed since the run started; not read (run again)", item.shown)


def _read_jsonl(item: Item, handles: dict, text_field: str, id_field: str | None) -> Loaded:
    handle = handles.get(item.path)
    if handle is None:
        try:
            handle = open(item.path, "rb")
            _unchanged(item, os.fstat(handle.fileno()))
        except OSError as exc:
            handle = EntityfixError(exc.strerror or str(exc), item.shown)
        except EntityfixError as exc:
            handle = exc
        handles[item.path] = handle
    if isinstance(handle, EntityfixError):
        raise handle
    handle.seek(item.offset)
    raw = handle.read(item.length)
    if item.offset == 0 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]  # a UTF-8 byte-order mark before the first record
    try:
        obj = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise EntityfixError(f"not a JSON object ({exc})", item.shown, item.record) from None
    if not isinstance(obj, dict):
        raise EntityfixError("not a JSON object", item.shown, item.record)
    text = obj.get(text_field)
    if not isinstance(text, str):
        problem = f"no {text_field!r} field" if text is None else f"{text_field!r} is not a string"
        raise EntityfixError(problem, item.shown, item.record)
    ident = item.record
    if id_field is not None:
        if id_field not in obj:
            raise EntityfixError(f"no {id_field!r} field", item.shown, item.record)
        ident = _plain(obj[id_field])
    return Loaded(item, text, ident, tuple(item.stamp))


def _read_parquet(item: Item, tables: dict, text_field: str, id_field: str | None) -> Loaded:
    """One row; the row groups a task needs are read once, only the text and id columns."""
    file = tables.get(item.path)
    if file is None:
        try:
            import pyarrow.parquet as pq

            _unchanged(item, os.stat(item.path))
            handle = pq.ParquetFile(item.path)
            meta = handle.metadata
            starts, row = [], 0
            for g in range(meta.num_row_groups):
                starts.append(row)
                row += meta.row_group(g).num_rows
            file = {"handle": handle, "starts": starts, "groups": {}}
        except EntityfixError as exc:
            file = exc
        except Exception as exc:
            file = EntityfixError(f"cannot read it as Parquet ({exc})", item.shown)
        tables[item.path] = file
    if isinstance(file, EntityfixError):
        raise file
    from bisect import bisect_right

    group = bisect_right(file["starts"], item.record) - 1
    if group not in file["groups"]:
        file["groups"].clear()  # a task's rows are consecutive: one row group in memory at a time
        columns = [text_field] + ([id_field] if id_field is not None and id_field != text_field else [])
        table = file["handle"].read_row_group(group, columns=columns)
        file["groups"][group] = {c: table.column(c).to_pylist() for c in columns}
    data = file["groups"][group]
    at = item.record - file["starts"][group]
    text = data[text_field][at]
    if not isinstance(text, str):
        raise EntityfixError(f"row {item.record}: {text_field!r} is {'null' if text is None else 'not a string'}", item.shown)
    ident = item.record if id_field is None else _plain(data[id_field][at])
    return Loaded(item, text, ident, tuple(item.stamp))


def _plain(value):
    """An id as JSON can carry it: str, int, float, bool or None as they are, anything else as text."""
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)
