"""iqtl export: the selected events as a document (a web page, TimelineJS, CSL-JSON, or the rows of list)."""

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from iqtl.cli.commands.chart import ChartBy
from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import EVENT_FILTERS, BomOpt, LedgerOpt, RawOpt, make_query, with_filters
from iqtl.cli.output import document, open_ledger
from iqtl.formats import FORMATS, Options, export_formats
from iqtl.query import Filters

ExportFormat = StrEnum("ExportFormat", [(n, n) for n in export_formats()])


@with_filters(*EVENT_FILTERS)
def export_command(
    fmt: Annotated[ExportFormat, typer.Argument(
        metavar="FORMAT", help="; ".join(f"{n}: {FORMATS[n].help}" for n in export_formats()) + ".",
        case_sensitive=False)],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o",
        help="Write to FILE (replaced at once, never half-written). Default: stdout; sqlite needs a FILE.",
        dir_okay=False, show_default=False)] = None,
    ledger: LedgerOpt = None,
    title: Annotated[str, typer.Option("--title", help="html, timelinejs, md: the page or document title.")]
    = "Timeline",
    bom: BomOpt = False,
    raw: RawOpt = False,
    group_by: Annotated[Optional[ChartBy], typer.Option(
        "--group-by", help="timelinejs: group the events of the few busiest actors or tags (default: no groups).",
        case_sensitive=False, show_default=False)] = None,
    *,
    filters: Filters,
):
    """Write the selected events in another format: a web page, TimelineJS, the sources as CSL-JSON
    (for Zotero), a SQLite database, or the rows of `list`.  Every filter applies.

    Example: iqtl export html -o timeline.html --title "US–Iran–Iraq relations\""""
    from iqtl.query import select_events
    from iqtl.reports import listing

    if FORMATS[fmt.value].file_only and (output is None or str(output) == "-"):
        # Before the ledger is read: a database cannot go to a stream.
        fail(f"the {fmt.value} format writes a file, not stdout: give one with -o FILE", ExitCode.USAGE)
    led = open_ledger(ledger)
    q = make_query(led, filters)
    events = select_events(led, q)
    whole = q.selects_all and q.limit is None
    options = Options(title=title, bom=bom, raw=raw, group_by=group_by.value if group_by else None)
    document(fmt.value, listing.events(led, events, whole=whole), output, options)
