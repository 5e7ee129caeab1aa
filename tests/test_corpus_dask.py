"""The Dask corpus engine (issue 16): the same findings as one process, on a real local cluster of two
worker processes and on the synchronous scheduler; JSONL and Parquet inputs; output in input order;
resuming; a worker killed mid-run; a bad file; ``fix`` writing what ``entityfix fix`` writes.

The cluster is started once for the module (it is slow: each worker loads spaCy and the lists).
"""

from __future__ import annotations

import json
import logging
import os
import random
import re
import shutil
import signal
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason='the Dask engine is an optional extra: pip install "entityfix[dask]"')
pytest.importorskip("pyarrow", reason='the Dask engine is an optional extra: pip install "entityfix[dask]"')

import dask  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402
from distributed import Client, LocalCluster  # noqa: E402

from entityfix.cli.report import FileResult, text_lines, to_json  # noqa: E402
from entityfix.corpus import execute, run  # noqa: E402
from entityfix.corpus.output import progress_path  # noqa: E402
from entityfix.corpus.worker import fix_file  # noqa: E402
from entityfix.matching.decide import FIX  # noqa: E402
from entityfix.settings import Settings  # noqa: E402
from entityfix.text.document import read  # noqa: E402

from conftest import SEED_EN, SEED_MT, run_cli  # noqa: E402

GENERATED = 50


def _sentences() -> list[str]:
    text = SEED_MT.read_text(encoding="utf-8")
    return [s.strip() for s in re.split(r"(?<=[.!?”])\s+", text) if s.strip()]


def generated_texts(n: int = GENERATED) -> list[str]:
    """``n`` documents of five sentences of seed 003 each, recombined the same way on every run."""
    sentences = _sentences()
    out = []
    for i in range(n):
        picked = random.Random(i).sample(sentences, 5)
        out.append(" ".join(picked[:3]) + "\n\n" + " ".join(picked[3:]) + "\n")
    return out


def findings_of(checker, path: str, text: str) -> list[dict]:
    """The single-process run's findings, as the JSON report gives them."""
    result = FileResult(path, text, tuple(checker.check_until_stable(text)))
    return json.loads(to_json([result]))["files"][0]["findings"]


