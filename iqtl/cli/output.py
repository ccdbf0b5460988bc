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
    buf = io.StringIO(newline="")
    notes = write(fmt, listing, buf, options)
    for note in notes:
        warn(note, "note")
    text = buf.getvalue()
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    import os
    import stat

    from iqtl.ledgerfile.writer import WriteError, replace_file

    source = getattr(listing.ledger, "path", None)
    try:  # through symlinks and hard links: the ledger is read, never replaced by its own export
        if source and os.path.samefile(output, source):
            fail(f"will not write {output}: it is the ledger being read ({source})", ExitCode.USAGE)
    except OSError:
        pass  # no such output yet (or an unreadable one): not the ledger
    real = Path(os.path.realpath(output))  # a symlink stays a symlink, as for `add`
    try:
        special = not stat.S_ISREG(os.stat(real).st_mode)
    except OSError:
        special = False
    try:
        if special:  # a FIFO, a device, a terminal: written as a stream, never replaced by a file
            with open(real, "wb", buffering=0) as f:
                f.write(text.encode("utf-8"))
            return
        # A reader of the file sees the old one or the new one, never half of one.
        replace_file(real, text.encode("utf-8"), Path(output))
    except WriteError as exc:
        fail(str(exc), ExitCode.USAGE)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}", ExitCode.USAGE)
