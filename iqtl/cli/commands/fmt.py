"""iqtl fmt: the ledger in its canonical layout, every comment and value kept."""

import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import LedgerOpt
from iqtl.cli.output import find_or_fail
from iqtl.core.text import for_terminal, one_line


class SortBy(StrEnum):
    date = "date"
    id = "id"


def fmt_command(
    ledger: LedgerOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 and print a unified diff when the "
                                        "file is not formatted.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print what would change as a unified diff; write "
                                       "nothing.")] = False,
    sort: Annotated[Optional[SortBy], typer.Option("--sort", help="Also reorder the records: by kind, then "
                                                   "date or id.", show_default=False)] = None,
    width: Annotated[int, typer.Option("--width", min=20, help="Wrap arrays longer than this.")] = 100,
):
    """Rewrite the ledger in the canonical layout, keeping every value and every comment.

    Keys in the schema's order, one blank line between records, one quoting style, long arrays
    wrapped; records stay in their order unless --sort.  Exit 0 when done (or already formatted),
    1 with --check when the file is not formatted or when the ledger does not parse."""
    import difflib

    from iqtl.ledgerfile.fmt import FormatError, format_text
    from iqtl.ledgerfile.loader import BOM, decode
    from iqtl.ledgerfile.writer import WriteError, acquire_lock, replace_file

    path = find_or_fail(ledger, ExitCode.USAGE)
    target = Path(os.path.realpath(path))
    writing = not (check or diff)
    try:
        lock = acquire_lock(target) if writing else None
    except WriteError as exc:
        fail(str(exc), ExitCode.USAGE)
    try:
        try:
            data = target.read_bytes()
        except OSError as exc:
            fail(f"{path}: cannot read: {exc.strerror}", ExitCode.DATA)
        text, problem = decode(data, str(path))
        if problem:
            fail(str(problem), ExitCode.DATA)
        try:
            new = format_text(text, sort=sort.value if sort else None, width=width, path=str(path))
        except FormatError as exc:
            fail(str(exc), ExitCode.DATA)
        if new == text:
            raise typer.Exit(ExitCode.OK)
        if not writing:
            lines = difflib.unified_diff(text.splitlines(keepends=True), new.splitlines(keepends=True),
                                         fromfile=str(path), tofile=f"{path} (formatted)")
            sys.stdout.writelines(for_terminal(line if line.endswith("\n") else line + "\n") for line in lines)
            raise typer.Exit(ExitCode.DATA if check else ExitCode.OK)
        try:
            replace_file(target, (BOM if data.startswith(BOM) else b"") + new.encode("utf-8"), path,
                         expect=data)  # an editor's save meanwhile stops the write: nothing lost
        except WriteError as exc:
            fail(str(exc), ExitCode.USAGE)
        typer.echo(f"formatted {one_line(str(path))}", err=True)
    finally:
        if lock is not None:
            os.close(lock)


