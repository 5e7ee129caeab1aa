"""Mention -> ranked candidates, each scored from separate, explainable evidence.

A mention is cut into tokens and aligned, token by token, against the correct
forms of gazetteer entities ("Nasser Purida" aligns "Nasser" exactly and
"Purida" ~ "Bourita").  Only misspelt tokens ever change.  Evidence, each piece
named in the candidate's reasons:

* phonetic/string similarity of each changed token (``phonetic.compare``);
* exact anchor tokens in the same form (a matching given name, "Front");
* the consonant skeleton agreeing ("sounds the same");
* the NER label agreeing with the entity type, or with the label NER gave the
  correct form elsewhere in the same document;
* a person title before the name ("Mr.", "M.", "Gen.");
* the entity written correctly elsewhere in the document;
* guards: a common English word, a derived word ("Israeli" from "Israel"),
  very short tokens, and ambiguity between two entities.

The weights are a hand-set logistic model; ``bench/quality.py`` measures them.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
import re
from dataclasses import dataclass, field
from functools import lru_cache

from entityfix.spelling import common_words
from entityfix.spelling.common_words import COMMON_FLOOR
from entityfix.matching.evidence import AMBIGUITY_PENALTY, confidence, sigmoid
from entityfix.matching.features import EARLY, LATE, METONYMS, MIN_TOKEN_SCORE, Proposal
from entityfix.text.extract import Mention
from entityfix.gazetteer.schema import SURNAME
from entityfix.spelling.names import PARTICLES, Token, is_title, ocr_capital, tokenize
from entityfix.gazetteer.index import EXHAUSTIVE_BELOW, length_span, rank_by_sound
from entityfix.spelling.phonetic import DOUBLE_COST, Match, compare, confusion_folded, exact_key, fold, skeleton
from entityfix.gazetteer import prior
from entityfix.gazetteer.store import Gazetteer

MIN_FUZZY_LEN = 4  # folded tokens shorter than this are never compared fuzzily
MIN_CHANGED_LEN = 2  # ... nor changed at all, not even an accent
ACRONYM_LEN = 5  # a name in capitals this short is an acronym (NASA), written so whatever the text's case
MAX_SPAN = 8  # longest name, in tokens, that alignment considers
EXACT_MEMO = 16_384  # distinct mention tokens whose exact gazetteer hits are remembered
ANALYSIS_MEMO = 16_384  # distinct mentions whose analyses are remembered
CONTEXT_CHARS = 20_000  # a correct spelling this near (about one long article) is evidence
# evidence against a name being the one meant; a reference-list entry (see Entity.reference) is
# never proposed against any of it, a curated entry only loses confidence
COUNTER_EVIDENCE = ("derived", "compound", "name_continues", "common_word", "type_clash", "first_letter")
SIZE_PREFERENCE = 0.02  # candidates are ranked by confidence + this much per token they cover
RIVAL_MARGIN = 0.03  # a rival this much less confident can still outrank or rival a candidate
RIVAL_ODDS = 1.5  # a rival whose odds are within this factor of a candidate's makes it ambiguous,
RIVAL_MIN = 0.5  # if it is within reach itself (a suggestion at the default threshold)
PLACE_TYPES = frozenset({"GPE", "LOC"})
CAPITALISED_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]+(?![\w'’-])")  # a word of letters alone (the case is checked apart)
INDEFINITE_BEFORE = re.compile(r"(?<![\w'’])[Aa]n? +\Z")
CONTEXT_PLACE = 15_000  # a place this big, written in the text, says which country the text is about
CONTEXT_RIVAL_MARGIN = 0.1  # a place in the text's country this much less alike still rivals one outside it


def place_country(text: str) -> str:
    """The country of the biggest place (CONTEXT_PLACE people or more) a name's capitalised words
    are, or ""."""
    words = [t.text for t in tokenize(text) if t.text[:1].isupper()]  # "the Gaza Strip": not "the"
    best = max((prior.lookup(w) for w in words), key=lambda p: p.population, default=prior.UNKNOWN)
    return best.country if best.population >= CONTEXT_PLACE else ""


@dataclass(frozen=True)
class TokenChange:
    """Replace text[start:end] (``old``) by ``new``."""

    start: int
    end: int
    old: str
    new: str
    match: Match


@dataclass(frozen=True)
class Alignment:
    """A gazetteer form laid over mention tokens ``first .. first+len(matches)-1``."""

    form: int
    first: int
    matches: tuple[Match, ...]
    exact: bool  # every token spelt as in the form

    @classmethod
    def of(cls, form: int, first: int, matches: tuple[Match, ...]) -> "Alignment":
        return cls(form, first, matches, all(m.score == 1.0 for m in matches))


@dataclass
class MentionAnalysis:
    """Everything the resolver learnt about one mention before scoring."""

    mention: Mention
    tokens: list[Token]  # absolute offsets
    alignments: list[Alignment]
    protected: set[int] = field(default_factory=set)  # token indexes that are part of a correct form
    protected_by_long: set[int] = field(default_factory=set)  # ... of a correct multi-token form
    outranked: set[int] = field(default_factory=set)  # right only as a name of another type than this mention's
    misspelt: list[tuple[int, int, int]] = field(default_factory=list)  # (first, last+1, entity)


_NOTHING: frozenset = frozenset()


def _frozen(indexes: set[int]) -> frozenset[int]:
    """A remembered analysis's set of token indexes; most are empty, and share one empty set."""
    return frozenset(indexes) if indexes else _NOTHING


