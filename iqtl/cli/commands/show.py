"""iqtl show: one event, claim, source or actor in full, with everything that refers to it."""

from enum import StrEnum
from typing import Annotated, Optional

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import Color, ColorOpt, LedgerOpt, WidthOpt, complete
from iqtl.cli.output import open_ledger, print_rich


class ShowFormat(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"


def show(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="An event, claim, source or actor id, an actor's "
                                             "name or alias (any case), or the start of one id.",
                                             autocompletion=complete("any"))],
    ledger: LedgerOpt = None,
    fmt: Annotated[Optional[ShowFormat], typer.Option("--format", "-F", help="Default: table.",
                                                      show_default=False)] = None,
    color: ColorOpt = Color.auto,
    width: WidthOpt = None,
):
    """One event, claim, source or actor in full, with everything that refers to it.

    Example: iqtl show 2007-08-sadr-ceasefire"""
    from iqtl.reports.lookup import AmbiguousError, related, resolve, similar_ids

    led = open_ledger(ledger)
    try:
        found = resolve(led, record_id)
    except AmbiguousError as exc:
        shown = ", ".join(exc.candidates[:8]) + (f" and {len(exc.candidates) - 8} more" if len(exc.candidates) > 8
                                                 else "")
        fail(f"{record_id!r} could be any of {len(exc.candidates)} records: {shown}", ExitCode.DATA)
    if not found:
        close = similar_ids(led, record_id)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        fail(f"no event, claim, source or actor has the id {record_id!r}{hint}", ExitCode.DATA)
    fmt = fmt.value if fmt else "table"
    if fmt == "json":
        from iqtl.formats.jsonfmt import dumps
        from iqtl.reports.rows import record_rows

        rows = record_rows(led, found)
        # everything the page shows: the record's fields, and what refers to it (claims, links both ways)
        whole = [{"record": k, **row, **related(led, k, rec)} for (k, row), (_, rec) in zip(rows, found, strict=True)]
        typer.echo(dumps(whole, indent=2))
        return
    from rich.console import Group
    from rich.text import Text

    from iqtl.terminal import render

    pages = [render.SHOW[kind](led, rec) for kind, rec in found]
    # one page for all: a pager, when there is one, opens once
    print_rich(Group(*[p for i, page in enumerate(pages) for p in ([Text("")] if i else []) + [page]]),
               "never" if fmt == "plain" else color, width)
