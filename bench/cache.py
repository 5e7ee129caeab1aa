"""The compiled-gazetteer cache: what editing a list, or trying many lists, costs the next check.

    python bench/cache.py [--rounds 5] [--churn 9]

Every number is ``entityfix check`` of a one-line file, run as a command (start-up included), with
the shipped gazetteers on and a fresh cache folder, in one run so the ratios share the machine's
mood (it is noisy: compare the ratios, not the seconds):

1. edit: the user's 10-line YAML list edited (one name changed), then the check (cold: the list
   is new to the cache), then the same check again (warm: nothing new); per round the ratio cold /
   warm, the median over rounds shown with its range.  Target <= 1.5x: the shipped lists are not
   compiled again because a small list changed;
2. churn: ``--churn`` checks, each with another user list, then the check with the shipped lists
   alone (cold: its combination may have been evicted), then again (warm).  Target <= 1.5x.

Run it with ``PYTHONPATH`` pointing at another source tree to measure that one (the checks are
subprocesses and inherit the environment).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAMES = ("Nasser Purytta", "Tavira Olmstedt", "Kofi Abernathy", "Ilse Vandermeer")


def _user_list(path: Path, tag: str) -> None:
    """A 10-line YAML list (four people), one name carrying ``tag`` so the content is new."""
    names = [*NAMES[:3], f"{NAMES[3]}{tag}"]
    path.write_text("description: my people\nentities:\n" + "".join(f"  - name: {n}\n    type: PERSON\n" for n in names), encoding="utf-8")


def _check(small: Path, env: dict, *gazetteers: Path) -> float:
    args = [sys.executable, "-m", "entityfix.cli", "check", "--quiet", "--no-progress", str(small)]
    for g in gazetteers:
        args += ["--gazetteer", str(g)]
    t = time.perf_counter()
    out = subprocess.run(args, env=env, capture_output=True, text=True)
    took = time.perf_counter() - t
    if out.returncode not in (0, 1):
        raise SystemExit(f"check failed ({out.returncode}): {out.stderr.strip()[-2000:]}")
    return took


def bench(rounds: int, churn: int) -> list[tuple[str, list[tuple[float, float]]]]:
    with tempfile.TemporaryDirectory(prefix="entityfix-bench-cache-") as tmp:
        tmp_path = Path(tmp)
        env = dict(os.environ, ENTITYFIX_CACHE_DIR=str(tmp_path / "cache"))
        small = tmp_path / "small.txt"
        small.write_text("Benny Gantz met Mr. Kantz in Rabat.\n", encoding="utf-8")
        mine = tmp_path / "mine.yaml"
        _user_list(mine, "0")
        _check(small, env, mine)  # compiles the shipped lists once, as a first run anywhere does
        _check(small, env)
        edit = []
        for n in range(rounds):
            _user_list(mine, f"e{n}")
            cold = _check(small, env, mine)
            warm = _check(small, env, mine)
            edit.append((cold, warm))
        tried = []
        for n in range(rounds):
            for k in range(churn):
                other = tmp_path / f"other-{n}-{k}.yaml"
                _user_list(other, f"c{n}-{k}")
                _check(small, env, other)
            cold = _check(small, env)
            warm = _check(small, env)
            tried.append((cold, warm))
    return [("edit", edit), ("churn", tried)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="rounds per row (medians shown)")
    ap.add_argument("--churn", type=int, default=9, help="other user lists tried before the churn row's check")
    args = ap.parse_args()

    from rich.console import Console
    from rich.table import Table

    labels = {
        "edit": "check right after editing a 10-line user YAML (shipped lists on) vs the same check warm (s)",
        "churn": f"check with the shipped lists after {args.churn} checks with other user lists vs warm (s)",
    }
    table = Table(title=f"Compiled-gazetteer cache (one run; median of {args.rounds} rounds, ratio range in brackets)")
    for col in ("measure", "cold", "warm", "ratio", "target"):
        table.add_column(col, justify="right")
    for name, pairs in bench(args.rounds, args.churn):
        ratios = sorted(cold / warm for cold, warm in pairs)
        table.add_row(
            labels[name], f"{statistics.median(c for c, _ in pairs):.2f}", f"{statistics.median(w for _, w in pairs):.2f}",
            f"{statistics.median(ratios):.2f}x ({ratios[0]:.2f}-{ratios[-1]:.2f})", "<= 1.5x",
        )
    Console(width=200).print(table)


if __name__ == "__main__":
    main()
