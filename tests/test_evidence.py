"""Each piece of open-world evidence decides a case of its own (matching/features.py, evidence.py).

The hypothesis "a correct name the list does not know" against "a misspelling of a listed name":
the texts are written for these tests, the gazetteer is a handful of names.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from entityfix import Checker, Settings
from entityfix.gazetteer import prior
from entityfix.gazetteer.schema import Entity
from entityfix.gazetteer.store import Gazetteer
from entityfix.matching.evidence import CHANNELS, weights
from entityfix.matching.decide import shown
from entityfix.matching.features import two_common_words

NAMES = [
    Entity("William Barnes", "PERSON"),
    Entity("Ernest Rainer", "PERSON"),
    Entity("Antony Blinken", "PERSON"),
    Entity("Benny Gantz", "PERSON"),
    Entity("Thomas Hardy", "PERSON"),
    Entity("NPL", "ORG"),
]


@pytest.fixture(scope="module")
def low():
    """A checker that reports even weak candidates (suggestions down to 0.01), to read their reasons."""
    return Checker(Settings(default_gazetteers=False, suggest_threshold=0.01), gazetteer=Gazetteer.build(NAMES))


def found(checker, text: str, channel: str = "mt"):
    checker.settings = replace(checker.settings, channel=channel)
    return {f.old: f for f in checker.check_text(text)}


def test_a_lone_real_name_the_list_lacks_stays_but_a_bound_one_is_fixed(low):
    # "Barmes" is a census surname one letter from the listed Barnes, with nothing else for Barnes
    alone = found(low, "The council met Barmes on Tuesday.")["Barmes"]
    assert alone.action == "suggest" and alone.confidence < 0.5
    assert "Barmes is itself a real name" in alone.reasons
    assert "nothing else here points to William Barnes" in alone.reasons
    # the same spelling bound to the entity by the document: the given name beside it, the full
    # name written elsewhere
    bound = found(low, "William Barnes spoke to the council. Later William Barmes said he agreed.")["Barmes"]
    assert bound.action == "fix" and "matching William" in bound.reasons


def test_another_real_name_as_close_as_the_listed_one_weighs_against_it(low):
    # "Barnse" is no name itself, but "Barns" is as close to it as the listed "Barnes"
    f = found(low, "The council met Barnse on Tuesday.")["Barnse"]
    assert "Barns is a real name as close to Barnse as Barnes" in f.reasons
    assert f.action == "suggest"
    # with the document behind Barnes, the rival is not asked about
    f = found(low, "William Barnes spoke. Later Barnse agreed.")["Barnse"]
    assert f.action == "fix" and not any("as close to" in r for r in f.reasons)


def test_an_ending_the_name_lacks_weighs_most_in_ocr(low):
    text = "Antony Blinken spoke on Monday. Later Blinkenz agreed."
    mt, ocr = found(low, text)["Blinkenz"], found(low, text, "ocr")["Blinkenz"]
    assert "Blinkenz has an ending Blinken lacks" in mt.reasons
    assert ocr.confidence < mt.confidence
    # two letters more is another word, not a misspelling, however well the document knows the name
    assert found(low, "Ernest Rainer spoke. The Rainerov agreed.", "ocr")["Rainerov"].action == "suggest"


def test_a_sound_confusion_is_unusual_in_ocr_text(low):
    text = "Benny Gantz spoke on Monday. Later Kantz agreed."
    mt, ocr = found(low, text)["Kantz"], found(low, text, "ocr")["Kantz"]
    assert "K/G voicing unusual in OCR text" in ocr.reasons and not any("unusual" in r for r in mt.reasons)
    assert ocr.confidence < mt.confidence


def test_a_surname_is_not_changed_where_another_forename_goes_before_it(low):
    f = found(low, "Thomas Hardy wrote the novel. Then Tames Smith spoke.")
    assert "Tames" not in f or f["Tames"].action != "fix"
    other = found(low, "Thomas Hardy wrote the novel. Then Jane Hardie spoke.")["Hardie"]
    alone = found(low, "Thomas Hardy wrote the novel. Then Hardie spoke.")["Hardie"]
    assert "Jane beside Hardy is none of its names" in other.reasons and other.confidence < alone.confidence
    # an initial of the entity's own name does not make it another person
    assert not any("none of its names" in r for r in found(low, "Thomas Hardy wrote. Then T. Hardie spoke.")["Hardie"].reasons)


def test_another_initial_or_forename_before_the_surname_is_another_person(low):
    # the text writes "Benny Gantz" in full: without the initial, "Gantts" is his surname misspelt
    bound = found(low, "Benny Gantz met the press. Later, Gantts spoke again.")["Gantts"]
    assert bound.action == "fix"
    other = found(low, "Benny Gantz met the press. Later, S. Gantts spoke again.")["Gantts"]
    assert "S is no initial of Benny Gantz" in other.reasons and other.action == "suggest"
    forename = found(low, "Benny Gantz met the press. Later, Mary Gantts spoke again.")["Gantts"]
    assert "Mary is no forename of Benny Gantz" in forename.reasons and forename.action == "suggest"
    # his own initial, or a forename starting as one of his names does ("Ben"), says nothing against him
    own = found(low, "Benny Gantz met the press. Later, B. Gantts spoke again.")["Gantts"]
    assert own.action == "fix" and not any(" is no " in r for r in own.reasons)
    assert not any(" is no " in r for r in found(low, "Benny Gantz met the press. Later, Ben Gantts spoke.")["Gantts"].reasons)


def test_a_real_name_the_text_writes_rivals_the_listed_one_whatever_binds_it(low):
    # "Ernest" binds "Rainay" to the listed Ernest Rainer ...
    bound = found(low, "Ernest Rainer met the board. Then Ernest Rainay spoke.")["Rainay"]
    assert bound.action == "fix"
    # ... but the text also writes Rainey, a real name no list holds and as close to "Rainay"
    rival = found(low, "Ernest Rainer met Rainey. Then Ernest Rainay spoke.")["Rainay"]
    assert "Rainey, written in this text, is as close to Rainay as Rainer" in rival.reasons
    assert rival.action == "suggest"
    # a token much nearer the listed name than the written one is not in doubt
    near = found(low, "Ernest Rainer met Rainey. Then Rainerr spoke.")["Rainerr"]
    assert near.action == "fix" and not any("written in this text" in r for r in near.reasons)


def test_a_short_listed_name_is_reached_by_no_more_than_an_accent_or_a_doubled_letter(low):
    # "NPLs" is the plural of NPL, "Ptea" OCR for "Ptes": three letters are too few to respell into
    found_ = found(low, "Total NPLs rose in the quarter while the NPL ratio fell. Later NPPL rose.")
    assert "NPLs" not in found_
    assert found_["NPPL"].new == "NPL"  # a doubled letter is still undone


def test_speech_weighs_short_words_and_real_names_its_own_way():
    mt, asr = weights("mt"), weights("asr")
    assert asr["short_word"] < mt["short_word"] and asr["common_word"] < mt["common_word"]
    assert asr["real_name"] == 0.0 > mt["real_name"]  # a recogniser writes only words it knows
    assert set(CHANNELS) == {"ocr", "mt", "asr"}


def test_the_prior_knows_real_names_and_places_and_how_sure_it_is():
    assert prior.lookup("Smith").strength == 1.0 and prior.lookup("Smith").surname_rank == 1
    assert prior.lookup("Nakano").population > 100_000  # a Tokyo ward, a Japanese surname
    assert prior.lookup("Fdward").strength == 0.0  # OCR for Edward: no one is called that
    assert 0.0 < prior.lookup("Tames").strength < 0.7  # a rare census surname counts for less
    assert "barnes" in prior.near("barmes")
    assert all(w != "barmes" for w in prior.near("barmes"))


def test_the_prior_is_read_from_the_cache_after_the_first_build(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path))
    prior._table.cache_clear()
    prior._lookup.cache_clear()
    try:
        built = prior._table()
        path = prior.table_path()
        assert path is not None and path.exists()
        monkeypatch.setattr(prior, "build", lambda: pytest.fail("the cached table was not used"))
        prior._table.cache_clear()
        again = prior._table()
        assert (again["keys"] == built["keys"]).all()
    finally:
        prior._table.cache_clear()
        prior._lookup.cache_clear()
        prior._index.cache_clear()
        prior.near.cache_clear()


def test_without_the_name_lists_the_prior_is_empty_and_only_protects_less(monkeypatch):
    monkeypatch.setattr(prior, "_package_folder", lambda name: None)
    table = prior.build()
    assert len(table["keys"]) == 0


def test_a_listed_common_word_is_reached_only_with_the_documents_help():
    checker = Checker(
        Settings(default_gazetteers=False, suggest_threshold=0.01),
        gazetteer=Gazetteer.build([Entity("State", "ORG"), Entity("Court", "ORG"), Entity("Stoney Creek", "GPE")]),
    )
    f = found(checker, "Paris beat Lyon at the Stade de France on Sunday.")["Stade"]
    assert "State is a common word" in f.reasons and f.confidence < 0.5
    # a matching token of the listed name binds it: "Stoney Creak" is the listed Stoney Creek
    f = found(checker, "The diggers at Stoney Creak are still at work.")["Creak"]
    assert f.action == "fix" and "matching Stoney" in f.reasons and "Creek is a common word" not in f.reasons


def test_a_mans_and_a_womans_form_of_a_surname_are_two_names():
    text = "Alla Dudayeva spoke on Monday. Her husband Dzhokhar Dudayev led the republic."
    checker = Checker(Settings(default_gazetteers=False, suggest_threshold=0.01), gazetteer=Gazetteer.build([Entity("Alla Dudayeva", "PERSON")]))
    f = found(checker, text)["Dudayev"]
    assert "Dudayev is a derived word of Dudayeva" in f.reasons and f.confidence < 0.5


def test_two_common_words_run_together_are_those_words_in_ocr():
    checker = Checker(Settings(default_gazetteers=False, suggest_threshold=0.01), gazetteer=Gazetteer.build([Entity("Walter Ternen", "PERSON")]))
    text = "Walter Ternen wrote from the camp.\nThemen under my command are quiet."
    mt, ocr = found(checker, text)["Themen"], found(checker, text, "ocr")["Themen"]
    assert 'Themen reads as "the men"' in ocr.reasons and not any("reads as" in r for r in mt.reasons)
    assert ocr.confidence < mt.confidence and ocr.action != "fix"
    # names made of words split too, so their misspellings are not held against them
    assert [two_common_words(w) for w in ("churchill", "woodburn", "newton", "coolali")] == [None] * 4


def test_letters_no_name_has_make_an_ocr_misreading_of_an_unknown_token():
    assert prior.misshapen("Fdward") and prior.misshapen("Roxnunmi")
    assert prior.misshapen("Hokkoku") == prior.misshapen("Nakano") == prior.misshapen("Byrnes") == ()
    checker = Checker(Settings(default_gazetteers=False, suggest_threshold=0.01), gazetteer=Gazetteer.build([Entity("Edward Hopper", "PERSON")]))
    text = "Edward Hopper painted the harbour.\nLater Fdward Hopper sold it."
    mt, ocr = found(checker, text)["Fdward"], found(checker, text, "ocr")["Fdward"]
    assert "Fdward is not shaped like a name: almost none starts with 'fd'" in ocr.reasons and not any("shaped" in r for r in mt.reasons)
    assert ocr.confidence > mt.confidence


def test_a_given_name_heard_beside_a_surname_binds_it_in_speech():
    checker = Checker(Settings(default_gazetteers=False, suggest_threshold=0.01), gazetteer=Gazetteer.build([Entity("Steve Barnes", "PERSON")]))
    # a common word in a transcript is most likely what was said, unless the name is heard beside it
    bound = found(checker, "Our next question comes from Steve Byrne with Acme Bank. Please go ahead.", "asr")["Byrne"]
    assert bound.action == "fix" and "matching Steve" in bound.reasons
    alone = found(checker, "Our next question comes from Byrne with Acme Bank. Please go ahead.", "asr")
    assert "Byrne" not in alone or alone["Byrne"].action != "fix"


def test_the_countries_a_text_writes_about_weigh_between_two_places():
    places = [Entity("Rabat", "GPE"), Entity("Rafaḩ", "GPE", reference=True), Entity("Gaza", "GPE", reference=True)]
    checker = Checker(Settings(default_gazetteers=False), gazetteer=Gazetteer.build(places))
    # beside Gaza, "Rafat" is as likely Rafah (the text does not name it, so it is never the fix)
    near_gaza = found(checker, "Israeli troops kept fighting near Rafat, in the south of the Gaza Strip, on Sunday.")["Rafat"]
    assert near_gaza.new == "Rabat" and near_gaza.action == "suggest"
    assert "ambiguous with Rafaḩ, in Palestinian Territory as the Gaza Strip is" in near_gaza.reasons
    # in a text about Morocco, Rabat is the one meant
    in_morocco = found(checker, "The minister flew to Rafat, the capital of Morocco, on Sunday.")["Rafat"]
    assert in_morocco.new == "Rabat" and not any("ambiguous" in r for r in in_morocco.reasons)


def test_a_persons_one_word_name_after_a_or_an_is_a_thing_not_the_person():
    checker = Checker(Settings(default_gazetteers=False, suggest_threshold=0.1), gazetteer=Gazetteer.build([Entity("George W. Bush", "PERSON")]))
    shrub = found(checker, "George W. Bosh spoke on Monday.\nThe bird hid behind a Bush near the gate.")["Bosh"]
    assert not any("written correctly" in r for r in shrub.reasons)
    person = found(checker, "George W. Bosh spoke on Monday.\nThe Bush team said so.")["Bosh"]
    assert "Bush written correctly at line 2" in person.reasons


def test_a_confidence_is_cut_to_three_digits_not_rounded():
    assert (shown(0.8499), shown(0.85), shown(0.9999), shown(0.1234)) == (0.849, 0.85, 0.999, 0.123)
