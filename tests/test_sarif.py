"""SARIF output checked against the official SARIF 2.1.0 JSON schema (issue "Trust", item 19).

The schema is the one Microsoft's SARIF tooling validates with, shipped (MIT) in the npm package
``@microsoft/jest-sarif@1.0.0-beta.0`` as ``lib/schemas/sarif-2.1.0-rtm.5.json``.  It is fetched
once per session with ``npm pack``; the tests skip only where npm is not installed, and fail when
npm is there but the fetch does not work.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tarfile
import tomllib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import ROOT, SEED_MT, run_cli

SCHEMA_PACKAGE = "@microsoft/jest-sarif@1.0.0-beta.0"
SCHEMA_MEMBER = "package/lib/schemas/sarif-2.1.0-rtm.5.json"
NPM_TIMEOUT = 180

# two astral characters (two UTF-16 code units each) before a misspelt name: "Kantz" is the 10th
# code point of the line but starts at UTF-16 code unit 12
EMOJI_TEXT = "😀😀 Benny Kantz met Benny Gantz in Rabat.\n"


@pytest.fixture(scope="session")
def sarif_schema(tmp_path_factory) -> dict:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip(f"npm is not installed: the SARIF 2.1.0 schema is fetched with `npm pack {SCHEMA_PACKAGE}`")
    folder = tmp_path_factory.mktemp("jest-sarif")
    env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false", npm_config_audit="false")
    try:
        packed = subprocess.run(
            [npm, "pack", SCHEMA_PACKAGE], cwd=folder, capture_output=True, env=env, timeout=NPM_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"`npm pack {SCHEMA_PACKAGE}` took over {NPM_TIMEOUT} s (is the npm registry reachable?)")
    tarballs = list(folder.glob("*.tgz"))
    if packed.returncode != 0 or len(tarballs) != 1:
        pytest.fail(f"`npm pack {SCHEMA_PACKAGE}` failed (exit {packed.returncode}): {packed.stderr.decode(errors='replace')}")
    with tarfile.open(tarballs[0]) as tar:
        member = tar.extractfile(SCHEMA_MEMBER)
        assert member is not None, f"{SCHEMA_MEMBER} is not in {tarballs[0].name}"
        schema = json.load(member)
    assert "2.1.0" in schema["title"], schema["title"]
    return schema


@pytest.fixture(scope="session")
def sarif_run(tmp_path_factory) -> dict:
    """One real `entityfix check --format sarif` (one model load) over seed 003 and an emoji file.

    The seed is named relative to the repository (a relative URI), the emoji file absolutely and
    with spaces in its path (a percent-encoded ``file://`` URI).
    """
    folder = tmp_path_factory.mktemp("sarif") / "my docs"
    folder.mkdir()
    emoji = folder / "two emoji.txt"
    emoji.write_text(EMOJI_TEXT, encoding="utf-8")
    seed = SEED_MT.relative_to(ROOT).as_posix()
    result = run_cli("check", "--format", "sarif", seed, str(emoji), cwd=ROOT)
    assert result.returncode == 1, result.stderr.decode()
    return {
        "log": json.loads(result.stdout),
        "texts": {seed: SEED_MT.read_text(encoding="utf-8"), emoji.as_uri(): EMOJI_TEXT},
        "seed_uri": seed,
        "emoji_uri": emoji.as_uri(),
    }


_URI_CHARS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*")


def _is_uri_reference(value: object) -> bool:
    """RFC 3986 URI-reference, checked strictly enough to catch a raw file path (space, '<', '\\')."""
    if not isinstance(value, str) or not _URI_CHARS.fullmatch(value):
        return False
    scheme = urlsplit(value).scheme
    return not scheme or bool(_SCHEME.fullmatch(scheme))


def _is_uri(value: object) -> bool:
    return _is_uri_reference(value) and bool(urlsplit(str(value)).scheme)


def _validator(schema: dict):
    """The validator of the draft the schema declares, checking the uri formats it uses too."""
    from jsonschema import FormatChecker
    from jsonschema.validators import validator_for

    cls = validator_for(schema)
    cls.check_schema(schema)
    formats = FormatChecker()
    # jsonschema checks "uri" only when an optional package (rfc3987) is installed: check it here
    formats.checks("uri")(_is_uri)
    formats.checks("uri-reference")(_is_uri_reference)
    return cls(schema, format_checker=formats)


def _errors(schema: dict, log: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(schema).iter_errors(log)]


def _utf16(text: str, start: int, end: int) -> str:
    """text[start:end] with start and end counted in UTF-16 code units."""
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * start : 2 * end].decode("utf-16-le", "surrogatepass")


def _region_text(text: str, region: dict) -> tuple[str, str]:
    """What a region covers, read once by line/column and once by charOffset/charLength (UTF-16)."""
    lines = text.split("\n")
    assert region["startLine"] == region["endLine"]
    line = lines[region["startLine"] - 1]
    by_columns = _utf16(line, region["startColumn"] - 1, region["endColumn"] - 1)
    by_offset = _utf16(text, region["charOffset"], region["charOffset"] + region["charLength"])
    return by_columns, by_offset


def test_the_fetched_schema_rejects_broken_sarif(sarif_schema):
    """The validator is not vacuous: it catches what a broken writer would produce."""
    ok = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "columnKind": "utf16CodeUnits", "results": []}]}
    assert _errors(sarif_schema, ok) == []
    assert _errors(sarif_schema, {**ok, "version": "2.0.0"})
    assert _errors(sarif_schema, {"version": "2.1.0", "runs": [{**ok["runs"][0], "columnKind": "codePoints"}]})
    assert _errors(sarif_schema, {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x", "informationUri": "entityfix"}}}]})
    raw_path = {"ruleId": "r", "message": {"text": "m"}, "locations": [{"physicalLocation": {"artifactLocation": {"uri": "my docs/a.txt"}}}]}
    assert _errors(sarif_schema, {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "results": [raw_path]}]})


def test_cli_sarif_is_valid_against_the_official_schema(sarif_schema, sarif_run):
    log = sarif_run["log"]
    assert _errors(sarif_schema, log) == []
    [run] = log["runs"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {
        sarif_run["seed_uri"],
        sarif_run["emoji_uri"],
    }
    assert len(run["results"]) >= 15  # seed 003's corrections and the emoji file's one


def test_columns_count_utf16_code_units(sarif_run):
    [run] = sarif_run["log"]["runs"]
    assert run["columnKind"] == "utf16CodeUnits"
    [emoji] = [r for r in run["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == sarif_run["emoji_uri"]]
    region = emoji["locations"][0]["physicalLocation"]["region"]
    assert EMOJI_TEXT.index("Kantz") + 1 == 10  # the code-point column the text and JSON reports give
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (1, 12, 17)
    assert (region["charOffset"], region["charLength"]) == (11, 5)


def test_every_region_and_fix_covers_the_misspelt_name(sarif_run):
    """Read back through both ways a region is given, every location and fix lands on the old name."""
    [run] = sarif_run["log"]["runs"]
    rule_ids = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    for result in run["results"]:
        assert result["ruleId"] in rule_ids
        location = result["locations"][0]["physicalLocation"]
        text = sarif_run["texts"][location["artifactLocation"]["uri"]]
        old, _, rest = result["message"]["text"].partition(" -> ")
        assert _region_text(text, location["region"]) == (old, old)
        [fix] = result["fixes"]
        [change] = fix["artifactChanges"]
        [replacement] = change["replacements"]
        assert change["artifactLocation"] == location["artifactLocation"]
        assert replacement["deletedRegion"] == location["region"]
        assert rest.startswith(replacement["insertedContent"]["text"] + " (")


def test_artifact_uris_are_uri_references(sarif_run):
    assert sarif_run["seed_uri"] == "seeds/003_cb8372393b9cf68e.txt"
    assert sarif_run["emoji_uri"].startswith("file:///") and "my%20docs/two%20emoji.txt" in sarif_run["emoji_uri"]
    assert Path(unquote(urlsplit(sarif_run["emoji_uri"]).path)).read_text(encoding="utf-8") == EMOJI_TEXT


def test_information_uri_is_the_project_homepage(sarif_run):
    driver = sarif_run["log"]["runs"][0]["tool"]["driver"]
    homepage = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]["Homepage"]
    assert driver["informationUri"] == homepage
    assert homepage.startswith("https://") and "pypi.org" not in homepage


def test_sarif_writer_columns_in_process():
    """No model: astral characters inside the name, on an earlier line, and a name over a line break."""
    from entityfix.cli.report import FileResult, to_json, to_sarif
    from entityfix.matching.decide import FIX, Finding

    text = "𝔄 first line\nx 😀 Kant😀z and\nBenny\nKantz end\n"

    def finding(old: str, new: str) -> Finding:
        start = text.index(old)
        return Finding(start, start + len(old), old, new, "Benny Gantz", "PERSON", 0.99, FIX, ("test",))

    names = [finding("Kant😀z", "Gantz"), finding("Benny\nKantz", "Benny Gantz")]
    [run] = json.loads(to_sarif([FileResult("notes/a b.txt", text, tuple(names))]))["runs"]
    assert run["columnKind"] == "utf16CodeUnits"
    inline, across = (r["locations"][0]["physicalLocation"] for r in run["results"])
    assert inline["artifactLocation"]["uri"] == "notes/a%20b.txt"
    # line 2 is "x 😀 Kant😀z and": Kant😀z starts after 4 code points (5 code units) and is 7 units long
    assert inline["region"] == {"startLine": 2, "startColumn": 6, "endLine": 2, "endColumn": 13, "charOffset": 19, "charLength": 7}
    assert _utf16(text, 19, 26) == "Kant😀z"
    assert across["region"] == {"startLine": 3, "startColumn": 1, "endLine": 4, "endColumn": 6,
                                "charOffset": text.index("Benny") + 3, "charLength": len("Benny\nKantz")}
    # the JSON report keeps counting code points, as documented
    json_findings = json.loads(to_json([FileResult("a.txt", text, tuple(names))]))["files"][0]["findings"]
    assert (json_findings[0]["line"], json_findings[0]["column"]) == (2, 5)
