"""The library entry point: text in, findings out, no files or flags involved.

``Checker(settings).check_text(text)`` runs extract -> resolve -> decide; the
spaCy pipeline and the gazetteer index are built once per Checker and reused
for every document.
"""

from __future__ import annotations

import importlib.util
import re
from bisect import bisect_right
from pathlib import Path

from entityfix.settings import Settings
from dataclasses import dataclass, replace

from entityfix.apply import apply_findings
from entityfix.matching import consistency, screen, spoken
from entityfix.matching.decide import FIX, SUGGEST, Finding, Thresholds, decide
from entityfix.text.extract import Extractor, Mention, ner_units
from entityfix.gazetteer.store import Gazetteer, load
from entityfix.errors import EntityfixError
from entityfix.matching.resolve import MAX_SPAN, MIN_FUZZY_LEN, Resolver
from entityfix.spelling.names import ocr_capital, tokenize
from entityfix.spelling.phonetic import exact_key, fold
from entityfix.text import channel
from entityfix.text.skip import blanked, inside, untouched_ranges


WINDOW_CHARS = 1_000_000  # texts longer than this are decided in windows of about this size
STABLE_ROUNDS = 3  # check -> fix -> check again, at most this many times
# the pre-screen's runs: words starting with a capital (any script's) or an OCR-read one ("0xford"),
# joined by spaces or tabs; one regular expression, as the screen reads every word of every text
_UPPER = "".join(sorted({c for c in map(chr, range(0x10000)) if c.isupper() and c.isalpha()}))  # the BMP holds every script names are written in
_CAPITAL_WORD = f"(?:[{re.escape(_UPPER)}]|[01](?=[^\\W\\d_]{{2}}))[\\w'’.-]*"
CAPITALISED_RUN = re.compile(f"(?<![\\w'’.-]){_CAPITAL_WORD}(?:[ \\t]+{_CAPITAL_WORD})*")


