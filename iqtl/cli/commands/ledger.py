"""iqtl ledger (also `iqtl files`, as hledger names it): which ledger file is in use, and why."""

import os
from pathlib import Path

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import LedgerOpt
from iqtl.core.text import one_line


def ledger_command(ledger: LedgerOpt = None):
    """Which ledger file every command here reads, and why: --ledger, else $IQTL_LEDGER, else the
    nearest data/events.toml (or iqtl.toml project marker) from this folder upwards, else the demo
    ledger bundled with iqtl.  Prints the path on stdout, the reason on stderr; then, for a ledger
    in many files, every file it includes, in the order they are read.

    Example: cd data && iqtl ledger"""
    from iqtl.ledgerfile.loader import LedgerNotFoundError, locate_ledger

    try:
        found = locate_ledger(ledger)
    except LedgerNotFoundError as exc:
        fail(str(exc), ExitCode.DATA)
    typer.echo(str(found.path))
    why = "given with --ledger" if found.how == "option" else found.why
    typer.echo(f"iqtl: {why}" + ("" if found.path.is_absolute() else f" ({Path(os.path.abspath(found.path))})"),
               err=True)
    if not found.path.is_file():
        fail(f"{found.path} does not exist" if not found.path.exists() else f"{found.path} is not a file",
             ExitCode.DATA)
    _list_includes(found.path)


def _list_includes(path: Path) -> None:
    """A ledger in many files: each file it includes, in load order, on stdout (and who includes it
    on stderr); a name that cannot be followed is an error here too (exit 1)."""
    from iqtl.ledgerfile.loader import INCLUDE, load

    with open(path, "rb") as f:  # a ledger in one file needs no load at all
        head = f.read(1 << 16)
    if INCLUDE.encode() not in head:
        return
    result = load(path)
    for included in result.includes:
        typer.echo(included.path)
        typer.echo(one_line(f"iqtl: included by {included.by}:{included.line}"), err=True)
    trouble = [p for p in result.problems if p.code == "include"]
    for problem in trouble:
        typer.echo(str(problem), err=True)
    if trouble:
        fail(f"{len(trouble)} include(s) of {path} cannot be followed", ExitCode.DATA)
