"""Build or extend a gazetteer from trusted reference text, honouring the user's edits.

NER runs over text known to spell names correctly (an original-language wire,
an official list); each distinct name becomes an entity with the label NER gave
it most often.  Bare surnames of people already learnt ("Gantz" beside "Benny
Gantz") are left out because the gazetteer derives them.

An existing gazetteer is extended *as text*: new entries are inserted into its
``entities`` list and nothing else in the file moves, so hand edits and comments
survive.  Names already present (as a name or alias, any type) are skipped, and
so are the file's listed misspellings and never-change spellings.

What the user took out stays out (the way a spell checker's ignore list or Vale's
``reject.txt`` vocabulary does), with two sections beside ``entities``::

    learned:                                  # written by learn: every entry it added
      - {name: Benny Gantz, type: PERSON}
    rejected:                                 # never proposed again
      - {name: Kassym-Jomart Tokayev, type: ORG}
      - Reuters                               # by hand: the name, whatever its type

* ``learned`` records the name and type of each entry ``learn`` adds.  On the next run,
  a recorded entry that is no longer in ``entities`` with that name (or as an alias)
  and that type - the user deleted it, corrected its name or changed its type - is
  moved from ``learned`` to ``rejected``, and the user's version is left as it is.
* ``rejected`` entries are never proposed again: ``name`` and ``type`` reject that
  name as that type; a bare name (or a mapping without ``type``) rejects the name as
  any type.  Add names by hand the same way; delete one to let ``learn`` propose it
  again.  Neither section is ever matched or fixed towards (schema.py).
* ``learned`` is rewritten by each run that changes it; its comments are not kept.
  A file without it (made by hand or by an older ``learn``) starts recording from
  the next entry added: deletions made before then cannot be told from names never
  learnt.

Each run writes the whole new text atomically (temporary file, rename), after
checking that it is a valid gazetteer; otherwise the file is left as it was.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from entityfix.text.document import read, write_atomic
from entityfix.errors import EntityfixError
from entityfix.text.extract import Extractor
from entityfix.gazetteer.schema import (
    MAX_GAZETTEER_BYTES,
    MAX_NAME_CHARS,
    Entity,
    GazetteerFile,
    NameRecord,
    check_lists,
    name_key,
    parse_yaml,
)
from entityfix.spelling.names import surname_tokens, tokenize

_LEADING = re.compile(r"^(?:the\s+|[\"“”‘’'(\[]+)+", re.IGNORECASE)
_TRAILING = re.compile(r"(?:['’]s|[\"“”‘’')\],;:]+)+$")  # not '.': "U.S." keeps its dot
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
HEADER = (
    "# Learnt by `entityfix learn`. Edit freely: later runs only add, and an entry you delete or\n"
    "# correct (name or type) moves to `rejected:` and is never proposed again. `learned:` is how\n"
    "# learn tells your edits from new names: keep it.\n"
)


def clean_name(text: str) -> str:
    """'the “Abraham Accords' -> 'Abraham Accords'; "Morocco’s" -> 'Morocco'."""
    name = " ".join(text.split())
    prev = None
    while prev != name:
        prev = name
        name = _LEADING.sub("", name)
        name = _TRAILING.sub("", name).strip()
    return name


def learn_entities(texts: list[str], extractor: Extractor) -> list[Entity]:
    """Distinct names of the reference texts, typed by majority NER label, in first-seen order."""
    labels: dict[str, Counter[str]] = defaultdict(Counter)
    spelling: dict[str, str] = {}
    for text in texts:
        for mention in extractor.mentions(text):
            if mention.source != "ner":
                continue
            name = clean_name(mention.text)
            toks = tokenize(name)
            if not toks or all(t.text.islower() for t in toks) or not 2 <= len(name) <= MAX_NAME_CHARS:
                continue
            if not any(ch.isalpha() for ch in name):
                continue
            key = " ".join(t.key for t in toks)
            spelling.setdefault(key, name)
            labels[key][mention.label] += 1
    people = {key for key, c in labels.items() if c.most_common(1)[0][0] == "PERSON"}
    surnames = set()
    for key in people:
        parts = tuple(key.split())
        sur = surname_tokens(parts)
        if sur and sur != parts:
            surnames.add(" ".join(sur))
    out = []
    for key, name in spelling.items():
        if key in surnames:
            continue
        label = labels[key].most_common(1)[0][0]
        out.append(Entity(name, label))
    return out


def _scalar(value: str, flow: bool = False) -> str:
    """A YAML scalar for value: plain when that reads back the same (in a flow mapping too), else double-quoted."""
    try:
        plain = yaml.safe_load(f"k: {value}") == {"k": value} and not value.startswith(("&", "*", "!", "-", "?"))
        if plain and flow:
            plain = yaml.safe_load(f"{{k: {value}}}") == {"k": value}
        if plain:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


def _entry(entity: Entity, indent: str) -> str:
    return f"{indent}- name: {_scalar(entity.name)}\n{indent}  type: {entity.type}\n"


def _record(record: NameRecord, indent: str) -> str:
    if record.type is None:
        return f"{indent}- {_scalar(record.name)}\n"
    return f"{indent}- {{name: {_scalar(record.name, flow=True)}, type: {record.type}}}\n"


@dataclass(frozen=True)
class Merged:
    added: int  # new entries
    rejected: int  # entries learn had added that the user deleted or corrected, now in `rejected:`


def merge_into(path: Path, learnt: list[Entity]) -> int:
    """Add the learnt entities missing from the gazetteer at ``path``; return how many were added."""
    return merge(path, learnt).added


def merge(path: Path, learnt: list[Entity]) -> Merged:
    """Record the user's edits of what learn added before, then add what is new and not rejected."""
    doc = read(path, max_bytes=MAX_GAZETTEER_BYTES) if path.exists() else None
    have = parse_yaml(doc.text, str(path)) if doc is not None else GazetteerFile()
    present: dict[str, set[str]] = defaultdict(set)  # name key -> types it is a name or alias of
    for entity in have.entities:
        for text in (entity.name, *entity.aliases):
            present[name_key(text)].add(entity.type)
    # spellings the file calls wrong or not to write are not names to learn
    wrong = {name_key(t) for entity in have.entities for t in (*entity.misspellings, *entity.never)}

    kept: list[NameRecord] = []
    newly_rejected: list[NameRecord] = []
    refused: dict[str, set[str | None]] = defaultdict(set)  # name key -> rejected types (None: any)
    for record in have.rejected:
        refused[name_key(record.name)].add(record.type)
    for record in have.learned:
        key = name_key(record.name)
        if record.type in present.get(key, ()):
            kept.append(record)
        elif not refused[key] & {None, record.type}:  # deleted or corrected by hand
            newly_rejected.append(NameRecord(record.name, record.type))
            refused[key].add(record.type)

    new: list[Entity] = []
    for entity in learnt:
        key = name_key(entity.name)
        if not key or key in present or key in wrong or refused.get(key, set()) & {None, entity.type}:
            continue
        present[key].add(entity.type)
        new.append(Entity(entity.name, entity.type))
    learned = kept + [NameRecord(e.name, e.type) for e in new]
    if doc is not None and not new and learned == have.learned:
        return Merged(0, 0)  # nothing new, no edit to record: the file is not touched
    if doc is None:
        text = HEADER + "entities:\n" + "".join(_entry(e, "  ") for e in new) if new else "entities: []\n"
        if learned:
            text += "learned:\n" + "".join(_record(r, "  ") for r in learned)
    else:
        text = doc.text
        if new:
            text = _append(text, "entities", "".join(_entry(e, "{indent}") for e in new), path)
        if newly_rejected:
            text = _append(text, "rejected", "".join(_record(r, "{indent}") for r in newly_rejected), path, before="learned")
        text = _replace_section(text, "learned", "".join(_record(r, "  ") for r in learned))
    result = parse_yaml(text, str(path))  # the result must be a valid gazetteer before it replaces anything
    check_lists(result.entities)
    if doc is None:
        _create(path, text)
    else:
        write_atomic(doc, text)
    return Merged(len(new), len(newly_rejected))


