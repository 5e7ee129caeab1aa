"""Interactive review (``entityfix fix --interactive``), driven through the real command line with
the answers piped to standard input: the sentence around each finding, answers that are not keys,
and where "never change" (``v``) goes."""

from __future__ import annotations

import json
import tomllib

from conftest import GAZETTEERS, SEED_MT, run_cli

MANGLED = "Benny Gantz arrived in Rabat.\nLater Mr. Kantz met Nasser Purida.\nMr. Kantz left.\n"
PROMPT = "apply? [y]es [n]o [a]ll of this name ne[v]er change this name [q]uit [?]help: "
GANTZ_NOTE = "    note: Israeli Defence Minister, signed the MoU in Rabat\n"


def _own_gazetteer(tmp_path):
    """A writable copy of the shipped curated gazetteer, as the user's own list."""
    original = (GAZETTEERS / "morocco-israel-2021.yaml").read_bytes()
    assert original.count(GANTZ_NOTE.encode()) == 1 and b"never" not in original
    (tmp_path / "names.yaml").write_bytes(original)
    return original


def test_each_finding_shows_its_sentence_with_the_name_marked(tmp_path):
    (tmp_path / "a.txt").write_bytes(SEED_MT.read_bytes())
    result = run_cli("fix", "-i", "a.txt", cwd=tmp_path, stdin=b"n\nn\nn\nn\nq\n")
    assert result.returncode == 0, result.stderr.decode()
    lines = result.stdout.decode().splitlines()
    # the report line as before, then the sentence, the name in [[ ]] (not a terminal)
    at = lines.index("a.txt:1:29: Loudi -> Loudiyi (PERSON, 0.944) dropped ending (0.89); matching Abdellatif; sounds alike; "
                     "type PERSON agrees; Loudi is itself a real name")
    assert lines[at + 1] == (
        "    date 2021-11-24 Abdellatif [[Loudi]], Minister of State for Morocco’s National Security Administration, "
        "and Benny Kantz, Israeli Defense Minister, arrived in Rafat on November 24, 2021."
    )
    # one sentence of a long paragraph, cut to about 200 characters at a word boundary
    assert (
        "    …a framework agreement for security cooperation “Unprecedented”, During the historic Rabat visit by Israeli "
        "Defense Minister Benny [[Kantz]] in the full tension between the Sheriff’s Kingdom and Algeria."
    ) in lines
    # "Mr." does not end the sentence
    assert any(line.startswith("    The former head of the Israeli army, Mr. [[Kantz]] was welcomed") for line in lines)


