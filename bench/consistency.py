"""One name spelt several ways, with no list at all: how often is a reported group one name?

    python bench/consistency.py [--pack mt] [--entityfix CMD]

Issue 15's target: on the MT development pack (../shared/realnoise/mt, machine translations with
their human reference), with no gazetteer at all, entityfix reports consistency groups ("Kantz (3),
Kants (2), Gantz (1): one person?").  A group is judged against the document's reference
translation, token by token (lower-cased runs of letters, as the pack's judge reads them):

* **right**: exactly one of its spellings is in the reference: one name, the others misspellings of it;
* **two names**: two or more of its spellings are in the reference: the text names different things;
* **no reference spelling**: none is: the machine misspelt every occurrence, or the group is noise.

The pack's texts stay outside the repository; nothing of them is copied or saved here.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKS = REPO.parent / "shared" / "realnoise"
TOKEN = re.compile(r"[^\W\d_]+")


def default_entityfix() -> str:
    exe = Path(sys.executable).with_name("entityfix")
    return shlex.quote(str(exe)) if exe.exists() else f"{shlex.quote(sys.executable)} -m entityfix.cli"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pack", default="mt")
    ap.add_argument("--entityfix", default=default_entityfix())
    args = ap.parse_args()
    pack = PACKS / args.pack
    docs = [json.loads(line) for line in (pack / "gold.jsonl").read_text(encoding="utf-8").splitlines()[1:]]
    paths = [str(pack / d["path"]) for d in docs]
    began = time.perf_counter()
    run = subprocess.run(
        [*shlex.split(args.entityfix), "check", "--no-default-gazetteers", "--format", "json", "--quiet", "--no-progress", *paths],
        capture_output=True, text=True,
    )
    secs = time.perf_counter() - began
    if run.returncode not in (0, 1):
        sys.stderr.write(run.stderr)
        return 2
    found = {f["path"]: f["findings"] for f in json.loads(run.stdout)["files"]}
    verdicts: Counter[str] = Counter()
    other = Counter()
    for d, path in zip(docs, paths):
        reference = {t.lower() for line in d["doc_ref"] for t in TOKEN.findall(line)}
        groups = {tuple(g["spelling"] for g in f["group"]) for f in found.get(path, []) if f.get("kind") == "consistency" and f.get("group")}
        other.update(f["action"] for f in found.get(path, []) if f.get("kind") != "consistency")
        for spellings in groups:
            present = sum(all(t.lower() in reference for t in TOKEN.findall(s)) for s in spellings)
            verdicts["right" if present == 1 else "two names" if present > 1 else "no reference spelling"] += 1
    total = sum(verdicts.values())
    print(f"{'pack':<6} | {'files':>5} | {'groups':>6} | {'right':>5} | {'two names':>9} | {'no ref':>6} | {'right share':>11} | {'secs':>6}")
    print("-" * 76)
    share = verdicts["right"] / total if total else 0.0
    print(
        f"{args.pack:<6} | {len(docs):>5} | {total:>6} | {verdicts['right']:>5} | {verdicts['two names']:>9} | "
        f"{verdicts['no reference spelling']:>6} | {share:>11.3f} | {secs:>6.1f}"
    )
    if other:
        print(f"(other findings with no list: {dict(other)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
