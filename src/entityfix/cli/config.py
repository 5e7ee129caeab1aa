"""Config files: defaults, then ``[tool.entityfix]`` / ``.entityfix.toml``, then command-line flags.

The config file is found by walking up from the working folder, the way ruff
and codespell users expect: the first ``.entityfix.toml``, or ``pyproject.toml``
with a ``[tool.entityfix]`` table, wins.  Every key is validated: an unknown key
or a wrong type is one line naming the file and the key.  Each effective value
remembers where it came from, for ``entityfix config``.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from entityfix.errors import EntityfixError
from entityfix.settings import Settings, check
from entityfix.text.extract import model_labels

CONFIG_NAMES = (".entityfix.toml", "pyproject.toml")


# key in the file -> (field name, kind)
_KEYS: dict[str, tuple[str, str]] = {
    "gazetteers": ("gazetteers", "paths"),
    "default-gazetteers": ("default_gazetteers", "bool"),
    "model": ("model", "str"),
    "labels": ("labels", "strs"),
    "fix-threshold": ("fix_threshold", "prob"),
    "suggest-threshold": ("suggest_threshold", "prob"),
    "include": ("include", "strs"),
    "exclude": ("exclude", "strs"),
    "allow": ("allow", "strs"),
    "encoding": ("encoding", "str"),
    "max-bytes": ("max_bytes", "int"),
    "channel": ("channel", "str"),
    "sources": ("sources", "path"),
    "source-lang": ("source_lang", "str"),
    "source-mismatch": ("source_mismatch", "bool"),
    "consistency": ("consistency", "str"),
    "candidate-first": ("candidate_first", "bool"),
}


def find_config(start: Path) -> tuple[Path, dict[str, Any]] | None:
    """Walk up from ``start`` to the first file that configures entityfix."""
    for folder in [start, *start.parents]:
        for name in CONFIG_NAMES:
            candidate = folder / name
            if not candidate.is_file():
                continue
            data = _read_toml(candidate)
            if name == "pyproject.toml":
                tool = data.get("tool", {})
                if isinstance(tool, dict) and "entityfix" in tool:
                    table = tool["entityfix"]
                    if not isinstance(table, dict):
                        raise EntityfixError("[tool.entityfix] must be a table", str(candidate))
                    return candidate, table
                continue
            return candidate, data
    return None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_bytes().decode("utf-8-sig"))
    except tomllib.TOMLDecodeError as exc:
        raise EntityfixError(f"TOML syntax error: {exc}", str(path)) from None
    except UnicodeDecodeError:
        raise EntityfixError("not UTF-8 text", str(path)) from None
    except OSError as exc:
        raise EntityfixError(exc.strerror or str(exc), str(path)) from None


def key_line(path: Path, key: str) -> int | None:
    """The line of the config file where ``key`` is set (None when it cannot be told)."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    pattern = re.compile(rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*=""")
    return next((n for n, line in enumerate(lines, start=1) if pattern.match(line)), None)


def _header_line(path: Path) -> int | None:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return next((n for n, line in enumerate(lines, start=1) if line.strip().startswith("[tool.entityfix]")), None)


def _convert(path: Path, key: str, kind: str, value: Any) -> Any:
    def bad(expected: str) -> EntityfixError:
        return EntityfixError(f"key {key!r} must be {expected}, got {type(value).__name__} {value!r}", str(path), key_line(path, key))

    if kind == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if kind == "str":
        if not isinstance(value, str) or not value:
            raise bad("a non-empty string")
        return value
    if kind == "path":
        if not isinstance(value, str) or not value:
            raise bad("a path (a non-empty string)")
        return path.parent / value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise bad("a positive integer")
        return value
    if kind == "prob":
        if not isinstance(value, (int, float)) or isinstance(value, bool) or not 0.0 <= value <= 1.0:
            raise bad("a number between 0 and 1")
        return float(value)
    if kind in {"strs", "paths"}:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise bad("a list of strings")
        if kind == "paths":
            return tuple((path.parent / v) for v in value)
        return tuple(value)
    raise AssertionError(kind)


