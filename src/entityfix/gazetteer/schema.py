"""The curated list of correct names: entities, their derived forms, loaders and validation.

A gazetteer is human-edited YAML (one file per domain) or bulk TSV/CSV.  This module reads and
validates files into ``Entity`` records; ``store.py`` compiles them into lookup arrays.  Loading
validates everything and fails with ``file:line: problem`` so a typo in a
gazetteer never turns into a wrong fix.

A YAML gazetteer is a mapping::

    description: what the list is about          # optional
    reference: false                             # optional: true marks a reference list
    entities:                                    # the names, see ENTITY_KEYS
      - name: Benny Gantz
        type: PERSON
        aliases: [Benjamin Gantz]
    rejected:                                    # optional: names ``learn`` must never add
      - Reuters                                  #   this name, whatever the type
      - {name: Kassym-Jomart Tokayev, type: ORG} #   this name as this type only
    learned:                                     # kept by ``learn``: what it added (see learn.py)
      - {name: Benny Gantz, type: PERSON}

``rejected`` and ``learned`` are validated like names (a string, within MAX_NAME_CHARS, a known
type) but are never matched or fixed towards: only ``entities`` are compiled.  ``learn`` reads them
to honour the user's edits: an entry it added that the user deleted, renamed or retyped is moved
from ``learned`` to ``rejected`` on its next run and never proposed again.

Hostile input answers at once, whatever its size up to MAX_GAZETTEER_BYTES:

* YAML is read with libyaml's parser (PyYAML's pure-Python one where libyaml is missing) and safe
  tags only; anchors and aliases are refused outright, at the first one: a gazetteer never needs
  them and they are how "billion laughs" documents blow up memory;
* flow brackets (``[`` / ``{``) nested deeper than MAX_DEPTH are found by a byte scan before any
  YAML parsing (PyYAML's scanner is quadratic in the depth of flow collections: 40 KB of brackets
  took 39 s), and any other nesting is refused while the document is read, at its line;
* the ``entities`` list is read one entry at a time, each entry limited to MAX_ENTRY_VALUES values,
  so a file of the wrong shape fails at its first wrong value instead of after building all of it;
* every name is at most MAX_NAME_CHARS characters, checked before anything else looks at it.
"""

from __future__ import annotations

import codecs
import csv
import gc
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from entityfix.errors import EntityfixError
from entityfix.spelling.names import _TOKEN, surname_tokens, tokenize
from entityfix.spelling.phonetic import exact_key

