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
    assert checker.extractor.fallback
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
