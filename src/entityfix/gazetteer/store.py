"""The compiled gazetteer: every entity, form and lookup table the resolver needs, as flat arrays.

``gazetteer.py`` reads and validates the human-edited files into ``Entity`` records; this module
compiles them once into arrays (``tables.Strings`` / ``tables.HashIndex``), which ``cache.py`` saves
keyed by the files' content, so the next run loads a million names in well under a second instead
of parsing and compiling them again.  Entities and forms are only turned into Python objects when a
query asks for that one entity or form.
"""

from __future__ import annotations

import os
import sys
from array import array
from contextlib import contextmanager
from collections.abc import Collection, Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from entityfix import cache
from entityfix.errors import EntityfixError
from entityfix.gazetteer.schema import (
    ALIAS, CANONICAL, ENTITY_TYPES, SURNAME, Entity, Form, check_lists, gazetteer_files, load_entities, name_key, token_texts,
)
from entityfix.gazetteer.index import TokenIndex
from entityfix.spelling.names import surname_tokens, tokenize
from entityfix.spelling.phonetic import exact_key, fold
from entityfix.gazetteer.tables import HashIndex, Strings, csr, hash_array, stable_hash

TYPES = tuple(sorted(ENTITY_TYPES))
KINDS = (CANONICAL, ALIAS, SURNAME)
LISTS = ("aliases", "misspellings", "never")
MAX_FORM_TOKENS = 255  # positions are stored in one byte; no real name is longer
LOOKUP_MEMO = 16_384  # distinct tokens whose lookups are remembered


def _kind_of_thing(etype: str) -> str:
    """Places are places whether a list calls them GPE or LOC; other types are their own kind."""
    return "place" if etype in ("GPE", "LOC") else etype


def key_text(keys: Iterable[str]) -> str:
    """One string for a tuple of exact token keys (keys hold no spaces)."""
    return " ".join(keys)


