"""Interactive review for ``entityfix fix --interactive``: one question per finding.

Answers (one letter a line, so it can be scripted through standard input):
  y  apply this correction
  n  skip it
  a  apply it, and every later correction of the same spelling to the same name
  v  never change this name: skip it and every later one, and add it to the allow list
  q  stop asking: apply what was accepted so far (and every "a" name), skip the rest
End of input counts as q.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from entityfix.matching.decide import Finding
from entityfix.cli.report import FileResult, text_lines

CHOICES = "ynavq"
PROMPT = "apply? [y]es [n]o [a]ll of this name ne[v]er change this name [q]uit: "


@dataclass
class Review:
    accepted: list[list[Finding]] = field(default_factory=list)  # per file, in input order
    never: list[str] = field(default_factory=list)  # names to add to the allow list


def review(results: list[FileResult], ask: Callable[[str], str | None], say: Callable[[str], None]) -> Review:
    out = Review()
    always: set[tuple[str, str]] = set()
    never: set[str] = set()
    stopped = False
    for result in results:
        chosen: list[Finding] = []
        for line, f in text_lines(result):
            key = (f.old.casefold(), f.new)
            if key in always:  # an "all" answer holds even after q
                chosen.append(f)
                continue
            if stopped or f.old.casefold() in never:
                continue
            say(line)
            answer = ""
            while answer not in CHOICES or not answer:
                reply = ask(PROMPT)
                if reply is None:
                    answer = "q"
                    break
                answer = reply.strip()[:1]
            if answer == "y":
                chosen.append(f)
            elif answer == "a":
                chosen.append(f)
                always.add(key)
            elif answer == "v":
                never.add(f.old.casefold())
                out.never.append(f.old)
            elif answer == "q":
                stopped = True
        out.accepted.append(chosen)
    return out
