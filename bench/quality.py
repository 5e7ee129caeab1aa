"""Resolution quality on real news: inject realistic name misspellings into CoNLL text and measure.

    python bench/quality.py [--data ../shared/data/conll2003-valid.txt] [--seed 7] [--rate 0.3]
    python bench/quality.py --open-world [F]     # F (default 0.5) of the names kept out of the gazetteer

1. Reads CoNLL-format NER data (``TOKEN TAG ...``, BIO tags, blank line between
   sentences), rebuilds running text (detokenised, ``--sentences`` consecutive
   sentences per document) and a gazetteer of the annotated PER/LOC/ORG names.
2. Injects one misspelling (noise.py: voicing, C/K/Q, PH/F, W/V, Y/I/J, OU/U,
   SH/CH/SCH, doubled letters, vowels, dropped endings, OCR glyphs, dropped or
   swapped letters, diacritics) into a seeded sample of entity mentions; ALL-CAPS
   headlines are part of the data.
3. Runs the real entityfix on the noisy and the clean text and, in the same run,
   a naive baseline (every NER mention -> rapidfuzz extractOne WRatio >= 80).
4. Prints fix/suggestion precision and recall, wrong fixes per 10,000 words of
   clean text, and a precision/recall curve over the fix threshold.

``--open-world F``: real lists are incomplete. A seeded share F of the distinct
names is left out of the gazetteer (own RNG; the injection is the same as in the
closed-world run with that seed). Their mentions stay in the text, misspelt or not;
any fix or suggestion on them is wrong, and their misspellings leave the recall
denominator. Wrong fixes on clean text use the reduced gazetteer.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from noise import corrupt  # noqa: E402

from entityfix import Checker, Settings  # noqa: E402
from entityfix.gazetteer.schema import Entity  # noqa: E402
from entityfix.gazetteer.store import Gazetteer  # noqa: E402
from entityfix.spelling.names import tokenize  # noqa: E402
from entityfix.spelling.phonetic import exact_key  # noqa: E402

TYPE_OF = {"PER": "PERSON", "LOC": "GPE", "ORG": "ORG"}
NO_SPACE_BEFORE = {",", ".", ";", ":", "!", "?", ")", "]", "}", "'s", "'S", "n't", "%", "'", "'re", "'ve", "'ll", "'d", "'m"}
NO_SPACE_AFTER = {"(", "[", "{", "$"}


@dataclass
class Doc:
    text: str
    spans: list[tuple[int, int, str]]  # entity spans (start, end, CoNLL type)


@dataclass
class Injected:
    start: int
    end: int
    wrong: str
    right: str
    kind: str


def read_conll(path: Path) -> list[list[tuple[str, str]]]:
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if not parts:
            if current:
                sentences.append(current)
                current = []
            continue
        if parts[0] == "-DOCSTART-":
            continue
        current.append((parts[0], parts[1] if len(parts) > 1 else "O"))
    if current:
        sentences.append(current)
    return sentences


def detokenise(sentences: list[list[tuple[str, str]]]) -> Doc:
    """Running text: one paragraph per sentence, entity spans tracked through the joins."""
    out: list[str] = []
    pos = 0
    spans: list[tuple[int, int, str]] = []
    for sent in sentences:
        quote_open = False
        ent_start, ent_type, ent_end = None, None, None
        for i, (tok, tag) in enumerate(sent):
            space = i > 0
            prev = sent[i - 1][0] if i else ""
            if tok in NO_SPACE_BEFORE or prev in NO_SPACE_AFTER:
                space = False
            if tok == '"':
                if quote_open:
                    space = False
                quote_open = not quote_open
            elif prev == '"' and quote_open:
                space = False
            if space:
                out.append(" ")
                pos += 1
            start = pos
            out.append(tok)
            pos += len(tok)
            if tag.startswith("B-") or (tag.startswith("I-") and ent_type != tag[2:]):
                if ent_start is not None and ent_type in TYPE_OF:
                    spans.append((ent_start, ent_end, ent_type))
                ent_start, ent_type = start, tag[2:]
            elif tag == "O":
                if ent_start is not None and ent_type in TYPE_OF:
                    spans.append((ent_start, ent_end, ent_type))
                ent_start, ent_type = None, None
            ent_end = pos
        if ent_start is not None and ent_type in TYPE_OF:
            spans.append((ent_start, ent_end, ent_type))
        out.append("\n\n")
        pos += 2
    return Doc("".join(out), spans)


def name_key(name: str) -> str:
    """One distinct name of the gazetteer: its token keys ('' for no name)."""
    return " ".join(tok.key for tok in tokenize(name))


def still_listed(gaz: Gazetteer, name: str) -> bool:
    """Is the name still a correct form in the gazetteer without it?  A left-out "Lebed" is still
    listed as the surname of a kept "Alexander Lebed": its mentions are not unlisted."""
    return bool(gaz.forms_with_key(tuple(tok.key for tok in tokenize(name))))


def shipped_entities() -> list[Entity]:
    from entityfix.settings import Settings as _S
    from entityfix.gazetteer.schema import load_entities
    from entityfix.gazetteer.store import expand

    return [e for f in expand(_S().gazetteer_paths) for e in load_entities(f)]


def build_gazetteer(docs: list[Doc], with_shipped: bool = False, leave_out: frozenset[str] = frozenset()) -> Gazetteer:
    """The text's own names (less the keys in ``leave_out``), optionally with the shipped gazetteers."""
    types: dict[str, Counter] = {}
    spellings: dict[str, Counter] = {}
    for doc in docs:
        for s, e, t in doc.spans:
            name = doc.text[s:e]
            key = name_key(name)
            if not key or key in leave_out:
                continue
            # headline ALL-CAPS spellings are the case of the line, not of the name
            spellings.setdefault(key, Counter())[name] += 0.01 if name.isupper() and len(name) > 4 else 1
            types.setdefault(key, Counter())[TYPE_OF[t]] += 1
    entities = [Entity(names.most_common(1)[0][0], types[key].most_common(1)[0][0]) for key, names in spellings.items()]
    if with_shipped:  # the text's own names next to the shipped gazetteers (world-places: 31k places)
        entities += shipped_entities()
    return Gazetteer.build(entities)


