"""Gazetteers that scale: importers, the shipped world-places list, the compiled on-disk cache."""

from __future__ import annotations

import os

import numpy as np
import pytest

from conftest import GAZETTEERS, SEED_EN, SEED_MT, SEED_MT_FIXES, run_cli
from entityfix import Checker, Settings, cache
from entityfix.errors import EntityfixError
from entityfix.gazetteer.schema import Entity, load_table
from entityfix.gazetteer.importers import Merger, build, from_geonames
from entityfix.gazetteer.store import Gazetteer, load

WORLD = GAZETTEERS / "world-places.tsv"


def test_pycountry_import_keeps_common_and_official_names(tmp_path):
    out = tmp_path / "countries.tsv"
    result = run_cli("gazetteer", "import", "pycountry", "-o", str(out))
    assert result.returncode == 0, result.stderr
    by_name = {e.name: e for e in load_table(out)}
    assert by_name["Morocco"].aliases == ("Kingdom of Morocco",)
    assert by_name["South Korea"].type == "GPE"
    assert "United States of America" in by_name["United States"].aliases
    assert all(e.reference for e in by_name.values())  # an import is a reference list


def test_geonames_import_merges_same_spellings_and_keeps_exonyms_out_of_fixes():
    merger = Merger()
    from_geonames(merger, min_population=15000)
    entities = {e.name: e for e in merger.entities()}
    london = entities["London"]
    assert "Londres" in london.never and "Londres" not in london.aliases
    assert sum(1 for e in merger.entities() if e.name == "San Jose") == 1  # a dozen cities, one spelling
    assert all(all("LATIN" in __import__("unicodedata").name(ch) for ch in n if ch.isalpha()) for e in entities.values() for n in e.never)


