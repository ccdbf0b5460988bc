"""The `chart`, `stats` and `export` commands, as plain Typer command functions.

iqtl.cli registers them (app.command("chart")(chart_command) ...); this module imports iqtl.cli,
never the other way round at import time.
"""


import io
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli import (
    EXIT_USAGE,
    ActorOpt,
    BomOpt,
    Color,
    ColorOpt,
    FromOpt,
    GrepOpt,
    LedgerOpt,
    LimitOpt,
    PlaceOpt,
    RawOpt,
    ReverseOpt,
    SourceOpt,
    SpeakerOpt,
    TagOpt,
    ToOpt,
    WithinOpt,
    _fail,
    make_query,
    open_ledger,
)


class ChartBy(StrEnum):
    actor = "actor"
    tag = "tag"


class StatsFormat(StrEnum):
    table = "table"
    json = "json"


class ExportFormat(StrEnum):
    html = "html"
    timelinejs = "timelinejs"
    csl = "csl"
    md = "md"
    csv = "csv"
    json = "json"
    jsonl = "jsonl"


WidthOpt = Annotated[Optional[int], typer.Option(
    "--width", "-w", min=30, help="Columns to fit. Default: the terminal's width.", show_default=False)]
TitleOpt = Annotated[str, typer.Option("--title", help="html, timelinejs, md: the page or document title.")]


def _events_and_query(ledger, **filters):
    from .query import select_events

    led = open_ledger(ledger)
    q = make_query(led, **filters)
    return led, q, select_events(led, q)


def _width(width: int | None, color: str) -> int:
    if width is not None:
        return width
    from .render import make_console

    return make_console(Color(color).value).width


def chart_command(
    ledger: LedgerOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    within: WithinOpt = False,
    actor: ActorOpt = None,
    tag: TagOpt = None,
    place: PlaceOpt = None,
    source: SourceOpt = None,
    speaker: SpeakerOpt = None,
    grep: GrepOpt = None,
    limit: LimitOpt = None,
    by: Annotated[ChartBy, typer.Option("--by", help="A lane per actor or per tag.")] = ChartBy.actor,
    lanes: Annotated[int, typer.Option("--lanes", min=0, help="At most N lanes, those with the most events "
                                       "(0: all).")] = 20,
    linear: Annotated[bool, typer.Option("--linear", help="Keep long runs of empty years on the scale "
                                         "instead of cutting them out (≈).")] = False,
    width: WidthOpt = None,
    color: ColorOpt = Color.auto,
):
    """The events over time: a lane per actor (or tag), periods as bars, approximate or uncertain dates
    drawn faint (░ ○), a year scale along the top, fitted to the terminal (or --width)."""
    from .chart import chart

    led, q, events = _events_and_query(ledger, date_from=date_from, date_to=date_to, within=within, actors=actor,
                                       tags=tag, places=place, sources=source, speakers=speaker, grep=grep,
                                       limit=limit)
    if not events:
        typer.echo("no events match", err=True)
        return
    cols = _width(width, color)
    lines = chart(led, events, width=cols, by=by.value, max_lanes=lanes, window=(q.start, q.end),
                  cut_gaps=not linear)
    from rich.console import Group

    from .render import make_console

    console = make_console(Color(color).value)
    console.width = max(cols, 30)
    console.print(Group(*lines), crop=True, no_wrap=True, overflow="crop")


def stats_command(
    ledger: LedgerOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    within: WithinOpt = False,
    actor: ActorOpt = None,
    tag: TagOpt = None,
    place: PlaceOpt = None,
    source: SourceOpt = None,
    speaker: SpeakerOpt = None,
    grep: GrepOpt = None,
    limit: LimitOpt = None,
    top: Annotated[int, typer.Option("--top", min=0, help="Rows in each count table (0: all).")] = 10,
    fmt: Annotated[StatsFormat, typer.Option("--format", "-F", help="table, or json (every count, in "
                                             "full).")] = StatsFormat.table,
    width: WidthOpt = None,
    color: ColorOpt = Color.auto,
):
    """Figures: events per year (a bar chart), how many dates are exact, approximate, uncertain or
    periods, and counts per actor, tag, source and speaker, and of contested claims."""
    from .query import select_claims
    from .stats import figures, view

    led, q, events = _events_and_query(ledger, date_from=date_from, date_to=date_to, within=within, actors=actor,
                                       tags=tag, places=place, sources=source, speakers=speaker, grep=grep,
                                       limit=limit)
    fig = figures(led, events, select_claims(led, q))
    if fmt is StatsFormat.json:
        from .export import dumps

        typer.echo(dumps(fig, indent=2))
        return
    cols = _width(width, color)
    from .render import make_console

    console = make_console(Color(color).value)
    console.width = max(cols, 30)
    console.print(view(fig, cols, top))


def export_command(
    fmt: Annotated[ExportFormat, typer.Argument(
        metavar="FORMAT", help="html (a self-contained page), timelinejs (TimelineJS3 JSON), csl (the sources "
        "as CSL-JSON), md, csv, json or jsonl (as `list`).", case_sensitive=False)],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write to FILE (replaced at once, never half-written). Default: stdout.",
        dir_okay=False, show_default=False)] = None,
    ledger: LedgerOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    within: WithinOpt = False,
    actor: ActorOpt = None,
    tag: TagOpt = None,
    place: PlaceOpt = None,
    source: SourceOpt = None,
    speaker: SpeakerOpt = None,
    grep: GrepOpt = None,
    limit: LimitOpt = None,
    reverse: ReverseOpt = False,
    title: TitleOpt = "Timeline",
    bom: BomOpt = False,
    raw: RawOpt = False,
    group_by: Annotated[Optional[ChartBy], typer.Option(
        "--group-by", help="timelinejs: group the events of the few busiest actors or tags (default: no groups).",
        case_sensitive=False, show_default=False)] = None,
):
    """Write the selected events in another format: a web page, TimelineJS, the sources as CSL-JSON
    (for Zotero), or the rows of `list`.  Every filter applies."""
    led, q, events = _events_and_query(ledger, date_from=date_from, date_to=date_to, within=within, actors=actor,
                                       tags=tag, places=place, sources=source, speakers=speaker, grep=grep,
                                       limit=limit, reverse=reverse)
    buf = io.StringIO(newline="")
    kind = fmt.value
    if kind == "html":
        from .html import write_html

        write_html(led, events, buf, title=title)
    elif kind == "timelinejs":
        from .export import dumps
        from .timelinejs import timeline

        doc, skipped = timeline(led, events, title=title, group_by=group_by.value if group_by else None)
        if skipped:
            typer.echo(f"iqtl: note: {len(skipped)} undated events left out: {', '.join(skipped)}", err=True)
        buf.write(dumps(doc, indent=2) + "\n")
    elif kind == "csl":
        from .csl import csl_items
        from .export import dumps
        from .html import cited_sources

        sources = list(led.sources) if q.selects_all and q.limit is None else cited_sources(led, events)
        buf.write(dumps(csl_items(sources), indent=2) + "\n")
    elif kind == "md":
        from .export import write_markdown

        write_markdown(led, events, buf, title=title)
    else:
        from .export import write_rows
        from .rows import EVENT_COLUMNS, event_row

        write_rows(kind, [event_row(ev) for ev in events], EVENT_COLUMNS, buf, bom=bom, raw=raw)
    text = buf.getvalue()
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        return
    from .writer import WriteError, replace_file

    try:
        # A reader of the file sees the old one or the new one, never half of one.
        replace_file(Path(output), text.encode("utf-8"))
    except WriteError as exc:
        _fail(str(exc), EXIT_USAGE)