def inject(doc: Doc, rate: float, rng: random.Random, is_known) -> tuple[str, list[Injected]]:
    text = doc.text
    edits: list[Injected] = []
    for s, e, _ in doc.spans:
        if rng.random() >= rate:
            continue
        toks = [t for t in tokenize(text[s:e]) if len(t.text) >= 4 and t.text[:1].isupper()]
        if not toks:
            continue
        tok = rng.choice(toks)
        made = corrupt(tok.text, rng)
        if made is None:
            continue
        wrong, kind = made
        if is_known(exact_key(wrong)):  # a real name elsewhere: not a misspelling anyone could detect
            continue
        edits.append(Injected(s + tok.start, s + tok.end, wrong, tok.text, kind))
    # apply right to left so offsets stay valid; then record new offsets
    new_text = text
    for ed in sorted(edits, key=lambda x: -x.start):
        new_text = new_text[: ed.start] + ed.wrong + new_text[ed.end :]
    shifted, delta = [], 0
    for ed in sorted(edits, key=lambda x: x.start):
        start = ed.start + delta
        shifted.append(Injected(start, start + len(ed.wrong), ed.wrong, ed.right, ed.kind))
        delta += len(ed.wrong) - (ed.end - ed.start)
    return new_text, shifted


def noisy_offset(edits: list[Injected]):
    """Clean-text offset -> noisy-text offset, for the boundaries of spans and tokens (``edits``:
    inject's output, sorted, noisy offsets; an edit replaces one whole token)."""
    moves, delta = [], 0  # (clean start of an edit, total shift after it)
    for ed in edits:
        clean_start = ed.start - delta
        delta += len(ed.wrong) - len(ed.right)
        moves.append((clean_start, delta))

    def at(pos: int) -> int:
        return pos + next((d for c, d in reversed(moves) if c < pos), 0)

    return at


def noisy_spans(doc: Doc, edits: list[Injected]) -> list[tuple[int, int, str]]:
    """The entity spans in noisy-text offsets (``edits``: inject's output, sorted, noisy offsets)."""
    at = noisy_offset(edits)
    return [(at(s), at(e), t) for s, e, t in doc.spans]


