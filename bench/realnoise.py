"""The real-noise development packs (OCR, MT, ASR) in one command and one table.

    python bench/realnoise.py [--packs ocr,mt,asr] [--entityfix CMD] [--save DIR] [--jobs N]

Why: quality.py measures injected misspellings; ../shared/realnoise holds names mangled by real OCR,
machine translation and speech recognition, each pack with its own score.py, options, table and
"standard setting" (ocr adds the project's gazetteers/world-places.tsv as distractors; mt and asr need
nothing extra). Run by hand they are easy to run slightly differently, and their tables do not line up.
This runs each scorer in its standard setting with the entityfix of this interpreter's environment and
prints fixes, right, wrong, fix precision/recall, wrong fixes per 10k words, suggestions and seconds
side by side. The packs are development data under their own licences: they stay outside the
repository, and nothing of them is copied here (--save DIR writes outside it too, wherever you say).
"""

from __future__ import annotations

import argparse
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACKS = REPO.parent / "shared" / "realnoise"
LAST = re.compile(r"^(\S+-dev) fixP=([\d.]+) fixR=([\d.]+) wrong_per_10k=([\d.]+)\s*$", re.M)
NUM = re.compile(r"^-?\d+(\.\d+)?$")


def default_entityfix() -> str:
    exe = Path(sys.executable).with_name("entityfix")
    return shlex.quote(str(exe)) if exe.exists() else f"{shlex.quote(sys.executable)} -m entityfix.cli"


def table_rows(out: str, first: str) -> dict[str, dict[str, str]]:
    """The table whose header starts with ``first``: row name -> {column: text}. Names may hold spaces."""
    lines = out.splitlines()
    for i, line in enumerate(lines):
        head = [t for t in line.split() if t != "|"]
        if head[:1] == [first] and "fixP" in head:
            break
    else:
        return {}
    cols, rows = head[1:], {}
    for line in lines[i + 1:]:
        toks = [t for t in line.split() if t != "|"]
        if not toks or set(line.strip()) <= {"-"}:
            continue
        vals = toks[-len(cols):]
        if len(toks) <= len(cols) or not all(NUM.match(v) for v in vals):
            break
        rows[" ".join(toks[:-len(cols)])] = dict(zip(cols, vals))
    return rows


def row(label, r, fixes, right, wrong, P, R, w10k, sug, sugP, secs):
    return dict(pack=label, fixes=int(r[fixes]), right=sum(int(r[c]) for c in right), wrong=int(r[wrong]),
                fixP=float(r[P]), fixR=float(r[R]), w10k=float(r[w10k]), sugg=int(r[sug]), sugP=sugP, secs=secs)


def parse_ocr(out, secs):
    r = table_rows(out, "system")["entityfix"]
    return [row("ocr", r, "fixes", ["right"], "wrong", "fixP", "fixR", "wrong/10k", "suggests",
                float(r["sugP"]), secs)]


def parse_mt(out, secs):
    r = table_rows(out, "pair/system")["TOTAL"]
    return [row("mt", r, "fix", ["ok"], "wrong", "fixP", "fixR", "w/10k", "sug", float(r["sugP"]), secs)]


