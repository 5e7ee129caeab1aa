"""One corpus run, start to end: plan the documents, skip those already done, run the rest as
tasks, report in input order, write the output.

The driver (this module, in the process that calls ``run``) never checks a document and never
holds the corpus's text: it finds the documents (``inputs.plan``), groups them into tasks
(``tasks.group``), hands them to the runner (``cluster.connect``), and puts the results in input
order (``InOrder``) whatever order the tasks finish in.  The results stream into the progress file
as they come (``output.Progress``); the output is written once, at the end.

What a run says, in input order: without an output, each finding as the text report's line (a
record is named ``path#id``), and ``fixed `` before a fix ``fix`` wrote, as the command line
does; with an output, nothing but errors and a last summary.  Errors (an input that cannot be read,
a record without text, a task whose workers died) are one line each, and the rest of the run goes
on; the exit code is then 2.
"""

from __future__ import annotations

import hashlib
import json
import sys
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Callable, Iterator

from entityfix import __version__
from entityfix.corpus import records
from entityfix.corpus.inputs import ERROR, FILE, Item, named, plan
from entityfix.corpus.output import Done, Progress, write_output
from entityfix.corpus.tasks import TASK_BYTES, Task, group
from entityfix.errors import EntityfixError
from entityfix.matching.decide import FIX, SUGGEST
from entityfix.settings import Settings

EXIT_CLEAN, EXIT_FOUND, EXIT_ERROR = 0, 1, 2
ACTIONS = ("check", "fix")


@dataclass
class Outcome:
    """What a run did: documents checked now, taken from an earlier run, failed; findings; files written."""

    action: str = "check"
    documents: int = 0  # documents planned (inputs that could not be planned included)
    checked: int = 0  # checked by this run
    resumed: int = 0  # taken from the progress file of an earlier run
    errors: int = 0
    findings: int = 0  # over every document reported or written, resumed ones included
    written: int = 0  # files ``fix`` changed in this run
    runner: str = ""

    @property
    def exit_code(self) -> int:
        if self.errors:
            return EXIT_ERROR
        return EXIT_FOUND if (self.written if self.action == "fix" else self.findings) else EXIT_CLEAN


def _stderr(prefix: str) -> Callable[[str], None]:
    def say(message: str) -> None:
        print(f"{prefix}{message}", file=sys.stderr, flush=True)

    return say


def run(
    paths: list[str], settings: Settings, *, action: str, output: Path | None, scheduler: str | None,
    text_field: str = "text", id_field: str | None = None, apply_suggestions: bool = False,
    report: Callable[[str], None], error: Callable[[str], None] | None = None, info: Callable[[str], None] | None = None,
    workers: int | None = None, task_bytes: int = TASK_BYTES,
) -> int:
    """`entityfix check|fix --engine dask`: returns the exit code (0 clean, 1 findings/changed, 2 errors).

    ``report`` gets each text line (``path:line:col: old -> new (...) reasons``), in input order,
    when there is no ``output``; ``error`` each one-line error (default: ``entityfix: error: ...`` on
    standard error), ``info`` the dashboard link and the summary of a run with an output (default:
    standard error).  ``workers``: the size of a local cluster (default one per core).  A usage
    problem (no dask, a scheduler that cannot be reached, an option the engine does not support)
    raises ``EntityfixError``.
    """
    outcome = execute(
        paths, settings, action=action, output=output, scheduler=scheduler, text_field=text_field, id_field=id_field,
        apply_suggestions=apply_suggestions, report=report, error=error, info=info, workers=workers, task_bytes=task_bytes,
    )
    return outcome.exit_code


def execute(
    paths: list[str], settings: Settings, *, action: str, output: Path | None, scheduler: str | None,
    text_field: str = "text", id_field: str | None = None, apply_suggestions: bool = False,
    report: Callable[[str], None], error: Callable[[str], None] | None = None, info: Callable[[str], None] | None = None,
    workers: int | None = None, task_bytes: int = TASK_BYTES,
) -> Outcome:
    """``run``, returning what was done (``Outcome``) rather than the exit code."""
    from entityfix.corpus.cluster import connect, failure_message

    error = error or _stderr("entityfix: error: ")
    info = info or _stderr("entityfix: ")
    settings = _usable(settings, action, output)
    _validate(settings)
    items = list(plan(paths, settings.include, settings.exclude, text_field, id_field, records=action != "fix"))
    outcome = Outcome(action=action, documents=len(items))
    fingerprint = _fingerprint(settings, action, apply_suggestions, text_field, id_field)
    progress = Progress(output) if output is not None else None
    done = progress.open() if progress is not None else {}
    try:
        ordered = InOrder(items, keep=progress is not None)
        todo = []
        for item in items:
            was = done.get(item.key) if item.kind != ERROR else None
            if was is not None and was.stamp == (*item.stamp, fingerprint):
                ident = item.shown if item.kind == FILE else was.id  # a file's id is its path as named now
                ordered.put({"index": item.index, "id": ident, "findings_json": was.findings, "stamp": list(item.stamp)})
                outcome.resumed += 1
            elif item.kind != ERROR:
                todo.append(item)
        done.clear()
        emit = _Emitter(report, error, output is None, frozenset({FIX, SUGGEST}) if apply_suggestions else frozenset({FIX}), outcome)
        with connect(scheduler, settings, workers, info) if todo else _nothing_to_run() as runner:
            outcome.runner = runner.description
            tasks = [Task(action, settings, tuple(run), text_field, id_field, apply_suggestions) for run in group(todo, runner.workers, task_bytes)]
            for item, result in ordered.ready():
                emit(item, result)
            for n, got in runner.results(tasks):
                if isinstance(got, BaseException):
                    reason = failure_message(got)
                    got = [{"index": item.index, "error": named(item, reason)} for item in tasks[n].items]
                for r in got:
                    if "findings" in r:
                        r["findings_json"] = _json(r.pop("findings"))  # kept as text until the output is written: smaller
                        outcome.checked += 1
                if progress is not None:
                    progress.add((items[r["index"]].key, _done(r, fingerprint)) for r in got if "error" not in r)
                for r in got:
                    ordered.put(r)
                for item, result in ordered.ready():
                    emit(item, result)
        if progress is not None:
            finished = [(item, ordered.results[item.index]) for item in items if "error" not in ordered.results[item.index]]
            progress.finish((item.key, _done(r, fingerprint)) for item, r in finished)
            count = write_output(output, ((r["id"], item.shown, r["findings_json"]) for item, r in finished))
            info(_summary(output, count, outcome))
    finally:
        if progress is not None:
            progress.close()
    return outcome


