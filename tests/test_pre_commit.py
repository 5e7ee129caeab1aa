"""The real pre-commit, in a real git repo, running this checkout's hooks."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT

MANGLED = "Benny Gantz arrived in Rabat.\nLater Mr. Kantz met Nasser Purida.\n"
FIXED = "Benny Gantz arrived in Rabat.\nLater Mr. Gantz met Nasser Bourita.\n"
CLEAN = "Benny Gantz met Nasser Bourita in Rabat.\n"


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory):
    """A git repo whose .pre-commit-config.yaml points at this checkout (at its HEAD commit)."""
    if shutil.which("pre-commit") is None:
        pytest.fail("pre-commit is not installed (pip install -e '.[test]')")
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    repo = tmp_path_factory.mktemp("repo")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "test@example.invalid")
    git(repo, "config", "user.name", "test")
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n      - id: entityfix\n      - id: entityfix-fix\n"
        "        stages: [manual]\n",
        encoding="utf-8",
    )
    git(repo, "add", ".pre-commit-config.yaml")
    git(repo, "commit", "-q", "-m", "config", "--no-verify")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path_factory.mktemp("pre-commit-home")), NO_COLOR="1")
    installed = subprocess.run(["pre-commit", "install"], cwd=repo, capture_output=True, text=True, env=env)
    assert installed.returncode == 0, installed.stderr
    return repo, env


def test_check_hook_blocks_a_mangled_name_and_passes_clean_text(hook_repo):
    repo, env = hook_repo
    (repo / "article.md").write_text(MANGLED, encoding="utf-8")
    git(repo, "add", "article.md")
    blocked = subprocess.run(["git", "commit", "-m", "add article"], cwd=repo, capture_output=True, text=True, env=env, timeout=1200)
    assert blocked.returncode != 0, blocked.stdout + blocked.stderr
    assert "Kantz -> Gantz" in blocked.stdout + blocked.stderr
    assert (repo / "article.md").read_text(encoding="utf-8") == MANGLED  # the checker never writes
    (repo / "article.md").write_text(CLEAN, encoding="utf-8")
    git(repo, "add", "article.md")
    passed = subprocess.run(["git", "commit", "-m", "add clean article"], cwd=repo, capture_output=True, text=True, env=env, timeout=1200)
    assert passed.returncode == 0, passed.stdout + passed.stderr


def test_fix_hook_fixes_the_file_and_fails_then_passes(hook_repo):
    repo, env = hook_repo
    (repo / "notes.txt").write_text(MANGLED, encoding="utf-8")
    git(repo, "add", "notes.txt")
    run = ["pre-commit", "run", "--hook-stage", "manual", "entityfix-fix", "--files", "notes.txt"]
    first = subprocess.run(run, cwd=repo, capture_output=True, text=True, env=env, timeout=1200)
    assert first.returncode == 1, first.stdout + first.stderr
    assert (repo / "notes.txt").read_text(encoding="utf-8") == FIXED
    second = subprocess.run(run, cwd=repo, capture_output=True, text=True, env=env, timeout=1200)
    assert second.returncode == 0, second.stdout + second.stderr