def _sections(text: str) -> dict[str, tuple[yaml.Node, yaml.Node]]:
    root = yaml.compose(text, Loader=_LOADER)
    if not isinstance(root, yaml.MappingNode):
        return {}
    return {key.value: (key, value) for key, value in root.value if isinstance(key, yaml.ScalarNode)}


def _content_end(node: yaml.Node) -> int:
    """Where a node's own text ends: a block collection's end mark lies past the comments after it."""
    if isinstance(node, yaml.ScalarNode) or getattr(node, "flow_style", False):
        return node.end_mark.index
    children = [c for item in node.value for c in (item if isinstance(item, tuple) else (item,))]
    return max((_content_end(c) for c in children), default=node.start_mark.index)


def _line_end(text: str, at: int) -> int:
    """The start of the line after position ``at`` (the text's end on the last line)."""
    nl = text.find("\n", at)
    return len(text) if nl < 0 else nl + 1


def _line_start(text: str, at: int) -> int:
    return text.rfind("\n", 0, at) + 1


def _append(text: str, section: str, items: str, path: Path, before: str | None = None) -> str:
    """Add block-list ``items`` (``{indent}`` placeholders) at the end of a top-level list, creating it if needed."""
    found = _sections(text)
    if section not in found:
        block = f"{section}:\n" + items.replace("{indent}", "  ")
        if before in found:  # new sections go before the one learn rewrites
            at = _line_start(text, found[before][0].start_mark.index)
            return text[:at] + block + text[at:]
        return text + ("" if text.endswith("\n") or not text else "\n") + block
    node = found[section][1]
    if isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        indent = " " * max(0, node.value[0].start_mark.column - 2)
        # after the last item's own line, before later comments (a block scalar, "note: |", ends past
        # the blank lines after it: its text ends at its last non-blank character)
        at = _line_end(text, len(text[: _content_end(node.value[-1])].rstrip()))
        head = text[:at] if text[:at].endswith("\n") else text[:at] + "\n"
        return head + items.replace("{indent}", indent) + text[at:]
    if (isinstance(node, yaml.SequenceNode) and not node.value) or (isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"):
        start, end = node.start_mark.index, node.end_mark.index
        return text[:start].rstrip(" ") + "\n" + items.replace("{indent}", "  ") + text[end:].lstrip("\n")
    raise EntityfixError(f"cannot extend a {section!r} list written in flow style; rewrite it as a block list", str(path))


def _replace_section(text: str, section: str, items: str) -> str:
    """Write the top-level list ``section`` as exactly ``items`` (a block list; empty: ``[]``)."""
    body = f"{section}:\n{items}" if items else f"{section}: []\n"
    found = _sections(text)
    if section not in found:
        return text + ("" if text.endswith("\n") or not text else "\n") + body if items else text
    key, node = found[section]
    start, end = _line_start(text, key.start_mark.index), _line_end(text, _content_end(node))
    return text[:start] + body + text[end:]


def _create(path: Path, text: str) -> None:
    """A new gazetteer: written beside its name and renamed, so no half file is ever seen."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".entityfix-tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
