"""Bad and unusual input: one clear line naming the file, exit 2, nothing half-written."""

from __future__ import annotations

import codecs
import os
import shutil
import stat
import sys

import pytest

from conftest import SEED_MT, run_cli

MANGLED = "Benny Gantz arrived.\nLater Mr. Kantz spoke.\n"
FIXED = "Benny Gantz arrived.\nLater Mr. Gantz spoke.\n"


def one_error_line(result, path, words):
    err = result.stderr.decode()
    lines = [ln for ln in err.splitlines() if ln.startswith("entityfix: error:")]
    assert len(lines) == 1, err
    assert str(path) in lines[0] and words in lines[0], lines[0]
    assert "Traceback" not in err


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    result = run_cli("check", str(missing))
    assert result.returncode == 2
    one_error_line(result, missing, "no such file")


def test_binary_file_is_skipped_with_an_error(tmp_path):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    before = binary.read_bytes()
    result = run_cli("fix", str(binary))
    assert result.returncode == 2
    one_error_line(result, binary, "binary file")
    assert binary.read_bytes() == before


def test_latin1_is_refused_then_read_with_encoding(tmp_path):
    path = tmp_path / "latin1.txt"
    data = "Café Müller: Benny Gantz arrived.\nLater Mr. Kantz spoke.\n".encode("cp1252")
    path.write_bytes(data)
    refused = run_cli("fix", str(path))
    assert refused.returncode == 2
    one_error_line(refused, path, "not UTF-8")
    assert path.read_bytes() == data
    ok = run_cli("fix", "--encoding", "cp1252", str(path))
    assert ok.returncode == 1, ok.stderr.decode()
    assert path.read_bytes() == data.replace(b"Kantz", b"Gantz")