class _Builder:
    """Accumulates entities into compact arrays (``array`` module: 4 bytes an int, not 28)."""

    def __init__(self, between: bool = True) -> None:
        self.between = between  # work out what check_lists compares between files (``load``'s parts)
        self.strings: dict[str, int] = {}
        self.sources: dict[str, int] = {}
        self.ent = {k: array("i") for k in ("name", "type", "source", "line", "reference")}
        self.ent_lists = {k: (array("q", [0]), array("i")) for k in LISTS}
        self.form = {k: array("i") for k in ("entity", "kind", "text")}
        self.form_tok_ptr, self.form_tok = array("q", [0]), array("i")
        self.form_keys: list[str] = []
        self.vocab: dict[str, int] = {}
        self.post = {k: array("i") for k in ("vid", "fid", "pos")}
        self.known: dict[str, int] = {}  # exact token key -> bit mask of the entity types using it
        self.misspelt: list[tuple[str, int]] = []
        self.never: list[str] = []
        # a reference entry's never-change spellings (its alternate names: exonyms, transliterations)
        # wait until every list is read: see ``add`` and ``combine``
        self.reference_never: list[tuple[str, int]] = []
        self.reference_names: dict[int, set[tuple[str, str]]] = {}  # eid -> its (name key, kind of thing)
        self.curated_names: set[tuple[str, str]] = set()  # (name key, kind of thing) of curated entries
        self.folded: dict[str, str] = {}  # token -> fold(token), worked out once per distinct token
        # what check_lists compares between lists, for combine: (name key hash, type) of curated
        # entries' names, and the name keys of every correct form (schema._correct_forms)
        self.curated_typed: list[tuple[int, int]] = []
        self.correct: list[str] = []

    def sid(self, text: str) -> int:
        return self.strings.setdefault(text, len(self.strings))

    def add(self, entity: Entity) -> None:
        eid = len(self.ent["name"])
        etype = TYPES.index(entity.type)
        self.ent["name"].append(self.sid(entity.name))
        self.ent["type"].append(etype)
        self.ent["source"].append(self.sources.setdefault(entity.source, len(self.sources)))
        self.ent["line"].append(entity.line)
        self.ent["reference"].append(int(entity.reference))
        for k in LISTS:
            ptr, vals = self.ent_lists[k]
            vals.extend(self.sid(t) for t in getattr(entity, k))
            ptr.append(len(vals))
        seen: set[str] = set()
        # each text is cut once (tokenize's cache holds 65,536 texts: a big list never hits it)
        full = [(text, kind, token_texts(text)) for text, kind in ((entity.name, CANONICAL), *((a, ALIAS) for a in entity.aliases))]
        for text, kind, tokens in full:
            self.add_form(eid, etype, seen, text, tokens, kind)
        if entity.type == "PERSON":
            for _, _, tokens in full:
                sur = surname_tokens(tokens)
                if sur and sur != tokens:
                    self.add_form(eid, etype, seen, " ".join(sur), sur, SURNAME)
                    if len(sur) > 1:  # "El Farouk" -> "Farouk" too
                        self.add_form(eid, etype, seen, sur[-1], sur[-1:], SURNAME)
        for wrong in entity.misspellings:
            self.misspelt.append((name_key(wrong), eid))
        keys = [name_key(text) for text, _, _ in full]
        if self.between:
            self.correct.extend(keys)
        if self.between and entity.type == "PERSON":
            for _, _, tokens in full:
                sur = surname_tokens(tokens)
                if sur and sur != tokens:
                    self.correct.extend((name_key(" ".join(sur)), name_key(sur[-1])))
        names = {(key, _kind_of_thing(entity.type)) for key in keys}
        if entity.reference:
            # a reference entry's never-change spellings (its alternate names: "Moscou", "Moskau" for
            # Moscow) are names that exist, so they protect a word from becoming any *other* entity.
            # Where a curated list names the same thing, though, they are other ways of writing *that*
            # entry, and in English text those are what entityfix is for: weighed like any other
            # spelling of it.  Which lists are loaded together is known only in ``combine``.
            self.reference_names[eid] = names
            self.reference_never.extend((name_key(ok), eid) for ok in entity.never)
        else:
            self.curated_names.update(names)
            self.never.extend(name_key(ok) for ok in entity.never)
            if self.between:
                self.curated_typed.extend((stable_hash(key), etype) for key in keys)

    def add_form(self, eid: int, etype: int, seen: set[str], text: str, tokens: tuple[str, ...], kind: str) -> None:
        if not tokens or len(tokens) > MAX_FORM_TOKENS:
            return
        keys = tuple(exact_key(t) for t in tokens)
        joined = key_text(keys)
        if joined in seen:
            return
        seen.add(joined)
        fid = len(self.form["entity"])
        self.form["entity"].append(eid)
        self.form["kind"].append(KINDS.index(kind))
        self.form["text"].append(self.sid(text))
        self.form_tok.extend(self.sid(t) for t in tokens)
        self.form_tok_ptr.append(len(self.form_tok))
        self.form_keys.append(joined)
        bit = 1 << etype
        for pos, (tok, key) in enumerate(zip(tokens, keys)):
            folded = self.folded.get(tok)
            if folded is None:
                folded = self.folded[tok] = fold(tok)
            vid = self.vocab.setdefault(folded, len(self.vocab))
            self.post["vid"].append(vid)
            self.post["fid"].append(fid)
            self.post["pos"].append(pos)
            self.known[key] = self.known.get(key, 0) | bit

    def part(self) -> dict[str, np.ndarray]:
        """The compiled arrays of these entities alone (one file: a part), ready for ``combine``.

        Everything that costs time on a big list is here (tokens cut, folded and hashed, the token
        index built over the part's whole vocabulary); what depends on the other lists loaded with
        it (which tokens only reference entries use, a reference entry's never-change spellings,
        the checks of ``schema.check_lists`` between files) is left to ``combine``, as hashes.
        """
        i32 = lambda a: np.frombuffer(a, dtype=np.int32) if len(a) else np.empty(0, np.int32)  # noqa: E731
        out: dict[str, np.ndarray] = {}
        out.update(Strings.build(list(self.strings)).arrays("strings"))
        out.update(Strings.build(list(self.sources)).arrays("sources"))
        for k, a in self.ent.items():
            out[f"ent.{k}"] = i32(a).copy()
        for k, (ptr, vals) in self.ent_lists.items():
            out[f"ent.{k}.ptr"] = np.frombuffer(ptr, dtype=np.int64).copy()
            out[f"ent.{k}.values"] = i32(vals).copy()
        out["form.entity"] = i32(self.form["entity"]).copy()
        out["form.kind"] = i32(self.form["kind"]).astype(np.uint8)
        out["form.text"] = i32(self.form["text"]).copy()
        out["form.tok.ptr"] = np.frombuffer(self.form_tok_ptr, dtype=np.int64).copy()
        out["form.tok"] = i32(self.form_tok).copy()
        out.update(HashIndex.build(hash_array(self.form_keys), np.arange(len(self.form_keys), dtype=np.int32)).arrays("exact"))
        # vocabulary: distinct folded tokens, sorted, each with its (form, position) postings
        folded = sorted(self.vocab)
        remap = np.empty(len(folded), dtype=np.int32)
        remap[np.fromiter((self.vocab[t] for t in folded), dtype=np.int32, count=len(folded))] = np.arange(len(folded), dtype=np.int32)
        vid = remap[i32(self.post["vid"])]
        order = np.argsort(vid, kind="stable")
        out["vocab.ptr"] = csr(np.bincount(vid, minlength=len(folded)))
        out["vocab.fid"] = i32(self.post["fid"])[order]
        out["vocab.pos"] = i32(self.post["pos"])[order].astype(np.uint8)
        out.update(Strings.build(folded).arrays("vocab.tokens"))
        out.update(HashIndex.build(hash_array(folded), np.arange(len(folded), dtype=np.int32)).arrays("vocab.ids"))
        hashes = hash_array(self.known)
        order = np.argsort(hashes)
        out["known"] = hashes[order]
        out["known.types"] = np.fromiter(self.known.values(), dtype=np.uint16, count=len(self.known))[order]
        out.update(HashIndex.build(hash_array(k for k, _ in self.misspelt), np.asarray([e for _, e in self.misspelt], dtype=np.int32)).arrays("misspelt"))
        out.update(TokenIndex.build(folded).arrays("tokens"))
        # for combine: never-change spellings (a reference entry's with its names: see ``add``)
        out["never.curated"] = np.unique(hash_array(self.never))
        out["never.reference"] = hash_array(k for k, _ in self.reference_never)
        out["never.reference.entity"] = np.asarray([e for _, e in self.reference_never], dtype=np.int32)
        named = [(_name_hash(name), eid) for eid, names in self.reference_names.items() for name in names]
        out["names.reference"] = np.asarray([h for h, _ in named], dtype=np.uint64)
        out["names.reference.entity"] = np.asarray([e for _, e in named], dtype=np.int32)
        out["names.curated"] = np.unique(np.asarray([_name_hash(name) for name in self.curated_names], dtype=np.uint64))
        # for combine: what check_lists compares between files (within this one it has been run)
        typed = np.unique(np.asarray(self.curated_typed, dtype=np.uint64).reshape(-1, 2), axis=0)
        out["check.curated"], out["check.curated.type"] = typed[:, 0].copy(), typed[:, 1].astype(np.uint8)
        out["check.correct"] = np.unique(hash_array(self.correct))
        return out


