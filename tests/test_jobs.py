"""``--jobs``: workers start only when the work pays, and never change the findings or their order."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import SEED_EN, SEED_MT, run_cli

from entityfix.cli import runner

MANGLED = "Benny Gantz arrived in Rabat.\nLater Mr. Kantz met Nasser Purida.\nMr. Kantz left.\n"

# The real command, with every process start written to a file: what starts is observed, not timed.
COUNTING = """
import sys
import multiprocessing.process as process

marker = sys.argv.pop(1)
start = process.BaseProcess.start

def counted(self):
    with open(marker, "a") as out:
        out.write("started\\n")
    return start(self)

process.BaseProcess.start = counted
sys.argv[0] = "entityfix"
from entityfix.cli import main
main()
"""


def _check_counting(tmp_path, *args: str) -> tuple[subprocess.CompletedProcess, int]:
    marker = tmp_path / "started.txt"
    marker.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", COUNTING, str(marker), "check", "--format", "json", *args], capture_output=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr.decode()
    started = len(marker.read_text().splitlines()) if marker.exists() else 0
    return done, started


def test_plan_starts_workers_only_for_enough_text():
    fork = runner.FORKED_WORKER_CHARS
    assert runner.plan([5_000] * 3, 8, "fork").workers == 0  # a handful of small files
    assert runner.plan([50 * fork], 8, "fork").workers == 0  # one big file: one document, one process
    assert runner.plan([fork] * 200, 1, "fork").workers == 0
    assert runner.plan([fork] * 200, 2, "fork").workers == 2
    assert runner.plan([fork] * 3, 8, "fork").workers == 3  # never more workers than the text pays for
    assert runner.plan([fork // 2] * 200, 8, "fork").workers == 8
    assert runner.plan([fork] * 4, 4, "spawn").workers == 0  # a spawned worker costs more to start
    assert 0 <= runner.plan([fork] * 200, 0, "fork").workers <= max(2, runner.cpu_count())  # 0: one per CPU


def test_chunks_cover_every_document_once_in_order():
    for sizes, workers in (([5_000] * 200, 2), ([1] * 7, 3), ([10**6, 3, 3, 10**6], 2), ([4_000] * 9, 4)):
        tasks = runner.chunk(sizes, workers)
        assert [i for task in tasks for i in task] == list(range(len(sizes)))
        assert all(len(task) for task in tasks)
    assert len(runner.chunk([5_000] * 200, 2)) >= 2 * runner.TASKS_PER_WORKER  # not one task per worker
    assert len(runner.chunk([5_000] * 200, 2)) < 200  # not one task per document


def test_few_small_files_start_no_worker(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    for i in range(3):
        (docs / f"doc{i}.txt").write_text(MANGLED)
    done, started = _check_counting(tmp_path, "--jobs", "4", str(docs))
    assert started == 0
    assert len(json.loads(done.stdout)["files"]) == 3


def test_jobs_2_gives_the_findings_of_jobs_1_on_real_files(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    sources = [SEED_MT.read_text(encoding="utf-8"), SEED_EN.read_text(encoding="utf-8"), MANGLED * 20]
    size, i = 0, 0
    while size < 2 * runner.FORKED_WORKER_CHARS + 5_000:  # enough text for two forked workers
        text = sources[i % len(sources)]
        (docs / f"doc{i:02d}.txt").write_text(text, encoding="utf-8")
        size, i = size + len(text), i + 1
    one = run_cli("check", "--format", "json", "--jobs", "1", str(docs))
    two, started = _check_counting(tmp_path, "--jobs", "2", str(docs))
    assert started == 2  # both workers started: the comparison below is worth something
    assert one.returncode == two.returncode == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)
    assert [f["path"] for f in json.loads(two.stdout)["files"]] == sorted(str(p) for p in docs.iterdir())
    assert sum(len(f["findings"]) for f in json.loads(two.stdout)["files"]) > i  # findings in every kind of file
