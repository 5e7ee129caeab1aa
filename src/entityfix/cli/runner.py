"""Checking many documents: in this process or in worker processes, results always in input order.

``check_texts(texts, settings, jobs)`` decides where the work runs (``plan``):

* **In this process** unless workers pay.  A worker pays when it gets enough text to outweigh its
  start: each of ``n`` workers needs at least ``FORKED_WORKER_CHARS`` characters (about a second
  of checking on one core) where workers are forked, ``SPAWNED_WORKER_CHARS`` where they are
  spawned (a spawned worker imports spaCy and loads the model and the lists again: 1-2 s).  So
  ``--jobs 8`` on a handful of files, or on one big file, starts nothing; on more text it starts
  as many workers as the text pays for, at most ``jobs`` and at most one per document.
* **In forked workers** (Linux and other POSIX systems but macOS): the parent loads the spaCy
  pipeline and the compiled gazetteer once, freezes the garbage collector's view of them
  (``gc.freeze``: a worker's collections then do not write to, and so copy, the shared pages), and
  forks.  Every worker starts with the loaded Checker, shared copy-on-write: no worker imports or
  loads anything, and the arrays are in memory once.  Elsewhere (spawn) each worker builds its own
  Checker once.
* Documents go out in chunks of consecutive documents (``chunk``): one task per document costs a
  pickling round trip each, one task per worker leaves a worker idle while the other finishes its
  share.  Chunks of about ``TASK_CHARS`` characters, at least ``TASKS_PER_WORKER`` per worker.

``jobs`` 0 (or less) means one job per CPU this process may use.  Whatever runs where, the findings
are the same as ``jobs=1``'s, in input order: each document is checked by ``check_until_stable`` of
a Checker built from the same settings, and results are yielded in order.
"""

from __future__ import annotations

import gc
import os
import sys
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator

from entityfix.checker import Checker
from entityfix.settings import Settings
from entityfix.matching.decide import Finding

if TYPE_CHECKING:  # multiprocessing and concurrent.futures are imported only where workers start
    from concurrent.futures import ProcessPoolExecutor

PROGRESS_MIN_FILES = 6  # a progress bar only when there are more than a handful of files

FORKED_WORKER_CHARS = 25_000  # text a forked worker must get to pay its start (fork, pool, IPC)
SPAWNED_WORKER_CHARS = 250_000  # ... a spawned one (imports spaCy, loads the model and the lists)
TASK_CHARS = 20_000  # text per task: about a second of checking, so a worker is never idle long
TASKS_PER_WORKER = 8  # at least this many tasks per worker, for the load to even out

_worker: Checker | None = None
_local: dict[Settings, Checker] = {}  # this process's checker per settings (built once, reused)


def local_checker(settings: Settings) -> Checker:
    """The Checker of this process for these settings: the model and lists load once per run."""
    if settings not in _local:
        _local[settings] = Checker(settings)
    return _local[settings]


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def start_method() -> str:
    """``fork`` where it is safe (workers then share the parent's loaded Checker), else the default.

    macOS system libraries are not fork-safe (Python defaults to spawn there for that reason).
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and sys.platform != "darwin":
        return "fork"
    return multiprocessing.get_start_method(allow_none=True) or methods[0]


@dataclass(frozen=True)
class Plan:
    workers: int  # 0: in this process
    method: str  # multiprocessing start method of the workers ("" where none could pay: not asked)


def plan(sizes: list[int], jobs: int, method: str | None = None) -> Plan:
    """Where to check documents of these sizes (characters) with ``jobs`` jobs (0: one per CPU).

    Workers only when each gets at least its start's worth of text (module docstring); never more
    workers than documents, since a document is checked whole by one worker.
    """
    if jobs <= 0:
        jobs = cpu_count()
    if min(jobs, len(sizes), sum(sizes) // FORKED_WORKER_CHARS) < 2:
        # not even forked workers (the cheapest) would pay, as for --jobs 1 or one file: decided
        # without asking multiprocessing for its start method, so a short run never imports it (~10 ms)
        return Plan(0, method or "")
    method = method or start_method()
    per_worker = FORKED_WORKER_CHARS if method == "fork" else SPAWNED_WORKER_CHARS
    workers = min(jobs, len(sizes), sum(sizes) // per_worker)
    return Plan(workers if workers >= 2 else 0, method)


def chunk(sizes: list[int], workers: int) -> list[range]:
    """Consecutive documents grouped into tasks of about ``TASK_CHARS`` characters (fewer when
    that would leave fewer than ``TASKS_PER_WORKER`` tasks per worker), in order, none empty."""
    target = max(1, min(TASK_CHARS, sum(sizes) // max(1, workers * TASKS_PER_WORKER)))
    out, start, size = [], 0, 0
    for i, n in enumerate(sizes):
        size += n
        if size >= target:
            out.append(range(start, i + 1))
            start, size = i + 1, 0
    if start < len(sizes):
        out.append(range(start, len(sizes)))
    return out


def _init_worker(settings: Settings) -> None:
    """Runs once in each worker: a forked one finds the parent's Checker in ``_local``."""
    global _worker
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the parent already warned once
        _worker = local_checker(settings)