@pytest.mark.parametrize(
    "bom, encoding",
    [(b"", "utf-8"), (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
)
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_encoding_bom_and_newlines_are_kept(tmp_path, bom, encoding, newline):
    path = tmp_path / "doc.txt"
    path.write_bytes(bom + MANGLED.replace("\n", newline).encode(encoding))
    result = run_cli("fix", str(path))
    assert result.returncode == 1, result.stderr.decode()
    assert path.read_bytes() == bom + FIXED.replace("\n", newline).encode(encoding)


def test_mixed_newlines_kept_byte_for_byte(tmp_path):
    path = tmp_path / "mixed.txt"
    path.write_bytes(b"Benny Gantz arrived.\r\nLater Mr. Kantz spoke.\nThe end.\r\n\r\nNo newline at end")
    run_cli("fix", str(path))
    assert path.read_bytes() == b"Benny Gantz arrived.\r\nLater Mr. Gantz spoke.\nThe end.\r\n\r\nNo newline at end"


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert run_cli("check", str(path)).returncode == 0
    assert run_cli("fix", str(path)).returncode == 0
    assert path.read_bytes() == b""


def test_read_only_file_is_not_changed(tmp_path):
    path = tmp_path / "ro.txt"
    path.write_text(MANGLED)
    path.chmod(0o444)
    result = run_cli("fix", str(path))
    assert result.returncode == 2
    one_error_line(result, path, "read-only")
    assert path.read_text() == MANGLED


def test_file_mode_is_kept(tmp_path):
    path = tmp_path / "mode.txt"
    path.write_text(MANGLED)
    path.chmod(0o640)
    assert run_cli("fix", str(path)).returncode == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text() == FIXED
    assert [p.name for p in tmp_path.iterdir()] == ["mode.txt"]  # no temporary file left behind


def test_symlink_is_followed_and_kept(tmp_path):
    real = tmp_path / "real.txt"
    real.write_text(MANGLED)
    link = tmp_path / "link.txt"
    link.symlink_to(real)
    assert run_cli("fix", str(link)).returncode == 1
    assert link.is_symlink()
    assert real.read_text() == FIXED


def test_path_given_twice_is_checked_once(tmp_path):
    path = tmp_path / "twice.txt"
    path.write_text(MANGLED)
    result = run_cli("check", str(path), str(path), "--format", "json")
    import json

    assert len(json.loads(result.stdout)["files"]) == 1


def test_folder_is_walked_for_text_files(tmp_path):
    (tmp_path / "a.txt").write_text(MANGLED)
    (tmp_path / "b.md").write_text(MANGLED)
    (tmp_path / "c.py").write_text("# Mr. Kantz\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "d.txt").write_text(MANGLED)
    result = run_cli("check", "--format", "json", str(tmp_path))
    import json

    paths = sorted(os.path.basename(f["path"]) for f in json.loads(result.stdout)["files"])
    assert paths == ["a.txt", "b.md"]


def test_stdin_check_and_fix():
    checked = run_cli("check", "-", stdin=MANGLED.encode())
    assert checked.returncode == 1
    assert "<stdin>:2:11: Kantz -> Gantz" in checked.stdout.decode()
    fixed = run_cli("fix", "-", stdin=MANGLED.encode())
    assert fixed.returncode == 1
    assert fixed.stdout.decode() == FIXED


def test_errors_do_not_stop_other_files(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(MANGLED)
    result = run_cli("fix", str(tmp_path / "missing.txt"), str(good))
    assert result.returncode == 2
    assert good.read_text() == FIXED


def test_console_script_is_installed():
    exe = shutil.which("entityfix")
    assert exe, "the entityfix console script is not on PATH"
    import subprocess

    result = subprocess.run([exe, "check", str(SEED_MT)], capture_output=True, env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 1
    assert b"Policario -> Polisario" in result.stdout


def test_very_long_line(tmp_path):
    path = tmp_path / "long.txt"
    line = ("the minister said nothing new today " * 30000) + "Benny Gantz met Mr. Kantz. " + ("and then left " * 30000)
    path.write_text(line, encoding="utf-8")
    assert run_cli("fix", str(path)).returncode == 1
    assert path.read_text(encoding="utf-8") == line.replace("Mr. Kantz", "Mr. Gantz")


def test_oversized_file_is_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text(MANGLED * 100)
    (tmp_path / ".entityfix.toml").write_text("max-bytes = 1000\n")
    result = run_cli("fix", "big.txt", cwd=tmp_path)
    assert result.returncode == 2
    one_error_line(result, "big.txt", "over the 1000-byte limit")
    assert path.read_text() == MANGLED * 100


def test_gazetteer_not_utf8(tmp_path):
    gaz = tmp_path / "g.yaml"
    gaz.write_bytes("entities:\n  - name: Müller\n    type: PERSON\n".encode("latin-1"))
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    result = run_cli("check", "-g", str(gaz), str(doc))
    assert result.returncode == 2
    one_error_line(result, gaz, "not UTF-8")


def test_debug_shows_the_traceback(tmp_path):
    gaz = tmp_path / "g.yaml"
    gaz.write_text("entities: [")
    doc = tmp_path / "a.txt"
    doc.write_text(MANGLED)
    quiet = run_cli("check", "-g", str(gaz), str(doc))
    loud = run_cli("check", "--debug", "-g", str(gaz), str(doc))
    assert quiet.returncode == loud.returncode == 2
    assert b"Traceback" not in quiet.stderr and b"Traceback" in loud.stderr


@pytest.mark.parametrize("edit", ["longer", "same size, same mtime"])
def test_file_changed_between_read_and_write_is_not_overwritten(tmp_path, edit):
    from entityfix.text.document import read, write_atomic
    from entityfix.errors import EntityfixError

    path = tmp_path / "a.txt"
    path.write_text(MANGLED)
    doc = read(path)
    before = path.stat()
    someone_else = MANGLED + "A new paragraph.\n" if edit == "longer" else MANGLED.replace("arrived", "departs")
    assert edit == "longer" or len(someone_else) == len(MANGLED)
    path.write_text(someone_else)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(EntityfixError, match="changed on disk since it was read"):
        write_atomic(doc, FIXED)
    assert path.read_text() == someone_else


def test_windows_of_a_long_text_keep_offsets_and_lines(checker, monkeypatch):
    import entityfix.checker as checker_module

    text = ("Benny Gantz arrived in Rabat.\n\n" + "A quiet paragraph about nothing at all.\n\n" * 40 + "Later Mr. Kantz spoke.\n\n") * 6
    whole = checker.check_text(text)
    monkeypatch.setattr(checker_module, "WINDOW_CHARS", 900)
    windowed = checker.check_text(text)
    assert [(f.start, f.end, f.new) for f in windowed] == [(f.start, f.end, f.new) for f in whole]
    assert len(whole) == 6 and all(text[f.start : f.end] == "Kantz" for f in windowed)


def _as_unprivileged(*args: str, cwd=None) -> list[str]:
    """The command line, run without the capabilities that let root ignore file permissions."""
    import shutil as _sh

    cmd = [sys.executable, "-m", "entityfix.cli", *args]
    if os.geteuid() == 0:
        setpriv = _sh.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to test permissions as root"
        cmd = [setpriv, "--bounding-set=-dac_override,-dac_read_search", *cmd]
    return cmd


def _run_unprivileged(*args: str):
    import subprocess

    return subprocess.run(_as_unprivileged(*args), capture_output=True, timeout=300, env={**os.environ, "NO_COLOR": "1"})


def test_folder_without_permission(tmp_path):
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text(MANGLED)
    locked.chmod(0)
    try:
        result = _run_unprivileged("check", str(locked))
    finally:
        locked.chmod(0o755)
    assert result.returncode == 2
    one_error_line(result, locked, "permission denied")


def test_unreadable_and_unwritable_files(tmp_path):
    unreadable = tmp_path / "secret.txt"
    unreadable.write_text(MANGLED)
    unreadable.chmod(0)
    readonly = tmp_path / "ro.txt"
    readonly.write_text(MANGLED)
    readonly.chmod(0o444)
    try:
        result = _run_unprivileged("fix", str(unreadable), str(readonly))
    finally:
        unreadable.chmod(0o644)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert f"{unreadable}: permission denied" in err
    assert f"{readonly}: file is read-only; not changed" in err
    assert unreadable.read_text() == MANGLED and readonly.read_text() == MANGLED


def test_windowed_fixed_point_matches_the_whole_text(checker, monkeypatch):
    import entityfix.checker as checker_module

    text = ("Benny Kantz\tRabbat\tBenny Gantz.\n\n" + "Nothing here at all, really.\n\n" * 30) * 4
    whole = checker.check_until_stable(text)
    monkeypatch.setattr(checker_module, "WINDOW_CHARS", 1000)
    windowed = checker.check_until_stable(text)
    assert [(f.start, f.new, f.action) for f in windowed] == [(f.start, f.new, f.action) for f in whole]
    assert any(f.old == "Rabbat" and f.action == "fix" for f in windowed)
