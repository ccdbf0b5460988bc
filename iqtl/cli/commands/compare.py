"""iqtl compare: two sources side by side."""

from typing import Annotated

import typer

from iqtl.cli.errors import ExitCode
from iqtl.cli.options import Color, ColorOpt, FormatOpt, LedgerOpt, complete, make_query, resolve_format, with_filters
from iqtl.cli.output import emit, open_ledger
from iqtl.query import Filters


@with_filters("date_from", "date_to", "within", "actors", "tags", "places", "grep", "grep_all")
def compare_command(
    source_a: Annotated[str, typer.Argument(metavar="A", help="A source id.", autocompletion=complete("source"))],
    source_b: Annotated[str, typer.Argument(metavar="B", help="Another source id.",
                                            autocompletion=complete("source"))],
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    color: ColorOpt = Color.auto,
    *,
    filters: Filters,
):
    """Two sources side by side: the events both report, those only one does, the claims each carries
    on shared events, and claims in one that dispute claims in the other.

    Exit 0 when they report the same, 1 when they differ, 2 on trouble (a broken ledger, an unknown
    source), as diff(1).

    Example: iqtl compare nation-2008 incoherence-2010 --format plain"""
    from iqtl.core.text import did_you_mean
    from iqtl.reports.compare import COMPARE_COLUMNS, compare, rows
    from iqtl.reports.listing import rows as listing_of

    led = open_ledger(ledger, broken=ExitCode.TROUBLE)
    for sid in (source_a, source_b):
        if led.get("source", sid) is None:
            raise typer.BadParameter(f"no source {sid!r}" + did_you_mean(sid, led.by_id("source")))
    result = compare(led, source_a, source_b, make_query(led, filters))

    def table():
        from iqtl.terminal.render import comparison_view

        return comparison_view(led, result)

    plain = ("section", "source", "kind", "id", "date", "text")
    listing = listing_of("comparison", rows(result), COMPARE_COLUMNS, plain)
    fmt_value = resolve_format(fmt)
    if fmt_value == "table":
        from iqtl.cli.output import print_rich

        print_rich(table(), color)
    else:
        emit(fmt_value, listing)
    raise typer.Exit(ExitCode.DIFFERENT if result.differ else ExitCode.SAME)
