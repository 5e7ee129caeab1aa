"""Evidence: one small function per named feature of a proposed correction.

A proposal lays a gazetteer form over some tokens of a mention ("Nasser Purida" over "Nasser
Bourita"); its changed tokens are the ones spelt differently.  Each function below looks at one
thing (how alike the spellings are, a matching given name, the name written correctly elsewhere in
the document, a real name the list does not know...) and returns the features it found, with their
values, and the reason to print for each, true of the text.  ``evidence.py`` holds the weights,
one table per channel, so a fit on one data split can be measured on another.

Two hypotheses are weighed against each other for every changed token: *a misspelling of the
listed name* (spelling and sound under the channel's confusions, anchors, the entity written
correctly nearby, another variant fixed, a title, NER's type) and *a correct name the list does
not know* (the token is itself a real name or a common word, a derived word or a compound, nothing
in the document binds it to the entity, an ending the name lacks).

``EARLY`` features can raise a proposal's confidence; ``LATE`` ones only lower it (their weights
are negative: tests/test_resolution.py checks), so a proposal that cannot reach the caller's floor
with the early ones alone is dropped before the late ones are computed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property

from entityfix.gazetteer import prior
from entityfix.gazetteer.schema import Entity, Form, SURNAME
from entityfix.spelling import common_words, namelike
from entityfix.spelling.common_words import COMMON_FLOOR
from entityfix.spelling.names import IRREGULAR_DEMONYMS, PARTICLES, Token, is_title, tokenize
from entityfix.spelling.phonetic import Match, compare, confusion_labels, fold, letter_drop_labels, similarity as spelling_similarity, skeleton

SIMILARITY_CENTRE = 0.82  # the "similarity" feature is p_min - SIMILARITY_CENTRE
METONYMS = frozenset({"GPE", "LOC", "FAC", "ORG", "NORP"})
# endings that make a new word from a name: Israel-i, Morocc-an, Kennedy-s, Marx-ist
DERIVATIONAL_SUFFIXES = frozenset(
    "i is s es n ns an ans ian ians ean eans ese ish ite ites ic ics ist ists ism er ers ed ing ly ois oise".split()
)
# Slavic surnames take an "a" for a woman: the two are different people's names, not misspellings
FEMININE_STEMS = ("ov", "ev", "in", "yn")
LONG_SUFFIXES = tuple(sorted((s for s in DERIVATIONAL_SUFFIXES if len(s) >= 2), key=len, reverse=True))
MIN_STEM = 4  # a stem shorter than this says nothing
RIVAL_CLOSE = 0.9  # a name the document writes rivals the listed one only when it is this alike
MIN_TOKEN_SCORE = 0.7  # the resolver's floor for a token pair: a near stem is one above it
COMMON_TARGET_ZIPF = 4.0  # a listed token more frequent than this in English is a common word first,
NAME_FIRST = 0.9  # unless it is this surely a name (a forename, a common surname, a city, a country)
RUN_TOGETHER_ZIPF = (6.0, 4.5)  # a run-together token: one half as common as "the", "was", "how",
RUN_TOGETHER_PART = 3  # the other as common as "men"; both at least this long, and neither a forename
# Confusions of letter shapes ("OCR rn/m"), and the sound confusions a scanner can also make because
# the letters look alike: C/G, J/Y, J/I, P/F and M/N in capitals or print, W/V as "vv", Y/I
SHAPE_ALIKE = frozenset(label for label in confusion_labels() if label.startswith("OCR ")) | {"C/G", "J/Y", "J/I", "P/F", "M/N", "W/V", "Y/I"}
# The rest, but for rules that only drop a letter, come from sound (speech, transliteration), not
# from the shape of letters: in OCR'd text a correction that needs one is most likely another word.
SOUND_ONLY = confusion_labels() - SHAPE_ALIKE - letter_drop_labels() - {"vowel change"}


@dataclass
class Proposal:
    """One gazetteer form laid over tokens ``first .. first + size - 1`` of a mention, in one document."""

    tokens: list[Token]  # the mention's tokens, absolute offsets
    label: str  # NER's label of the mention ("" for a capitalised run NER did not tag)
    first: int
    size: int
    matches: tuple[Match, ...]  # per aligned token
    changed: list[int]  # indexes (into tokens) of the tokens spelt differently
    form: Form
    entity: Entity
    seen: tuple[int, str] | None  # (line, form) of the entity written correctly nearby, in another mention
    fixed_elsewhere: dict[str, int]  # other misspellings of the entity fixed confidently: spelling -> line
    doc_labels: set[str]  # labels NER gave the entity's correct mentions in this document
    name_continues: str | None  # a capitalised token beside the aligned form that is none of the entity's
    compound: Callable[[int], bool]  # is token i hyphen-joined to a common word?
    channel: str = "mt"
    written: Callable[[], Mapping[str, str]] = dict  # the real names the document writes that no listed name holds

    def target(self, i: int) -> str:
        """The form's token that token ``i`` of the mention becomes."""
        return self.form.tokens[i - self.first]

    def match(self, i: int) -> Match:
        return self.matches[i - self.first]

    @cached_property
    def respelt(self) -> list[int]:
        """The changed tokens that differ from the name in more than accents and case."""
        return [i for i in self.changed if self.tokens[i].folded != fold(self.target(i))]

    @cached_property
    def anchors(self) -> list[int]:
        """Tokens of the form spelt right in the mention ("Benny" in "Benny Kantz")."""
        span = range(self.first, self.first + self.size)
        return [i for i in span if i not in self.changed and (len(self.tokens[i].folded) >= 3 or self.tokens[i].folded in PARTICLES)]

    @cached_property
    def title(self) -> str | None:
        before = self.first - 1
        return self.tokens[before].text if before >= 0 and is_title(self.tokens[before].text) else None

    @cached_property
    def variant_line(self) -> int | None:
        """Line of another misspelling of the entity already fixed confidently (not this spelling)."""
        spellings = {self.tokens[i].folded for i in self.changed}
        others = [ln for old, ln in self.fixed_elsewhere.items() if old not in spellings]
        return min(others) if others else None

    @cached_property
    def initial(self) -> str | None:
        """The initial before the name when it is the entity's first initial ("F. Lopez" for
        Feliciano López)."""
        before = self.first - 1
        if before < 0 or self.form.text == self.entity.name:
            return None
        token = self.tokens[before]
        given = fold(self.entity.name)[:1]
        return token.text if len(token.folded) == 1 and token.text[:1].isupper() and token.folded == given else None

    @cached_property
    def supported(self) -> bool:
        """Does anything beyond one token's spelling bind this mention to the entity?  A matching
        token of the name or its initial, the name written correctly nearby, another variant of it
        fixed, or every token of a longer name close at once ("Anthony Blingen": two near misses are
        no accident)."""
        several = self.size >= 2 and len(self.changed) >= 2
        return bool(self.anchors or self.initial) or self.seen is not None or self.variant_line is not None or several