def _name_hash(name: tuple[str, str]) -> int:
    """One hash for a (name key, kind of thing) pair."""
    return stable_hash(f"{name[0]}\0{name[1]}")


@lru_cache(maxsize=1)
def part_keys() -> frozenset[str]:
    """What a cached part holds: anything else is not one.

    Computed on first need, not at import: building the empty part calls ``np.unique``, which
    imports ``numpy.ma`` (~15 ms of a cold start), and a warm run reads the combined cache alone.
    """
    return frozenset(_Builder().part())


class _Contradiction(Exception):
    """Lists compiled apart contradict each other (or two hashes coincide): ``load`` checks them whole."""


def combine(parts: Sequence[dict[str, np.ndarray]], files: Sequence[str] = (), sources: Sequence[str | None] = (), check: bool = False) -> dict[str, np.ndarray]:
    """The arrays ``Gazetteer`` reads, from parts compiled apart (``_Builder.part``), in order.

    The entities of part ``i`` follow those of the parts before it, and every id (string, entity,
    form, vocabulary token) is moved up accordingly; the vocabulary is the sorted union of the
    parts', and the token indexes are renumbered from the parts' (``TokenIndex.merge``).  Nothing
    is parsed, folded or hashed again: the result is the one compiling all the entities together
    gives, at numpy speed.  ``sources[i]``, where given, names the file part ``i`` was compiled
    from (a part is cached by content, so the same list may have been read at another path).
    ``check``: raise ``_Contradiction`` where ``schema.check_lists`` may find two parts at odds.
    """
    out: dict[str, np.ndarray] = {}

    def offsets(key: str) -> list[int]:
        return np.cumsum([0] + [len(p[key]) for p in parts]).tolist()

    def cat(arrays: list[np.ndarray], dtype) -> np.ndarray:
        if len(arrays) == 1:  # one part: no copy
            return arrays[0].astype(dtype, copy=False)
        return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.empty(0, dtype)

    tables = [Strings.from_arrays(p, "strings") for p in parts]
    string_base = np.cumsum([0] + [len(t) for t in tables]).tolist()
    out.update(Strings.concat(tables).arrays("strings"))
    names, source_base = [], []
    for i, p in enumerate(parts):
        own = Strings.from_arrays(p, "sources").tolist()
        source_base.append(len(names))
        names.extend([sources[i]] * len(own) if i < len(sources) and sources[i] is not None else own)
    out.update(Strings.build(names).arrays("sources"))
    out.update(Strings.build(list(files)).arrays("files"))
    ent_base, form_base = offsets("ent.name"), offsets("form.entity")
    shift = {"name": string_base, "source": source_base}
    for k in ("name", "type", "source", "line", "reference"):
        out[f"ent.{k}"] = cat([p[f"ent.{k}"] + shift[k][i] if k in shift else p[f"ent.{k}"] for i, p in enumerate(parts)], np.int32)
    for k in LISTS:
        out[f"ent.{k}.ptr"], out[f"ent.{k}.values"] = _cat_csr(parts, f"ent.{k}.ptr", f"ent.{k}.values", string_base)
    out["form.entity"] = cat([p["form.entity"] + ent_base[i] for i, p in enumerate(parts)], np.int32)
    out["form.kind"] = cat([p["form.kind"] for p in parts], np.uint8)
    out["form.text"] = cat([p["form.text"] + string_base[i] for i, p in enumerate(parts)], np.int32)
    out["form.tok.ptr"], out["form.tok"] = _cat_csr(parts, "form.tok.ptr", "form.tok", string_base)

    def rekeyed(prefix: str, base: list[int]) -> HashIndex:
        pairs = [HashIndex.from_arrays(p, prefix).pairs() for p in parts]
        return HashIndex.build(cat([h for h, _ in pairs], np.uint64), cat([v + base[i] for i, (_, v) in enumerate(pairs)], np.int32))

    out.update(rekeyed("exact", form_base).arrays("exact"))
    misspelt = rekeyed("misspelt", ent_base)
    out.update(misspelt.arrays("misspelt"))

    # the vocabulary: the sorted union of the parts' (each sorted: a part's place in it rises with it)
    vocab_tables = [Strings.from_arrays(p, "vocab.tokens") for p in parts]
    if len(parts) == 1:  # its own vocabulary
        union_size = len(vocab_tables[0])
        places = [np.arange(union_size, dtype=np.int32)]
    else:
        lists = [t.tolist() for t in vocab_tables]
        union = sorted(set().union(*lists))
        union_size = len(union)
        where = {t: v for v, t in enumerate(union)}
        places = [np.fromiter((where[t] for t in tokens), dtype=np.int32, count=len(tokens)) for tokens in lists]
    first = np.full(union_size, -1, dtype=np.int64)  # the first part holding each token, as an item of all parts' tables
    vocab_base = np.cumsum([0] + [len(t) for t in vocab_tables]).tolist()
    for i in reversed(range(len(parts))):
        first[places[i]] = vocab_base[i] + np.arange(len(places[i]))
    out.update(Strings.concat(vocab_tables).take(first).arrays("vocab.tokens"))
    vocab_hashes = np.empty(union_size, dtype=np.uint64)
    local_hashes = []
    for p, place in zip(parts, places):
        h, v = HashIndex.from_arrays(p, "vocab.ids").pairs()
        mine = np.empty(len(place), dtype=np.uint64)
        mine[v] = h
        local_hashes.append(mine)
    for i in reversed(range(len(parts))):
        vocab_hashes[places[i]] = local_hashes[i]
    out.update(HashIndex.build(vocab_hashes, np.arange(union_size, dtype=np.int32)).arrays("vocab.ids"))
    vid = cat([place[np.repeat(np.arange(len(place)), np.diff(p["vocab.ptr"]))] for p, place in zip(parts, places)], np.int32)
    order = np.argsort(vid, kind="stable")  # each token's postings by form, as one compile has them
    out["vocab.ptr"] = csr(np.bincount(vid, minlength=union_size))
    out["vocab.fid"] = cat([p["vocab.fid"] + form_base[i] for i, p in enumerate(parts)], np.int32)[order]
    out["vocab.pos"] = cat([p["vocab.pos"] for p in parts], np.uint8)[order]

    known, which = np.unique(cat([p["known"] for p in parts], np.uint64), return_inverse=True)
    types = np.zeros(len(known), dtype=np.uint16)
    np.bitwise_or.at(types, which.reshape(-1), cat([p["known.types"] for p in parts], np.uint16))
    out["known"], out["known.types"] = known, types

    # never: a reference entry's never-change spellings only where no curated list names it (see ``_Builder.add``)
    curated_names = np.unique(cat([p["names.curated"] for p in parts], np.uint64))
    named = cat([p["names.reference.entity"][np.isin(p["names.reference"], curated_names)] + ent_base[i] for i, p in enumerate(parts)], np.int32)
    ref_never = cat([p["never.reference"] for p in parts], np.uint64)
    ref_owner = cat([p["never.reference.entity"] + ent_base[i] for i, p in enumerate(parts)], np.int32)
    out["never"] = np.unique(np.concatenate([cat([p["never.curated"] for p in parts], np.uint64), ref_never[~np.isin(ref_owner, named)]]))

    if check:
        _check_between(parts, misspelt)
    # two indexes: a reference entry is only ever fixed towards when the document names it
    # (Resolver.begin_document), and its many tokens must not crowd curated ones out of a lookup
    reference = _reference_only(out)
    indexes = [TokenIndex.from_arrays(p, "tokens") for p in parts]
    for name, ids in (("index", np.flatnonzero(~reference)), ("refindex", np.flatnonzero(reference))):
        out.update(TokenIndex.merge(indexes, places, ids.astype(np.int32)).arrays(name))
    return out


