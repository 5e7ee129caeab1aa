"""Build or extend a gazetteer from trusted reference text.

NER runs over text known to spell names correctly (an original-language wire,
an official list); each distinct name becomes an entity with the label NER gave
it most often.  Bare surnames of people already learnt ("Gantz" beside "Benny
Gantz") are left out because the gazetteer derives them.

An existing gazetteer is extended *as text*: new entries are inserted into its
``entities`` list and nothing else in the file moves, so hand edits and comments
survive.  Names already present (as a name or alias, any type) are skipped.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import yaml

from entityfix.text.document import read, write_atomic
from entityfix.errors import EntityfixError
from entityfix.text.extract import Extractor
from entityfix.gazetteer.schema import Entity, load_yaml
from entityfix.spelling.names import surname_tokens, tokenize

_LEADING = re.compile(r"^(?:the\s+|[\"“”‘’'(\[]+)+", re.IGNORECASE)
_TRAILING = re.compile(r"(?:['’]s|[\"“”‘’')\],;:]+)+$")  # not '.': "U.S." keeps its dot


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
            if not toks or all(t.text.islower() for t in toks) or len(name) < 2:
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


def _scalar(value: str) -> str:
    """A YAML scalar for value: plain when that reads back the same, else double-quoted."""
    try:
        if yaml.safe_load(f"k: {value}") == {"k": value} and not value.startswith(("&", "*", "!", "-", "?")):
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


def _entry(entity: Entity, indent: str) -> str:
    return f"{indent}- name: {_scalar(entity.name)}\n{indent}  type: {entity.type}\n"


def merge_into(path: Path, learnt: list[Entity]) -> int:
    """Add the learnt entities missing from the gazetteer at ``path``; return how many were added."""
    existing: list[Entity] = load_yaml(path) if path.exists() else []
    have = set()
    for entity in existing:
        for text in (entity.name, *entity.aliases):
            have.add(" ".join(t.key for t in tokenize(text)))
    new = []
    for entity in learnt:
        key = " ".join(t.key for t in tokenize(entity.name))
        if key not in have:
            have.add(key)
            new.append(entity)
    if not path.exists():
        body = "".join(_entry(e, "  ") for e in new)
        text = f"# Learnt by `entityfix learn`; edit freely, later runs only add.\nentities:\n{body}" if new else "entities: []\n"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return len(new)
    if not new:
        return 0
    doc = read(path)
    text = doc.text
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    node = None
    if isinstance(root, yaml.MappingNode):
        for key, value in root.value:
            if key.value == "entities":
                node = value
    if node is None:
        sep = "" if text.endswith("\n") or not text else "\n"
        new_text = text + sep + "entities:\n" + "".join(_entry(e, "  ") for e in new)
    elif isinstance(node, yaml.SequenceNode) and not node.flow_style and node.value:
        indent = " " * max(0, node.value[0].start_mark.column - 2)
        at = node.end_mark.index
        # insert after the last item's own text (before trailing blank lines/comments of the next key)
        head = text[:at]
        if not head.endswith("\n"):
            head += "\n"
        new_text = head + "".join(_entry(e, indent) for e in new) + text[at:]
    elif (isinstance(node, yaml.SequenceNode) and not node.value) or (
        isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null"
    ):
        start, end = node.start_mark.index, node.end_mark.index
        body = "".join(_entry(e, "  ") for e in new)
        new_text = text[:start].rstrip(" ") + "\n" + body + text[end:].lstrip("\n")
    else:
        raise EntityfixError("cannot extend an 'entities' list written in flow style; rewrite it as a block list", str(path))
    write_atomic(doc, new_text)
    load_yaml(path)  # the result must still be a valid gazetteer
    return len(new)