@dataclass
class DocContext:
    """What the whole document says: entities written correctly, and where, and how NER labelled them."""

    seen: dict[int, list[tuple[int, int, int]]] = field(default_factory=dict)  # entity -> [(mention start, line, form id)] written correctly
    labels: dict[int, set[str]] = field(default_factory=dict)  # entity -> NER labels of correct mentions
    fixed: dict[int, dict[str, int]] = field(default_factory=dict)  # entity -> {folded wrong spelling: line} of confident fixes

    _sorted: dict[int, tuple[int, list[int], list[tuple[int, int, int]]]] = field(default_factory=dict, repr=False)

    def seen_near(self, eid: int, mention_start: int) -> tuple[int, int] | None:
        """(line, form id) of the nearest correct writing of the entity within CONTEXT_CHARS (of two as
        near, the earlier in the text; of two at one place, the first noted).  It may be in the mention
        itself: "Cadbury" written right in "Wi1liam Cadbury" (the reason then names the form written,
        never more than was written).  By bisection: a name written a thousand times in a big file
        is asked about for every candidate of it."""
        entries = self.seen.get(eid)
        if not entries:
            return None
        index = self._sorted.get(eid)
        if index is None or index[0] != len(entries):
            ordered = sorted(entries, key=lambda e: e[0])  # stable: the first noted stays first
            index = (len(entries), [e[0] for e in ordered], ordered)
            self._sorted[eid] = index
        _, starts, ordered = index
        after = bisect_right(starts, mention_start)
        best = None
        if after > 0:  # the nearest at or before the mention, the first noted of those there
            left = bisect_left(starts, starts[after - 1])
            best = (mention_start - starts[left], left)
        if after < len(starts) and (best is None or starts[after] - mention_start < best[0]):
            best = (starts[after] - mention_start, after)
        if best is None or best[0] > CONTEXT_CHARS:
            return None
        _, line, form = ordered[best[1]]
        return line, form


@dataclass(frozen=True)
class Candidate:
    """One proposed correction of part of a mention to a gazetteer form."""

    entity: int
    form: int
    first: int  # first mention token aligned
    size: int  # number of mention tokens aligned
    changes: tuple[TokenChange, ...]
    score: float  # calibrated confidence 0..1
    reasons: tuple[str, ...]
    line: int
    features: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def token_span(self) -> range:
        return range(self.first, self.first + self.size)


