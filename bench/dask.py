"""The Dask engine (issue 16): do 2 local workers check a corpus faster than 1, and how much memory
does a worker take?  One command, one table.

    python bench/dask.py [--mb 20] [--kb 20] [--workers 1 2] [--rounds 1] [--keep DIR]

1. Writes about ``--mb`` megabytes of news in documents of about ``--kb`` kB (consecutive CoNLL-2003
   sentences from ../shared/data with misspelt names injected, as ``bench/jobs.py`` writes them) to
   a temporary folder (``--keep DIR``: there instead, outside the repository).
2. For each ``--workers`` N: starts a ``LocalCluster`` of N worker processes of one thread each (not
   timed: the "start" column), then times ``entityfix.corpus.execute`` over the folder with a
   ``.jsonl`` output (loading the Checker in the workers included), ``--rounds`` times.
3. Prints per N: the start time, the median run time, MB/s, the speedup over the first N, the CPU
   seconds the workers used and how many cores that kept busy on average (CPU / wall: below N
   when other processes took the cores, and then the speedup cannot be N), the peak
   RSS of each worker process (``ru_maxrss``, asked of the workers with ``client.run`` at the end;
   the largest of them in the "peak/worker" column) and whether the output is identical to the
   first N's.

Targets (issue 16): 2 workers >= 1.7x one on 20 MB; peak memory per worker <= 600 MiB.  This
machine is shared: another session's process on one of the two cores halves what a second worker
can give (``load`` column: the 1-minute load average before the run).  The full 20 MB takes about
an hour on one core; ``--mb 2`` gives a first answer in minutes.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# this file is named dask.py: its folder must not stand before the real dask on the import path
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

import argparse  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import dask  # noqa: E402  (the real one, imported before jobs.py puts this folder first on the path)


def write_corpus(folder: Path, mb: float, kb: float) -> int:
    sys.path.append(str(HERE))  # after the real packages: jobs.py and quality.py, the corpus writers
    from jobs import write_corpus as write

    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE] + [str(HERE)]  # jobs.py put it first again
    return write(folder, max(1, int(mb * 1024 / kb)), int(kb * 1024), seed=16)


def worker_memory(dask_worker=None) -> dict:
    """A worker process's peak and current RSS (KiB) and the CPU seconds it has used."""
    import resource

    import psutil

    me = psutil.Process()
    cpu = me.cpu_times()
    return {"peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "rss_kib": me.memory_info().rss // 1024, "cpu_s": cpu.user + cpu.system}


def measure(folder: Path, workers: int, rounds: int, out_dir: Path) -> dict:
    from distributed import Client, LocalCluster

    from entityfix.corpus import execute
    from entityfix.settings import Settings

    load = os.getloadavg()[0]
    started = time.perf_counter()
    with dask.config.set({"distributed.scheduler.allowed-failures": 3}):
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    client.wait_for_workers(workers)
    start = time.perf_counter() - started
    times, output = [], out_dir / f"w{workers}.jsonl"
    try:
        cpu_before = sum(m["cpu_s"] for m in client.run(worker_memory).values())
        for _ in range(rounds):
            for stale in (output, output.with_name(output.name + ".progress")):
                stale.unlink(missing_ok=True)  # no resuming: every round checks everything
            t = time.perf_counter()
            outcome = execute(
                [str(folder)], Settings(), action="check", output=output, scheduler=cluster.scheduler_address,
                report=lambda line: None, info=lambda line: None,
            )
            times.append(time.perf_counter() - t)
            assert outcome.errors == 0, outcome
        memory = client.run(worker_memory)
    finally:
        client.close()
        cluster.close()
    cpu = sum(m["cpu_s"] for m in memory.values()) - cpu_before
    return {"workers": workers, "start": start, "times": times, "memory": memory, "output": output.read_bytes(), "load": load, "cpu": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=20.0, help="corpus size in megabytes (default 20)")
    parser.add_argument("--kb", type=float, default=20.0, help="document size in kilobytes (default 20)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="local cluster sizes to compare (default 1 2)")
    parser.add_argument("--rounds", type=int, default=1, help="timed runs per cluster size (default 1)")
    parser.add_argument("--keep", type=Path, help="write the corpus here (outside the repository) and keep it")
    args = parser.parse_args()
    os.environ.setdefault("ENTITYFIX_CACHE_DIR", tempfile.mkdtemp(prefix="entityfix-bench-cache-"))

    with tempfile.TemporaryDirectory(prefix="entityfix-bench-dask-") as tmp:
        folder = args.keep or Path(tmp) / "corpus"
        if args.keep is None or not any(folder.glob("*.txt")):
            size = write_corpus(folder, args.mb, args.kb)
        else:
            size = sum(p.stat().st_size for p in folder.glob("*.txt"))
        files = len(list(folder.glob("*.txt")))
        print(f"corpus: {files} files, {size / 1e6:.1f} MB ({folder})", flush=True)
        from entityfix.checker import Checker
        from entityfix.settings import Settings

        Checker(Settings())  # the compiled lists into the cache before any worker wants them

        results = []
        for n in args.workers:
            print(f"running {n} worker(s) ...", flush=True)
            results.append(measure(folder, n, args.rounds, Path(tmp)))

    base = statistics.median(results[0]["times"])
    header = ("workers", "load", "start s", "run s", "MB/s", "speedup", "worker CPU s", "cores used", "peak/worker MiB", "peaks MiB", "same output")
    rows = []
    for r in results:
        t = statistics.median(r["times"])
        peaks = sorted(m["peak_kib"] / 1024 for m in r["memory"].values())
        rows.append((
            str(r["workers"]), f"{r['load']:.2f}", f"{r['start']:.1f}", f"{t:.1f}" + (f" ({min(r['times']):.1f}-{max(r['times']):.1f})" if len(r["times"]) > 1 else ""),
            f"{size / 1e6 / t:.3f}", f"{base / t:.2f}x", f"{r['cpu']:.0f}", f"{r['cpu'] / sum(r['times']):.2f}", f"{max(peaks):.0f}", " ".join(f"{p:.0f}" for p in peaks),
            "yes" if r["output"] == results[0]["output"] else "NO",
        ))
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(header)]
    print()
    print("  ".join(h.ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)))


if __name__ == "__main__":
    main()
