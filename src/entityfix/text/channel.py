"""Which kind of machine mangled a text: OCR, machine translation or speech recognition.

The channels make different errors (README "Channels"): a scanner confuses the shapes of letters
("rn"/"m", "cl"/"d", "Tames" for "James") and leaves words it could not read; translation and
speech confuse sounds and transliterations ("Kantz" for "Gantz") in otherwise clean English.  The
evidence weighs a correction by what its channel does (``matching/evidence.py``), so
``--channel auto`` (the default) tells them apart from the text itself:

* **asr**: no capital letter at all in a text of some length (a lower-case transcript), or the
  marks of speech: fillers and hedges ("uh", "um", "yeah", "okay", "you know", "I mean", "kind
  of") at least ``SPOKEN_PER_1000`` times per thousand words, or ``LONG_SPOKEN`` of them at a
  third of that rate.  Written prose, news and its translations, stays under 5 and has a handful
  at most; transcribed calls run from 3.5 to 70 per thousand words;
* **ocr**: many lower-case words that are no English word ("tho", "wero", "aro"): at least
  ``OCR_UNKNOWN_SHARE`` of them.  Clean prose, translated or transcribed, stays near 1%, OCR'd
  newspapers run from 2% to 60%;
* **mt** otherwise: clean text whose names may be mangled the way translation mangles them.
"""

from __future__ import annotations

import re
from collections import Counter

from entityfix.spelling import common_words
from entityfix.spelling.common_words import COMMON_FLOOR

CHANNELS = ("ocr", "mt", "asr")
OCR_UNKNOWN_SHARE = 0.06  # share of lower-case words of 3+ letters that are no English word
MIN_WORDS = 40  # fewer lower-case words than this say nothing about the channel
SAMPLES, SAMPLE_CHARS = 20, 10_000  # a long text is judged on this many evenly spread slices
SPOKEN_PER_1000 = 6.0  # fillers and hedges per thousand words from which a text is speech
MIN_SPOKEN = 3  # ... and at least this many of them
LONG_SPOKEN = 10  # or this many, at a third of the rate (a long transcript)
_WORD = re.compile(r"[^\W\d_]+")
_SPOKEN = re.compile(r"\b(?:uh|um|yeah|okay|you know|I mean|kind of|sort of)\b", re.IGNORECASE)


def guess(text: str) -> str:
    """The channel the text most likely comes from (one of CHANNELS)."""
    sample = _sample(text)
    words = Counter(_WORD.findall(sample))
    count = sum(words.values())
    if count >= MIN_WORDS and not any(w[:1].isupper() for w in words):
        return "asr"
    spoken = len(_SPOKEN.findall(sample))
    if spoken >= MIN_SPOKEN and spoken * 1000 >= SPOKEN_PER_1000 * count:
        return "asr"
    if spoken >= LONG_SPOKEN and spoken * 3000 >= SPOKEN_PER_1000 * count:
        return "asr"
    lower = {w: n for w, n in words.items() if len(w) >= 3 and w.islower()}
    total = sum(lower.values())
    if total >= MIN_WORDS:
        unknown = sum(n for w, n in lower.items() if common_words.zipf(w) <= COMMON_FLOOR)
        if unknown >= OCR_UNKNOWN_SHARE * total:
            return "ocr"
    return "mt"


def _sample(text: str) -> str:
    if len(text) <= SAMPLES * SAMPLE_CHARS:
        return text
    step = len(text) // SAMPLES
    return "\n".join(text[k * step : k * step + SAMPLE_CHARS] for k in range(SAMPLES))
