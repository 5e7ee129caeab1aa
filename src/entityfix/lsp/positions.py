"""Code-point offsets (what ``Finding`` carries) <-> LSP positions (line, character).

Why a module of its own: LSP counts a line's characters in UTF-16 code units by default (a name
after an emoji or a CJK extension-B character is one unit further right per astral character than
its code-point offset says), lines end at ``\\n``, ``\\r\\n`` or ``\\r``, and a client may negotiate
UTF-8 or UTF-32 instead.  Getting any of these wrong moves every quick fix onto the wrong letters,
so the conversion is done in one place and tested with astral characters.
"""

from __future__ import annotations

import re
from bisect import bisect_right

UTF16, UTF8, UTF32 = "utf-16", "utf-8", "utf-32"
_LINE_END = re.compile(r"\r\n|\r|\n")


def units(s: str, encoding: str = UTF16) -> int:
    """The length of ``s`` in the code units of ``encoding``."""
    if encoding == UTF32:
        return len(s)
    if encoding == UTF8:
        return len(s.encode("utf-8", "surrogatepass"))
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


class Lines:
    """Line starts of one text, for conversions both ways in O(log n) plus the line's length."""

    def __init__(self, text: str, encoding: str = UTF16):
        self.text = text
        self.encoding = encoding
        self.starts = [0] + [m.end() for m in _LINE_END.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        """(0-based line, character in code units) of a code-point offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect_right(self.starts, offset) - 1
        return line, units(self.text[self.starts[line] : offset], self.encoding)

    def offset(self, line: int, character: int) -> int:
        """The code-point offset of an LSP position (clamped to the line, as the spec asks)."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[line]
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        content = self.text[start:end].rstrip("\r\n")
        counted = 0
        for i, ch in enumerate(content):
            if counted >= character:
                return start + i
            counted += units(ch, self.encoding)
        return start + len(content)
