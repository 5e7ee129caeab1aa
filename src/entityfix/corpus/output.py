"""The output file and the progress file beside it: results survive a crash, the output is never
half-written, and a rerun picks up where the last run stopped.

Two files, two jobs:

* ``OUTPUT.progress`` (JSONL, for entityfix) records each finished document as soon as its task
  comes back, in the order tasks finish: its key (real path, record number), its stamp (the input
  file's size and mtime, and a fingerprint of the run's settings and lists), its id and findings.
  Lines are appended whole, flushed and fsynced per task, so a crash loses at most the tasks still
  running; a line cut short by a crash is cut off when the file is opened again.  A rerun skips the
  documents recorded with the stamp they have now: an unchanged input checked with the same
  settings is not checked again, a changed one is.  The file is locked while a run uses it (two runs
  on one output would interleave), and stays after the run, rewritten with exactly the run's
  documents: the next run is incremental.  Delete it to check everything again.
* ``OUTPUT`` (``.jsonl``, or ``.parquet``) is written once, at the end, in input order, to a
  temporary file beside it that is fsynced and renamed over it: a reader sees the old output or the
  new one, never half of one.  A JSONL line is ``{"id": ..., "path": ..., "findings": [...]}``
  with the JSON report's finding fields; Parquet has the same columns (``id`` as a string).
  An input that could not be read has no line; it is reported as an error and checked again
  by the next run.

Appending results to the output itself in input order would have needed results held back until
every earlier task finished (a slow task early in the corpus holds everything after it), and a
crash would leave a half-finished output where a reader may take it for a whole one.

The driver keeps the finished documents' findings in memory until the output is written (a few
hundred bytes per document): a run of tens of millions of documents wants splitting.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: no lock, the rest works
    fcntl = None  # type: ignore[assignment]

from entityfix.errors import EntityfixError
from entityfix.text.document import replace_file, write_chunks

Key = tuple[str, "int | None"]
PARQUET_BATCH = 2048  # rows per Parquet record batch


@dataclass(frozen=True)
class Done:
    """A finished document as recorded: the stamp it was checked at, its id and findings (JSON text)."""

    stamp: tuple
    id: object
    findings: str


def progress_path(output: Path) -> Path:
    return output.with_name(output.name + ".progress")


class Progress:
    """The progress file of one output (module docstring); ``open`` it, ``add`` each task's results,
    ``finish`` with the run's documents, ``close``."""

    def __init__(self, output: Path):
        self.output = output
        self.path = progress_path(output)
        self._handle = None

    def open(self) -> dict[Key, Done]:
        """Lock the file and return what it records (the last record of a key wins)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = open(self.path, "a+b")
        except OSError as exc:
            raise EntityfixError(f"cannot open the progress file: {exc.strerror or exc}", str(self.path)) from None
        if fcntl is not None:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                raise EntityfixError("another run is writing this output (its progress file is locked)", str(self.output)) from None
            except OSError:
                pass  # a file system without locks
        handle.seek(0)
        data = handle.read()
        cut = data.rfind(b"\n") + 1
        if cut < len(data):  # a line cut short by a crash
            handle.truncate(cut)
        handle.seek(0, os.SEEK_END)
        self._handle = handle
        done: dict[Key, Done] = {}
        for line in data[:cut].splitlines():
            try:
                entry = json.loads(line)
                done[(entry["key"][0], entry["key"][1])] = Done(tuple(entry["stamp"]), entry["id"], json.dumps(entry["findings"], ensure_ascii=False))
            except (ValueError, KeyError, TypeError, IndexError):
                continue  # not ours, or damaged: that document is checked again
        return done

    def add(self, entries: Iterable[tuple[Key, Done]]) -> None:
        """Append whole lines, then flush and fsync: after this returns they survive a crash."""
        lines = [_line(key, done) for key, done in entries]
        if not lines or self._handle is None:
            return
        self._handle.write("".join(lines).encode("utf-8"))
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def finish(self, entries: Iterable[tuple[Key, Done]]) -> None:
        """Replace the file by exactly these entries (the run's documents), atomically."""
        write_atomic(self.path, (_line(key, done).encode("utf-8") for key, done in entries))

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()  # releases the lock
            self._handle = None


def _line(key: Key, done: Done) -> str:
    head = json.dumps({"key": list(key), "stamp": list(done.stamp), "id": done.id}, ensure_ascii=False)
    return f'{head[:-1]}, "findings": {done.findings}}}\n'


def write_output(output: Path, rows: Iterable[tuple[object, str, str]]) -> int:
    """Write (id, path, findings JSON) rows, in order, as JSONL or Parquet (by the output's suffix),
    atomically.  Returns the number of rows."""
    count = [0]

    def counted():
        for row in rows:
            count[0] += 1
            yield row

    if output.suffix.lower() == ".parquet":
        _write_parquet(output, counted())
    else:
        write_atomic(output, (_output_line(*row).encode("utf-8") for row in counted()))
    return count[0]


def _output_line(ident: object, path: str, findings: str) -> str:
    """``json.dumps({"id": ident, "path": path, "findings": ...}, ensure_ascii=False)``, one line."""
    return f'{{"id": {json.dumps(ident, ensure_ascii=False)}, "path": {json.dumps(path, ensure_ascii=False)}, "findings": {findings}}}\n'


def parquet_schema():
    import pyarrow as pa

    finding = pa.struct(
        [
            ("start", pa.int64()), ("end", pa.int64()), ("line", pa.int64()), ("column", pa.int64()),
            ("old", pa.string()), ("new", pa.string()), ("entity", pa.string()), ("type", pa.string()),
            ("confidence", pa.float64()), ("action", pa.string()), ("reasons", pa.list_(pa.string())), ("kind", pa.string()),
            ("group", pa.list_(pa.struct([("spelling", pa.string()), ("count", pa.int64())]))),
        ]
    )
    return pa.schema([("id", pa.string()), ("path", pa.string()), ("findings", pa.list_(finding))])


def _write_parquet(output: Path, rows: Iterator[tuple[object, str, str]]) -> None:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise EntityfixError('writing Parquet needs pyarrow: pip install "entityfix[dask]"', str(output)) from None
    schema = parquet_schema()

    def write(tmp: str) -> None:
        with pq.ParquetWriter(tmp, schema) as writer:
            batch: list[dict] = []
            for ident, path, findings in rows:
                batch.append({"id": None if ident is None else str(ident), "path": path, "findings": json.loads(findings)})
                if len(batch) >= PARQUET_BATCH:
                    writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                    batch = []
            if batch:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))

    replace_file(output, write)


def write_atomic(target: Path, chunks: Iterable[bytes]) -> None:
    """Write a new file whole or not at all (``text.document.replace_file``)."""
    replace_file(target, lambda tmp: write_chunks(tmp, chunks))