def _cat_csr(parts: Sequence[dict[str, np.ndarray]], ptr: str, values: str, base: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """Row pointers and values of the parts' CSR rows one after another (values moved up by ``base``)."""
    ends = np.cumsum([0] + [int(p[ptr][-1]) for p in parts]).tolist()
    pointers = np.concatenate([p[ptr][:-1] + ends[i] for i, p in enumerate(parts)] + [np.asarray([ends[-1]], dtype=np.int64)])
    vals = np.concatenate([p[values] + base[i] for i, p in enumerate(parts)]) if parts else np.empty(0, np.int32)
    return pointers.astype(np.int64), vals.astype(np.int32)


def _check_between(parts: Sequence[dict[str, np.ndarray]], misspelt: HashIndex) -> None:
    """Raise ``_Contradiction`` where ``check_lists`` could find parts at odds (each was checked alone):
    a name of curated entries of two types, a misspelling that is some entity's correct name."""
    keys = np.concatenate([p["check.curated"] for p in parts])
    kinds = np.concatenate([p["check.curated.type"] for p in parts])
    order = np.lexsort((kinds, keys))
    keys, kinds = keys[order], kinds[order]
    if np.any((keys[1:] == keys[:-1]) & (kinds[1:] != kinds[:-1])):
        raise _Contradiction
    if len(misspelt) and np.isin(misspelt.keys, np.concatenate([p["check.correct"] for p in parts])).any():
        raise _Contradiction


class _Rows(Sequence):
    """Entities or forms as a read-only sequence, each row built from the arrays when asked for."""

    def __init__(self, count: np.ndarray, row):
        self.count = len(count)
        self.row = row

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self.row(j) for j in range(*i.indices(self.count))]
        return self.row(int(i))


