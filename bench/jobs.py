"""``--jobs``: does checking a folder in worker processes pay?  One command, one table.

    python bench/jobs.py [--files 200] [--kb 5] [--rounds 5] [--jobs 1 2] [--small 3]
                         [--variant LABEL=CMD ...] [--keep DIR]

1. Writes ``--files`` documents of about ``--kb`` kB of news (consecutive CoNLL-2003 sentences read
   from ../shared/data, detokenised as in quality.py, with noise.py misspellings injected into a
   third of the names) to a temporary folder: the text is read at run time and never copied into
   the repository (``--keep DIR`` writes the folder wherever you say, outside it).
2. Runs ``entityfix check --format json --quiet --no-progress --jobs N`` on the folder for every N of
   ``--jobs`` and every ``--variant`` (default: the entityfix of this interpreter), once first to
   warm the compiled-gazetteer cache and the page cache, then ``--rounds`` times interleaved: in a
   round a variant's ``--jobs`` runs follow one another (their ratio is taken within the round), the
   order of variants and of ``--jobs`` values changing from round to round (this machine is shared:
   its speed drifts within a minute).
3. Prints per row the median wall time (range), files/s, the median CPU seconds (user + system,
   workers included: what the run costs whatever else runs on the machine), how many CPUs other
   people's processes kept busy meanwhile (median), the median of the per-round ratios to
   ``--jobs 1`` of the same variant (both measured in the same round, side by side), the same over
   the calm rounds only (others below ``--calm`` CPUs during both runs), the peak total memory of
   the process tree (sum of RSS, and of PSS: pages shared copy-on-write by forked workers count
   once), and whether the JSON output is identical to ``--jobs 1``'s.
   Why the calm rounds: Linux shares CPU time between sessions first (autogroups), so while another
   session keeps one of two CPUs busy, one more worker gets no more CPU time, whatever the code.
4. ``--small N``: the same on the first N files only, where starting workers cannot pay off.

Compare two versions in one run: ``--variant before="env PYTHONPATH=/tmp/old/src python -m
entityfix.cli" --variant after=entityfix`` (the old ``src`` needs its ``gazetteers`` folder beside it).
The compiled gazetteers go to a private cache folder (``ENTITYFIX_CACHE_DIR``, default: a temporary
one), never to ~/.cache.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
DATA = REPO.parent / "shared" / "data"


def default_entityfix() -> str:
    exe = Path(sys.executable).with_name("entityfix")
    return shlex.quote(str(exe)) if exe.exists() else f"{shlex.quote(sys.executable)} -m entityfix.cli"


# -- the documents ------------------------------------------------------------------------------


def write_corpus(folder: Path, files: int, size: int, seed: int, rate: float = 0.3) -> int:
    """``files`` news documents of about ``size`` characters each in ``folder``; returns total bytes."""
    from quality import detokenise, inject, read_conll

    sentences = []
    for name in ("conll2003-valid.txt", "conll2003-train.txt"):
        if (DATA / name).exists():
            sentences += read_conll(DATA / name)
    if not sentences:
        sys.exit(f"no CoNLL data in {DATA} (see ../shared/data/README.md)")
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    total, i = 0, 0
    for n in range(files):
        taken = []
        while sum(len(" ".join(t for t, _ in s)) + 2 for s in taken) < size:
            taken.append(sentences[i % len(sentences)])
            i += 1
        text, _ = inject(detokenise(taken), rate, rng, lambda key: False)
        path = folder / f"doc{n:04d}.txt"
        path.write_text(text, encoding="utf-8")
        total += path.stat().st_size
    return total


# -- running and measuring ----------------------------------------------------------------------


def _tree(root: int) -> list[int]:
    """``root`` and its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB, 0 when it is gone."""
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


class PeakMemory(threading.Thread):
    """Samples the summed RSS and PSS of a process tree every ``every`` seconds; keeps the peaks."""

    def __init__(self, pid: int, every: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.every = pid, every
        self.rss = self.pss = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss = pss = 0
            for pid in _tree(self.pid):
                r, p = _memory_kib(pid)
                rss, pss = rss + r, pss + p
            self.rss, self.pss = max(self.rss, rss), max(self.pss, pss)
            self.done.wait(self.every)


def _cpu_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> float:
    """CPU seconds all processes of the machine have used since boot (/proc/stat), 0 where unknown."""
    try:
        with open("/proc/stat") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


@dataclass
class Run:
    seconds: float
    output: str
    rss: float  # peak MiB, summed over the process tree (0: not sampled)
    pss: float
    cpu: float  # user + system seconds of the command and its workers
    others: float  # CPUs other processes kept busy meanwhile, on average


def run_check(cmd: str, jobs: int, paths: list[str], env: dict[str, str], memory: bool) -> Run:
    """One ``entityfix check`` run, timed and measured.

    CPU seconds: user + system of the command and its workers (reaped children count in
    ``RUSAGE_CHILDREN``).  Others: the machine's busy CPU time over the same interval less ours, per
    second: how many CPUs other people's work took.  A second worker can only help on a CPU nobody
    else uses (Linux shares CPU time between sessions first, whatever their ``nice``).
    """
    argv = [*shlex.split(cmd), "check", "--format", "json", "--quiet", "--no-progress", "--jobs", str(jobs), *paths]
    cpu, busy = _cpu_children(), _machine_busy()
    t = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    sampler = PeakMemory(proc.pid) if memory else None
    if sampler:
        sampler.start()
    out, err = proc.communicate()
    took = time.perf_counter() - t
    cpu, busy = _cpu_children() - cpu, _machine_busy() - busy
    if sampler:
        sampler.done.set()
        sampler.join()
    if proc.returncode not in (0, 1):
        sys.exit(f"{argv} exited {proc.returncode}:\n{err.decode()[-2000:]}")
    mib = (lambda kib: kib / 1024) if sampler else (lambda kib: 0.0)
    return Run(took, out.decode(), mib(sampler.rss if sampler else 0), mib(sampler.pss if sampler else 0), cpu, max(0.0, (busy - cpu) / took))


def measure(variants: dict[str, str], jobs: list[int], paths: list[str], rounds: int, env: dict[str, str], memory: bool):
    """{(variant, jobs): [Run per round]}; a warm-up run first, then interleaved rounds."""
    names = list(variants)
    for v in names:  # warm-up: compiled-gazetteer cache written, files and model in the page cache
        run_check(variants[v], 1, paths, env, False)
    runs: dict[tuple[str, int], list[Run]] = {(v, j): [] for v in names for j in jobs}
    for r in range(rounds):
        # a variant's runs side by side (their ratio is taken within the round), variants and
        # --jobs values in a different order each round
        for v in names[r % len(names):] + names[: r % len(names)]:
            for j in (jobs if r % 2 == 0 else jobs[::-1]):
                runs[(v, j)].append(run_check(variants[v], j, paths, env, memory))
                print(f"  round {r + 1}: {v} --jobs {j}: {runs[(v, j)][-1].seconds:.1f} s, "
                      f"others {runs[(v, j)][-1].others:.2f} CPUs", file=sys.stderr, flush=True)
    return runs


def _ratio(pairs: list[tuple[Run, Run]]) -> str:
    if not pairs:
        return "-"
    ratios = sorted(b.seconds / m.seconds for b, m in pairs)  # same round: same machine state
    return f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f}, {len(ratios)})"


def rows(runs, variants, jobs: list[int], files: int, label: str, calm: float) -> list[tuple[str, ...]]:
    out = []
    for v in variants:
        base = runs[(v, jobs[0])]
        for j in jobs:
            mine = runs[(v, j)]
            secs = [m.seconds for m in mine]
            pairs = list(zip(base, mine))
            quiet = [(b, m) for b, m in pairs if max(b.others, m.others) < calm]
            out.append((
                label, v, str(j),
                f"{statistics.median(secs):.1f} ({min(secs):.1f}-{max(secs):.1f})",
                f"{files / statistics.median(secs):.1f}",
                f"{statistics.median(m.cpu for m in mine):.1f}",
                f"{statistics.median(m.others for m in mine):.2f}",
                _ratio(pairs) if j != jobs[0] else "1.00x",
                _ratio(quiet) if j != jobs[0] else "1.00x",
                f"{max(m.rss for m in mine):.0f} / {max(m.pss for m in mine):.0f}" if mine[0].rss else "-",
                "yes" if all(m.output == base[0].output for m in mine) else "NO",
            ))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--files", type=int, default=200)
    ap.add_argument("--kb", type=float, default=5.0, help="size of each document, kB")
    ap.add_argument("--rounds", type=int, default=5, help="timed runs per cell (the median is shown)")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values; the first is the reference")
    ap.add_argument("--small", type=int, default=3, help="also time the first N files (0: skip)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--variant", action="append", default=[], metavar="LABEL=CMD", help="an entityfix command to time (repeatable)")
    ap.add_argument("--keep", type=Path, default=None, help="write the documents to this folder and keep them")
    ap.add_argument("--no-memory", action="store_true", help="do not sample memory (the sampler costs a little CPU)")
    ap.add_argument("--calm", type=float, default=0.25, help="a round is calm when other processes kept fewer CPUs than this busy")
    args = ap.parse_args()

    variants = dict(v.split("=", 1) for v in args.variant) or {"entityfix": default_entityfix()}
    env = dict(os.environ)
    env.pop("FORCE_COLOR", None)
    with tempfile.TemporaryDirectory(prefix="entityfix-jobs-") as tmp:
        env.setdefault("ENTITYFIX_CACHE_DIR", str(Path(tmp) / "cache"))
        folder = args.keep or Path(tmp) / "docs"
        total = write_corpus(folder, args.files, int(args.kb * 1000), args.seed)
        paths = sorted(str(p) for p in folder.glob("doc*.txt"))
        print(f"{len(paths)} files, {total / 1e6:.2f} MB; cache {env['ENTITYFIX_CACHE_DIR']}; "
              f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
        table = rows(measure(variants, args.jobs, [str(folder)], args.rounds, env, not args.no_memory),
                     variants, args.jobs, len(paths), f"{len(paths)} x {args.kb:g} kB", args.calm)
        if args.small:
            few = paths[: args.small]
            table += rows(measure(variants, args.jobs, few, args.rounds, env, not args.no_memory),
                          variants, args.jobs, len(few), f"{len(few)} x {args.kb:g} kB", args.calm)
        load = os.getloadavg()[0]

    from rich.console import Console
    from rich.table import Table

    out = Table(title=f"entityfix check --jobs N (median of {args.rounds} interleaved rounds, range in brackets; "
                      f"load average at the end {load:.2f} on {os.cpu_count()} CPUs)")
    cols = ("files", "variant", "jobs", "seconds", "files/s", "CPU s", "others' CPUs", "speed-up vs first --jobs (range, rounds)",
            f"same, calm rounds (others < {args.calm:g})", "peak MiB RSS / PSS", "same output")
    for col in cols:
        out.add_column(col, justify="right")
    for row in table:
        out.add_row(*row)
    Console(width=200).print(out)


if __name__ == "__main__":
    main()
