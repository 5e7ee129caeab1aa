"""The common-word evidence reads a small cached table instead of importing wordfreq on every run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from wordfreq import zipf_frequency

from entityfix.spelling import common_words
from entityfix.spelling.common_words import COMMON_FLOOR

# common words, rare words, names, numbers, and words the table leaves to wordfreq (accents, apostrophes,
# hyphens, letters with digits, long numbers)
WORDS = ["the", "summit", "rabat", "paris", "gantz", "kantz", "chechens", "sahrawi", "polisario",
         "brown", "mark", "may", "o'brien", "café", "rock-solid", "covid19",
         "21", "1996", "007", "0", "12345"]


@pytest.fixture
def fresh_table():
    """Forget the table this process loaded, before and after (the environment may point elsewhere)."""
    common_words._table.cache_clear()
    common_words.zipf.cache_clear()
    yield
    common_words._table.cache_clear()
    common_words.zipf.cache_clear()


@pytest.mark.parametrize("word", WORDS)
def test_exact_where_it_can_matter_and_never_common_where_wordfreq_says_rare(word):
    ours, real = common_words.zipf(word), zipf_frequency(word, "en")
    if real > COMMON_FLOOR:
        assert ours == real
    else:
        assert ours <= COMMON_FLOOR


def test_a_run_with_the_table_never_imports_wordfreq():
    common_words.zipf("summit")  # the table is in this session's cache folder from now on
    assert common_words.table_path().is_file()
    code = ("import sys; from entityfix.spelling import common_words as c; "
            "print(c.zipf('summit'), c.zipf('kantz'), c.zipf('21'), 'wordfreq' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == [str(zipf_frequency("summit", "en")), "0.0", str(zipf_frequency("21", "en")), "False"]


def test_a_damaged_table_is_rebuilt(tmp_path, monkeypatch, fresh_table):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(tmp_path))
    path = common_words.table_path()
    path.write_bytes(b"PK\x03\x04 not a table")
    assert common_words.zipf("summit") == zipf_frequency("summit", "en")
    assert common_words._read(path)["summit"] == zipf_frequency("summit", "en")


def test_with_caching_off_wordfreq_answers_everything(monkeypatch, fresh_table):
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", "off")
    assert common_words._table() is None
    assert common_words.zipf("chechens") == zipf_frequency("chechens", "en") > 0  # exact even below the floor


def test_an_unwritable_cache_folder_is_not_rebuilt_into_every_run(tmp_path, monkeypatch, fresh_table):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("ENTITYFIX_CACHE_DIR", str(blocker / "cache"))  # under a file: cannot exist
    assert common_words._table() is None
    assert common_words.zipf("summit") == zipf_frequency("summit", "en")
