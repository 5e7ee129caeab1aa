"""Two writers of one file never lose a write (issue "Trust", item 1).

``entityfix fix`` holds a lock on the file from its "changed since read?" check to its rename; the
loser of a race reads the new bytes, checks them again and applies its own kind of findings on
top.  So whatever order two runs finish in, the file ends up with what both of them said they
wrote.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
import time

import pytest

from conftest import run_cli

# "fix" applies three fixes here, "fix --apply-suggestions" those and one suggestion more
TEXT = (
    "Benny Kantz spoke.\n\n"
    "The Policario leader and Loudi met Sahraoui groups. Mr Tokaev came. Bourite wrote.\n"
)
PAIRS = 200


def _expected(tmp_path, *flags: str) -> str:
    alone = tmp_path / "alone.txt"
    alone.write_text(TEXT)
    assert run_cli("fix", *flags, str(alone)).returncode == 1
    return alone.read_text()


def test_two_fix_runs_on_the_same_files_both_end_up_in_them(tmp_path):
    fixes_only = _expected(tmp_path)
    everything = _expected(tmp_path, "--apply-suggestions")
    assert fixes_only != everything != TEXT, "the text must give both a fix and a suggestion"
    folder = tmp_path / "race"
    folder.mkdir()
    files = [folder / f"t{i:03d}.txt" for i in range(PAIRS)]
    for f in files:
        f.write_text(TEXT)
    env = dict(os.environ, NO_COLOR="1")
    cmd = [sys.executable, "-m", "entityfix.cli", "fix"]
    # both read every file before either writes one, then write them in the same order: 200 races
    runs = [
        subprocess.Popen(cmd + flags + [str(f) for f in files], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        for flags in ([], ["--apply-suggestions"])
    ]
    outputs = [r.communicate(timeout=600) for r in runs]
    for run, (_, err) in zip(runs, outputs):
        assert run.returncode == 1, err.decode()
    lost = [f.name for f in files if f.read_text() != everything]
    assert lost == []
    assert not list(folder.glob(".*entityfix-tmp"))


def _slow_writer(path: str, new_text: str, started, hold: float) -> None:
    """Read the file, then write it while taking ``hold`` seconds between the check and the rename."""
    from entityfix.text import document

    doc = document.read(__import__("pathlib").Path(path))
    real_replace = document._replace

    def slow_replace(*args):
        started.set()
        time.sleep(hold)
        real_replace(*args)

    document._replace = slow_replace
    document.write_atomic(doc, new_text)


def test_a_writer_that_checked_first_is_never_overwritten_by_one_that_read_the_same_bytes(tmp_path):
    """A second writer that read the same bytes waits for the lock, then finds the file changed."""
    from entityfix.text.document import ChangedOnDisk, read, write_atomic

    path = tmp_path / "a.txt"
    path.write_text(TEXT)
    mine = read(path)  # read before the other writer writes
    started = multiprocessing.get_context("spawn").Event()
    other = multiprocessing.get_context("spawn").Process(target=_slow_writer, args=(str(path), "theirs\n", started, 1.0))
    other.start()
    assert started.wait(60)  # the other writer has passed its check and holds the lock
    with pytest.raises(ChangedOnDisk):
        write_atomic(mine, "mine\n")
    other.join(60)
    assert other.exitcode == 0
    assert path.read_text() == "theirs\n"
