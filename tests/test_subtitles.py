"""Subtitles (issue 18, item 3): ``.srt`` and ``.vtt`` keep cue numbers, identifiers, timings and cue
settings byte for byte, and a name cut across two lines of one cue is still found.

The files are a few cues of seed 003 ("Benny Kantz", "Nasser Purida", "Abdellatif Loudi"), with
what a subtitle file may hold around them: a byte-order mark, CRLF line ends, SubRip coordinates and
override codes, WebVTT cue settings, a cue identifier, a NOTE, a STYLE and a REGION block that name
"Kantz", a voice tag and a karaoke timestamp.  Only the name tokens may change.
"""

from __future__ import annotations

import pytest

from conftest import run_cli
from entityfix import apply_findings
from entityfix.text import subtitles
from entityfix.text.skip import blanked, untouched_ranges

BOM = "\ufeff"

SRT = BOM + "\r\n".join(
    [
        "1",
        "00:00:01,000 --> 00:00:04,200",
        "Abdellatif Loudi and Benny Kantz,",
        "Israeli Defense Minister, arrived in Rabat.",
        "",
        "2",
        "00:00:04,500 --> 00:00:08,000 X1:100 X2:600 Y1:50 Y2:90",
        "During the historic visit by Israeli Defense Minister Benny",
        "Kantz, the two countries signed an agreement.",
        "",
        "3",
        "00:00:08,100 --> 00:00:11,000",
        "{\\an8}He is also scheduled to meet",
        "with Moroccan Foreign Minister Nasser Purida.",
        "",
        "",
    ]
)
SRT_FIXED = (
    SRT.replace("Loudi and", "Loudiyi and")
    .replace("Benny Kantz,", "Benny Gantz,")
    .replace("Benny\r\nKantz,", "Benny\r\nGantz,")
    .replace("Purida.", "Bourita.")
)

