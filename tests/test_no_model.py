"""With no spaCy model importable, entityfix warns once and keeps working (rule-based mentions)."""

from __future__ import annotations

import subprocess
import sys
import warnings
from collections import Counter

from conftest import SEED_EN, SEED_MT, SEED_MT_FIXES

import entityfix.text.extract as extract
from entityfix import Checker, Settings


def test_checker_falls_back_and_warns(monkeypatch):
    monkeypatch.setattr(extract, "MODEL_PREFERENCE", ("no_such_spacy_model_installed",))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        checker = Checker(Settings())
        assert checker.extractor.fallback  # the pipeline is loaded on first need
    assert [w.category for w in caught] == [extract.NoModelWarning]
    fixes = Counter((f.old, f.new) for f in checker.check_text(SEED_MT.read_text()) if f.action == "fix")
    assert fixes and set(fixes) <= set(SEED_MT_FIXES)  # no wrong fix
    assert checker.check_text(SEED_EN.read_text()) == []


def test_cli_warns_one_line_and_exits_normally():
    code = (
        "import entityfix.text.extract as e; e.MODEL_PREFERENCE = ('no_such_spacy_model_installed',); "
        "from entityfix.cli import main; main()"
    )
    result = subprocess.run([sys.executable, "-c", code, "check", str(SEED_MT)], capture_output=True, timeout=300)
    assert result.returncode == 1
    warning_lines = [ln for ln in result.stderr.decode().splitlines() if "warning" in ln]
    assert len(warning_lines) == 1 and "no spaCy model" in warning_lines[0]
    assert b"Policario -> Polisario" in result.stdout


def test_named_model_that_is_missing_is_an_error(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "entityfix.cli", "check", "--model", "xx_no_such_model", str(SEED_MT)],
        capture_output=True, timeout=300,
    )
    assert result.returncode == 2
    assert b"cannot load spaCy pipeline 'xx_no_such_model'" in result.stderr


def test_a_text_nothing_could_change_is_decided_without_spacy(tmp_path):
    # no capitalised word near any listed name: no finding is possible, so spaCy is never imported
    code = (
        "import sys; from entityfix import Checker, Settings; c = Checker(Settings()); "
        "print(c.check_text('The quick brown fox jumps over the lazy dog. It was a sunny day.'), 'spacy' in sys.modules); "
        "print(len(c.check_text(open(sys.argv[1]).read())), 'spacy' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code, str(SEED_MT)], capture_output=True, timeout=300, text=True)
    assert result.stdout.split("\n")[:2] == ["[] False", "15 True"], result.stderr


def test_a_missing_model_is_an_error_even_for_a_text_with_nothing_to_check(tmp_path):
    plain = tmp_path / "plain.txt"
    plain.write_text("The quick brown fox jumps over the lazy dog.\n")
    result = subprocess.run(
        [sys.executable, "-m", "entityfix.cli", "check", "--model", "xx_no_such_model", str(plain)],
        capture_output=True, timeout=300,
    )
    assert result.returncode == 2 and b"cannot load spaCy pipeline 'xx_no_such_model'" in result.stderr
