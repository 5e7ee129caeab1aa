"""Issue 13, item 14: a big file is decided window by window, and its findings come as they are decided."""

from __future__ import annotations

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