ENTITY_TYPES = frozenset(
    {"PERSON", "GPE", "LOC", "ORG", "NORP", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART", "LANGUAGE", "MISC"}
)
ENTITY_KEYS = frozenset({"name", "type", "aliases", "misspellings", "never", "note"})
TOP_KEYS = frozenset({"entities", "description", "reference", "rejected", "learned"})
RECORD_KEYS = frozenset({"name", "type", "note"})  # an entry of `rejected:` or `learned:`
REFERENCE_MARK = "#! reference"  # first line of a TSV/CSV reference list
MAX_GAZETTEER_BYTES = 200 * 1024 * 1024
MAX_DEPTH = 8  # a gazetteer needs 4 (document, entities, entity, aliases)
MAX_NAME_CHARS = 256
"""The longest name, alias, misspelling or never-change spelling a gazetteer may hold.

Real names fit with room to spare: the longest in the shipped world-places list has 95 characters,
"The United Kingdom of Great Britain and Northern Ireland" 56, Bangkok's full ceremonial name 168,
the longest act titles about 150.  Anything longer is not a name but a pasted paragraph or a broken
export, and letting it in costs every lookup (trigrams, edit distances) for nothing; the compiled
index also stores token lengths compactly.  So a longer one is an error with its file and line.
"""
Report = Callable[[str, int, int], None]  # progress: (what, done, total), called now and then
REPORT_EVERY = 16_384  # rows or entries between two progress reports
MAX_ENTRY_VALUES = 10_000  # values in one entry (its names, aliases, ...); real entries have a few dozen
FLOW_SCAN_CHUNK = 1 << 20  # bytes per step of the bracket scan: bounded memory on a 200 MB file

# Kinds of form, in the order the resolver prefers them as a replacement.
CANONICAL, ALIAS, SURNAME = "canonical", "alias", "surname"


@dataclass(frozen=True, slots=True)
class Entity:
    """One real-world name and everything known about how it is written (slots: a million of them
    are held while a bulk list is checked and compiled, a quarter of the memory without a ``__dict__``)."""

    name: str
    type: str
    aliases: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    source: str = ""
    line: int = 0
    # a reference list entry (every city on earth) names what exists, not what this text is about:
    # the resolver fixes towards it only when the document supports it (see resolve.py)
    reference: bool = False


@dataclass(frozen=True)
class Form:
    """One correct way of writing an entity, cut into tokens."""

    entity: int  # index into Gazetteer.entities
    text: str
    tokens: tuple[str, ...]
    kind: str

    @property
    def key(self) -> tuple[str, ...]:
        return tuple(exact_key(t) for t in self.tokens)


@dataclass(frozen=True)
class NameRecord:
    """An entry of ``rejected:`` or ``learned:``: a name, and its type (None: any type)."""

    name: str
    type: str | None
    line: int = 0


@dataclass
class GazetteerFile:
    """Everything a YAML gazetteer holds; only ``entities`` are ever compiled and matched."""

    entities: list[Entity] = field(default_factory=list)
    rejected: list[NameRecord] = field(default_factory=list)
    learned: list[NameRecord] = field(default_factory=list)


# ---------------------------------------------------------------- YAML loading


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _string(node: yaml.Node, path: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        raise EntityfixError(f"{what} must be a string", path, _line(node))
    value = node.value.strip()
    check_length(value, what, path, _line(node))
    if not value:
        raise EntityfixError(f"{what} must not be empty", path, _line(node))
    if not tokenize(value):
        raise EntityfixError(f"{what} {value!r} has no letters or digits", path, _line(node))
    return value


def check_length(value: str, what: str, path: str, line: int | None) -> None:
    """Refuse a name over MAX_NAME_CHARS characters (before tokenizing or indexing it)."""
    if len(value) > MAX_NAME_CHARS:
        raise EntityfixError(f"{what} is {len(value)} characters long, more than the {MAX_NAME_CHARS} allowed", path, line)


ITEM_WORDS = {"aliases": "alias", "misspellings": "misspelling", "never": "never-change spelling"}


def _string_list(node: yaml.Node, path: str, what: str) -> tuple[str, ...]:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return ()
    if not isinstance(node, yaml.SequenceNode):
        raise EntityfixError(f"{what} must be a list of strings", path, _line(node))
    return tuple(_string(item, path, ITEM_WORDS.get(what, f"each of {what}")) for item in node.value)


def _read_text(path: Path) -> str:
    return _decode(_read_bytes(path), path)


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_GAZETTEER_BYTES:
            raise EntityfixError(f"gazetteer is {size} bytes, more than the {MAX_GAZETTEER_BYTES} allowed", str(path))
        return path.read_bytes()
    except FileNotFoundError:
        raise EntityfixError("gazetteer not found", str(path)) from None
    except IsADirectoryError:
        raise EntityfixError("is a folder, expected a gazetteer file", str(path)) from None
    except PermissionError:
        raise EntityfixError("permission denied", str(path)) from None


def _decode(data: bytes, path: Path | str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EntityfixError(f"not UTF-8 text (byte {exc.start})", str(path)) from None


def _check_utf8(data: bytes, path: Path | str) -> None:
    """``_decode``'s check without holding the decoded text: a megabyte at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), FLOW_SCAN_CHUNK):
        try:
            decoder.decode(view[start : start + FLOW_SCAN_CHUNK], final=start + FLOW_SCAN_CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            raise EntityfixError(f"not UTF-8 text (byte {start + exc.start})", str(path)) from None


def flow_nesting_line(data: bytes) -> int | None:
    """The line where flow brackets first nest deeper than MAX_DEPTH, or None; no YAML parsing.

    The depth is a running count of ``[``/``{`` minus ``]``/``}`` over the bytes, never below zero
    (so a stray closing bracket cannot hide later nesting).  Brackets inside quotes or comments
    count too; a real gazetteer nests flow brackets two or three deep, so only text that opens
    nine more brackets than it closes is refused.  All at C speed (bytes methods, numpy):

    * fewer than MAX_DEPTH opening brackets in all cannot nest too deep;
    * the brackets alone, ``{`` and ``}`` written ``[`` and ``]``, keep every bracket's depth;
    * they are counted a megabyte at a time (``_first_too_deep``), stopping where it goes too deep.
    """
    if data.count(b"[") + data.count(b"{") <= MAX_DEPTH:
        return None
    at = _first_too_deep(data.translate(_AS_BRACKETS, _NOT_BRACKETS))
    return None if at is None else data.count(b"\n", 0, _offset_of_bracket(data, at)) + 1


_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_AS_BRACKETS = bytes.maketrans(b"{}", b"[]")


def _first_too_deep(brackets: bytes) -> int | None:
    """Index of the first ``[`` that goes deeper than MAX_DEPTH in a string of ``[`` and ``]``.

    Most megabytes are settled without counting them one by one: an empty pair ``[]`` leaves the
    depth around it as it was and goes one level above where it stands, so after ``n`` passes that
    drop the empty pairs, what is left (closing brackets, then opening ones) plus ``n`` bounds the
    depth inside.  Only a megabyte that bound does not clear is counted bracket by bracket.
    """
    depth = 0
    for start in range(0, len(brackets), FLOW_SCAN_CHUNK):
        piece = brackets[start : start + FLOW_SCAN_CHUNK]
        left, hidden = piece, 0
        while hidden <= MAX_DEPTH:
            fewer = left.replace(b"[]", b"")
            if len(fewer) == len(left):
                break
            left, hidden = fewer, hidden + 1
        closing = len(left) - len(left.lstrip(b"]"))
        opening = len(left) - closing
        if b"[]" not in left and max(depth, max(depth - closing, 0) + opening) + hidden <= MAX_DEPTH:
            depth = max(depth - closing, 0) + opening
            continue
        at, depth = _count_depth(piece, depth)
        if at is not None:
            return start + at
    return None


def _count_depth(piece: bytes, depth: int) -> tuple[int | None, int]:
    """Count ``piece`` bracket by bracket from ``depth``: (index past MAX_DEPTH or None, depth after)."""
    steps = np.subtract(ord("[") + 1, np.frombuffer(piece, dtype=np.uint8), dtype=np.int8)  # [ -> +1, ] -> -1
    running = np.cumsum(steps, dtype=np.int64) + depth
    if running.min() < 0:  # some closing bracket found nothing open: count from the floor reached
        running -= np.minimum(np.minimum.accumulate(running), 0)
    deep = np.flatnonzero(running > MAX_DEPTH)
    return (int(deep[0]), MAX_DEPTH + 1) if len(deep) else (None, int(running[-1]))


def _offset_of_bracket(data: bytes, index: int) -> int:
    """Offset in ``data`` of its ``index``-th bracket (counting from 0)."""
    start = 0
    while True:
        block = data[start : start + FLOW_SCAN_CHUNK]
        count = sum(block.count(b) for b in (b"[", b"]", b"{", b"}"))
        if index < count:
            where = np.flatnonzero(np.isin(np.frombuffer(block, dtype=np.uint8), np.frombuffer(b"[]{}", dtype=np.uint8)))
            return start + int(where[index])
        index -= count
        start += FLOW_SCAN_CHUNK


# PyYAML, imported by ``_parser_class`` when a YAML gazetteer is first parsed, not with this module:
# a warm run reads the compiled gazetteers from the cache and never parses YAML, and importing
# PyYAML would cost ~15 ms of every cold start.  Only the parse (``parse_yaml`` down) uses it.
yaml: Any = None


@lru_cache(maxsize=1)
def _parser_class() -> type:
    """The event parser, with PyYAML's resolver; imports PyYAML, binding this module's ``yaml``."""
    global yaml
    import yaml as module
    from yaml.resolver import Resolver

    yaml = module
    try:  # libyaml: the same events as PyYAML's parser, at C speed
        from yaml.cyaml import CParser as EventSource
    except ImportError:  # pragma: no cover - PyYAML built without libyaml
        EventSource = None

    if EventSource is not None:

        class _Parser(EventSource, Resolver):
            def __init__(self, text: str | bytes):
                EventSource.__init__(self, text)
                Resolver.__init__(self)

    else:  # pragma: no cover
        from yaml.parser import Parser as PyParser
        from yaml.reader import Reader as PyReader
        from yaml.scanner import Scanner as PyScanner

        class _Parser(PyReader, PyScanner, PyParser, Resolver):  # type: ignore[no-redef]
            def __init__(self, text: str | bytes):
                PyReader.__init__(self, text)
                PyScanner.__init__(self)
                PyParser.__init__(self)
                Resolver.__init__(self)

    return _Parser


_NULL = "tag:yaml.org,2002:null"


class _Reader:
    """Nodes from the parser's events, one entry at a time, refusing what a gazetteer never holds."""

    def __init__(self, text: str | bytes, path: str):
        self.events = _parser_class()(text)
        self.path = path
        self.values = 0  # values composed for the current entry
        self.entry_line = 1  # where the current entry starts

    def peek(self) -> yaml.Event:
        return self.events.peek_event()

    def next(self) -> yaml.Event:
        return self.events.get_event()

    def refuse_anchor(self, event: yaml.Event) -> None:
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise EntityfixError("YAML anchors and aliases are not allowed", self.path, event.start_mark.line + 1)

    def node(self, depth: int) -> yaml.Node:
        event = self.next()
        self.refuse_anchor(event)
        line = event.start_mark.line + 1
        if depth > MAX_DEPTH:
            raise EntityfixError(f"nested deeper than {MAX_DEPTH} levels", self.path, line)
        self.values += 1
        if self.values > MAX_ENTRY_VALUES:
            raise EntityfixError(f"entry holds more than {MAX_ENTRY_VALUES} values", self.path, self.entry_line)
        tag = event.tag if event.tag not in (None, "!") else None
        if isinstance(event, yaml.ScalarEvent):
            tag = tag or self.events.resolve(yaml.ScalarNode, event.value, event.implicit)
            return yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if isinstance(event, yaml.SequenceStartEvent):
            items = []
            while not isinstance(self.peek(), yaml.SequenceEndEvent):
                items.append(self.node(depth + 1))
            end = self.next()
            tag = tag or self.events.resolve(yaml.SequenceNode, None, event.implicit)
            return yaml.SequenceNode(tag, items, event.start_mark, end.end_mark, flow_style=event.flow_style)
        if isinstance(event, yaml.MappingStartEvent):
            pairs = []
            while not isinstance(self.peek(), yaml.MappingEndEvent):
                key = self.node(depth + 1)
                pairs.append((key, self.node(depth + 1)))
            end = self.next()
            tag = tag or self.events.resolve(yaml.MappingNode, None, event.implicit)
            return yaml.MappingNode(tag, pairs, event.start_mark, end.end_mark, flow_style=event.flow_style)
        raise EntityfixError(f"unexpected YAML {type(event).__name__}", self.path, line)

    def entry(self, depth: int) -> yaml.Node:
        """One whole entry (a top-level key or value, an item of a list), within its budget."""
        self.values, self.entry_line = 0, self.peek().start_mark.line + 1
        return self.node(depth)

    def items(self, key: str) -> Iterator[yaml.Node]:
        """The items of a top-level list, one at a time; nothing for an empty value."""
        event = self.peek()
        self.refuse_anchor(event)
        if isinstance(event, yaml.ScalarEvent) and self.entry(1).tag == _NULL:
            return
        if not isinstance(event, yaml.SequenceStartEvent):
            raise EntityfixError(f"{key!r} must be a list", self.path, event.start_mark.line + 1)
        self.next()
        while not isinstance(self.peek(), yaml.SequenceEndEvent):
            yield self.entry(2)
        self.next()


def parse_yaml(text: str | bytes, path: str, scanned: bool = False, report: Report | None = None) -> GazetteerFile:
    """Validate a YAML gazetteer's text (see the module docstring); raise EntityfixError with file:line.

    ``text``: a str, or the bytes of UTF-8 text (checked by the caller: the parser then reads the
    bytes as they are, without a decoded copy beside them).  ``scanned``: the caller already ran
    ``flow_nesting_line`` over the bytes.
    """
    _parser_class()  # imports PyYAML (once): the ``yaml`` the code below and its except clauses use
    line = None
    if not scanned:
        line = flow_nesting_line(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    if line is not None:
        raise EntityfixError(f"nested deeper than {MAX_DEPTH} levels", path, line)
    collecting = gc.isenabled()
    gc.disable()  # millions of small node objects and no cycles: collecting only slows the parse down
    try:
        lines = text.count(b"\n" if isinstance(text, bytes) else "\n") + 1 if report else 0
        return _parse(_Reader(text, path), path, report, lines)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "YAML syntax error"
        raise EntityfixError(f"YAML syntax error: {problem}", path, where) from None
    except yaml.reader.ReaderError as exc:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        bad = _NOT_YAML_TEXT.search(text)  # the reader's offset counts bytes or characters, by parser
        where = text.count("\n", 0, bad.start()) + 1 if bad else None
        raise EntityfixError(f"YAML error: {exc.reason}", path, where) from None
    except yaml.YAMLError as exc:
        raise EntityfixError(f"YAML error: {exc}", path) from None
    except RecursionError:  # pragma: no cover - nesting is limited above
        raise EntityfixError(f"nested deeper than {MAX_DEPTH} levels", path) from None
    finally:
        if collecting:
            gc.enable()


# what YAML 1.1 allows in a document (PyYAML's Reader.NON_PRINTABLE, plus the BOM it skips)
_NOT_YAML_TEXT = re.compile("[^\x09\x0A\x0D\x20-\x7E\x85\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


def _parse(reader: _Reader, path: str, report: Report | None = None, lines: int = 0) -> GazetteerFile:
    out = GazetteerFile()
    reader.next()  # stream start
    if isinstance(reader.peek(), yaml.StreamEndEvent):
        raise EntityfixError("empty gazetteer (expected a mapping with an 'entities' list)", path)
    reader.next()  # document start
    root = reader.peek()
    reader.refuse_anchor(root)
    if not isinstance(root, yaml.MappingStartEvent):
        raise EntityfixError("top level must be a mapping with an 'entities' list", path, root.start_mark.line + 1)
    reader.next()
    seen: dict[str, int] = {}
    reference = False
    while not isinstance(reader.peek(), yaml.MappingEndEvent):
        key = reader.entry(1)
        k = _string(key, path, "key")
        if k not in TOP_KEYS:
            reader.refuse_anchor(reader.peek())  # "a: &a [...]" is the bigger problem
            raise EntityfixError(f"unknown key {k!r} (expected one of: {', '.join(sorted(TOP_KEYS))})", path, _line(key))
        if k in seen:
            raise EntityfixError(f"key {k!r} given twice (first on line {seen[k]})", path, _line(key))
        seen[k] = _line(key)
        if k == "entities":
            for item in reader.items(k):
                out.entities.append(_entity_from_node(item, path))
                if report is not None and len(out.entities) % REPORT_EVERY == 0:
                    report(f"reading {path}", _line(item), lines)
        elif k in ("rejected", "learned"):
            getattr(out, k).extend(_record_from_node(item, path, k) for item in reader.items(k))
        else:
            event = reader.peek()
            if not isinstance(event, yaml.ScalarEvent):
                reader.refuse_anchor(event)
                raise EntityfixError(f"{k!r} must be {'true or false' if k == 'reference' else 'a string'}", path, event.start_mark.line + 1)
            value = reader.entry(1)
            if k == "reference":
                if value.tag != "tag:yaml.org,2002:bool":
                    raise EntityfixError("'reference' must be true or false", path, _line(value))
                reference = value.value.lower() in {"true", "yes", "on"}
    reader.next()  # mapping end
    reader.next()  # document end
    after = reader.next()
    if not isinstance(after, yaml.StreamEndEvent):
        raise EntityfixError("more than one YAML document (a gazetteer is one mapping)", path, after.start_mark.line + 1)
    if "entities" not in seen:
        raise EntityfixError("missing 'entities' list", path, root.start_mark.line + 1)
    if reference:
        out.entities = [replace(e, reference=True) for e in out.entities]
    _check_duplicates(out.entities, path)
    return out


def read_yaml(path: Path, report: Report | None = None) -> GazetteerFile:
    """Read, pre-scan and validate one YAML gazetteer with all its sections."""
    spath = str(path)
    data = _read_bytes(path)
    if b"\x00" in data:
        raise EntityfixError("binary file, expected YAML", spath)
    line = flow_nesting_line(data)  # before decoding and parsing anything
    if line is not None:
        raise EntityfixError(f"nested deeper than {MAX_DEPTH} levels", spath, line)
    _check_utf8(data, path)
    return parse_yaml(data, spath, scanned=True, report=report)


def load_yaml(path: Path, report: Report | None = None) -> list[Entity]:
    """Parse and validate one YAML gazetteer; raise EntityfixError with file:line."""
    return read_yaml(path, report).entities


def _record_from_node(node: yaml.Node, path: str, section: str) -> NameRecord:
    """``- Reuters`` or ``- {name: Reuters, type: ORG}`` (a type is required under ``learned``)."""
    line = _line(node)
    if isinstance(node, yaml.ScalarNode):
        if section == "learned":
            raise EntityfixError("a 'learned' entry has no 'type' (expected name and type)", path, line)
        return NameRecord(_string(node, path, "name"), None, line)
    if not isinstance(node, yaml.MappingNode):
        raise EntityfixError(f"each {section!r} entry must be a name or a mapping with 'name' and 'type'", path, line)
    fields: dict[str, yaml.Node] = {}
    for key, value in node.value:
        k = _string(key, path, "key")
        if k not in RECORD_KEYS:
            raise EntityfixError(f"unknown key {k!r} in a {section!r} entry (expected one of: {', '.join(sorted(RECORD_KEYS))})", path, _line(key))
        if k in fields:
            raise EntityfixError(f"key {k!r} given twice", path, _line(key))
        fields[k] = value
    if "name" not in fields:
        raise EntityfixError(f"{section!r} entry has no 'name'", path, line)
    if "type" not in fields and section == "learned":
        raise EntityfixError("'learned' entry has no 'type'", path, line)
    name = _string(fields["name"], path, "name")
    etype = None
    if "type" in fields:
        etype = _string(fields["type"], path, "type").upper()
        if etype not in ENTITY_TYPES:
            raise EntityfixError(f"unknown type {etype!r} (expected one of: {', '.join(sorted(ENTITY_TYPES))})", path, _line(fields["type"]))
    if "note" in fields and not isinstance(fields["note"], yaml.ScalarNode):
        raise EntityfixError("note must be a string", path, _line(fields["note"]))
    return NameRecord(name, etype, line)


def _entity_from_node(node: yaml.Node, path: str) -> Entity:
    line = _line(node)
    if not isinstance(node, yaml.MappingNode):
        raise EntityfixError("each entity must be a mapping with 'name' and 'type'", path, line)
    fields: dict[str, yaml.Node] = {}
    for key, value in node.value:
        k = _string(key, path, "key")
        if k not in ENTITY_KEYS:
            raise EntityfixError(f"unknown entity key {k!r} (expected one of: {', '.join(sorted(ENTITY_KEYS))})", path, _line(key))
        if k in fields:
            raise EntityfixError(f"key {k!r} given twice", path, _line(key))
        fields[k] = value
    if "name" not in fields:
        raise EntityfixError("entity has no 'name'", path, line)
    if "type" not in fields:
        raise EntityfixError("entity has no 'type'", path, line)
    name = _string(fields["name"], path, "name")
    etype = _string(fields["type"], path, "type").upper()
    if etype not in ENTITY_TYPES:
        raise EntityfixError(f"unknown type {etype!r} (expected one of: {', '.join(sorted(ENTITY_TYPES))})", path, _line(fields["type"]))
    lists = {k: _string_list(fields[k], path, k) if k in fields else () for k in ("aliases", "misspellings", "never")}
    if "note" in fields and not isinstance(fields["note"], yaml.ScalarNode):
        raise EntityfixError("note must be a string", path, _line(fields["note"]))
    return Entity(name, etype, lists["aliases"], lists["misspellings"], lists["never"], path, line)


def _check_duplicates(entities: list[Entity], path: str) -> None:
    """A name that is the correct form of two entities is a conflict; a misspelling that is also correct too."""
    owner: dict[tuple[str, str], Entity] = {}
    for entity in entities:
        own: set[str] = set()
        for text in (entity.name, *entity.aliases):
            key = name_key(text)
            if key in own:
                raise EntityfixError(f"{text!r} is listed twice for {entity.name!r}", path, entity.line)
            own.add(key)
            prev = owner.get((key, entity.type))
            if prev is not None:
                what = "duplicate entity" if prev.name == entity.name else f"{text!r} is already a name of {prev.name!r} (line {prev.line})"
                raise EntityfixError(f"{what}: {entity.name!r}", path, entity.line)
            owner[(key, entity.type)] = entity
        for wrong in entity.misspellings:
            if name_key(wrong) in own:
                raise EntityfixError(f"misspelling {wrong!r} is also a correct name of {entity.name!r}", path, entity.line)


def name_key(text: str) -> str:
    """The exact-token key two spellings of one name share ("GANTZ" = "Gantz", "Müller" != "Muller").

    ``" ".join(t.key for t in tokenize(text))``, without the folded form every Token also carries
    (accent stripping per token, the most of tokenize's cost): a million-name list is keyed about
    three times over while it is checked.  The same token pattern, possessive rule and key.
    """
    if text.isascii():  # most names: exact_key is then lower case without the inner ' and .
        low = text.lower()
        if "'" not in low and "." not in low:
            return " ".join(_ASCII_TOKEN.findall(low))
        keys = []
        for word in _ASCII_TOKEN.findall(low):
            if len(word) >= 4 and word.endswith("'s"):
                word = word[:-2]
            keys.append(word.translate(_INNER_MARKS))
        return " ".join(keys)
    return " ".join([exact_key(word) for word in token_texts(text)])


_ASCII_TOKEN = re.compile(r"[a-z0-9]+(?:['.][a-z0-9]+)*")  # names._TOKEN on lower-case ASCII text
_INNER_MARKS = str.maketrans("", "", "'.")


def token_texts(text: str) -> tuple[str, ...]:
    """``tuple(t.text for t in tokenize(text))`` without the keys each Token works out."""
    words = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        if len(word) >= 4 and word[-1] in "sS" and word[-2] in "'’":  # tokenize drops a possessive 's
            word = word[:-2]
        words.append(word)
    return tuple(words)


def _has_token(text: str) -> bool:
    """``bool(tokenize(text))``: a letter or digit (dropping a possessive never empties a token)."""
    return _TOKEN.search(text) is not None


def _correct_forms(entity: Entity) -> list[str]:
    """Every correct way of writing the entity: name, aliases and, for a person, the surnames."""
    full = [entity.name, *entity.aliases]
    forms = list(full)
    if entity.type == "PERSON":
        for text in full:
            toks = tuple(t.text for t in tokenize(text))
            sur = surname_tokens(toks)
            if sur and sur != toks:
                forms.append(" ".join(sur))
                forms.append(sur[-1])
    return forms


def check_lists(entities: list[Entity], strict: bool = False, report: Report | None = None) -> None:
    """The lists loaded together must not contradict each other, or a list would rewrite correct text.

    * a misspelling may not be a correct form (name, alias, derived surname) of any loaded entity:
      ``misspellings: [Benny Gantz]`` on another entity would turn every correct "Benny Gantz" into it;
    * an entity's ``never`` may not hold one of its own names;
    * one name may not belong to two curated entities of different types (a name is one thing in
      the texts a curated list is about); with ``strict`` (``gazetteer validate``), not to two
      different curated entities at all.  A reference list (every city on earth) may share names
      with curated lists: there the curated entry wins.

    Each problem is an error naming the file and line of the entity that brings the contradiction.
    """
    curated: dict[str, Entity] = {}
    for n, entity in enumerate(entities):
        if report is not None and n % REPORT_EVERY == 0:
            report("checking the lists against each other", n, len(entities))
        keys = [name_key(text) for text in (entity.name, *entity.aliases)]
        for ok in entity.never:
            if name_key(ok) in keys:
                raise EntityfixError(f"never-change spelling {ok!r} is a name of {entity.name!r} itself", entity.source, entity.line)
        if entity.reference:
            continue
        for text, key in zip((entity.name, *entity.aliases), keys):
            prev = curated.setdefault(key, entity)
            if prev.type != entity.type:
                raise EntityfixError(
                    f"{text!r} is listed for two entities of different types: {prev.name!r} ({prev.type}, "
                    f"{prev.source}:{prev.line}) and {entity.name!r} ({entity.type})",
                    entity.source, entity.line,
                )
            if strict and prev.name != entity.name:
                raise EntityfixError(f"{text!r} names both {prev.name!r} ({prev.source}:{prev.line}) and {entity.name!r}", entity.source, entity.line)
    del curated
    # only the forms some misspelling is spelt like are kept (bulk lists have no misspellings at all)
    wanted = {name_key(wrong) for entity in entities for wrong in entity.misspellings}
    if not wanted:
        return
    correct: dict[str, Entity] = {}
    for entity in entities:
        for text in _correct_forms(entity):
            key = name_key(text)
            if key in wanted:
                correct.setdefault(key, entity)
    for entity in entities:
        for wrong in entity.misspellings:
            owner = correct.get(name_key(wrong))
            if owner is not None:
                raise EntityfixError(
                    f"misspelling {wrong!r} of {entity.name!r} is a correct name of {owner.name!r} ({owner.source}:{owner.line})",
                    entity.source, entity.line,
                )


# ---------------------------------------------------------------- TSV / CSV loading


def load_table(path: Path, report: Report | None = None) -> list[Entity]:
    """Bulk gazetteer: columns name, type, aliases, never (both '|'-separated, optional); header row optional.

    ``aliases`` are other correct names (a fix may write them); ``never`` are spellings to leave
    alone but never to write (exonyms, transliterations: "Londres", "Peking").  Every name is at
    most MAX_NAME_CHARS characters, and a cell over the csv module's field limit (128 KiB) is an
    error with its line, like every other problem.
    """
    spath = str(path)
    text = _read_text(path)
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    out: list[Entity] = []
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    first = True
    reference = text.startswith(REFERENCE_MARK)
    lines = text.count("\n") + 1 if report is not None else 0
    try:
        for lineno, row in enumerate(reader, start=1):
            if report is not None and lineno % REPORT_EVERY == 0:
                report(f"reading {spath}", lineno, lines)
            if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
                continue
            header, first = first and [c.strip().lower() for c in row[:2]] == ["name", "type"], False
            if header:
                continue
            if len(row) < 2:
                raise EntityfixError("expected at least two columns: name, type", spath, lineno)
            name, etype = row[0].strip(), row[1].strip().upper()
            check_length(name, "name", spath, lineno)
            if not name or not _has_token(name):
                raise EntityfixError("empty name", spath, lineno)
            if etype not in ENTITY_TYPES:
                raise EntityfixError(f"unknown type {etype[:40]!r}", spath, lineno)
            aliases = _cell_names(row[2], "alias", spath, lineno) if len(row) > 2 else ()
            never = tuple(a for a in _cell_names(row[3], "never-change spelling", spath, lineno) if _has_token(a)) if len(row) > 3 else ()
            out.append(Entity(name, etype, aliases, (), never, spath, lineno, reference))
    except csv.Error as exc:
        problem = f"a cell is more than {csv.field_size_limit()} characters long" if "field limit" in str(exc) else f"unreadable row: {exc}"
        raise EntityfixError(problem, spath, reader.line_num) from None
    _check_duplicates(out, spath)
    return out


def _cell_names(cell: str, what: str, path: str, line: int) -> tuple[str, ...]:
    """The '|'-separated names of one cell, each within MAX_NAME_CHARS."""
    if not cell:
        return ()
    names = tuple(a.strip() for a in cell.split("|") if a.strip())
    for name in names:
        check_length(name, what, path, line)
    return names


GAZETTEER_SUFFIXES = (".yaml", ".yml", ".tsv", ".csv")


def gazetteer_files(path: Path) -> list[Path]:
    """A gazetteer path is a file or a folder of .yaml/.yml/.tsv/.csv files (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in GAZETTEER_SUFFIXES and p.is_file())
    return [path]


def load_entities(path: Path, report: Report | None = None) -> list[Entity]:
    if path.suffix.lower() in {".tsv", ".tab", ".csv"}:
        return load_table(path, report)
    return load_yaml(path, report)
