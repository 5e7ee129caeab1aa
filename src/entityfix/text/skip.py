"""Stretches of text entityfix never reads as names and never changes.

Two kinds, both found by pattern (no parsing, so any file type works):

* **inline suppressions**, the way codespell/ruff users expect them: a line containing
  ``entityfix: ignore`` is skipped; ``entityfix: off`` ... ``entityfix: on`` skips every line in
  between (the marker lines included).  The markers are found anywhere on a line, so they work
  inside Markdown/HTML comments (``<!-- entityfix: off -->``), ``#`` and ``//`` comments alike;
* **text that is not prose**, which typos and codespell skip too: URLs (with a scheme or
  ``www.``), e-mail addresses, bare domain names (``Kantz.com``), ``@handles`` and ``#tags``, file
  paths (``/usr/share/…``, ``./docs/…``, ``C:\\…``, ``docs/Kantz.md``), Markdown code (fenced
  blocks and inline code spans), HTML/XML tags with their attributes (the text between tags is
  prose), and the keys of a front-matter block at the top of a file (its values are prose);
* **the machinery of a subtitle file** (``.srt``, ``.vtt``, told from the text: ``subtitles.py``):
  cue numbers and identifiers, timing lines with their cue settings, WebVTT's header, ``NOTE``,
  ``STYLE`` and ``REGION`` blocks, timestamp tags in cue text.

A name in such a stretch is an identifier: "fixing" it breaks a link, an address or code.  The
checker hides these stretches from NER (same offsets, blanks in their place) and drops any
mention that touches one.  In a subtitle file NER also reads the line breaks inside one cue's
text as spaces (``blanked``), so a name cut across two lines of a cue is one mention.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from entityfix.text import subtitles

_MARKER = re.compile(r"entityfix:\s*(ignore|off|on)\b")

# common top-level domains: a bare "word.tld" is a domain name only with a real ending
_TLDS = (
    "com org net edu gov mil int info biz io co ai app dev me tv us uk de fr es it nl be ch at se no dk fi "
    "pl cz ru ua jp cn kr in au nz ca br mx ar za il ma eu ie pt gr tr ir sa ae"
)
_TLD_PATTERN = "|".join(_TLDS.split())
# patterns that start with a fixed character are searched over the whole text (fast) ...
_BLOCKS = re.compile(
    "|".join(
        (
            r"```[^\n]*\n(?:.*\n)*?[ \t]*```[^\n]*",  # fenced code block, ``` ... ```
            r"~~~[^\n]*\n(?:.*\n)*?[ \t]*~~~[^\n]*",  # fenced code block, ~~~ ... ~~~
            r"`[^`\n]+`",  # inline code span
            r"<(?:[A-Za-z][\w:.-]*|/[A-Za-z][\w:.-]*|![A-Za-z\[-]|\?[A-Za-z])[^<>]{0,4000}>",  # tag, comment, declaration
        )
    )
)
# ... the others only on the lines that hold one of their tell-tale characters (a regex that may
# start at any letter costs seconds per megabyte of plain prose)
_TELL_TALE = re.compile(r"[@#/\\]|://|www\.|\.(?:" + _TLD_PATTERN + r")\b")
_ADDRESSES = re.compile(
    "|".join(
        (
            r"\b[A-Za-z][A-Za-z0-9+.-]*://[^\s<>\"'`]+",  # URL with a scheme
            r"\bwww\.[^\s<>\"'`]+",  # URL without one
            r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+",  # e-mail address
            r"(?<![\w@])@\w[\w.-]*\w",  # @handle
            r"(?<![\w#&/])#[A-Za-z_][\w-]*",  # #tag
            r"\b[\w-]+(?:\.[\w-]+)*\.(?:" + _TLD_PATTERN + r")\b(?![.\w-]*\w)(?:/[^\s<>\"'`]*)?",  # bare domain
            r"(?<![\w/])(?:~|\.{1,2})?/[\w.-]+(?:/[\w.-]*)+",  # absolute or ./ ../ ~/ path
            r"\b[A-Za-z]:\\[^\s<>\"'`]*",  # Windows path
            r"\b[\w.-]+(?:/[\w.-]+)+\.[A-Za-z0-9]{1,5}\b",  # relative path ending in a file name
        )
    )
)
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?(---|\+\+\+)[ \t]*\r?\n(.*?\r?\n)\1[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FRONT_MATTER_KEY = re.compile(r"(?m)^[ \t]*(?:- )?[\w.-]+[ \t]*[:=]")


def suppressed_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges [start, end) the user asked not to check (inline suppression comments)."""
    ranges: list[tuple[int, int]] = []
    off_start: int | None = None
    for m in _MARKER.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        line_end = text.find("\n", m.end())
        line_end = len(text) if line_end < 0 else line_end
        kind = m.group(1)
        if kind == "ignore" and off_start is None:
            ranges.append((line_start, line_end))
        elif kind == "off" and off_start is None:
            off_start = line_start
        elif kind == "on" and off_start is not None:
            ranges.append((off_start, line_end))
            off_start = None
    if off_start is not None:
        ranges.append((off_start, len(text)))
    return ranges


def non_prose_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges [start, end) that are not prose: code, markup, addresses, paths (see above)."""
    ranges = [m.span() for m in _BLOCKS.finditer(text)]
    tell = _TELL_TALE.search(text)
    while tell:
        start = text.rfind("\n", 0, tell.start()) + 1
        end = text.find("\n", tell.end())
        end = len(text) if end < 0 else end
        ranges.extend(m.span() for m in _ADDRESSES.finditer(text, start, end))
        tell = _TELL_TALE.search(text, end)
    front = _FRONT_MATTER.match(text)
    if front:
        base = front.start(2)
        ranges.extend((base + k.start(), base + k.end()) for k in _FRONT_MATTER_KEY.finditer(front.group(2)))
    return merged(ranges)


def untouched_ranges(text: str) -> list[tuple[int, int]]:
    """Everything the checker leaves alone: suppressed lines and text that is not prose (a subtitle
    file's cue numbers, timings and metadata blocks included), merged."""
    return merged(suppressed_ranges(text) + non_prose_ranges(text) + subtitles.untouched_ranges(text))


def merged(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ranges covering the same characters."""
    out: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def inside(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    """Does [start, end) touch any of ``ranges`` (sorted and merged, as the functions above give)?"""
    i = bisect_right(ranges, (start, float("inf"))) - 1
    if i >= 0 and ranges[i][1] > start:
        return True
    return i + 1 < len(ranges) and ranges[i + 1][0] < end


def blanked(text: str, ranges: list[tuple[int, int]]) -> str:
    """``text`` with every range replaced by spaces (line ends kept): same offsets, nothing to read.

    In a subtitle file the line ends inside one cue's text become spaces too (each of ``\\r\\n``'s
    two characters one space), so NER reads a cue as the one sentence it is."""
    breaks = subtitles.cue_breaks(text)
    if not ranges and not breaks:
        return text
    for spans, blank in ((ranges, lambda s: re.sub(r"[^\r\n]", " ", s)), (breaks, lambda s: " " * len(s))):
        if not spans:
            continue
        parts, pos = [], 0
        for start, end in spans:
            parts.append(text[pos:start])
            parts.append(blank(text[start:end]))
            pos = end
        parts.append(text[pos:])
        text = "".join(parts)
    return text
