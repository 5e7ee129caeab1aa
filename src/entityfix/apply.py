"""Findings -> new text, changing nothing but the misspelt characters.

Each finding covers exactly one wrong token (its case pattern already applied
by the resolver), so everything around it (possessive "'s", punctuation,
whitespace, newlines) is untouched by construction.
"""

from __future__ import annotations

from typing import Iterable

from entityfix.matching.decide import FIX, Finding


def apply_findings(text: str, findings: Iterable[Finding], actions: frozenset[str] = frozenset({FIX})) -> str:
    """Return ``text`` with the findings whose action is in ``actions`` applied.

    Overlapping findings are a programming error and raise ``ValueError``;
    a finding whose ``old`` no longer matches the text is skipped, never forced.
    """
    parts: list[str] = []
    pos = 0
    for f in sorted((f for f in findings if f.action in actions), key=lambda f: f.start):
        if f.start < pos:
            raise ValueError(f"overlapping findings at offset {f.start}")
        if text[f.start : f.end] != f.old:
            continue
        parts.append(text[pos : f.start])
        parts.append(f.new)
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts)
