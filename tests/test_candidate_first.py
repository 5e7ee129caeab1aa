"""Candidate-first (matching/screen.py): NER reads only the paragraphs a finding may depend on, and
the findings are those of reading every paragraph."""

from __future__ import annotations

from dataclasses import replace

import pytest
from conftest import SEED_EN, SEED_MT, SEED_MT_FIXES

import entityfix.text.extract as extract
from entityfix import Checker, Settings
from entityfix.gazetteer.schema import Entity
from entityfix.gazetteer.store import Gazetteer

# paragraphs with capitalised words, places and people that no list makes a candidate of anything
QUIET = [
    "The committee met on Monday in London and adjourned until Thursday without a vote.",
    "Shares in Paris and Frankfurt closed higher after the central bank left rates unchanged.",
    "Mary Smith, a teacher from Leeds, said the new timetable would start in September.",
    "The match in Manchester ended in a draw after heavy rain in the second half.",
]


def _read(checker: Checker, text: str) -> list[str]:
    """The paragraphs NER reads when ``checker`` checks ``text``."""
    pieces: list[str] = []
    real = extract.Extractor.mentions

    def spy(self, prose, units=None):
        pieces.extend(prose[a:b] for a, b in (units if units is not None else extract.ner_units(prose)))
        return real(self, prose, units)

    extract.Extractor.mentions = spy
    try:
        findings = checker.check_until_stable(text)
    finally:
        extract.Extractor.mentions = real
    checker.last_findings = findings
    return pieces


@pytest.fixture(scope="module")
def pair(checker):
    """The session's checker (candidate-first, the default) and one reading everything, sharing NER."""
    everything = Checker(replace(checker.settings, candidate_first=False), checker.gazetteer)
    everything._extractor = checker.extractor
    return checker, everything


def test_the_seeds_give_the_same_findings_reading_every_paragraph_or_few(pair):
    first, everything = pair
    for seed in (SEED_MT, SEED_EN):
        text = seed.read_text(encoding="utf-8")
        assert first.check_until_stable(text) == everything.check_until_stable(text)
    found = first.check_until_stable(SEED_MT.read_text(encoding="utf-8"))
    fixes = {}
    for f in found:
        if f.action == "fix":
            fixes[(f.old, f.new)] = fixes.get((f.old, f.new), 0) + 1
    assert fixes == SEED_MT_FIXES


def test_paragraphs_with_nothing_to_change_are_never_read(pair):
    first, everything = pair
    story = SEED_MT.read_text(encoding="utf-8")
    text = "\n\n".join(QUIET * 5) + "\n\n" + story + "\n\n" + "\n\n".join(QUIET * 5) + "\n"
    read = _read(first, text)
    assert not any(q in piece for piece in read for q in QUIET), "a quiet paragraph was read by NER"
    assert first.last_findings == everything.check_until_stable(text)
    shifted = len("\n\n".join(QUIET * 5) + "\n\n")
    assert {(f.old, f.new) for f in first.last_findings if f.action == "fix"} == set(SEED_MT_FIXES)
    assert all(f.start >= shifted for f in first.last_findings)


def test_a_text_of_quiet_paragraphs_is_not_read_at_all(pair):
    first, _ = pair
    assert _read(first, "\n\n".join(QUIET) + "\n") == []
    assert first.last_findings == []


def _own(*names: tuple[str, str]) -> Gazetteer:
    return Gazetteer.build([Entity(name, kind) for name, kind in names])


def _on_and_off(session: Checker, gazetteer: Gazetteer | None = None, **settings) -> tuple[Checker, Checker]:
    """Two checkers with only these lists (none: no list at all), candidate-first and reading
    everything, both with the session's spaCy pipeline."""
    on = Checker(Settings(default_gazetteers=False, **settings), gazetteer)
    off = Checker(Settings(default_gazetteers=False, candidate_first=False, **settings), on.gazetteer)
    on._extractor = off._extractor = session.extractor
    return on, off


