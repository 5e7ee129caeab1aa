"""Issue 2 acceptance on the real seed pair: exact corrections, nothing else touched."""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter

from conftest import SEED_EN, SEED_MT, SEED_MT_FIXES, run_cli


def test_seed_mt_fixes_are_exactly_the_15_corrections(checker):
    text = SEED_MT.read_text(encoding="utf-8")
    findings = checker.check_text(text)
    fixes = Counter((f.old, f.new) for f in findings if f.action == "fix")
    assert fixes == Counter(SEED_MT_FIXES)
    # every finding points at exactly its old token in the text
    for f in findings:
        assert text[f.start : f.end] == f.old
    # "Anthony" changes only inside "Anthony Blingen"
    anthony = [f for f in findings if f.old == "Anthony"]
    assert [text[a.start : a.end + 8] for a in anthony] == ["Anthony Blingen"]


def test_seed_mt_correct_names_stay(checker):
    text = SEED_MT.read_text(encoding="utf-8")
    touched = {text[f.start : f.end] for f in checker.check_text(text)}
    for name in ("Gantz", "Rabat", "Algiers", "Gaza", "Tel", "Aviv", "Algeria", "Morocco", "Israel", "Washington", "Trump"):
        assert name not in touched


def test_seed_en_has_no_findings(checker):
    assert checker.check_text(SEED_EN.read_text(encoding="utf-8")) == []


def _expected_fixed_seed_mt(text: str) -> str:
    """An oracle independent of entityfix: whole-word replacements counted one by one."""
    total = 0
    for (old, new), count in SEED_MT_FIXES.items():
        text, n = re.subn(rf"\b{old}\b", new, text)
        assert n == count, (old, n)
        total += n
    assert total == 15
    return text


def test_fix_changes_only_the_15_tokens_and_is_idempotent(tmp_path):
    target = tmp_path / "article.txt"
    shutil.copyfile(SEED_MT, target)
    original = SEED_MT.read_bytes()
    first = run_cli("fix", str(target))
    assert first.returncode == 1, first.stderr.decode()
    expected = _expected_fixed_seed_mt(original.decode("utf-8")).encode("utf-8")
    assert target.read_bytes() == expected
    second = run_cli("fix", str(target))
    assert second.returncode == 0, second.stderr.decode()
    assert target.read_bytes() == expected


def test_fix_diff_writes_nothing(tmp_path):
    target = tmp_path / "article.txt"
    shutil.copyfile(SEED_MT, target)
    result = run_cli("fix", "--diff", str(target))
    assert result.returncode == 1
    diff = result.stdout.decode()
    assert "-Abdellatif Loudi, Minister" not in diff  # lines are whole, the change is inside one
    assert "+" in diff and "Benny Gantz, Israeli Defense Minister" in diff
    assert target.read_bytes() == SEED_MT.read_bytes()


def test_check_cli_text_output_and_exit_codes():
    found = run_cli("check", str(SEED_MT))
    assert found.returncode == 1
    out = found.stdout.decode()
    assert f"{SEED_MT}:1:112: Kantz -> Gantz (PERSON, " in out
    assert "15 findings (15 fixes, 0 suggestions)" in out
    clean = run_cli("check", str(SEED_EN))
    assert clean.returncode == 0, clean.stdout.decode() + clean.stderr.decode()


def test_check_json_schema_version_1():
    result = run_cli("check", "--format", "json", str(SEED_MT))
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert data["version"] == 1
    [file] = data["files"]
    assert file["path"] == str(SEED_MT)
    text = SEED_MT.read_text(encoding="utf-8")
    keys = {"start", "end", "line", "column", "old", "new", "entity", "type", "confidence", "action", "reasons", "kind"}
    for f in file["findings"]:
        assert set(f) == keys and f["kind"] == "name"  # a key added in issue 15 (consistency groups carry "group" too)
        assert text[f["start"] : f["end"]] == f["old"]
        line_start = text.rfind("\n", 0, f["start"]) + 1
        assert f["line"] == text.count("\n", 0, f["start"]) + 1
        assert f["column"] == f["start"] - line_start + 1
        assert f["action"] in {"fix", "suggest"} and 0 < f["confidence"] <= 1
        assert f["reasons"] and all(isinstance(r, str) for r in f["reasons"])
    kantz = next(f for f in file["findings"] if f["old"] == "Kantz")
    assert (kantz["new"], kantz["entity"], kantz["type"]) == ("Gantz", "Benny Gantz", "PERSON")
    assert any("K/G voicing" in r for r in kantz["reasons"])


def test_learn_from_seed_en_then_check_seed_mt(tmp_path):
    gaz = tmp_path / "learnt.yaml"
    gaz.write_text("entities: []\n", encoding="utf-8")
    learnt = run_cli("learn", str(SEED_EN), "--output", str(gaz))
    assert learnt.returncode == 0, learnt.stderr.decode()
    result = run_cli("check", "--format", "json", "--no-default-gazetteers", "-g", str(gaz), str(SEED_MT))
    findings = json.loads(result.stdout)["files"][0]["findings"]
    fixes = {(f["old"], f["new"]) for f in findings if f["action"] == "fix"}
    for needed in [("Kantz", "Gantz"), ("Loudi", "Loudiyi"), ("Purida", "Bourita"), ("Rafat", "Rabat"), ("Policario", "Polisario")]:
        assert needed in fixes
    assert fixes <= set(SEED_MT_FIXES), fixes - set(SEED_MT_FIXES)  # no wrong fix
    # learning again adds nothing and keeps the file as it was
    before = gaz.read_bytes()
    again = run_cli("learn", str(SEED_EN), "--output", str(gaz))
    assert again.returncode == 0
    assert gaz.read_bytes() == before
