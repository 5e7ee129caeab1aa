"""Gazetteer loading: every broken file is one line with file:line and the problem."""

from __future__ import annotations

import pytest

from conftest import GAZETTEERS, SEED_MT, run_cli
from entityfix.errors import EntityfixError
from entityfix.gazetteer.schema import load_yaml
from entityfix.gazetteer.store import load


def write(tmp_path, text: str):
    path = tmp_path / "g.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("entities:\n  - name: Benny Gantz\n    type: PERSON\n    alias: [Benjamin]\n", 4, "unknown entity key 'alias'"),
        ("entities:\n  - name: Rabat\n    type: CITY\n", 3, "unknown type 'CITY'"),
        ("entities:\n  - name: Rabat\n    type: GPE\n  - name: Rabat\n    type: GPE\n", 4, "duplicate entity"),
        ("entities:\n  - name: Rabat\n    type: GPE\n  - name: Ribat\n    type: GPE\n    aliases: [Rabat]\n", 4, "already a name of 'Rabat'"),
        ("entities:\n  - name: [Rabat\n    type: GPE\n", 3, "YAML syntax error"),
        ("entities:\n  - type: GPE\n", 2, "no 'name'"),
        ("entities:\n  - name: 12\n    type: GPE\n", 2, "name must be a string"),
        ("entities:\n  - name: Rabat\n    type: GPE\n    aliases: Ribat\n", 4, "aliases must be a list"),
        ("colours: [red]\n", 1, "unknown key 'colours'"),
        ("a: &a [x, x]\nb: &b [*a, *a]\nentities: []\n", 1, "anchors and aliases are not allowed"),
        ("entities:\n  - name: Benny Gantz\n    type: PERSON\n    misspellings: [Benny Gantz]\n", 2, "also a correct name"),
    ],
)
def test_broken_gazetteers(tmp_path, text, line, words):
    path = write(tmp_path, text)
    with pytest.raises(EntityfixError) as err:
        load_yaml(path)
    assert err.value.line == line, str(err.value)
    assert words in str(err.value)
    assert str(err.value).startswith(f"{path}:{line}: ")


def test_empty_gazetteer_file(tmp_path):
    with pytest.raises(EntityfixError, match="empty gazetteer"):
        load_yaml(write(tmp_path, ""))


def test_deeply_nested_yaml_is_refused(tmp_path):
    path = write(tmp_path, "entities:\n  - name: X\n    type: GPE\n    note: " + "[" * 50 + "]" * 50 + "\n")
    with pytest.raises(EntityfixError, match="nested deeper"):
        load_yaml(path)


def test_broken_gazetteer_through_cli(tmp_path):
    path = write(tmp_path, "entities:\n  - name: Rabat\n    type: CITY\n")
    result = run_cli("check", "-g", str(path), str(SEED_MT))
    assert result.returncode == 2
    err = result.stderr.decode()
    assert f"{path}:3: unknown type 'CITY'" in err
    assert "Traceback" not in err


def test_shipped_gazetteer_is_valid_and_derives_surnames():
    gaz = load([GAZETTEERS])
    names = {f.text for f in gaz.forms}
    assert {"Benny Gantz", "Gantz", "Bourita", "El Farouk", "Farouk"} <= names
    assert "VI" not in names  # "Mohammed VI" has no surname
    assert run_cli("gazetteer", "validate", str(GAZETTEERS)).returncode == 0


def test_tsv_gazetteer(tmp_path):
    path = tmp_path / "people.tsv"
    path.write_text("name\ttype\taliases\nBenny Gantz\tPERSON\tBenjamin Gantz|Benny\nRabat\tCITY\t\n", encoding="utf-8")
    with pytest.raises(EntityfixError, match=r"people.tsv:3: unknown type 'CITY'"):
        load([path])


def test_huge_gazetteer_is_refused_before_parsing(tmp_path, monkeypatch):
    import entityfix.gazetteer.schema as gazetteer_module

    path = write(tmp_path, "entities:\n" + "  - name: Rabat\n    type: GPE\n" * 50)
    monkeypatch.setattr(gazetteer_module, "MAX_GAZETTEER_BYTES", 100)
    with pytest.raises(EntityfixError, match=r"g.yaml: gazetteer is \d+ bytes, more than the 100 allowed"):
        load_yaml(path)


def test_validate_finds_conflicts_across_files(tmp_path):
    a = tmp_path / "a.yaml"
    a.write_text("entities:\n  - name: Georgia\n    type: GPE\n    aliases: [Sakartvelo]\n")
    b = tmp_path / "b.yaml"
    b.write_text("entities:\n  - name: Republic of Georgia\n    type: GPE\n    aliases: [Georgia]\n")
    result = run_cli("gazetteer", "validate", str(a), str(b))
    assert result.returncode == 2
    err = result.stderr.decode().strip()
    assert f"{b}:2: 'Georgia' names both 'Georgia' ({a}:2) and 'Republic of Georgia'" in err
    c = tmp_path / "c.yaml"
    c.write_text("entities:\n  - name: Tbilisi\n    type: GPE\n")
    ok = run_cli("gazetteer", "validate", str(a), str(c))
    assert ok.returncode == 0 and b"ok: 2 entities in 2 file(s)" in ok.stdout


