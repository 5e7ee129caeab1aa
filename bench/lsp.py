"""Bench rows for ``entityfix lsp``: one command, one table.

    python bench/lsp.py

* cold ``check``: ``entityfix check`` of a 10 kB document in a fresh process (warm list cache);
* first diagnostics: ``didOpen`` of the same document to its diagnostics, the server started
  just before (target: at most 1.5x the cold check);
* change, warm: one edit (a word typed into a paragraph) to the diagnostics of that version,
  debounce included, median of 10 (target: 300 ms);
* server memory: peak RSS of the server process (target: 600 MiB) with the shipped lists.

The document is seed 003 and seed 000 repeated to 10 kB (findings in every paragraph).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types as lsp
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def document() -> str:
    parts = [p.read_text(encoding="utf-8").strip() for p in SEEDS]
    text = ""
    while len(text) < 10_000:
        text += "\n\n".join(parts) + "\n\n"
    cut = text.rfind("\n\n", 0, 10_000)
    return text[: cut + 1]


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def lsp_rows(path: Path, text: str) -> dict[str, float]:
    client = LanguageClient("bench", "0")
    published: list[lsp.PublishDiagnosticsParams] = []

    @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def _diags(params):
        published.append(params)

    async def wait(version: int) -> list:
        while True:
            for p in published:
                if p.version == version:
                    return p.diagnostics
            await asyncio.sleep(0.002)

    await client.start_io(sys.executable, "-m", "entityfix.cli", "lsp")
    await client.initialize_async(
        lsp.InitializeParams(
            capabilities=lsp.ClientCapabilities(), root_uri=from_fs_path(str(path.parent)),
            workspace_folders=[lsp.WorkspaceFolder(uri=from_fs_path(str(path.parent)), name="bench")],
        )
    )
    client.initialized(lsp.InitializedParams())
    uri = from_fs_path(str(path))
    t0 = time.perf_counter()
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(
        text_document=lsp.TextDocumentItem(uri=uri, language_id="plaintext", version=1, text=text)))
    first = await wait(1)
    open_s = time.perf_counter() - t0
    lines = text.split("\n")
    times = []
    for i in range(10):
        line = 4 * i % len(lines)
        while not lines[line].strip():
            line += 1
        version = i + 2
        pos = lsp.Position(line=line, character=0)
        t0 = time.perf_counter()
        client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangePartial(range=lsp.Range(start=pos, end=pos), text=f"Then{i} ")]))
        await wait(version)
        times.append(time.perf_counter() - t0)
    rss = peak_rss_mib(client._server.pid)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"open": open_s, "change": statistics.median(times), "change_max": max(times), "rss": rss, "findings": len(first)}


def main() -> None:
    os.environ.setdefault("ENTITYFIX_CACHE_DIR", str(Path(tempfile.gettempdir()) / "entityfix-bench-cache"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.txt"
        text = document()
        path.write_text(text, encoding="utf-8")
        (Path(tmp) / ".entityfix.toml").write_text("", encoding="utf-8")
        subprocess.run([sys.executable, "-m", "entityfix.cli", "check", "-q", str(path)], capture_output=True)  # list cache
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-m", "entityfix.cli", "check", "-q", str(path)], capture_output=True)
        cold = time.perf_counter() - t0
        rows = asyncio.run(lsp_rows(path, text))
    print(f"document: {len(text.encode('utf-8'))} bytes, {rows['findings']} findings")
    print(f"{'row':<44} {'measured':>12} {'target':>12}  ok")
    table = [
        ("cold `entityfix check` (reference)", f"{cold * 1000:.0f} ms", "", None),
        ("first diagnostics after didOpen", f"{rows['open'] * 1000:.0f} ms", f"{1.5 * cold * 1000:.0f} ms", rows["open"] <= 1.5 * cold),
        ("diagnostics after a change, warm (median)", f"{rows['change'] * 1000:.0f} ms", "300 ms", rows["change"] <= 0.3),
        ("  (slowest of 10)", f"{rows['change_max'] * 1000:.0f} ms", "", None),
        ("server memory (peak RSS)", f"{rows['rss']:.0f} MiB", "600 MiB", rows["rss"] <= 600),
    ]
    for name, measured, target, ok in table:
        print(f"{name:<44} {measured:>12} {target:>12}  {'' if ok is None else ('yes' if ok else 'NO')}")


if __name__ == "__main__":
    main()