def test_table_import_with_header_and_default_type(tmp_path):
    src = tmp_path / "people.csv"
    src.write_text("aliases,name\nBenjamin Gantz,Benny Gantz\n,Nasser Bourita\n", encoding="utf-8")
    out = tmp_path / "people.tsv"
    result = run_cli("gazetteer", "import", str(src), "--type", "person", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert [(e.name, e.type, e.aliases) for e in load_table(out)] == [
        ("Benny Gantz", "PERSON", ("Benjamin Gantz",)), ("Nasser Bourita", "PERSON", ()),
    ]
    # a user's own list is about their texts: curated (fixed towards), unless --reference is asked
    assert not any(e.reference for e in load_table(out))
    header = out.read_text(encoding="utf-8").splitlines()[0]
    assert "min-population" not in header and "--type person" in header
    assert b"2 entities (curated)" in result.stderr
    result = run_cli("gazetteer", "import", str(src), "--type", "person", "--reference", "-o", str(out))
    assert result.returncode == 0 and all(e.reference for e in load_table(out))


@pytest.mark.parametrize(
    "content, message",
    [
        ("name\nBenny Gantz\n", "people.csv:1: no 'type' column"),
        ("name,type\nBenny Gantz,HERO\n", "people.csv:2: unknown type 'HERO'"),
        ("who,type\nBenny Gantz,PERSON\n", "people.csv:1: first row must name the columns"),
    ],
)
def test_table_import_errors_name_file_and_line(tmp_path, content, message):
    src = tmp_path / "people.csv"
    src.write_text(content, encoding="utf-8")
    out = tmp_path / "out.tsv"
    result = run_cli("gazetteer", "import", str(src), "-o", str(out))
    assert result.returncode == 2
    assert message in result.stderr.decode()
    assert not out.exists()


def test_import_of_unknown_source_is_one_line_error(tmp_path):
    result = run_cli("gazetteer", "import", "nowhere.tsv", "-o", str(tmp_path / "o.tsv"))
    assert result.returncode == 2
    assert result.stderr.decode().strip().splitlines() == ["entityfix: error: nowhere.tsv: not a file, nor one of: pycountry, geonames"]


def test_shipped_world_places_is_what_the_importer_builds(tmp_path):
    out = tmp_path / "world.tsv"
    assert run_cli("gazetteer", "import", "pycountry", "geonames", "-o", str(out)).returncode == 0
    assert out.read_bytes() == WORLD.read_bytes()


def test_world_places_is_loaded_by_default_and_changes_nothing_on_the_seeds(checker):
    assert str(WORLD) in checker.gazetteer.sources
    assert len(checker.gazetteer) > 30000
    assert checker.check_text(SEED_EN.read_text(encoding="utf-8")) == []
    findings = checker.check_text(SEED_MT.read_text(encoding="utf-8"))
    got: dict[tuple[str, str], int] = {}
    for f in findings:
        assert f.action == "fix"
        got[(f.old, f.new)] = got.get((f.old, f.new), 0) + 1
    assert got == SEED_MT_FIXES  # "Loudi" is a Chinese city, and still fixed in "Abdellatif Loudi"


def test_a_reference_entry_needs_the_documents_support():
    gaz = Gazetteer.build([Entity("Curitiba", "GPE", reference=True)])
    checker = Checker(Settings(default_gazetteers=False), gazetteer=gaz)
    alone = "Coritiba beat Santos 2-1 on Sunday."
    assert checker.check_text(alone) == []
    supported = "Curitiba is in Brazil. Flights to Curitiba and from Curitbia were cancelled."
    assert [(f.old, f.new, f.action) for f in checker.check_text(supported)] == [("Curitbia", "Curitiba", "fix")]


def test_a_curated_name_is_found_however_many_reference_names_sound_the_same():
    # 62 reference places that all sound like the curated surname "Purytta" (B/P, OU/U, doubled
    # letters, I/Y, D/T) and all sort before it: none is named in the text, so none may crowd the
    # curated name out of a lookup's best few (they did, when reference tokens were indexed too)
    from itertools import product

    spellings = {a + b + c + d + e + "a" for a, b, c, d, e in product("BP", ("ou", "u"), ("r", "rr"), "iy", ("t", "d", "tt", "dd"))}
    places = [Entity(s, "GPE", reference=True) for s in sorted(spellings - {"Purytta", "Burita"})]
    gaz = Gazetteer.build([Entity("Nasser Purytta", "PERSON"), *places])
    assert gaz.index.candidates("burita") == [gaz.vocab_id("purytta")]  # reference tokens are not indexed
    checker = Checker(Settings(default_gazetteers=False), gazetteer=gaz)
    text = "Foreign Minister Nasser Purytta spoke on Monday. Burita said the talks went well.\n"
    assert [(f.old, f.new, f.action) for f in checker.check_text(text)] == [("Burita", "Purytta", "fix")]


def test_reference_list_never_fixes_a_demonym_towards_a_place():
    gaz = Gazetteer.build([Entity("Mauritania", "GPE", reference=True)])
    checker = Checker(Settings(default_gazetteers=False), gazetteer=gaz)
    text = "Mauritania lost at home. The Mauritian midfielder scored twice."
    assert checker.check_text(text) == []


# ------------------------------------------------------------------ the compiled cache


def _yaml(path, names):
    path.write_text("entities:\n" + "".join(f"  - name: {n}\n    type: PERSON\n" for n in names), encoding="utf-8")


@pytest.fixture
def compiled_once(tmp_path, monkeypatch):
    """A one-entity gazetteer loaded once into a fresh cache folder: (gazetteer file, cache file)."""
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path / "cache"))
    g = tmp_path / "people.yaml"
    _yaml(g, ["Benny Gantz"])
    load([g])
    (target,) = (tmp_path / "cache").glob("gazetteer-*.npz")
    return g, target


