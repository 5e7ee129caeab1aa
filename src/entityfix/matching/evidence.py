"""How much each piece of evidence counts: one weight per named feature, combined logistically.

The resolver describes every candidate correction as a dict of named features
(how alike the spellings are, anchors, document context, guards...).  The
confidence is ``sigmoid(BIAS + sum(WEIGHTS[f] * value))``.  Keeping the weights
in one table, apart from the code that measures the evidence, lets
``bench/fit_weights.py`` refit them by logistic regression on one data split
while ``bench/quality.py`` measures the result on another.
"""

from __future__ import annotations

import math

SIMILARITY_CENTRE = 0.82  # the "similarity" feature is p_min - SIMILARITY_CENTRE

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
}
BIAS = 0.0
AMBIGUITY_PENALTY = 3.049


def logit(features: dict[str, float]) -> float:
    return BIAS + sum(WEIGHTS[name] * value for name, value in features.items())


def sigmoid(z: float) -> float:
    if z < -60:
        return 0.0
    return 1.0 / (1.0 + math.exp(-z))


def confidence(features: dict[str, float]) -> float:
    return sigmoid(logit(features))