class Resolver:
    """Aligns mentions with gazetteer forms and scores the differences."""

    def __init__(self, gazetteer: Gazetteer, allow: frozenset[str] = frozenset(), channel: str = "mt"):
        self.gaz = gazetteer
        self.channel = channel  # which errors the text's channel makes (evidence.CHANNELS); set per document
        self.index = gazetteer.index
        self.allow = frozenset(exact_key(a) for a in allow)
        self._fuzzy_candidates = lru_cache(maxsize=EXACT_MEMO)(self._fuzzy_candidates_uncached)
        self._nearest_reference = lru_cache(maxsize=EXACT_MEMO)(gazetteer.reference_index.candidates)
        self._exact_hits = lru_cache(maxsize=EXACT_MEMO)(self._exact_hits_uncached)  # the same word, every time it recurs
        self._named_exactly = lru_cache(maxsize=EXACT_MEMO)(self._named_exactly_uncached)
        self.named_in_document: frozenset[int] = frozenset()  # entities the document writes exactly
        self.after_article: frozenset[int] = frozenset()  # starts of mentions right after "a" / "an"
        self.countries: dict[str, tuple[str, ...]] = {}  # country code -> the places written in the text that are in it
        # this document's tokens of the reference entries it names: vid -> (token, confusion-folded)
        self._reference_vocab: dict[int, tuple[str, str]] = {}
        self._reference_found: dict[str, tuple[int, ...]] = {}  # per document: word -> reference candidates
        self._text = ""  # the document begun last
        self._written: dict[str, str] | None = None  # its real names no list holds (written_names), once asked
        # (text, label) -> the analysis as a plain tuple, and the words it looked up fuzzily; see
        # analyze.  Shared between documents, never changed
        self._analyses: dict[tuple[str, str], tuple] = {}
        self._read_document = False  # did the analysis under way find a reference entry this document names?
        self._looked_up: list[str] = []  # the words the analysis under way looked up fuzzily

    # ------------------------------------------------------------ analysis

    def begin_document(self, mentions: list[Mention], text: str = "") -> None:
        """Note which reference-list entries the document writes correctly, which countries its
        places are in, and which mentions stand right after "a" or "an".

        A reference entry is only ever fixed towards when the document names it correctly (see
        ``_score``), so a misspelt word is looked up among the curated entries' tokens (their own
        index) and among the tokens of the few reference entries this document names.  With tens of
        thousands of places, searching them all for every unknown word was most of the resolver's
        work, and their near-misses crowded the curated names out of a lookup's best few.
        """
        seen: set[int] = set()
        for mention in mentions:
            seen.update(self._named_exactly(mention.text))
        self.named_in_document = frozenset(seen)
        self.after_article = frozenset(m.start for m in mentions if INDEFINITE_BEFORE.search(text, max(0, m.start - 8), m.start))
        countries: dict[str, dict[str, None]] = {}
        for mention in mentions:
            if mention.label in PLACE_TYPES and (code := place_country(mention.text)):
                countries.setdefault(code, {})[mention.text] = None
        self.countries = {code: tuple(places) for code, places in countries.items()}
        tokens, reference_only = self.gaz.vocab_tokens, self.gaz.vocab_reference_only
        self._reference_vocab = {
            vid: (tokens[vid], confusion_folded(tokens[vid]))
            for eid in sorted(seen) if self.gaz.is_reference(eid)
            for vid in self.gaz.entity_vocab(eid) if reference_only[vid]
        }
        self._reference_found = {}
        if text != self._text:  # the screen and the checker begin the same text in turn
            self._text, self._written = text, None

    def written_names(self) -> dict[str, str]:
        """The real names this document writes that are no listed name (folded -> as written): a
        census name or a place sure enough in its own right (``prior.RIVAL_STRENGTH``); a listed one
        is a candidate of its own.  Read from the text, not from NER's mentions, so that the
        candidate-first screen sees the same ones; worked out on first need, once per text (most
        texts have no candidate that asks)."""
        if self._written is None:
            found: dict[str, str] = {}
            for word in dict.fromkeys(CAPITALISED_WORD.findall(self._text)):
                if len(word) >= prior.MIN_LETTERS and word[0].isupper() and not word.isupper():
                    folded = fold(word)
                    if folded not in found and prior.lookup(word).own_strength >= prior.RIVAL_STRENGTH and not self.gaz.forms_with_key((exact_key(word),)):
                        found[folded] = word
            self._written = found
        return self._written

    def _reference_candidates(self, folded: str) -> tuple[int, ...]:
        """Tokens of the reference entries this document names that ``folded`` may be a misspelling of.

        Only those among the reference list's best few for the word: when a dozen other listed
        places are as close ("Minardi": Martin, Minard, Menard ...), the word is more likely a
        name the list lacks than a misspelling of the one place the document mentions.  When the
        document names few reference entries, ranking their tokens first is cheaper than the
        index, and when none of them is near the word the index need not be asked.
        """
        vocab = self._reference_vocab
        if not vocab:
            return ()
        found = self._reference_found.get(folded)
        if found is None:
            near_here = True
            if len(vocab) <= EXHAUSTIVE_BELOW:
                span = length_span(len(folded))
                choices = {
                    vid: sound for vid, (token, sound) in vocab.items()
                    if token != folded and abs(len(token) - len(folded)) <= span
                }
                near_here = bool(rank_by_sound(folded, choices, limit=1))
            found = tuple(
                v for v in self._nearest_reference(folded) if v in vocab and vocab[v][0] != folded
            ) if near_here else ()
            self._reference_found[folded] = found
        return found

    def _named_exactly_uncached(self, text: str) -> frozenset[int]:
        """Entities a mention writes exactly: the exact alignments ``analyze`` would find, and no more."""
        tokens = tokenize(text)
        covered: dict[tuple[int, int], int] = {}  # (form, first token) -> positions spelt exactly
        for i, tok in _aligned_tokens(tokens):
            for fid, pos, match in self._exact_hits(tok.text, tok.folded):
                if match.score == 1.0 and i >= pos:
                    covered[(fid, i - pos)] = covered.get((fid, i - pos), 0) + 1
        return frozenset(
            self.gaz.form_entity_id(fid) for (fid, first), count in covered.items()
            if count == self.gaz.form_length(fid) and first + count <= len(tokens)
        )

    def analyze(self, mention: Mention) -> MentionAnalysis:
        """Tokens, alignments and protections of one mention.

        The same words with the same label analyse the same way wherever they stand, unless one
        of them is near a reference entry the document names.  Analyses where none was are
        remembered (bounded), with the words they looked up, and reused with their offsets moved
        in any document where none of those words is near a reference entry it names.
        """
        key = (mention.text, mention.label)
        known = self._analyses.get(key)
        if known is not None:
            old_start, tokens, alignments, protected, by_long, outranked, misspelt, words = known
            if not any(self._reference_candidates(w) for w in words):
                shift = mention.start - old_start
                return MentionAnalysis(
                    mention, [t.moved(shift) for t in tokens], alignments, protected, by_long, outranked, misspelt,
                )
        self._read_document = False
        self._looked_up = []
        analysis = self._analyze(mention)
        if not self._read_document:
            if len(self._analyses) >= ANALYSIS_MEMO:
                self._analyses.clear()
            # a plain tuple with the empty sets shared: kept as a MentionAnalysis with its three sets,
            # one took about 2 kB, and a worker reading 20 MB remembers some 60,000 of them
            a = analysis
            self._analyses[key] = (
                mention.start, tuple(a.tokens), a.alignments, _frozen(a.protected), _frozen(a.protected_by_long),
                _frozen(a.outranked), a.misspelt, tuple(self._looked_up),
            )
        return analysis

    def _analyze(self, mention: Mention) -> MentionAnalysis:
        tokens = [t.moved(mention.start) for t in tokenize(mention.text)]
        keys = [t.key for t in tokens]
        # a token known only as a name of another kind ("Loudi" the city, in a person's name) is
        # looked up too: the mention may still be a misspelling of a name of its own kind
        label = mention.label
        kinds = None if not label else (METONYMS if label in METONYMS else (label,))
        unknown = [not self.gaz.is_known(t.key, kinds) for t in tokens]
        any_unknown = any(u for u, t in zip(unknown, tokens) if len(t.folded) >= MIN_FUZZY_LEN)
        # (form, first token) -> {position: how token first+position compares with the form's token};
        # a fuzzy pair is compared (the weighted edit distance, the costliest step) only once every
        # position of its form has a near token: most pairs belong to forms that can never align
        hits: dict[tuple[int, int], dict[int, Match | str]] = {}
        for i, tok in _aligned_tokens(tokens):
            for fid, pos, match in self._exact_hits(tok.text, tok.folded):
                if i >= pos:
                    hits.setdefault((fid, i - pos), {})[pos] = match
            if (unknown[i] or any_unknown) and self._may_be_misspelt(tok):
                for fid, pos, near in self._fuzzy_postings(tok.folded, i, len(tokens)):
                    hits.setdefault((fid, i - pos), {})[pos] = near
        alignments = []
        for (fid, first), slot in hits.items():
            size = self.gaz.form_length(fid)
            if len(slot) < size or first + size > len(tokens):
                continue
            matches = []
            for p in range(size):
                match = slot[p]
                if isinstance(match, str):  # a near gazetteer token, not compared yet
                    match = compare(tokens[first + p].text, match)  # raw: a capital may be misread
                    if match.score < MIN_TOKEN_SCORE:
                        break
                matches.append(match)
            else:
                alignments.append(Alignment.of(fid, first, tuple(matches)))
        analysis = MentionAnalysis(mention, tokens, alignments)
        for al in alignments:
            if al.exact and self._outranked(analysis, al):
                analysis.outranked.update(range(al.first, al.first + len(al.matches)))
            elif al.exact:
                span = range(al.first, al.first + len(al.matches))
                analysis.protected.update(span)
                if len(al.matches) > 1:
                    analysis.protected_by_long.update(span)
        n = len(tokens) if self.gaz.has_listed_names or self.allow else 0
        for a in range(n):
            for b in range(a + 1, min(n, a + MAX_SPAN) + 1):
                key = tuple(keys[a:b])
                if self.gaz.is_never(key) or (b - a == 1 and keys[a] in self.allow) or " ".join(key) in self.allow:
                    analysis.protected.update(range(a, b))
                    analysis.protected_by_long.update(range(a, b))
                elif (eid := self.gaz.misspelling_of(key)) is not None:
                    analysis.misspelt.append((a, b, eid))
        return analysis

    def _outranked(self, analysis: MentionAnalysis, al: Alignment) -> bool:
        """An exact match of another type inside a longer, anchored near-match of the mention's type.

        "Abdellatif Loudi" (PERSON): "Loudi" is a Chinese city, but the mention is a person and
        "Abdellatif Loudiyi" matches it around that token with an exact anchor; the city does not
        make "Loudi" right here.  Places, organisations and peoples stand for each other, so only a
        person/non-person clash counts, and only when the token is not a name of the mention's type.
        """
        label = analysis.mention.label
        etype = self.gaz.entity_type(self.gaz.form_entity_id(al.form))
        if not label or etype == label or {label, etype} <= METONYMS:
            return False
        span = set(range(al.first, al.first + len(al.matches)))
        if any(self.gaz.is_known(analysis.tokens[i].key, (label,)) for i in span):
            return False
        for other in analysis.alignments:
            ospan = range(other.first, other.first + len(other.matches))
            if other.exact or not span < set(ospan):
                continue
            if self.gaz.entity_type(self.gaz.form_entity_id(other.form)) != label:
                continue
            if any(other.matches[j - other.first].score == 1.0 for j in ospan if j not in span):
                return True
        return False

    @staticmethod
    def _may_be_misspelt(tok: Token) -> bool:
        """Long enough to change, and capitalised (or with an OCR-read capital)."""
        return len(tok.folded) >= MIN_FUZZY_LEN and (not tok.text.islower() or ocr_capital(tok.text))

    def _exact_hits_uncached(self, text: str, folded: str) -> tuple[tuple[int, int, Match], ...]:
        """Form tokens spelt like ``text`` but for case and accents, each with how alike they are."""
        return tuple((fid, pos, compare(text, self.gaz.form_token(fid, pos))) for fid, pos in self.gaz.vocab_hits(folded))

    def _fuzzy_candidates_uncached(self, folded: str) -> tuple[tuple[int, str], ...]:
        """Curated gazetteer tokens ``folded`` may be a misspelling of: (vocabulary id, token)."""
        tokens = self.gaz.vocab_tokens
        return tuple((v, near) for v in self.index.candidates(folded) if (near := tokens[v]) != folded)

    def _fuzzy_postings(self, folded: str, i: int, size: int) -> list[tuple[int, int, str]]:
        """(form, position, folded token) of the near gazetteer tokens token ``i`` of a ``size``-token
        mention may be a misspelling of, in the forms that fit the mention there."""
        out: list[tuple[int, int, str]] = []
        named = self.named_in_document
        self._looked_up.append(folded)
        reference = self._reference_candidates(folded)
        if reference:
            self._read_document = True  # the outcome depends on what the document names
        for vid, near in self._fuzzy_candidates(folded) + tuple((v, self._reference_vocab[v][0]) for v in reference):
            only_named = bool(self.gaz.vocab_reference_only[vid])  # a reference token: named entries only
            out.extend(
                (fid, pos, near) for fid, pos in self.gaz.vocab_postings(vid)
                if pos <= i and self.gaz.form_length(fid) - pos <= size - i
                and (not only_named or self.gaz.form_entity_id(fid) in named)
            )
        return out

    # ------------------------------------------------------------ context

    def note_context(self, analysis: MentionAnalysis, line: int, ctx: DocContext) -> None:
        """Record the entities this mention writes correctly."""
        for al in analysis.alignments:
            if al.exact:
                eid = self.gaz.form_entity_id(al.form)
                if self._common_noun_use(analysis, al, eid):
                    continue
                ctx.seen.setdefault(eid, []).append((analysis.mention.start, line, al.form))
                if analysis.mention.label:
                    ctx.labels.setdefault(eid, set()).add(analysis.mention.label)

    def _common_noun_use(self, analysis: MentionAnalysis, al: Alignment, eid: int) -> bool:
        """A person's one-word name right after "a" / "an" ("hid behind a Bush") is a thing, not the
        person: it does not count as the person written correctly."""
        return (
            analysis.mention.start in self.after_article and len(analysis.tokens) == 1
            and len(al.matches) == 1 and self.gaz.entity_type(eid) == "PERSON"
        )

    # ------------------------------------------------------------ scoring

    def candidates(
        self, analysis: MentionAnalysis, line: int, ctx: DocContext, floor: float = 0.0, cut: float | None = None,
    ) -> list[Candidate]:
        """The mention's candidates, best first (confidence, then size).

        ``floor``: the caller ignores candidates less confident than this (the suggestion
        threshold).  Those that can neither reach it, nor outrank one that does, nor make one
        ambiguous are then not worth scoring in full, and are left out; most candidates on
        clean text are such.  ``cut``: leave out those whose evidence before the penalties
        (``features.LATE``) is already below this confidence, whatever ``floor`` says.
        """
        out: list[Candidate] = []
        for first, last, eid in analysis.misspelt:
            out.append(self._listed_misspelling(analysis, first, last, eid, line))
        # a candidate SIZE_PREFERENCE per token it covers less confident outranks a shorter one, and
        # a rival RIVAL_MARGIN less confident still counts: below both, a candidate changes nothing
        if cut is None:
            cut = floor - SIZE_PREFERENCE * len(analysis.tokens) - RIVAL_MARGIN if floor > 0 else 0.0
        for al in analysis.alignments:
            if al.exact:
                continue
            cand = self._score(analysis, al, line, ctx, cut)
            if cand is not None:
                out.append(cand)
        # ambiguity: the same tokens proposed to become different words by different entities
        if len(out) > 1:
            out = self._penalise_ambiguity(out)
        if self.countries:
            out = [self._unnamed_rival_in_context(c) for c in out]
        out.sort(key=lambda c: (-(c.score + SIZE_PREFERENCE * c.size), c.first))
        return out

    def _listed_misspelling(self, analysis: MentionAnalysis, first: int, last: int, eid: int, line: int) -> Candidate:
        entity = self.gaz.entity(eid)
        toks = analysis.tokens[first:last]
        canon = tokenize(entity.name)
        fid = self.gaz.forms_with_key(tuple(t.key for t in canon))[0]
        if len(canon) == len(toks):
            changes = tuple(
                TokenChange(t.start, t.end, t.text, c.text, Match(0.0, 0.0, ("listed misspelling",)))
                for t, c in zip(toks, canon)
                if t.text != c.text
            )
        else:
            old = analysis.mention.text[toks[0].start - analysis.mention.start : toks[-1].end - analysis.mention.start]
            changes = (TokenChange(toks[0].start, toks[-1].end, old, entity.name, Match(0.0, 0.0, ("listed misspelling",))),)
        return Candidate(eid, fid, first, last - first, changes, 1.0, (f"listed misspelling of {entity.name}",), line, {"listed": 1})

    def _score(self, analysis: MentionAnalysis, al: Alignment, line: int, ctx: DocContext, cut: float = 0.0) -> Candidate | None:
        form = self.gaz.form(al.form)
        form_tokens = form.tokens
        eid = form.entity
        entity = self.gaz.entity(eid)
        tokens = analysis.tokens
        span = range(al.first, al.first + len(al.matches))
        changed = [i for i, m in zip(span, al.matches) if m.score < 1.0]
        size = len(span)
        unknown_changed = [i for i in changed if i in analysis.outranked or not self.gaz.is_known(tokens[i].key)]
        # a token that is right somewhere else changes only inside a longer name with a wrong token
        for i in changed:
            if i in analysis.protected_by_long:
                return None
            if i in analysis.protected and not (size > 1 and unknown_changed):
                return None
            if i not in analysis.outranked and self.gaz.is_known(tokens[i].key) and not (size > 1 and unknown_changed):
                return None
        if not changed or any(len(tokens[i].folded) < MIN_CHANGED_LEN for i in changed):
            return None  # a lone letter ("Ä", an initial) is never a misspelt name
        if any(len(fold(form_tokens[i - al.first])) < MIN_FUZZY_LEN and al.matches[i - al.first].cost > DOUBLE_COST for i in changed):
            return None  # nor is a word respelt into a short one ("Ptea" into "Pte") beyond an accent or a doubled letter
        label = analysis.mention.label
        p = Proposal(
            tokens, label, al.first, size, al.matches, changed,
            form, entity, seen=self._seen(ctx, eid, analysis.mention.start), fixed_elsewhere=ctx.fixed.get(eid, {}),
            doc_labels=ctx.labels.get(eid, set()), name_continues=self._name_continues(analysis, al.first, al.first + size, eid),
            compound=lambda i: self._in_compound(analysis, i), channel=self.channel, written=self.written_names,
        )
        f: dict[str, float] = {}
        reasons: list[str] = []
        _weigh(EARLY, p, f, reasons)
        if entity.reference and p.seen is None and "variant_fixed" not in f:
            # a reference list names what exists; with tens of thousands of names, some name is
            # always one letter away from a correct word it does not list, so only the document
            # itself (the name written correctly nearby) makes a reference entry the meant one
            return None
        if cut > 0 and confidence(f, self.channel) < cut:
            return None  # what is left to weigh (features.LATE) can only lower it
        _weigh(LATE, p, f, reasons)
        if entity.reference and (any(k in f for k in COUNTER_EVIDENCE) or label == "NORP" != entity.type):
            return None  # "Mauritian" is not a misspelt "Mauritania"
        changes = tuple(
            TokenChange(tokens[i].start, tokens[i].end, tokens[i].text, _recase(tokens[i].text, form.tokens[i - al.first]), al.matches[i - al.first])
            for i in changed
        )
        changes = tuple(c for c in changes if c.old != c.new)
        if not changes:
            return None
        return Candidate(eid, al.form, al.first, size, changes, confidence(f, self.channel), tuple(reasons), line, f)

    def _seen(self, ctx: DocContext, eid: int, mention_start: int) -> tuple[int, str] | None:
        """(line, text) of the nearest correct writing of one of the entity's forms."""
        near = ctx.seen_near(eid, mention_start)
        return None if near is None else (near[0], self.gaz.form(near[1]).text)

    def _name_continues(self, analysis: MentionAnalysis, first: int, end: int, eid: int) -> str | None:
        """A capitalised non-title token (or a particle) right beside the aligned form, in the same
        mention, that is no token of the entity's own names ("Tames Smith" is not the surname of a
        listed "A. G. Thomas"; "Benny Kantz" may be "Benny Gantz"'s surname).  An initial goes with
        the entity when one of its names starts with that letter.  Returns that token, or None."""
        toks = analysis.tokens
        own = None
        for j in (first - 1, end):
            if 0 <= j < len(toks):
                tok = toks[j]
                if tok.folded in PARTICLES and j == first - 1:
                    return tok.text
                if not tok.text[:1].isupper() or is_title(tok.text):
                    continue
                if own is None:
                    own = {self.gaz.vocab_tokens[v] for v in self.gaz.entity_vocab(eid)}
                if tok.folded in own or (len(tok.folded) == 1 and any(word[:1] == tok.folded for word in own)):
                    continue
                return tok.text
        return None

    @staticmethod
    def _in_compound(analysis: MentionAnalysis, i: int) -> bool:
        """Hyphen-joined to a common word: "ONE-DAYER", "Algeria-backed" (not "al-Assad")."""
        text, base, toks = analysis.mention.text, analysis.mention.start, analysis.tokens
        for j in (i - 1, i + 1):
            if 0 <= j < len(toks):
                a, b = sorted((toks[i], toks[j]), key=lambda t: t.start)
                if text[a.end - base : b.start - base] == "-" and toks[j].folded not in PARTICLES:
                    if common_words.zipf(toks[j].text.lower()) >= 4.0:
                        return True
        return False

    def _penalise_ambiguity(self, cands: list[Candidate]) -> list[Candidate]:
        """Lower a candidate that a rival entity, about as confident, would change differently.

        "About as confident" is measured in odds (within ``RIVAL_ODDS``), so two near-certain
        readings are as ambiguous as two middling ones.  The document decides where it can: a
        rival with nothing in the document behind it does not make a candidate the document
        supports ambiguous.  An ambiguous candidate is at most a suggestion (decide.py), and its
        reasons name the rivals.
        """
        edits = [frozenset((ch.start, ch.new.casefold()) for ch in c.changes) for c in cands]  # "DURAN" is "Duran"
        out = []
        for c, mine in zip(cands, edits):
            rivals = [
                o for o, theirs in zip(cands, edits)
                if o.entity != c.entity and o.first < c.first + c.size and c.first < o.first + o.size
                and theirs != mine and o.size >= c.size and RIVAL_MIN <= o.score < 1.0
                and (o.score >= c.score - RIVAL_MARGIN or _odds(o.score) >= _odds(c.score) / RIVAL_ODDS)
                and not (_document_backs(c) and not _document_backs(o))
                and not (self._in_context(c) and not self._in_context(o))
            ] if c.score < 1.0 else []
            if rivals:
                names = ", ".join(sorted({self.gaz.entity(o.entity).name for o in rivals}))
                z = math.log(_odds(c.score)) - AMBIGUITY_PENALTY
                c = Candidate(c.entity, c.form, c.first, c.size, c.changes, sigmoid(z), c.reasons + (f"ambiguous with {names}",), c.line, {**c.features, "ambiguous": 1})
            out.append(c)
        return out


    def _in_context(self, c: Candidate) -> str | None:
        """A place written elsewhere in the text in the same country as the candidate's place
        ("Gaza" for Rafah), or None: the document's countries decide between two places."""
        if self.gaz.entity_type(c.entity) not in PLACE_TYPES or not self.countries:
            return None
        code = place_country(self.gaz.entity(c.entity).name)
        mine = {ch.old for ch in c.changes}
        return next((p for p in self.countries.get(code, ()) if p not in mine), None) if code else None

    def _unnamed_rival_in_context(self, c: Candidate) -> Candidate:
        """A place the text is not about, when a reference-list place about as near is in a country the
        text writes about: "Rafat" beside "Gaza" could as well be Rafah as Rabat.  The reference place is
        never the fix (the text does not name it), but the candidate is only a suggestion naming it."""
        if self.gaz.entity_type(c.entity) not in PLACE_TYPES or len(c.changes) != 1 or c.score >= 1.0:
            return c
        if "ambiguous" in c.features or _document_backs(c) or self._in_context(c):
            return c
        change = c.changes[0]
        folded = fold(change.old)
        for vid in self._nearest_reference(folded):
            token = self.gaz.vocab_tokens[vid]
            if compare(change.old, token).score < change.match.score - CONTEXT_RIVAL_MARGIN:
                continue
            for fid, _ in self.gaz.vocab_hits(token):
                eid = self.gaz.form_entity_id(fid)
                if eid == c.entity or self.gaz.form_length(fid) != 1 or self.gaz.entity_type(eid) not in PLACE_TYPES:
                    continue
                name = self.gaz.entity(eid).name
                code = place_country(name)
                place = next((p for p in self.countries.get(code, ()) if p != change.old), None) if code else None
                if place is None:
                    continue
                country = prior.country_names().get(code, code)
                reason = f"ambiguous with {name}, in {country} as {place} is"
                return Candidate(c.entity, c.form, c.first, c.size, c.changes, c.score, c.reasons + (reason,), c.line, {**c.features, "ambiguous": 1})
        return c


