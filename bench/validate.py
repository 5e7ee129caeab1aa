"""``entityfix gazetteer validate``: time and peak memory on a big list and on hostile files.

    python bench/validate.py [--rows 1000000] [--mb 200] [--timeout 120] [--only bulk|hostile]

1. bulk: a TSV of ``--rows`` generated names (syllable recombination, seeded, as in speed.py; written
   to a temporary folder, never committed), validated in a fresh process (target: <= 30 s and
   <= 1 GB for a million rows);
2. hostile: files of ``--mb`` megabytes (default: the gazetteer size limit, 200 MB) built to be slow
   or big to parse: one giant name (YAML on one line, YAML folded over many lines, TSV), nested
   flow brackets, wide flow lists, deep block nesting, anchors, one entry with millions of values.
   Each must be refused with one line naming the file and line, in about a second (plus the time to
   read the file), without growing memory far past the file's size.

Each row is one ``entityfix gazetteer validate FILE`` in a fresh process: wall time and that process's
peak resident memory (``wait4``), its exit code and the first line it printed.  ``--pythonpath DIR``
runs another source tree (an older release's ``src``) to compare; a run past ``--timeout`` is
killed and shown as such.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

MB = 1024 * 1024


def run(path: Path, timeout: float, pythonpath: str | None) -> dict:
    """One validate in a fresh process: seconds, peak MiB, exit code, first line of output."""
    env = dict(os.environ, NO_COLOR="1")
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "entityfix.cli", "gazetteer", "validate", str(path)], stdout=out, stderr=out, env=env)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = -9
                return {"seconds": time.perf_counter() - start, "peak": usage.ru_maxrss / 1024, "code": "killed", "said": f"still running after {timeout:.0f} s"}
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        lines = out.read().decode("utf-8", "replace").strip().splitlines()
    said = lines[-1] if lines and "Traceback" in lines[0] else (lines[0] if lines else "")
    said = said.replace(str(path), path.name)
    return {"seconds": seconds, "peak": usage.ru_maxrss / 1024, "code": proc.returncode, "said": said[:110]}


def bulk_file(folder: Path, rows: int) -> Path:
    import random

    from speed import generated_names

    path = folder / f"bulk-{rows}.tsv"
    rng = random.Random(2)
    types = ["PERSON"] * 6 + ["GPE", "ORG", "LOC"]
    with path.open("w", encoding="utf-8") as out:
        out.write("name\ttype\taliases\tnever\n")
        for name in generated_names(rows):
            out.write(f"{name}\t{rng.choice(types)}\t\t\n")
    return path


def _fill(path: Path, head: str, unit: str, size: int, tail: str = "") -> Path:
    """head + unit repeated to about ``size`` bytes + tail, written in pieces."""
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        left = size - len(head) - len(tail)
        block = unit * max(1, (4 * MB) // len(unit))
        while left > len(block):
            out.write(block)
            left -= len(block)
        out.write(unit * max(0, left // len(unit)))
        out.write(tail)
    return path


def _nested(path: Path, opening: int) -> Path:
    """``entities: [[[...]]]``: ``opening`` brackets, then as many closing ones."""
    with path.open("w", encoding="utf-8") as out:
        out.write("entities: ")
        for char in "[]":
            left = opening
            while left:
                step = min(left, 4 * MB)
                out.write(char * step)
                left -= step
        out.write("\n")
    return path


def _deep_block(path: Path, size: int) -> Path:
    """Mappings nested by indentation, one level more per line, until the file is ``size`` bytes."""
    with path.open("w", encoding="utf-8") as out:
        out.write("entities:\n  - name: X\n    type: GPE\n    aliases:\n")
        written, depth = 40, 0
        while True:
            line = " " * (6 + depth % 20000) + "k:\n"
            if written + len(line) > size:
                break
            out.write(line)
            written += len(line)
            depth += 1
    return path


HOSTILE = [
    ("YAML: one name on one line", "name.yaml", lambda p, n: _fill(p, "entities:\n  - name: ", "A", n, "\n    type: PERSON\n")),
    ("YAML: one name folded over lines", "folded.yaml", lambda p, n: _fill(p, "entities:\n  - name: >\n", "      " + "A" * 73 + "\n", n, "    type: PERSON\n")),
    ("TSV: one name", "name.tsv", lambda p, n: _fill(p, "name\ttype\nRabat\tGPE\n", "B", n, "\tPERSON\n")),
    ("YAML: nested brackets [[[...]]]", "nested.yaml", lambda p, n: _nested(p, n // 2 - 8)),
    ("YAML: nested brackets, 10 KB (issue: 8.9 s)", "nested10k.yaml", lambda p, n: _nested(p, 5000)),
    ("YAML: nested brackets, 40 KB (issue: 39 s)", "nested40k.yaml", lambda p, n: _nested(p, 20000)),
    ("YAML: a wide flow list [[], [], ...]", "wide.yaml", lambda p, n: _fill(p, "entities:\n  - name: X\n    type: GPE\n    aliases: [", "[], ", n, "[]]\n")),
    ("YAML: nesting by indentation", "deep.yaml", lambda p, n: _deep_block(p, n)),
    ("YAML: anchors and aliases", "anchors.yaml", lambda p, n: _fill(p, "a: &a [x, x]\nb: [*a, *a]\nentities:\n", "  - {name: Rabat, type: GPE}\n", n)),
    ("YAML: one entry with millions of aliases", "many.yaml", lambda p, n: _fill(p, "entities:\n  - name: Rabat\n    type: GPE\n    aliases:\n", "      - Ribat\n", n)),
]


def table(rows: list[tuple]) -> None:
    print("| file | size | seconds | peak MiB | exit | says |")
    print("|---|---|---|---|---|---|")
    for label, size, result in rows:
        print(f"| {label} | {size / MB:,.1f} MB | {result['seconds']:.1f} | {result['peak']:,.0f} | {result['code']} | {result['said']} |")


def main() -> None:
    from entityfix.gazetteer.schema import MAX_GAZETTEER_BYTES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="names in the bulk TSV")
    parser.add_argument("--mb", type=float, default=MAX_GAZETTEER_BYTES / MB, help="size of each hostile file (default: the limit)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a run is killed")
    parser.add_argument("--only", choices=("bulk", "hostile"), help="run one part only")
    parser.add_argument("--pythonpath", help="run this source tree instead (PYTHONPATH), e.g. an older release's src")
    args = parser.parse_args()
    size = int(args.mb * MB)
    with tempfile.TemporaryDirectory(prefix="entityfix-bench-validate-") as tmp:
        folder = Path(tmp)
        if args.only in (None, "bulk"):
            path = bulk_file(folder, args.rows)
            print(f"bulk: {args.rows:,} rows (target <= 30 s, <= 1,024 MiB)\n")
            table([(f"TSV, {args.rows:,} generated names", path.stat().st_size, run(path, args.timeout, args.pythonpath))])
            path.unlink()
            print()
        if args.only in (None, "hostile"):
            print(f"hostile files of {size / MB:,.0f} MB (target: one line with the file and line, about a second after reading)\n")
            rows = []
            for label, name, make in HOSTILE:
                path = make(folder / name, size)
                rows.append((label, path.stat().st_size, run(path, args.timeout, args.pythonpath)))
                path.unlink()
            table(rows)


if __name__ == "__main__":
    main()
