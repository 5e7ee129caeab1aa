"""Speech transcripts: the speech pack's fixes and suggestions, and throughput on lower-case text.

    python bench/speech.py [--docs N]

Issue 18's rows.  Quality: the speech development pack (../shared/realnoise/asr, Earnings-21 calls,
five recognisers, the pack's own list and judge), cased engines and the lower-case engine apart:
the fixes, the suggestions, and fixes and suggestions counted together (what a reviewer accepting
every suggestion would get).  Throughput: words per second of ``check_until_stable`` on the
lower-case engine's transcripts against spaCy NER alone (the same pipeline, NER only) on the same
text, measured in one process, one after the other, after a warm-up.  The pack's texts stay
outside the repository.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PACK = REPO.parent / "shared" / "realnoise" / "asr"


def totals(findings_json: Path) -> dict[str, str]:
    out = subprocess.run([sys.executable, str(PACK / "score.py"), "--findings", str(findings_json), "--no-baseline"],
                         capture_output=True, text=True, cwd=PACK).stdout
    rows = {}
    for line in out.splitlines():
        if line.startswith("TOTAL"):
            head, _, rest = line.partition("|")
            cols = rest.split("|")
            left, right = cols[0].split(), cols[1].split()
            rows[head.split()[1]] = {"fixes": left[0], "fixP": left[5], "fixR": left[6], "sugg": right[0], "sugP": right[1]}
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=4, help="lower-case transcripts timed (default 4)")
    args = ap.parse_args()
    from entityfix import Checker, Settings
    from entityfix.cli.report import FileResult, to_json

    checker = Checker(Settings(default_gazetteers=False, gazetteers=(PACK / "gazetteer.tsv",)))
    files = sorted(PACK.glob("docs/*/*.txt"))
    results = [FileResult(str(p), p.read_text(encoding="utf-8"), ()) for p in files]
    results = [FileResult(r.path, r.text, tuple(checker.check_until_stable(r.text))) for r in results]
    with tempfile.TemporaryDirectory() as tmp:
        found = Path(tmp) / "findings.json"
        found.write_text(to_json(results), encoding="utf-8")
        quality = totals(found)
        data = json.loads(found.read_text(encoding="utf-8"))
        for f in data["files"]:
            for x in f["findings"]:
                x["action"] = "fix"
        together = Path(tmp) / "together.json"
        together.write_text(json.dumps(data), encoding="utf-8")
        both = totals(together)
    print(f"{'engines':<8} | {'fixes':>5} | {'fixP':>5} | {'fixR':>5} | {'sugg':>5} | {'sugP':>5} | {'fix+sugg P':>10} | {'fix+sugg R':>10}")
    print("-" * 80)
    for name in ("cased", "lower*"):
        q, b = quality.get(name, {}), both.get(name, {})
        print(f"{name:<8} | {q.get('fixes', '-'):>5} | {q.get('fixP', '-'):>5} | {q.get('fixR', '-'):>5} | {q.get('sugg', '-'):>5} | "
              f"{q.get('sugP', '-'):>5} | {b.get('fixP', '-'):>10} | {b.get('fixR', '-'):>10}")

    lower = [p.read_text(encoding="utf-8") for p in sorted(PACK.glob("docs/rev-kaldi/*.txt"))[: args.docs]]
    words = sum(len(t.split()) for t in lower)
    fresh = Checker(checker.settings, checker.gazetteer)
    fresh.check_until_stable(lower[0][:5000])  # warm-up: the pipeline, the form index
    began = time.perf_counter()
    for text in lower:
        fresh.check_until_stable(text)
    ours = time.perf_counter() - began
    nlp = fresh.extractor.nlp
    list(nlp.pipe([lower[0][:5000]]))
    began = time.perf_counter()
    for text in lower:
        chunks = [text[i : i + 5000] for i in range(0, len(text), 5000)]
        for _ in nlp.pipe(chunks, batch_size=32):
            pass
    ner = time.perf_counter() - began
    print(f"\nlower-case throughput ({len(lower)} transcripts, {words:,} words): entityfix {words / ours:,.0f} words/s, "
          f"spaCy NER alone {words / ner:,.0f} words/s: {ner / ours:.2f}x (target >= 0.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
