"""``entityfix lsp``: the language server (stdio), built on pygls 2.

Why this shape:

* **One checking thread.**  A check is CPU-bound (tens of milliseconds warm, about a second for
  the first, which loads spaCy) and a ``Checker`` is not thread-safe, so checks run one at a time
  in a worker thread while the event loop keeps answering hovers and code actions.
* **Debounce, then the whole document.**  A change schedules a check ``debounce`` seconds later
  (0.1 s by default), cancelling the one pending for that document.  The resolver's decisions are
  document-level ("written correctly at line 5", one spelling per document), so every check
  decides over the whole text, as ``entityfix check`` does; what is incremental is NER, the
  dominant cost, which is re-run only on the paragraphs whose text changed (``text/extract.py``).
* **Results belong to a text.**  Findings are kept with the exact text they were computed for; a
  result that arrives after the text changed again is dropped, and code actions are offered only
  while the text still is that text, so an edit is never applied to the wrong letters.
* **Positions** are converted in ``positions.py`` (UTF-16 unless the client negotiated another
  encoding).
* **Settings** come from the CLI's config discovery per workspace folder (``projects.py``), and
  config or list changes on disk are picked up before the next check, without a restart.
"""

from __future__ import annotations

import asyncio
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from entityfix import __version__
from entityfix.errors import EntityfixError
from entityfix.lsp.positions import UTF16, Lines
from entityfix.lsp.projects import Project, Projects

log = logging.getLogger("entityfix.lsp")

SOURCE = "entityfix"
FIX_ALL_KIND = "source.fixAll.entityfix"
CMD_ALLOW = "entityfix.allow"
CMD_NEVER = "entityfix.never"
CMD_ADD = "entityfix.addToGazetteer"
SEVERITIES = {
    "error": lsp.DiagnosticSeverity.Error,
    "warning": lsp.DiagnosticSeverity.Warning,
    "information": lsp.DiagnosticSeverity.Information,
    "info": lsp.DiagnosticSeverity.Information,
    "hint": lsp.DiagnosticSeverity.Hint,
}


@dataclass
class Options:
    """Client-side options: ``initializationOptions`` or ``settings.entityfix`` of didChangeConfiguration."""

    debounce: float = 0.1
    severity: dict[str, lsp.DiagnosticSeverity] = field(
        default_factory=lambda: {"fix": lsp.DiagnosticSeverity.Warning, "suggest": lsp.DiagnosticSeverity.Information, "note": lsp.DiagnosticSeverity.Hint}
    )

    def update(self, raw: Any) -> None:
        if not isinstance(raw, dict):
            return
        raw = raw.get("entityfix", raw) if isinstance(raw.get("entityfix"), dict) else raw
        if isinstance(raw.get("debounce"), (int, float)) and not isinstance(raw.get("debounce"), bool):
            self.debounce = max(0.0, float(raw["debounce"]))
        sev = raw.get("severity")
        if isinstance(sev, dict):
            for action in ("fix", "suggest", "note"):
                name = sev.get(action) or sev.get("suggestion" if action == "suggest" else action)
                if isinstance(name, str) and name.lower() in SEVERITIES:
                    self.severity[action] = SEVERITIES[name.lower()]


@dataclass
class Checked:
    """The findings of one document, with the exact text and project they were computed for."""

    text: str
    version: int | None
    findings: list  # list[Finding], sorted by start
    lines: Lines
    project: Project | None


class EntityfixServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("entityfix", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Incremental)
        self.options = Options()
        self.projects = Projects()
        self.checked: dict[str, Checked] = {}
        self.pending: dict[str, asyncio.Future] = {}
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="entityfix-check")
        self.errors_shown: set[str] = set()

    # ------------------------------------------------------------ helpers

    @property
    def encoding(self) -> str:
        enc = self.workspace.position_encoding if self._workspace_ready() else UTF16
        return str(getattr(enc, "value", enc) or UTF16)

    def _workspace_ready(self) -> bool:
        try:
            self.workspace
        except Exception:
            return False
        return True

    def folders(self) -> list[Path]:
        out = []
        for folder in self.workspace.folders.values():
            path = _fs_path(folder.uri)
            if path is not None:
                out.append(path)
        if not out and self.workspace.root_path:
            out.append(Path(self.workspace.root_path))
        return out

    def doc_path(self, uri: str) -> Path:
        path = _fs_path(uri)
        if path is not None:
            return path
        folders = self.folders()  # an unsaved buffer: the first folder's settings
        return (folders[0] if folders else Path.cwd()) / "untitled"

    def schedule(self, uri: str, delay: float) -> None:
        old = self.pending.pop(uri, None)
        if old is not None:
            old.cancel()
        self.pending[uri] = asyncio.ensure_future(self._check_later(uri, delay))

    def recheck_all(self) -> None:
        for uri in list(self.workspace.text_documents):
            self.schedule(uri, 0)

    async def _check_later(self, uri: str, delay: float) -> None:
        try:
            if delay > 0:
                await asyncio.sleep(delay)
            if uri not in self.workspace.text_documents:
                return
            doc = self.workspace.get_text_document(uri)
            text, version = doc.source, doc.version
            path = self.doc_path(uri)
            loop = asyncio.get_running_loop()
            findings, project, error = await loop.run_in_executor(self.pool, self._check, path, text)
        except asyncio.CancelledError:
            return
        if self.pending.get(uri) is asyncio.current_task():
            del self.pending[uri]
        if uri not in self.workspace.text_documents or self.workspace.get_text_document(uri).source != text:
            return  # changed meanwhile: the check scheduled by that change will publish
        if error is not None:
            self._show_error(error)
        lines = Lines(text, self.encoding)
        self.checked[uri] = Checked(text, version, findings, lines, project)
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=[self.diagnostic(f, lines) for f in findings])
        )

    def _check(self, path: Path, text: str):
        """In the checking thread: (findings, project, error message)."""
        try:
            project = self.projects.project(path)
            if _excluded(path, project):
                return [], project, None
            findings = sorted(project.checker.check_until_stable(text), key=lambda f: (f.start, f.end))
            return findings, project, None
        except EntityfixError as exc:
            return [], None, f"entityfix: {exc}"
        except Exception as exc:  # never take the editor's server down with one bad document
            log.exception("check failed")
            return [], None, f"entityfix: internal error: {exc!r}"

    def _show_error(self, message: str) -> None:
        if message in self.errors_shown:
            return
        self.errors_shown.add(message)
        self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=message))

    def diagnostic(self, f, lines: Lines) -> lsp.Diagnostic:
        label = "fix" if f.action == "fix" else "suggestion"
        message = f"{f.old} → {f.new} ({f.entity}, {f.type}; {label}, {f.confidence:.3f}): " + "; ".join(f.reasons)
        if f.action == "note":  # a note changes nothing: it only says what it found
            message = f"{f.old}: " + "; ".join(f.reasons)
        return lsp.Diagnostic(
            range=_range(lines, f.start, f.end),
            message=message,
            severity=self.options.severity.get(f.action, lsp.DiagnosticSeverity.Information),
            source=SOURCE,
            code=f.action,
            data={"old": f.old, "new": f.new, "entity": f.entity, "type": f.type},
        )

    def current(self, uri: str) -> Checked | None:
        """The findings of ``uri`` if they are for the text the editor has now."""
        state = self.checked.get(uri)
        if state is None or uri not in self.workspace.text_documents:
            return None
        if self.workspace.get_text_document(uri).source != state.text:
            return None
        return state


def _fs_path(uri: str) -> Path | None:
    from pygls.uris import to_fs_path

    if not uri.startswith("file:"):
        return None
    path = to_fs_path(uri)
    return Path(path) if path else None


def _range(lines: Lines, start: int, end: int) -> lsp.Range:
    (l1, c1), (l2, c2) = lines.position(start), lines.position(end)
    return lsp.Range(start=lsp.Position(line=l1, character=c1), end=lsp.Position(line=l2, character=c2))


def _excluded(path: Path, project: Project) -> bool:
    from fnmatch import fnmatch

    if not project.settings.exclude:
        return False
    try:
        rel = path.resolve().relative_to(project.folder).as_posix()
    except ValueError:
        rel = path.name
    return any(fnmatch(rel, pat) or fnmatch(path.name, pat) for pat in project.settings.exclude)


server = EntityfixServer()


# ---------------------------------------------------------------- lifecycle and sync


@server.feature(lsp.INITIALIZE)
def initialize(ls: EntityfixServer, params: lsp.InitializeParams) -> None:
    ls.options.update(params.initialization_options)
    ls.projects.set_folders(ls.folders())


@server.feature(lsp.INITIALIZED)
def initialized(ls: EntityfixServer, params: lsp.InitializedParams) -> None:
    # load spaCy and the lists now, while the user is still opening a file
    folder = (ls.folders() or [Path.cwd()])[0]
    ls.pool.submit(ls._check, folder / "untitled", "")


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: EntityfixServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, 0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: EntityfixServer, params: lsp.DidChangeTextDocumentParams) -> None:
    ls.schedule(params.text_document.uri, ls.options.debounce)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE, lsp.SaveOptions(include_text=False))
