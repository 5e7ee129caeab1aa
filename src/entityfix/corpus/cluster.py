"""Where tasks run: an existing Dask cluster, a local one started for the run, or no cluster at all.

``connect(scheduler, ...)`` gives a ``Runner`` whose ``results(tasks)`` yields each task's result
(or the exception that stopped it) as tasks finish:

* ``scheduler`` an address (``tcp://host:8786``), or the JSON file ``dask scheduler --scheduler-file``
  wrote: the cluster already running there.  The workers
  must have entityfix installed (the same version) and see the inputs at the same paths.
* ``None``: a ``LocalCluster`` for this run, one worker process per core (``workers`` to choose),
  one thread each: checking holds the GIL, so threads would share one core.  Closed at the end.
* ``"synchronous"``: Dask's synchronous scheduler in this process, no cluster: for debugging, for
  tests, and for a machine where starting processes is not worth it.

On a cluster, the Checker is loaded once per worker process by a worker plugin
(``worker.CheckerPlugin``), registered before the first task and removed at the end (a shared
cluster gets its memory back).  Tasks are submitted a few per worker at a time, in input order, more
as each finishes, so the scheduler and the driver never hold the whole corpus's task list.

When a worker dies (killed, out of memory), its nanny starts a new one, the plugin loads the
Checker there, and the scheduler runs the dead worker's tasks again.  A task that was running on
``ALLOWED_FAILURES`` workers that died is given up (``KilledWorker``: most likely a document that
exhausts a worker's memory); its documents are reported as errors and the rest of the run goes on.
On an existing cluster the scheduler's own ``distributed.scheduler.allowed-failures`` applies.  A
task that raises (it should not: a bad document is an error result, not an exception) is retried once.
"""

from __future__ import annotations

import logging
import os
import uuid
from contextlib import contextmanager
from typing import Callable, Iterator

from entityfix.corpus.tasks import Task
from entityfix.corpus.worker import CheckerPlugin, run_task
from entityfix.errors import EntityfixError
from entityfix.settings import Settings

ALLOWED_FAILURES = 3  # worker deaths a task may be part of before it is given up (Dask's default, said aloud)
TASK_RETRIES = 1  # a task that raises is run once more (a flaky network file system)
READY_TIMEOUT = 120.0  # seconds to wait for the first worker of an existing cluster
IN_FLIGHT_PER_WORKER = 2  # tasks submitted ahead per worker thread: one running, one ready to start


def cpu_count() -> int:
    """CPUs this process may run on (its affinity mask where the platform has one)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class Synchronous:
    """Dask's synchronous scheduler: each task computed in this process, one after another."""

    workers = 1
    description = "the synchronous scheduler (no cluster)"

    def results(self, tasks: list[Task]) -> Iterator[tuple[int, list[dict] | BaseException]]:
        import dask

        for n, task in enumerate(tasks):
            try:
                with dask.config.set(scheduler="synchronous"):
                    result = dask.delayed(run_task, pure=False)(task).compute()
            except Exception as exc:
                result = exc
            yield n, result


class Distributed:
    """A ``distributed.Client``'s cluster."""

    def __init__(self, client, description: str):
        self.client = client
        self.description = description

    @property
    def workers(self) -> int:
        """Worker threads now in the cluster (at least 1)."""
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:
            return 1

    def results(self, tasks: list[Task]) -> Iterator[tuple[int, list[dict] | BaseException]]:
        from distributed import as_completed

        token = uuid.uuid4().hex[:8]
        queued = iter(enumerate(tasks))
        pending = as_completed(loop=self.client.loop)  # this client's, not a default client's
        number: dict[str, int] = {}

        def refill() -> None:
            want = IN_FLIGHT_PER_WORKER * self.workers + 1
            while len(number) < want:
                nxt = next(queued, None)
                if nxt is None:
                    return
                n, task = nxt
                future = self.client.submit(run_task, task, key=f"entityfix-{task.action}-{token}-{n}", retries=TASK_RETRIES, pure=False)
                number[future.key] = n
                pending.add(future)

        refill()
        for future in pending:
            n = number.pop(future.key)
            try:
                result = future.result()
            except Exception as exc:
                result = exc
            future.release()
            yield n, result
            refill()


def failure_message(exc: BaseException) -> str:
    """What to say about each document of a task that failed."""
    if type(exc).__name__ == "KilledWorker":
        return "not checked: the workers running it died (out of memory? see the workers' logs)"
    return f"not checked: {type(exc).__name__}: {exc}"


@contextmanager
def connect(scheduler: str | None, settings: Settings, workers: int | None = None, info: Callable[[str], None] | None = None):
    """The Runner for ``scheduler`` (module docstring), closed (and its cluster stopped) at the end."""
    if scheduler == "synchronous":
        try:
            import dask  # noqa: F401
        except ImportError:
            raise EntityfixError('the Dask engine needs dask: pip install "entityfix[dask]"') from None
        yield Synchronous()
        return
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise EntityfixError('the Dask engine needs dask and distributed: pip install "entityfix[dask]"') from None
    cluster = client = None
    plugin = f"entityfix-checker-{uuid.uuid4().hex[:8]}"
    try:
        if scheduler is None:
            n = workers or cpu_count()
            with dask.config.set({"distributed.scheduler.allowed-failures": ALLOWED_FAILURES}):
                cluster = LocalCluster(
                    n_workers=n, threads_per_worker=1, processes=True, silence_logs=logging.ERROR,
                    dashboard_address=":0",
                )
            client = Client(cluster, set_as_default=False)
            client.wait_for_workers(n, timeout=READY_TIMEOUT)
            description = f"a local cluster of {n} worker process{'es' if n != 1 else ''}"
        else:
            try:
                if scheduler.endswith(".json") and os.path.isfile(scheduler):  # `dask scheduler --scheduler-file`
                    client = Client(scheduler_file=scheduler, set_as_default=False, timeout=30)
                else:
                    client = Client(scheduler, set_as_default=False, timeout=30)
                client.wait_for_workers(1, timeout=READY_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise EntityfixError(f"cannot use the Dask scheduler at {scheduler}: {exc}") from None
            description = f"the Dask cluster at {scheduler}"
        if info is not None and getattr(client, "dashboard_link", None) and (cluster is None or _has_bokeh()):
            info(f"Dask dashboard: {client.dashboard_link}")
        try:
            client.register_plugin(CheckerPlugin(settings), name=plugin)
        except Exception as exc:
            raise EntityfixError(f"the Dask workers could not load the checker: {exc}") from None
        yield Distributed(client, description)
    finally:
        if client is not None:
            if cluster is None:
                try:
                    client.unregister_worker_plugin(plugin)
                except Exception:
                    pass  # the workers are gone, or never had it
            client.close()
        if cluster is not None:
            cluster.close()


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None
