"""Everyday workflow: parallel jobs, interactive review, output formats."""

from __future__ import annotations

import json
import tomllib

from conftest import SEED_MT, run_cli

MANGLED = "Benny Gantz arrived in Rabat.\nLater Mr. Kantz met Nasser Purida.\nMr. Kantz left.\n"


def test_jobs_give_the_same_output_in_the_same_order(tmp_path):
    for i in range(4):
        (tmp_path / f"doc{i}.txt").write_text(MANGLED if i % 2 else "Nothing to see here.\n")
    (tmp_path / "seed.txt").write_bytes(SEED_MT.read_bytes())
    one = run_cli("check", "--format", "json", str(tmp_path))
    two = run_cli("check", "--format", "json", "--jobs", "2", str(tmp_path))
    assert one.returncode == two.returncode == 1
    assert json.loads(one.stdout) == json.loads(two.stdout)
    assert [f["path"] for f in json.loads(two.stdout)["files"]] == sorted(str(p) for p in tmp_path.iterdir())


def test_interactive_yes_no_all_never_quit(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    # Kantz (y), Purida (n), Kantz again (asked again since only 'y'): v = never change "Kantz"
    result = run_cli("fix", "--interactive", "a.txt", cwd=tmp_path, stdin=b"y\nn\nv\n")
    assert result.returncode == 1, result.stderr.decode()
    assert doc.read_text() == "Benny Gantz arrived in Rabat.\nLater Mr. Gantz met Nasser Purida.\nMr. Kantz left.\n"
    config = tomllib.loads((tmp_path / ".entityfix.toml").read_text())
    assert config["allow"] == ["Kantz"]
    # the allow list now protects the remaining "Kantz"; Purida is asked again: a = all
    again = run_cli("fix", "--interactive", "a.txt", cwd=tmp_path, stdin=b"a\n")
    assert again.returncode == 1
    assert doc.read_text() == "Benny Gantz arrived in Rabat.\nLater Mr. Gantz met Nasser Bourita.\nMr. Kantz left.\n"


def test_interactive_all_applies_later_occurrences_and_eof_quits(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    result = run_cli("fix", "-i", "a.txt", cwd=tmp_path, stdin=b"a\n")  # all Kantz, then EOF = quit
    assert result.returncode == 1
    assert doc.read_text() == "Benny Gantz arrived in Rabat.\nLater Mr. Gantz met Nasser Purida.\nMr. Gantz left.\n"
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.entityfix]\nfix-threshold = 0.85\n')
    run_cli("fix", "-i", "a.txt", cwd=tmp_path, stdin=b"v\n")
    assert tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["entityfix"]["allow"] == ["Purida"]


def test_github_annotations(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    result = run_cli("check", "--format", "github", str(doc))
    lines = result.stdout.decode().splitlines()
    assert lines[0].startswith(f"::warning file={doc},line=2,col=11,endColumn=16,title=entityfix%3A Kantz -> Gantz::Kantz -> Gantz")


def test_sarif_structure(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    data = json.loads(run_cli("check", "--format", "sarif", str(doc)).stdout)
    assert data["version"] == "2.1.0" and data["$schema"].endswith("sarif-2.1.0.json")
    [run] = data["runs"]
    assert run["tool"]["driver"]["name"] == "entityfix"
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    first = run["results"][0]
    assert first["ruleId"] in rule_ids
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (2, 11, 16)
    replacement = first["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"] == "Gantz"


def test_text_output_is_plain_when_not_a_terminal(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    result = run_cli("check", str(doc), env={"NO_COLOR": "", "TERM": "xterm-256color"})
    assert b"\x1b[" not in result.stdout
    assert f"{doc}:2:11: Kantz -> Gantz (PERSON, ".encode() in result.stdout


def test_folder_walk_respects_gitignore_in_a_git_repo(tmp_path):
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / ".gitignore").write_text("build/\nscratch.txt\n")
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.txt").write_text(MANGLED)
    (tmp_path / "scratch.txt").write_text(MANGLED)
    (tmp_path / "kept.md").write_text(MANGLED)
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "new.txt").write_text(MANGLED)  # untracked but not ignored: checked
    result = run_cli("check", "--format", "json", ".", cwd=tmp_path)
    paths = sorted(f["path"] for f in json.loads(result.stdout)["files"])
    assert paths == ["docs/new.txt", "kept.md"]


def test_check_format_diff_matches_fix(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    diff = run_cli("check", "--format", "diff", "a.txt", cwd=tmp_path).stdout.decode()
    assert diff.startswith("--- a/a.txt\n+++ b/a.txt\n")
    removed = [ln for ln in diff.splitlines() if ln.startswith("-") and not ln.startswith("---")]
    added = [ln for ln in diff.splitlines() if ln.startswith("+") and not ln.startswith("+++")]
    assert removed == ["-Later Mr. Kantz met Nasser Purida.", "-Mr. Kantz left."]
    assert added == ["+Later Mr. Gantz met Nasser Bourita.", "+Mr. Gantz left."]
    assert doc.read_text() == MANGLED
    # the diff applies with git and gives what fix writes
    import subprocess

    subprocess.run(["git", "apply", "-"], input=diff.encode(), cwd=tmp_path, check=True)
    assert doc.read_text() == MANGLED.replace("Kantz", "Gantz").replace("Purida", "Bourita")
