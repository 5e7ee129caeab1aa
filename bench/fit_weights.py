"""Fit the evidence weights (src/entityfix/matching/evidence.py) by logistic regression.

    python bench/fit_weights.py [--data ../shared/data/conll2003-train.txt] [--seeds 1 2]

Fit on the *train* split, measure with ``bench/quality.py`` on the *valid*
split: the weights learn how much each kind of evidence is worth, not the
names of one data set.  Every candidate the resolver proposes is a sample:
label 1 when all its changes undo an injected misspelling exactly, 0 otherwise
(wrong corrections on noisy text, and every candidate on the clean text).
Negatives weigh ``--negative-weight`` times more, because a wrong fix costs
more than a missed one.  Prints the weights as Python to paste into
evidence.py.
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from quality import build_gazetteer, detokenise, inject, read_conll  # noqa: E402

from entityfix import Checker, Settings  # noqa: E402
from entityfix.checker import LineIndex  # noqa: E402
from entityfix.matching.evidence import AMBIGUITY_PENALTY, BIAS, WEIGHTS  # noqa: E402
from entityfix.matching.resolve import DocContext  # noqa: E402
from entityfix.text.skip import inside, suppressed_ranges  # noqa: E402

# Features the synthetic noise cannot teach keep their hand-set weight: it never puts two errors in
# one name (all_tokens_close), CoNLL initials ("M. Ramprakash") look like titles, and variant_fixed
# needs the second pass.
# The open-world evidence is hand-set too: the synthetic noise never leaves a name out of the list
# (bench/quality.py --open-world and bench/realnoise.py measure it); "prior" is a per-channel offset.
FIXED = ("variant_fixed", "all_tokens_close", "title_person", "title_not_person", "real_name", "unsupported_real_name",
         "unsupported", "rival_real_name", "rival_written", "other_forename", "extra_ending", "channel_misfit")
FITTED = [k for k in WEIGHTS if k not in FIXED and k != "prior"] + ["ambiguous"]


def samples(checker: Checker, text: str, truth: dict[tuple[int, int], str]):
    lines = LineIndex(text)
    skip = suppressed_ranges(text)
    resolver = checker.resolver
    analyses = []
    for m in checker.extractor.mentions(text):
        if not (skip and inside(skip, m.start, m.end)):
            analyses.append((resolver.analyze(m), lines.line_col(m.start)[0]))
    ctx = DocContext()
    for a, line in analyses:
        resolver.note_context(a, line, ctx)
    for a, line in analyses:
        for cand in resolver.candidates(a, line, ctx):
            if "listed" in cand.features:
                continue
            ok = all(truth.get((ch.start, ch.end)) == ch.new for ch in cand.changes)
            fixed = sum(WEIGHTS[k] * cand.features.get(k, 0.0) for k in FIXED)
            yield [cand.features.get(k, 0.0) for k in FITTED], fixed, int(ok)


def fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float, prior: np.ndarray, offset: np.ndarray, iters: int = 50) -> np.ndarray:
    """Weighted logistic regression by Newton's method (IRLS), shrunk toward the prior weights."""
    Xb = np.hstack([X, np.ones((len(X), 1))])
    beta = prior.copy()
    reg = np.full(Xb.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(iters):
        p = 1.0 / (1.0 + np.exp(-np.clip(Xb @ beta + offset, -30, 30)))
        grad = Xb.T @ (w * (p - y)) + reg * (beta - prior)
        hess = (Xb * (w * p * (1 - p))[:, None]).T @ Xb + np.diag(reg + 1e-9)
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data" / "conll2003-train.txt")
    ap.add_argument("--sentences", type=int, default=25)
    ap.add_argument("--docs", type=int, default=0)
    ap.add_argument("--rate", type=float, default=0.3)
    ap.add_argument("--seeds", type=int, nargs="+", default=[101])
    ap.add_argument("--negative-weight", type=float, default=4.0)
    ap.add_argument("--l2", type=float, default=2000.0, help="pull toward the hand-set weights")
    args = ap.parse_args()

    sentences = read_conll(args.data)
    docs = [detokenise(sentences[i : i + args.sentences]) for i in range(0, len(sentences), args.sentences)]
    if args.docs:
        docs = docs[: args.docs]
    gaz = build_gazetteer(docs)
    checker = Checker(Settings(default_gazetteers=False), gazetteer=gaz)
    rows, offsets, labels = [], [], []
    for doc in docs:
        for x, off, y in samples(checker, doc.text, {}):
            rows.append(x)
            offsets.append(off)
            labels.append(0)
    clean_n = len(rows)
    for seed in args.seeds:
        rng = random.Random(seed)
        for doc in docs:
            text, edits = inject(doc, args.rate, rng, gaz.is_known)
            truth = {(e.start, e.end): e.right for e in edits}
            for x, off, y in samples(checker, text, truth):
                rows.append(x)
                offsets.append(off)
                labels.append(y)
    X, y = np.array(rows, dtype=float), np.array(labels, dtype=float)
    w = np.where(y == 1, 1.0, args.negative_weight)
    prior = np.array([WEIGHTS.get(k, -AMBIGUITY_PENALTY) for k in FITTED] + [BIAS])
    beta = fit(X, y, w, args.l2, prior, np.array(offsets))
    print(f"# fitted on {args.data.name}: {len(docs)} documents, {len(y)} candidates "
          f"({int(y.sum())} right, {clean_n} from clean text), negative weight {args.negative_weight}, l2 {args.l2}")
    print("WEIGHTS = {")
    for name, value in zip(FITTED, beta[:-1]):
        if name == "ambiguous":
            continue
        print(f'    "{name}": {value:.3f},  # was {WEIGHTS[name]}')
    for name in FIXED:
        print(f'    "{name}": {WEIGHTS[name]},  # not fitted')
    print("}")
    print(f"BIAS = {beta[-1]:.3f}  # was {BIAS}")
    print(f"AMBIGUITY_PENALTY = {-beta[FITTED.index('ambiguous')]:.3f}  # was {AMBIGUITY_PENALTY}")


if __name__ == "__main__":
    main()
