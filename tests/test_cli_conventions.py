"""Command-line conventions users of ruff, codespell and typos expect (issue "Trust", items 15-17)."""

from __future__ import annotations

import json
import re

from conftest import GAZETTEERS, run_cli
from entityfix import __version__

TEXT = "Benny Kantz met Benny Gantz in Rabat.\n"
FIXED = "Benny Gantz met Benny Gantz in Rabat.\n"


def test_version():
    for flag in ("--version", "-V"):
        result = run_cli(flag)
        assert result.returncode == 0 and result.stdout.decode().strip() == f"entityfix {__version__}"


def test_quiet_prints_findings_but_no_summary(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(TEXT)
    loud, quiet = run_cli("check", str(doc)), run_cli("check", "-q", str(doc))
    assert loud.returncode == quiet.returncode == 1
    assert b"1 file checked" in loud.stdout and b"file checked" not in quiet.stdout
    assert b"Kantz -> Gantz" in quiet.stdout
    # three digits: 0.847 is never shown as "0.85" beside a 0.85 fix threshold
    assert re.search(rb"Kantz -> Gantz \(PERSON, \d\.\d{3}\)", quiet.stdout)


def test_exclude_and_max_bytes_on_the_command_line(tmp_path):
    (tmp_path / "keep.txt").write_text(TEXT)
    (tmp_path / "skip.txt").write_text(TEXT)
    result = run_cli("check", "--exclude", "skip.*", str(tmp_path))
    assert b"keep.txt" in result.stdout and b"skip.txt" not in result.stdout
    big = run_cli("check", "--max-bytes", "10", str(tmp_path / "keep.txt"))
    assert big.returncode == 2 and b"over the 10-byte limit (--max-bytes)" in big.stderr
    piped = run_cli("fix", "--max-bytes", "10", "-", stdin=TEXT.encode())
    assert piped.returncode == 2 and b"<stdin>: input is over the 10-byte limit" in piped.stderr
    assert b"Benny" not in piped.stdout  # nothing half-read is passed on


def test_fix_reports_in_any_format_and_from_standard_input(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(TEXT)
    result = run_cli("fix", "-f", "json", str(doc))
    assert result.returncode == 1 and doc.read_text() == FIXED
    report = json.loads(result.stdout)
    assert [(f["old"], f["new"]) for f in report["files"][0]["findings"]] == [("Kantz", "Gantz")]
    piped = run_cli("fix", "-", stdin=TEXT.encode())
    assert piped.stdout.decode() == FIXED and b"1 fix applied" in piped.stderr
    mixed = run_cli("fix", "-f", "json", "-", stdin=TEXT.encode())
    assert mixed.returncode == 2 and b"--format json" in mixed.stderr


def test_a_folder_without_text_files_says_so(tmp_path):
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    result = run_cli("check", str(tmp_path))
    assert result.returncode == 0 and b"no files to check in" in result.stderr


def test_helpful_messages_for_utf16_and_a_misplaced_table_header(tmp_path):
    doc = tmp_path / "u.txt"
    doc.write_bytes(TEXT.encode("utf-16-le"))
    result = run_cli("check", str(doc))
    assert result.returncode == 2 and b"if this is UTF-16 text, use --encoding utf-16-le" in result.stderr
    assert run_cli("check", "--encoding", "utf-16-le", str(doc)).returncode == 1
    (tmp_path / ".entityfix.toml").write_text("[tool.entityfix]\nfix-threshold = 0.9\n")
    result = run_cli("check", "u.txt", cwd=tmp_path)
    assert result.returncode == 2 and b".entityfix.toml:1: a [tool.entityfix] table belongs in pyproject.toml" in result.stderr


def test_help_shows_no_placeholders_for_flags_and_names_pyproject():
    out = run_cli("check", "--help").stdout.decode()
    assert "<bool>" not in out and "pyproject.toml with a [tool.entityfix] table" in " ".join(out.split())


def test_gazetteer_list_shows_what_a_check_would_load(tmp_path):
    own = tmp_path / "own.yaml"
    own.write_text("entities:\n  - name: Benny Gantz\n    type: PERSON\n")
    out = run_cli("gazetteer", "list", "-g", str(own)).stdout.decode()
    assert f"{GAZETTEERS / 'world-places.tsv'}: 31180 entities, reference, shipped" in out
    assert f"{own}: 1 entity, curated, configured" in out