def lines_of(checker, path: str, text: str) -> list[str]:
    return [line for line, _ in text_lines(FileResult(path, text, tuple(checker.check_until_stable(text))))]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The two seeds and 50 generated files, in a folder the walk takes in this order."""
    root = tmp_path_factory.mktemp("corpus")
    (root / "a_seeds").mkdir()
    shutil.copy(SEED_EN, root / "a_seeds" / SEED_EN.name)
    shutil.copy(SEED_MT, root / "a_seeds" / SEED_MT.name)
    (root / "gen").mkdir()
    for i, text in enumerate(generated_texts()):
        (root / "gen" / f"doc_{i:02d}.txt").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def expected(corpus, checker) -> list[tuple[str, list[dict]]]:
    """(path, findings) of every corpus file in walk order, from ``Checker.check_until_stable``.

    Computed before the cluster starts, so the compiled lists are in the cache when workers load."""
    files = sorted(corpus.rglob("*.txt"))
    return [(str(f), findings_of(checker, str(f), f.read_text(encoding="utf-8"))) for f in files]


@pytest.fixture(scope="module")
def cluster(expected):
    with dask.config.set({"distributed.scheduler.allowed-failures": 3}):
        local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=logging.CRITICAL)
    client = Client(local, set_as_default=False)
    client.wait_for_workers(2, timeout=120)
    yield local, client
    client.close()
    local.close()


def _quiet(**kw):
    out = {"report": kw.pop("report", lambda line: None), "error": kw.pop("error", lambda line: None), "info": lambda line: None}
    return {**out, **kw}


def test_local_cluster_gives_the_single_process_findings_in_input_order(corpus, expected, cluster, tmp_path):
    local, _ = cluster
    out = tmp_path / "findings.jsonl"
    # small tasks: many of them, finishing in any order, written in input order all the same
    outcome = execute([str(corpus)], Settings(), action="check", output=out, scheduler=local.scheduler_address, task_bytes=2_000, **_quiet())
    assert outcome.errors == 0 and outcome.checked == len(expected) == GENERATED + 2
    assert outcome.exit_code == 1
    got = read_jsonl(out)
    assert [(r["path"], r["findings"]) for r in got] == expected
    assert [r["id"] for r in got] == [p for p, _ in expected]  # a file's id is its path
    assert sum(len(f) for _, f in expected) > GENERATED  # the corpus has findings to compare


def test_synchronous_scheduler_reports_the_single_process_lines(corpus, expected, checker):
    lines: list[str] = []
    code = run([str(corpus)], Settings(), action="check", output=None, scheduler="synchronous", **_quiet(report=lines.append))
    assert code == 1
    want = [line for path, _ in expected for line in lines_of(checker, path, Path(path).read_text(encoding="utf-8"))]
    assert lines == want


def test_jsonl_and_parquet_records(cluster, checker, tmp_path):
    local, _ = cluster
    texts = [SEED_MT.read_text(encoding="utf-8"), *generated_texts(6)]
    rows = [{"doc": f"d{i}", "body": t} for i, t in enumerate(texts)]
    jsonl = tmp_path / "records.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in rows]
    lines[2:2] = ["", "{not json", json.dumps({"doc": "empty"})]  # a blank line (skipped), two bad records
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parquet = tmp_path / "records.parquet"
    pq.write_table(pa.Table.from_pylist(rows), parquet, row_group_size=3)  # rows spread over row groups
    errors: list[str] = []
    out = tmp_path / "out.jsonl"
    outcome = execute(
        [str(jsonl), str(parquet)], Settings(), action="check", output=out, scheduler=local.scheduler_address,
        text_field="body", id_field="doc", task_bytes=3_000, **_quiet(error=errors.append),
    )
    assert errors == [f"{jsonl}:4: not a JSON object (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))", f"{jsonl}:5: no 'body' field"]
    assert outcome.exit_code == 2 and outcome.checked == 2 * len(rows)
    want = [findings_of(checker, "x", t) for t in texts]
    got = read_jsonl(out)
    assert [(r["id"], r["path"]) for r in got] == [(r["doc"], str(jsonl)) for r in rows] + [(r["doc"], str(parquet)) for r in rows]
    assert [r["findings"] for r in got] == want + want

    # Parquet output: the same rows; and without --id-field, the line number (JSONL) / row (Parquet) is the id
    out_pq = tmp_path / "out.parquet"
    lines_seen: list[str] = []
    code = run([str(parquet), str(jsonl)], Settings(), action="check", output=None, scheduler="synchronous", text_field="body", **_quiet(report=lines_seen.append))
    assert code == 2
    assert any(line.startswith(f"{parquet}#0:1:") for line in lines_seen) and any(line.startswith(f"{jsonl}#1:1:") for line in lines_seen)
    execute([str(jsonl), str(parquet)], Settings(), action="check", output=out_pq, scheduler="synchronous", text_field="body", id_field="doc", **_quiet())
    table = pq.read_table(out_pq).to_pylist()
    assert [(r["id"], r["path"]) for r in table] == [(r["id"], r["path"]) for r in got]
    for row, record in zip(table, got):
        assert [{k: v for k, v in f.items() if v is not None} for f in row["findings"]] == record["findings"]


def test_resume_checks_only_what_is_not_done(cluster, tmp_path):
    local, _ = cluster
    folder = tmp_path / "docs"
    folder.mkdir()
    for i, text in enumerate(generated_texts(12)):
        (folder / f"d{i:02d}.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = dict(action="check", output=out, scheduler=local.scheduler_address, task_bytes=1_000, **_quiet())

    first = execute([str(folder)], Settings(), **args)
    assert (first.checked, first.resumed) == (12, 0)
    whole = out.read_bytes()

    again = execute([str(folder)], Settings(), **args)  # everything done: nothing checked, the same output
    assert (again.checked, again.resumed) == (0, 12) and out.read_bytes() == whole
    assert again.exit_code == first.exit_code == 1

    # a run that died after five documents: their lines and half of a sixth in the progress file, no output
    progress = progress_path(out)
    kept = progress.read_bytes().splitlines(keepends=True)
    progress.write_bytes(b"".join(kept[:5]) + kept[5][: len(kept[5]) // 2])
    out.unlink()
    resumed = execute([str(folder)], Settings(), **args)
    assert (resumed.checked, resumed.resumed) == (7, 5)
    assert out.read_bytes() == whole

    # an input edited since: that one is checked again; other settings: everything is
    with open(folder / "d03.txt", "a", encoding="utf-8") as handle:
        handle.write("Benny Kantz spoke again.\n")
    edited = execute([str(folder)], Settings(), **args)
    assert (edited.checked, edited.resumed) == (1, 11)
    stricter = execute([str(folder)], Settings(fix_threshold=0.9), **args)
    assert (stricter.checked, stricter.resumed) == (12, 0)


def test_a_worker_killed_mid_run_is_replaced_and_its_task_retried(cluster, checker, tmp_path):
    local, client = cluster
    folder = tmp_path / "docs"
    folder.mkdir()
    texts = generated_texts()
    (folder / "a_big.txt").write_text("\n".join(texts), encoding="utf-8")  # a task of seconds, first in line
    for i, text in enumerate(texts[:6]):
        (folder / f"b{i}.txt").write_text(text, encoding="utf-8")
    files = sorted(folder.iterdir())
    want = [(str(f), findings_of(checker, str(f), f.read_text(encoding="utf-8"))) for f in files]

    pids_before = client.run(os.getpid)
    out = tmp_path / "out.jsonl"
    done: dict = {}

    def go():
        done["outcome"] = execute([str(folder)], Settings(), action="check", output=out, scheduler=local.scheduler_address, task_bytes=1, **_quiet())

    runner = threading.Thread(target=go)
    runner.start()
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and runner.is_alive():
        running = client.run(lambda dask_worker: [str(ts.key) for ts in dask_worker.state.executing])
        for address, keys in running.items():
            if any(k.startswith("entityfix-check-") and k.endswith("-0") for k in keys):  # the big document's task
                killed = (address, next(k for k in keys if k.endswith("-0")))
                os.kill(pids_before[address], signal.SIGKILL)
                break
        time.sleep(0.02)
    runner.join(timeout=300)
    assert killed is not None, "the big document's task was never seen running"
    outcome = done["outcome"]
    assert outcome.errors == 0 and outcome.checked == len(files)
    assert [(r["path"], r["findings"]) for r in read_jsonl(out)] == want
    # the task ran twice: on the killed worker, then again; and the nanny replaced the worker
    story = local.scheduler.story(killed[1])
    assert sum(1 for event in story if event[2] == "processing") >= 2
    client.wait_for_workers(2, timeout=120)
    assert set(client.run(os.getpid).values()).isdisjoint({pids_before[killed[0]]})


def test_a_bad_file_is_one_error_and_the_rest_completes(cluster, checker, tmp_path):
    local, _ = cluster
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(SEED_MT, folder / "b_seed.txt")
    (folder / "a_binary.txt").write_bytes(b"\x00\x01binary\x00")
    (folder / "c_latin1.txt").write_bytes("Caf\xe9 in Rabat".encode("latin-1"))
    errors: list[str] = []
    lines: list[str] = []
    missing = str(tmp_path / "missing.txt")
    code = run([str(folder), missing], Settings(), action="check", output=None, scheduler=local.scheduler_address, **_quiet(report=lines.append, error=errors.append))
    assert code == 2
    assert errors == [
        f"{folder / 'a_binary.txt'}: binary file (contains NUL bytes), skipped",
        f"{folder / 'c_latin1.txt'}: not UTF-8 (invalid byte 0xe9 at offset 3); pass --encoding (e.g. --encoding cp1252) to read it",
        f"{missing}: no such file",
    ]
    seed = folder / "b_seed.txt"
    assert lines == lines_of(checker, str(seed), seed.read_text(encoding="utf-8"))


def test_fix_writes_what_the_single_process_fix_writes(cluster, tmp_path):
    local, _ = cluster
    one, dask_dir = tmp_path / "one", tmp_path / "dask"
    for folder in (one, dask_dir):
        folder.mkdir()
        shutil.copy(SEED_MT, folder / "seed.txt")
        shutil.copy(SEED_EN, folder / "clean.txt")
        (folder / "crlf.txt").write_bytes(SEED_MT.read_bytes().replace(b"\n", b"\r\n"))
        (folder / "bom.txt").write_bytes(b"\xef\xbb\xbf" + generated_texts(1)[0].encode("utf-8"))
        for i, text in enumerate(generated_texts(4)):
            (folder / f"g{i}.txt").write_text(text, encoding="utf-8")
    cli = run_cli("fix", "--no-progress", str(one))
    assert cli.returncode == 1, cli.stderr
    lines: list[str] = []
    code = run([str(dask_dir)], Settings(), action="fix", output=None, scheduler=local.scheduler_address, **_quiet(report=lines.append))
    assert code == 1
    for file in sorted(one.iterdir()):
        assert (dask_dir / file.name).read_bytes() == file.read_bytes(), file.name
    assert (one / "seed.txt").read_bytes() != SEED_MT.read_bytes()
    cli_lines = [line for line in cli.stdout.decode().splitlines() if str(one) in line]
    assert lines == [line.replace(str(one), str(dask_dir)) for line in cli_lines]
    # fixed files have nothing left to fix; records are never rewritten
    assert run([str(dask_dir)], Settings(), action="fix", output=None, scheduler="synchronous", **_quiet()) == 0
    records = tmp_path / "r.jsonl"
    records.write_text(json.dumps({"text": "Benny Kantz"}) + "\n", encoding="utf-8")
    errors: list[str] = []
    assert run([str(records)], Settings(), action="fix", output=None, scheduler="synchronous", **_quiet(error=errors.append)) == 2
    assert errors == [f"{records}: fix rewrites files; the records of a JSONL or Parquet file are checked only (use check)"]


def test_fix_checks_again_a_file_changed_since_it_was_read(checker, tmp_path):
    """As ``entityfix fix``: the other writer's edit is kept, and the new text is fixed too."""
    path = tmp_path / "seed.txt"
    shutil.copy(SEED_MT, path)
    doc = read(path)
    edited = "Benny Kantz spoke first.\n" + SEED_MT.read_text(encoding="utf-8")
    time.sleep(0.01)
    path.write_text(edited, encoding="utf-8")
    now, findings, written = fix_file(checker, doc, Settings(), frozenset({FIX}))
    assert written and now.text == edited
    from entityfix.apply import apply_findings

    assert path.read_text(encoding="utf-8") == apply_findings(edited, checker.check_until_stable(edited))
    assert path.read_text(encoding="utf-8").startswith("Benny Gantz spoke first.\n")