def parse_asr(out, secs):
    rows, result = table_rows(out, "system"), []
    # the table's sugP has 2 decimals; the summary lines give the counts
    sug_ok = dict(re.findall(r"improved \(not in fixR\), (\w+): .*?suggestions: entityfix \d+ \((\d+) full", out))
    # seconds per engine (entityfix + scoring) from the progress lines; engines marked * are lower-case
    star = {name.rstrip("*"): name.endswith("*") for name in rows if not name.startswith("TOTAL")}
    per = {m[0]: int(m[1]) + int(m[2]) for m in re.findall(r"^\s+(\S+)\s+\d+ calls, \d+ words: entityfix (\d+)s, "
                                                          r"scoring (\d+)s", out, re.M)}
    for total, label, kind, lower in (("TOTAL cased", "asr cased", "cased", False),
                                      ("TOTAL lower*", "asr lower*", "lower", True)):
        if total in rows:
            r = rows[total]
            n = int(r["sugg"])
            sugP = int(sug_ok[kind]) / n if kind in sug_ok and n else float(r["sugP"])
            t = sum(s for e, s in per.items() if star.get(e) == lower) if per else secs
            result.append(row(label, r, "fixes", ["ok", "part"], "wrong", "fixP", "fixR", "w/10k", "sugg", sugP, t))
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--packs", default="ocr,mt,asr", help="comma list of packs (default: ocr,mt,asr)")
    ap.add_argument("--entityfix", metavar="CMD", default=None,
                    help="command that starts entityfix (default: this environment's bin/entityfix)")
    ap.add_argument("--save", metavar="DIR", type=Path,
                    help="keep each scorer's printout (PACK.txt), entityfix's raw JSON (PACK-findings.json) "
                         "and every wrong fix and miss (PACK-details.*) in DIR")
    ap.add_argument("--jobs", type=int, default=None, help="entityfix worker processes (mt and asr pass it on)")
    args = ap.parse_args()
    if not PACKS.is_dir():
        print(f"realnoise: {PACKS} not found; nothing to run")
        return 0
    packs = [p.strip() for p in args.packs.split(",") if p.strip()]
    if bad := [p for p in packs if p not in ("ocr", "mt", "asr")]:
        ap.error(f"--packs: unknown {', '.join(bad)} (ocr, mt, asr)")
    cmd = args.entityfix or default_entityfix()
    if args.save:
        args.save = args.save.resolve()
        args.save.mkdir(parents=True, exist_ok=True)

    rows, failed, walls = [], [], {}
    for pack in packs:
        argv = [sys.executable, str(PACKS / pack / "score.py"), "--entityfix", cmd]
        if pack == "ocr":  # the standard setting: the shipped reference list of places as distractors
            argv += ["--gazetteer", str(REPO / "gazetteers" / "world-places.tsv")]
        if args.jobs and pack != "ocr":  # ocr's scorer has no --jobs
            argv += ["--jobs", str(args.jobs)]
        if args.save:
            argv += ["--save" if pack == "ocr" else "--save-findings", str(args.save / f"{pack}-findings.json"),
                     "--details", str(args.save / f"{pack}-details.{'jsonl' if pack == 'mt' else 'txt'}")]
        print(f"realnoise: running {pack} ...", file=sys.stderr, flush=True)
        t0 = time.perf_counter()
        proc = subprocess.run(argv, capture_output=True, text=True)
        walls[pack] = secs = time.perf_counter() - t0
        if args.save:
            (args.save / f"{pack}.txt").write_text(proc.stdout + (f"\n[stderr]\n{proc.stderr}" if proc.stderr else ""),
                                                   encoding="utf-8")
        try:
            if proc.returncode:
                raise RuntimeError(f"exit {proc.returncode}")
            got = {"ocr": parse_ocr, "mt": parse_mt, "asr": parse_asr}[pack](proc.stdout, secs)
            last = LAST.findall(proc.stdout)[-1]  # cross-check the table against the scorer's own last line
            if (float(last[1]), float(last[2]), float(last[3])) != (got[0]["fixP"], got[0]["fixR"], got[0]["w10k"]):
                print(f"realnoise: {pack}: table and last line disagree: {' '.join(last)}", file=sys.stderr)
            rows += got
        except (RuntimeError, KeyError, IndexError, ValueError) as e:
            failed.append(pack)
            print(f"realnoise: {pack} failed ({e!r}):\n{proc.stderr[-2000:] or proc.stdout[-2000:]}", file=sys.stderr)

    print(f"entityfix: {cmd}  (standard settings; ocr with gazetteers/world-places.tsv)")
    print(f"{'pack':<11} {'fixes':>6} {'right':>6} {'wrong':>6} {'fixP':>6} {'fixR':>6} {'wrong/10k':>9} "
          f"{'sugg':>6} {'sugP':>6} {'secs':>6}")
    for r in rows:  # a precision of nothing is shown as "-", not as the scorers' 0.000
        fixP, sugP = (f"{r[k]:>6.3f}" if r[n] else f"{'-':>6}" for k, n in (("fixP", "fixes"), ("sugP", "sugg")))
        print(f"{r['pack']:<11} {r['fixes']:>6} {r['right']:>6} {r['wrong']:>6} {fixP} {r['fixR']:>6.3f} "
              f"{r['w10k']:>9.2f} {r['sugg']:>6} {sugP} {r['secs']:>6.0f}")
    for pack in failed:
        print(f"{pack:<11} failed (see above)")
    print("(asr right = full + partial corrections; * = lower-case engine; secs: asr per engine group, "
          "scorer wall times " + ", ".join(f"{p} {s:.0f}s" for p, s in walls.items()) + ")")
    if args.save:
        print(f"printouts, raw findings and details in {args.save}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
