"""iqtl stats: the shape of the ledger (or of what the filters select) in figures."""

from enum import StrEnum
from typing import Annotated

import typer

from iqtl.cli.commands.chart import EVENT_FILTERS, WidthOpt
from iqtl.cli.options import Color, ColorOpt, LedgerOpt, make_query, with_filters
from iqtl.cli.output import console, open_ledger
from iqtl.query import Filters


class StatsFormat(StrEnum):
    table = "table"
    json = "json"


@with_filters(*EVENT_FILTERS)
def stats_command(
    ledger: LedgerOpt = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Rows in each count table (0: all).")] = 10,
    fmt: Annotated[StatsFormat, typer.Option("--format", "-F", help="table, or json (every count, in "
                                             "full).")] = StatsFormat.table,
    width: WidthOpt = None,
    color: ColorOpt = Color.auto,
    *,
    filters: Filters,
):
    """Figures: events per year (a bar chart), how many dates are exact, approximate, uncertain or
    periods, and counts per actor, tag, source and speaker, and of contested claims.

    Example: iqtl stats --top 5"""
    from iqtl.query import select_claims, select_events
    from iqtl.reports.stats import figures

    led = open_ledger(ledger)
    q = make_query(led, filters)
    fig = figures(led, select_events(led, q), select_claims(led, q))
    if fmt is StatsFormat.json:
        from iqtl.formats.jsonfmt import dumps

        typer.echo(dumps(fig, indent=2))
        return
    from iqtl.terminal.stats import view

    con = console(color)
    cols = width if width is not None else con.width
    con.width = max(cols, 30)
    con.print(view(fig, cols, top))
