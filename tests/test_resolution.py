"""Resolver behaviour on small real-looking texts: what changes, what never does."""

from __future__ import annotations

import pytest

from entityfix import Checker, Settings, apply_findings
from entityfix.gazetteer.schema import Entity
from entityfix.gazetteer.store import Gazetteer


def fixed(checker, text: str) -> str:
    return apply_findings(text, checker.check_text(text))


def test_close_gazetteer_names_never_change_each_other(checker):
    text = "Algiers severed ties with Rabat. Algeria and Morocco have been rivals since 1963, and Algiers says so."
    assert checker.check_text(text) == []


def test_only_the_wrong_token_changes(checker):
    text = "Foreign Minister Nasser Purida met Benny Gantz. Later Mr. Kantz said he was pleased."
    assert fixed(checker, text) == "Foreign Minister Nasser Bourita met Benny Gantz. Later Mr. Gantz said he was pleased."


def test_a_lone_real_name_with_nothing_to_bind_it_is_only_a_suggestion(checker):
    # "Kantz" is a real surname too: with nothing in the text tying it to Benny Gantz it may be
    # another person, so it is suggested, never fixed
    text = "Foreign Minister Nasser Purida met Mr. Kantz. Later Kantz said he was pleased."
    assert fixed(checker, text) == "Foreign Minister Nasser Bourita met Mr. Kantz. Later Kantz said he was pleased."
    assert {f.action for f in checker.check_text(text) if f.old == "Kantz"} == {"suggest"}


def test_lone_surname_becomes_surname_not_full_name(checker):
    text = "Benny Gantz landed in Rabat. Kantz then met Moroccan officials."
    out = fixed(checker, text)
    assert out == "Benny Gantz landed in Rabat. Gantz then met Moroccan officials."


def test_case_and_possessive_are_kept(checker):
    text = "BENNY KANTZ VISITS MOROCCO\n\nBenny Gantz arrived on Wednesday. Kantz's visit was short."
    assert fixed(checker, text) == "BENNY GANTZ VISITS MOROCCO\n\nBenny Gantz arrived on Wednesday. Gantz's visit was short."


def test_all_caps_stay_all_caps_when_the_fix_also_repairs_a_glyph():
    from entityfix.gazetteer.schema import Entity
    from entityfix.gazetteer.store import Gazetteer

    gaz = Gazetteer.build([Entity("Winston Churchill", "PERSON")])
    checker = Checker(Settings(default_gazetteers=False), gazetteer=gaz)
    text = "WINSTON CHURCHlLL SPEAKS\n\nWinston Churchlll spoke.\n"
    assert fixed(checker, text) == "WINSTON CHURCHILL SPEAKS\n\nWinston Churchill spoke.\n"


def test_derived_words_and_common_words_are_left_alone(checker):
    text = "Israeli and Moroccan officials met. Must they agree? Normalizing ties is hard, the Israelis said."
    assert checker.check_text(text) == []


def test_never_list_and_listed_misspellings():
    gaz = Gazetteer.build([Entity("Benny Gantz", "PERSON", misspellings=("Beny Ganz",), never=("Kantz",))])
    checker = Checker(Settings(), gazetteer=gaz)
    text = "Beny Ganz spoke. Mr. Kantz, a different man, listened."
    findings = checker.check_text(text)
    assert [(f.old, f.new, f.action) for f in findings] == [("Beny", "Benny", "fix"), ("Ganz", "Gantz", "fix")]


def test_allow_list_protects_a_name():
    checker = Checker(Settings(allow=("Kantz",)))
    assert checker.check_text("Benny Gantz met Mr. Kantz in Rabat.") == []


@pytest.mark.parametrize("threshold, expected", [(0.85, "fix"), (0.999, "suggest")])
def test_thresholds_split_fix_and_suggest(threshold, expected):
    checker = Checker(Settings(fix_threshold=threshold))
    [finding] = checker.check_text("Benny Gantz arrived. Later Mr. Kantz spoke.")
    assert finding.action == expected


def test_suppression_comments(checker):
    text = (
        "Benny Gantz met Mr. Kantz.\n"
        "Mr. Kantz left. <!-- entityfix: ignore -->\n"
        "# entityfix: off\n"
        "Mr. Kantz again.\n"
        "# entityfix: on\n"
        "Mr. Kants at last.\n"
    )
    findings = checker.check_text(text)
    lines = sorted({text.count("\n", 0, f.start) + 1 for f in findings})
    assert lines == [1, 6]


