"""Inline suppression comments, the way codespell/ruff users expect them.

* a line containing ``entityfix: ignore`` is skipped;
* ``entityfix: off`` ... ``entityfix: on`` skips every line in between
  (the marker lines included).

The markers are found anywhere on a line, so they work inside Markdown/HTML
comments (``<!-- entityfix: off -->``), ``#`` and ``//`` comments alike.
"""

from __future__ import annotations

import re

_MARKER = re.compile(r"entityfix:\s*(ignore|off|on)\b")


def suppressed_ranges(text: str) -> list[tuple[int, int]]:
    """Character ranges [start, end) that must not be checked."""
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


def inside(ranges: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(a <= start and end <= b or a < end <= b or a <= start < b for a, b in ranges)
