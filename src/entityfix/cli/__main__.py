"""``python -m entityfix.cli``: the same as the ``entityfix`` command."""

from entityfix.cli import main

main()