@contextmanager
def _nothing_to_run():
    """Every document is done already (a rerun): no cluster is started."""

    class Idle:
        workers = 1
        description = "none (every document was done by an earlier run)"

        def results(self, tasks):
            return iter(())

    yield Idle()


def _summary(output: Path, count: int, outcome: Outcome) -> str:
    def n(k: int, what: str) -> str:
        return f"{k} {what}{'s' if k != 1 else ''}"

    text = f"{output}: {n(count, 'document')} ({outcome.checked} checked now, {outcome.resumed} from an earlier run), {n(outcome.findings, 'finding')}"
    if outcome.errors:
        text += f", {n(outcome.errors, 'error')}"
    if outcome.action == "fix":
        text += f", {n(outcome.written, 'file')} fixed"
    return text


class InOrder:
    """Results in input order, whatever order they arrive in: ``put`` each, take the ``ready`` ones.

    With ``keep`` the results stay (the output is written from them at the end); without, each is
    dropped once said."""

    def __init__(self, items: list[Item], keep: bool):
        self.items = items
        self.keep = keep
        self.results: dict[int, dict] = {}
        self.next = 0

    def put(self, result: dict) -> None:
        self.results[result["index"]] = result

    def ready(self) -> Iterator[tuple[Item, dict]]:
        while self.next < len(self.items):
            item = self.items[self.next]
            if item.kind == ERROR:
                self.results[item.index] = {"index": item.index, "error": item.error}
            elif item.index not in self.results:
                return
            self.next += 1
            yield item, (self.results[item.index] if self.keep else self.results.pop(item.index))


class _Emitter:
    """Says each result, in order: its finding lines (no output) or nothing; errors always."""

    def __init__(self, report, error, lines: bool, actions: frozenset[str], outcome: Outcome):
        self.report, self.error, self.lines, self.actions, self.outcome = report, error, lines, actions, outcome

    def __call__(self, item: Item, result: dict) -> None:
        if "error" in result:
            self.outcome.errors += 1
            self.error(result["error"])
            return
        findings = json.loads(result["findings_json"])
        self.outcome.findings += len(findings)
        written = bool(result.get("written"))
        self.outcome.written += written
        if not self.lines:
            return
        where = item.shown if item.record is None else f"{item.shown}#{result['id']}"
        for f in findings:
            line = records.text_line(where, f)
            self.report(("fixed " if written and f["action"] in self.actions else "") + line)


def _json(findings: list[dict]) -> str:
    return json.dumps(findings, ensure_ascii=False)


def _done(result: dict, fingerprint: str) -> Done:
    return Done((*result["stamp"], fingerprint), result["id"], result["findings_json"])


def _usable(settings: Settings, action: str, output: Path | None) -> Settings:
    """The settings as workers on other hosts can use them (list paths made absolute); refuse what
    the engine does not do."""
    if action not in ACTIONS:
        raise EntityfixError(f"action {action!r} is not one of {', '.join(ACTIONS)}")
    if settings.consistency == "corpus":
        raise EntityfixError("--consistency corpus compares every document with every other; the Dask engine checks them apart (use --consistency document)")
    if settings.sources is not None:
        raise EntityfixError("source texts (--source, --source-dir) are not supported by the Dask engine")
    if output is not None and output.suffix.lower() not in (".jsonl", ".parquet"):
        raise EntityfixError("the output of the Dask engine is a .jsonl or .parquet file", str(output))
    return replace(settings, gazetteers=tuple(Path(p).absolute() for p in settings.gazetteers))


def _validate(settings: Settings) -> None:
    """Fail early, once, in the driver: the lists load and the model exists (no spaCy loaded here)."""
    from entityfix.checker import Checker

    Checker(settings)


def _fingerprint(settings: Settings, action: str, apply_suggestions: bool, text_field: str, id_field: str | None) -> str:
    """What a recorded result depends on besides its input: the version, the run's options, the
    settings and the lists' files (path, size, mtime).  A rerun that changes any of them checks again."""
    from entityfix.gazetteer.store import expand

    parts = [__version__, action, str(apply_suggestions), text_field, str(id_field)]
    parts += [f"{f.name}={getattr(settings, f.name)!r}" for f in fields(settings) if f.compare]
    for file in expand(settings.gazetteer_paths):
        st = file.stat()
        parts.append(f"{file.resolve()}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.blake2b("\n".join(parts).encode("utf-8"), digest_size=8).hexdigest()
