"""Bytes on disk <-> text in memory, losslessly, and atomic write-back.

A file is decoded once into a ``Document`` that remembers everything needed to
write it back byte for byte: the encoding, whether it had a BOM.  Newlines are
*not* translated (the text keeps ``\\r\\n`` as is), so untouched lines come back
identical.  Writing goes to a temporary file in the same folder, is fsynced and
renamed over the original, so a crash leaves either the old or the new bytes.

Two writers of one file (two ``entityfix fix`` runs, an editor's save) must not lose each other's
work.  Every entityfix writer takes an advisory lock on the file (``fcntl.flock``) and holds it from
its "changed since it was read?" check to its rename, so the check and the rename are one step for
entityfix writers: the second one finds the file changed and raises ``ChangedOnDisk``, and the
command line reads the new bytes and checks them again.  A writer that takes no lock (an editor)
is still caught by the check; only a write landing between the check and the rename, a window of
microseconds, can escape it.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: the change check alone guards the write
    fcntl = None  # type: ignore[assignment]

from entityfix.errors import EntityfixError

MAX_BYTES_DEFAULT = 200 * 1024 * 1024
LOCK_WAIT_SECONDS = 30.0  # another writer holds the lock only while it renames; longer means it hangs


class ChangedOnDisk(EntityfixError):
    """The file changed between reading and writing; it was not written.  Read it again to retry."""

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class Document:
    """Decoded text plus what it takes to write it back unchanged."""

    path: str
    text: str
    encoding: str
    bom: bytes
    raw_size: int
    mtime_ns: int = 0
    inode: int = 0
    digest: str = ""  # of the bytes as read, to notice someone else's edit before writing

    @property
    def newline(self) -> str:
        """The dominant newline style (informational: text keeps its own newlines)."""
        crlf = self.text.count("\r\n")
        lf = self.text.count("\n") - crlf
        return "\r\n" if crlf > lf else "\n"

    def encode(self, text: str) -> bytes:
        try:
            return self.bom + text.encode(self.encoding)
        except UnicodeEncodeError as exc:
            raise EntityfixError(
                f"cannot write {text[exc.start:exc.end]!r} in {self.encoding}", self.path
            ) from None


def decode(data: bytes, path: str, encoding: str | None = None) -> Document:
    """Decode bytes: BOM first, then the forced encoding, then UTF-8; binary is refused."""
    for bom, enc in _BOMS:
        if data.startswith(bom) and encoding is None:
            try:
                return Document(path, data[len(bom) :].decode(enc), enc, bom, len(data))
            except UnicodeDecodeError as exc:
                raise EntityfixError(f"invalid {enc} after its byte-order mark (byte {exc.start + len(bom)})", path) from None
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise EntityfixError(f"unknown encoding {encoding!r}", path) from None
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError as exc:
            raise EntityfixError(f"not valid {encoding} (byte {exc.start})", path) from None
        return Document(path, text, encoding, b"", len(data))
    if b"\x00" in data:
        if _looks_utf16(data):
            raise EntityfixError("binary file (contains NUL bytes), skipped; if this is UTF-16 text, use --encoding utf-16-le (or utf-16-be)", path)
        raise EntityfixError("binary file (contains NUL bytes), skipped", path)
    try:
        return Document(path, data.decode("utf-8"), "utf-8", b"", len(data))
    except UnicodeDecodeError as exc:
        raise EntityfixError(
            f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "pass --encoding (e.g. --encoding cp1252) to read it",
            path,
        ) from None


def _looks_utf16(data: bytes) -> bool:
    """Text in UTF-16 without a byte-order mark: every other byte NUL, the others mostly ASCII."""
    sample = data[:4096]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return any(half.count(0) > 0.8 * len(half) and sum(32 <= b < 127 or b in (9, 10, 13) for b in other) > 0.8 * len(other)
               for half, other in ((odd, even), (even, odd)))


def read(path: Path, encoding: str | None = None, max_bytes: int = MAX_BYTES_DEFAULT) -> Document:
    """Read and decode a file, with a one-line error for every way that can fail."""
    spath = str(path)
    try:
        st = path.stat()
        if stat.S_ISDIR(st.st_mode):
            raise EntityfixError("is a folder", spath)
        if not stat.S_ISREG(st.st_mode):
            raise EntityfixError("not a regular file", spath)
        if st.st_size > max_bytes:
            raise EntityfixError(f"file is {st.st_size} bytes, over the {max_bytes}-byte limit (--max-bytes)", spath)
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise EntityfixError("no such file", spath) from None
    except PermissionError:
        raise EntityfixError("permission denied", spath) from None
    except IsADirectoryError:
        raise EntityfixError("is a folder", spath) from None
    except OSError as exc:
        raise EntityfixError(exc.strerror or str(exc), spath) from None
    if len(data) > max_bytes:
        raise EntityfixError(f"file is over the {max_bytes}-byte limit (--max-bytes)", spath)
    doc = decode(data, spath, encoding)
    return Document(doc.path, doc.text, doc.encoding, doc.bom, doc.raw_size, st.st_mtime_ns, st.st_ino, _digest(data))


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@contextmanager
def _writer_lock(target: Path, shown: str):
    """Hold an exclusive advisory lock on the file now at ``target`` until the block ends.

    The lock is taken on the file itself, not on a lock file beside it, so nothing is left
    behind.  A rename replaces the file under the lock, so after locking, the locked file must
    still be the one at ``target``; if another writer renamed a new file there meanwhile, lock
    that one instead.
    """
    if fcntl is None:
        yield
        return
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            fd = os.open(target, os.O_RDONLY)
        except FileNotFoundError:
            raise EntityfixError("file disappeared before it could be written", shown) from None
        except OSError as exc:
            raise EntityfixError(f"cannot open it to lock it: {exc.strerror}", shown) from None
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise EntityfixError(
                            f"another process has held a write lock on it for {LOCK_WAIT_SECONDS:.0f} s; not written", shown
                        ) from None
                    time.sleep(0.005)
                except OSError:
                    break  # a file system without locks (some network mounts): the change check alone
            try:
                current = os.stat(target)
            except FileNotFoundError:
                raise EntityfixError("file disappeared before it could be written", shown) from None
            if current.st_ino == os.fstat(fd).st_ino and current.st_dev == os.fstat(fd).st_dev:
                yield
                return
        finally:
            os.close(fd)  # releases the lock


def write_atomic(doc: Document, new_text: str) -> None:
    """Replace the file's contents with ``new_text`` atomically, keeping mode, encoding and BOM.

    Refuses (``ChangedOnDisk``) when the file changed on disk since it was read: someone else's
    edit must not be overwritten.  The check and the rename happen under the writer lock.
    """
    path = Path(doc.path)
    data = doc.encode(new_text)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise EntityfixError("file disappeared before it could be written", doc.path) from None
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise EntityfixError("file is read-only; not changed", doc.path)
    target = path.resolve()
    with _writer_lock(target, doc.path):
        _refuse_if_changed(doc, target)
        _replace(doc, target, data)


def _refuse_if_changed(doc: Document, target: Path) -> None:
    """Raise ChangedOnDisk when the file's bytes are not the ones ``doc`` was read from."""
    try:
        st = target.stat()
    except FileNotFoundError:
        raise EntityfixError("file disappeared before it could be written", doc.path) from None
    changed = doc.mtime_ns and (st.st_mtime_ns != doc.mtime_ns or st.st_ino != doc.inode or st.st_size != doc.raw_size)
    if not changed and doc.digest:
        try:
            changed = _digest(target.read_bytes()) != doc.digest
        except OSError:
            changed = True
    if changed:
        raise ChangedOnDisk("file changed on disk since it was read; not overwritten (run again)", doc.path)


def _replace(doc: Document, target: Path, data: bytes) -> None:
    replace_file(target, lambda tmp: write_chunks(tmp, [data]), doc.path)


def replace_file(target: Path, write, shown: str | None = None) -> None:
    """Put a new file at ``target`` whole or not at all: ``write(temporary path)`` fills a temporary
    file beside it, which is fsynced, given the target's mode (or the mode ``open`` gives a new
    file), renamed over the target, and the folder fsynced.  The temporary file never outlives a
    failure.  ``fix`` and the corpus engine's outputs are written here, so they survive a crash
    the same way."""
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".entityfix-tmp", dir=folder)
    except OSError as exc:
        raise EntityfixError(f"cannot create a temporary file beside it: {exc.strerror or exc}", shown or str(target)) from None
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)  # a file replaced keeps its mode
        except OSError:
            mode = 0o666 & ~_umask()  # a new one gets what open() would have given it
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    try:
        dirfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
    except OSError:
        pass


def write_chunks(path: str, chunks) -> None:
    """Write byte chunks to a (temporary) file: the ``write`` of ``replace_file`` for plain data."""
    with open(path, "wb") as handle:
        for chunk in chunks:
            handle.write(chunk)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
