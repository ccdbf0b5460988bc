"""Issue 16: tab completion never runs ledger text as shell code, and never sends a control
character to the terminal; `check` warns about a tag or place a shell would trip on."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from .conftest import MINI, ROOT, run

BAD_TAG = "zzsurge$(touch${IFS}PWNED)"
ESC_TAG = "zzsurge-\x1b]0;title\x07"


def _ledger(tmp_path, tags):
    text = MINI.read_text(encoding="utf-8").replace('tags = ["war"]', "tags = [" + ", ".join(
        '"' + t.replace("\\", "\\\\").replace('"', '\\"').replace("\x1b", "\\u001b").replace("\x07", "\\u0007") + '"'
        for t in ["war", *tags]) + "]", 1)
    path = tmp_path / "l.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _complete(ledger, words: str, cword: int, shell: str = "bash") -> list[str]:
    env = {**os.environ, "_IQTL_COMPLETE": f"complete_{shell}", "COMP_WORDS": words, "COMP_CWORD": str(cword),
           "_TYPER_COMPLETE_ARGS": words, "_TYPER_COMPLETE_FISH_ACTION": "get-args",
           "_TYPER_COMPLETE_WORD_TO_COMPLETE": words.split()[-1],
           "IQTL_LEDGER": str(ledger)}  # bash reads COMP_WORDS, the others _TYPER_COMPLETE_ARGS
    proc = subprocess.run([sys.executable, "-m", "iqtl"], env=env, capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.split("\n") if line]


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_a_completed_tag_is_a_word_in_bash_never_code(tmp_path):
    ledger = _ledger(tmp_path, [BAD_TAG, ESC_TAG, "zzsafe"])
    got = _complete(ledger, "iqtl list --tag zzs", 3)
    assert got and all("\x1b" not in c and "\x07" not in c for c in got)
    assert "zzsafe" in got
    # What bash would insert, run as the command line the user then sends with Enter.
    for candidate in got:
        out = subprocess.run(["bash", "--norc", "-c", f"printf '%s\\n' {candidate}"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=10).stdout
        assert out.rstrip("\n") in (BAD_TAG, "zzsafe"), (candidate, out)
    assert not (tmp_path / "PWNED").exists()
    assert BAD_TAG in [subprocess.run(["bash", "--norc", "-c", f"printf %s {c}"], capture_output=True, text=True,
                                      cwd=tmp_path).stdout for c in got]


def test_zsh_fish_and_powershell_get_no_control_character_and_powershell_no_metacharacter(tmp_path):
    ledger = _ledger(tmp_path, [BAD_TAG, ESC_TAG, "zzsafe"])
    for shell in ("zsh", "fish", "powershell"):
        got = "\n".join(_complete(ledger, "iqtl list --tag zzs", 3, shell))
        assert "\x1b" not in got and "\x07" not in got and "zzsafe" in got, shell
        assert ("$(" in got) == (shell != "powershell"), (shell, got)


def test_check_warns_about_shell_metacharacters_in_tags_and_places(tmp_path):
    ledger = _ledger(tmp_path, [BAD_TAG, ESC_TAG])
    result = run("check", "--ledger", ledger)
    lines = [line for line in result.stderr.splitlines() + result.stdout.splitlines() if "shell metacharacters" in line]
    assert len(lines) == 2, result.stdout + result.stderr
    assert all("\x1b" not in line for line in lines)
    assert run("check", "--strict", "--ledger", ledger).exit_code == 1
    assert run("check", "--strict", "--ledger", _ledger(tmp_path, ["plain-tag"])).exit_code == 0
