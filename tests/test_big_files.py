"""Issue 13, item 14: a big file is decided window by window, and its findings come as they are decided.
Issue 16: a long run (a Dask worker reading a corpus) does not keep what it read."""

from __future__ import annotations

from collections import OrderedDict

from conftest import SEED_MT, SEED_MT_FIXES


def test_windows_are_reported_in_order_with_their_findings(checker, monkeypatch):
    import entityfix.checker as checker_module

    text = "\n\n".join([SEED_MT.read_text(encoding="utf-8")] * 3)
    monkeypatch.setattr(checker_module, "WINDOW_CHARS", 2_000)
    heard: list[tuple[int, list]] = []
    findings = checker.check_until_stable(text, lambda done, found: heard.append((done, list(found))))
    assert len(heard) >= 4  # 3 x 3.3 kB in windows of about 2 kB
    done = [d for d, _ in heard]
    assert done == sorted(done) and done[-1] == len(text)
    # every finding was heard with its window, once, in text order
    assert [f for _, found in heard for f in found] == findings
    for window_end, found in heard:
        assert all(f.end <= window_end for f in found)
    # small windows see less of the document (fewer fixes), never other ones
    assert {(f.old, f.new) for f in findings if f.action == "fix"} <= set(SEED_MT_FIXES)


def test_a_small_text_is_one_window(checker):
    text = SEED_MT.read_text(encoding="utf-8")
    heard = []
    findings = checker.check_until_stable(text, lambda done, found: heard.append((done, list(found))))
    assert heard == [(len(text), findings)]


def test_a_text_longer_than_the_ner_memo_is_read_whole(checker, monkeypatch):
    """The memo of NER's output per paragraph is bounded; a text of more paragraphs than it holds
    still gets every paragraph's mentions (remembering the last ones pushes out the first)."""
    import entityfix.text.extract as extract

    text = SEED_MT.read_text(encoding="utf-8")
    want = checker.extractor.mentions(text)
    monkeypatch.setattr(extract, "MEMO_CHARS", 600)  # a few paragraphs of the seed
    fresh = checker.extractor
    monkeypatch.setattr(fresh, "_memo", OrderedDict())  # given back after the test
    monkeypatch.setattr(fresh, "_memo_chars", 0)
    assert fresh.mentions(text) == want
    assert fresh.mentions(text) == want  # now partly from the memo
    assert fresh._memo_chars <= 600 + max(len(p) for p in fresh._memo)


def test_ner_forgets_the_words_it_read(checker):
    """Every new word NER reads would stay in spaCy's vocabulary for good: a worker reading 20 MB
    grew by hundreds of MiB.  Read in a memory zone, the vocabulary is what it was."""
    nlp = checker.extractor.nlp
    checker.extractor.mentions("Warm-up by Qoxtrel Vandimar.")
    before = (sum(1 for _ in nlp.vocab), len(nlp.vocab.strings))  # lexemes alive, strings kept
    words = " ".join(f"Zqv{i}xwy" for i in range(300))
    found = checker.extractor.mentions(f"Yesterday {words} met Brendon Quaile in Oslo.")
    assert any(m.text == "Oslo" for m in found)
    assert (sum(1 for _ in nlp.vocab), len(nlp.vocab.strings)) == before
