"""Real git repositories for the team tests (merge driver, log): git and iqtl run with no user or
system git configuration, and iqtl taken from this checkout."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_CONFIG_GLOBAL"] = os.devnull
    env["GIT_EDITOR"] = "true"
    return env


def git(repo: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["git", *args], cwd=repo, env=_env(), capture_output=True, text=True, timeout=120)
    if ok:
        assert done.returncode == 0, (args, done.stdout, done.stderr)
    return done


def iqtl(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "iqtl", *args], cwd=repo, env=_env(), capture_output=True,
                          text=True, timeout=120)


DRIVER = f"{sys.executable} -m iqtl"
