"""Subtitle files (SubRip ``.srt`` and WebVTT ``.vtt``): what is timing, what is prose.

The checker is given text, not a file name, so the kind is told from the text itself:

* **WebVTT**: the first line is ``WEBVTT`` (after a byte-order mark, if the text still has one),
  alone or followed by a space or tab and a title;
* **SubRip**: the first non-blank line is a cue number and the next a timing line
  (``00:00:01,000 --> 00:00:04,000``).  A timing line anywhere else in a text does not make it
  a subtitle file.

In a subtitle file these stretches are never changed (they are machine-read, not prose): cue
numbers and WebVTT cue identifiers (even one that reads like a name, ``Kantz intro``), timing
lines with everything after the second time (cue settings such as ``align:start
position:10%``, SubRip's ``X1:…`` coordinates), WebVTT's header block and its ``NOTE``,
``STYLE`` and ``REGION`` blocks, timestamp tags inside cue text (``<00:00:01.500>``), SubRip's
``{\\an8}`` override codes and character references (``&amp;``).  The other inline
tags (``<v Roger>``, ``<i>``, ``<c.yellow>``, ``<font …>``) are HTML-like and already skipped
by ``skip.py``; they are not listed again here.

The cue text is prose, and a subtitle line is cut wherever it is too long to show, so one cue's
lines are one sentence: the line breaks between them are read as spaces (``cue_breaks``; the
checker's NER then reads "Benny\\nKantz" as "Benny Kantz").  A blank line between cues stays a
break.
"""

from __future__ import annotations

import re
from functools import lru_cache

_BOM = "\ufeff"
_TIME = r"(?:\d+:)?[0-5]?\d:[0-5]\d[,.]\d{1,3}"  # hours optional in WebVTT
_TIMING = re.compile(rf"[ \t]*{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t][^\r\n]*)?")  # matched against one line
_SRT_TIMING = re.compile(r"[ \t]*\d+:\d\d:\d\d[,.]\d{1,3}[ \t]+-->[ \t]+\d+:\d\d:\d\d[,.]\d{1,3}(?:[ \t][^\r\n]*)?")
_CUE_NUMBER = re.compile(r"\ufeff?[ \t]*\d+[ \t]*")
_VTT_HEADER = re.compile(r"\A\ufeff?WEBVTT(?:[ \t][^\r\n]*)?(?:\r\n|\r|\n|\Z)")
_VTT_META_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t]|\Z)")  # matched against a block's first line
_LINE = re.compile(r"([^\r\n]*)(\r\n|\r|\n|\Z)")
# markup inside cue text that skip.py's tag pattern does not cover
_INLINE = re.compile(
    "|".join(
        (
            r"<(?:\d+:)?\d{2}:\d{2}\.\d{3}>",  # WebVTT karaoke timestamp tag
            r"\{\\[^{}\r\n]*\}",  # SubRip/ASS override code, {\an8} {\i1}
            r"&(?:amp|lt|gt|nbsp|lrm|rlm|quot|apos|#\d+|#x[0-9A-Fa-f]+);",  # character reference
        )
    )
)
SRT, VTT = "srt", "vtt"


def kind(text: str) -> str | None:
    """``"vtt"``, ``"srt"`` or None, from the start of the text (constant time for other texts)."""
    head = text[:400]
    if _VTT_HEADER.match(head):
        return VTT
    lines = [m.group(1) for m in _LINE.finditer(head.lstrip(_BOM).lstrip("\r\n \t"))][:2]
    if len(lines) == 2 and _CUE_NUMBER.fullmatch(lines[0]) and _SRT_TIMING.fullmatch(lines[1]):
        return SRT
    return None


def untouched_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges [start, end) of a subtitle file that are not prose (none if ``text`` is no subtitle file)."""
    return list(_layout(text)[0]) if kind(text) else []


def cue_breaks(text: str) -> list[tuple[int, int]]:
    """The line ends [start, end) between two lines of one cue's text (``\\r\\n`` is two characters),
    to be read as spaces; none if ``text`` is no subtitle file."""
    return list(_layout(text)[1]) if kind(text) else []


@lru_cache(maxsize=4)  # the checker asks for the ranges and the breaks of the same text in turn
def _layout(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    what = kind(text)
    untouched: list[tuple[int, int]] = []
    breaks: list[tuple[int, int]] = []
    for number, block in enumerate(_blocks(text)):
        if what == VTT:
            arrow = [i for i, (s, e, _) in enumerate(block) if "-->" in text[s:e]]
            first_start, first_end, _ = block[0]
            first = text[first_start:first_end].lstrip(_BOM)
            if number == 0 and first.startswith("WEBVTT"):
                # the header block; a file that starts its first cue without a blank line after it
                # has that cue's identifier and timing line in it: the cue text is still prose
                head = arrow[0] if arrow and _TIMING.fullmatch(text, *block[arrow[0]][:2]) else len(block)
                untouched.append((first_start, block[head - 1][1]))
                block = block[head:]
                if not block:
                    continue
            elif _VTT_META_BLOCK.match(first) and not any(i < 2 for i in arrow):
                untouched.append((first_start, block[-1][1]))  # NOTE, STYLE, REGION: the whole block
                continue
        _cue_block(text, what, block, untouched, breaks)
    untouched.extend(m.span() for m in _INLINE.finditer(text))
    return tuple(sorted(untouched)), tuple(breaks)


def _cue_block(text: str, what: str, block: list[tuple[int, int, int]], untouched: list, breaks: list) -> None:
    """One block of non-blank lines: its cue numbers or identifiers and timing lines are untouched,
    the line ends between two lines of cue text are breaks.  In SubRip a block that does not start
    with a cue (text that went on after a blank line) is cue text too; in WebVTT it is no cue (a
    player skips it) and is left as it is: prose, line breaks kept."""
    timing = [bool(_TIMING.fullmatch(text, s, e)) for s, e, _ in block]
    # SubRip text that went on after a blank line (a block that does not start a cue)
    in_cue = what == SRT and not (timing[0] or len(block) > 1 and timing[1])
    previous_text: tuple[int, int, int] | None = None  # the last line of cue text, if the line before was one
    for i, (start, end, nxt) in enumerate(block):
        if timing[i]:
            untouched.append((start, end))
            in_cue, previous_text = True, None
            continue
        if i + 1 < len(block) and timing[i + 1] and _is_cue_label(text, what, block, i):
            untouched.append((start, end))  # cue number (SubRip) or identifier (WebVTT)
            previous_text = None
            continue
        if in_cue:
            if previous_text is not None:
                breaks.append((previous_text[1], previous_text[2]))
            previous_text = (start, end, nxt)


def _is_cue_label(text: str, what: str, block: list[tuple[int, int, int]], i: int) -> bool:
    """Is line ``i`` (followed by a timing line) the cue's number or identifier?"""
    start, end, _ = block[i]
    if what == SRT:
        return bool(_CUE_NUMBER.fullmatch(text, start, end))
    return i == 0 and "-->" not in text[start:end]


def _blocks(text: str) -> list[list[tuple[int, int, int]]]:
    """The runs of non-blank lines, each line as (start, end of its text, start of the next line)."""
    blocks: list[list[tuple[int, int, int]]] = []
    current: list[tuple[int, int, int]] = []
    for m in _LINE.finditer(text):
        start, end, nxt = m.start(), m.end(1), m.end()
        if text[start:end].strip(" \t" + _BOM):
            current.append((start, end, nxt))
        elif current:
            blocks.append(current)
            current = []
        if nxt == len(text):
            break
    if current:
        blocks.append(current)
    return blocks
