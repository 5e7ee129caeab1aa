"""Documents -> tasks: consecutive documents grouped into coarse tasks of a few megabytes.

A task is the unit a worker runs, the unit Dask retries when a worker dies, and the unit of
progress written to the output's progress file.  One task per document would cost a scheduler
round trip and a progress write per document; one task per worker would leave a worker idle
while the others finish their share and lose a worker's whole share to one crash.  So tasks hold
about ``TASK_BYTES`` (about a minute and a half of checking on one core at ~7,000 words a second),
fewer when that would leave fewer than ``TASKS_PER_WORKER`` tasks per worker.  A document is never
split: a file bigger than a task is a task of its own.

Tasks are consecutive runs of documents in input order, so results come back roughly in that order
and few wait in the driver for an earlier task to finish before they can be reported.
"""

from __future__ import annotations

from dataclasses import dataclass

from entityfix.corpus.inputs import Item
from entityfix.settings import Settings

TASK_BYTES = 4 * 1024 * 1024
TASKS_PER_WORKER = 8  # the last task's tail, when one worker idles, is then at most an eighth of a share


@dataclass(frozen=True)
class Task:
    """Everything a worker needs to check (or fix) some documents; plain, picklable data."""

    action: str  # "check" or "fix"
    settings: Settings
    items: tuple[Item, ...]
    text_field: str = "text"
    id_field: str | None = None
    apply_suggestions: bool = False


def group(items: list[Item], workers: int, task_bytes: int = TASK_BYTES) -> list[list[Item]]:
    """Consecutive items in runs of about ``task_bytes`` (less for a small corpus: at least
    ``TASKS_PER_WORKER`` runs per worker where there are documents enough), in order, none empty."""
    total = sum(max(1, i.size) for i in items)
    target = max(1, min(task_bytes, total // max(1, workers * TASKS_PER_WORKER)))
    out: list[list[Item]] = []
    run: list[Item] = []
    size = 0
    for item in items:
        run.append(item)
        size += max(1, item.size)
        if size >= target:
            out.append(run)
            run, size = [], 0
    if run:
        out.append(run)
    return out
