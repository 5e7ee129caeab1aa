"""Each gazetteer file is compiled and cached on its own (a part), and parts are combined at load.

Editing a small user list must not compile the 31,000 shipped places again (issue "Trust" 12):
these tests watch which files get compiled (``store.compiled_parts``) and which cache files get
rewritten (inode and modification time), never how long anything takes (bench/cache.py does that).
"""

from __future__ import annotations

import os

import numpy as np
import pytest

from conftest import GAZETTEERS
from entityfix import cache
from entityfix.errors import EntityfixError
from entityfix.gazetteer import store
from entityfix.gazetteer.schema import check_lists, load_entities
from entityfix.gazetteer.store import Gazetteer, expand, load

TEXT = (
    "Foreign Minister Nasser Purytta spoke on Monday. Purita said the talks went well.\n"
    "Tavira Olmstedt agreed; Olmstett said so too.\n"
)


def _people(path, *names):
    path.write_text("entities:\n" + "".join(f"  - name: {n}\n    type: PERSON\n" for n in names), encoding="utf-8")


def _stamp(path):
    st = path.stat()
    return st.st_ino, st.st_mtime_ns


def _compiles(paths) -> tuple[int, Gazetteer]:
    """How many files ``load`` compiled, and what it loaded."""
    before = store.compiled_parts
    gaz = load(paths)
    return store.compiled_parts - before, gaz


def _parts(paths):
    return [cache.part_path(f, cache.content_digest(f)) for f in expand(paths)]


def test_editing_a_user_list_recompiles_that_list_alone(tmp_path):
    from entityfix import Checker, Settings

    mine = tmp_path / "mine.yaml"
    _people(mine, "Nasser Purytta")
    paths = [GAZETTEERS, mine]
    first = Checker(Settings(gazetteers=(mine,)))  # compiles the shipped lists, unless this session did
    fixes = {(f.old, f.new) for f in first.check_text(TEXT) if f.action == "fix"}
    assert ("Purita", "Purytta") in fixes and not any(old == "Olmstett" for old, _ in fixes)
    shipped = _parts([GAZETTEERS])
    assert all(p.exists() for p in shipped)
    stamps = [_stamp(p) for p in shipped]

    _people(mine, "Nasser Purytta", "Tavira Olmstedt")  # the edit
    compiled, gaz = _compiles(paths)
    assert compiled == 1  # the user's list, not the shipped ones
    assert [_stamp(p) for p in shipped] == stamps  # the shipped parts were read, not written again
    assert [e.name for e in gaz.entities if e.source == str(mine)] == ["Nasser Purytta", "Tavira Olmstedt"]
    fixes = {(f.old, f.new) for f in Checker(Settings(gazetteers=(mine,)), gazetteer=gaz).check_text(TEXT) if f.action == "fix"}
    assert {("Purita", "Purytta"), ("Olmstett", "Olmstedt")} <= fixes

    assert _compiles(paths)[0] == 0  # and the next run reads the combination as it is


def test_a_new_combination_of_lists_compiles_only_the_new_list(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path / "cache"))
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    _people(a, "Benny Gantz")
    _people(b, "Yair Lapid")
    assert _compiles([a])[0] == 1
    compiled, gaz = _compiles([a, b])
    assert compiled == 1
    assert [e.name for e in gaz.entities] == ["Benny Gantz", "Yair Lapid"]
    assert _compiles([b, a])[0] == 0  # the order changes the combination, not the parts
    assert [e.name for e in load([b, a]).entities] == ["Yair Lapid", "Benny Gantz"]


def test_a_list_is_one_part_wherever_it_lies(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "x").mkdir()
    a, moved = tmp_path / "a.yaml", tmp_path / "x" / "a.yaml"
    _people(a, "Benny Gantz")
    _people(moved, "Benny Gantz")
    assert _compiles([a])[0] == 1
    compiled, gaz = _compiles([moved])
    assert compiled == 0
    assert gaz.entities[0].source == str(moved) and gaz.sources == [str(moved)]  # the path of this run