Found = list[tuple[str, float, str | None]]  # (feature, value, reason printed with a finding or None)


def produces(*names: str):
    """Declare the features an evidence function can give (what the weight tables must hold)."""

    def mark(fn):
        fn.names = names
        return fn

    return mark


# ------------------------------------------------------------------ for a misspelling of the listed name


@produces("similarity")
def similarity(p: Proposal) -> Found:
    """How alike the weakest changed token is to the form's token, under the confusion table."""
    return [("similarity", min(p.match(i).score for i in p.changed) - SIMILARITY_CENTRE, None)]


@produces("anchors")
def anchors(p: Proposal) -> Found:
    """Exact tokens of the same form in the mention: "Benny" before "Kantz"."""
    if not p.anchors:
        return [("", 0, f"initial {p.initial} matches {p.entity.name}")] if p.initial else []
    return [("anchors", min(len(p.anchors), 2), "matching " + " ".join(p.tokens[i].text for i in p.anchors))]


@produces("all_tokens_close")
def all_tokens_close(p: Proposal) -> Found:
    """Two or more tokens changed, each of them close: "Anthony Blingen" for "Antony Blinken"."""
    if p.size >= 2 and len(p.changed) >= 2:
        return [("all_tokens_close", 1, f"all {len(p.changed)} changed tokens of {p.form.text} close")]
    return []