def _windows(text: str):
    """Cut at a blank line (else a line end, else a space) near every WINDOW_CHARS characters."""
    start, n = 0, len(text)
    while start < n:
        end = min(n, start + WINDOW_CHARS)
        if end < n:
            for sep in ("\n\n", "\n", " "):
                cut = text.rfind(sep, start + WINDOW_CHARS // 2, end)
                if cut > start:
                    end = cut + len(sep)
                    break
        yield start, text[start:end]
        start = end


class LineIndex:
    """Offset -> 1-based (line, column), in O(log n) per lookup."""

    def __init__(self, text: str):
        self.starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


@dataclass(frozen=True)
class Source:
    """The source text a Checker's translation is checked against (``Checker.for_source``)."""

    where: str  # its path, for reasons
    lang: str
    entries: tuple  # source_list.SourceEntry: each source name and its form in the translation


class Checker:
    """Holds the loaded pipeline and gazetteer; checks any number of texts."""

    def __init__(self, settings: Settings | None = None, gazetteer: Gazetteer | None = None):
        self.source: Source | None = None
        self._forms = None  # speech: the listed forms by sound, built on first need
        self._parent: Checker | None = None
        self.settings = settings or Settings()
        self.gazetteer = gazetteer if gazetteer is not None else load(self.settings.gazetteer_paths)
        self.resolver = Resolver(self.gazetteer, allow=frozenset(self.settings.allow))
        self._extractor: Extractor | None = None
        model = self.settings.model
        if model and importlib.util.find_spec(model) is None and not Path(model).exists():
            raise EntityfixError(f"cannot load spaCy pipeline {model!r}: no such package or folder")
        self.thresholds = Thresholds(self.settings.fix_threshold, self.settings.suggest_threshold)

    @property
    def extractor(self) -> Extractor:
        """The spaCy pipeline, loaded on first need: a text with nothing any list could change (see
        ``may_change``) is decided without it, so checking it never imports spaCy."""
        if self._extractor is None and self._parent is not None:
            self._extractor = self._parent.extractor  # a source's Checker reads with its parent's pipeline
        if self._extractor is None:
            self._extractor = Extractor(self.settings.model, self.settings.labels, self.gazetteer)
        return self._extractor

    def for_source(self, source_text: str, where: str, lang: str | None = None) -> "Checker":
        """A Checker for one translation of ``source_text``: these lists plus the source's names.

        The names are read with the source language's pipeline (``text/source.py``), written in
        the translation's language where the exonym tables know them, and added as a list of
        their own (``store.load_with``); the spaCy pipeline of this Checker is shared.
        """
        from entityfix.gazetteer import source_list
        from entityfix.gazetteer.store import load_with
        from entityfix.text import source as source_names

        lang = lang or self.settings.source_lang or source_names.detect_language(source_text)
        entries = source_list.target_forms(source_names.read_names(source_text, lang), lang)
        gazetteer = load_with(self.settings.gazetteer_paths, source_list.entities(entries, where), where, base=self.gazetteer)
        derived = Checker(self.settings, gazetteer)
        derived._parent = self
        derived.source = Source(where, lang, tuple(entries))
        return derived

    def may_change(self, text: str, skip: list[tuple[int, int]] | None = None, runs: list[Mention] | None = None) -> bool:
        """Could anything in ``text`` become a finding?  Only a capitalised word (or one with an
        OCR-read capital) can change, and only towards a curated token it is near, a listed token it
        differs from in accents or case, or a token of a reference entry the text names exactly.  The
        text's capitalised runs are looked up the way the resolver looks up NER's mentions; where no
        word has such a candidate there is no finding, whatever NER would say, and NER is not run.
        A listed misspelling is fixed in any case, so every run of words is looked up for those.
        Most texts with names stop at their first candidate, so the screen costs them little."""
        runs = _capitalised_runs(text, skip) if runs is None else runs
        resolver = self.resolver
        resolver.begin_document(runs, text)
        for run in runs:
            for tok in tokenize(run.text):
                if len(tok.folded) < MIN_FUZZY_LEN or not (tok.text[:1].isupper() or ocr_capital(tok.text)):
                    continue
                if resolver._fuzzy_candidates(tok.folded) or resolver._reference_candidates(tok.folded):
                    return True
                # a listed token spelt without its accents ("Lopez" for López), case aside
                if any(tok.text.casefold() != self.gazetteer.form_token(fid, pos).casefold() for fid, pos, _ in resolver._exact_hits(tok.text, tok.folded)):
                    return True
        # every run of words, in any case, against the listed misspellings
        if len(self.gazetteer.misspelt) and self._names_a_listed_misspelling(text):
            return True
        # last: one name spelt two ways, which needs no list at all
        return self.settings.consistency == "document" and consistency.could_group(
            tok.text for run in runs for tok in tokenize(run.text)
        )

    def _names_a_listed_misspelling(self, text: str) -> bool:
        keys = [t.key for t in tokenize(text)]
        return any(
            self.gazetteer.misspelling_of(keys[a:b]) is not None
            for a in range(len(keys)) for b in range(a + 1, min(len(keys), a + MAX_SPAN) + 1)
        )

    def check_text(self, text: str) -> list[Finding]:
        """Findings for one document; a very long text is decided window by window (bounded memory)."""
        return self._with_dropped(text, self._by_window(text, self._check_window))

    def check_until_stable(self, text: str, on_window=None) -> list[Finding]:
        """Findings whose fixes, applied together, give a text ``fix`` leaves alone.

        Fixing a name changes the context of its neighbours (NER sees "Benny Gantz"
        where it saw "Benny Kantz"), which can reveal one more misspelling.  So the
        fixed text is checked again, up to ``STABLE_ROUNDS`` times, and the new fixes
        are mapped back to offsets in the original text.  Long texts do this window
        by window, as they are decided window by window.
        """
        return self._with_dropped(text, self._by_window(text, self._stable_window, on_window))

    def _with_dropped(self, text: str, findings: list[Finding]) -> list[Finding]:
        """With a source: the people and places it names that the whole translation does not."""
        if self.source is None or not self.settings.source_mismatch:
            return findings
        from entityfix.gazetteer import prior
        from entityfix.matching import source_mismatch

        known = lambda name: all(prior.lookup(t.text).own_strength >= 0.7 for t in tokenize(name))  # noqa: E731
        return source_mismatch.dropped(text, findings, self.source.entries, known, self.source.where) + findings

    def _by_window(self, text: str, check, on_window=None) -> list[Finding]:
        """``check`` on the whole text, or window by window; ``on_window(done, findings)`` hears of
        each window as it is decided (characters done so far, that window's findings), so a caller
        can show progress through a big file and report its findings as they come."""
        if len(text) <= WINDOW_CHARS:
            findings = check(text, 0, None)
            if on_window is not None:
                on_window(len(text), findings)
            return findings
        findings: list[Finding] = []
        skip = untouched_ranges(text)  # "entityfix: off" and code blocks may span windows
        line_base = 0
        for offset, piece in _windows(text):
            local_skip = [
                (max(0, a - offset), min(len(piece), b - offset)) for a, b in skip if b > offset and a < offset + len(piece)
            ]
            found = [replace(f, start=f.start + offset, end=f.end + offset) for f in check(piece, line_base, local_skip)]
            findings.extend(found)
            if on_window is not None:
                on_window(offset + len(piece), found)
            line_base += piece.count("\n")
        return findings

    def _check_window(self, text: str, line_base: int, skip: list[tuple[int, int]] | None) -> list[Finding]:
        findings, mentions = self._decided(text, line_base, skip)
        return self._with_notes(text, line_base, mentions, findings)

    def _decided(
        self, text: str, line_base: int, skip: list[tuple[int, int]] | None, heard: bool = True,
    ) -> tuple[list[Finding], list[Mention]]:
        """The resolver's findings on one window, and the mentions they were decided on; in speech
        also the names heard in runs of words (``heard``; suggestions only, so the fixed-point rounds,
        which keep fixes, do without them)."""
        lines = LineIndex(text)
        if skip is None:
            skip = untouched_ranges(text)
        spoken_text = self.settings.channel == "asr" or (self.settings.channel == "auto" and channel.guess(text) == "asr")
        runs = _capitalised_runs(text, skip)
        if not spoken_text and not self.may_change(text, skip, runs):
            return [], []
        self.resolver.channel = "asr" if spoken_text else self.settings.channel if self.settings.channel != "auto" else channel.guess(text)
        analyses = []
        # NER reads the prose only: code, markup and addresses are blanked (offsets unchanged); a
        # transcript without capitals gives NER nothing to go on, and its names come from the list
        found = self._ner_mentions(text, skip, runs, begun=not spoken_text) if _has_capitals(text) else []
        mentions = [m for m in _labelled_alike(_joined_people(found, text)) if not (skip and inside(skip, m.start, m.end))]
        self.resolver.begin_document(mentions, text)
        for mention in mentions:
            analyses.append((self.resolver.analyze(mention), line_base + lines.line_col(mention.start)[0]))
        findings = [f for f in decide(self.resolver, analyses, self.thresholds) if _whole_words(text, f)]
        if self.resolver.channel == "asr" and heard:
            findings = sorted(findings + self._heard(text, findings, skip), key=lambda f: (f.start, f.end))
        return findings, mentions

    def _ner_mentions(self, text: str, skip: list[tuple[int, int]], runs: list[Mention], begun: bool) -> list[Mention]:
        """NER's mentions in the paragraphs whose findings may depend on it: candidate-first
        (``matching/screen.py``) unless the settings ask NER to read everything.  With a source text
        every paragraph is read: the source's names are weighed against all of the translation's.
        So is a text (a window) over ``screen.SCREEN_MAX_CHARS``: the evidence of its names reaches
        across most of its paragraphs, and reading them all costs less than the screen.
        ``begun``: the resolver has begun this text with ``runs`` (``may_change``)."""
        prose = blanked(text, skip)
        units = ner_units(prose)
        if self.settings.candidate_first and self.source is None and len(text) <= screen.SCREEN_MAX_CHARS:
            units = screen.units_to_read(
                self.resolver, text, units, runs, self.thresholds, self.settings.consistency == "document", begun,
            )
            if not units:
                return []
        return self.extractor.mentions(prose, units)

    def _heard(self, text: str, findings: list[Finding], skip: list[tuple[int, int]] | None) -> list[Finding]:
        """Speech: listed names in runs of words, in any case (``matching/spoken.py``)."""
        if self._forms is None:
            self._forms = spoken.FormIndex(self.gazetteer)
        out = []
        for h in spoken.heard_names(text, self._forms, [(f.start, f.end) for f in findings], skip):
            if h.confidence < self.thresholds.suggest:
                continue
            entity = self.gazetteer.entity(h.entity)
            f = Finding(h.start, h.end, h.old, h.new, entity.name, entity.type, h.confidence, SUGGEST, h.reasons)
            if _whole_words(text, f):
                out.append(f)
        return out

    def _stable_window(self, text: str, line_base: int, skip: list[tuple[int, int]] | None) -> list[Finding]:
        findings, mentions = self._decided(text, line_base, skip)
        return self._with_notes(text, line_base, mentions, self._fixed_point(text, line_base, findings))

    def _with_notes(self, text: str, line_base: int, mentions: list[Mention], findings: list[Finding]) -> list[Finding]:
        if self.source is not None:
            findings = self._citing_source(findings)
            if self.settings.source_mismatch and mentions:
                from entityfix.matching import source_mismatch

                apart = source_mismatch.spelt_apart(self._occurrences(text, mentions, findings), self.source.entries, self.source.where)
                findings = consistency.relabel(apart, findings)
        if self.settings.consistency == "document" and mentions:
            findings = consistency.relabel(self._consistency_notes(text, line_base, mentions, findings), findings)
        return findings

    def _citing_source(self, findings: list[Finding]) -> list[Finding]:
        """A fix towards a name the source writes says where ("Gantz in the source, line 3")."""
        entries = {e.target_text: e for e in self.source.entries}
        out = []
        for f in findings:
            e = entries.get(f.entity)
            if e is not None:
                f = replace(f, reasons=(*f.reasons, f"{e.source_text} in the source ({self.source.where}, line {e.line})"))
            out.append(f)
        return out

    def _occurrences(self, text: str, mentions: list[Mention], findings: list[Finding]):
        allowed = frozenset(fold(a) for a in self.settings.allow)
        return [
            o for o in consistency.occurrences(text, mentions, findings, allowed=allowed)
            if _whole_words(text, _span(o)) and not self.gazetteer.is_never([exact_key(o.text)])
        ]

    def _consistency_notes(self, text: str, line_base: int, mentions: list[Mention], findings: list[Finding]) -> list[Finding]:
        """One name spelt several ways in this text (``matching/consistency.py``), as notes, or as
        suggestions where one of the spellings is a listed name."""
        lines = LineIndex(text)
        occs = self._occurrences(text, mentions, findings)
        return consistency.notes(occs, lambda o: line_base + lines.line_col(o.start)[0], self.is_listed)

    def name_occurrences(self, text: str, findings: list[Finding], doc: int = 0) -> list:
        """The name tokens of a whole text, with ``findings`` applied (``--consistency corpus``)."""
        skip = untouched_ranges(text)
        found = self.extractor.mentions(blanked(text, skip))
        mentions = [m for m in _labelled_alike(_joined_people(found, text)) if not (skip and inside(skip, m.start, m.end))]
        return [replace(o, doc=doc) for o in self._occurrences(text, mentions, findings)]

    def is_listed(self, spelling: str) -> bool:
        """Is this exact spelling a correct form of a listed (not reference-only) entity?"""
        toks = tokenize(spelling)
        return any(
            not self.gazetteer.is_reference(self.gazetteer.form_entity_id(fid))
            for t in toks[:1] for fid, _, match in self.resolver._exact_hits(t.text, t.folded) if match.score == 1.0
        )

    def _fixed_point(self, text: str, line_base: int, findings: list[Finding]) -> list[Finding]:
        for _ in range(STABLE_ROUNDS - 1):
            fixes = sorted((f for f in findings if f.action == FIX), key=lambda f: f.start)
            if not fixes:
                break
            current = apply_findings(text, fixes)
            more = [f for f in self._decided(current, line_base, None, heard=False)[0] if f.action == FIX]
            mapped = [m for m in (_to_original(f, fixes) for f in more) if m is not None]
            mapped = [m for m in mapped if text[m.start : m.end] == m.old]
            if not mapped:
                break
            upgraded = {(m.start, m.end) for m in mapped}  # a suggestion that became a fix is replaced
            kept = [f for f in findings if (f.start, f.end) not in upgraded]
            findings = sorted(kept + mapped, key=lambda f: (f.start, f.end))
        return findings


def _whole_words(text: str, f: Finding) -> bool:
    """A finding replaces whole words: never the start of "Kantzian", nor "Kantz" in "Kantz.com" or
    "Benny_Kantz" (a name glued to letters, digits, "_", "@" or a dotted word is part of something else)."""
    before = text[f.start - 1] if f.start > 0 else " "
    after = text[f.end] if f.end < len(text) else " "
    glued = before.isalnum() or before in "_@" or after.isalnum() or after in "_@"
    dotted = after == "." and f.end + 1 < len(text) and text[f.end + 1].isalnum()
    return not (glued or dotted)


def _has_capitals(text: str) -> bool:
    return any(ch.isupper() for ch in text)


def _span(o) -> Finding:
    return Finding(o.start, o.end, o.text, o.text, "", "", 0.0, "note", ())


def _joined_people(mentions: list[Mention], text: str) -> list[Mention]:
    """Two PERSON mentions with one space between them are one name that NER cut in two, as it
    often does where a name is misspelt ("Ursula von der" + "Leien")."""
    out: list[Mention] = []
    for m in sorted(mentions, key=lambda m: m.start):
        prev = out[-1] if out else None
        if prev is not None and prev.label == m.label == "PERSON" and text[prev.end : m.start] == " ":
            out[-1] = Mention(prev.start, m.end, text[prev.start : m.end], "PERSON", "ner")
        else:
            out.append(m)
    return out


def _labelled_alike(mentions: list[Mention]) -> list[Mention]:
    """A capitalised run NER did not label takes the label NER gave the same words elsewhere.

    One sense per discourse: "Abdellatif Loudi" is a person in the whole report if NER says so
    once, even where a headline or a list kept NER from seeing it.  Only an unambiguous label is
    passed on.
    """
    labels: dict[str, set[str]] = {}
    for m in mentions:
        if m.label:
            labels.setdefault(m.text, set()).add(m.label)
    out = []
    for m in mentions:
        if not m.label and len(labels.get(m.text, ())) == 1:
            m = replace(m, label=next(iter(labels[m.text])))
        out.append(m)
    return out


def _to_original(f: Finding, applied: list[Finding]) -> Finding | None:
    """Shift a finding on the fixed text back to the original text; None if it lies in a fixed span."""
    shift = 0
    for a in applied:
        new_start = a.start + shift
        new_end = new_start + len(a.new)
        if f.end <= new_start:
            break
        if f.start < new_end:
            return None
        shift += len(a.new) - (a.end - a.start)
    return replace(f, start=f.start - shift, end=f.end - shift)


def _capitalised_runs(text: str, skip: list[tuple[int, int]] | None) -> list[Mention]:
    """Runs of capitalised words ("the Gaza Strip" gives "Gaza Strip"); a run wholly inside an
    untouched range is left out (one that only touches one is kept: the screen may say yes too often,
    never too rarely)."""
    runs = []
    for match in CAPITALISED_RUN.finditer(text):
        start, end = match.span()
        if skip and inside(skip, start, end):
            continue
        runs.append(Mention(start, end, match.group(), "", "rule"))
    return runs