def test_styled_on_a_terminal_and_text_from_the_file_is_never_markup(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text("Benny Gantz arrived in Rabat.\nLater Mr. Kantz met [bold]them[/] at 10 [/red] in Rabat.\n")
    result = run_cli("fix", "-i", "a.txt", cwd=tmp_path, stdin=b"q\n",
                     env={"FORCE_COLOR": "1", "NO_COLOR": "", "TERM": "xterm-256color"})
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    # bold red for the old text, the replacement in bold green; the brackets printed as written
    assert "    Later Mr. \x1b[1;31mKantz\x1b[0m" in out
    assert "\x1b[1;32mGantz\x1b[0m met [bold]them[/] at 10 [/red] in Rabat." in out
    assert "[[Kantz]]" not in out


def test_an_answer_that_is_not_a_key_is_not_understood_and_asked_again(tmp_path):
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    # Kantz: "x" (not a key), an empty line, "?" (help), then "y"; then end of input = quit
    result = run_cli("fix", "-i", "a.txt", cwd=tmp_path, stdin=b"x\n\n?\ny\n")
    assert result.returncode == 1, result.stderr.decode()
    out = result.stdout.decode()
    assert f"{PROMPT}x\n'x' is not understood: answer y, n, a, v or q (? prints help)\n{PROMPT}\n{PROMPT}?\n" in out
    assert "v - never change this name: skip it and every later one, and remember it\n" in out
    assert out.count(PROMPT) == 5  # four answers to the first question, one (end of input) to the second
    assert doc.read_text() == "Benny Gantz arrived in Rabat.\nLater Mr. Gantz met Nasser Purida.\nMr. Kantz left.\n"


def test_never_into_the_gazetteer_adds_one_line_and_silences_the_name(tmp_path):
    original = _own_gazetteer(tmp_path)
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    own = ("--no-default-gazetteers", "--gazetteer", "names.yaml")
    # Kantz: v, then g (the gazetteer); the second Kantz is not asked; Purida: n
    result = run_cli("fix", "-i", *own, "a.txt", cwd=tmp_path, stdin=b"v\ng\nn\n")
    assert result.returncode == 0, result.stderr.decode()
    out = result.stdout.decode()
    assert (
        "add 'Kantz' to: [g]azetteer never list of 'Benny Gantz' (names.yaml) / "
        "[c]onfig allow list (.entityfix.toml, new file)? g\n"
    ) in out
    assert "added 'Kantz' to the never list of 'Benny Gantz' in names.yaml" in out
    assert out.count(PROMPT) == 2
    # only the never entry is new: comments, order and every other byte kept
    expected = original.replace(GANTZ_NOTE.encode(), (GANTZ_NOTE + "    never: [Kantz]\n").encode())
    assert (tmp_path / "names.yaml").read_bytes() == expected
    assert not (tmp_path / ".entityfix.toml").exists()
    assert doc.read_text() == MANGLED
    # the next run leaves "Kantz" alone and still reports the rest
    again = run_cli("check", "--format", "json", *own, "a.txt", cwd=tmp_path)
    found = [(f["old"], f["new"]) for f in json.loads(again.stdout)["files"][0]["findings"]]
    assert found == [("Purida", "Bourita")]


def test_never_into_the_config_allow_list(tmp_path):
    original = _own_gazetteer(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.entityfix]\ngazetteers = ["names.yaml"]\ndefault-gazetteers = false\n'
    )
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    # Kantz: "w" is not understood in the follow-up either, then c (the config); Purida: y
    result = run_cli("fix", "-i", "a.txt", cwd=tmp_path, stdin=b"v\nw\nc\ny\n")
    assert result.returncode == 1, result.stderr.decode()
    out = result.stdout.decode()
    question = "add 'Kantz' to: [g]azetteer never list of 'Benny Gantz' (names.yaml) / [c]onfig allow list (pyproject.toml)? "
    assert f"{question}w\n'w' is not understood: answer g or c (? prints help)\n{question}c\n" in out
    assert tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["entityfix"]["allow"] == ["Kantz"]
    assert (tmp_path / "names.yaml").read_bytes() == original
    assert doc.read_text() == "Benny Gantz arrived in Rabat.\nLater Mr. Kantz met Nasser Bourita.\nMr. Kantz left.\n"


def test_never_goes_into_the_config_named_with_config(tmp_path):
    original = _own_gazetteer(tmp_path)
    settings = tmp_path / "conf" / "entityfix.toml"
    settings.parent.mkdir()
    settings.write_text('gazetteers = ["../names.yaml"]\ndefault-gazetteers = false\n')
    (tmp_path / ".entityfix.toml").write_text("default-gazetteers = true\n")  # found upwards, but not in force
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    result = run_cli("fix", "-i", "--config", str(settings), "a.txt", cwd=tmp_path, stdin=b"v\nc\ny\n")
    assert result.returncode == 1, result.stderr.decode()
    assert f"[c]onfig allow list ({settings})" in result.stdout.decode() or "[c]onfig allow list (conf/entityfix.toml)" in result.stdout.decode()
    assert tomllib.loads(settings.read_text())["allow"] == ["Kantz"]
    assert (tmp_path / ".entityfix.toml").read_text() == "default-gazetteers = true\n"
    assert (tmp_path / "names.yaml").read_bytes() == original
