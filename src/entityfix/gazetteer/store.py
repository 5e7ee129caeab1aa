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
from entityfix.spelling.names import surname_tokens
from entityfix.spelling.phonetic import exact_key, fold
from entityfix.gazetteer.tables import HashIndex, Strings, csr, hash_array, stable_hash

TYPES = tuple(sorted(ENTITY_TYPES))
KINDS = (CANONICAL, ALIAS, SURNAME)
LISTS = ("aliases", "misspellings", "never")
MAX_FORM_TOKENS = 255  # positions are stored in one byte; no real name is longer
LOOKUP_MEMO = 131_072  # distinct tokens whose lookups are remembered


def _kind_of_thing(etype: str) -> str:
    """Places are places whether a list calls them GPE or LOC; other types are their own kind."""
    return "place" if etype in ("GPE", "LOC") else etype


def key_text(keys: Iterable[str]) -> str:
    """One string for a tuple of exact token keys (keys hold no spaces)."""
    return " ".join(keys)


class _Builder:
    """Accumulates entities into compact arrays (``array`` module: 4 bytes an int, not 28)."""

    def __init__(self) -> None:
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
        # wait until every list is read: see ``never_keys``
        self.reference_never: list[tuple[str, int]] = []
        self.reference_names: dict[int, set[tuple[str, str]]] = {}  # eid -> its (name key, kind of thing)
        self.curated_names: set[tuple[str, str]] = set()  # (name key, kind of thing) of curated entries
        self.folded: dict[str, str] = {}  # token -> fold(token), worked out once per distinct token

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
        names = {(name_key(text), _kind_of_thing(entity.type)) for text, _, _ in full}
        if entity.reference:
            self.reference_names[eid] = names
            self.reference_never.extend((name_key(ok), eid) for ok in entity.never)
        else:
            self.curated_names.update(names)
            self.never.extend(name_key(ok) for ok in entity.never)

    def never_keys(self) -> list[str]:
        """Every never-change spelling, but a reference entry's alternate names where a curated list
        names the same thing.

        A reference list's alternate names ("Moscou", "Moskau", "Moskow" for Moscow) are names that
        exist, so they protect a word from becoming any *other* entity.  Where your own list names the
        same place, though, they are other ways of writing *your* entry, and in English text those are
        what entityfix is for: they are weighed like any other spelling of it (a real name with nothing
        in the document behind it is still at most a suggestion).
        """
        mine = self.curated_names
        return self.never + [
            key for key, eid in self.reference_never if not (self.reference_names[eid] & mine)
        ]

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

    def arrays(self, files: Sequence[str]) -> dict[str, np.ndarray]:
        i32 = lambda a: np.frombuffer(a, dtype=np.int32) if len(a) else np.empty(0, np.int32)  # noqa: E731
        out: dict[str, np.ndarray] = {}
        out.update(Strings.build(list(self.strings)).arrays("strings"))
        out.update(Strings.build(list(self.sources)).arrays("sources"))
        out.update(Strings.build(list(files)).arrays("files"))
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
        out["never"] = np.unique(hash_array(self.never_keys()))
        # two indexes: a reference entry is only ever fixed towards when the document names it
        # (Resolver.begin_document), and its many tokens must not crowd curated ones out of a lookup
        reference = _reference_only(out)
        for name, ids in (("index", np.flatnonzero(~reference)), ("refindex", np.flatnonzero(reference))):
            ids = ids.astype(np.int32)
            out.update(TokenIndex.build([folded[v] for v in ids.tolist()], ids).arrays(name))
        return out


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
        self.entity = lru_cache(maxsize=65536)(self._entity)
        self.form = lru_cache(maxsize=65536)(self._form)
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
        builder = _Builder()
        for entity in entities:
            builder.add(entity)
        return cls(builder.arrays(sources))

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
    """Load every gazetteer file named (folders expanded): from the cache when the files are unchanged.

    ``strict`` (``gazetteer validate``): also refuse one name given to two curated entities of one type.
    """
    files = expand(paths)
    target = cache.path_for(files) if use_cache else None
    if target is not None:
        arrays = cache.read(target)
        if arrays is not None:
            try:
                return Gazetteer(arrays)
            except (KeyError, ValueError, IndexError):
                pass  # a cache from another layout: build again below
    entities = [e for file in files for e in load_entities(file)]
    check_lists(entities, strict)
    gaz = Gazetteer.build(entities, [os.fspath(f) for f in files])
    if target is not None:
        cache.write(target, gaz.a)
    return gaz


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

