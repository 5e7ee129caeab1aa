"""How a name is cut into tokens, and which tokens are titles or particles.

Shared by the gazetteer (cutting canonical names) and the resolver (cutting
mentions) so both sides agree on what a token is: letters and digits with
internal apostrophes or dots ("O'Brien", "U.S"), split at spaces and hyphens
("al-Assad" -> "al", "Assad"); a possessive "'s" is not part of the name.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from entityfix.spelling.phonetic import exact_key, fold

_TOKEN = re.compile(r"[^\W_]+(?:['’.][^\W_]+)*")
_POSSESSIVE = re.compile(r"['’][sS]$")

# Titles before a person's name: never part of the name itself.
PERSON_TITLES = frozenset(
    """mr mrs ms miss m mme mlle dr prof sir dame lord lady gen general col colonel maj major
    capt captain lt sgt adm admiral president pres minister premier chancellor senator sen
    rep gov governor mayor judge justice rev father sister brother sheikh sheik king queen
    prince princess emir sultan ayatollah imam rabbi pope cardinal bishop herr frau don dona
    señor senor sr sra monsieur madame st saint""".split()
)

# Lower-case particles that belong inside names ("Belkhir El Farouk", "bin Salman").
PARTICLES = frozenset(
    "al el ul bin ben ibn bint abu abd de da di du del della des dos das do van von der den ter le la las los y st".split()
)

# Tokens after a surname that are not the surname ("Jr.", "III").
SUFFIXES = frozenset("jr sr ii iii iv v vi vii viii ix x xi xii".split())


class Token(NamedTuple):
    """One name token: where it is (relative to the string cut) and its comparison keys.

    A plain tuple with the keys worked out when it is made: tokens are made for every mention of
    every document, and a lazily cached property cost more than the folding it saved.
    """

    start: int
    end: int
    text: str
    folded: str  # fold(text)
    key: str  # exact_key(text)

    def moved(self, offset: int) -> "Token":
        return Token(self.start + offset, self.end + offset, self.text, self.folded, self.key)


def tokenize(text: str) -> list[Token]:
    """Cut a name or mention into tokens, dropping a possessive "'s"."""
    return list(_tokenize(text))


def tokenize_once(text: str) -> list[Token]:
    """``tokenize`` for a text that will not recur (a window cut around some position): not
    remembered, so it does not push names out of the memo."""
    return list(_tokenize.__wrapped__(text))


@lru_cache(maxsize=16384)
def _tokenize(text: str) -> tuple[Token, ...]:
    """Names recur throughout a text; tokens are immutable, so each distinct one is cut once."""
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        start, end, word = m.start(), m.end(), m.group()
        poss = _POSSESSIVE.search(word)
        if poss and len(word) - 2 >= 2:
            end -= 2
            word = word[:-2]
        tokens.append(Token(start, end, word, fold(word), exact_key(word)))
    return tuple(tokens)


def ocr_capital(text: str) -> bool:
    """OCR reads a capital I/L/O as 1 or 0: "1eicestershire", "0xford"."""
    return len(text) > 2 and text[0] in "01" and text[1:].isalpha()


def is_title(token_text: str) -> bool:
    return fold(token_text) in PERSON_TITLES


def surname_tokens(tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    """The surname part of a person's full name, or None when it has none.

    "Benny Gantz" -> ("Gantz",); "Belkhir El Farouk" -> ("El", "Farouk");
    "Martin Luther King Jr" -> ("King",); "Mohammed VI" -> None.
    """
    toks = list(tokens)
    while toks and fold(toks[-1]) in SUFFIXES:
        toks.pop()
    if len(toks) < 2:
        return None
    start = len(toks) - 1
    while start - 1 >= 1 and fold(toks[start - 1]) in PARTICLES:
        start -= 1
    return tuple(toks[start:])

# Demonyms no suffix rule derives: a "Briton" is from Britain, not a misspelling of it.
IRREGULAR_DEMONYMS = frozenset(
    """briton britons brit brits scot scots scotsman dane danes swede swedes pole poles finn finns
    turk turks thai thais swiss dutch dutchman welsh welshman irish irishman english englishman french
    frenchman spaniard spaniards greek greeks cypriot cypriots arab arabs kurd kurds serb serbs croat
    croats czech czechs slovak slovaks slovene slovenes bosniak bosniaks uzbek uzbeks kazakh kazakhs
    tajik tajiks afghan afghans pakistani filipino filipinos malagasy basque basques catalan catalans
    fleming flemings walloon walloons magyar magyars lao iraqi iraqis israeli israelis saudi saudis
    yemeni yemenis omani omanis qatari qataris kuwaiti kuwaitis emirati emiratis bahraini bahrainis
    somali somalis""".split()
)
