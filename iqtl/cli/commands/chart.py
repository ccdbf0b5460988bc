"""iqtl chart: the events over time, a lane per actor or tag, in the terminal."""

from enum import StrEnum
from typing import Annotated, Optional

import typer

from iqtl.cli.options import EVENT_FILTERS as LIST_FILTERS
from iqtl.cli.options import Color, ColorOpt, LedgerOpt, make_query, with_filters
from iqtl.cli.output import console, open_ledger
from iqtl.query import Filters

EVENT_FILTERS = tuple(name for name in LIST_FILTERS if name != "reverse")  # a chart and figures have no order


class ChartBy(StrEnum):
    actor = "actor"
    tag = "tag"


WidthOpt = Annotated[Optional[int], typer.Option(
    "--width", "-w", min=30, max=10_000, help="Columns to fit (at most 10,000). Default: the terminal's width.",
    show_default=False)]


@with_filters(*EVENT_FILTERS)
def chart_command(
    ledger: LedgerOpt = None,
    by: Annotated[ChartBy, typer.Option("--by", help="A lane per actor or per tag.")] = ChartBy.actor,
    lanes: Annotated[int, typer.Option("--lanes", min=0, help="At most N lanes, those with the most events "
                                       "(0: all).")] = 20,
    linear: Annotated[bool, typer.Option("--linear", help="Keep long runs of empty years on the scale "
                                         "instead of cutting them out (≈).")] = False,
    width: WidthOpt = None,
    color: ColorOpt = Color.auto,
    *,
    filters: Filters,
):
    """The events over time: a lane per actor (or tag), periods as bars, approximate or uncertain dates
    drawn faint (░ ○), a year scale along the top, fitted to the terminal (or --width).

    Example: iqtl chart --by tag --from 2006 --to 2008"""
    from iqtl.query import select_events
    from iqtl.terminal.chart import picture

    led = open_ledger(ledger)
    q = make_query(led, filters)
    events = select_events(led, q)
    if not events:
        typer.echo("no events match", err=True)
        return
    con = console(color)
    cols = width if width is not None else min(con.width, 10_000)  # COLUMNS=50000000 is no terminal
    drawn = picture(led, events, width=cols, by=by.value, max_lanes=lanes, window=(q.start, q.end),
                    cut_gaps=not linear)
    con.width = max(cols, 30)
    con.print(drawn, crop=True, no_wrap=True, overflow="crop")
