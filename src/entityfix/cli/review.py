"""Interactive review for ``entityfix fix --interactive``: one question per finding.

Each finding is shown as its report line (``file:line:col: old -> new ...``) and, under it, the
sentence it stands in (at most about WIDTH characters of it, cut at word boundaries with "…"), the
misspelt name marked: bold red beside its replacement on a terminal, ``[[Kantz]]`` in plain output
(a pipe, a file, ``TERM=dumb``), so the transcript of a scripted run still reads.  Text from the
file is never read as rich markup: a "[bold]" in it is printed as written.

Answers (one line each, so it can be scripted through standard input; only the first character
counts, in either case, as in ``git add -p``):
  y  apply this correction
  n  skip it
  a  apply it, and every later correction of the same spelling to the same name
  v  never change this name: skip it and every later one, and remember it (see below)
  q  stop asking: apply what was accepted so far (and every "a" name), skip the rest
  ?  print this help
An empty line asks again, and so does an answer that is not one of the keys, after a line saying
so (``git add -p`` does the same: no default answer, so a stray Enter changes nothing).  End of
input counts as q.

"Never change" goes to one of two places:

* the ``never`` list of the entity the finding proposed, in a curated YAML gazetteer you gave
  (``--gazetteer`` or ``gazetteers`` in the config; not the shipped ones, not reference lists, not a
  file you cannot write).  That says the spelling is a correct look-alike of that entity, and it
  travels with the gazetteer;
* the config's ``allow`` list (``.entityfix.toml`` or ``[tool.entityfix]`` in ``pyproject.toml``,
  found upwards from the current folder; ``.entityfix.toml`` is created when there is none).

When a writable gazetteer holds the entity, a second question picks the place (``g`` or ``c``);
otherwise the name goes to the allow list without asking.  The files are written once the review
is over, each atomically; a gazetteer keeps every other byte (comments, order, quoting).
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Union

from rich.text import Text

from entityfix.cli.report import FileResult, text_lines
from entityfix.errors import EntityfixError
from entityfix.matching.decide import Finding

CHOICES = "ynavq"
PROMPT = "apply? [y]es [n]o [a]ll of this name ne[v]er change this name [q]uit [?]help: "
HELP = (
    "y - apply this correction",
    "n - skip it",
    "a - apply it, and every later correction of the same spelling to the same name",
    "v - never change this name: skip it and every later one, and remember it",
    "q - stop asking: apply what was accepted so far, skip the rest",
    "? - print this help",
)
WHERE_HELP = (
    "g - add it to the entity's `never` list in the gazetteer: a correct look-alike of that name",
    "c - add it to the `allow` list of the config: never touched, whatever it looks like",
    "? - print this help",
)
WIDTH = 200  # characters of context around a finding, at most (plus the "…" marks)
INDENT = "    "

Say = Callable[[Union[str, Text]], None]
Ask = Callable[[str], Union[str, None]]


@dataclass(frozen=True)
class Never:
    """A "never change" answer: the spelling, and where it is to be written."""

    name: str
    place: str  # "gazetteer" (the entity's `never` list) or "config" (the allow list)
    path: Path
    entity: str = ""  # for "gazetteer": the entity whose `never` list receives the name
    type: str = ""


@dataclass
class Review:
    accepted: list[list[Finding]] = field(default_factory=list)  # per file, in input order
    never: list[Never] = field(default_factory=list)  # to write once the review is over


def review(
    results: list[FileResult],
    ask: Ask,
    say: Say,
    places: "NeverPlaces | None" = None,
    styled: bool = False,
) -> Review:
    """Ask about each finding of ``results``; ``places`` says where a "never change" may go
    (None: the allow list of the config found from the current folder); ``styled``: the output
    shows colours (else the name is marked ``[[like this]]``)."""
    places = places or NeverPlaces(Path.cwd(), ())
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
            say(highlighted(result.text, f, styled))
            answer = _answer(ask, say, PROMPT, CHOICES, HELP)
            if answer == "y":
                chosen.append(f)
            elif answer == "a":
                chosen.append(f)
                always.add(key)
            elif answer == "v":
                where = _where(f, places, ask, say)
                if where is None:  # end of input before the place was chosen: nothing remembered
                    stopped = True
                    continue
                never.add(f.old.casefold())
                out.never.append(where)
            elif answer == "q":
                stopped = True
        out.accepted.append(chosen)
    return out


def _answer(ask: Ask, say: Say, prompt: str, keys: str, help_lines: tuple[str, ...]) -> str:
    """One of ``keys`` ("q" at end of input); "?" prints the help, anything else says it is not understood."""
    while True:
        reply = ask(prompt)
        if reply is None:
            return "q"
        first = reply.strip()[:1].lower()
        if not first:
            continue  # an empty line asks again, as in git add -p
        if first in keys:
            return first
        if first == "?":
            for line in help_lines:
                say(line)
            continue
        listed = ", ".join(keys[:-1]) + " or " + keys[-1] if len(keys) > 1 else keys
        say(f"{_printable(first)!r} is not understood: answer {listed} (? prints help)")


def _where(f: Finding, places: "NeverPlaces", ask: Ask, say: Say) -> Never | None:
    config = places.allow_file()
    allow = Never(f.old, "config", config)
    gazetteer = places.gazetteer_for(f)
    if gazetteer is None:
        return allow
    new = "" if config.exists() else ", new file"
    prompt = (
        f"add {f.old!r} to: [g]azetteer never list of {f.entity!r} ({places.shown(gazetteer)}) / "
        f"[c]onfig allow list ({places.shown(config)}{new})? "
    )
    answer = _answer(ask, say, prompt, "gc", WHERE_HELP)
    if answer == "q":
        return None
    if answer == "c":
        return allow
    return Never(f.old, "gazetteer", gazetteer, f.entity, f.type)


# ---------------------------------------------------------------- the sentence around a finding

# words whose "." does not end a sentence ("Mr. Kantz", "Gen. Farouk"); one letter ("M.", "U.S.")
# never ends one either
_ABBREVIATIONS = frozenset(
    "mr mrs ms mme mlle messrs dr prof st jr sr gen col lt maj capt cmdr adm sgt gov sen rep rev hon "
    "pres amb min sec dept no vol fig pp ca approx vs".split()
)
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_WORD_BEFORE = re.compile(r"(\w+)[.]+$")


def context(text: str, start: int, end: int, width: int = WIDTH) -> tuple[str, str, str]:
    """(before, name, after): the sentence (within its line) around ``text[start:end]``, at most
    about ``width`` characters, cut at word boundaries with "…"; control characters as spaces."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    first, last = _sentence(text, line_start, line_end, start, end)
    before = _printable(text[first:start]).lstrip()
    name = _printable(text[start:end])
    after = _printable(text[end:last]).rstrip()
    room = max(width - len(name), 0)
    before_room = max(room // 2, room - len(after))  # what one side does not need goes to the other
    before = _cut_left(before, before_room)
    after = _cut_right(after, max(room - len(before), room // 2))
    return before, name, after


def _sentence(text: str, line_start: int, line_end: int, start: int, end: int) -> tuple[int, int]:
    """The sentence's bounds: its line's, narrowed by sentence ends, and never more than a few
    widths from the name (one huge line costs no more than a short one; it is cut anyway)."""
    first, last = max(line_start, start - 4 * WIDTH), min(line_end, end + 4 * WIDTH)
    for m in _BOUNDARY.finditer(text, first, last):
        if not _ends_sentence(text, m, line_end):
            continue
        if m.end() <= start:
            first = m.end()
        elif m.start() >= end:
            last = m.end()
            break
    return first, last


def _ends_sentence(text: str, m: re.Match, line_end: int) -> bool:
    rest = text[m.end() : min(line_end, m.end() + 8)].lstrip()
    if rest[:1].islower():  # "etc. and", "approx. ten"
        return False
    if text[m.start()] != ".":
        return True
    word = _WORD_BEFORE.search(text, max(0, m.start() - 16), m.start() + 1)
    if word is None:
        return True
    word = word.group(1)
    return not (len(word) == 1 and word.isalpha()) and word.casefold() not in _ABBREVIATIONS


def _cut_left(s: str, room: int) -> str:
    if len(s) <= room:
        return s
    keep = s[len(s) - max(room - 1, 0) :]
    if keep and not keep[0].isspace() and not s[len(s) - len(keep) - 1].isspace():
        space = keep.find(" ")
        keep = keep[space:] if space >= 0 else keep
    return "…" + keep.lstrip()


def _cut_right(s: str, room: int) -> str:
    if len(s) <= room:
        return s
    keep = s[: max(room - 1, 0)]
    if keep and not keep[-1].isspace() and not s[len(keep)].isspace():
        space = keep.rfind(" ")
        keep = keep[:space] if space > 0 else keep
    return keep.rstrip() + "…"


def _printable(s: str) -> str:
    """Control characters (newlines, tabs, terminal escapes) as spaces: one line, nothing sent to the terminal."""
    return "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in s)


def highlighted(text: str, f: Finding, styled: bool) -> Text:
    """The context line: the name bold red beside its replacement (styled), or ``[[name]]`` (plain).

    A ``Text`` holds its characters as they are: nothing in the file is read as rich markup.
    """
    before, name, after = context(text, f.start, f.end)
    line = Text(INDENT + before)
    if styled:
        line.append(name, style="bold red")
        line.append(" → ", style="dim")
        line.append(_printable(f.new), style="bold green")
    else:
        line.append(f"[[{name}]]")
    line.append(after)
    return line


# ---------------------------------------------------------------- where "never change" goes


class NeverPlaces:
    """The config that receives the allow list, and the curated YAML gazetteers in use that can take
    a ``never`` entry (read when a first "v" is answered, once)."""

    def __init__(self, cwd: Path, gazetteer_paths: tuple[Path, ...] | list[Path], config: Path | None = None):
        self.cwd = cwd
        self.config = config  # the --config file, which then takes the allow list
        self.paths = list(gazetteer_paths)
        self._entities: dict[tuple[str, str], tuple[Path, frozenset[str]]] | None = None

    def allow_file(self) -> Path:
        """The file ``config.add_to_allow`` writes: the ``--config`` file, else the config found upwards,
        else ``.entityfix.toml`` here."""
        from entityfix.cli.config import find_config

        if self.config is not None:
            return self.config
        found = find_config(self.cwd.resolve())
        return found[0] if found is not None else self.cwd / ".entityfix.toml"

    def shown(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.cwd.resolve()))
        except ValueError:
            return str(path)

    def gazetteer_for(self, f: Finding) -> Path | None:
        """The first writable curated YAML gazetteer in use that holds the finding's entity (not one
        that lists this very spelling as the entity's misspelling: it cannot be both)."""
        from entityfix.gazetteer.schema import name_key

        if self._entities is None:
            self._entities = self._writable_entities()
        path, misspelt = self._entities.get((f.entity, f.type), (None, frozenset()))
        return None if name_key(f.old) in misspelt else path

    def _writable_entities(self) -> dict[tuple[str, str], tuple[Path, frozenset[str]]]:
        from entityfix.gazetteer.schema import name_key, read_yaml
        from entityfix.gazetteer.store import expand
        from entityfix.settings import shipped_gazetteers

        shipped = shipped_gazetteers().resolve()
        found: dict[tuple[str, str], tuple[Path, frozenset[str]]] = {}
        try:
            files = expand(self.paths)
        except EntityfixError:
            return found
        for file in files:
            if file.suffix.lower() not in (".yaml", ".yml") or file.resolve().is_relative_to(shipped):
                continue
            if not (os.access(file, os.W_OK) and os.access(file.resolve().parent, os.W_OK)):
                continue
            try:
                entities = read_yaml(file).entities
            except EntityfixError:
                continue
            for e in entities:
                if not e.reference:
                    found.setdefault((e.name, e.type), (file, frozenset(name_key(t) for t in e.misspellings)))
        return found


def remember(choice: Never, cwd: Path, config: Path | None = None) -> str:
    """Write one "never change" answer; the line saying what was done."""
    if choice.place == "gazetteer":
        if add_to_never(choice.path, choice.entity, choice.type, choice.name):
            return f"added {choice.name!r} to the never list of {choice.entity!r} in {choice.path}"
        return f"{choice.name!r} is already in the never list of {choice.entity!r} in {choice.path}"
    from entityfix.cli.config import add_to_allow

    where = add_to_allow(choice.name, cwd, config)
    return f"added {choice.name!r} to the allow list in {where}"


def add_to_never(path: Path, entity: str, etype: str, name: str) -> bool:
    """Add ``name`` to the ``never`` list of ``entity`` (of ``etype``) in the YAML gazetteer at ``path``.

    The file is edited as text (the way ``learn`` extends a gazetteer): one entry is inserted, every
    other byte stays.  The result must parse to the same gazetteer with just that entry more, and
    pass the lists' checks, before it atomically replaces the file.  False: it was there already.
    """
    from entityfix.gazetteer.schema import MAX_GAZETTEER_BYTES, check_lists, name_key, parse_yaml
    from entityfix.text.document import read, write_atomic

    doc = read(path, max_bytes=MAX_GAZETTEER_BYTES)
    before = parse_yaml(doc.text, str(path))
    owners = [e for e in before.entities if e.name == entity and e.type == etype]
    if not owners:
        raise EntityfixError(f"no entity {entity!r} ({etype}) to add {name!r} to; not changed", str(path))
    owner = owners[0]
    if name_key(name) in {name_key(t) for t in owner.never}:
        return False
    if name_key(name) in {name_key(t) for t in owner.misspellings}:
        raise EntityfixError(f"{name!r} is listed as a misspelling of {entity!r}; remove it there first", str(path))
    new_text = _insert_never(doc.text, entity, etype, name, doc.newline, path)
    after = parse_yaml(new_text, str(path))
    check_lists(after.entities)
    expected = [replace(e, never=(*e.never, name)) if e is owner else e for e in before.entities]
    if _shape(after.entities, after.rejected, after.learned) != _shape(expected, before.rejected, before.learned):
        raise EntityfixError(f"could not add {name!r} to the never list of {entity!r} safely; add it by hand", str(path))
    write_atomic(doc, new_text)
    return True


def _shape(entities, rejected, learned) -> tuple:
    """What a gazetteer says, without line numbers (an inserted line moves them)."""
    return (
        [replace(e, line=0) for e in entities],
        [(r.name, r.type) for r in rejected],
        [(r.name, r.type) for r in learned],
    )


def _insert_never(text: str, entity: str, etype: str, name: str, newline: str, path: Path) -> str:
    """``text`` with ``name`` added to the entity's ``never`` list, in the style the file uses there:
    a block list gets a ``- name`` line, a flow list one more item, and an entity without the key
    a ``never: [name]`` line after its last key (or ``, never: [name]`` in a flow mapping)."""
    import yaml

    from entityfix.learn import _content_end, _line_end, _line_start, _scalar, _sections

    entities = _sections(text).get("entities", (None, None))[1]
    node = None
    if isinstance(entities, yaml.SequenceNode):
        for item in entities.value:
            if not isinstance(item, yaml.MappingNode):
                continue
            fields = {k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
            if _value(fields.get("name")) == entity and _value(fields.get("type")).upper() == etype:
                node = item
                break
    if node is None:
        raise EntityfixError(f"cannot find the entry of {entity!r} to extend; add {name!r} to its never list by hand", str(path))
    pairs = [(k, v) for k, v in node.value if isinstance(k, yaml.ScalarNode)]
    found = [(k, v) for k, v in pairs if k.value == "never"]
    if not found:
        if node.flow_style:
            at = node.value[-1][1].end_mark.index
            return text[:at] + f", never: [{_scalar(name, flow=True)}]" + text[at:]
        at = _after_content(text, _content_end(node), _line_end)
        head = text[:at] if text[:at].endswith("\n") else text[:at] + newline
        indent = " " * node.value[0][0].start_mark.column
        return head + f"{indent}never: [{_scalar(name, flow=True)}]{newline}" + text[at:]
    key, value = found[0]
    if isinstance(value, yaml.SequenceNode) and value.flow_style:
        if value.value:
            at = value.value[-1].end_mark.index
            return text[:at] + ", " + _scalar(name, flow=True) + text[at:]
        at = value.start_mark.index + 1  # inside "[]"
        return text[:at] + _scalar(name, flow=True) + text[at:]
    if isinstance(value, yaml.SequenceNode) and value.value:
        first = value.value[0].start_mark.index
        prefix = text[_line_start(text, first) : first]
        if not re.fullmatch(r" *- +", prefix):
            prefix = " " * max(value.value[0].start_mark.column - 2, 0) + "- "
        at = _after_content(text, _content_end(value.value[-1]), _line_end)
        head = text[:at] if text[:at].endswith("\n") else text[:at] + newline
        return head + prefix + _scalar(name) + newline + text[at:]
    if isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:null":
        if value.start_mark.index == value.end_mark.index:  # "never:" with nothing after it
            at = text.index(":", key.end_mark.index) + 1
            return text[:at] + f" [{_scalar(name, flow=True)}]" + text[at:]
        return text[: value.start_mark.index] + f"[{_scalar(name, flow=True)}]" + text[value.end_mark.index :]
    raise EntityfixError(f"cannot extend the never list of {entity!r}; add {name!r} by hand", str(path))


def _value(node) -> str:
    return node.value.strip() if node is not None and isinstance(node.value, str) else ""


def _after_content(text: str, at: int, line_end: Callable[[str, int], int]) -> int:
    """The start of the line after the content ending at ``at``: a block scalar's end mark lies
    past the blank lines after it, so step back over whitespace first."""
    while at > 0 and text[at - 1] in " \t\r\n":
        at -= 1
    return line_end(text, at)


def console_io(console, stdin) -> tuple[Ask, Say]:
    """Questions on ``console``, answers from ``stdin``.  Answers that are not typed on a terminal
    (piped, from a file) are echoed after their prompt, so a scripted run's transcript reads."""
    echo = not stdin.isatty()

    def ask(prompt: str) -> str | None:
        console.print(prompt, end="", markup=False, highlight=False)
        reply = stdin.readline()
        if echo:
            console.print(_printable(reply.rstrip("\r\n")), markup=False, highlight=False)
        return reply if reply else None

    def say(what: str | Text) -> None:
        console.print(what, markup=False, highlight=False)

    return ask, say
