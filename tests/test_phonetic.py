"""The confusion table names the changes translation, OCR and speech make."""

import pytest

from entityfix.spelling.phonetic import compare, fold, similarity, skeleton


@pytest.mark.parametrize(
    "wrong, right, reason",
    [
        ("Kantz", "Gantz", "K/G voicing"),
        ("Purida", "Bourita", "P/B voicing"),
        ("Policario", "Polisario", "C/S"),
        ("Filip", "Philip", "PH/F"),
        ("Vladimir", "Wladimir", "W/V"),
        ("Loudi", "Loudiyi", "dropped ending"),
        ("Barnard", "Bamard", "OCR rn/m"),
        ("Muller", "Müller", "diacritics"),
        ("Benet", "Bennet", "doubled letter"),
    ],
)
def test_named_confusions(wrong, right, reason):
    match = compare(wrong, right)
    assert reason in match.reasons
    assert match.score >= 0.85


def test_confusions_are_cheaper_than_arbitrary_changes():
    assert compare("Kantz", "Gantz").score > compare("Mantz", "Gantz").score
    assert compare("Rafat", "Rabat").score > compare("Raxat", "Rabat").score


def test_identical_and_unrelated():
    assert compare("Gantz", "GANTZ").score == 1.0
    assert compare("Gaza", "Bourita").score < 0.5


def test_skeleton_and_fold():
    assert skeleton(fold("Purida")) == skeleton(fold("Bourita")) == "prt"
    assert fold("Bourïta-Ba") == "bouritaba"


@pytest.mark.parametrize(
    "a, b, score, reasons",
    [
        # multi-letter rules, swaps, drops and endings together: pinned so a faster DP stays the same DP
        ("schmidt", "shmit", 0.879, ("SCH/SH", "T/D voicing", "dropped ending")),
        ("dzhokhar", "jokar", 0.938, ("DZH/J", "KH/K")),
        ("essxe", "essex", 0.9, ("swapped letters",)),
        ("rnartin", "martin", 0.971, ("OCR rn/m",)),
        ("saharavi", "sahrawi", 0.919, ("vowel dropped", "W/V")),
        ("tchaikovsky", "chaikovskiy", 0.936, ("TCH/CH", "vowel dropped")),
        ("bour1ta", "bourita", 0.957, ("OCR I/1",)),
    ],
)
def test_weighted_similarity_scores_and_reasons(a, b, score, reasons):
    match = similarity(a, b)
    assert round(match.score, 3) == score
    assert match.reasons == reasons
    assert similarity(b, a).score == pytest.approx(match.score)  # the table is symmetric


# ---------------------------------------------------------------- the compiled table

from hypothesis import example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from entityfix.spelling import phonetic  # noqa: E402

# letters the confusion table and its multi-letter rules are made of, a digit for OCR, and
# letters outside the table's alphabet (fold keeps non-Latin letters)
_LETTERS = "abcdefghijklmnopqrstuvwxyz01" + "ssshhhckoouuee" + "жßø"


def test_the_compiled_table_was_built():
    # setup.py builds it optionally; an install that silently fell back to Python is slow, not wrong,
    # but this suite must exercise the C code users get
    assert phonetic._compiled is not None, "entityfix.spelling._align was not compiled (is a C compiler installed?)"
    assert phonetic._align is phonetic._align_compiled


@settings(max_examples=3000, deadline=None)
@given(st.text(_LETTERS, min_size=1, max_size=14), st.text(_LETTERS, min_size=1, max_size=14))
@example("schmidt", "shmit")
@example("dzhokhar", "jokar")
@example("gantt", "gantz")
@example("ouou", "uu")
@example("phph", "ff")
def test_compiled_and_python_tables_agree_exactly(a, b):
    # same cost to the last bit and the same path (hence the same reasons): ties broken alike
    cost, path = phonetic._align_python(a, b)
    compiled_cost, compiled_path = phonetic._align_compiled(a, b)
    assert compiled_cost == cost
    assert list(compiled_path) == path


def test_python_table_gives_the_pinned_results_too(monkeypatch):
    # the fallback where the extension could not be built is the same DP, not a rougher one
    monkeypatch.setattr(phonetic, "_align", phonetic._align_python)
    match = phonetic.similarity.__wrapped__("schmidt", "shmit")
    assert round(match.score, 3) == 0.879
    assert match.reasons == ("SCH/SH", "T/D voicing", "dropped ending")


def test_compiled_table_refuses_costs_of_the_wrong_size():
    with pytest.raises(ValueError, match="length"):
        phonetic._compiled.align("abc", "abd", phonetic._word_costs("ab", True)[3], phonetic._word_costs("abd", False)[3])