@produces("sounds_alike")
def sounds_alike(p: Proposal) -> Found:
    """The same consonant skeleton: "Purida" and "Bourita" are both p-r-t."""
    if all(skeleton(p.tokens[i].folded) == skeleton(fold(p.target(i))) for i in p.changed):
        return [("sounds_alike", 1, "sounds alike")]
    return []


@produces("long_word", "short_word")
def word_length(p: Proposal) -> Found:
    """Long words are rarely one edit from another real word; four letters often are."""
    shortest = min(len(p.tokens[i].folded) for i in p.changed)
    if shortest >= 7:
        return [("long_word", 1, None)]
    if shortest <= 4:
        return [("short_word", 1, "short word")]
    return []


@produces("bare_surname")
def form_kind(p: Proposal) -> Found:
    """A bare surname with nothing in the document behind the person is weak."""
    if p.form.kind == SURNAME:
        found: Found = [("", 0, f"surname of {p.entity.name}")]
        if p.seen is None and p.title is None and not p.anchors and not p.initial:
            found.append(("bare_surname", 1, None))
        return found
    if p.form.text != p.entity.name:
        return [("", 0, f"alias of {p.entity.name}")]
    return []


@produces("name_continues")
def name_goes_on(p: Proposal) -> Found:
    """A capitalised unknown token beside the form: the mention is a longer, different name."""
    return [("name_continues", 1, f"{p.name_continues} beside {p.form.text} is none of its names")] if p.name_continues else []


@produces("rule_only", "type_agrees", "type_metonym", "type_clash")
def ner_type(p: Proposal) -> Found:
    """NER's label against the entity's type (places, organisations and peoples stand for each other)."""
    label, etype = p.label, p.entity.type
    if not label:
        return [("rule_only", 1, None)]
    if label == etype:
        return [("type_agrees", 1, f"type {label} agrees")]
    if label in p.doc_labels:
        return [("", 0, f"NER also calls {p.entity.name} {label} in this document")]
    kind = "type_metonym" if {label, etype} <= METONYMS else "type_clash"
    return [(kind, 1, f"NER says {label}, entity is {etype}")]


@produces("title_person", "title_not_person")
def title(p: Proposal) -> Found:
    """A person's title before the name: "Mr. Kants" is a person, not an organisation."""
    if p.title is None:
        return []
    if p.entity.type == "PERSON":
        return [("title_person", 1, f"title {p.title}")]
    return [("title_not_person", 1, None)]


@produces("misshapen")
def misshapen(p: Proposal) -> Found:
    """A changed token that no list holds and English does not use, with letter sequences almost no
    real name has ("fdw" in "Fdward"), is no unknown name but a misreading: in OCR'd text that is
    evidence for a misspelling.  (Translations and recognisers write name-shaped words, so there the
    shape says nothing.)"""
    if p.channel != "ocr":
        return []
    for i in p.respelt:
        text = p.tokens[i].text
        if prior.lookup(text).strength > 0 or common_words.zipf(text.lower()) > COMMON_FLOOR:
            continue
        rare = prior.misshapen(text)
        if rare:
            return [("misshapen", 1, f"{text} is not shaped like a name: almost none {namelike.describe(rare[0])}")]
    return []


@produces("seen_in_doc", "variant_fixed")
def seen_in_doc(p: Proposal) -> Found:
    """The entity written correctly nearby, or failing that, another misspelling of it fixed."""
    if p.seen is not None:
        line, form = p.seen
        return [("seen_in_doc", 1, f"{form} written correctly at line {line}")]
    if p.variant_line is not None:
        return [("variant_fixed", 1, f"another misspelling of {p.entity.name} fixed at line {p.variant_line}")]
    return []


# ------------------------------------------------------------------ for a correct name the list does not know


