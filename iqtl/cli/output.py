"""The one way output leaves a command: a listing in the chosen format, a Rich view on a terminal,
or a document written to stdout or replacing a file."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path

import typer

from iqtl.cli.errors import ExitCode, fail, warn
from iqtl.cli.options import Color
from iqtl.core.model import Ledger
from iqtl.formats import Options, write
from iqtl.reports.listing import Listing


def open_ledger(path: Path | None, *, broken: ExitCode = ExitCode.DATA) -> Ledger:
    """Load the ledger, or print its errors and exit: reading a broken ledger would mislead."""
    from iqtl.ledgerfile.loader import LedgerNotFoundError, find_ledger, load

    try:
        where = find_ledger(path)
    except LedgerNotFoundError as exc:
        fail(str(exc), broken)
    result = load(where)
    if result.errors:
        for problem in result.errors[:20]:
            typer.echo(str(problem), err=True)
        more = len(result.errors) - 20
        tail = f" ({more} more)" if more > 0 else ""
        fail(f"{len(result.errors)} error(s) in the ledger{tail}; run 'iqtl check' for the full list", broken)
    return result.ledger


def console(color: Color | str, width: int | None = None):
    from iqtl.terminal.render import make_console  # Rich is imported only for output meant for people

    con = make_console(Color(color).value)
    if width is not None:
        con.width = width
    return con


def print_rich(renderable, color: Color | str) -> None:
    console(color).print(renderable)


def emit(fmt: str, listing: Listing, *, color: Color | str = Color.auto, table: Callable[[], object] | None = None,
         options: Options = Options(), empty: str = "") -> None:
    """A listing to stdout: the terminal's table (built lazily by `table`), or any registered format."""
    if fmt == "table":
        if listing.records and table is not None:
            print_rich(table(), color)
        elif empty:
            typer.echo(empty, err=True)
        return
    for note in write(fmt, listing, sys.stdout, options):
        warn(note, "note")


def document(fmt: str, listing: Listing, output: Path | None, options: Options) -> None:
    """A whole document (an export) to stdout, or replacing FILE in one step."""
    if output is None or str(output) == "-":
        # Straight to stdout: a page of 100,000 events held in memory first took 1.4 GB and a
        # third of the time.  (A file is written whole or not at all, below.)
        for note in write(fmt, listing, sys.stdout, options):
            warn(note, "note")
        return
    buf = io.StringIO(newline="")
    for note in write(fmt, listing, buf, options):
        warn(note, "note")
    text = buf.getvalue()
    from iqtl.ledgerfile.writer import WriteError, replace_file

    try:
        # A reader of the file sees the old one or the new one, never half of one.
        replace_file(Path(output), text.encode("utf-8"))
    except WriteError as exc:
        fail(str(exc), ExitCode.USAGE)
