"""entityfix: find and fix misspelt named entities (people, places, organisations) in text.

Library use, without the command line::

    from entityfix import Checker, Settings, apply_findings
    checker = Checker(Settings())
    findings = checker.check_text(text)
    fixed = apply_findings(text, findings)
"""

__version__ = "0.1.0"

__all__ = ["Checker", "Settings", "Finding", "apply_findings", "__version__"]


def __getattr__(name: str):
    # Lazy: importing entityfix must not import spaCy (the CLI's start-up time matters).
    if name == "Checker":
        from entityfix.checker import Checker

        return Checker
    if name == "Settings":
        from entityfix.settings import Settings

        return Settings
    if name == "Finding":
        from entityfix.matching.decide import Finding

        return Finding
    if name == "apply_findings":
        from entityfix.apply import apply_findings

        return apply_findings
    raise AttributeError(name)
