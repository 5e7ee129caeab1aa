"""The curated list of correct names: entities, their derived forms, loaders and validation.

A gazetteer is human-edited YAML (one file per domain) or bulk TSV/CSV.  This module reads and
validates files into ``Entity`` records; ``store.py`` compiles them into lookup arrays.  Loading
validates everything and fails with ``file:line: problem`` so a typo in a
gazetteer never turns into a wrong fix.  YAML is read with PyYAML's *safe*
loader, and anchors/aliases are refused outright: a gazetteer never needs them
and they are how "billion laughs" documents blow up memory.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from entityfix.errors import EntityfixError
from entityfix.spelling.names import surname_tokens, tokenize
from entityfix.spelling.phonetic import exact_key

ENTITY_TYPES = frozenset(
    {"PERSON", "GPE", "LOC", "ORG", "NORP", "FAC", "EVENT", "LAW", "PRODUCT", "WORK_OF_ART", "LANGUAGE", "MISC"}
)
ENTITY_KEYS = frozenset({"name", "type", "aliases", "misspellings", "never", "note"})
TOP_KEYS = frozenset({"entities", "description", "reference"})
REFERENCE_MARK = "#! reference"  # first line of a TSV/CSV reference list
MAX_GAZETTEER_BYTES = 200 * 1024 * 1024
MAX_DEPTH = 8

# Kinds of form, in the order the resolver prefers them as a replacement.
CANONICAL, ALIAS, SURNAME = "canonical", "alias", "surname"


@dataclass(frozen=True)
class Entity:
    """One real-world name and everything known about how it is written."""

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


# ---------------------------------------------------------------- YAML loading


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _string(node: yaml.Node, path: str, what: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
        raise EntityfixError(f"{what} must be a string", path, _line(node))
    value = node.value.strip()
    if not value:
        raise EntityfixError(f"{what} must not be empty", path, _line(node))
    if not tokenize(value):
        raise EntityfixError(f"{what} {value!r} has no letters or digits", path, _line(node))
    return value


def _string_list(node: yaml.Node, path: str, what: str) -> tuple[str, ...]:
    if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
        return ()
    if not isinstance(node, yaml.SequenceNode):
        raise EntityfixError(f"{what} must be a list of strings", path, _line(node))
    return tuple(_string(item, path, f"each of {what}") for item in node.value)


def _check_depth(node: yaml.Node, path: str, depth: int = 0) -> None:
    if depth > MAX_DEPTH:
        raise EntityfixError(f"nested deeper than {MAX_DEPTH} levels", path, _line(node))
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_depth(item, path, depth + 1)
    elif isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            _check_depth(key, path, depth + 1)
            _check_depth(value, path, depth + 1)


def _read_text(path: Path) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_GAZETTEER_BYTES:
            raise EntityfixError(f"gazetteer is {size} bytes, more than the {MAX_GAZETTEER_BYTES} allowed", str(path))
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise EntityfixError("gazetteer not found", str(path)) from None
    except IsADirectoryError:
        raise EntityfixError("is a folder, expected a gazetteer file", str(path)) from None
    except PermissionError:
        raise EntityfixError("permission denied", str(path)) from None
    except UnicodeDecodeError as exc:
        raise EntityfixError(f"not UTF-8 text (byte {exc.start})", str(path)) from None


def load_yaml(path: Path) -> list[Entity]:
    """Parse and validate one YAML gazetteer; raise EntityfixError with file:line."""
    spath = str(path)
    text = _read_text(path)
    if "\x00" in text:
        raise EntityfixError("binary file, expected YAML", spath)
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise EntityfixError("YAML anchors and aliases are not allowed", spath, event.start_mark.line + 1)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "YAML syntax error"
        raise EntityfixError(f"YAML syntax error: {problem}", spath, line) from None
    except yaml.YAMLError as exc:
        raise EntityfixError(f"YAML error: {exc}", spath) from None
    except RecursionError:
        raise EntityfixError(f"nested deeper than {MAX_DEPTH} levels", spath) from None
    if root is None:
        raise EntityfixError("empty gazetteer (expected a mapping with an 'entities' list)", spath)
    _check_depth(root, spath)
    if not isinstance(root, yaml.MappingNode):
        raise EntityfixError("top level must be a mapping with an 'entities' list", spath, _line(root))
    entities_node = None
    reference = False
    for key, value in root.value:
        k = _string(key, spath, "key")
        if k not in TOP_KEYS:
            raise EntityfixError(f"unknown key {k!r} (expected one of: {', '.join(sorted(TOP_KEYS))})", spath, _line(key))
        if k == "entities":
            entities_node = value
        if k == "reference":
            if not (isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:bool"):
                raise EntityfixError("'reference' must be true or false", spath, _line(value))
            reference = value.value.lower() in {"true", "yes", "on"}
    if entities_node is None:
        raise EntityfixError("missing 'entities' list", spath, _line(root))
    if isinstance(entities_node, yaml.ScalarNode) and entities_node.tag == "tag:yaml.org,2002:null":
        return []
    if not isinstance(entities_node, yaml.SequenceNode):
        raise EntityfixError("'entities' must be a list", spath, _line(entities_node))
    out: list[Entity] = []
    for item in entities_node.value:
        entity = _entity_from_node(item, spath)
        out.append(replace(entity, reference=True) if reference else entity)
    _check_duplicates(out, spath)
    return out


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
    return Entity(name, etype, lists["aliases"], lists["misspellings"], lists["never"], path, line)


def _check_duplicates(entities: list[Entity], path: str) -> None:
    """A name that is the correct form of two entities is a conflict; a misspelling that is also correct too."""
    owner: dict[tuple[str, str], Entity] = {}
    for entity in entities:
        own: set[str] = set()
        for text in (entity.name, *entity.aliases):
            key = " ".join(t.key for t in tokenize(text))
            if key in own:
                raise EntityfixError(f"{text!r} is listed twice for {entity.name!r}", path, entity.line)
            own.add(key)
            prev = owner.get((key, entity.type))
            if prev is not None:
                what = "duplicate entity" if prev.name == entity.name else f"{text!r} is already a name of {prev.name!r} (line {prev.line})"
                raise EntityfixError(f"{what}: {entity.name!r}", path, entity.line)
            owner[(key, entity.type)] = entity
        for wrong in entity.misspellings:
            key = " ".join(t.key for t in tokenize(wrong))
            if key in own:
                raise EntityfixError(f"misspelling {wrong!r} is also a correct name of {entity.name!r}", path, entity.line)


def name_key(text: str) -> str:
    """The exact-token key two spellings of one name share ("GANTZ" = "Gantz", "Müller" != "Muller")."""
    return " ".join(t.key for t in tokenize(text))


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


def check_lists(entities: list[Entity], strict: bool = False) -> None:
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
    correct: dict[str, Entity] = {}
    for entity in entities:
        own = {name_key(text) for text in (entity.name, *entity.aliases)}
        for ok in entity.never:
            if name_key(ok) in own:
                raise EntityfixError(f"never-change spelling {ok!r} is a name of {entity.name!r} itself", entity.source, entity.line)
        for text in _correct_forms(entity):
            correct.setdefault(name_key(text), entity)
        if entity.reference:
            continue
        for text in (entity.name, *entity.aliases):
            prev = curated.setdefault(name_key(text), entity)
            if prev.type != entity.type:
                raise EntityfixError(
                    f"{text!r} is listed for two entities of different types: {prev.name!r} ({prev.type}, "
                    f"{prev.source}:{prev.line}) and {entity.name!r} ({entity.type})",
                    entity.source, entity.line,
                )
            if strict and prev.name != entity.name:
                raise EntityfixError(f"{text!r} names both {prev.name!r} ({prev.source}:{prev.line}) and {entity.name!r}", entity.source, entity.line)
    for entity in entities:
        for wrong in entity.misspellings:
            owner = correct.get(name_key(wrong))
            if owner is not None:
                raise EntityfixError(
                    f"misspelling {wrong!r} of {entity.name!r} is a correct name of {owner.name!r} ({owner.source}:{owner.line})",
                    entity.source, entity.line,
                )


# ---------------------------------------------------------------- TSV / CSV loading


def load_table(path: Path) -> list[Entity]:
    """Bulk gazetteer: columns name, type, aliases, never (both '|'-separated, optional); header row optional.

    ``aliases`` are other correct names (a fix may write them); ``never`` are spellings to leave
    alone but never to write (exonyms, transliterations: "Londres", "Peking").
    """
    spath = str(path)
    text = _read_text(path)
    delimiter = "\t" if path.suffix.lower() in {".tsv", ".tab"} else ","
    out: list[Entity] = []
    reader = csv.reader(text.splitlines(), delimiter=delimiter)
    first = True
    reference = text.startswith(REFERENCE_MARK)
    for lineno, row in enumerate(reader, start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        header, first = first and [c.strip().lower() for c in row[:2]] == ["name", "type"], False
        if header:
            continue
        if len(row) < 2:
            raise EntityfixError("expected at least two columns: name, type", spath, lineno)
        name, etype = row[0].strip(), row[1].strip().upper()
        if not name or not tokenize(name):
            raise EntityfixError("empty name", spath, lineno)
        if etype not in ENTITY_TYPES:
            raise EntityfixError(f"unknown type {etype!r}", spath, lineno)
        aliases = tuple(a.strip() for a in row[2].split("|") if a.strip()) if len(row) > 2 else ()
        never = tuple(a.strip() for a in row[3].split("|") if a.strip() and tokenize(a)) if len(row) > 3 else ()
        out.append(Entity(name, etype, aliases, (), never, spath, lineno, reference))
    _check_duplicates(out, spath)
    return out


GAZETTEER_SUFFIXES = (".yaml", ".yml", ".tsv", ".csv")


def gazetteer_files(path: Path) -> list[Path]:
    """A gazetteer path is a file or a folder of .yaml/.yml/.tsv/.csv files (sorted)."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix.lower() in GAZETTEER_SUFFIXES and p.is_file())
    return [path]


def load_entities(path: Path) -> list[Entity]:
    if path.suffix.lower() in {".tsv", ".tab", ".csv"}:
        return load_table(path)
    return load_yaml(path)