VTT = "\n".join(
    [
        "WEBVTT - Benny Kantz in Rabat",
        "Kind: captions",
        "",
        "NOTE Benny Kantz is spelt this way on purpose",
        "",
        "STYLE",
        '::cue(v[voice="Benny Kantz"]) { color: yellow }',
        "",
        "REGION",
        "id:Kantz",
        "width:40%",
        "",
        "Kantz intro",
        "00:00:01.000 --> 00:00:04.200 align:start position:10% region:Kantz",
        "<v Benny Kantz>During the historic visit by Israeli Defense Minister Benny",
        "Kantz, the two countries signed an agreement.",
        "",
        "00:04.500 --> 00:08.000 line:0 size:80%",
        "He is also scheduled to meet with Moroccan",
        "Foreign Minister <00:00:06.000>Nasser Purida.",
        "",
    ]
)
VTT_FIXED = VTT.replace("Benny\nKantz,", "Benny\nGantz,").replace("Nasser Purida.", "Nasser Bourita.")


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The two files, checked then fixed by the real command line (two runs, so two model loads)."""
    folder = tmp_path_factory.mktemp("subtitles")
    srt, vtt = folder / "seed.srt", folder / "seed.vtt"
    srt.write_bytes(SRT.encode("utf-8"))
    vtt.write_bytes(VTT.encode("utf-8"))
    check = run_cli("check", str(srt), str(vtt))
    fix = run_cli("fix", str(srt), str(vtt))
    return {"srt": srt, "vtt": vtt, "check": check, "fix": fix}


def test_fix_changes_only_the_name_tokens_of_an_srt_file(files):
    assert files["fix"].returncode in (0, 1), files["fix"].stderr.decode()
    assert files["srt"].read_bytes() == SRT_FIXED.encode("utf-8")


def test_fix_changes_only_the_name_tokens_of_a_vtt_file(files):
    assert files["fix"].returncode in (0, 1), files["fix"].stderr.decode()
    assert files["vtt"].read_bytes() == VTT_FIXED.encode("utf-8")


def test_check_finds_the_name_cut_across_two_lines_of_a_cue(files):
    out = files["check"].stdout.decode()
    assert files["check"].returncode == 1, files["check"].stderr.decode()
    # the "Kantz" that starts line 9 of the SubRip file and line 16 of the WebVTT file
    assert "seed.srt:9:1: Kantz -> Gantz" in out, out
    assert "seed.vtt:16:1: Kantz -> Gantz" in out, out
    # nothing in the cue numbers, identifiers, timings, settings or metadata blocks
    assert "seed.vtt:1:" not in out and "seed.vtt:4:" not in out and "seed.vtt:13:" not in out, out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VTT, "vtt"),
        (BOM + "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nHi\r\n", "vtt"),
        ("WEBVTT", "vtt"),
        (SRT, "srt"),
        (SRT.lstrip(BOM), "srt"),
        ("\n\n1\n00:00:01.000 --> 00:00:02.000\nHi\n", "srt"),
        ("WEBVTTX\n", None),
        ("Notes from the call\n00:00:01,000 --> 00:00:04,000\nBenny Kantz arrived.\n", None),
        ("1\nBenny Kantz arrived.\n", None),
        ("The video (00:00:01,000 --> 00:00:04,000) shows Benny Kantz.\n", None),
    ],
)
def test_kind_is_told_from_the_start_of_the_text(text, expected):
    assert subtitles.kind(text) == expected


def _untouched(text: str) -> list[str]:
    return [text[a:b] for a, b in untouched_ranges(text)]


def test_the_machinery_of_a_subtitle_file_is_untouched():
    assert _untouched(SRT.lstrip(BOM)) == [
        "1",
        "00:00:01,000 --> 00:00:04,200",
        "2",
        "00:00:04,500 --> 00:00:08,000 X1:100 X2:600 Y1:50 Y2:90",
        "3",
        "00:00:08,100 --> 00:00:11,000",
        "{\\an8}",
    ]
    assert _untouched(VTT) == [
        "WEBVTT - Benny Kantz in Rabat\nKind: captions",
        "NOTE Benny Kantz is spelt this way on purpose",
        'STYLE\n::cue(v[voice="Benny Kantz"]) { color: yellow }',
        "REGION\nid:Kantz\nwidth:40%",
        "Kantz intro",
        "00:00:01.000 --> 00:00:04.200 align:start position:10% region:Kantz",
        "<v Benny Kantz>",  # skip.py's tag pattern, not counted twice
        "00:04.500 --> 00:08.000 line:0 size:80%",
        "<00:00:06.000>",
    ]


def test_ner_reads_the_lines_of_one_cue_as_one_line_with_the_same_offsets():
    for text, gap in ((VTT, " "), (SRT, "  ")):  # LF: one space; CRLF: two, one for each character
        read = blanked(text, untouched_ranges(text))
        assert len(read) == len(text)
        assert f"Minister Benny{gap}Kantz," in read
    read = blanked(SRT, untouched_ranges(SRT))
    # a blank line between two cues stays a break; the timing lines are blanks
    assert "Rabat.\r\n\r\n" in read and "\r\n                             \r\nAbdellatif" in read


def test_line_breaks_of_a_text_that_is_no_subtitle_file_stay(checker):
    text = "Notes from the call\n00:00:01,000 --> 00:00:04,000\nIsraeli Defense Minister Benny\nKantz arrived.\n"
    assert untouched_ranges(text) == [] and blanked(text, []) == text
    # the timing-looking line is prose here, and the name in it is fixed like any other
    text = "Notes from the call\n00:00:01,000 --> 00:00:04,000 Benny Kantz arrived.\n"
    assert apply_findings(text, checker.check_until_stable(text)) == text.replace("Kantz", "Gantz")


def test_a_name_cut_across_two_lines_of_a_cue_is_one_mention(checker):
    """Where a line break keeps NER from seeing a name (a cue in capitals), the joined lines find it."""
    text = "1\n00:00:01,000 --> 00:00:04,000\nTHE MINISTER BENNY\nKANTZ ARRIVED IN RABAT\n"
    fixed = apply_findings(text, checker.check_until_stable(text))
    assert fixed == text.replace("BENNY\nKANTZ", "BENNY\nGANTZ")
