"""Checking many documents: in this process or in worker processes, results always in input order.

With ``jobs > 1`` every worker builds its own Checker once (spaCy pipeline and
gazetteer index) and documents are handed out one at a time; ``map`` keeps the
input order, so output is the same whatever the number of jobs.
"""

from __future__ import annotations

import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from typing import Iterable, Iterator

from entityfix.checker import Checker
from entityfix.settings import Settings
from entityfix.matching.decide import Finding

PROGRESS_MIN_FILES = 6  # a progress bar only when there are more than a handful of files

_worker: Checker | None = None
_local: dict[Settings, Checker] = {}  # this process's checker per settings (built once, reused)


def local_checker(settings: Settings) -> Checker:
    """The Checker of this process for these settings: the model and lists load once per run."""
    if settings not in _local:
        _local[settings] = Checker(settings)
    return _local[settings]


def _init_worker(settings: Settings) -> None:
    global _worker
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the parent already warned once
        _worker = Checker(settings)


def _check_in_worker(text: str) -> list[Finding]:
    assert _worker is not None
    return _worker.check_until_stable(text)


def check_texts(texts: list[str], settings: Settings, jobs: int = 1, checker: Checker | None = None) -> Iterator[list[Finding]]:
    """Findings for each text, in order."""
    if jobs > 1 and len(texts) > 1:
        with ProcessPoolExecutor(max_workers=min(jobs, len(texts)), initializer=_init_worker, initargs=(settings,)) as pool:
            yield from pool.map(_check_in_worker, texts, chunksize=1)
        return
    checker = checker or local_checker(settings)
    for text in texts:
        yield checker.check_until_stable(text)


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
