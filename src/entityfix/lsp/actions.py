"""Code actions and hover text for findings: pure functions of a checked document.

Why separate from the server: these decide what the user can do with a finding (the quick fix,
"fix all", "never change this name", "add to gazetteer") and what the hover says, and are easier
to read and test without the protocol plumbing.  Edits that change the document are returned as
``WorkspaceEdit``s the client applies to its buffer (undoable there); the ones that write a list
or a config are commands the server runs (``server.py``), after which every open document is
re-checked with the new lists.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from lsprotocol import types as lsp

if TYPE_CHECKING:  # pragma: no cover
    from entityfix.lsp.projects import Project
    from entityfix.lsp.server import Checked
    from entityfix.matching.decide import Finding

FIX_ALL_KIND = "source.fixAll.entityfix"


def _wanted(kind: str, only: Sequence[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for "source.fixAll" includes "source.fixAll.entityfix"."""
    return not only or any(kind == o or kind.startswith(f"{o}.") for o in only)


def _edit(uri: str, state: "Checked", findings: list["Finding"]) -> lsp.WorkspaceEdit:
    from entityfix.lsp.server import _range

    edits = [lsp.TextEdit(range=_range(state.lines, f.start, f.end), new_text=f.new) for f in findings]
    return lsp.WorkspaceEdit(changes={uri: edits})


def code_actions(
    uri: str, state: "Checked", rng: lsp.Range, diagnostics: Sequence[lsp.Diagnostic], only: Sequence[str] | None,
    diagnostic: Callable[["Finding", object], lsp.Diagnostic],
) -> list[lsp.CodeAction]:
    start = state.lines.offset(rng.start.line, rng.start.character)
    end = state.lines.offset(rng.end.line, rng.end.character)
    here = [f for f in state.findings if f.start <= end and f.end >= start and f.action != "note"]  # a note has no edit
    out: list[lsp.CodeAction] = []
    if _wanted(lsp.CodeActionKind.QuickFix, only):
        for f in here:
            out.append(
                lsp.CodeAction(
                    title=f"Change '{f.old}' to '{f.new}' ({f.entity})",
                    kind=lsp.CodeActionKind.QuickFix,
                    diagnostics=[diagnostic(f, state.lines)],
                    is_preferred=f.action == "fix",
                    edit=_edit(uri, state, [f]),
                )
            )
        for f in here:
            out.extend(_never_actions(f, state.project))
    fixes = [f for f in state.findings if f.action == "fix"]
    if fixes and (here or only) and (_wanted(FIX_ALL_KIND, only) or _wanted(lsp.CodeActionKind.QuickFix, only)):
        out.append(
            lsp.CodeAction(
                title=f"Fix all {len(fixes)} misspelt name{'s' if len(fixes) != 1 else ''} in this file (entityfix)",
                kind=FIX_ALL_KIND,
                edit=_edit(uri, state, _non_overlapping(fixes)),
            )
        )
    return out


def _non_overlapping(findings: list["Finding"]) -> list["Finding"]:
    out, end = [], -1
    for f in sorted(findings, key=lambda f: (f.start, f.end)):
        if f.start >= end:
            out.append(f)
            end = f.end
    return out


def _never_actions(f: "Finding", project: "Project | None") -> list[lsp.CodeAction]:
    """"Never change this name" (the entity's ``never`` list, else the config's allow list) and
    "add to gazetteer" (the spelling becomes a name of its own in the project's list)."""
    from entityfix.lsp.server import CMD_ADD, CMD_ALLOW, CMD_NEVER

    if project is None:
        return []
    from entityfix.cli.review import NeverPlaces

    places = NeverPlaces(project.folder, project.settings.gazetteer_paths)
    out = []
    path = places.gazetteer_for(f)
    if path is not None:
        title = f"Never change '{f.old}': add it to the never list of {f.entity} in {places.shown(path)}"
        out.append(_command(title, CMD_NEVER, [str(path), f.entity, f.type, f.old]))
    title = f"Never change '{f.old}': add it to the allow list in {places.shown(places.allow_file())}"
    out.append(_command(title, CMD_ALLOW, [f.old, str(project.folder)]))
    target = project_list(project)
    if target is not None:
        title = f"Add '{f.old}' ({f.type}) to the gazetteer {places.shown(target)}"
        out.append(_command(title, CMD_ADD, [str(target), f.old, f.type]))
    return out


def _command(title: str, command: str, arguments: list) -> lsp.CodeAction:
    return lsp.CodeAction(
        title=title, kind=lsp.CodeActionKind.QuickFix, command=lsp.Command(title=title, command=command, arguments=arguments)
    )


def project_list(project: "Project") -> Path | None:
    """The first writable YAML gazetteer the project's config names (never a shipped list)."""
    from entityfix.errors import EntityfixError
    from entityfix.gazetteer.store import expand

    try:
        files = expand(list(project.settings.gazetteers))
    except EntityfixError:
        return None
    for file in files:
        if file.suffix.lower() in (".yaml", ".yml") and os.access(file, os.W_OK):
            return file
    return None


def entity_of(project: "Project | None", f: "Finding"):
    """The gazetteer entry a finding points to (None if it cannot be found)."""
    if project is None:
        return None
    from entityfix.spelling.names import tokenize
    from entityfix.spelling.phonetic import exact_key

    gaz = project.checker.gazetteer
    keys = [exact_key(t.text) for t in tokenize(f.entity)]
    for fid in gaz.forms_with_key(keys):
        e = gaz.form_entity(fid)
        if e.name == f.entity and e.type == f.type:
            return e
    return None


def hover_text(f: "Finding", project: "Project | None") -> str:
    lines = [f"**{f.entity}** ({f.type})", ""]
    e = entity_of(project, f)
    if e is not None:
        if e.aliases:
            lines.append("aliases: " + ", ".join(e.aliases))
        where = f"{e.source}:{e.line}" if e.line else e.source
        lines.append(f"from: {where or 'unknown list'}" + (" (reference list)" if e.reference else ""))
        lines.append("")
    label = "fix" if f.action == "fix" else "suggestion"
    if f.action == "note":
        lines.append(f"`{f.old}`: note")
    else:
        lines.append(f"`{f.old}` → `{f.new}`: {label}, confidence {f.confidence:.3f}")
    lines.extend(f"- {r}" for r in f.reasons)
    return "\n".join(lines)
