"""``learn`` honours the user's edits: what they deleted or corrected never comes back.

``learn`` records each entry it adds under ``learned:``; on the next run an entry recorded there
that the user deleted, renamed or retyped goes to ``rejected:`` and is never proposed again, and
names the user lists under ``rejected:`` by hand are never proposed either.  Most tests drive
``merge_into`` (the part of ``learn`` after NER) on real files; one runs the real command line.
"""

from __future__ import annotations

import yaml

from conftest import run_cli
from entityfix.errors import EntityfixError
from entityfix.gazetteer.schema import Entity, load_yaml, read_yaml
from entityfix.gazetteer.store import load
from entityfix.learn import merge, merge_into

import pytest

PROPOSED = [Entity("Benny Gantz", "PERSON"), Entity("Kassym-Jomart Tokayev", "ORG"), Entity("Rabat", "GPE")]


def plain(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def names(path) -> list[tuple[str, str]]:
    return [(e.name, e.type) for e in load_yaml(path)]


def rejected(path) -> list[tuple[str, str | None]]:
    return [(r.name, r.type) for r in read_yaml(path).rejected]


def test_learn_records_what_it_adds(tmp_path):
    path = tmp_path / "learnt.yaml"
    assert merge_into(path, PROPOSED) == 3
    data = plain(path)
    assert [(e["name"], e["type"]) for e in data["entities"]] == [(e.name, e.type) for e in PROPOSED]
    assert data["learned"] == [{"name": e.name, "type": e.type} for e in PROPOSED]
    assert not list(tmp_path.glob(".*"))  # written beside its name and renamed: no stray temporary file


def test_an_entry_the_user_deleted_is_rejected_and_never_comes_back(tmp_path):
    path = tmp_path / "learnt.yaml"
    merge_into(path, PROPOSED)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - name: Kassym-Jomart Tokayev\n    type: ORG\n", ""), encoding="utf-8")
    assert merge_into(path, PROPOSED) == 0
    assert names(path) == [("Benny Gantz", "PERSON"), ("Rabat", "GPE")]
    assert rejected(path) == [("Kassym-Jomart Tokayev", "ORG")]
    assert {"name": "Kassym-Jomart Tokayev", "type": "ORG"} not in plain(path)["learned"]
    once = path.read_bytes()
    assert merge_into(path, PROPOSED) == 0
    assert path.read_bytes() == once  # nothing left to record: the file is not touched


def test_a_corrected_type_or_name_stays_and_the_old_form_is_rejected(tmp_path):
    path = tmp_path / "learnt.yaml"
    proposed = [Entity("Benny Ganz", "PERSON"), Entity("Kassym-Jomart Tokayev", "ORG")]
    merge_into(path, proposed)
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - name: Kassym-Jomart Tokayev\n    type: ORG\n", "  - name: Kassym-Jomart Tokayev\n    type: PERSON  # hand fix\n")
    text = text.replace("  - name: Benny Ganz\n", "  - name: Benny Gantz\n")
    path.write_text(text, encoding="utf-8")
    assert merge_into(path, proposed) == 0
    assert names(path) == [("Benny Gantz", "PERSON"), ("Kassym-Jomart Tokayev", "PERSON")]
    assert sorted(rejected(path)) == [("Benny Ganz", "PERSON"), ("Kassym-Jomart Tokayev", "ORG")]
    assert "type: PERSON  # hand fix" in path.read_text(encoding="utf-8")  # the user's text is kept as written


def test_an_entry_kept_as_an_alias_is_not_rejected(tmp_path):
    path = tmp_path / "learnt.yaml"
    merge_into(path, [Entity("Tokayev Kassym-Jomart", "PERSON")])
    text = path.read_text(encoding="utf-8")
    text = text.replace("  - name: Tokayev Kassym-Jomart\n", "  - name: Kassym-Jomart Tokayev\n    aliases: [Tokayev Kassym-Jomart]\n")
    path.write_text(text, encoding="utf-8")
    merge_into(path, [Entity("Tokayev Kassym-Jomart", "PERSON")])
    assert rejected(path) == []
    assert plain(path)["learned"] == [{"name": "Tokayev Kassym-Jomart", "type": "PERSON"}]  # still recorded


def test_names_rejected_by_hand_are_honoured(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        "entities:\n  - name: Benny Gantz\n    type: PERSON\n"
        "rejected:\n  - Reuters            # any type\n  - name: Rabat\n    type: PERSON   # only as a person\n",
        encoding="utf-8",
    )
    proposed = [Entity("Reuters", "ORG"), Entity("Rabat", "PERSON"), Entity("Rabat", "GPE"), Entity("Benny Gantz", "PERSON")]
    assert merge_into(path, proposed) == 1
    assert names(path) == [("Benny Gantz", "PERSON"), ("Rabat", "GPE")]
    assert "  - Reuters            # any type\n" in path.read_text(encoding="utf-8")


def test_a_listed_misspelling_is_never_learnt_as_a_correct_name(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("entities:\n  - name: Rabat\n    type: GPE\n    misspellings: [Ribat]\n", encoding="utf-8")
    before = path.read_bytes()
    assert merge_into(path, [Entity("Ribat", "GPE")]) == 0
    assert path.read_bytes() == before
    load([path], use_cache=False)  # still a gazetteer that check accepts


@pytest.mark.parametrize(
    "section, line, words",
    [
        ("rejected:\n  - name: Reuters\n    typo: ORG\n", 6, "unknown key 'typo'"),
        ("rejected:\n  - name: Reuters\n    type: CITY\n", 6, "unknown type 'CITY'"),
        ("rejected:\n  - 12\n", 5, "must be a string"),
        ("rejected:\n  - type: ORG\n", 5, "has no 'name'"),
        ("rejected: Reuters\n", 4, "'rejected' must be a list"),
        ("rejected:\n  - " + "R" * 300 + "\n", 5, "300 characters long"),
        ("learned:\n  - name: Reuters\n", 5, "has no 'type'"),
    ],
)
def test_the_rejected_and_learned_sections_are_validated(tmp_path, section, line, words):
    path = tmp_path / "g.yaml"
    path.write_text("entities:\n  - name: Rabat\n    type: GPE\n" + section, encoding="utf-8")
    with pytest.raises(EntityfixError) as err:
        load_yaml(path)
    assert str(err.value).startswith(f"{path}:{line}: ") and words in str(err.value), str(err.value)
    result = run_cli("gazetteer", "validate", str(path))
    assert result.returncode == 2 and f"{path}:{line}: " in result.stderr.decode()
    assert "Traceback" not in result.stderr.decode()


def test_a_rejected_name_is_never_matched_or_fixed_towards(tmp_path):
    gaz = tmp_path / "g.yaml"
    gaz.write_text("entities:\n  - name: Rabat\n    type: GPE\nrejected:\n  - name: Benny Gantz\n    type: PERSON\n", encoding="utf-8")
    ok = run_cli("gazetteer", "validate", str(gaz))
    assert ok.returncode == 0 and b"ok: 1 entities" in ok.stdout, ok.stderr.decode()
    text = tmp_path / "t.txt"
    text.write_text("Benny Kantz visited Rabat with Benny Gantz.\n", encoding="utf-8")
    # (the two spellings of one man in one sentence are a consistency note: a note, not a change)
    result = run_cli("check", "--no-default-gazetteers", "--no-consistency", "-g", str(gaz), str(text))
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_learn_on_the_command_line_keeps_a_deletion(tmp_path):
    ref = tmp_path / "ref.txt"
    ref.write_text(
        "Kazakh President Kassym-Jomart Tokayev met Israeli Defence Minister Benny Gantz in Rabat on "
        "Wednesday. Tokayev and Gantz later spoke to reporters from Reuters in Casablanca.\n",
        encoding="utf-8",
    )
    gaz = tmp_path / "learnt.yaml"
    first = run_cli("learn", str(ref), "--output", str(gaz))
    assert first.returncode == 0, first.stderr.decode()
    learned = plain(gaz)["learned"]
    assert len(learned) >= 2 and learned == [{"name": e["name"], "type": e["type"]} for e in plain(gaz)["entities"]]
    dropped = learned[0]
    lines = gaz.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index(f"  - name: {dropped['name']}\n")
    del lines[at : at + 2]  # the user deletes the entry (name and type lines)
    gaz.write_text("".join(lines), encoding="utf-8")
    second = run_cli("learn", str(ref), "--output", str(gaz))
    assert second.returncode == 0, second.stderr.decode()
    assert "1 rejected" in second.stderr.decode()
    assert (dropped["name"], dropped["type"]) not in names(gaz)
    assert rejected(gaz) == [(dropped["name"], dropped["type"])]
    after = gaz.read_bytes()
    third = run_cli("learn", str(ref), "--output", str(gaz))
    assert third.returncode == 0 and gaz.read_bytes() == after
    assert run_cli("gazetteer", "validate", str(gaz)).returncode == 0


def test_a_learned_entry_goes_before_the_comments_after_a_block_scalar(tmp_path):
    path = tmp_path / "names.yaml"
    path.write_text(
        "entities:\n  - name: Benny Gantz\n    type: PERSON\n    note: |\n      Israeli defence minister.\n\n"
        "# people added by hand above\n"
    )
    merge(path, [Entity("Nasser Bourita", "PERSON")])
    text = path.read_text()
    assert text.startswith(
        "entities:\n  - name: Benny Gantz\n    type: PERSON\n    note: |\n      Israeli defence minister.\n"
        "  - name: Nasser Bourita\n    type: PERSON\n\n# people added by hand above\n"
    )
