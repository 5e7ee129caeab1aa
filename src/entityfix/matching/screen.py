"""Candidate-first: which paragraphs of a text NER must read, decided before NER runs.

Why: NER is most of the time a check takes (about 7,000 words a second a core), yet on real text
few paragraphs hold a word the lists could change.  A word becomes a finding only through a
candidate of the resolver; the resolver's evidence is mostly NER-free (the spelling, the
real-name prior, common words, the document's other writings), and what NER adds to a score is
bounded (``headroom``): its label agreeing with the entity's type, a mention narrower than the
capitalised run (no capitalised word beside the name, no title), the countries of the text's
places deciding an ambiguity, and a confident fix of the same entity elsewhere.  So the resolver
first scores the text's capitalised runs as if NER had tagged nothing (and joined across small
words, and with the labels that change what is looked up); a paragraph is read when one of its
runs has a candidate that all of that could lift to the suggestion threshold.  The rest of the
text never meets spaCy.

A finding also depends on what the document says elsewhere: the entity written correctly (and
NER's label for it), the same word elsewhere, the places that say which country the text is
about, a second spelling of one name.  So the paragraphs that hold any of these for a read run
are read too, and NER's output for every paragraph read is what reading the whole text would give
(``Extractor`` reads each paragraph on its own).  Tested: the same findings with the screen on and
off on the quality benchmark, the development packs (``bench/speed.py``) and the seeds.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right

from entityfix.gazetteer import prior
from entityfix.matching import consistency
from entityfix.matching.evidence import AMBIGUITY_PENALTY, weights
from entityfix.matching.features import METONYMS
from entityfix.matching.decide import Thresholds
from entityfix.matching.resolve import CONTEXT_PLACE, PLACE_TYPES, Candidate, DocContext, Resolver, place_country
from entityfix.spelling.names import PARTICLES, tokenize, tokenize_once
from entityfix.spelling.phonetic import exact_key, fold
from entityfix.text.extract import Mention

# above this many characters NER reads every paragraph: in one long text the evidence for a name (its
# correct writing within resolve.CONTEXT_CHARS, a second spelling anywhere) has most paragraphs read
# anyway, and the screen then costs more than the NER it saves (measured on news: twice as fast on
# 10 kB texts, about even at 100 kB)
SCREEN_MAX_CHARS = 100_000
SAFETY = 1.0  # log-odds on top of what NER can add, for what no feature names
# features a mention NER draws narrower than the run can lose (its label is weighed apart)
MENTION_FEATURES = ("name_continues", "title_not_person", "other_forename")
# small words inside names ("Bank of England", "Ursula von der Leyen", "Bosnia and Herzegovina")
CONNECTORS = re.compile(
    r"[ \t]+(?:(?:" + "|".join(sorted(PARTICLES | {"of", "the", "and", "for", "on", "upon", "in", "at", "&"})) + r")[ \t]+){1,2}"
)
# a particle hyphened to a name ("al-Asad", "bin-Salman"): group 1 is the name's first letter
PARTICLE_WORD = re.compile(r"(?<![\w'’.-])(?:" + "|".join(sorted(PARTICLES)) + r")[-‐‑]([^\W\d_])[\w'’.-]*")
SPACES = re.compile(r"[ \t]+")
PART_TOKENS = 4  # the longest part of a run scored apart (NER's part of a run is one name or two)
NEIGHBOUR_REACH = 40  # characters looked at for the word before or after a run
FIXED_ELSEWHERE = {"": 0}  # DocContext.fixed entry: "another spelling of this entity was fixed"


def headroom(c: Candidate, channel: str) -> float:
    """What NER can add to this candidate's log-odds, scored on a capitalised run: its label agreeing
    with the entity's type instead of none (type_agrees - rule_only), the features a narrower
    mention loses (a capitalised word beside the name, a title), the ambiguity penalty (the rivals
    that made it ambiguous are scored without NER too, and the countries of the text's places,
    which may decide between them, need NER's labels), and SAFETY."""
    w = weights(channel)
    lost = sum(-w[f] * c.features[f] for f in MENTION_FEATURES if f in c.features and w[f] < 0)
    if "ambiguous" in c.features:
        lost += AMBIGUITY_PENALTY
    return max(0.0, w["type_agrees"] - w["rule_only"]) + lost + SAFETY


def units_to_read(
    resolver: Resolver, text: str, units: list[tuple[int, int]], runs: list[Mention],
    thresholds: Thresholds, consistency_words: bool, begun: bool = False,
) -> list[tuple[int, int]]:
    """The units (``text/extract.ner_units``) NER must read for the findings to be those of reading
    them all.  ``runs``: the text's capitalised runs (outside untouched ranges); ``consistency_words``:
    one name spelt two ways is reported, so the paragraphs holding such spellings are read too;
    ``begun``: ``resolver.begin_document(runs, text)`` is done."""
    if not units:
        return []
    starts = [a for a, _ in units]
    unit_of = lambda offset: bisect_right(starts, offset) - 1  # noqa: E731
    # a name hyphened to a particle ("al-Akhbar") is in no run: such words stand as runs of their own
    extra = _particle_words(text)
    if extra:
        runs = sorted(runs + extra, key=lambda m: m.start)
    if extra or not begun:
        resolver.begin_document(runs, text)
    analyses = [resolver.analyze(run) for run in runs]
    # NER's mentions hold small words the runs stop at ("National Bank of Romania"): runs so joined
    # are scored too, for the names that have such words
    joined = [resolver.analyze(run) for run in _joined(text, runs)]
    # ... and NER often reads part of a run as the name ("CHICAOG" of "ATLANTA AT CHICAOG", "Marian0"
    # of "Marian0 Rivera"), where a neighbour no longer rules a candidate out: parts are scored too
    narrower = [resolver.analyze(part) for run in runs for part in _parts(resolver, text, run)]
    # a word listed only as a person (or only as a place) is looked up as a misspelling in a mention
    # NER labels as the other kind: those runs are also scored as NER could label them
    labelled = [
        resolver.analyze(Mention(run.start, run.end, run.text, label, "ner"))
        for run in runs if _kind_matters(resolver, run) for label in ("PERSON", "GPE")
    ]
    ctx = DocContext()
    for analysis in analyses:
        resolver.note_context(analysis, 0, ctx)
    channel = resolver.channel
    best = lambda cands: max((_logit(c.score) + headroom(c, channel) for c in cands), default=-math.inf)  # noqa: E731
    # a candidate whose evidence before the penalties stays below the bar with the most NER could add
    # is not scored in full (as the resolver's own floor does)
    w = weights(channel)
    cut = _sigmoid(_logit(thresholds.suggest) - max(0.0, w["type_agrees"] - w["rule_only"]) - sum(max(0.0, -w[f]) for f in MENTION_FEATURES) - SAFETY)
    scored = [(a, resolver.candidates(a, 0, ctx, 0.0, cut)) for a in analyses + joined + narrower + labelled]
    # a confident fix of an entity lifts its other spellings (variant_fixed, and they are no longer
    # unsupported): where one could be fixed, its entity's candidates are scored again as if it were
    fixable = {c.entity for _, cands in scored for c in cands if _logit(c.score) + headroom(c, channel) >= _logit(thresholds.fix)}
    if fixable:
        ctx.fixed = {eid: dict(FIXED_ELSEWHERE) for eid in fixable}
        scored = [
            (a, resolver.candidates(a, 0, ctx, 0.0, cut) if any(resolver.gaz.form_entity_id(al.form) in fixable for al in a.alignments) else cands)
            for a, cands in scored
        ]
    bar = _logit(thresholds.suggest)
    read: set[int] = set()
    entities: set[int] = set()  # every entity a read run may become
    words: set[str] = set()  # the words those runs would change
    spelt: list[tuple[str, int, int]] = []  # ... and how they would write them (new word, old start, old end)
    for analysis, cands in scored:
        if analysis.misspelt or best(cands) >= bar:
            read.add(unit_of(analysis.mention.start))
            entities.update(c.entity for c in cands)
            entities.update(eid for _, _, eid in analysis.misspelt)
            words.update(exact_key(analysis.tokens[i].text) for c in cands for i in c.token_span)
            spelt.extend((n.text, ch.start + n.start, ch.start + n.end) for c in cands for ch in c.changes for n in tokenize(ch.new))
            words.update(exact_key(t.text) for first, last, _ in analysis.misspelt for t in analysis.tokens[first:last])
    if not read and not consistency_words:
        return []
    countries = _countries_that_matter(resolver, [(a, cands) for a, cands in scored if unit_of(a.mention.start) in read])
    grouping = _grouping_words(text, runs, spelt) if consistency_words else set()
    for analysis in analyses:
        unit = unit_of(analysis.mention.start)
        if unit in read:
            continue
        keys = {exact_key(t.text) for t in analysis.tokens}
        if (
            keys & words or keys & grouping
            or any(al.exact and resolver.gaz.form_entity_id(al.form) in entities for al in analysis.alignments)
            or (countries and any(_country(t.text) in countries for t in analysis.tokens if t.text[:1].isupper()))
        ):
            read.add(unit)
    return [units[i] for i in sorted(read)]


def _countries_that_matter(resolver: Resolver, scored) -> set[str]:
    """The countries whose places, written in the text, may change a decision on the read runs: a
    place candidate's own, its rivals' among the run's candidates, and those of the reference-list
    places about as near as it (``Resolver._in_context``, ``_unnamed_rival_in_context``)."""
    gaz = resolver.gaz
    out: set[str] = set()
    for analysis, cands in scored:
        places = [c for c in cands if gaz.entity_type(c.entity) in PLACE_TYPES]
        for c in places:
            out.add(place_country(gaz.entity(c.entity).name))
            for ch in c.changes:
                for vid in resolver._nearest_reference(fold(ch.old)):
                    for fid, _ in gaz.vocab_hits(gaz.vocab_tokens[vid]):
                        if gaz.entity_type(gaz.form_entity_id(fid)) in PLACE_TYPES:
                            out.add(place_country(gaz.entity(gaz.form_entity_id(fid)).name))
    out.discard("")
    return out


def _country(word: str) -> str:
    """The country of the biggest place this word names, if big enough to say what a text is about."""
    p = prior.lookup(word)
    return p.country if p.population >= CONTEXT_PLACE else ""


def _grouping_words(text: str, runs: list[Mention], spelt: list[tuple[str, int, int]]) -> set[str]:
    """``consistency.grouping_words`` of the runs' tokens and of the words candidates would write,
    with their neighbours as the text writes them (a superset of those any mention holds)."""
    items: list[tuple[str, int, int]] = []  # (word, start, end)
    for run in runs:
        items.extend((t.text, run.start + t.start, run.start + t.end) for t in tokenize(run.text))
    items.extend(spelt)

    def neighbours(i: int) -> set[str]:
        _, start, end = items[i]
        return {n for n in (("<", _word_before(text, start)), (">", _word_after(text, end))) if n[1]}

    return consistency.grouping_words([w for w, _, _ in items], neighbours, written=len(items) - len(spelt))


def _word_before(text: str, pos: int, reach: int = NEIGHBOUR_REACH) -> str:
    toks = tokenize_once(text[max(0, pos - reach) : pos])
    if toks and toks[-1].start == 0 and pos > reach:  # perhaps the end of a longer word
        return _word_before(text, pos, reach * 10)
    return toks[-1].folded if toks else ""


def _word_after(text: str, pos: int, reach: int = NEIGHBOUR_REACH) -> str:
    toks = tokenize_once(text[pos : pos + reach])
    if toks and toks[0].end == reach and pos + reach < len(text):
        return _word_after(text, pos, reach * 10)
    return toks[0].folded if toks else ""


def _joined(text: str, runs: list[Mention]) -> list[Mention]:
    """What NER may read as one name and the capitalised runs do not: runs one or two small words
    apart ("of", "the", "von der") and a particle hyphened to a capitalised word ("al-Asad", which
    no run holds), joined with the runs beside them.  Only spans that are not runs already."""
    pieces = runs
    out = []
    i = 0
    while i < len(pieces):
        j = i
        while j + 1 < len(pieces) and pieces[j].end <= pieces[j + 1].start and (
            CONNECTORS.fullmatch(text, pieces[j].end, pieces[j + 1].start) or SPACES.fullmatch(text, pieces[j].end, pieces[j + 1].start)
        ):
            j += 1
        if j > i:
            out.append(Mention(pieces[i].start, pieces[j].end, text[pieces[i].start : pieces[j].end], "", "rule"))
        i = j + 1
    return out


def _particle_words(text: str) -> list[Mention]:
    """Names hyphened to a particle ("al-Asad"): no capitalised run holds them."""
    return [
        Mention(m.start(), m.end(), m.group(), "", "rule") for m in PARTICLE_WORD.finditer(text)
        if text[m.start(1)].isupper()
    ]


def _parts(resolver: Resolver, text: str, run: Mention):
    """The spans of up to PART_TOKENS tokens inside a run of two or more that hold a token with a
    near listed token (no other part can have a candidate)."""
    toks = tokenize(run.text)
    if len(toks) < 2:
        return
    near = [
        resolver._may_be_misspelt(t) and bool(resolver._fuzzy_candidates(t.folded) or resolver._reference_candidates(t.folded))
        for t in toks
    ]
    for i in range(len(toks)):
        for j in range(i + 1, min(len(toks), i + PART_TOKENS) + 1):
            if (i, j) != (0, len(toks)) and any(near[i:j]):
                start, end = run.start + toks[i].start, run.start + toks[j - 1].end
                yield Mention(start, end, text[start:end], "", "rule")


def _kind_matters(resolver: Resolver, run: Mention) -> bool:
    """Could NER's label change what the run's analysis looks up?  A word listed only as one kind of
    name (a person, or a place, organisation or people) is a misspelling candidate in a mention NER
    labels as the other kind, and then only beside an exact word of a name of that other kind
    ("Abdellatif Loudi": "Loudi" a city, "Abdellatif" of a listed person; ``Resolver._outranked``)."""
    gaz = resolver.gaz
    toks = [t for t in tokenize(run.text) if gaz.is_known(t.key)]
    person = [gaz.is_known(t.key, ("PERSON",)) for t in toks]
    other = [gaz.is_known(t.key, METONYMS) for t in toks]
    for i, t in enumerate(toks):
        if person[i] == other[i]:
            continue  # both kinds (or neither): no label makes it unknown
        anchor = any(j != i and (other[j] if person[i] else person[j]) for j in range(len(toks)))
        if anchor and resolver._may_be_misspelt(t) and (resolver._fuzzy_candidates(t.folded) or resolver._reference_candidates(t.folded)):
            return True
    return False


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def _logit(p: float) -> float:
    p = min(max(p, 1e-12), 1 - 1e-12)
    return math.log(p / (1 - p))
