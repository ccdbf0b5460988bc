"""iqtl ledger (also `iqtl files`, as hledger names it): which ledger file is in use, and why."""

import os
from pathlib import Path

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import LedgerOpt


def ledger_command(ledger: LedgerOpt = None):
    """Which ledger file every command here reads, and why: --ledger, else $IQTL_LEDGER, else the
    nearest data/events.toml (or iqtl.toml project marker) from this folder upwards, else the demo
    ledger bundled with iqtl.  Prints the path on stdout, the reason on stderr.

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
