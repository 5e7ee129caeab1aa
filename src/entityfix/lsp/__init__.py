"""``entityfix lsp``: a language server for editors (needs the ``lsp`` extra: pygls 2).

Modules: ``server`` (protocol, scheduling), ``actions`` (code actions, hover), ``positions``
(code points <-> UTF-16 positions), ``projects`` (settings per workspace folder, reload).
NER reads a text paragraph by paragraph and remembers each (``text/extract.py``), so an edit
re-runs the model on the paragraphs it touched only.
"""


def main() -> None:
    from entityfix.lsp.server import main as run

    run()
