"""The package is a house of layers (README "Layout"): no import runs from a lower folder to a higher one.

spelling < gazetteer < text < matching < the top-level modules < corpus < cli < lsp (the language server
uses the CLI's config discovery and list writers; the CLI's ``lsp`` command is its entry point,
the one import allowed to run up).  ``errors.py`` and
``cache.py`` are leaves every layer may use (they import nothing of the package).  The test reads
the imports with ``ast``, so it also catches imports inside functions.
"""

from __future__ import annotations

import ast
from pathlib import Path

import entityfix

PACKAGE = Path(entityfix.__file__).resolve().parent
LAYERS = ("spelling", "gazetteer", "text", "matching", "", "corpus", "cli", "lsp")  # "" = top-level modules
ENTRY_POINTS = frozenset({("cli/app.py", "entityfix.lsp")})  # `entityfix lsp` starts the server
LEAVES = frozenset({"entityfix", "entityfix.errors", "entityfix.cache"})


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else ""


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module and node.module.split(".")[0] == "entityfix":
            yield node.module, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "entityfix":
                    yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level > 0:
            yield ".", node.lineno  # relative imports hide the layer: the package uses absolute ones


def test_no_import_runs_up_the_layers():
    upward = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        mine = rel.parts[0] if len(rel.parts) > 1 else ""
        for module, line in _imports(path):
            if module == ".":
                upward.append(f"{rel}:{line}: relative import")
            elif (rel.as_posix(), module) in ENTRY_POINTS:
                continue
            elif module not in LEAVES and LAYERS.index(_layer(module)) > LAYERS.index(mine):
                upward.append(f"{rel}:{line}: {module}")
    assert upward == []


def test_leaves_import_nothing_of_the_package():
    for name in ("errors.py", "cache.py"):
        assert [m for m, _ in _imports(PACKAGE / name)] == [], name
