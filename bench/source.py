"""What checking a translation against its source costs: ``check --source`` against a plain check.

    python bench/source.py [--rounds N]

Issue 15's target: a check with ``--source`` costs at most 2x a check without it.  Both are timed
as users run them, a whole ``entityfix check`` process from start to exit (spaCy, both pipelines,
the lists), on the seed translation and the project's French report of the same story; the two
commands alternate, round after round, so a busy machine slows both alike, and the medians and
their ratio are printed.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TARGET = REPO / "seeds" / "003_cb8372393b9cf68e.txt"
SOURCE = REPO / "tests" / "data" / "seed_story.fr.txt"


def default_entityfix() -> list[str]:
    exe = Path(sys.executable).with_name("entityfix")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "entityfix.cli"]


def timed(cmd: list[str]) -> float:
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True)
    if done.returncode not in (0, 1):
        sys.exit(f"failed: {shlex.join(cmd)}\n{done.stderr.decode()}")
    return time.perf_counter() - began


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    exe = default_entityfix()
    cases = {
        "shipped lists": ([], ["--source", str(SOURCE)]),
        "no list": (["--no-default-gazetteers"], ["--no-default-gazetteers", "--source", str(SOURCE)]),
    }
    for plain, with_source in cases.values():  # warm the caches (compiled lists, prior, exonyms) once
        timed([*exe, "check", "-q", *plain, str(TARGET)])
        timed([*exe, "check", "-q", *with_source, str(TARGET)])
    print(f"{'lists':<14} | {'check (s)':>9} | {'--source (s)':>12} | {'ratio':>5} | {'ratio range':>11}")
    print("-" * 64)
    for name, (plain, with_source) in cases.items():
        a, b = [], []
        for n in range(args.rounds):
            first, second = (plain, with_source) if n % 2 == 0 else (with_source, plain)
            t1 = timed([*exe, "check", "-q", *first, str(TARGET)])
            t2 = timed([*exe, "check", "-q", *second, str(TARGET)])
            a.append(t1 if first is plain else t2)
            b.append(t2 if first is plain else t1)
        ratios = sorted(y / x for x, y in zip(a, b))
        print(f"{name:<14} | {statistics.median(a):>9.2f} | {statistics.median(b):>12.2f} | {statistics.median(b) / statistics.median(a):>5.2f} | {ratios[0]:.2f}-{ratios[-1]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