@dataclass(frozen=True)
class SourceText:
    """A translation's source: its path (for reasons) and text."""

    where: str
    text: str


_for_source: dict[tuple[int, SourceText], Checker] = {}  # (parent checker, source) -> its Checker, built once


def checker_for(checker: Checker, source: SourceText | None) -> Checker:
    """The Checker of a document: ``checker`` itself, or its source's (``Checker.for_source``)."""
    if source is None:
        return checker
    key = (id(checker), source)
    if key not in _for_source:
        _for_source[key] = checker.for_source(source.text, source.where)
    return _for_source[key]


def _check_in_worker(items: list[tuple[str, SourceText | None]]) -> list[list[Finding]]:
    assert _worker is not None
    return [checker_for(_worker, source).check_until_stable(text) for text, source in items]


def check_texts(
    texts: list[str], settings: Settings, jobs: int = 1, checker: Checker | None = None,
    sources: list[SourceText | None] | None = None, on_window=None,
) -> Iterator[list[Finding]]:
    """Findings for each text, in order, checked here or in workers (``plan``).

    ``sources[i]``: the source text ``texts[i]`` translates, or None.  ``on_window(i, done, findings)``:
    told of each window of text ``i`` as it is decided (in this process only: a worker's findings
    come back whole).  The Checker is built, and
    the workers started, before this returns: a fork then happens before the caller starts any
    thread (a progress bar's).
    """
    sources = sources if sources is not None else [None] * len(texts)
    sizes = [len(t) for t in texts]
    how = plan(sizes, jobs)
    if not how.workers:
        return _in_process(texts, sources, checker or local_checker(settings), on_window)
    if how.method == "fork":
        local_checker(settings).extractor  # loaded once here (spaCy loads on first need), shared copy-on-write by every worker
        gc.freeze()
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = None
    try:
        pool = ProcessPoolExecutor(
            max_workers=how.workers,
            mp_context=multiprocessing.get_context(how.method),
            initializer=_init_worker,
            initargs=(settings,),
        )
        tasks = chunk(sizes, how.workers)
        items = list(zip(texts, sources))
        results = pool.map(_check_in_worker, [items[r.start : r.stop] for r in tasks])  # submits all: forks now
    except BaseException:
        _shut(pool, how)
        raise
    return _from_pool(pool, how, results)


def _in_process(texts: list[str], sources: list[SourceText | None], checker: Checker, on_window=None) -> Iterator[list[Finding]]:
    for n, (text, source) in enumerate(zip(texts, sources)):
        told = None if on_window is None else (lambda done, found, n=n: on_window(n, done, found))
        yield checker_for(checker, source).check_until_stable(text, told)


def _from_pool(pool: ProcessPoolExecutor, how: Plan, results) -> Iterator[list[Finding]]:
    try:
        for findings in results:
            yield from findings
    finally:
        _shut(pool, how)


def _shut(pool: ProcessPoolExecutor | None, how: Plan) -> None:
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)
    if how.method == "fork":
        gc.unfreeze()


def with_progress(items: Iterable, total: int, label: str = "checking"):
    """Wrap an iterable in a rich progress bar on a terminal (stderr) when there are many items."""
    if total < PROGRESS_MIN_FILES or not sys.stderr.isatty():
        yield from items
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn(label), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as progress:
        task = progress.add_task(label, total=total)
        for item in items:
            yield item
            progress.advance(task)
