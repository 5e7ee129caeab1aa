"""A file being fixed is always either its exact old bytes or its exact new bytes, whatever kills us."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time

from conftest import SEED_MT

FILLER = "the quick brown fox jumps over the lazy dog, and the lazy dog sleeps on. " * 12 + "\n"


def _big_file(path, megabytes: float) -> bytes:
    body = FILLER * int(megabytes * 1024 * 1024 / len(FILLER))
    data = (body + SEED_MT.read_text(encoding="utf-8") + "\n" + body).encode("utf-8")
    path.write_bytes(data)
    return data


def test_sigkill_during_fix_never_leaves_a_partial_file(tmp_path):
    original = tmp_path / "original.txt"
    old = _big_file(original, 3)
    reference = tmp_path / "reference.txt"
    shutil.copyfile(original, reference)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "entityfix.cli", "fix", str(reference)], capture_output=True, timeout=600)
    duration = time.perf_counter() - started
    assert done.returncode == 1, done.stderr.decode()
    new = reference.read_bytes()
    assert new != old
    rng = random.Random(2026)
    target = tmp_path / "target.txt"
    outcomes = {"old": 0, "new": 0}
    for _ in range(50):
        shutil.copyfile(original, target)
        proc = subprocess.Popen([sys.executable, "-m", "entityfix.cli", "fix", str(target)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        data = target.read_bytes()
        assert data in (old, new), f"partial file after SIGKILL: {len(data)} bytes"
        outcomes["old" if data == old else "new"] += 1
    assert outcomes["old"] and outcomes["new"], outcomes  # the kills landed on both sides of the rename


WRITER = """
import sys
from pathlib import Path
from entityfix.text.document import read, write_atomic
path = Path(sys.argv[1])
texts = [Path(sys.argv[2]).read_text(encoding="utf-8"), Path(sys.argv[3]).read_text(encoding="utf-8")]
print("ready", flush=True)
i = 0
while True:
    write_atomic(read(path), texts[i % 2])
    i += 1
"""


def test_sigkill_in_the_middle_of_atomic_writes(tmp_path):
    """The writer alone, rewriting a 4 MB file back and forth, killed 50 times mid-stream."""
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    old = _big_file(a, 4)
    new = old.replace(b"Kantz", b"Gantz").replace(b"lazy dog", b"LAZY DOG")
    b.write_bytes(new)
    target = tmp_path / "target.txt"
    rng = random.Random(7)
    for _ in range(50):
        shutil.copyfile(a, target)
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(a), str(b)], stdout=subprocess.PIPE)
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.25))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert target.read_bytes() in (old, new)