@produces("other_forename")
def other_forename(p: Proposal) -> Found:
    """A forename or an initial before the surname that is none of the listed person's: "S. Wauggh"
    or "Tom Johnsonn" is another Waugh or Johnson than a listed Mark Waugh or Paul Johnson, however
    often the document writes the surname.  A word counts as a forename when the census lists it as
    one, and as another person's only when it starts with a letter none of the person's own names
    starts with ("Steve" is no evidence against a listed Stephen)."""
    if p.entity.type != "PERSON" or p.form.kind != SURNAME or p.first < 1:
        return []
    if any(prior.lookup(word).forename for word in p.form.tokens):
        return []  # "Laurence Ernest Lyons": a forename before a forename may be a middle name
    token = p.tokens[p.first - 1]
    if not token.text[:1].isupper() or is_title(token.text) or token.folded in PARTICLES:
        return []
    if len(token.folded) > 1 and not prior.lookup(token.text).forename:
        return []
    surname = {fold(t) for t in p.form.tokens}
    own = {t.folded for name in (p.entity.name, *p.entity.aliases) for t in tokenize(name)} - surname
    if not own or any(word[:1] == token.folded[:1] for word in own):
        return []
    initial = "initial" if len(token.folded) == 1 else "forename"
    return [("other_forename", 1, f"{token.text} is no {initial} of {p.entity.name}")]


@produces("derived")
def derived(p: Proposal) -> Found:
    """A word made from the name ("Israeli", "Kantzian"), or a people's name for a place."""
    found: Found = []
    for i in p.changed:
        word, name = p.tokens[i].folded, fold(p.target(i))
        demonym = p.label == "NORP" and p.entity.type != "NORP" and name.startswith(word[:-1])
        if is_derived(word, name) or derived_from_variant(word, name) or demonym or word in IRREGULAR_DEMONYMS:
            found.append(("derived", 1, f"{p.tokens[i].text} is a derived word of {p.target(i)}"))
    return found[:1] + [("", 0, reason) for _, _, reason in found[1:]]


@produces("compound")
def compound(p: Proposal) -> Found:
    """Hyphen-joined to a common word: "ONE-DAYER", "Algeria-backed"."""
    found = [("", 0, f"{p.tokens[i].text} is part of a compound word") for i in p.changed if p.compound(i)]
    return [("compound", 1, found[0][2])] + found[1:] if found else []


@produces("first_letter")
def first_letter(p: Proposal) -> Found:
    """Misspellings keep the first letter more often than not."""
    return [("first_letter", 1, None)] if any(p.tokens[i].folded[:1] != fold(p.target(i))[:1] for i in p.changed) else []


@produces("all_caps")
def all_caps(p: Proposal) -> Found:
    return [("all_caps", 1, None)] if any(p.tokens[i].text.isupper() and len(p.tokens[i].text) > 1 for i in p.changed) else []


@produces("common_word")
def common_word(p: Proposal) -> Found:
    """A real English word is probably meant; in a longer name one rare wrong token is enough."""
    if not p.respelt:
        return []  # "Lopez" for "López" is the name itself, however often English writes it so
    zipf, word = min((common_words.zipf(p.tokens[i].text.lower()), p.tokens[i].text) for i in p.respelt)
    if zipf > COMMON_FLOOR:
        return [("common_word", min(zipf - COMMON_FLOOR, 8 / 3), f"{word} is a common word")]
    return []


@produces("real_name", "unsupported_real_name")
def real_name(p: Proposal) -> Found:
    """The changed token is itself a real name (census surname or forename, a populated place).

    On its own this only weighs a little (speech turns one real name into another: "Reiner" for
    "Rainer"); with nothing in the document binding the mention to the entity, it weighs a lot: a
    lone correct name the list does not know ("Byrnes" beside a listed "Barnes") stays as it is.
    A token that differs from the name only in accents ("Lopez", "López") is the same name."""
    respelt = p.respelt
    if not respelt:
        return []
    strength, word = max((distinct_name_strength(p.tokens[i].text, p.target(i)), p.tokens[i].text) for i in respelt)
    if strength <= 0:
        return []
    found: Found = [("real_name", strength, f"{word} is itself a real name")]
    if not p.supported:
        found.append(("unsupported_real_name", strength, f"nothing else here points to {p.entity.name}"))
    return found


