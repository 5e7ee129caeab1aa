"""The library entry point: text in, findings out, no files or flags involved.

``Checker(settings).check_text(text)`` runs extract -> resolve -> decide; the
spaCy pipeline and the gazetteer index are built once per Checker and reused
for every document.
"""

from __future__ import annotations

from bisect import bisect_right

from .config import Settings
from .decide import Finding, Thresholds, decide
from .extract import Extractor
from .gazetteer import Gazetteer, load
from .resolve import Resolver
from .suppress import inside, suppressed_ranges


class LineIndex:
    """Offset -> 1-based (line, column), in O(log n) per lookup."""

    def __init__(self, text: str):
        self.starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def line_col(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


class Checker:
    """Holds the loaded pipeline and gazetteer; checks any number of texts."""

    def __init__(self, settings: Settings | None = None, gazetteer: Gazetteer | None = None):
        self.settings = settings or Settings()
        self.gazetteer = gazetteer if gazetteer is not None else load(self.settings.gazetteer_paths)
        self.resolver = Resolver(self.gazetteer, allow=frozenset(self.settings.allow))
        self.extractor = Extractor(self.settings.model, self.settings.labels, self.gazetteer)
        self.thresholds = Thresholds(self.settings.fix_threshold, self.settings.suggest_threshold)

    def check_text(self, text: str) -> list[Finding]:
        lines = LineIndex(text)
        skip = suppressed_ranges(text)
        analyses = []
        for mention in self.extractor.mentions(text):
            if skip and inside(skip, mention.start, mention.end):
                continue
            analyses.append((self.resolver.analyze(mention), lines.line_col(mention.start)[0]))
        return decide(self.resolver, analyses, self.thresholds)
