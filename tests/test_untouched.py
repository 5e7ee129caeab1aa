"""Text that is not prose is never changed, and no finding covers part of a word (issue "Trust", 2 and 4).

Each case puts a misspelt name inside something that is not prose (a URL, an address, code, a tag)
beside the same misspelling in a sentence: only the sentence changes, even with suggestions applied.
"""

from __future__ import annotations

import pytest

from conftest import run_cli
from entityfix import apply_findings
from entityfix.matching.decide import FIX, SUGGEST
from entityfix.text.skip import blanked, inside, merged, non_prose_ranges

PROSE = "Benny Kantz met the press on Tuesday."
PROSE_FIXED = "Benny Gantz met the press on Tuesday."

NOT_PROSE = [
    "See https://example.com/Benny_Kantz for more.",
    "See https://www.elastic.co/Elastisearch for more.",
    "See www.example.org/Kantz/page for more.",
    "Write to user@Kantz.com for more.",
    "Write to benny.kantz@example.co.uk for more.",
    "Follow @BennyKantz and @Kantz for more.",
    "Tagged #Kantz and #BennyKantz today.",
    "The file is /home/Kantz/notes.txt today.",
    "The file is ./docs/Kantz today.",
    "The file is C:\\Users\\Kantz\\notes.txt today.",
    "The file is docs/Kantz.md today.",
    "The site is Kantz.com today.",
    "Run `Kantz --help` first.",
    "```\nprint('Benny Kantz')\n```",
    "~~~python\nBenny Kantz = 1\n~~~",
    '<a href="https://x.org/Kantz" title="Benny Kantz">the page</a>',
    '<person name="Benny Kantz"/>',
    "<Kantz>the page</Kantz>",
    "Kantzian policy has its critics.",
]


@pytest.mark.parametrize("snippet", NOT_PROSE)
def test_a_name_in_text_that_is_not_prose_is_never_changed(checker, snippet):
    text = f"{PROSE}\n\n{snippet}\n\n{PROSE}\n"
    findings = checker.check_until_stable(text)
    fixed = apply_findings(text, findings, frozenset({FIX, SUGGEST}))
    assert fixed == f"{PROSE_FIXED}\n\n{snippet}\n\n{PROSE_FIXED}\n"


def test_front_matter_keys_are_not_prose_but_values_are(checker):
    text = f"---\nKantz: 1\ntitle: {PROSE}\n---\n{PROSE}\n"
    fixed = apply_findings(text, checker.check_until_stable(text), frozenset({FIX, SUGGEST}))
    assert fixed == f"---\nKantz: 1\ntitle: {PROSE_FIXED}\n---\n{PROSE_FIXED}\n"


def test_text_between_tags_is_prose(checker):
    text = f"<p><b>{PROSE}</b></p>\n"
    assert apply_findings(text, checker.check_until_stable(text)) == f"<p><b>{PROSE_FIXED}</b></p>\n"


def test_fix_with_suggestions_leaves_addresses_and_derived_words_byte_for_byte(tmp_path):
    doc = tmp_path / "a.md"
    body = "Mail user@Kantz.com about the Kantzian policy.\nSee https://example.com/Benny_Kantz and `Kantz`.\n"
    doc.write_text(f"{PROSE}\n{body}")
    assert run_cli("fix", "--apply-suggestions", str(doc)).returncode == 1
    assert doc.read_text() == f"{PROSE_FIXED}\n{body}"


def test_prose_with_slashes_dates_and_comparisons_stays_prose():
    text = "Israel/Morocco talks on 24/11/2021: a < b and c > d, either/or. Mr. Kantz agreed."
    ranges = non_prose_ranges(text)
    assert not inside(ranges, text.index("Israel"), text.index("Israel") + 6)
    assert not inside(ranges, text.index("Kantz"), text.index("Kantz") + 5)
    assert not inside(ranges, text.index("either"), text.index("either") + 9)


def test_blanking_keeps_offsets_and_line_ends():
    text = "a `b\tc` d\n```\nx\n```\ne"
    ranges = merged(non_prose_ranges(text))
    out = blanked(text, ranges)
    assert len(out) == len(text) and out.count("\n") == text.count("\n")
    assert "b" not in out and "x" not in out and out.startswith("a ") and out.endswith("\ne")
