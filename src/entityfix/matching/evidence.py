"""How much each piece of evidence counts: one weight per named feature, combined logistically.

The resolver describes every candidate correction as a dict of named features (``features.py``:
how alike the spellings are, anchors, document context, guards...).  The confidence is
``sigmoid(BIAS + sum(weight[f] * value))``.  Keeping the weights in one table, apart from the code
that measures the evidence, lets ``bench/fit_weights.py`` refit them by logistic regression on one
data split while ``bench/quality.py`` and ``bench/realnoise.py`` measure the result on others.

OCR, machine translation and speech make different errors, so a channel may weigh a feature its
own way (``CHANNEL_WEIGHTS``, on top of ``WEIGHTS``).
"""

from __future__ import annotations

import math

# Fitted by bench/fit_weights.py on the CoNLL-2003 train split (seed 101, negative weight 1, l2 300
# toward the hand-set priors); all_tokens_close, titles and variant_fixed keep their hand-set values.
WEIGHTS: dict[str, float] = {
    "similarity": 14.387,  # weakest changed token's phonetic similarity, minus the centre
    "anchors": 1.065,  # exact tokens of the same form in the mention (up to 2)
    "all_tokens_close": 0.6,  # two or more changed tokens, all close
    "sounds_alike": 0.792,  # equal consonant skeletons
    "long_word": 0.014,  # shortest changed token has 7+ letters
    "short_word": -0.565,  # shortest changed token has 4 or fewer letters
    "bare_surname": -0.542,  # a surname alone, nothing in the document backs the person
    "name_continues": -0.983,  # a capitalised unknown token right beside the aligned form
    "type_agrees": 0.337,  # NER label equals the entity type (or its label elsewhere in the document)
    "type_metonym": -0.435,  # place / organisation / people mismatch
    "type_clash": -0.522,  # any other mismatch (a person is not a place)
    "title_person": 0.4,  # "Mr." before a person
    "title_not_person": -2.0,  # "Mr." before a place
    "seen_in_doc": 1.544,  # the entity written correctly elsewhere in the document
    "variant_fixed": 0.8,  # another misspelling of the entity fixed confidently
    "derived": -3.627,  # Israeli/Israel, Oriole/Orioles
    "compound": -1.499,  # hyphen-joined to a common word
    "common_word": -2.018,  # Zipf frequency above 2.5 (capped)
    "rule_only": -0.08,  # no NER label: a capitalised run NER did not tag
    "first_letter": -0.448,  # the first letter changed
    "all_caps": -0.051,  # the token is written in capitals
    "prior": 0.0,  # not a feature: added to every proposal (a channel's prior odds of a misspelling)
    # hand-set, checked on bench/quality.py --open-world and bench/realnoise.py (the synthetic noise
    # never leaves a name out of the list, so it cannot teach these)
    "real_name": -0.3,  # the changed token is itself a real name (times the prior's strength, 0..1)
    "unsupported_real_name": -3.0,  # ... and nothing in the document binds the mention to the entity
    "common_target": -1.0,  # unsupported, and the listed word it would become is a common word (per Zipf above 4)
    "unsupported": 0.0,  # nothing but the spelling binds the mention to the entity
    "other_forename": -2.5,  # a forename or initial before the surname that is none of the person's
    "rival_real_name": -0.3,  # ... and another real name is as close to the token as the listed one
    "rival_written": -2.5,  # a real name the document writes and no list holds, as close to the token as the listed one
    "extra_ending": -0.3,  # per letter (up to 3) the mention has at its end that the name lacks
    "channel_misfit": 0.0,  # per sound confusion in OCR'd text (weighed in the OCR table only)
    "misshapen": 0.0,  # the token has letter sequences almost no real name has (OCR'd text only)
    "run_together": 0.0,  # the token reads as two common words the name does not (OCR'd text only)
}
BIAS = 0.0
AMBIGUITY_PENALTY = 3.049


# per channel, the weights that differ from WEIGHTS
CHANNEL_WEIGHTS: dict[str, dict[str, float]] = {
    # a scanner reads shapes, not sounds, runs words together and leaves garbled words everywhere:
    # a sound confusion, an extra ending, another real name as near or two words without their
    # space make another word likelier
    "ocr": {"extra_ending": -1.0, "channel_misfit": -1.5, "rival_real_name": -1.5, "run_together": -3.0,
            "misshapen": 0.3},
    "mt": {},
    # a recogniser writes only words it knows: that the token is a real name says nothing, while a
    # short or common word is most likely what was said ("Andi" for "and I"), all the more when
    # nothing in the call binds it to the entity; a transcript writes "Rainer's" as "Rainers"; and a
    # given name heard right beside the name binds it best
    "asr": {
        "real_name": 0.0, "unsupported_real_name": -1.0, "short_word": -2.0, "common_word": -3.0,
        "unsupported": -1.0, "extra_ending": -1.0, "anchors": 4.0,
    },
}
CHANNELS = tuple(CHANNEL_WEIGHTS)
_TABLES = {channel: {**WEIGHTS, **own} for channel, own in CHANNEL_WEIGHTS.items()}


def weights(channel: str = "mt") -> dict[str, float]:
    """The weight of every feature for text from this channel."""
    return _TABLES[channel]


def logit(features: dict[str, float], channel: str = "mt") -> float:
    table = _TABLES[channel]
    return BIAS + table["prior"] + sum(table[name] * value for name, value in features.items())


def sigmoid(z: float) -> float:
    if z < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def confidence(features: dict[str, float], channel: str = "mt") -> float:
    return sigmoid(logit(features, channel))