def _odds(p: float) -> float:
    return max(1e-12, p) / max(1e-12, 1 - p)


def _document_backs(c: Candidate) -> bool:
    """The document itself points to the candidate's entity (not only its spelling)."""
    return any(k in c.features for k in ("seen_in_doc", "anchors", "variant_fixed", "listed"))


def _weigh(features, p: Proposal, f: dict[str, float], reasons: list[str]) -> None:
    """Run evidence functions over a proposal: their features into ``f``, their reasons in order."""
    for feature in features:
        for name, value, reason in feature(p):
            if name:
                f[name] = value
            if reason:
                reasons.append(reason)


def _aligned_tokens(tokens: list[Token]):
    """(index, token) of the tokens matched against gazetteer forms: a title before a name is not."""
    last = len(tokens) - 1
    return ((i, tok) for i, tok in enumerate(tokens) if i == last or not is_title(tok.text))


def _recase(old: str, new: str) -> str:
    """Write ``new`` in the case pattern of ``old``: KANTZ -> GANTZ, kantz -> gantz, Kantz -> Gantz."""
    if ocr_capital(old):
        return new
    letters = [ch for ch in old if ch.isalpha()]
    lower = sum(ch.islower() for ch in letters)
    # capitals throughout, or but for one glyph OCR misread ("CHURCHlLL"): the fix stays in capitals
    if len(letters) > 1 and (lower == 0 or (len(letters) >= 4 and lower == 1 and letters[0].isupper())):
        return new.upper()
    if letters and all(ch.islower() for ch in letters):
        return new.lower()
    if letters and letters[0].isupper() and new[:1].islower() and fold(new) not in PARTICLES:
        return new[:1].upper() + new[1:]
    if letters and letters[0].isupper() and lower == len(letters) - 1 and new.isupper() and len(new) > ACRONYM_LEN:
        return new[:1] + new[1:].lower()  # "Douran" -> "Duran", though a list has it from a headline as "DURAN"
    return new