def test_tasks_are_consecutive_runs_of_a_few_megabytes():
    from entityfix.corpus.inputs import FILE, Item
    from entityfix.corpus.tasks import group

    items = [Item(i, FILE, f"/d/{i}", f"d/{i}", size=size) for i, size in enumerate([3_000_000, 2_000_000, 1, 5_000_000, 10, 10])]
    runs = group(items, workers=1, task_bytes=2_000_000)  # big corpus: the task size decides
    assert [[i.index for i in run] for run in runs] == [[0], [1], [2, 3], [4, 5]]  # a document is never split
    small = group(items[4:], workers=2)  # small corpus: at least a few tasks per worker
    assert [[i.index for i in run] for run in small] == [[4], [5]]


def test_the_command_line_runs_on_dask(tmp_path):
    """`--engine dask` on the command line: the lines `check` prints, or a JSONL output, and usage errors."""
    plain = run_cli("check", "-q", str(SEED_EN), str(SEED_MT))
    on_dask = run_cli("check", "--engine", "dask", "--scheduler", "synchronous", str(SEED_EN), str(SEED_MT))
    assert on_dask.returncode == plain.returncode == 1, on_dask.stderr.decode()
    assert on_dask.stdout.decode() == plain.stdout.decode()
    out = tmp_path / "findings.jsonl"
    written = run_cli("check", "--engine", "dask", "--scheduler", "synchronous", "--output", str(out), str(SEED_EN), str(SEED_MT))
    assert written.returncode == 1, written.stderr.decode()
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["path"] for r in rows] == [str(SEED_EN), str(SEED_MT)] and len(rows[1]["findings"]) == 15
    misuse = run_cli("check", "--output", str(out), str(SEED_MT))
    assert misuse.returncode == 2 and "--output needs --engine dask" in misuse.stderr.decode()
