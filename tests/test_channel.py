"""--channel auto: which machine mangled a text, told from the text itself (text/channel.py).

The texts are written for this test: an OCR'd-looking notice, a call transcript, the same call in
lower case, and clean prose (the seeds).
"""

from __future__ import annotations

from conftest import SEED_EN, SEED_MT, run_cli
from entityfix.text.channel import guess

OCR_LIKE = (
    "SHIPPING INTELLIGENCE.\n"
    "ARRIVED.-Jnne 4. Tho barque Eliza, 300 tona, Captain Smith, from Hobart Town. Passengers-Mr.\n"
    "and Mra. Brown, and ten in tho steerage. Tbe cargo waa landed at tho wharf on Mouday, aud tho\n"
    "vessel will sail ngain for Launceston ou tho 9th inst. Tho agents aro Messrs. Campbell and Co.\n"
    "The weathor has boen unsettled, and tho wind from tho westward prevented tho boats from landing\n"
    "tho mails until lato in tho aftornoon, whon the harbour-master wont off to her with tho pilot.\n"
)
TRANSCRIPT = (
    "Thank you, operator. Uh, good morning, everyone, and, um, thanks for joining us. So, you know, "
    "the quarter was, uh, pretty strong. Yeah, revenue was up, um, about 12%, and, uh, I mean, we "
    "are, kind of, pleased with that. Okay, so, um, let me turn it over to Maria, uh, our CFO. "
    "Thanks, John. Yeah, so, um, margins were, you know, a bit better than we expected, uh, and "
    "we, kind of, kept costs flat. Okay, um, with that, uh, let's open it up for questions. "
) * 2


def test_ocr_noise_is_told_by_its_unreadable_words():
    assert guess(OCR_LIKE) == "ocr"


def test_a_transcript_is_told_by_its_fillers_and_a_lower_case_one_by_its_lack_of_capitals():
    assert guess(TRANSCRIPT) == "asr"
    assert guess(TRANSCRIPT.lower()) == "asr"


def test_clean_prose_and_its_translations_are_mt():
    assert guess(SEED_EN.read_text(encoding="utf-8")) == "mt"
    assert guess(SEED_MT.read_text(encoding="utf-8")) == "mt"
    assert guess("Short text.") == "mt"  # too short to tell: the default


def test_a_long_text_is_judged_on_slices_and_gives_the_same_answer():
    assert guess(OCR_LIKE * 800) == "ocr"  # about 600 kB


def test_channel_flag_and_config_key_are_checked(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Nothing to see.\n")
    assert run_cli("check", "--channel", "ocr", str(doc)).returncode == 0
    bad = run_cli("check", "--channel", "fax", str(doc))
    assert bad.returncode == 2 and b"channel 'fax' is not one of auto, ocr, mt, asr" in bad.stderr
    (tmp_path / ".entityfix.toml").write_text('channel = "fax"\n')
    bad = run_cli("check", "a.txt", cwd=tmp_path)
    assert bad.returncode == 2 and b".entityfix.toml" in bad.stderr and b"channel 'fax'" in bad.stderr
