"""Property tests: fix touches nothing outside its findings, is idempotent, and never crashes."""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from entityfix import apply_findings
from entityfix.text.document import decode

NAMES = ["Benny Gantz", "Nasser Bourita", "Rabat", "Polisario Front", "Antony Blinken", "Algiers", "Algeria"]
WRONG = ["Benny Kantz", "Mr. Kantz", "Nasser Purida", "Rafat", "Policario Front", "Anthony Blingen", "KANTZ", "Kantz's"]
WORDS = ["the", "minister", "met", "on", "Wednesday", "in", "and", "said", "Must", "Normalizing", "Israeli", "US", ",", ".", "\n", "\r\n", "—", "“", "”"]

pieces = st.lists(st.sampled_from(NAMES + WRONG + WORDS), min_size=1, max_size=40)
SETTINGS = settings(max_examples=int(__import__("os").environ.get("ENTITYFIX_HYPOTHESIS_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@SETTINGS
@given(pieces, st.sampled_from([" ", "  ", "\t", " \n"]))
@example(["Benny Kantz", "Rafat", "Benny Gantz"], "\t")  # a fix that reveals another fix
def test_fix_changes_only_finding_spans_and_is_idempotent(checker, parts, sep):
    text = sep.join(parts)
    findings = checker.check_until_stable(text)
    fixed = apply_findings(text, findings)
    # outside the findings, every character is where it was
    pos_old = pos_new = 0
    for f in sorted((f for f in findings if f.action == "fix"), key=lambda f: f.start):
        assert text[pos_old : f.start] == fixed[pos_new : pos_new + f.start - pos_old]
        pos_new += f.start - pos_old + len(f.new)
        pos_old = f.end
    assert text[pos_old:] == fixed[pos_new:]
    assert apply_findings(fixed, checker.check_until_stable(fixed)) == fixed


unicode_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=300
)


@SETTINGS
@given(unicode_text)
def test_arbitrary_unicode_never_crashes(checker, text):
    findings = checker.check_text(text)
    fixed = apply_findings(text, findings)
    for f in findings:
        assert text[f.start : f.end] == f.old
    assert isinstance(fixed, str)


@SETTINGS
@given(st.lists(st.sampled_from(["Benny Kantz", "\u0645\u0631\u062d\u0628\u0627", "e\u0301", "👩‍👩‍👧", "\u202e", "\x07", "Rafat", " ", "\n"]), max_size=30))
def test_mixed_scripts_and_controls(checker, parts):
    text = "".join(parts)
    apply_findings(text, checker.check_text(text))


@SETTINGS
@given(st.binary(max_size=200))
def test_decoding_arbitrary_bytes_is_lossless_or_refused(data):
    from entityfix.errors import EntityfixError

    try:
        doc = decode(data, "x.txt")
    except EntityfixError as exc:
        assert str(exc).startswith("x.txt: ")
        return
    assert doc.encode(doc.text) == data
