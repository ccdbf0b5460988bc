"""iqtl list and iqtl claims: the timeline of events, and the attributed claims."""

from typing import Annotated

import typer

from iqtl.cli.options import (
    EVENT_FILTERS,
    BomOpt,
    Color,
    ColorOpt,
    CompactOpt,
    FormatOpt,
    LedgerOpt,
    RawOpt,
    WidthOpt,
    describe,
    make_query,
    resolve_format,
    with_filters,
)
from iqtl.cli.output import emit, find_or_fail, from_index, open_ledger
from iqtl.formats import Options
from iqtl.query import Filters


@with_filters(*EVENT_FILTERS)
def list_events(
    ledger: LedgerOpt = None,
    fmt: FormatOpt = None,
    color: ColorOpt = Color.auto,
    bom: BomOpt = False,
    raw: RawOpt = False,
    compact: CompactOpt = False,
    width: WidthOpt = None,
    *,
    filters: Filters,
):
    """The timeline of events, oldest first.

    Repeating a filter ORs its values; different filters AND.

    Example: iqtl list --from 2007 --to 2007 --actor "Mahdi Army" --limit 4"""
    from iqtl.query import select_events, select_events_indexed
    from iqtl.reports import listing

    fmt = resolve_format(fmt)
    q, led, events, total = _select(ledger, fmt, filters, "event", select_events_indexed, select_events, table=True)

    def table():
        from iqtl.terminal.render import events_table

        return events_table(led, events, highlight=q.highlight, compact=compact)

    emit(fmt, listing.events(led, events, whole=q.selects_all), color=color, table=table,
         options=Options(bom=bom, raw=raw), empty=_nothing("events", total, filters), width=width)


@with_filters()
def claims(
    ledger: LedgerOpt = None,
    contested: Annotated[bool, typer.Option("--contested", help="Only claims that dispute or are disputed, "
                                            "each with what it contradicts.")] = False,
    fmt: FormatOpt = None,
    color: ColorOpt = Color.auto,
    bom: BomOpt = False,
    raw: RawOpt = False,
    compact: CompactOpt = False,
    width: WidthOpt = None,
    *,
    filters: Filters,
):
    """Attributed claims: date, speaker, the quote, the source.

    Repeating a filter ORs its values; different filters AND.

    Example: iqtl claims --speaker "Colin Kahl\""""
    from iqtl.query import select_claims, select_claims_indexed
    from iqtl.reports import listing

    fmt = resolve_format(fmt)
    # The contested table names, under each claim, the claims on the other side: not in the answer.
    q, led, selected, total = _select(
        ledger, fmt, filters, "claim", lambda index, q: select_claims_indexed(index, q, contested),
        lambda led, q: select_claims(led, q, contested=contested), table=not contested)

    def table():
        from iqtl.terminal.render import claims_table

        return claims_table(led, selected, contested=contested, highlight=q.highlight, compact=compact)

    emit(fmt, listing.claims(led, selected), color=color, table=table,
         options=Options(bom=bom, raw=raw), empty=_nothing("claims", total, filters, contested), width=width)


def _select(ledger, fmt: str, filters: Filters, kind: str, indexed, direct, *, table: bool) -> tuple:
    """(query, ledger, the records chosen, how many of `kind` the ledger has).  A big ledger read
    before is answered from the cache's database (only the records that may match are read, by
    `indexed`); any other is loaded and chosen from by `direct`."""
    where = find_or_fail(ledger)

    def from_database(index) -> tuple:
        q = make_query(index, filters)
        return (q, *indexed(index, q), index.counts[kind])

    answer = from_index(where, fmt, from_database, table=table)
    if answer is not None:
        return answer
    led = open_ledger(where)
    q = make_query(led, filters)
    return q, led, direct(led, q), len(led.table(kind))


def _nothing(kind: str, total: int, filters: Filters, contested: bool = False) -> str:
    """What an empty answer says on a terminal: which filters left nothing, of how many records."""
    asked = " ".join(w for w in (describe(filters), "--contested" if contested else "") if w)
    if not total:
        return f"no {kind}: the ledger has none"
    return f"no {kind} match {asked} (of {total})" if asked else f"no {kind} to show"
