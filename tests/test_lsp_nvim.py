"""Neovim (headless, its built-in LSP client) runs ``entityfix lsp`` on a copy of seed 003: the 15
diagnostics arrive, the first quick fix is applied, the buffer is written, the file's bytes checked.

Written for Neovim 0.7 (Debian 12's), which has ``vim.lsp.start_client`` but not ``vim.lsp.start``;
both APIs used here still exist in later versions.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED_MT

pytest.importorskip("pygls", reason='the language server needs the lsp extra: pip install -e ".[test,lsp]"')
NVIM = shutil.which("nvim")
pytestmark = pytest.mark.skipif(NVIM is None, reason="nvim is not on PATH (apt-get install neovim)")

SCRIPT = r"""
local out = vim.env.ENTITYFIX_NVIM_OUT
local function finish(result, code)
  local f = io.open(out, "w"); f:write(vim.fn.json_encode(result)); f:close()
  vim.cmd(code == 0 and "qall!" or "cquit " .. code)
end
local ok, err = pcall(function()
  local buf = vim.api.nvim_get_current_buf()
  local client = vim.lsp.start_client({
    name = "entityfix",
    cmd = { vim.env.ENTITYFIX_PYTHON, "-m", "entityfix.cli", "lsp" },
    root_dir = vim.fn.getcwd(),
  })
  vim.lsp.buf_attach_client(buf, client)
  local got = vim.wait(120000, function() return #vim.diagnostic.get(buf) >= 15 end, 50)
  local diags = vim.diagnostic.get(buf)
  if not got then return finish({ error = "diagnostics: " .. #diags }, 3) end
  table.sort(diags, function(a, b) return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col) end)
  -- 0.7 keeps only code and data of the LSP diagnostic: the range comes back from the buffer's
  -- byte columns, converted to UTF-16 by Neovim itself
  local first = diags[1]
  local params = vim.lsp.util.make_given_range_params(
    { first.lnum + 1, first.col }, { first.end_lnum + 1, first.end_col }, buf, "utf-16")
  params.context = { diagnostics = {} }
  local responses = vim.lsp.buf_request_sync(buf, "textDocument/codeAction", params, 30000)
  local chosen
  for _, r in pairs(responses or {}) do
    for _, action in ipairs(r.result or {}) do
      if action.kind == "quickfix" and action.edit and not chosen then chosen = action end
    end
  end
  if not chosen then return finish({ error = "no quick fix" }, 4) end
  vim.lsp.util.apply_workspace_edit(chosen.edit, "utf-16")
  vim.bo[buf].fixendofline = false  -- the seed has no final newline: keep it that way
  vim.cmd("write")
  finish({ count = #diags, title = chosen.title, message = first.message }, 0)
end)
if not ok then finish({ error = tostring(err) }, 5) end
"""


def test_neovim_applies_a_quick_fix(tmp_path):
    work = tmp_path / "project"
    work.mkdir()
    (work / ".entityfix.toml").write_text("", encoding="utf-8")
    doc = work / "seed.txt"
    original = SEED_MT.read_bytes()
    doc.write_bytes(original)
    script = tmp_path / "test.lua"
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "out.json"
    env = dict(os.environ, ENTITYFIX_PYTHON=sys.executable, ENTITYFIX_NVIM_OUT=str(out), HOME=str(tmp_path))
    proc = subprocess.run(
        [NVIM, "--headless", "--clean", "-n", "-c", f"luafile {script}", str(doc)],
        cwd=work, env=env, capture_output=True, timeout=240,
    )
    result = json.loads(out.read_text()) if out.exists() else {}
    assert proc.returncode == 0, (proc.returncode, result, proc.stderr.decode(errors="replace")[-2000:])
    assert result["count"] == 15
    assert result["message"].startswith("Loudi → Loudiyi")
    # the first name in the file is fixed, every other byte is as it was
    at = original.index(b"Loudi")
    assert doc.read_bytes() == original[:at] + b"Loudiyi" + original[at + len(b"Loudi") :]
