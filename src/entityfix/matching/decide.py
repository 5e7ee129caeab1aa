"""Per-document decisions: which candidates become fixes, which suggestions, which nothing.

All variants of one entity in a document are decided together:

1. a first pass scores every mention with what the document writes correctly;
2. entities with a confident fix become context for their other variants
   ("Kants" tagged ORG gains from "Mr. Kants" fixed two lines up);
3. the same wrong spelling gets the same decision everywhere in the document,
   taken from its best-supported occurrence, so a document never ends with two
   spellings of one name.
"""

from __future__ import annotations

import math

from dataclasses import dataclass

from entityfix.spelling.phonetic import fold
from entityfix.matching.resolve import Candidate, DocContext, MentionAnalysis, Resolver

FIX, SUGGEST, NOTE = "fix", "suggest", "note"
# what a finding is about: a misspelt name (the resolver's), one name spelt several ways in a
# document or corpus (``consistency``), a name the translation and its source disagree on
NAME, CONSISTENCY, SOURCE_MISMATCH = "name", "consistency", "source-mismatch"


@dataclass(frozen=True)
class Thresholds:
    fix: float = 0.85
    suggest: float = 0.5


@dataclass(frozen=True)
class Finding:
    """One token-level correction, ready to report or apply."""

    start: int
    end: int
    old: str
    new: str
    entity: str
    type: str
    confidence: float
    action: str  # "fix" | "suggest" | "note" (a note says something and changes nothing: new == old)
    reasons: tuple[str, ...]
    kind: str = NAME
    group: tuple[tuple[str, int], ...] = ()  # consistency: every spelling of the name, with its count


def _best_per_mention(
    resolver: Resolver, analyses: list[tuple[MentionAnalysis, int]], ctx: DocContext,
    floor: float, before: list[list[Candidate]] | None = None,
) -> list[list[Candidate]]:
    """Score every mention and keep non-overlapping candidates, best first (a list per mention).

    ``floor``: the suggestion threshold (candidates that cannot matter below it are not scored).
    ``before``: the same mentions' candidates from the first pass.  Only a confident fix of an
    entity (``ctx.fixed``) changes a later score, so a mention with no near-match of such an
    entity keeps what it had.
    """
    chosen: list[list[Candidate]] = []
    for n, (analysis, line) in enumerate(analyses):
        if before is not None and not any(
            resolver.gaz.form_entity_id(al.form) in ctx.fixed for al in analysis.alignments if not al.exact
        ):
            chosen.append(before[n])
            continue
        taken: set[int] = set()
        mine: list[Candidate] = []
        for cand in resolver.candidates(analysis, line, ctx, floor):
            span = set(cand.token_span)
            if span & taken:
                continue
            taken |= span
            mine.append(cand)
        chosen.append(mine)
    return chosen


def shown(score: float) -> float:
    """A confidence cut (not rounded) to three digits: a suggestion at 0.8499 reads 0.849, never
    0.850 beside a fix threshold of 0.85."""
    return math.floor(score * 1000 + 1e-9) / 1000


def decide(resolver: Resolver, analyses: list[tuple[MentionAnalysis, int]], thresholds: Thresholds) -> list[Finding]:
    ctx = DocContext()
    for analysis, line in analyses:
        resolver.note_context(analysis, line, ctx)
    first = _best_per_mention(resolver, analyses, ctx, thresholds.suggest)
    for cand in (c for mine in first for c in mine):
        if cand.score >= thresholds.fix:
            spellings = ctx.fixed.setdefault(cand.entity, {})
            for ch in cand.changes:
                spellings.setdefault(fold(ch.old), cand.line)
    cands = [c for mine in (_best_per_mention(resolver, analyses, ctx, thresholds.suggest, first) if ctx.fixed else first) for c in mine]

    # one decision per wrong spelling: the best-supported occurrence decides for all
    best_for_old: dict[str, tuple[float, str, Candidate]] = {}
    for cand in cands:
        for ch in cand.changes:
            key = ch.old.casefold()
            prev = best_for_old.get(key)
            if prev is None or cand.score > prev[0]:
                best_for_old[key] = (cand.score, ch.new, cand)

    findings: dict[tuple[int, int], Finding] = {}
    gaz = resolver.gaz
    for cand in cands:
        entity = gaz.entity(cand.entity)
        for ch in cand.changes:
            score, new, leader = best_for_old[ch.old.casefold()]
            if leader.entity != cand.entity or new.casefold() != ch.new.casefold():
                # another occurrence of the same spelling was resolved better to something else
                continue
            what = ", ".join(ch.match.reasons) if ch.match.reasons else "spelling"
            reasons = (f"{what} ({ch.match.score:.2f})",) + cand.reasons
            if leader is not cand and score > cand.score:
                done = "fixed" if score >= thresholds.fix and "ambiguous" not in leader.features else "suggested"
                reasons = reasons + (f"same spelling {done} with more evidence at line {leader.line}",)
            action = FIX if score >= thresholds.fix else SUGGEST if score >= thresholds.suggest else None
            if action == FIX and "ambiguous" in leader.features:
                action = SUGGEST  # two entities within reach and nothing to choose: the user does
            if action is None:
                continue
            findings[(ch.start, ch.end)] = Finding(
                ch.start, ch.end, ch.old, ch.new, entity.name, entity.type, shown(score), action, reasons
            )
    return sorted(findings.values(), key=lambda f: (f.start, f.end))
