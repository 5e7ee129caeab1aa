"""The language server over stdio, driven by pygls' own client (one server for the module).

Two workspace folders: ``clean`` is only read (seed checks, positions, actions, hover), ``edited``
gets its config written (allow list, gazetteer) so per-folder settings and reloads are tested
without disturbing the other folder's findings.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason='the language server needs the lsp extra: pip install -e ".[test,lsp]"')

from lsprotocol import types as lsp  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

from conftest import SEED_MT, SEED_MT_FIXES  # noqa: E402

TIMEOUT = 120  # the first check loads spaCy and may compile the lists into a fresh cache


def utf16_offset(text: str, line: int, character: int) -> int:
    """Independent of entityfix.lsp.positions: code-point offset of an LSP UTF-16 position."""
    lines = text.splitlines(keepends=True)
    base = sum(len(s) for s in lines[:line])
    encoded = lines[line].encode("utf-16-le")[: 2 * character]
    return base + len(encoded.decode("utf-16-le"))


def apply_edits(text: str, edits: list[lsp.TextEdit]) -> str:
    spans = []
    for e in edits:
        a = utf16_offset(text, e.range.start.line, e.range.start.character)
        b = utf16_offset(text, e.range.end.line, e.range.end.character)
        spans.append((a, b, e.new_text))
    for a, b, new in sorted(spans, reverse=True):
        text = text[:a] + new + text[b:]
    return text


def covered(text: str, d: lsp.Diagnostic) -> str:
    return text[utf16_offset(text, d.range.start.line, d.range.start.character) : utf16_offset(text, d.range.end.line, d.range.end.character)]


def _fix_code_action_union(client: LanguageClient) -> None:
    """lsprotocol structures any code action with a ``command`` key as a ``Command`` (its test is
    ``"command" in obj``), which garbles a ``CodeAction`` that runs a command; real editors look at
    the type of ``command`` (a string for a Command, an object for a CodeAction), so do that here."""
    from typing import Union

    converter = client.protocol._converter

    def hook(obj, _):
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, lsp.Command)
        return converter.structure(obj, lsp.CodeAction)

    converter.register_structure_hook(Union[lsp.Command, lsp.CodeAction], hook)


class Session:
    def __init__(self, folders: list[Path]):
        self.loop = asyncio.new_event_loop()
        self.client = LanguageClient("entityfix-tests", "0")
        _fix_code_action_union(self.client)
        self.published: dict[str, list[lsp.PublishDiagnosticsParams]] = {}
        self.messages: list[str] = []

        @self.client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diagnostics(params: lsp.PublishDiagnosticsParams) -> None:
            self.published.setdefault(params.uri, []).append(params)

        @self.client.feature(lsp.WINDOW_SHOW_MESSAGE)
        def _message(params: lsp.ShowMessageParams) -> None:
            self.messages.append(params.message)

        self.run(self.client.start_io(sys.executable, "-m", "entityfix.cli", "lsp"))
        self.run(
            self.client.initialize_async(
                lsp.InitializeParams(
                    capabilities=lsp.ClientCapabilities(),
                    root_uri=from_fs_path(str(folders[0])),
                    workspace_folders=[lsp.WorkspaceFolder(uri=from_fs_path(str(f)), name=f.name) for f in folders],
                    initialization_options={"debounce": 0.05},
                )
            )
        )
        self.client.initialized(lsp.InitializedParams())
        self.versions: dict[str, int] = {}

    def run(self, coro, timeout: float = TIMEOUT):
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def open(self, path: Path, text: str | None = None) -> str:
        uri = from_fs_path(str(path))
        text = path.read_text(encoding="utf-8") if text is None else text
        self.versions[uri] = 1
        self.client.text_document_did_open(
            lsp.DidOpenTextDocumentParams(text_document=lsp.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text))
        )
        return uri

    def change(self, uri: str, rng: lsp.Range, new_text: str) -> int:
        self.versions[uri] += 1
        self.client.text_document_did_change(
            lsp.DidChangeTextDocumentParams(
                text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                content_changes=[lsp.TextDocumentContentChangePartial(range=rng, text=new_text)],
            )
        )
        return self.versions[uri]

    def diagnostics(self, uri: str, version: int | None = None, after: int = 0, timeout: float = TIMEOUT) -> list[lsp.Diagnostic]:
        """The first diagnostics published for ``uri`` (for ``version``) after the ``after``-th publication."""

        async def wait():
            while True:
                got = self.published.get(uri, [])[after:]
                for p in got:
                    if version is None or p.version == version:
                        return p.diagnostics
                await asyncio.sleep(0.01)

        return self.run(wait(), timeout)

    def wait_until(self, uri: str, predicate, timeout: float = 30) -> list[lsp.Diagnostic]:
        async def wait():
            while True:
                got = self.published.get(uri, [])
                if got and predicate(got[-1].diagnostics):
                    return got[-1].diagnostics
                await asyncio.sleep(0.01)

        return self.run(wait(), timeout)

    def close(self) -> None:
        try:
            self.run(self.client.shutdown_async(None), 10)
            self.client.exit(None)
            self.run(self.client.stop(), 10)
        finally:
            self.loop.close()


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    root = tmp_path_factory.mktemp("lsp")
    clean, edited = root / "clean", root / "edited"
    clean.mkdir()
    edited.mkdir()
    (clean / ".entityfix.toml").write_text("", encoding="utf-8")  # stops discovery from walking further up
    (edited / ".entityfix.toml").write_text('gazetteers = ["names.yaml"]\n', encoding="utf-8")
    (edited / "names.yaml").write_text("entities:\n  - name: Nobody Inparticular\n    type: PERSON\n", encoding="utf-8")
    return clean, edited


@pytest.fixture(scope="module")
def session(folders):
    s = Session(list(folders))
    yield s
    s.close()


@pytest.fixture(scope="module")
def seed(session, folders):
    """Seed 003 opened in the clean folder, and its first diagnostics."""
    path = folders[0] / "seed.txt"
    path.write_bytes(SEED_MT.read_bytes())
    uri = session.open(path)
    return uri, path.read_text(encoding="utf-8"), session.diagnostics(uri, version=1)


def test_open_publishes_the_seed_findings(seed):
    uri, text, diags = seed
    assert len(diags) == sum(SEED_MT_FIXES.values()) == 15
    pairs = {}
    for d in diags:
        assert d.source == "entityfix"
        assert d.severity == lsp.DiagnosticSeverity.Warning  # every one is a fix
        old = covered(text, d)
        assert d.message.startswith(f"{old} → ")
        assert "sounds alike" in d.message or "(" in d.message  # the reasons travel in the message
        new = d.message.split(" → ", 1)[1].split(" (", 1)[0]
        pairs[(old, new)] = pairs.get((old, new), 0) + 1
    assert pairs == SEED_MT_FIXES


def test_quick_fix_and_fix_all(session, seed):
    uri, text, diags = seed
    first = min(diags, key=lambda d: (d.range.start.line, d.range.start.character))
    actions = session.run(
        session.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), range=first.range,
                context=lsp.CodeActionContext(diagnostics=[first]),
            )
        )
    )
    quick = [a for a in actions if a.kind == lsp.CodeActionKind.QuickFix and a.edit is not None]
    assert len(quick) == 1 and quick[0].is_preferred
    new = first.message.split(" → ", 1)[1].split(" (", 1)[0]
    fixed = apply_edits(text, quick[0].edit.changes[uri])
    start = utf16_offset(text, first.range.start.line, first.range.start.character)
    old = covered(text, first)
    assert fixed == text[:start] + new + text[start + len(old) :]
    # "never change" is offered for the config's allow list
    assert any(a.command and a.command.command == "entityfix.allow" for a in actions)

    fix_all = [a for a in actions if a.kind == "source.fixAll.entityfix"]
    assert len(fix_all) == 1
    everything = apply_edits(text, fix_all[0].edit.changes[uri])
    for (old, new), n in SEED_MT_FIXES.items():
        assert everything.count(new) >= n
    assert not any(f" {old} " in everything for old, _ in SEED_MT_FIXES if old not in {"Anthony"})
    # asking for source.fixAll only gives just that
    only = session.run(
        session.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri),
                range=lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0)),
                context=lsp.CodeActionContext(diagnostics=[], only=["source.fixAll"]),
            )
        )
    )
    assert [a.kind for a in only] == ["source.fixAll.entityfix"]


def test_hover_shows_the_entity(session, seed):
    uri, text, diags = seed
    d = next(d for d in diags if covered(text, d) == "Kantz")
    hover = session.run(
        session.client.text_document_hover_async(
            lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=d.range.start)
        )
    )
    value = hover.contents.value
    assert "**Benny Gantz** (PERSON)" in value
    assert "from: " in value and "morocco-israel-2021.yaml" in value
    assert "aliases: " in value or "`Kantz` → `Gantz`" in value
    # no hover away from findings
    nothing = session.run(
        session.client.text_document_hover_async(
            lsp.HoverParams(text_document=lsp.TextDocumentIdentifier(uri=uri), position=lsp.Position(line=0, character=0))
        )
    )
    assert nothing is None or "Gantz" not in str(nothing)


ASTRAL = "🙂🙂 𝔘 notes: Benny Kantz met 😀 Nasser Purida in Rafat.\n"


def test_positions_are_utf16_after_astral_characters(session, folders):
    path = folders[0] / "astral.txt"
    text = ASTRAL + SEED_MT.read_text(encoding="utf-8")
    path.write_text(text, encoding="utf-8")
    uri = session.open(path, text)
    diags = session.diagnostics(uri, version=1)
    first_line = [d for d in diags if d.range.start.line == 0]
    assert {covered(text, d) for d in first_line} >= {"Kantz", "Purida", "Rafat"}
    kantz = next(d for d in first_line if covered(text, d) == "Kantz")
    # 3 astral characters before "Kantz" on the line: UTF-16 counts 3 more than code points
    assert kantz.range.start.character == text.index("Kantz") + 3
    actions = session.run(
        session.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), range=kantz.range,
                context=lsp.CodeActionContext(diagnostics=[kantz]),
            )
        )
    )
    edit = next(a.edit for a in actions if a.kind == lsp.CodeActionKind.QuickFix and a.edit is not None)
    assert apply_edits(text, edit.changes[uri]).startswith("🙂🙂 𝔘 notes: Benny Gantz met 😀")


def test_change_is_debounced_and_rechecked(session, folders):
    path = folders[0] / "typing.txt"
    text = SEED_MT.read_text(encoding="utf-8")
    uri = session.open(path, text)
    before = session.diagnostics(uri, version=1)
    seen = len(session.published[uri])
    # type a new first paragraph one character at a time, faster than the debounce
    line = "Yesterday Blingen spoke.\n\n"
    versions = []
    for i, ch in enumerate(line):
        line_no, col = (0, i) if "\n" not in line[:i] else (line[:i].count("\n"), i - line[:i].rindex("\n") - 1)
        pos = lsp.Position(line=line_no, character=col)
        versions.append(session.change(uri, lsp.Range(start=pos, end=pos), ch))
    t0 = time.perf_counter()
    after = session.diagnostics(uri, version=versions[-1], after=seen)
    elapsed = time.perf_counter() - t0
    new_text = line + text
    published = session.published[uri][seen:]
    assert len(published) < len(versions) / 4, "every keystroke was checked: no debounce"
    assert len(after) == len(before) + 1
    assert covered(new_text, min(after, key=lambda d: (d.range.start.line, d.range.start.character))) == "Blingen"
    # every old finding moved down two lines, same text under it
    assert sorted(covered(new_text, d) for d in after) == sorted([covered(text, d) for d in before] + ["Blingen"])
    assert elapsed < 5


def test_save_and_close(session, folders):
    path = folders[0] / "saved.txt"
    path.write_text("Benny Kantz spoke.\n", encoding="utf-8")
    uri = session.open(path)
    assert len(session.diagnostics(uri, version=1)) == 1
    seen = len(session.published[uri])
    session.client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert len(session.diagnostics(uri, after=seen)) == 1
    seen = len(session.published[uri])
    session.client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert not session.diagnostics(uri, after=seen)


def test_never_change_writes_the_allow_list_and_reloads(session, folders):
    edited = folders[1]
    path = edited / "doc.txt"
    path.write_text("Benny Gantz said it. Later Benny Kantz and Nasser Purida met.\n", encoding="utf-8")
    uri = session.open(path)
    text = path.read_text(encoding="utf-8")
    diags = session.diagnostics(uri, version=1)
    kantz = next(d for d in diags if covered(text, d) == "Kantz")
    actions = session.run(
        session.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), range=kantz.range,
                context=lsp.CodeActionContext(diagnostics=[kantz]),
            )
        )
    )
    allow = next(a for a in actions if a.command and a.command.command == "entityfix.allow")
    assert ".entityfix.toml" in allow.title
    assert any(a.command and a.command.command == "entityfix.addToGazetteer" and "names.yaml" in a.title for a in actions)
    session.run(session.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=allow.command.command, arguments=allow.command.arguments)
    ))
    assert 'allow = ["Kantz"]' in (edited / ".entityfix.toml").read_text(encoding="utf-8")
    left = session.wait_until(uri, lambda ds: not any(covered(text, d) == "Kantz" for d in ds))
    assert [covered(text, d) for d in left] == ["Purida"]
    # the other folder keeps its own settings
    clean_doc = folders[0] / "kantz.txt"
    clean_doc.write_text("Benny Kantz spoke.\n", encoding="utf-8")
    assert len(session.diagnostics(session.open(clean_doc), version=1)) == 1

    # a list edited outside the editor is picked up without a restart (here on the next save)
    purida = next(d for d in left if covered(text, d) == "Purida")
    actions = session.run(
        session.client.text_document_code_action_async(
            lsp.CodeActionParams(
                text_document=lsp.TextDocumentIdentifier(uri=uri), range=purida.range,
                context=lsp.CodeActionContext(diagnostics=[purida]),
            )
        )
    )
    add = next(a for a in actions if a.command and a.command.command == "entityfix.addToGazetteer")
    session.run(session.client.workspace_execute_command_async(
        lsp.ExecuteCommandParams(command=add.command.command, arguments=add.command.arguments)
    ))
    assert "Purida" in (edited / "names.yaml").read_text(encoding="utf-8")
    assert not session.wait_until(uri, lambda ds: not ds)


def test_config_edited_on_disk_is_picked_up(session, folders):
    edited = folders[1]
    path = edited / "other.txt"
    path.write_text("Nasser Borida spoke.\n", encoding="utf-8")
    uri = session.open(path)
    assert len(session.diagnostics(uri, version=1)) == 1
    cfg = edited / ".entityfix.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('allow = ["Kantz"]', 'allow = ["Kantz", "Borida"]'), encoding="utf-8")
    session.client.text_document_did_save(lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))
    assert not session.wait_until(uri, lambda ds: not ds)
