"""The Settings dataclass: everything that changes what entityfix does, with its defaults.

The library (``Checker``) takes a ``Settings`` and knows nothing of where the values came from;
``cli/config.py`` finds config files and turns them (and command-line flags) into one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from entityfix.errors import EntityfixError
from entityfix.text.extract import DEFAULT_LABELS


def shipped_gazetteers() -> Path:
    """The gazetteers shipped with entityfix: inside the wheel, or at the repo root when editable."""
    here = Path(__file__).resolve().parent
    packaged = here / "gazetteers"
    if packaged.is_dir():
        return packaged
    return here.parent.parent / "gazetteers"


@dataclass(frozen=True)
class Settings:
    """Everything that changes what entityfix does, with defaults."""

    gazetteers: tuple[Path, ...] = ()  # added to the shipped ones unless default_gazetteers is False
    default_gazetteers: bool = True
    model: str | None = None
    labels: tuple[str, ...] = DEFAULT_LABELS
    fix_threshold: float = 0.85
    suggest_threshold: float = 0.5
    include: tuple[str, ...] = ("*.txt", "*.md", "*.markdown", "*.rst", "*.text", "*.srt", "*.vtt", "*.html", "*.htm", "*.tex", "*.adoc", "*.org")
    exclude: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()
    encoding: str | None = None
    max_bytes: int = 200 * 1024 * 1024
    channel: str = "auto"  # ocr, mt, asr, or auto: guessed from each text (text/channel.py)
    candidate_first: bool = True  # NER reads only the paragraphs a finding may depend on (matching/screen.py)
    consistency: str = "document"  # one name spelt several ways: per "document", across the "corpus", or "off"
    source_mismatch: bool = True  # with a source text: names the translation dropped or spells apart
    source_lang: str | None = None  # the source texts' language (ISO 639-1); None: detected
    sources: Path | None = None  # a folder of source texts, paired with the files checked by name
    origins: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def gazetteer_paths(self) -> list[Path]:
        paths = [shipped_gazetteers()] if self.default_gazetteers else []
        return paths + list(self.gazetteers)

    def with_values(self, origin: str, **values: Any) -> "Settings":
        """A copy with the given (non-None) values set, remembering where they came from."""
        values = {k: v for k, v in values.items() if v is not None}
        origins = dict(self.origins)
        origins.update({k: origin for k in values})
        return replace(self, origins=origins, **values)


CHANNEL_CHOICES = ("auto", "ocr", "mt", "asr")
CONSISTENCY_CHOICES = ("document", "corpus", "off")


def check(settings: Settings, where: str | None = None) -> None:
    if settings.channel not in CHANNEL_CHOICES:
        raise EntityfixError(f"channel {settings.channel!r} is not one of {', '.join(CHANNEL_CHOICES)}", where)
    if settings.consistency not in CONSISTENCY_CHOICES:
        raise EntityfixError(f"consistency {settings.consistency!r} is not one of {', '.join(CONSISTENCY_CHOICES)}", where)
    if settings.suggest_threshold > settings.fix_threshold:
        raise EntityfixError(
            f"suggest threshold {settings.suggest_threshold} is above fix threshold {settings.fix_threshold}", where
        )