class Gazetteer:
    """Compiled entities, forms and lookups; build with ``Gazetteer.build`` or ``load``."""

    def __init__(self, arrays: dict[str, np.ndarray]):
        self.a = arrays
        self.strings = Strings.from_arrays(arrays, "strings")
        self.sources = list(Strings.from_arrays(arrays, "files"))  # the files loaded, in order
        self._entity_sources = Strings.from_arrays(arrays, "sources")
        self.exact = HashIndex.from_arrays(arrays, "exact")
        self.vocab_tokens = Strings.from_arrays(arrays, "vocab.tokens")
        self.vocab_ids = HashIndex.from_arrays(arrays, "vocab.ids")
        self.misspelt = HashIndex.from_arrays(arrays, "misspelt")
        self.index = TokenIndex.from_arrays(arrays, "index")  # tokens of curated entries' forms
        self.reference_index = TokenIndex.from_arrays(arrays, "refindex")  # tokens only reference entries use
        self.entities: Sequence[Entity] = _Rows(arrays["ent.name"], lambda eid: self.entity(eid))
        self.forms: Sequence[Form] = _Rows(arrays["form.entity"], lambda fid: self.form(fid))
        self._vocab_ptr = arrays["vocab.ptr"]
        self._form_tok_ptr = arrays["form.tok.ptr"]
        self._form_tok = arrays["form.tok"]
        self.entity = lru_cache(maxsize=16384)(self._entity)
        self.form = lru_cache(maxsize=16384)(self._form)
        # a hashed lookup in the arrays costs microseconds (blake2b, searchsorted, numpy scalars);
        # names repeat throughout a text, so each distinct token is looked up once
        self.vocab_hits = lru_cache(maxsize=LOOKUP_MEMO)(self._vocab_hits)
        self.vocab_postings = lru_cache(maxsize=LOOKUP_MEMO)(self._vocab_postings)
        self._known_mask = lru_cache(maxsize=LOOKUP_MEMO)(self._known_mask_uncached)
        self._never_text = lru_cache(maxsize=LOOKUP_MEMO)(self._never_text_uncached)
        self._misspelling_text = lru_cache(maxsize=LOOKUP_MEMO)(self._misspelling_text_uncached)
        # vocabulary tokens used only by reference-list entries: in reference_index, not index; the
        # resolver considers them only for the entries a document names (see Resolver.begin_document)
        self.vocab_reference_only = _reference_only(arrays)
        self.entity_vocab = lru_cache(maxsize=LOOKUP_MEMO)(self._entity_vocab_uncached)
        self.form_length = lru_cache(maxsize=LOOKUP_MEMO)(self._form_length)  # asked for every near token
        self.form_entity_id = lru_cache(maxsize=LOOKUP_MEMO)(self._form_entity_id)
        self.entity_type = lru_cache(maxsize=LOOKUP_MEMO)(self._entity_type)
        self._known = arrays["known"]
        self._known_types = arrays["known.types"]
        self._never = arrays["never"]

    @classmethod
    def build(cls, entities: Iterable[Entity], sources: Sequence[str] = ()) -> "Gazetteer":
        builder = _Builder(between=False)  # one compile of everything: nothing to check between parts
        for entity in entities:
            builder.add(entity)
        return cls(combine([builder.part()], [os.fspath(s) for s in sources]))

    # ------------------------------------------------------------ objects, on demand

    def _entity(self, eid: int) -> Entity:
        a = self.a
        lists = {}
        for k in LISTS:
            ptr = a[f"ent.{k}.ptr"]
            lists[k] = tuple(self.strings[int(s)] for s in a[f"ent.{k}.values"][ptr[eid] : ptr[eid + 1]])
        return Entity(
            self.strings[int(a["ent.name"][eid])], TYPES[int(a["ent.type"][eid])],
            lists["aliases"], lists["misspellings"], lists["never"],
            self._entity_sources[int(a["ent.source"][eid])], int(a["ent.line"][eid]), bool(a["ent.reference"][eid]),
        )

    def _form(self, fid: int) -> Form:
        a = self.a
        toks = a["form.tok"][self._form_tok_ptr[fid] : self._form_tok_ptr[fid + 1]]
        return Form(int(a["form.entity"][fid]), self.strings[int(a["form.text"][fid])], tuple(self.strings[int(s)] for s in toks), KINDS[int(a["form.kind"][fid])])

    def _form_length(self, fid: int) -> int:
        return int(self._form_tok_ptr[fid + 1] - self._form_tok_ptr[fid])

    def form_token(self, fid: int, pos: int) -> str:
        return self.strings[int(self._form_tok[self._form_tok_ptr[fid] + pos])]

    def _form_entity_id(self, fid: int) -> int:
        return int(self.a["form.entity"][fid])

    def form_entity(self, fid: int) -> Entity:
        return self.entity(self.form_entity_id(fid))

    def is_reference(self, eid: int) -> bool:
        return bool(self.a["ent.reference"][eid])

    def _entity_type(self, eid: int) -> str:
        return TYPES[int(self.a["ent.type"][eid])]

    # ------------------------------------------------------------ lookups

    def _vocab_hits(self, folded: str) -> tuple[tuple[int, int], ...]:
        """(form, position) of every form token that folds to ``folded``."""
        vid = self.vocab_id(folded)
        return () if vid is None else self.vocab_postings(vid)

    def _vocab_postings(self, vid: int) -> tuple[tuple[int, int], ...]:
        lo, hi = self._vocab_ptr[vid], self._vocab_ptr[vid + 1]
        return tuple(zip(self.a["vocab.fid"][lo:hi].tolist(), self.a["vocab.pos"][lo:hi].tolist()))

    def forms_with_key(self, keys: Sequence[str]) -> list[int]:
        """Forms written exactly ``keys`` (exact token keys), verified against the stored tokens."""
        want = tuple(keys)
        return [int(f) for f in self.exact.get(key_text(want)) if self.form(int(f)).key == want]

    def is_known(self, token_key: str, types: Collection[str] | None = None) -> bool:
        """Is this exact token key a token of some correct form (of an entity of one of ``types``)?"""
        mask = self._known_mask(token_key)
        return bool(mask) if types is None else bool(mask & type_mask(frozenset(types)))

    def _known_mask_uncached(self, token_key: str) -> int:
        """Bit mask of the entity types whose correct forms use this token (0: none)."""
        i = _slot(self._known, token_key)
        return int(self._known_types[i]) if i >= 0 else 0

    def is_never(self, keys: Sequence[str]) -> bool:
        return len(self._never) > 0 and self._never_text(key_text(keys))

    def _never_text_uncached(self, text: str) -> bool:
        return _member(self._never, text)

    def misspelling_of(self, keys: Sequence[str]) -> int | None:
        if not len(self.misspelt):
            return None
        return self._misspelling_text(key_text(keys))

    def _misspelling_text_uncached(self, text: str) -> int | None:
        hits = self.misspelt.get(text)
        return int(hits[-1]) if len(hits) else None

    def _entity_vocab_uncached(self, eid: int) -> tuple[int, ...]:
        """Vocabulary ids of the tokens of an entity's forms (forms are stored entity by entity)."""
        owners = self.a["form.entity"]
        lo, hi = np.searchsorted(owners, eid, "left"), np.searchsorted(owners, eid, "right")
        strings = self._form_tok[self._form_tok_ptr[lo] : self._form_tok_ptr[hi]]
        vids = (self.vocab_id(fold(self.strings[int(s)])) for s in dict.fromkeys(strings.tolist()))
        return tuple(dict.fromkeys(v for v in vids if v is not None))

    def vocab_id(self, folded: str) -> int | None:
        i = self.vocab_ids.slot(folded)
        if i < 0:
            return None
        vid = int(self.vocab_ids.values[i])
        return vid if self.vocab_tokens[vid] == folded else None  # else a hash collision

    @property
    def has_listed_names(self) -> bool:
        """Any listed misspellings or never-change names at all (most big gazetteers have none)."""
        return len(self.misspelt) > 0 or len(self._never) > 0

    def count_by_type(self) -> dict[str, int]:
        counts = np.bincount(self.a["ent.type"], minlength=len(TYPES))
        return {TYPES[i]: int(n) for i, n in enumerate(counts) if n}

    @property
    def vocab_size(self) -> int:
        return len(self.vocab_tokens)

    def __len__(self) -> int:
        return len(self.entities)