GANTZ = "entities:\n  - name: Benny Gantz\n    type: PERSON\n"


@pytest.mark.parametrize(
    "other, line, words",
    [
        # a listed misspelling that is a correct name elsewhere would rewrite every correct mention
        ("entities:\n  - name: Benny Ganz\n    type: PERSON\n    misspellings: [Benny Gantz]\n", 2,
         "misspelling 'Benny Gantz' of 'Benny Ganz' is a correct name of 'Benny Gantz'"),
        ("entities:\n  - name: Jane Kantz\n    type: PERSON\n    misspellings: [Gantz]\n", 2,
         "misspelling 'Gantz' of 'Jane Kantz' is a correct name of 'Benny Gantz'"),
        ("entities:\n  - name: Benny Gantz\n    type: ORG\n", 2, "'Benny Gantz' is listed for two entities of different types"),
        ("entities:\n  - name: Rabat\n    type: GPE\n    never: [RABAT]\n", 2, "never-change spelling 'RABAT' is a name of 'Rabat' itself"),
    ],
)
def test_lists_that_contradict_each_other_are_refused_at_load_and_by_validate(tmp_path, other, line, words):
    first = tmp_path / "a.yaml"
    first.write_text(GANTZ)
    second = tmp_path / "b.yaml"
    second.write_text(other)
    with pytest.raises(EntityfixError) as err:
        load([first, second], use_cache=False)
    assert str(err.value).startswith(f"{second}:{line}: {words}")
    result = run_cli("gazetteer", "validate", str(first), str(second))
    assert result.returncode == 2 and f"{second}:{line}:" in result.stderr.decode()
    doc = tmp_path / "t.txt"
    doc.write_text("Benny Gantz spoke.\n")
    checked = run_cli("check", "--no-default-gazetteers", "-g", str(first), "-g", str(second), str(doc))
    assert checked.returncode == 2 and checked.stderr.decode().count("\n") == 1


def test_a_reference_list_may_share_a_name_with_a_curated_one_of_another_type(tmp_path):
    curated = tmp_path / "people.yaml"
    curated.write_text("entities:\n  - name: Georgia\n    type: PERSON\n")
    reference = tmp_path / "places.tsv"
    reference.write_text("#! reference\nGeorgia\tGPE\n")
    assert len(load([curated, reference], use_cache=False)) == 2


@pytest.mark.parametrize("labels, ok", [('["PERSON", "GPE"]', True), ('["PERSON", "BOGUS"]', False)])
def test_an_unknown_label_in_the_config_is_refused_with_file_and_line(tmp_path, labels, ok):
    config = tmp_path / ".entityfix.toml"
    config.write_text(f"fix-threshold = 0.9\nlabels = {labels}\n")
    (tmp_path / "a.txt").write_text("Nothing here.\n")
    result = run_cli("check", "a.txt", cwd=tmp_path)
    if ok:
        assert result.returncode == 0
    else:
        assert result.returncode == 2
        assert f"{config}:2: key 'labels': unknown entity label 'BOGUS'" in result.stderr.decode()


def test_a_reference_lists_alternate_names_do_not_shield_a_word_from_the_users_own_entry(tmp_path):
    from entityfix import Checker, Settings

    world = tmp_path / "world.tsv"
    world.write_text("#! reference\nname\ttype\taliases\tnever\nMoscow\tGPE\t\tMoscou|Moskau|Moskow\nMoskovo\tGPE\t\tMoscov\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text("entities:\n  - name: Moscow\n    type: GPE\n")
    text = "Officials in Moscou said the talks would go on.\nLater, Moskow confirmed it.\n"
    # the reference list alone: its alternate names are names that exist, never changed
    alone = Checker(Settings(default_gazetteers=False, gazetteers=(world,), suggest_threshold=0.01))
    assert alone.check_text(text) == []
    # with the user's own Moscow, they are other spellings of it, weighed like any other
    both = Checker(Settings(default_gazetteers=False, gazetteers=(world, mine)))
    fixes = {f.old: f.new for f in both.check_text(text) if f.action == "fix"}
    assert fixes == {"Moscou": "Moscow", "Moskow": "Moscow"}
    # and an alternate name of another place still protects the word from the user's entry
    assert not [f for f in both.check_text("Officials in Moscov said so. Moscow agreed.") if f.old == "Moscov"]
