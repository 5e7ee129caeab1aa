"""NER one paragraph at a time, so an edit re-runs the model on the paragraph it touched only.

Why: in an editor the document changes a few characters at a time.  The checker's extractor
already remembers NER output per chunk of text, but its chunks are about 5,000 characters cut at
line ends, so one keystroke near the top shifts every later chunk boundary and the model (the
dominant cost: ~0.3 s per 5 kB on one core) runs again on most of the document.  Cutting at blank
lines instead makes the pieces stable under edits elsewhere: an unchanged paragraph is a memo hit
wherever it moved to.

What stays whole-document: everything after NER.  The resolver's evidence ("written correctly at
line 5", "same spelling fixed with more evidence") and the one-spelling-per-document decisions are
taken over the whole text on every check, exactly as ``entityfix check`` does.  Cutting NER at a
blank line cannot join or split a name (a name never spans a blank line; the capitalised-run
rule stops at a second line break anyway).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from entityfix.text.extract import Extractor, Mention

_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n(?:[ \t\r\f\v]*\n)*")


def paragraphs(text: str) -> list[tuple[int, str]]:
    """(offset, piece) for every paragraph, each keeping the blank lines that end it."""
    out, start = [], 0
    for m in _BLANK_LINES.finditer(text):
        out.append((start, text[start : m.end()]))
        start = m.end()
    if start < len(text) or not out:
        out.append((start, text[start:]))
    return out


class ParagraphExtractor:
    """Wraps an ``Extractor``: same ``mentions(text)``, computed paragraph by paragraph."""

    def __init__(self, inner: "Extractor"):
        self.inner = inner
        # the attributes other code reads from an extractor
        self.labels = inner.labels
        self.model_name = inner.model_name
        self.fallback = inner.fallback
        self.nlp = inner.nlp

    def mentions(self, text: str) -> list["Mention"]:
        from entityfix.text.extract import Mention

        out: list[Mention] = []
        for offset, piece in paragraphs(text):
            for m in self.inner.mentions(piece):  # memoised by piece text in the inner extractor
                out.append(Mention(m.start + offset, m.end + offset, m.text, m.label, m.source))
        return out