def _reference_only(arrays: dict[str, np.ndarray]) -> np.ndarray:
    """Per vocabulary token: is every form using it a reference-list entry's?"""
    ptr = arrays["vocab.ptr"]
    ref = arrays["ent.reference"][arrays["form.entity"][arrays["vocab.fid"]]]
    return np.minimum.reduceat(ref, ptr[:-1]).astype(bool) if len(ref) else np.zeros(len(ptr) - 1, dtype=bool)


@lru_cache(maxsize=256)
def type_mask(types: frozenset[str]) -> int:
    return sum(1 << TYPES.index(t) for t in types if t in TYPES)


def _slot(sorted_hashes: np.ndarray, text: str) -> int:
    h = np.uint64(stable_hash(text))
    i = int(np.searchsorted(sorted_hashes, h))
    return i if i < len(sorted_hashes) and sorted_hashes[i] == h else -1


def _member(sorted_hashes: np.ndarray, text: str) -> bool:
    return _slot(sorted_hashes, text) >= 0


def expand(paths: Iterable[Path]) -> list[Path]:
    """Every gazetteer file named, folders expanded, in order; a missing path is an error."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise EntityfixError("gazetteer not found", str(path))
        files.extend(gazetteer_files(path))
    return files


def load(paths: list[Path], use_cache: bool = True, strict: bool = False) -> Gazetteer:
    """Load every gazetteer file named (folders expanded), each compiled once and cached on its own.

    Each file is compiled into a part cached by its content (``cache.part_path``), and the parts
    are combined (``combine``); the combination is cached too (``cache.path_for``), so a warm run
    reads one file.  Editing one list recompiles that list alone: the 31,000 shipped places are
    read back from their part.  ``check_lists`` runs on each file as it is compiled, and between
    files by hashes when they are combined; where those find anything, every file is read and
    checked together, as before, so the error is the one the whole set gives.

    ``strict`` (``gazetteer validate``): also refuse one name given to two curated entities of one type.
    """
    files = expand(paths)
    if strict:
        return _load_whole(files, strict)
    caching = use_cache and cache.folder() is not None
    digests = [cache.content_digest(f) for f in files] if caching else [None] * len(files)
    target = cache.path_for(files, digests) if caching else None
    part_paths = [cache.part_path(f, d) if d is not None else None for f, d in zip(files, digests)]
    if target is not None:
        arrays = cache.read(target)
        if arrays is not None:
            try:
                gaz = Gazetteer(arrays)
                cache.used([target, *(p for p in part_paths if p is not None)])
                return gaz
            except (KeyError, ValueError, IndexError):
                pass  # a cache from another layout: build again below
    parts = []
    for file, where in zip(files, part_paths):
        arrays = cache.read(where) if where is not None else None
        if arrays is None or arrays.keys() != part_keys():
            entities = load_entities(file)
            try:
                check_lists(entities)
            except EntityfixError:
                return _load_whole(files)  # the error all the lists together give first
            arrays = _compiled(entities)
            if where is not None:
                cache.write(where, arrays, keep=part_paths)
        parts.append(arrays)
    names = [os.fspath(f) for f in files]
    try:
        arrays = combine(parts, names, names, check=len(parts) > 1)
    except _Contradiction:
        return _load_whole(files)
    gaz = Gazetteer(arrays)
    if target is not None:
        cache.write(target, arrays, keep=[target, *part_paths])
        cache.used(p for p in part_paths if p is not None)
    return gaz


def load_with(paths: list[Path], extra: Sequence[Entity], name: str, base: Gazetteer | None = None) -> Gazetteer:
    """The lists named plus ``extra`` entries from elsewhere (a translation's source text), as one.

    An extra entry whose name a loaded list already holds as a correct form of a curated entry,
    or lists as a misspelling, is left out: the user's lists say more of it than one text does,
    and a second entry of the same name would only make the two ambiguous.  The others are
    compiled (small: never cached) and combined with the lists' cached parts, unchecked between
    them: a name in a source text is no contradiction of a list, whatever type NER gave it.
    """
    base = base if base is not None else load(paths)
    kept = [e for e in extra if not _held(base, e.name)]
    if not kept:
        return base
    files = expand(paths)
    caching = cache.folder() is not None
    parts, names = [], [os.fspath(f) for f in files]
    for file in files:
        where = cache.part_path(file, cache.content_digest(file)) if caching else None
        arrays = cache.read(where) if where is not None else None
        if arrays is None or arrays.keys() != part_keys():
            arrays = _compiled(load_entities(file))
        parts.append(arrays)
    parts.append(_compiled(kept))
    return Gazetteer(combine(parts, [*names, name], [*names, name]))


def _held(gaz: Gazetteer, name: str) -> bool:
    keys = [t.key for t in tokenize(name)]
    if not keys or gaz.misspelling_of(keys) is not None:
        return True
    return any(not gaz.is_reference(gaz.form_entity_id(fid)) for fid in gaz.forms_with_key(keys))


def _compiled(entities: Iterable[Entity]) -> dict[str, np.ndarray]:
    builder = _Builder()
    for entity in entities:
        builder.add(entity)
    global compiled_parts
    compiled_parts += 1
    return builder.part()


compiled_parts = 0  # parts compiled by this process (tests watch it: an unchanged list is not compiled again)


def _load_whole(files: list[Path], strict: bool = False) -> Gazetteer:
    """Every file read and checked together (``check_lists`` raises on the first contradiction), no cache."""
    entities = [e for file in files for e in load_entities(file)]
    check_lists(entities, strict)
    return Gazetteer.build(entities, [os.fspath(f) for f in files])


def validate(paths: list[Path], progress: bool = False) -> tuple[int, int]:
    """``gazetteer validate``: read and check every file afresh (never the cache); (entities, files).

    Every check ``load`` makes, with ``strict``, but no compiling: compiling the arrays checks
    nothing more (every name is within schema.MAX_NAME_CHARS and every array type holds what it
    is given) and took most of the time and memory on a million names.  ``check`` compiles, once,
    into the cache.  ``progress``: a progress bar on standard error when it is a terminal.
    """
    files = expand(paths)
    with _progress_bar(progress) as report:
        entities = []
        for file in files:
            entities.extend(load_entities(file, report))
        check_lists(entities, strict=True, report=report)
    return len(entities), len(files)


@contextmanager
def _progress_bar(enabled: bool):
    """A transient rich progress bar on a terminal's standard error, as a ``schema.Report``; else None."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
        console=Console(stderr=True), transient=True,
    ) as bar:
        task = bar.add_task("reading", total=None)

        def report(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total or None)

        yield report

