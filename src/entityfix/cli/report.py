"""Findings -> what people and tools read: rich text, JSON, SARIF 2.1.0, GitHub annotations, diff.

Everything here is a pure function of (path, text, findings); nothing matches
names or touches files.  The JSON schema (``version: 1``) is a stable contract:
new keys may be added, existing ones never change meaning.
"""

from __future__ import annotations

import difflib
import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import PurePath
from typing import Iterable
from urllib.parse import quote

from entityfix import __version__
from entityfix.apply import apply_findings
from entityfix.checker import LineIndex
from entityfix.corpus.records import finding_dicts, text_line
from entityfix.matching.decide import FIX, NOTE, Finding

FORMATS = ("text", "json", "sarif", "github", "diff")
RULE_OF_KIND = {"consistency": "entityfix/inconsistent-name", "source-mismatch": "entityfix/source-mismatch"}
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# the project's page, SARIF's tool.driver.informationUri; the same as [project.urls] Homepage in pyproject.toml
PROJECT_URL = "https://github.com/entityfix/entityfix"


@dataclass(frozen=True)
class FileResult:
    """One checked file: its text (for positions and diffs) and findings."""

    path: str
    text: str
    findings: tuple[Finding, ...]


def _located(result: FileResult) -> list[tuple[Finding, int, int]]:
    lines = LineIndex(result.text)
    return [(f, *lines.line_col(f.start)) for f in result.findings]


def _reason_text(f: Finding) -> str:
    return "; ".join(f.reasons)


def text_lines(result: FileResult) -> list[tuple[str, Finding]]:
    """``path:line:col: old -> new (TYPE, confidence) [suggestion] reasons`` per finding (a note:
    ``path:line:col: old: note: reasons``), as ``corpus/records.text_line`` writes it."""
    return [(text_line(result.path, d), f) for d, f in zip(finding_dicts(result.text, list(result.findings)), result.findings)]


def render_text(results: Iterable[FileResult], console) -> None:
    from rich.markup import escape

    for result in results:
        for line, f in text_lines(result):
            if f.action == NOTE:
                head, _, rest = line.partition(f": {f.old}: note: ")
                console.print(f"[bold]{escape(head)}[/bold]: [cyan]{escape(f.old)}[/cyan]: note: {escape(rest)}", highlight=False, soft_wrap=True)
                continue
            head, _, rest = line.partition(f": {f.old} -> {f.new} ")
            colour = "red" if f.action == FIX else "yellow"
            console.print(
                f"[bold]{escape(head)}[/bold]: [{colour}]{escape(f.old)}[/{colour}] -> [green]{escape(f.new)}[/green] {escape(rest)}",
                highlight=False,
                soft_wrap=True,
            )


def to_json(results: Iterable[FileResult]) -> str:
    """The stable JSON report; each finding's fields are those the corpus engine writes too
    (``corpus/records.finding_dicts``: one definition for both)."""
    files = [{"path": r.path, "findings": finding_dicts(r.text, list(r.findings))} for r in results]
    return json.dumps({"version": 1, "files": files}, ensure_ascii=False, indent=2)


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


class _Utf16Offsets:
    """Code-point offsets into one text -> UTF-16 code-unit offsets, in O(log n) per lookup.

    Python indexes a ``str`` by code point, and so do the text and JSON reports.  SARIF's default
    ``columnKind`` is ``utf16CodeUnits``, and it is what its consumers count in (GitHub code scanning,
    the VS Code SARIF viewer, the .NET SARIF SDK): a character outside the Basic Multilingual Plane
    (an emoji, a CJK Extension B ideograph) is two code units there.  Left as code points, a name
    after two emoji on its line would be reported two columns early and its fix would replace the
    wrong characters.  Each astral character before an offset adds one.
    """

    def __init__(self, text: str):
        self.astral = [m.start() for m in _ASTRAL.finditer(text)]

    def __call__(self, offset: int) -> int:
        return offset + bisect_left(self.astral, offset)


def _artifact_uri(path: str) -> str:
    """A shown path as SARIF's ``artifactLocation.uri`` (a URI reference, RFC 3986).

    An absolute path becomes a ``file://`` URI; a relative one keeps its ``/``-separated form with
    everything else percent-encoded (a space, ``%``, ``#``, non-ASCII letters, the ``<stdin>`` name),
    so GitHub code scanning and editors resolve it against the repository root.
    """
    pure = PurePath(path)
    if pure.is_absolute():
        return pure.as_uri()
    return quote(pure.as_posix())