def settings_from_table(path: Path, table: dict[str, Any], base: Settings | None = None) -> Settings:
    base = base or Settings()
    values: dict[str, Any] = {}
    if path.name != "pyproject.toml" and set(table) == {"tool"} and isinstance(table["tool"], dict) and "entityfix" in table["tool"]:
        raise EntityfixError(
            "a [tool.entityfix] table belongs in pyproject.toml; in .entityfix.toml write the keys without a header",
            str(path), _header_line(path),
        )
    for key, value in table.items():
        if key not in _KEYS:
            raise EntityfixError(f"unknown key {key!r} (known keys: {', '.join(sorted(_KEYS))})", str(path))
        name, kind = _KEYS[key]
        values[name] = _convert(path, key, kind, value)
    if "labels" in values:
        known = model_labels(values.get("model") or base.model)
        unknown = [label for label in values["labels"] if label not in known]
        if unknown:
            raise EntityfixError(
                f"key 'labels': unknown entity label {', '.join(map(repr, unknown))} (known: {', '.join(sorted(known))})",
                str(path), key_line(path, "labels"),
            )
    settings = base.with_values(str(path), **values)
    check(settings, str(path))
    return settings


def load_settings(cwd: Path | None = None, config: Path | None = None) -> Settings:
    """Defaults overlaid with the config file (given, or found by walking up from ``cwd``)."""
    if config is not None:
        if not config.is_file():
            raise EntityfixError("config file not found", str(config))
        data = _read_toml(config)
        if config.name == "pyproject.toml":
            data = data.get("tool", {}).get("entityfix", {})
        return settings_from_table(config, data)
    found = find_config((cwd or Path.cwd()).resolve())
    if found is None:
        return Settings()
    return settings_from_table(*found)


def add_to_allow(name: str, cwd: Path, config: Path | None = None) -> Path:
    """Add ``name`` to the allow list of the config in force: ``config`` (the ``--config`` file) when
    given, else the one found upwards from ``cwd`` (creating ``.entityfix.toml`` if none).

    Only the ``allow = [...]`` line is written; everything else in the file stays as it was.
    """
    import json
    import re

    from entityfix.text.document import read, write_atomic

    if config is not None:
        if not config.is_file():
            raise EntityfixError("config file not found", str(config))
        data = _read_toml(config)
        found = (config, data.get("tool", {}).get("entityfix", {}) if config.name == "pyproject.toml" else data)
    else:
        found = find_config(cwd.resolve())
    if found is None:
        path = cwd / ".entityfix.toml"
        path.write_text(f"allow = {json.dumps([name], ensure_ascii=False)}\n", encoding="utf-8")
        return path
    path, table = found
    current = list(table.get("allow", []))
    if name in current:
        return path
    current.append(name)
    line = f"allow = {json.dumps(current, ensure_ascii=False)}"
    doc = read(path)
    text = doc.text
    if "allow" in table:
        new_text, n = re.subn(r"(?m)^allow\s*=\s*\[[^\]]*\]", line, text, count=1)
        if n != 1:
            raise EntityfixError("cannot find the 'allow' line to extend; add the name by hand", str(path))
    elif path.name == "pyproject.toml":
        m = re.search(r"(?m)^\[tool\.entityfix\][^\n]*\n", text)
        if m is None:
            raise EntityfixError("cannot find [tool.entityfix] to extend; add the name by hand", str(path))
        new_text = text[: m.end()] + line + "\n" + text[m.end() :]
    else:
        new_text = line + "\n" + text
    data = tomllib.loads(new_text)
    written = data.get("tool", {}).get("entityfix", data) if path.name == "pyproject.toml" else data
    if written.get("allow") != current:
        raise EntityfixError("could not add to the allow list safely; add the name by hand", str(path))
    write_atomic(doc, new_text)
    return path


def settings_toml(settings: Settings) -> list[str]:
    """The effective settings as lines of TOML that ``.entityfix.toml`` accepts back, each with
    where its value came from; unset options are commented out."""
    import json

    by_field = {name: key for key, (name, _) in _KEYS.items()}
    lines = []
    for name in Settings.__dataclass_fields__:
        if name not in by_field:
            continue
        key = by_field[name]
        value = getattr(settings, name)
        origin = settings.origins.get(name, "default")
        if value is None:
            lines.append(f"# {key} = (not set)  # {origin}")
            continue
        if name == "gazetteers":  # written as absolute paths, so they hold wherever the file goes
            value = [str(Path(p).resolve()) for p in value]
        lines.append(f"{key} = {json.dumps(list(value) if isinstance(value, tuple) else value, ensure_ascii=False)}  # {origin}")
    return lines
