from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from iqtl.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
BROKEN = FIXTURES / "broken"
SEED = ROOT / "data" / "events.toml"
MINI = FIXTURES / "mini.toml"


def run(*args: str, env: dict | None = None):
    """Invoke the CLI in-process; stdout and stderr kept apart."""
    runner = CliRunner()
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


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