def test_a_name_with_small_words_inside_is_found_although_the_runs_stop_at_them(checker):
    # the capitalised runs are "The Natjonal Bank" and "Romania": only the runs joined across "of"
    # hold the whole listed name, which NER's mention holds
    gaz = _own(("National Bank of Romania", "ORG"), ("Bucharest", "GPE"))
    text = "Officials in Bucharest met on Monday.\n\nThe Natjonal Bank of Romania cut its key rate.\n"
    on, off = _on_and_off(checker, gaz)
    found = on.check_until_stable(text)
    assert found == off.check_until_stable(text)
    assert [(f.old, f.new, f.action) for f in found] == [("Natjonal", "National", "fix")]


def test_the_paragraph_that_writes_the_name_correctly_is_read_for_its_evidence(checker):
    # "Kantz" alone is only a suggestion; "Benny Gantz" written two paragraphs away makes it a fix,
    # so that paragraph (which holds no candidate itself) must be read too (one name spelt two ways
    # would have it read anyway: that report is off here)
    gaz = _own(("Benny Gantz", "PERSON"))
    text = (
        "Benny Gantz arrived in the capital on Monday.\n\n"
        + "\n\n".join(QUIET) + "\n\n"
        + "Later, Kantz told reporters the talks had gone well.\n"
    )
    on, off = _on_and_off(checker, gaz, consistency="off")
    read = _read(on, text)
    assert any("Benny Gantz arrived" in piece for piece in read)
    assert not any(q in piece for piece in read for q in QUIET)
    assert on.last_findings == off.check_until_stable(text)
    assert [(f.old, f.new) for f in on.last_findings if f.action == "fix"] == [("Kantz", "Gantz")]


def test_one_name_spelt_two_ways_with_no_list_reads_both_paragraphs(checker):
    text = "Mr. Kowalczyk spoke first.\n\n" + "\n\n".join(QUIET) + "\n\nThen Mr. Kowalczik replied.\n"
    on, off = _on_and_off(checker)
    read = _read(on, text)
    assert any("Kowalczyk" in piece for piece in read) and any("Kowalczik" in piece for piece in read)
    assert not any(q in piece for piece in read for q in QUIET)
    assert on.last_findings == off.check_until_stable(text)
    assert {f.old for f in on.last_findings if f.kind == "consistency"} == {"Kowalczyk", "Kowalczik"}


def test_a_name_ner_reads_out_of_a_longer_run_is_scored_as_that_part(pair):
    # the run is "ATLANTA AT CHICAOG"; scored whole, "AT" beside the place rules Chicago out, but NER
    # reads "CHICAOG" alone, and with CHICAGO written above that is a fix
    first, everything = pair
    text = "EASTERN DIVISION\n\nBOSTON 70 62 .530 -\n\nCHICAGO 66 67 .496 5 1/2\n\nSATURDAY'S GAMES\n\nATLANTA AT CHICAOG\n\nDENVER AT PHOENIX\n"
    found = first.check_until_stable(text)
    assert found == everything.check_until_stable(text)
    assert ("CHICAOG", "CHICAGO", "fix") in [(f.old, f.new, f.action) for f in found]


def test_a_spelling_that_joins_a_name_through_a_fix_has_its_paragraph_read(pair):
    # "Chona" is fixed to China, and "Khina" is one place with China (not with "Chine"): the group
    # counts the fixed occurrence under its new spelling, so Khina's paragraph must be read
    first, everything = pair
    text = (
        "China said on Monday it feared dissidents.\n\nThe arrest showed Chine's resolve to crush dissent.\n\n"
        "The rains came early this year.\n\nOne day Khina would pay a high price, he said.\n\n"
        "He spent two years in prison in Chona before his release.\n"
    )
    found = first.check_until_stable(text)
    assert found == everything.check_until_stable(text)
    assert [(f.old, f.action) for f in found] == [("Chine", "note"), ("Khina", "note"), ("Chona", "fix")]