def test_combined_parts_equal_one_compile_of_everything(tmp_path, monkeypatch):
    """Ids moved up, vocabularies merged, token indexes renumbered: the same arrays, string for string."""
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path / "cache"))
    world = tmp_path / "world.tsv"
    world.write_text("#! reference\nname\ttype\taliases\tnever\nMoscow\tGPE\t\tMoscou|Moskau\nRabat\tGPE\t\tRabatt\nGaza\tGPE\tGaza City\t\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text(
        "entities:\n  - name: Moscow\n    type: GPE\n  - name: Benny Gantz\n    type: PERSON\n    misspellings: [Kantz]\n"
        "    never: [Gantzer]\n  - name: Gaza Harbour\n    type: LOC\n",
        encoding="utf-8",
    )
    files = [world, mine, GAZETTEERS / "morocco-israel-2021.yaml"]
    for f in files:
        load([f])  # each compiled and cached alone first
    combined = load(files).a
    whole = Gazetteer.build([e for f in files for e in load_entities(f)], [str(f) for f in files]).a
    assert combined.keys() == whole.keys()
    strings = {name: store.Strings.from_arrays(a, "strings") for name, a in (("combined", combined), ("whole", whole))}
    by_string = {"ent.name", "form.text", "form.tok", *(f"ent.{k}.values" for k in store.LISTS)}
    for key in sorted(combined):
        if key.startswith("strings."):
            continue
        if key in by_string:  # parts keep their own string tables: compare the strings
            assert [strings["combined"][i] for i in combined[key]] == [strings["whole"][i] for i in whole[key]], key
        else:
            assert combined[key].dtype == whole[key].dtype and np.array_equal(combined[key], whole[key]), key


def test_lists_compiled_apart_still_contradict_each_other(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path / "cache"))
    person, org, wrong = tmp_path / "person.yaml", tmp_path / "org.yaml", tmp_path / "wrong.yaml"
    _people(person, "Yair Lapid")
    org.write_text("entities:\n  - name: Yair Lapid\n    type: ORG\n", encoding="utf-8")
    wrong.write_text("entities:\n  - name: Benny Gantz\n    type: PERSON\n    misspellings: [Yair Lapid]\n", encoding="utf-8")
    for f in (person, org, wrong):
        load([f])  # each is fine alone, and cached
    for pair in ([person, org], [person, wrong], [wrong, person]):
        with pytest.raises(EntityfixError) as got:
            load(pair)
        with pytest.raises(EntityfixError) as whole:
            check_lists([e for f in pair for e in load_entities(f)])
        assert str(got.value) == str(whole.value)  # the error reading them together gives


def test_the_parts_in_use_are_never_pruned(tmp_path, monkeypatch):
    """Trying list after list evicts old combinations and parts, never the big list they are loaded with."""
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setitem(cache.FAMILIES, "gazetteer-", 2)
    monkeypatch.setitem(cache.FAMILIES, "part-", 2)
    big = tmp_path / "big.yaml"
    _people(big, "Benny Gantz", "Yair Lapid")
    (part,) = _parts([big])
    mine = tmp_path / "mine.yaml"
    for n in range(6):
        _people(mine, f"Person{n} Example")
        compiled, _ = _compiles([big, mine])
        assert compiled == (2 if n == 0 else 1)
        assert part.exists()
    assert len(list((tmp_path / "cache").glob("part-*.npz"))) <= 3
    assert len(list((tmp_path / "cache").glob("gazetteer-*.npz"))) <= 3


def test_a_damaged_part_is_compiled_again(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path / "cache"))
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    _people(a, "Benny Gantz")
    _people(b, "Yair Lapid")
    load([a])
    (part,) = _parts([a])
    part.write_bytes(b"PK\x03\x04 not really a zip")
    compiled, gaz = _compiles([a, b])
    assert compiled == 2 and [e.name for e in gaz.entities] == ["Benny Gantz", "Yair Lapid"]
    assert cache.read(part) is not None  # written again, whole
    with np.load(part, allow_pickle=False) as data:  # numbers only, like every cache file
        assert all(data[name].dtype != object for name in data.files)
    assert os.path.basename(part).startswith("part-")
