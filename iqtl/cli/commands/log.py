"""iqtl log: the commits that changed one record, field by field."""

import sys
from typing import Annotated

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import Color, ColorOpt, FormatOpt, LedgerOpt, resolve_format
from iqtl.cli.output import find_or_fail, print_rich


def log_command(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="A record id (event, claim, source or actor).")],
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    color: ColorOpt = Color.auto,
):
    """The commits that changed one record, newest first: hash, author, date, subject and the change,
    field by field.  Follows renames of the ledger file and re-identifications of the record (a
    record renamed whole is followed under its old id).

    Exit 0 when the record has a history, 1 when no version of the ledger has that id, 2 when the
    ledger is not in a git repository."""
    from iqtl.reports.history import LOG_COLUMNS, HistoryError, history

    path = find_or_fail(ledger, ExitCode.USAGE)
    try:
        found = history(path, record_id)
    except HistoryError as exc:
        fail(str(exc), ExitCode.USAGE)
    if not found.entries:
        from iqtl.core.text import did_you_mean

        near = sorted(i for i in found.ids if record_id in i)[:3]
        hint = f" (did you mean {', '.join(map(repr, near))}?)" if near else did_you_mean(record_id, found.ids)
        fail(f"no record {record_id!r} in any of the {found.commits} commit(s) of {path}" + hint, ExitCode.DATA)
    value = resolve_format(fmt)
    rows = [e.as_dict() for e in found.entries]
    if value != "table":
        from iqtl.formats import write
        from iqtl.reports.listing import rows as listing_of

        plain = ("commit", "date", "author", "change", "kind", "id", "field", "old", "new", "subject")
        listing = listing_of("log", rows, LOG_COLUMNS, plain)
        write(value, listing, sys.stdout)
    else:
        from iqtl.terminal.render import log_table

        print_rich(log_table(found.entries, record_id), color)
    raise typer.Exit(ExitCode.OK)