@pytest.fixture(scope="module")
def world_checker():
    gaz = Gazetteer.build(Entity(name, etype, aliases) for name, etype, aliases in [
        ("Bashar al-Assad", "PERSON", ()),
        ("Jean-Pierre Raffarin", "PERSON", ()),
        ("Ursula von der Leyen", "PERSON", ()),
        ("Mohammed bin Salman", "PERSON", ()),
        ("Volodymyr Zelensky", "PERSON", ("Zelenskyy",)),
        ("Kharkiv", "GPE", ()),
        ("Philadelphia", "GPE", ()),
    ])
    return Checker(Settings(), gazetteer=gaz)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("President Bashar al-Asad spoke on Sunday.", "President Bashar al-Assad spoke on Sunday."),
        ("Bashar al-Assad spoke. Al-Asad's government denied it.", "Bashar al-Assad spoke. Al-Assad's government denied it."),
        ("Jean-Pierre Rafarin resigned.", "Jean-Pierre Raffarin resigned."),
        ("Ursula von der Leien arrived in Kharkiv.", "Ursula von der Leyen arrived in Kharkiv."),
        ("Crown Prince Mohammed bin Salmane met Volodimir Zelensky.", "Crown Prince Mohammed bin Salman met Volodymyr Zelensky."),
        ("Volodymyr Zelenskyy visited Karkiv.", "Volodymyr Zelenskyy visited Kharkiv."),
        ("The talks in Filadelphia ended.", "The talks in Philadelphia ended."),
        ("ZELENSKI VISITS KHARKIV\n\nVolodymyr Zelensky arrived.", "ZELENSKY VISITS KHARKIV\n\nVolodymyr Zelensky arrived."),
        ("On Monday President Volodymyr\nZelenskiy met the mayor of Kharkiv.", "On Monday President Volodymyr\nZelensky met the mayor of Kharkiv."),
    ],
)
def test_particles_hyphens_case_and_line_breaks(world_checker, text, expected):
    assert fixed(world_checker, text) == expected


def test_threshold_flags_on_the_command_line(tmp_path):
    from conftest import run_cli

    path = tmp_path / "t.txt"
    path.write_text("Benny Gantz arrived. Later Mr. Kantz spoke.\n")
    strict = run_cli("check", "--fix-threshold", "0.999", "--suggest-threshold", "0.999", "--format", "json", str(path))
    assert strict.returncode == 0
    loose = run_cli("check", "--fix-threshold", "0.6", "--format", "json", str(path))
    assert loose.returncode == 1
    bad = run_cli("check", "--fix-threshold", "0.4", "--suggest-threshold", "0.6", str(path))
    assert bad.returncode == 2 and b"suggest threshold 0.6 is above fix threshold 0.4" in bad.stderr


def test_evidence_weighed_last_only_lowers_confidence():
    # the resolver drops a candidate that cannot reach the caller's floor before weighing these:
    # right only while every one of them counts against (bench/fit_weights.py refits the weights)
    from entityfix.matching.evidence import CHANNELS, weights
    from entityfix.matching.features import LATE

    late = [name for feature in LATE for name in feature.names]
    assert late and all(weights(channel)[name] <= 0 for channel in CHANNELS for name in late)


def test_candidates_skipped_below_the_suggestion_threshold_change_no_finding():
    # with a suggestion threshold of 0 every candidate is scored in full; the findings of 0.5 and
    # more must be exactly those made when candidates that cannot matter at 0.5 are skipped
    from conftest import SEED_MT

    text = SEED_MT.read_text(encoding="utf-8") + (
        "\nMr. Gants and Mr. Kanz met Benjamin Netanyahou in Rabbat. Nasser Bourida, Nasser Burita and "
        "Naser Purida spoke for Marocco; Antony Blinkin and Anthony Blingen for the United Staes.\n"
    )
    gaz = Gazetteer.build([
        Entity("Benny Gantz", "PERSON"), Entity("Benjamin Netanyahu", "PERSON"), Entity("Nasser Bourita", "PERSON"),
        Entity("Antony Blinken", "PERSON"), Entity("Rabat", "GPE"), Entity("Morocco", "GPE"),
        Entity("United States", "GPE"), Entity("Polisario Front", "ORG"), Entity("Sahrawi", "NORP"),
    ])
    full = Checker(Settings(default_gazetteers=False, suggest_threshold=0.0), gazetteer=gaz).check_text(text)
    pruned = Checker(Settings(default_gazetteers=False), gazetteer=gaz).check_text(text)
    as_found = lambda f: (f.start, f.old, f.new, f.confidence, f.action)  # noqa: E731
    assert len(full) > len(pruned) >= 10
    assert [as_found(f) for f in pruned] == [as_found(f) for f in full if f.confidence >= 0.5]