def unlisted_parts(doc: Doc, edits: list[Injected], left: set[str], kept: set[str], gaz: Gazetteer) -> list[tuple[int, int]]:
    """The noisy-text spans of the mentions of left-out names, less what is still listed.

    A left-out name that is still a correct form of a kept entity ("Lebed", the surname of a kept
    "Alexander Lebed") is listed.  So are the tokens of a left-out name that write a kept name in
    full ("Parnevik" in a left-out "Jesper Parnevik", "Agriculture Department" in "U.S. Agriculture
    Department"): the benchmark's names are strings, and a kept name inside a longer one is, as in
    the case before, taken for the same referent; a fix there restores a listed name.  A kept name
    that is only a form of a longer one ("Waugh" of a kept "Mark Waugh") does not count: "S. Waugh"
    stays unlisted."""
    at = noisy_offset(edits)
    parts: list[tuple[int, int]] = []
    for cs, ce, _ in doc.spans:
        s, e, name = at(cs), at(ce), doc.text[cs:ce]
        if name_key(name) not in left or still_listed(gaz, name):
            continue
        toks = tokenize(name)
        inside = [(i, j) for i in range(len(toks)) for j in range(len(toks), i, -1)
                  if (i, j) != (0, len(toks)) and " ".join(t.key for t in toks[i:j]) in kept]
        if not inside:
            parts.append((s, e))
            continue
        i, j = max(inside, key=lambda ij: ij[1] - ij[0])  # the longest kept name inside
        a, b = at(cs + toks[i].start), at(cs + toks[j - 1].end)
        parts.extend(span for span in ((s, a), (b, e)) if span[0] < span[1])
    return parts


def overlaps(start: int, end: int, spans) -> bool:
    return any(start < e and s < end for s, e in spans)


def score(findings_by_doc, injected_by_doc, threshold: float | None = None, action: str = "fix"):
    """(true positives, proposed, injected) for findings of one action (or conf >= threshold)."""
    tp = proposed = 0
    total = sum(len(x) for x in injected_by_doc)
    for findings, injected in zip(findings_by_doc, injected_by_doc):
        truth = {(i.start, i.end): i.right for i in injected}
        for f in findings:
            chosen = f.confidence >= threshold if threshold is not None else f.action == action
            if not chosen:
                continue
            proposed += 1
            if truth.get((f.start, f.end)) == f.new:
                tp += 1
    return tp, proposed, total


def baseline(checker: Checker, gaz: Gazetteer, texts: list[str]):
    """Every NER mention -> rapidfuzz extractOne(WRatio) over all names; replace when >= 80 and different."""
    from rapidfuzz import fuzz, process

    names = [e.name for e in gaz.entities]
    out = []
    for text in texts:
        found = []
        for m in checker.extractor.mentions(text):
            if m.source != "ner":
                continue
            best = process.extractOne(m.text, names, scorer=fuzz.WRatio, score_cutoff=80)
            if best and best[0] != m.text:
                found.append((m.start, m.end, m.text, best[0]))
        out.append(found)
    return out


def score_baseline(found_by_doc, injected_by_doc):
    tp = proposed = 0
    for found, injected in zip(found_by_doc, injected_by_doc):
        for start, end, old, new in found:
            proposed += 1
            inside = [i for i in injected if start <= i.start and i.end <= end]
            if inside:
                # the right answer is the clean mention text
                expected = old
                for i in sorted(inside, key=lambda x: -x.start):
                    expected = expected[: i.start - start] + i.right + expected[i.end - start :]
                if new == expected:
                    tp += 1
    return tp, proposed


