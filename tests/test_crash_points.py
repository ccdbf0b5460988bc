"""A write killed at each of its steps (IQTL_CRASH_AT, see iqtl.ledgerfile.writer.CRASH_POINTS) leaves
the old ledger or the new one, byte for byte, never a torn one; and the next run cleans up.  The
random kill loops of the hardening suite look for the same windows by chance (long setting)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from iqtl.ledgerfile.loader import load_bytes
from iqtl.ledgerfile.writer import CRASH_POINTS

from .conftest import MINI, ROOT

EVENT = ("add", "event", "--date", "2007-08~", "--title", "Sadr declares a cease-fire",
         "--summary", "Within days of the Karbala battle.", "--source", "paper-a", "--actor", "sadr")
BEFORE_RENAME = {"read", "temp-written", "synced", "verified"}


def _run(*args: str, crash: str | None = None, cwd=ROOT) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("IQTL_LEDGER", "IQTL_CRASH_AT")}
    if crash:
        env["IQTL_CRASH_AT"] = crash
    return subprocess.run([sys.executable, "-m", "iqtl", *args], capture_output=True, text=True, timeout=60,
                          env=env, cwd=cwd)


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_add_killed_at_each_step(tmp_path, point):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    old = ledger.read_bytes()
    proc = _run(*EVENT, "--ledger", str(ledger), crash=point)
    assert proc.returncode == -9, (point, proc.returncode, proc.stderr)
    data = ledger.read_bytes()
    if point in BEFORE_RENAME:
        assert data == old, point
    else:
        assert data.startswith(old) and len(data) > len(old), point
        result = load_bytes(data, str(ledger))
        assert not result.errors and len(result.ledger.events) == len(load_bytes(old, "o").ledger.events) + 1
    left = {p.name for p in tmp_path.iterdir()} - {"l.toml", ".l.toml.lock"}
    assert (point in ("temp-written", "synced", "verified")) == bool(left), (point, left)  # a temp file only mid-write
    again = _run(*EVENT, "--ledger", str(ledger))
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".l.toml.lock", "l.toml"]  # temps of the kill removed


@pytest.mark.parametrize("point", ("synced", "renamed"))
def test_import_killed_before_and_after_its_rename_is_all_or_nothing(tmp_path, point):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    old = ledger.read_bytes()
    rows = tmp_path / "rows.csv"
    rows.write_text("id,date,title,summary,sources\n" + "".join(
        f"imp-{i},2007-0{i % 9 + 1},Row {i},Summary {i},paper-a\n" for i in range(20)), encoding="utf-8")
    proc = _run("import", str(rows), "--ledger", str(ledger), crash=point)
    assert proc.returncode == -9, proc.stderr
    data = ledger.read_bytes()
    events = len(load_bytes(data, "n").ledger.events) - len(load_bytes(old, "o").ledger.events)
    assert (data == old) if point == "synced" else events == 20