def distinct_name_strength(word: str, target: str) -> float:
    """How surely ``word`` is a real name other than ``target``.  A word known only as another
    place's alternate name ("Moscou", "Moskau") where that place is the target itself (as big as
    Moscow) is the target written another way, not a distinct name."""
    known = prior.lookup(word)
    if known.own_strength == 0 and known.alternate_population and prior.lookup(target).population == known.alternate_population:
        return 0.0
    return known.strength


@produces("common_target")
def common_target(p: Proposal) -> Found:
    """The listed word it would become is a common English word ("State", "Court", "Creek", a
    list's part of a longer name): sounding like it is no evidence, so only the document can make
    it the meant one."""
    if p.supported:
        return []
    for i in p.respelt:
        target = fold(p.target(i))
        zipf = common_words.zipf(target)
        # word lists count names too: "England" and "London" are frequent as names, not words
        if zipf > COMMON_TARGET_ZIPF and prior.lookup(target).own_strength < NAME_FIRST:
            return [("common_target", min(zipf - COMMON_TARGET_ZIPF, 2.0), f"{p.target(i)} is a common word")]
    return []


@produces("unsupported", "rival_real_name")
def unsupported(p: Proposal) -> Found:
    """Nothing but one token's spelling binds the mention to the entity.  All the weaker when
    another real name (census, places) is at least as close to the token as the listed one:
    "Barmes" could as well be a Barnes the list does not know as a listed Byrnes."""
    if p.supported:
        return []
    found: Found = [("unsupported", 1, None)]
    for i in p.respelt:
        word, target, mine = p.tokens[i].folded, fold(p.target(i)), p.match(i).score
        for other in prior.near(word):
            if other != target and spelling_similarity(word, other).score >= mine:
                found.append(("rival_real_name", 1, f"{other.capitalize()} is a real name as close to {p.tokens[i].text} as {p.target(i)}"))
                return found
    return found


@produces("rival_written")
def rival_written(p: Proposal) -> Found:
    """Another real name, one the document itself writes and no list holds, is as close to the token
    as the listed one: "Chona" in a text that writes "China" is no likelier the listed Chen than
    China misspelt.  Unlike ``unsupported``'s rival, this one counts whatever binds the mention to
    the entity: the text is evidence that the other name is in play.  It must be close in its own
    right (``RIVAL_CLOSE``): a token garbled past recognition is about as far from every name."""
    names = p.written() if p.respelt else {}
    for i in p.respelt:
        word, target, mine = p.tokens[i].folded, fold(p.target(i)), p.match(i).score
        for other, written in names.items():
            if other in (word, target) or abs(len(other) - len(word)) > 1:
                continue
            if spelling_similarity(word, other).score >= max(mine, RIVAL_CLOSE):
                return [("rival_written", 1, f"{written}, written in this text, is as close to {p.tokens[i].text} as {p.target(i)}")]
    return []


@produces("extra_ending")
def extra_ending(p: Proposal) -> Found:
    """The mention has letters the name lacks at its end ("Reiners", "Correspondente"): more often
    another word, or two words run together, than a misspelling.  Weighed per letter, up to 3."""
    for i in p.changed:
        word, name = p.tokens[i].folded, fold(p.target(i))
        if len(word) > len(name) and "dropped ending" in p.match(i).reasons:
            # one stray letter is often a comma or full stop misread; more is another word
            extra = min(len(word) - len(name), 3)
            return [("extra_ending", extra, f"{p.tokens[i].text} has an ending {p.target(i)} lacks")]
    return []


@produces("channel_misfit")
def channel_misfit(p: Proposal) -> Found:
    """A sound confusion in OCR'd text, which a scanner does not make: each one makes another
    word the likelier reading.  (Letter-shape confusions in speech or translation would be the
    mirror case; the synthetic benchmark puts them in clean news, so they are not weighed.)"""
    if p.channel != "ocr":
        return []
    used = [label for i in p.changed for label in p.match(i).reasons if label in SOUND_ONLY]
    if not used:
        return []
    return [("channel_misfit", len(used), f"{', '.join(dict.fromkeys(used))} unusual in {p.channel.upper()} text")]