def ratio(a: int, b: int) -> float:
    return a / b if b else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data" / "conll2003-valid.txt")
    ap.add_argument("--sentences", type=int, default=25, help="sentences per document")
    ap.add_argument("--docs", type=int, default=0, help="use only the first N documents (0: all)")
    ap.add_argument("--rate", type=float, default=0.3, help="share of entity mentions misspelt")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--fix-threshold", type=float, default=Settings().fix_threshold)
    ap.add_argument("--suggest-threshold", type=float, default=Settings().suggest_threshold)
    ap.add_argument("--with-shipped", action="store_true", help="add the shipped gazetteers (world-places) to the text's names")
    ap.add_argument("--show-errors", type=int, default=0, help="print up to N wrong fixes and misses")
    ap.add_argument("--open-world", type=float, nargs="?", const=0.5, default=None, metavar="F",
                    help="leave a seeded share F (default 0.5) of the names out of the gazetteer; "
                         "fixes on them are wrong, their misspellings are not in recall")
    args = ap.parse_args()
    if args.open_world is not None and not 0 <= args.open_world <= 1:
        ap.error("--open-world F: F must be between 0 and 1")

    sentences = read_conll(args.data)
    chunks = [sentences[i : i + args.sentences] for i in range(0, len(sentences), args.sentences)]
    docs = [detokenise(c) for c in chunks]
    if args.docs:
        docs = docs[: args.docs]
    gaz = build_gazetteer(docs, args.with_shipped)
    rng = random.Random(args.seed)
    noisy, injected = [], []
    for doc in docs:
        text, edits = inject(doc, args.rate, rng, gaz.is_known)
        noisy.append(text)
        injected.append(edits)
    words = sum(len(d.text.split()) for d in docs)

    # open world: the injection above used the full list (same as closed world); now shrink it
    scored = injected  # the misspellings recall counts and fixes are credited against
    unlisted: list[list[tuple[int, int]]] = [[] for _ in docs]  # unlisted mentions, noisy offsets
    if args.open_world is not None:
        keys = sorted({k for d in docs for s, e, _ in d.spans if (k := name_key(d.text[s:e]))})
        left = set(random.Random(args.seed).sample(keys, round(args.open_world * len(keys))))
        n_left = len(left)
        if args.with_shipped:  # a name the shipped lists hold is not unlisted
            left -= {name_key(n) for e in shipped_entities() for n in (e.name, *e.aliases)}
        gaz = build_gazetteer(docs, args.with_shipped, frozenset(left))
        kept = set(keys) - left
        strict = []  # the mentions of left-out names whole, as the benchmark counted them until now
        for i, (doc, edits) in enumerate(zip(docs, injected)):
            unlisted[i] = unlisted_parts(doc, edits, left, kept, gaz)
            strict.append(unlisted_parts(doc, edits, left, set(), gaz))
        scored = [[x for x in inj if not overlaps(x.start, x.end, u)] for inj, u in zip(injected, unlisted)]
        scored_strict = [[x for x in inj if not overlaps(x.start, x.end, u)] for inj, u in zip(injected, strict)]

    checker = Checker(Settings(default_gazetteers=False, fix_threshold=args.fix_threshold, suggest_threshold=min(0.3, args.suggest_threshold)), gazetteer=gaz)
    t0 = time.perf_counter()
    noisy_findings = [checker.check_text(t) for t in noisy]
    t1 = time.perf_counter()
    clean_findings = [checker.check_text(d.text) for d in docs]
    base_noisy = baseline(checker, gaz, noisy)
    base_clean = baseline(checker, gaz, [d.text for d in docs])

    fix_tp, fix_n, total = score(noisy_findings, scored, action="fix")
    sug = [[f for f in fs if f.action == "suggest" and f.confidence >= args.suggest_threshold] for fs in noisy_findings]
    sug_tp, sug_n, _ = score(sug, scored, action="suggest")
    clean_fixes = sum(f.action == "fix" for fs in clean_findings for f in fs)
    clean_sugs = sum(f.action == "suggest" and f.confidence >= args.suggest_threshold for fs in clean_findings for f in fs)
    b_tp, b_n = score_baseline(base_noisy, scored)
    b_clean = sum(len(x) for x in base_clean)

    from rich.console import Console
    from rich.table import Table

    console = Console()
    console.print(
        f"data: {args.data.name}, {len(docs)} documents, {words} words, gazetteer {len(gaz)} names, "
        f"{sum(map(len, injected))} injected misspellings (rate {args.rate}, seed {args.seed}); "
        f"entityfix {words / (t1 - t0):.0f} words/s on noisy text"
    )
    if args.open_world is not None:
        n_inj = sum(len(x) for x in injected)
        shipped = f" ({n_left - len(left)} more chosen but in the shipped gazetteers)" if args.with_shipped else ""
        console.print(
            f"open world {args.open_world:g} (seed {args.seed}): {len(left)} of {len(keys)} names left out of the "
            f"gazetteer{shipped}, {sum(map(len, unlisted))} mentions; {n_inj - total} of the {n_inj} injected "
            f"misspellings belong to unlisted names (fixes on them are wrong; recall counts the other {total})"
        )
        s_tp, s_n, s_total = score(noisy_findings, scored_strict, action="fix")
        console.print(
            f"counting a kept name inside a left-out one as unlisted too (\"Parnevik\" in \"Jesper Parnevik\"): "
            f"fix precision {ratio(s_tp, s_n):.3f} ({s_tp}/{s_n}), recall {ratio(s_tp, s_total):.3f}"
        )
    table = Table(title="Fix quality (injected misspellings; clean text for wrong fixes)")
    for col in ("system", "fix precision", "fix recall", "sugg. precision", "sugg. recall", "wrong fixes / 10k clean words", "suggestions / 10k clean words"):
        table.add_column(col, justify="right")
    table.add_row(
        "entityfix", f"{ratio(fix_tp, fix_n):.3f} ({fix_tp}/{fix_n})", f"{ratio(fix_tp, total):.3f}",
        f"{ratio(sug_tp, sug_n):.3f} ({sug_tp}/{sug_n})", f"{ratio(sug_tp, total):.3f}",
        f"{clean_fixes / words * 1e4:.2f} ({clean_fixes})", f"{clean_sugs / words * 1e4:.2f}",
    )
    table.add_row(
        "baseline WRatio>=80", f"{ratio(b_tp, b_n):.3f} ({b_tp}/{b_n})", f"{ratio(b_tp, total):.3f}", "-", "-",
        f"{b_clean / words * 1e4:.2f} ({b_clean})", "-",
    )
    console.print(table)
    if args.open_world is not None:
        def on_unlisted(findings_by_doc, action):  # (on an injected misspelling, elsewhere in the mention)
            hit = Counter()
            restored = 0  # fixes that put back the very token the misspelling replaced
            for fs, u, inj in zip(findings_by_doc, unlisted, injected):
                for f in fs:
                    if f.action == action and overlaps(f.start, f.end, u):
                        hit[any(f.start < x.end and x.start < f.end for x in inj)] += 1
                        restored += any((x.start, x.end, x.right) == (f.start, f.end, f.new) for x in inj)
            return hit[True], hit[False], restored

        fm, fc, fr = on_unlisted(noisy_findings, "fix")
        sm, sc, _ = on_unlisted(sug, "suggest")
        console.print(
            f"fixes on unlisted names (noisy text): {fm + fc} ({fm} on their injected misspellings, {fc} on "
            f"correctly spelt mentions), {(fm + fc) / words * 1e4:.2f} per 10k words; {fr} of them put back the "
            f"token the misspelling replaced (a token the list holds in another name, as 'Waugh' of a listed "
            f"'Mark Waugh' in an unlisted 'Steve Waugh'); suggestions on them: {sm + sc} ({sm} on misspellings, "
            f"{sc} on correct mentions)"
        )

    curve = Table(title="Precision/recall over the fix threshold (noisy text; wrong fixes on clean text)")
    for col in ("threshold", "precision", "recall", "wrong fixes / 10k clean words"):
        curve.add_column(col, justify="right")
    for th in (0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98):
        tp, n, _ = score(noisy_findings, scored, threshold=th)
        wrong_clean = sum(f.confidence >= th for fs in clean_findings for f in fs)
        curve.add_row(f"{th:.2f}", f"{ratio(tp, n):.3f}", f"{ratio(tp, total):.3f}", f"{wrong_clean / words * 1e4:.2f}")
    console.print(curve)

    by_kind = Table(title="Fix recall by kind of misspelling")
    by_kind.add_column("kind")
    by_kind.add_column("injected", justify="right")
    by_kind.add_column("fixed right", justify="right")
    kinds: dict[str, list[int]] = {}
    for fs, inj in zip(noisy_findings, scored):
        got = {(f.start, f.end, f.new) for f in fs if f.action == "fix"}
        for i in inj:
            row = kinds.setdefault(i.kind, [0, 0])
            row[0] += 1
            row[1] += (i.start, i.end, i.right) in got
    for kind, (n, ok) in sorted(kinds.items()):
        by_kind.add_row(kind, str(n), f"{ok} ({ratio(ok, n):.2f})")
    console.print(by_kind)

    if args.show_errors:
        shown = 0
        for d, fs, inj, text in zip(docs, noisy_findings, scored, noisy):
            truth = {(i.start, i.end): i for i in inj}
            for f in fs:
                if f.action == "fix" and truth.get((f.start, f.end)) is None or (f.action == "fix" and truth[(f.start, f.end)].right != f.new):
                    ctx = text[max(0, f.start - 40) : f.end + 40].replace("\n", " ")
                    console.print(f"WRONG FIX {f.old}->{f.new} {f.confidence:.2f} {f.reasons} | {ctx}", markup=False)
                    shown += 1
            if shown >= args.show_errors:
                break
        shown = 0
        for fs, inj, text in zip(noisy_findings, scored, noisy):
            got = {(f.start, f.end): f for f in fs}
            for i in inj:
                f = got.get((i.start, i.end))
                if f is None or f.action != "fix":
                    ctx = text[max(0, i.start - 30) : i.end + 30].replace("\n", " ")
                    extra = f"{f.action} {f.confidence:.2f} {f.reasons}" if f else "-"
                    console.print(f"MISS {i.wrong}->{i.right} ({i.kind}) {extra} | {ctx}", markup=False)
                    shown += 1
            if shown >= args.show_errors:
                break
        for fs, d in zip(clean_findings, docs):
            for f in fs:
                if f.action == "fix":
                    ctx = d.text[max(0, f.start - 40) : f.end + 40].replace("\n", " ")
                    console.print(f"CLEAN WRONG FIX {f.old}->{f.new} {f.confidence:.2f} {f.reasons} | {ctx}", markup=False)


if __name__ == "__main__":
    main()
