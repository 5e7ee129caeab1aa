"""What runs in a worker: one Checker per process, and the task that checks (or fixes) documents.

Loading the spaCy pipeline and the compiled lists takes seconds and about half a gigabyte, so each
worker process does it once: ``CheckerPlugin`` (a Dask ``WorkerPlugin``) builds the Checker when
the worker starts, or joins the cluster later, a replacement for a dead worker included, and every
task finds it in this process's cache (``checker``).  Without a cluster (the synchronous scheduler)
the cache fills on the first task.

``run_task`` returns plain data only, one dict per document (``records.py``): a document's findings
with its stamp, or the one-line error that stopped it.  A bad document never fails the task: the
rest of the task goes on.  Tasks are idempotent, so Dask may run one again when its worker dies:
checking reads only, and ``fix`` writes a file only where the text still needs fixing, so a task
re-run after its worker wrote some files finds those files fixed and leaves them alone (it then
reports them as unchanged).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from entityfix.apply import apply_findings
from entityfix.checker import Checker
from entityfix.corpus import records
from entityfix.corpus.inputs import Loaded, load, named
from entityfix.corpus.tasks import Task
from entityfix.errors import EntityfixError
from entityfix.matching.decide import FIX, SUGGEST
from entityfix.settings import Settings
from entityfix.text.document import ChangedOnDisk, Document, read, write_atomic

WRITE_ATTEMPTS = 3  # as the command line: a file another writer keeps changing is reported after this many re-checks

_checkers: dict[Settings, Checker] = {}
_lock = threading.Lock()  # a task may ask while the plugin is still loading: it waits, nothing loads twice


def checker(settings: Settings) -> Checker:
    """This process's Checker for these settings, its spaCy pipeline loaded (once)."""
    with _lock:
        found = _checkers.get(settings)
        if found is None:
            found = Checker(settings)
            found.extractor  # the pipeline loads on first need: here, once, not inside the first task's timing
            _checkers[settings] = found
        return found


def forget(settings: Settings) -> None:
    with _lock:
        _checkers.pop(settings, None)


try:
    from distributed import WorkerPlugin
except ImportError:  # pragma: no cover - dask is an optional extra; the synchronous path needs no plugin
    WorkerPlugin = object  # type: ignore[assignment,misc]


class CheckerPlugin(WorkerPlugin):
    """Loads the Checker in every worker process of the cluster, once, when the worker starts.

    Registered with the scheduler, so a worker that joins later (a replacement for a killed one,
    an added host) loads it too.  Removing the plugin at the end of a run frees the memory on a
    shared cluster.
    """

    idempotent = True  # registering it again with the same name changes nothing

    def __init__(self, settings: Settings):
        self.settings = settings

    async def setup(self, worker=None) -> None:
        # seconds of loading, in a thread: the worker's event loop keeps answering the scheduler meanwhile
        import asyncio

        await asyncio.to_thread(checker, self.settings)

    def teardown(self, worker=None) -> None:
        forget(self.settings)


def run_task(task: Task) -> list[dict]:
    """One dict per document of the task, in its order:

    ``{"index", "id", "findings", "stamp", "written"}`` for a document checked (``findings`` in the
    JSON report's fields, ``stamp`` the (size, mtime_ns) of the bytes the findings are about), or
    ``{"index", "error"}`` for one that could not be.
    """
    settings = task.settings
    the_checker = checker(settings)
    actions = frozenset({FIX, SUGGEST}) if task.apply_suggestions else frozenset({FIX})
    out = []
    for item, got in zip(task.items, load(task.items, task.text_field, task.id_field, settings.encoding, settings.max_bytes)):
        if isinstance(got, EntityfixError):
            out.append({"index": item.index, "error": str(got)})
            continue
        try:
            if task.action == "fix" and got.document is not None:
                doc, findings, written = fix_file(the_checker, got.document, settings, actions)
                got = Loaded(item, doc.text, got.id, _stamp_now(doc, written), doc)
            else:
                findings, written = the_checker.check_until_stable(got.text), False
        except EntityfixError as exc:
            out.append({"index": item.index, "error": named(item, exc.message, exc.line)})
            continue
        except Exception as exc:  # a bug must not cost the rest of the task: one error line, as for a bad file
            out.append({"index": item.index, "error": named(item, f"internal error while checking it: {type(exc).__name__}: {exc}")})
            continue
        out.append(
            {
                "index": item.index,
                "id": got.id,
                "findings": records.finding_dicts(got.text, findings),
                "stamp": list(got.stamp),
                "written": written,
            }
        )
    return out


def fix_file(the_checker: Checker, doc: Document, settings: Settings, actions: frozenset[str]) -> tuple[Document, list, bool]:
    """Check a file and write its fixes atomically, as ``entityfix fix`` does (``cli/app._write``).

    ``write_atomic`` refuses when the file changed on disk since it was read (it holds the writer
    lock from that check to its rename); then the new bytes are read, checked again and the same
    kinds of finding applied to them, up to ``WRITE_ATTEMPTS`` times.  Returns the document the
    findings are about, the findings, and whether the file was written.
    """
    findings = the_checker.check_until_stable(doc.text)
    for attempt in range(WRITE_ATTEMPTS):
        chosen = [f for f in findings if f.action in actions]
        new_text = apply_findings(doc.text, chosen, frozenset({FIX, SUGGEST}))
        if new_text == doc.text:
            return doc, findings, False
        try:
            write_atomic(doc, new_text)
            return doc, findings, True
        except ChangedOnDisk:
            if attempt == WRITE_ATTEMPTS - 1:
                raise
        doc = read(Path(doc.path), settings.encoding, settings.max_bytes)
        findings = the_checker.check_until_stable(doc.text)
    raise AssertionError("unreachable")


def _stamp_now(doc: Document, written: bool) -> tuple[int, int]:
    """The stamp to record: after a write, the new file's (a rerun then finds it done)."""
    if not written:
        return (doc.raw_size, doc.mtime_ns)
    try:
        st = os.stat(doc.path)
    except OSError:
        return (0, 0)
    return (st.st_size, st.st_mtime_ns)
