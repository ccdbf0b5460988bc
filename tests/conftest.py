from __future__ import annotations

import ctypes
import functools
import os
import subprocess
import sys
from pathlib import Path

import pytest
import typer.testing
from typer.testing import CliRunner

from iqtl.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BROKEN = FIXTURES / "broken"
SEED = ROOT / "data" / "events.toml"
MINI = FIXTURES / "mini.toml"


_original_get_command = getattr(typer.testing, "_get_command", None)  # private: if it goes, calls are slower


@functools.cache
def _command(typer_app):
    return _original_get_command(typer_app)


def run(*args, env: dict | None = None, input: str | None = None):
    """`iqtl ARGS` in-process, stdout and stderr apart: the one runner of the CLI tests.
    Exceptions are the CLI's own business (it turns them into `internal error`, exit 3), so none
    is caught here.  Typer's CliRunner rebuilds the click command on every call (about 12 ms);
    building it once makes a call cost 1-3 ms, which lets the hardening suite run thousands."""
    argv = [str(a) for a in args]
    if _original_get_command is None:
        return CliRunner().invoke(app, argv, env=env, input=input, catch_exceptions=False)
    typer.testing._get_command = _command
    try:
        return CliRunner().invoke(app, argv, env=env, input=input, catch_exceptions=False)
    finally:
        typer.testing._get_command = _original_get_command


@pytest.fixture(scope="session")
def _cache_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(autouse=True)
def _no_ambient_ledger(monkeypatch, _cache_home):
    # Tests name their ledger; a developer's IQTL_LEDGER or NO_COLOR must not leak in,
    # and the parse cache lives in the test session's own directory, never the user's.
    for var in ("IQTL_LEDGER", "NO_COLOR", "FORCE_COLOR", "IQTL_NO_CACHE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(_cache_home))
    monkeypatch.setenv("COLUMNS", "100")
    yield
    os.environ.pop("IQTL_DEBUG", None)


def without_root_powers() -> None:
    """Permissions do not bind root: drop the capabilities that bypass them (CAP_DAC_OVERRIDE,
    CAP_DAC_READ_SEARCH, CAP_FOWNER) from the bounding set, which an exec'd root process keeps."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


IQTL = [sys.executable, "-m", "iqtl"]


def subprocess_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("IQTL_LEDGER", "NO_COLOR", "FORCE_COLOR")}
    return env | {"PYTHONDONTWRITEBYTECODE": "1"}


def iqtl(*args: str, timeout: float = 60, cwd: Path = ROOT, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*IQTL, *args], capture_output=True, text=True, timeout=timeout, env=subprocess_env(),
                          cwd=cwd, **kwargs)


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A cache folder of the test's own: where iqtl's parse cache goes (XDG_CACHE_HOME/iqtl)."""
    where = tmp_path / "cache-home"
    monkeypatch.setenv("XDG_CACHE_HOME", str(where))
    return where / "iqtl"


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Counts real parses: a cache hit (a marshal entry or a database) never reaches load_text."""
    from iqtl.ledgerfile import loader

    calls: list[str] = []
    real = loader.load_text

    def counting(text, path):
        calls.append(path)
        return real(text, path)

    monkeypatch.setattr(loader, "load_text", counting)
    return calls
