"""Bytes on disk <-> text in memory, losslessly, and atomic write-back.

A file is decoded once into a ``Document`` that remembers everything needed to
write it back byte for byte: the encoding, whether it had a BOM.  Newlines are
*not* translated (the text keeps ``\\r\\n`` as is), so untouched lines come back
identical.  Writing goes to a temporary file in the same folder, is fsynced and
renamed over the original, so a crash leaves either the old or the new bytes.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path

from entityfix.errors import EntityfixError

MAX_BYTES_DEFAULT = 200 * 1024 * 1024

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
        raise EntityfixError("binary file (contains NUL bytes), skipped", path)
    try:
        return Document(path, data.decode("utf-8"), "utf-8", b"", len(data))
    except UnicodeDecodeError as exc:
        raise EntityfixError(
            f"not UTF-8 (invalid byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "pass --encoding (e.g. --encoding cp1252) to read it",
            path,
        ) from None


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


def write_atomic(doc: Document, new_text: str) -> None:
    """Replace the file's contents with ``new_text`` atomically, keeping mode, encoding and BOM.

    Refuses when the file changed on disk since it was read (someone else's edit
    must not be overwritten).
    """
    path = Path(doc.path)
    data = doc.encode(new_text)
    try:
        st = path.stat()
    except FileNotFoundError:
        raise EntityfixError("file disappeared before it could be written", doc.path) from None
    changed = doc.mtime_ns and (st.st_mtime_ns != doc.mtime_ns or st.st_ino != doc.inode or st.st_size != doc.raw_size)
    if not changed and doc.digest:
        try:
            changed = _digest(path.read_bytes()) != doc.digest
        except OSError:
            changed = True
    if changed:
        raise EntityfixError("file changed on disk since it was read; not overwritten (run again)", doc.path)
    if not st.st_mode & 0o222 or not os.access(path, os.W_OK):
        raise EntityfixError("file is read-only; not changed", doc.path)
    target = path.resolve()
    folder = target.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".entityfix-tmp", dir=folder)
    except OSError as exc:
        raise EntityfixError(f"cannot create a temporary file beside it: {exc.strerror}", doc.path) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
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
