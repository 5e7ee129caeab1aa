"""The command line: typer app (``app.py``), config-file discovery, path walking, the runner,
interactive review and the report formats.  It uses the library's public API only."""


def main() -> None:
    """Console-script entry point (imported lazily so ``entityfix.cli.report`` stays light)."""
    from entityfix.cli.app import main as run

    run()
