"""Findings as plain data: the dicts a worker sends back and the lines a person reads.

A worker never returns spaCy objects or ``Finding`` dataclasses, only dicts of str, int, float and
lists: they pickle small, mean the same on any host whatever its entityfix build, and go into the
output file as they are.  The fields are those of the JSON report (``entityfix check --format
json``), and the text line is the text report's line: ``cli/report.py`` builds both from these
two functions (the command line may import this layer; this layer never imports it).
"""

from __future__ import annotations

from entityfix.checker import LineIndex
from entityfix.matching.decide import FIX, NOTE, Finding


def finding_dicts(text: str, findings: list[Finding]) -> list[dict]:
    """The JSON report's fields of each finding (line and column 1-based, in code points)."""
    lines = LineIndex(text)
    out = []
    for f in findings:
        line, column = lines.line_col(f.start)
        out.append(
            {
                "start": f.start,
                "end": f.end,
                "line": line,
                "column": column,
                "old": f.old,
                "new": f.new,
                "entity": f.entity,
                "type": f.type,
                "confidence": f.confidence,
                "action": f.action,
                "reasons": list(f.reasons),
                "kind": f.kind,
                **({"group": [{"spelling": s, "count": n} for s, n in f.group]} if f.group else {}),
            }
        )
    return out


def text_line(where: str, f: dict) -> str:
    """``where:line:col: old -> new (TYPE, confidence) [suggestion: ]reasons``, the text report's line."""
    reasons = "; ".join(f["reasons"])
    if f["action"] == NOTE:
        return f"{where}:{f['line']}:{f['column']}: {f['old']}: note: {reasons}"
    tag = "" if f["action"] == FIX else "suggestion: "
    return f"{where}:{f['line']}:{f['column']}: {f['old']} -> {f['new']} ({f['type']}, {f['confidence']:.3f}) {tag}{reasons}"
