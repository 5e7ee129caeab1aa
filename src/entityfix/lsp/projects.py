"""Which settings (and so which Checker) a document is checked with, and noticing when they change.

Why: an editor session lives for hours across several workspace folders, each with its own
``.entityfix.toml`` or ``[tool.entityfix]``.  Settings come from the CLI's own discovery
(``cli.config.load_settings``, walking up from the workspace folder, the way ``entityfix check``
run in that folder finds them), so the editor and the command line never disagree.

Changes are noticed without file watching (not every client offers ``didChangeWatchedFiles``):
before each check the config files that discovery would read, and every gazetteer file in use,
are stat'ed (microseconds each); a different (mtime, size) anywhere rebuilds that folder's
settings and Checker.  The spaCy pipeline is reused across rebuilds when model and labels are the
same (loading it costs ~1 s), so saving a list in the editor re-checks in a fraction of that.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from entityfix.cli.config import CONFIG_NAMES, load_settings
from entityfix.settings import Settings

if TYPE_CHECKING:  # pragma: no cover
    from entityfix.checker import Checker


def _stat(path: Path) -> tuple[str, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return str(path), st.st_mtime_ns, st.st_size


def config_stamp(folder: Path) -> tuple:
    """What config discovery from ``folder`` depends on: every candidate file up to the root."""
    out = []
    for f in [folder, *folder.parents]:
        for name in CONFIG_NAMES:
            s = _stat(f / name)
            if s is not None:
                out.append(s)
    return tuple(out)


def lists_stamp(settings: Settings) -> tuple:
    from entityfix.gazetteer.store import expand

    try:
        files = expand(settings.gazetteer_paths)
    except Exception:  # a missing list: the Checker build reports it
        files = list(settings.gazetteer_paths)
    return tuple(_stat(p) for p in files)


@dataclass
class Project:
    folder: Path
    settings: Settings
    checker: "Checker"
    stamp: tuple = field(default=())


class Projects:
    """Folder -> (settings, Checker), rebuilt when its config or lists change on disk."""

    def __init__(self, folders: list[Path] | None = None):
        self.folders: list[Path] = [f.resolve() for f in folders or []]
        self._projects: dict[Path, Project] = {}
        self._extractors: dict[tuple, object] = {}  # (model, labels) -> loaded Extractor

    def set_folders(self, folders: list[Path]) -> None:
        self.folders = [f.resolve() for f in folders]

    def folder_for(self, path: Path) -> Path:
        """The innermost workspace folder holding ``path``, else the file's own folder."""
        path = path.resolve()
        inside = [f for f in self.folders if path == f or path.is_relative_to(f)]
        return max(inside, key=lambda f: len(f.parts)) if inside else path.parent

    def project(self, path: Path) -> Project:
        """The project checking ``path``, rebuilt first if its config or lists changed.

        Raises ``EntityfixError`` for a broken config or list (the caller reports it)."""
        folder = self.folder_for(path)
        cfg = config_stamp(folder)
        current = self._projects.get(folder)
        if current is not None and current.stamp == (cfg, lists_stamp(current.settings)):
            return current
        settings = load_settings(cwd=folder)
        lists = lists_stamp(settings)
        if current is not None and current.settings == settings and current.stamp[1:] == (lists,):
            current.stamp = (cfg, lists)  # a touched config that says the same
            return current
        checker = self._build(settings)
        project = Project(folder, settings, checker, (cfg, lists))
        self._projects[folder] = project
        return project

    def invalidate(self) -> None:
        """Forget every stamp (after this server wrote a list or a config itself)."""
        for p in self._projects.values():
            p.stamp = ()

    def _build(self, settings: Settings) -> "Checker":
        from entityfix.checker import Checker

        checker = Checker(settings)
        key = (settings.model, settings.labels)
        # one pipeline, and one memo of NER output by paragraph (text/extract.py: an edit re-reads
        # only the paragraphs it touched), for every folder that asks for the same model
        extractor = self._extractors.get(key)
        if extractor is None:
            extractor = checker.extractor
            if not extractor.fallback:  # the fallback pipeline holds one gazetteer's patterns: not shared
                self._extractors[key] = extractor
        _install(checker, extractor)
        return checker


def _install(checker: "Checker", extractor) -> None:
    """Give ``checker`` this extractor (the Checker loads its own lazily, or eagerly in older code)."""
    if "_extractor" in vars(checker):
        checker._extractor = extractor
    else:
        checker.extractor = extractor