@produces("run_together")
def run_together(p: Proposal) -> Found:
    """Two common words printed without the space between them ("Themen" for "The men"): a scanner
    drops spaces between words, so in OCR'd text a token that reads as two common words, where the
    name does not ("Ternen"), is most likely those two words.  A name made of words ("Churchill",
    "Woodburn") splits too, so its misspellings are not held against it."""
    if p.channel != "ocr":
        return []
    for i in p.changed:
        split = two_common_words(p.tokens[i].text.lower())
        if split and not two_common_words(fold(p.target(i))):
            return [("run_together", 1, f"{p.tokens[i].text} reads as \"{split[0]} {split[1]}\"")]
    return []


def two_common_words(word: str) -> tuple[str, str] | None:
    """The first split of ``word`` into a very common English word and another common one, neither
    of them a forename ("the" + "men"; not "new" + "ton", not "cool" + "ali"), if there is one."""
    if not word.isalpha():
        return None
    top, floor = RUN_TOGETHER_ZIPF
    for cut in range(RUN_TOGETHER_PART, len(word) - RUN_TOGETHER_PART + 1):
        halves = word[:cut], word[cut:]
        zipfs = sorted(common_words.zipf(h) for h in halves)
        if zipfs[0] >= floor and zipfs[1] >= top and not any(prior.lookup(h).forename for h in halves):
            return halves
    return None


EARLY = (
    similarity, anchors, all_tokens_close, sounds_alike, word_length, form_kind, name_goes_on, ner_type, title, seen_in_doc,
    misshapen,
)
LATE = (
    other_forename, derived, compound, first_letter, all_caps, common_word, common_target, real_name, unsupported,
    rival_written, extra_ending, channel_misfit, run_together,
)


def is_derived(mention_folded: str, gaz_folded: str) -> bool:
    """True when one word is derived from the other: Israel/Israeli, Morocco/Moroccan, Oriole/Orioles."""
    if len(mention_folded) < len(gaz_folded):
        short, long_ = mention_folded, gaz_folded
        if long_ == short + "a" and short.endswith(FEMININE_STEMS):
            return True  # Dudayev / Dudayeva, Ivanov / Ivanova: a man's and a woman's form
        return len(short) >= MIN_STEM and long_.startswith(short) and long_[len(short) :] in DERIVATIONAL_SUFFIXES
    if len(mention_folded) == len(gaz_folded) or len(gaz_folded) < MIN_STEM:
        return False
    if mention_folded.startswith(gaz_folded) and set(mention_folded[len(gaz_folded) :]) == {gaz_folded[-1]}:
        return False  # "Lewiss": a doubled last letter, not a suffix
    if mention_folded.startswith(gaz_folded) and len(mention_folded) - len(gaz_folded) >= 3:
        return True  # the whole name and a longer ending: "Northamptonshire", "Johannesburger"
    prefix = 0
    for x, y in zip(mention_folded, gaz_folded):
        if x != y:
            break
        prefix += 1
    ending = mention_folded[prefix:]
    # the name's last letter or two give way to the suffix: Seychelles -> Seychellois
    return prefix >= len(gaz_folded) - (2 if len(ending) >= 3 else 1) and ending in DERIVATIONAL_SUFFIXES


def derived_from_variant(mention_folded: str, gaz_folded: str) -> bool:
    """A derivational ending on a near spelling of the name: "Kantzian" is made from "Kantz", so it
    is not a misspelt "Gantz" even if "Kantz" is (fixing it would cut a word in two)."""
    if len(mention_folded) < len(gaz_folded) + 2:
        return False  # "Pakkistan": a letter too many, not an ending
    whole = compare(mention_folded, gaz_folded).score
    for suffix in LONG_SUFFIXES:
        stem = mention_folded[: -len(suffix)]
        if mention_folded.endswith(suffix) and len(stem) >= MIN_STEM and abs(len(stem) - len(gaz_folded)) <= 1:
            if max(whole, MIN_TOKEN_SCORE) <= compare(stem, gaz_folded).score:
                return True  # the name is closer without the ending than with it
    return False
