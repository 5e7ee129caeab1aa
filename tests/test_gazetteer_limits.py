"""Hostile or broken gazetteers: a name too long, nesting too deep, a list too big.

Each one is a real file on disk given to the real command line, and each must end in one line
naming the file (and the line) and the problem, exit 2, no traceback, and no long wait: the
subprocess timeouts below are generous ceilings for "it answered", not timings (those are in
``bench/validate.py``).
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import run_cli
from entityfix.errors import EntityfixError
from entityfix.gazetteer.schema import MAX_DEPTH, MAX_NAME_CHARS, load_entities
from entityfix.gazetteer.store import Gazetteer, load
from entityfix.gazetteer.schema import Entity

ANSWERS_WITHIN = 60  # seconds; the old code needed 27 s to 10 minutes for these files


def refused(result: subprocess.CompletedProcess, where: str, words: str) -> str:
    """The one-line error the project promises, for a run that must fail."""
    err = result.stderr.decode()
    assert result.returncode == 2, err[-2000:]
    assert "Traceback" not in err, err[-2000:]
    lines = err.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"entityfix: error: {where}: "), lines[0]
    assert words in lines[0], lines[0]
    return lines[0]


def validate(path) -> subprocess.CompletedProcess:
    return run_cli("gazetteer", "validate", str(path))


def check_with(path, tmp_path) -> subprocess.CompletedProcess:
    text = tmp_path / "t.txt"
    text.write_text("Benny Gantz met officials in Rabat.\n", encoding="utf-8")
    return run_cli("check", "--no-default-gazetteers", "-g", str(path), str(text))


def test_a_name_longer_than_the_limit_is_refused_with_file_and_line_in_yaml(tmp_path):
    ok = tmp_path / "ok.yaml"
    ok.write_text("entities:\n  - name: " + "A" * MAX_NAME_CHARS + "\n    type: PERSON\n", encoding="utf-8")
    assert len(load_entities(ok)) == 1  # exactly at the limit is fine
    path = tmp_path / "long.yaml"
    # 33,000 characters overflowed an int16 token length with a traceback
    path.write_text("entities:\n  - name: Rabat\n    type: GPE\n  - name: " + "A" * 33_000 + "\n    type: PERSON\n", encoding="utf-8")
    words = f"name is 33000 characters long, more than the {MAX_NAME_CHARS} allowed"
    refused(validate(path), f"{path}:4", words)
    refused(check_with(path, tmp_path), f"{path}:4", words)


def test_a_long_alias_in_yaml_is_refused_too(tmp_path):
    path = tmp_path / "alias.yaml"
    path.write_text("entities:\n  - name: Rabat\n    type: GPE\n    aliases:\n      - Ribat\n      - " + "b" * 300 + "\n", encoding="utf-8")
    refused(validate(path), f"{path}:6", "alias is 300 characters long")


@pytest.mark.parametrize("suffix, sep", [(".tsv", "\t"), (".csv", ",")])
def test_a_name_longer_than_the_limit_is_refused_with_file_and_line_in_tables(tmp_path, suffix, sep):
    path = tmp_path / f"long{suffix}"
    path.write_text(f"name{sep}type\nRabat{sep}GPE\n{'B' * 33_000}{sep}PERSON\n", encoding="utf-8")
    words = f"name is 33000 characters long, more than the {MAX_NAME_CHARS} allowed"
    refused(validate(path), f"{path}:3", words)
    refused(check_with(path, tmp_path), f"{path}:3", words)
    alias = tmp_path / f"alias{suffix}"
    alias.write_text(f"Rabat{sep}GPE{sep}Ribat|{'c' * 400}\n", encoding="utf-8")
    refused(validate(alias), f"{alias}:1", "alias is 400 characters long")


def test_a_20_mb_name_answers_at_once(tmp_path):
    """The 20 MB name kept ``validate`` busy for a minute and then printed an OverflowError."""
    big = "A" * (20 * 1024 * 1024)
    yaml_path = tmp_path / "huge.yaml"
    yaml_path.write_text(f"entities:\n  - name: {big}\n    type: PERSON\n", encoding="utf-8")
    tsv_path = tmp_path / "huge.tsv"
    tsv_path.write_text(f"Rabat\tGPE\n{big}\tPERSON\n", encoding="utf-8")
    for path, line in ((yaml_path, 2), (tsv_path, 2)):
        result = subprocess.run(["entityfix", "gazetteer", "validate", str(path)], capture_output=True, timeout=ANSWERS_WITHIN)
        refused(result, f"{path}:{line}", "characters long")


def test_a_table_cell_over_the_csv_field_limit_is_one_line_not_a_traceback(tmp_path):
    path = tmp_path / "wide.tsv"
    path.write_text("Rabat\tGPE\nFes\tGPE\t\t" + "|".join(["Fez"] * 60_000) + "\n", encoding="utf-8")
    refused(validate(path), f"{path}:2", "characters")


def test_the_compiled_index_cannot_overflow_on_a_long_token():
    """Entities built in code skip the file checks; a 40,000-letter token must still compile."""
    gaz = Gazetteer.build([Entity("X" * 40_000, "PERSON"), Entity("Rabat", "GPE")])
    assert len(gaz) == 2


def test_deeply_nested_brackets_are_refused_before_parsing_with_the_line(tmp_path):
    """10 KB of brackets took 9 s (40 KB: 39 s) and the error had no line."""
    path = tmp_path / "nested.yaml"
    path.write_text("entities:\n  - name: X\n    type: GPE\n    note: " + "[" * 200_000 + "]" * 200_000 + "\n", encoding="utf-8")
    result = subprocess.run(["entityfix", "gazetteer", "validate", str(path)], capture_output=True, timeout=ANSWERS_WITHIN)
    refused(result, f"{path}:4", f"nested deeper than {MAX_DEPTH} levels")
    refused(check_with(path, tmp_path), f"{path}:4", "nested deeper")


def test_brackets_opened_on_many_lines_are_refused_with_the_line_that_goes_too_deep(tmp_path):
    path = tmp_path / "nested.yaml"
    path.write_text("entities:\n  - name: X\n    type: GPE\n    aliases: [\n" + "".join("      [\n" for _ in range(5000)), encoding="utf-8")
    refused(validate(path), f"{path}:{4 + MAX_DEPTH}", "nested deeper")  # line 4 opens the first


def test_deep_block_nesting_is_refused_with_the_line(tmp_path):
    path = tmp_path / "deep.yaml"
    # the document's keys, the entity, its keys: 3 levels; from line 5 on, each line's mapping is
    # one more and its key (k0, k1, ...) one more again, so line MAX_DEPTH + 2 holds the first too deep
    path.write_text("entities:\n  - name: X\n    type: GPE\n    aliases:\n" + "".join(" " * (i + 6) + f"k{i}:\n" for i in range(3000)), encoding="utf-8")
    refused(validate(path), f"{path}:{MAX_DEPTH + 2}", "nested deeper")


def test_an_entity_with_a_huge_list_is_refused_without_building_it(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text("entities:\n  - name: Rabat\n    type: GPE\n    aliases:\n" + "".join(f"      - R{i}\n" for i in range(30_000)), encoding="utf-8")
    refused(validate(path), f"{path}:2", "more than")


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("description: [a, b]\nentities: []\n", 1, "'description' must be a string"),
        ("entities: []\nentities: []\n", 2, "key 'entities' given twice"),
        ("entities:\n  - name: Rabat\n    type: GPE\n    note: [a]\n", 4, "note must be a string"),
        ("entities: []\n---\nentities: []\n", 2, "more than one YAML document"),
    ],
)
def test_shape_errors_are_reported_where_they_start(tmp_path, text, line, words):
    path = tmp_path / "g.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EntityfixError) as err:
        load([path], use_cache=False)
    assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
    assert words in str(err.value)
