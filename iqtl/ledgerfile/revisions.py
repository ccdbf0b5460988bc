"""Read one side of a diff: a ledger file, or the ledger at a git revision (read with git itself)."""

from __future__ import annotations

import subprocess
from pathlib import Path


class RevisionError(Exception):
    """A side that cannot be read: not a file, not a repository, unknown revision, absent path."""


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=60)
    except FileNotFoundError as exc:
        raise RevisionError("git is not installed, so a revision cannot be read") from exc


def read_side(spec: str, current: Path) -> tuple[str, bytes | Path]:
    """(label, what to load) for a file path (the Path, so the loader's cache serves it),
    `REV` (the current ledger's path at REV) or `REV:path` (the bytes git shows)."""
    path = Path(spec)
    if path.is_file():
        return spec, path
    if path.is_dir():
        raise RevisionError(f"{spec}: is a directory, not a ledger file")
    where = current.resolve().parent if current.resolve().parent.is_dir() else Path.cwd()
    top = _git(where, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise RevisionError(f"{spec!r} is not a file, and {where} is not in a git repository")
    root = Path(top.stdout.decode().strip())
    rev, sep, relpath = spec.partition(":")
    if not sep:
        try:
            relpath = current.resolve().relative_to(root.resolve()).as_posix()
        except ValueError as exc:
            raise RevisionError(f"the ledger {current} is outside the repository {root}") from exc
    if not rev or _git(root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").returncode != 0:
        raise RevisionError(f"unknown revision {rev!r} (and no file {spec!r})")
    shown = _git(root, "show", f"{rev}:{relpath}")
    if shown.returncode != 0:
        raise RevisionError(f"{relpath} does not exist at revision {rev!r}")
    return f"{rev}:{relpath}", shown.stdout
