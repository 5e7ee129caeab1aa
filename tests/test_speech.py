"""Issue 18: names in speech transcripts, found from the list in runs of words, in any case."""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import run_cli

LIST = "name\ttype\nLaura Gannon\tPERSON\nSteve Lindsey\tPERSON\nAndy\tPERSON\nMaureen\tPERSON\nNextEra Energy Partners\tORG\n"
# a lower-case transcript, as a recogniser without capitals writes it
LOWER = (
    "thank you operator and good morning everyone with me today is laura gagnon our chief financial officer "
    "um and i will start with the results for the quarter and then laura will talk about the outlook for "
    "the year we expect more in the second half and steve lindsey will take your questions after that thank you\n"
)


@pytest.fixture(scope="module")
def speech():
    """A Checker on the list above (one model load for the module)."""
    import tempfile
    from pathlib import Path

    from entityfix import Checker, Settings

    folder = Path(tempfile.mkdtemp())
    (folder / "names.tsv").write_text(LIST, encoding="utf-8")
    return Checker(Settings(default_gazetteers=False, gazetteers=(folder / "names.tsv",)))


def test_a_name_heard_in_lower_case_is_suggested_in_its_listed_case(speech):
    findings = speech.check_until_stable(LOWER)
    assert [(f.old, f.new, f.action) for f in findings] == [("laura gagnon", "Laura Gannon", "suggest")]
    [f] = findings
    assert LOWER[f.start : f.end] == "laura gagnon"
    assert f.reasons[0] == "heard as 'laura gagnon' (0.92)" and "matching laura" in f.reasons


def test_ordinary_words_stay_ordinary(speech):
    # "um and i" is not Andy, "more in" is not Maureen, a listed name heard right is left alone
    touched = {f.old for f in speech.check_until_stable(LOWER)}
    assert not touched & {"um and i", "and i", "more in", "steve lindsey"}


def test_runs_never_cross_punctuation_or_lines():
    from entityfix.matching.spoken import _JOINERS

    assert _JOINERS.fullmatch(" ") and _JOINERS.fullmatch(" - ")
    assert not _JOINERS.fullmatch(". ") and not _JOINERS.fullmatch("\n")


def test_the_run_must_not_hold_the_name_and_more(speech):
    from entityfix.matching.spoken import FormIndex, heard_names

    text = "we met steve lindsey today and the radiometers of nextera energy partners remains strong in the quarter\n"
    assert heard_names(text, FormIndex(speech.gazetteer), []) == []


def test_a_lower_case_transcript_never_loads_spacy(tmp_path):
    (tmp_path / "names.tsv").write_text(LIST, encoding="utf-8")
    (tmp_path / "call.txt").write_text(LOWER, encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from entityfix import Checker, Settings; "
        f"c = Checker(Settings(default_gazetteers=False, gazetteers=(Path({str(tmp_path / 'names.tsv')!r}),))); "
        f"f = c.check_until_stable(open({str(tmp_path / 'call.txt')!r}).read()); "
        "print(len(f), 'spacy' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["1", "False"], out.stderr


def test_cli_auto_channel_reads_a_lower_case_transcript_as_speech(tmp_path):
    (tmp_path / "names.tsv").write_text(LIST, encoding="utf-8")
    call = tmp_path / "call.txt"
    call.write_text(LOWER, encoding="utf-8")
    result = run_cli("check", "--no-default-gazetteers", "-g", str(tmp_path / "names.tsv"), str(call))
    assert result.returncode == 1, result.stderr.decode()
    assert f"{call}:1:63: laura gagnon -> Laura Gannon (PERSON, " in result.stdout.decode()
    fixed = run_cli("fix", "--apply-suggestions", "--no-default-gazetteers", "-g", str(tmp_path / "names.tsv"), str(call))
    assert fixed.returncode == 1
    assert call.read_text(encoding="utf-8") == LOWER.replace("laura gagnon", "Laura Gannon")
