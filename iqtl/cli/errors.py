"""Exit codes, and the one way a command stops with an error line."""

from __future__ import annotations

from enum import IntEnum

import typer

from iqtl.core.text import one_line


class ExitCode(IntEnum):
    OK = 0
    DATA = 1  # a ledger problem, an unknown id; for diff and compare: the two sides differ
    USAGE = 2  # a bad option or value; for diff and compare: trouble (a broken or missing side)
    INTERNAL = 3  # a bug in iqtl: never expected, always with IQTL_DEBUG=1 to see the traceback
    INTERRUPTED = 130

    # diff(1)'s names for the same numbers
    SAME = 0
    DIFFERENT = 1
    TROUBLE = 2


def fail(message: str, code: ExitCode | int = ExitCode.DATA):
    """One line on stderr, then exit.  Messages quote file names and ledger text: escaped, one line."""
    typer.echo(f"iqtl: error: {one_line(message)}", err=True)
    raise typer.Exit(int(code))


def warn(message: str, label: str = "warning") -> None:
    typer.echo(one_line(f"iqtl: {label}: {message}"), err=True)