def did_save(ls: EntityfixServer, params: lsp.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    path = _fs_path(uri)
    if path is not None and (path.name in (".entityfix.toml", "pyproject.toml") or path.suffix in (".yaml", ".yml", ".tsv")):
        ls.recheck_all()  # a config or list saved from the editor: every document may change
    else:
        ls.schedule(uri, 0)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: EntityfixServer, params: lsp.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.checked.pop(uri, None)
    ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


@server.feature(lsp.WORKSPACE_DID_CHANGE_CONFIGURATION)
def did_change_configuration(ls: EntityfixServer, params: lsp.DidChangeConfigurationParams) -> None:
    ls.options.update(params.settings)
    ls.recheck_all()


@server.feature(lsp.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
def did_change_folders(ls: EntityfixServer, params: lsp.DidChangeWorkspaceFoldersParams) -> None:
    ls.projects.set_folders(ls.folders())
    ls.recheck_all()


@server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched(ls: EntityfixServer, params: lsp.DidChangeWatchedFilesParams) -> None:
    ls.recheck_all()  # the stamps in projects.py decide what is rebuilt


# ---------------------------------------------------------------- code actions and hover


@server.feature(
    lsp.TEXT_DOCUMENT_CODE_ACTION,
    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND], resolve_provider=False),
)
def code_action(ls: EntityfixServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
    from entityfix.lsp import actions

    state = ls.current(params.text_document.uri)
    if state is None:
        return None
    only = params.context.only if params.context else None
    return actions.code_actions(params.text_document.uri, state, params.range, params.context.diagnostics, only, ls.diagnostic)


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: EntityfixServer, params: lsp.HoverParams) -> lsp.Hover | None:
    from entityfix.lsp import actions

    state = ls.current(params.text_document.uri)
    if state is None:
        return None
    offset = state.lines.offset(params.position.line, params.position.character)
    hit = next((f for f in state.findings if f.start <= offset <= f.end), None)
    if hit is None:
        return None
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=actions.hover_text(hit, state.project)),
        range=_range(state.lines, hit.start, hit.end),
    )


# ---------------------------------------------------------------- commands that write lists


def _after_write(ls: EntityfixServer, message: str) -> str:
    ls.projects.invalidate()
    ls.recheck_all()
    ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Info, message=message))
    return message


def _guarded(ls: EntityfixServer, write) -> str | None:
    try:
        return _after_write(ls, write())
    except (EntityfixError, OSError) as exc:
        ls.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Error, message=f"entityfix: {exc}"))
        return None


@server.command(CMD_ALLOW)
def cmd_allow(ls: EntityfixServer, *args) -> str | None:
    """Arguments: name, folder (the config found upwards from it, else a new .entityfix.toml there)."""
    from entityfix.cli.config import add_to_allow

    name, folder = str(args[0]), Path(str(args[1]))
    return _guarded(ls, lambda: f"added {name!r} to the allow list in {add_to_allow(name, folder)}")


@server.command(CMD_NEVER)
def cmd_never(ls: EntityfixServer, *args) -> str | None:
    """Arguments: gazetteer path, entity, type, name."""
    from entityfix.cli.review import add_to_never

    path, entity, etype, name = Path(str(args[0])), str(args[1]), str(args[2]), str(args[3])

    def write() -> str:
        added = add_to_never(path, entity, etype, name)
        return f"{'added' if added else 'already had'} {name!r} in the never list of {entity!r} in {path}"

    return _guarded(ls, write)


@server.command(CMD_ADD)
def cmd_add(ls: EntityfixServer, *args) -> str | None:
    """Arguments: gazetteer path, name, type: the spelling becomes an entity of its own."""
    from entityfix.gazetteer.schema import Entity
    from entityfix.learn import merge

    path, name, etype = Path(str(args[0])), str(args[1]), str(args[2])

    def write() -> str:
        done = merge(path, [Entity(name, etype)])
        return f"added {name!r} ({etype}) to {path}" if done.added else f"{name!r} is already in {path}"

    return _guarded(ls, write)


def main() -> None:
    logging.basicConfig(level=os.environ.get("ENTITYFIX_LSP_LOG", "WARNING").upper(), format="%(name)s: %(message)s")
    server.start_io()
