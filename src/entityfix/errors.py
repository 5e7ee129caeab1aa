"""The one exception type the CLI turns into a one-line message and exit code 2.

Every input problem (bad file, broken gazetteer, broken config) is raised as an
``EntityfixError`` naming the file (and line, when known) so the user sees
``path:line: problem`` instead of a traceback.
"""

from __future__ import annotations


class EntityfixError(Exception):
    """An input or usage problem, reported as one line: ``path[:line]: message``."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return f"{where}{self.message}"
