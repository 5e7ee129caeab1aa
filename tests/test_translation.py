"""Issue 15: checking a translation against its source, and one spelling per name without any list.

The bilingual pair is seed 003 (a machine translation of a French report) and
``tests/data/seed_story.fr.txt``, a French report of the same event written for the project.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter

import pytest

from conftest import ROOT, SEED_EN, SEED_MT, SEED_MT_FIXES, run_cli

FRENCH = ROOT / "tests" / "data" / "seed_story.fr.txt"
# the seed's 15 fixes but the one the French cannot hold: it writes "sahraouis", not "Sahrawi"
FROM_SOURCE_FIXES = {k: v for k, v in SEED_MT_FIXES.items() if k != ("Saharavi", "Sahrawi")}


@pytest.fixture(scope="module")
def bare():
    """A Checker with no list at all (the model loads once for the module)."""
    from entityfix import Checker, Settings

    return Checker(Settings(default_gazetteers=False))


@pytest.fixture(scope="module")
def with_source(bare):
    return bare.for_source(FRENCH.read_text(encoding="utf-8"), "seed_story.fr.txt")


def test_the_source_alone_gives_the_seed_fixes_it_can_hold(with_source):
    text = SEED_MT.read_text(encoding="utf-8")
    findings = with_source.check_until_stable(text)
    assert Counter((f.old, f.new) for f in findings if f.action == "fix") == Counter(FROM_SOURCE_FIXES)
    assert [f for f in findings if f.action != "fix"] == []  # no suggestion, no note: nothing else to say
    for f in findings:
        assert text[f.start : f.end] == f.old
        assert any(r.endswith(")") and " in the source (seed_story.fr.txt, line " in r for r in f.reasons), f.reasons


def test_a_reason_cites_the_source_line_that_holds_the_name(with_source):
    text = SEED_MT.read_text(encoding="utf-8")
    french_lines = FRENCH.read_text(encoding="utf-8").splitlines()
    for f in with_source.check_until_stable(text):
        cited = next(r for r in f.reasons if " in the source (" in r)
        name, _, rest = cited.partition(" in the source (seed_story.fr.txt, line ")
        assert name in french_lines[int(rest.rstrip(")")) - 1]


def test_source_names_are_cleaned_typed_and_written_as_english(with_source):
    entries = {e.source_text: e for e in with_source.source.entries}
    assert with_source.source.lang == "fr"
    assert entries["Benny Gantz"].type == "PERSON" and entries["Benny Gantz"].count == 4  # "M. Gantz" and "Gantz" are him
    assert entries["Abdellatif Loudiyi"].type == "PERSON"  # NER once calls "Loudiyi" a place: it is his surname
    assert entries["Maroc"].target_text == "Morocco"
    assert entries["Alger"].target_text == "Algiers"
    assert entries["Tel-Aviv"].target_text == "Tel Aviv" and entries["Tel-Aviv"].type == "GPE"
    assert entries["Sahara occidental"].target_text == "Western Sahara"
    # sentence-initial words and descriptions are not names
    for junk in ("Lundi", "Parti de Tel-Aviv", "Parti", "ministre des Affaires étrangères", "M. Gantz"):
        assert junk not in entries


def test_the_language_is_detected():
    from entityfix.text.source import detect_language

    assert detect_language(FRENCH.read_text(encoding="utf-8")) == "fr"
    assert detect_language(SEED_EN.read_text(encoding="utf-8")) == "en"
    assert detect_language("El ministro se reunió con sus homólogos en Madrid para hablar de la situación.") == "es"


def test_without_a_pipeline_capitalised_runs_stand_in():
    from entityfix.text.source import read_names

    names = {n.text: n.type for n in read_names("Der Minister Olaf Scholz traf gestern Annalena Baerbock in Hamburg.", "de")}
    assert names == {"Olaf Scholz": "PERSON", "Annalena Baerbock": "ORG", "Hamburg": "GPE"}


def test_a_name_the_translation_dropped_is_a_note(bare):
    source = bare.for_source("Le ministre Benny Gantz a rencontré Nasser Bourita à Rabat mercredi. Alger a rompu avec le Maroc.", "src.txt")
    findings = source.check_until_stable("Minister Benny Gantz met officials in Rabat on Wednesday. Algers severed ties with Morocco.")
    notes = [f for f in findings if f.kind == "source-mismatch"]
    assert [(f.action, f.start, f.end, f.old, f.new, f.reasons) for f in notes] == [
        ("note", 0, 0, "", "", ("Nasser Bourita is in the source (src.txt, line 1) but not in the translation",))
    ]
    fixes = [(f.old, f.new) for f in findings if f.action == "fix"]
    assert fixes == [("Algers", "Algiers")]  # the source's "Alger", written as English writes it
    from dataclasses import replace

    quiet = bare.for_source("Le ministre Benny Gantz a rencontré Nasser Bourita à Rabat mercredi.", "src.txt")
    quiet.settings = replace(quiet.settings, source_mismatch=False)
    assert [f for f in quiet.check_until_stable("Minister Benny Gantz met officials in Rabat.") if f.kind == "source-mismatch"] == []


def test_a_name_spelt_apart_from_the_source_is_a_note_not_a_change():
    from entityfix.gazetteer.source_list import SourceEntry
    from entityfix.matching.consistency import Occurrence
    from entityfix.matching.source_mismatch import spelt_apart

    entries = [SourceEntry("Nasser Bourita", "Nasser Bourita", "PERSON", 5, 2)]
    occs = [
        Occurrence(0, 10, 16, "Borita", "PERSON", "nasser", "", False),
        Occurrence(0, 30, 37, "Bourita", "PERSON", "", "", False),  # written as the source writes it
        Occurrence(0, 50, 56, "Purida", "PERSON", "", "", True),  # a finding already covers it
        Occurrence(0, 60, 66, "Madrid", "GPE", "", "", False),  # nothing like it in the source
    ]
    found = spelt_apart(occs, entries, "fr.txt")
    assert [(f.start, f.old, f.new, f.action, f.kind, f.reasons) for f in found] == [
        (10, "Borita", "Borita", "note", "source-mismatch", ("the source writes Nasser Bourita (fr.txt, line 5)",))
    ]


def test_with_no_list_one_name_spelt_several_ways_is_grouped_and_nothing_changes(bare):
    text = SEED_MT.read_text(encoding="utf-8")
    findings = bare.check_until_stable(text)
    assert {f.action for f in findings} == {"note"} and {f.kind for f in findings} == {"consistency"}
    assert all(f.new == f.old == text[f.start : f.end] for f in findings)
    groups = {tuple(s for s, _ in f.group) for f in findings}
    assert (("Kantz", 3), ("Kants", 2), ("Gantz", 1)) in {f.group for f in findings}
    assert ("Borida", "Purida") in groups
    kantz = next(f for f in findings if f.old == "Kantz")
    assert kantz.reasons == ("spelt 3 ways here: Kantz (3), Kants (2), Gantz (1): one person?",)
    # one note per spelling, on its first occurrence
    assert Counter(f.old for f in findings if "Kantz (3)" in f.reasons[0]) == Counter({"Kantz": 1, "Kants": 1, "Gantz": 1})


def test_a_correct_text_has_no_groups(bare):
    assert bare.check_until_stable(SEED_EN.read_text(encoding="utf-8")) == []


def test_consistency_groups_keep_derived_words_and_unrelated_names_apart():
    from entityfix.matching.consistency import Occurrence, groups

    def occ(text: str, start: int, before: str = "") -> Occurrence:
        return Occurrence(0, start, start + len(text), text, "", before, "", False)

    occs = [occ("Israel", 0), occ("Israeli", 10), occ("Sahara", 20), occ("Saharavi", 30), occ("Johnson", 40), occ("Jackson", 50)]
    assert groups(occs) == []
    joined = [occ("Kantz", 0, "benny"), occ("Gantz", 10, "benny"), occ("Gants", 20)]
    assert groups(joined) == [(["gants", "gantz", "kantz"], True)]  # Kantz/Gantz bound by "Benny", Gants by its letters
    # two well-known names a letter apart, with nothing in common in the text: two families
    assert groups([occ("Johnson", 0), occ("Johnston", 10)]) == []
    assert groups([occ("Johnson", 0, "lyndon"), occ("Johnston", 10, "lyndon")]) == [(["johnson", "johnston"], True)]


def test_cli_source_check_and_fix(tmp_path):
    target = tmp_path / "article.txt"
    shutil.copyfile(SEED_MT, target)
    checked = run_cli("check", "--no-default-gazetteers", "--source", str(FRENCH), str(target))
    assert checked.returncode == 1, checked.stderr.decode()
    out = checked.stdout.decode()
    assert "14 findings (14 fixes, 0 suggestions)" in out
    assert f"Kantz -> Gantz (PERSON, " in out and f"Benny Gantz in the source ({FRENCH}, line 3)" in out
    fixed = run_cli("fix", "--no-default-gazetteers", "--source", str(FRENCH), str(target))
    assert fixed.returncode == 1, fixed.stderr.decode()
    after = target.read_text(encoding="utf-8")
    assert "Kantz" not in after and "Purida" not in after and "Saharavi" in after


def test_cli_without_source_or_list_reports_groups_in_json_and_fix_changes_nothing(tmp_path):
    target = tmp_path / "article.txt"
    shutil.copyfile(SEED_MT, target)
    result = run_cli("check", "--no-default-gazetteers", "--format", "json", str(target))
    assert result.returncode == 1
    findings = json.loads(result.stdout)["files"][0]["findings"]
    kantz = next(f for f in findings if f["old"] == "Kantz")
    assert kantz["kind"] == "consistency" and kantz["action"] == "note"
    assert kantz["group"] == [{"spelling": "Kantz", "count": 3}, {"spelling": "Kants", "count": 2}, {"spelling": "Gantz", "count": 1}]
    fixed = run_cli("fix", "--no-default-gazetteers", "--apply-suggestions", str(target))
    assert fixed.returncode == 0, fixed.stdout.decode() + fixed.stderr.decode()
    assert target.read_bytes() == SEED_MT.read_bytes()
    assert "Kantz: note: spelt 3 ways here" in fixed.stdout.decode() + fixed.stderr.decode()
    off = run_cli("check", "--no-default-gazetteers", "--no-consistency", str(target))
    assert off.returncode == 0 and off.stdout.decode().strip() == "1 file checked, 0 findings"


def test_cli_consistency_across_a_corpus(tmp_path):
    (tmp_path / "one.txt").write_text("Benny Gantz met the press in Rabat on Tuesday.\n", encoding="utf-8")
    (tmp_path / "two.txt").write_text("Benny Kantz left Rabat on Wednesday.\n", encoding="utf-8")
    alone = run_cli("check", "--no-default-gazetteers", str(tmp_path))
    assert alone.returncode == 0, alone.stdout.decode()
    corpus = run_cli("check", "--no-default-gazetteers", "--consistency", "corpus", "--format", "json", str(tmp_path))
    assert corpus.returncode == 1, corpus.stderr.decode()
    files = {f["path"].rsplit("/", 1)[-1]: f["findings"] for f in json.loads(corpus.stdout)["files"]}
    assert [(f["old"], f["reasons"]) for f in files["one.txt"]] == [("Gantz", ["spelt 2 ways in the files checked: Gantz (1), Kantz (1): one person?"])]
    assert [f["old"] for f in files["two.txt"]] == ["Kantz"]


def test_cli_source_dir_pairs_by_name(tmp_path):
    sources, targets = tmp_path / "fr", tmp_path / "en"
    sources.mkdir()
    targets.mkdir()
    shutil.copyfile(FRENCH, sources / "report.fr.txt")
    shutil.copyfile(SEED_MT, targets / "report.txt")
    (targets / "other.txt").write_text("Nothing to see here.\n", encoding="utf-8")
    result = run_cli("check", "--no-default-gazetteers", "--source-dir", str(sources), str(targets))
    assert result.returncode == 1, result.stderr.decode()
    assert "14 findings (14 fixes, 0 suggestions)" in result.stdout.decode()
    assert f"other.txt: no source text in {sources}; checked without one" in result.stderr.decode()
    (tmp_path / ".entityfix.toml").write_text('sources = "fr"\ndefault-gazetteers = false\n', encoding="utf-8")
    configured = run_cli("check", "en/report.txt", cwd=tmp_path)
    assert "14 findings (14 fixes, 0 suggestions)" in configured.stdout.decode(), configured.stderr.decode()


def test_cli_bad_sources_are_one_line_errors_and_nothing_is_written(tmp_path):
    target = tmp_path / "article.txt"
    shutil.copyfile(SEED_MT, target)
    missing = run_cli("fix", "--source", str(tmp_path / "nope.txt"), str(target))
    assert missing.returncode == 2
    assert missing.stderr.decode().strip().splitlines() == [f"entityfix: error: {tmp_path / 'nope.txt'}: source text not found"]
    binary = tmp_path / "image.bin"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    bad = run_cli("fix", "--source", str(binary), str(target))
    assert bad.returncode == 2 and str(binary) in bad.stderr.decode() and len(bad.stderr.decode().strip().splitlines()) == 1
    both = run_cli("check", "--source", str(FRENCH), "--source-dir", str(tmp_path), str(target))
    assert both.returncode == 2 and "not both" in both.stderr.decode()
    assert target.read_bytes() == SEED_MT.read_bytes()
