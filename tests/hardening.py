"""Shared by the hardening tests (test_hostile_input, test_hostile_text, test_faults, test_properties).

- A bound on every test: SIGALRM turns a hang into a failure (pytest-timeout is not a dependency).
- The long setting: IQTL_HARDENING=long runs every loop at its full size (every truncation offset,
  hundreds of kills, thousands of generated ledgers); the default is sized for CI.
- The in-process runner is conftest.run, re-exported as `cli`.
- Tallies: each test says how many hostile inputs it tried, on stdout (`pytest -s` or `-rP`) and,
  when IQTL_HARDENING_REPORT names a file, as a JSON line there (the README's figures).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import sys
from pathlib import Path

import pytest

LONG = os.environ.get("IQTL_HARDENING", "").lower() == "long"
DEFAULT_BOUND = 120  # seconds for any one test; the long setting multiplies it


def sized(default: int, long: int, env: str | None = None) -> int:
    """A loop size: $env when set, else the long or the default setting."""
    if env and os.environ.get(env):
        return int(os.environ[env])
    return long if LONG else default


def bound(seconds: int):
    """Decorator: this test may take up to `seconds` (default DEFAULT_BOUND)."""
    def mark(fn):
        fn.hardening_bound = seconds
        return fn
    return mark


@pytest.fixture(autouse=True)
def bounded(request):
    """Every test in a module that imports this fixture fails instead of hanging."""
    seconds = getattr(request.function, "hardening_bound", DEFAULT_BOUND) * (20 if LONG else 1)

    def on_alarm(signum, frame):
        raise TimeoutError(f"{request.node.nodeid} ran over its bound of {seconds}s (a hang?)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    """The loader's cache goes to a directory of its own, never beside a ledger or in ~/.cache."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


def tally(name: str, **counts) -> None:
    line = ", ".join(f"{k}={v}" for k, v in counts.items())
    print(f"\nhardening: {name}: {line}")
    report = os.environ.get("IQTL_HARDENING_REPORT")
    if report:
        with open(report, "a", encoding="utf-8") as f:
            f.write(json.dumps({"test": name, "long": LONG, **counts}) + "\n")


# ---------------------------------------------------------------- running the CLI




from .conftest import run as cli  # noqa: E402, F401  (the one runner, re-exported for the hardening modules)


def subprocess_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("IQTL_LEDGER", "NO_COLOR", "FORCE_COLOR", "IQTL_DEBUG")}
    return env | {"PYTHONDONTWRITEBYTECODE": "1", "COLUMNS": "100"} | extra


IQTL = [sys.executable, "-m", "iqtl"]

# ---------------------------------------------------------------- what reading commands must do


def reading_commands(ledger: Path) -> list[tuple[str, ...]]:
    """Every command that reads the ledger, in each of its output formats."""
    cmds: list[tuple[str, ...]] = [("check",), ("check", "--format", "json"), ("check", "--strict")]
    for command in ("list", "claims", "actors", "sources", "tags"):
        for fmt in ("table", "plain", "csv", "tsv", "json", "jsonl", "md"):
            cmds.append((command, "--format", fmt))
    cmds += [("claims", "--contested"), ("show", "ceasefire"), ("show", "ceasefire", "--format", "json"),
             ("chart",), ("chart", "--by", "tag", "--linear"), ("stats",), ("stats", "--format", "json"),
             ("compare", "paper-a", "paper-b"), ("diff", str(ledger), str(ledger)), ("diff", str(ledger))]
    cmds += [("export", fmt) for fmt in ("html", "timelinejs", "csl", "md", "csv", "json", "jsonl")]
    return [(*c, "--ledger", str(ledger)) for c in cmds]


FILE_LEVEL = {"encoding", "io"}  # problems of a whole file: no line to point at


def located(line: str, path: str) -> bool:
    """A problem line: PATH:LINE:COL: SEVERITY: MESSAGE, LINE and COL from 1."""
    m = re.match(re.escape(path) + r":(\d+):(\d+): (error|warning): \S", line)
    return bool(m) and int(m.group(1)) >= 1 and int(m.group(2)) >= 1


def assert_clean_failure(result, args, path: str, file_level: bool) -> None:
    """Exit 1 or 2, one line per message, each located (or a file-level line, or iqtl's own)."""
    cmd = " ".join(args[:3])
    assert result.exit_code in (1, 2), (cmd, result.exit_code, result.stdout[-500:], result.stderr[-500:])
    text = result.stdout + result.stderr
    assert "Traceback" not in text and "internal error" not in text, (cmd, text[-2000:])
    lines = result.stderr.splitlines() + (result.stdout.splitlines() if args[0] == "check" else [])
    if args[0] == "check" and "json" in args:
        problems = json.loads(result.stdout)
        assert problems and all(p["line"] >= 1 and p["col"] >= 1 or p["code"] in FILE_LEVEL for p in problems), cmd
        lines = result.stderr.splitlines() or ["iqtl: error: (the problems above, as JSON)"]
    elif args[0] != "check":
        assert result.stdout == "", (cmd, result.stdout[:500])  # stdout carries only data
    for line in lines:
        ok = located(line, path) or line.startswith("iqtl: error: ") or (
            file_level and line.startswith(f"{path}: error: "))
        assert ok, (cmd, line[:500])
    assert lines, cmd


def snapshot(directory: Path) -> dict[str, tuple]:
    """Every entry under a directory: kind, mode, size, mtime and a hash of the bytes."""
    out = {}
    for p in sorted(directory.rglob("*")):
        st = p.lstat()
        digest = hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() and not p.is_symlink() else ""
        out[str(p.relative_to(directory))] = (st.st_mode, st.st_size, st.st_mtime_ns, digest,
                                              os.readlink(p) if p.is_symlink() else "")
    return out
