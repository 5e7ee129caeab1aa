"""Configuration: found by walking up, overridden by flags, validated with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import run_cli
from entityfix.cli.config import load_settings
from entityfix.settings import Settings
from entityfix.errors import EntityfixError

MANGLED = "Benny Gantz arrived.\nLater Mr. Kantz spoke.\n"


def test_pyproject_table_found_from_a_subfolder(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.entityfix]\nfix-threshold = 0.95\nallow = ["Kantz"]\n')
    sub = tmp_path / "docs" / "deep"
    sub.mkdir(parents=True)
    settings = load_settings(sub)
    assert settings.fix_threshold == 0.95
    assert settings.allow == ("Kantz",)
    assert settings.origins["fix_threshold"] == str(tmp_path / "pyproject.toml")


def test_entityfix_toml_wins_over_pyproject_in_the_same_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.entityfix]\nfix-threshold = 0.95\n")
    (tmp_path / ".entityfix.toml").write_text("fix-threshold = 0.9\n")
    assert load_settings(tmp_path).fix_threshold == 0.9


def test_no_config_gives_defaults(tmp_path):
    assert load_settings(tmp_path) == Settings()


@pytest.mark.parametrize(
    "text, words",
    [
        ("fix-treshold = 0.9\n", "unknown key 'fix-treshold'"),
        ('fix-threshold = "high"\n', "key 'fix-threshold' must be a number between 0 and 1"),
        ("fix-threshold = 1.5\n", "key 'fix-threshold' must be a number between 0 and 1"),
        ('allow = "Kantz"\n', "key 'allow' must be a list of strings"),
        ("gazetteers = [1]\n", "key 'gazetteers' must be a list of strings"),
        ("fix-threshold = \n", "TOML syntax error"),
        ("fix-threshold = 0.5\nsuggest-threshold = 0.7\n", "suggest threshold 0.7 is above fix threshold 0.5"),
    ],
)
def test_broken_config_is_one_line_exit_2(tmp_path, text, words):
    config = tmp_path / ".entityfix.toml"
    config.write_text(text)
    with pytest.raises(EntityfixError) as err:
        load_settings(tmp_path)
    assert words in str(err.value) and str(config) in str(err.value)
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    result = run_cli("check", "a.txt", cwd=tmp_path)
    assert result.returncode == 2
    err_lines = result.stderr.decode().strip().splitlines()
    assert len(err_lines) == 1 and words in err_lines[0] and "Traceback" not in err_lines[0]


def test_config_applies_and_flags_override(tmp_path):
    (tmp_path / ".entityfix.toml").write_text('allow = ["Kantz"]\nfix-threshold = 0.99\nsuggest-threshold = 0.98\n')
    (tmp_path / "a.txt").write_text(MANGLED)
    assert run_cli("check", "a.txt", cwd=tmp_path).returncode == 0  # allow list protects Kantz
    (tmp_path / ".entityfix.toml").write_text("fix-threshold = 0.9999\nsuggest-threshold = 0.9999\n")
    assert run_cli("check", "a.txt", cwd=tmp_path).returncode == 0  # too strict to report
    loose = run_cli("check", "--fix-threshold", "0.85", "--suggest-threshold", "0.5", "a.txt", cwd=tmp_path)
    assert loose.returncode == 1 and b"Kantz -> Gantz" in loose.stdout


def test_config_gazetteers_relative_to_the_config_file(tmp_path):
    (tmp_path / "names.yaml").write_text("entities:\n  - name: Zbigniew Brzezinski\n    type: PERSON\n")
    (tmp_path / ".entityfix.toml").write_text('gazetteers = ["names.yaml"]\ndefault-gazetteers = false\n')
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "a.txt").write_text("Zbigniew Brzezinski wrote it. Brzezinsky agreed.\n")
    result = run_cli("fix", "a.txt", cwd=sub)
    assert result.returncode == 1, result.stderr.decode()
    assert (sub / "a.txt").read_text() == "Zbigniew Brzezinski wrote it. Brzezinski agreed.\n"


def test_config_command_shows_values_and_origins(tmp_path):
    (tmp_path / ".entityfix.toml").write_text("fix-threshold = 0.9\n")
    result = run_cli("config", cwd=tmp_path)
    assert result.returncode == 0
    out = result.stdout.decode()
    assert f"fix-threshold = 0.9  # {tmp_path / '.entityfix.toml'}" in out
    assert "suggest-threshold = 0.5  # default" in out


def test_config_prints_toml_that_can_be_pasted_back(tmp_path):
    import tomllib

    (tmp_path / ".entityfix.toml").write_text('fix-threshold = 0.9\nallow = ["Kantz"]\nchannel = "ocr"\n')
    out = run_cli("config", cwd=tmp_path).stdout.decode()
    pasted = tmp_path / "pasted"
    pasted.mkdir()
    (pasted / ".entityfix.toml").write_text(out)
    assert tomllib.loads(out)["allow"] == ["Kantz"]
    assert load_settings(pasted) == load_settings(tmp_path)