def test_cache_is_written_once_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path / "cache"))
    g = tmp_path / "people.yaml"
    _yaml(g, ["Benny Gantz", "Nasser Bourita"])
    first = load([g])
    files = list((tmp_path / "cache").glob("gazetteer-*.npz"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    second = load([g])
    assert files[0].stat().st_mtime_ns == stamp  # read, not rewritten
    assert [e.name for e in second.entities] == [e.name for e in first.entities] == ["Benny Gantz", "Nasser Bourita"]
    assert second.entities[1].source == str(g) and second.entities[1].line == 4


def test_editing_a_gazetteer_gives_a_new_cache_key(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path / "cache"))
    g = tmp_path / "people.yaml"
    _yaml(g, ["Benny Gantz"])
    assert [e.name for e in load([g]).entities] == ["Benny Gantz"]
    _yaml(g, ["Benny Gantz", "Yair Lapid"])
    assert [e.name for e in load([g]).entities] == ["Benny Gantz", "Yair Lapid"]
    assert len(list((tmp_path / "cache").glob("gazetteer-*.npz"))) == 2


def test_a_damaged_cache_file_is_rebuilt_not_an_error(compiled_once):
    g, target = compiled_once
    target.write_bytes(b"PK\x03\x04 not really a zip")
    assert [e.name for e in load([g]).entities] == ["Benny Gantz"]
    assert cache.read(target) is not None  # written again, whole


def test_an_unwritable_cache_folder_only_means_no_cache(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(blocker / "cache"))  # under a file: cannot exist
    g = tmp_path / "people.yaml"
    _yaml(g, ["Benny Gantz"])
    assert [e.name for e in load([g]).entities] == ["Benny Gantz"]


def test_cache_off(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", "off")
    assert cache.path_for([tmp_path]) is None


def test_cache_files_hold_numbers_only(compiled_once):
    _, target = compiled_once
    with np.load(target, allow_pickle=False) as data:  # would raise on an object array
        assert all(data[name].dtype != object for name in data.files)


def test_compiled_lookups_match_the_entities():
    gaz = Gazetteer.build([
        Entity("Benny Gantz", "PERSON", aliases=("Benjamin Gantz",), misspellings=("Beny Ganz",), never=("Kantz",)),
        Entity("Rabat", "GPE"),
    ])
    assert gaz.forms_with_key(("benny", "gantz")) == [0]
    assert {gaz.form(f).text for f, _ in gaz.vocab_hits("gantz")} == {"Benny Gantz", "Benjamin Gantz", "Gantz"}
    assert gaz.is_known("rabat") and gaz.is_known("rabat", ("GPE",)) and not gaz.is_known("rabat", ("PERSON",))
    assert gaz.misspelling_of(("beny", "ganz")) == 0 and gaz.misspelling_of(("rabat",)) is None
    assert gaz.is_never(("kantz",)) and not gaz.is_never(("gantz",))
    assert [gaz.vocab_tokens[v] for v in gaz.index.candidates("rafat")] == ["rabat"]
    assert gaz.count_by_type() == {"GPE": 1, "PERSON": 1}


def test_gazetteer_stats_counts_world_places():
    result = run_cli("gazetteer", "stats", str(WORLD))
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode()
    assert "entities: 31180" in out and "GPE: 31180" in out


def test_lookup_counts_only_the_rarest_trigrams_and_still_finds_the_name():
    # 81,000 tokens built from a few syllables: "$$k", "$ka", "ber" each list thousands of them,
    # more postings than one query counts (index.PROPOSAL_BUDGET)
    from itertools import product

    from entityfix.gazetteer.index import PROPOSAL_BUDGET, TokenIndex, trigrams

    syllables = "ka lo mi ra van te sku bo ri an del for ga ne shi to ma ru ve li sa do ke nu za pe ber ski".split()
    tokens = sorted({a + b + c + d for a, b, c, d in product(syllables, repeat=4) if a in ("ka", "lo", "mi")})
    index = TokenIndex.build(tokens)
    target = "kalobersku"
    assert target in tokens
    postings = sum(len(index.grams.get(g)) for g in trigrams("kalobersku"))
    assert postings > PROPOSAL_BUDGET  # the budget really binds for this query
    found = [tokens[t] for t in index.candidates("kalopersku")]  # B/P voicing
    assert found[0] == target


def test_reference_entries_are_judged_afresh_in_every_document(checker):
    # the resolver remembers analyses between documents, except those that depended on which
    # reference entries a document names: here the same misspelling, with and without support
    supported = "Curitiba is in Brazil. Flights to Curitiba and from Curitbia were cancelled."
    alone = "Flights from Curitbia were cancelled."
    gaz = Gazetteer.build([Entity("Curitiba", "GPE", reference=True)])
    own = Checker(Settings(default_gazetteers=False), gazetteer=gaz)
    assert [(f.old, f.new) for f in own.check_text(supported)] == [("Curitbia", "Curitiba")]
    assert own.check_text(alone) == []
    assert [(f.old, f.new) for f in own.check_text(supported)] == [("Curitbia", "Curitiba")]