def _sarif_region(lines: LineIndex, units: _Utf16Offsets, start: int, end: int) -> dict:
    """A text region whose columns and character offsets all count UTF-16 code units (see ``_Utf16Offsets``)."""
    start_line, _ = lines.line_col(start)
    end_line, _ = lines.line_col(end)
    return {
        "startLine": start_line,
        "startColumn": units(start) - units(lines.starts[start_line - 1]) + 1,
        "endLine": end_line,
        "endColumn": units(end) - units(lines.starts[end_line - 1]) + 1,
        "charOffset": units(start),
        "charLength": units(end) - units(start),
    }


def to_sarif(results: Iterable[FileResult]) -> str:
    """SARIF 2.1.0: one rule per action, a fix object with the replacement for each finding.

    Columns and character offsets count UTF-16 code units (``columnKind: utf16CodeUnits``), so they
    can differ from the code-point columns of the other formats on a line with an emoji before the name.
    """
    sarif_results = []
    for result in results:
        lines, units = LineIndex(result.text), _Utf16Offsets(result.text)
        uri = _artifact_uri(result.path)
        for f in result.findings:
            region = _sarif_region(lines, units, f.start, f.end)
            location = {"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}
            if f.action == NOTE:  # says something, changes nothing: no fix object
                sarif_results.append(
                    {
                        "ruleId": RULE_OF_KIND[f.kind], "level": "note", "message": {"text": f"{f.old}: {_reason_text(f)}"},
                        "locations": [location], "properties": {"entity": f.entity, "type": f.type, "action": f.action, "kind": f.kind},
                    }
                )
                continue
            sarif_results.append(
                {
                    "ruleId": "entityfix/misspelt-name" if f.action == FIX else RULE_OF_KIND.get(f.kind, "entityfix/possible-misspelt-name"),
                    "level": "warning" if f.action == FIX else "note",
                    "message": {"text": f"{f.old} -> {f.new} ({f.entity}, {f.type}, {f.confidence:.3f}): {_reason_text(f)}"},
                    "locations": [location],
                    "fixes": [
                        {
                            "description": {"text": f"Replace {f.old} with {f.new}"},
                            "artifactChanges": [
                                {
                                    "artifactLocation": {"uri": uri},
                                    "replacements": [{"deletedRegion": region, "insertedContent": {"text": f.new}}],
                                }
                            ],
                        }
                    ],
                    "properties": {"confidence": f.confidence, "entity": f.entity, "type": f.type, "action": f.action, "kind": f.kind},
                }
            )
    rules = [
        {"id": "entityfix/misspelt-name", "shortDescription": {"text": "Misspelt named entity (confident fix)"}},
        {"id": "entityfix/possible-misspelt-name", "shortDescription": {"text": "Possibly misspelt named entity (suggestion)"}},
        {"id": "entityfix/inconsistent-name", "shortDescription": {"text": "One name spelt several ways"}},
        {"id": "entityfix/source-mismatch", "shortDescription": {"text": "A name the translation and its source disagree on"}},
    ]
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "entityfix", "version": __version__, "informationUri": PROJECT_URL, "rules": rules}},
                "columnKind": "utf16CodeUnits",
                "results": sarif_results,
            }
        ],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def to_github(results: Iterable[FileResult]) -> str:
    """GitHub Actions workflow commands: one ``::warning``/``::notice`` annotation per finding."""
    out = []
    for result in results:
        for f, line, col in _located(result):
            kind = "warning" if f.action == FIX else "notice"
            if f.action == NOTE:
                title, msg = _gh_escape(f"entityfix: {f.old}", prop=True), _gh_escape(f"{f.old}: {_reason_text(f)}")
                out.append(f"::{kind} file={_gh_escape(result.path, True)},line={line},col={col},endColumn={col + len(f.old)},title={title}::{msg}")
                continue
            title = _gh_escape(f"entityfix: {f.old} -> {f.new}", prop=True)
            msg = _gh_escape(f"{f.old} -> {f.new} ({f.entity}, {f.type}, {f.confidence:.3f}): {_reason_text(f)}")
            out.append(f"::{kind} file={_gh_escape(result.path, True)},line={line},col={col},endColumn={col + len(f.old)},title={title}::{msg}")
    return "\n".join(out)


def unified_diff(path: str, old_text: str, new_text: str) -> str:
    if old_text == new_text:
        return ""
    # relative paths get git's a/ b/ prefixes (so `git apply` takes the diff); absolute ones stay as they are
    old_name, new_name = (path, path) if path.startswith("/") else (f"a/{path}", f"b/{path}")
    lines = difflib.unified_diff(
        old_text.splitlines(keepends=True), new_text.splitlines(keepends=True), fromfile=old_name, tofile=new_name
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def to_diff(results: Iterable[FileResult], actions: frozenset[str] = frozenset({FIX})) -> str:
    return "".join(unified_diff(r.path, r.text, apply_findings(r.text, r.findings, actions)) for r in results)
