"""iqtl actors, iqtl sources, iqtl tags: the reference lists, with how many events and claims each has."""

from pathlib import Path
from typing import Annotated

import typer

from iqtl.cli.options import BomOpt, Color, ColorOpt, FormatOpt, GrepOpt, LedgerOpt, RawOpt, WidthOpt, resolve_format
from iqtl.cli.output import emit, find_or_fail, from_index, open_ledger
from iqtl.formats import Options


def _grep_patterns(grep: list[str] | None) -> list:
    """The --grep values as iqtl.query reads every --grep (a bad regular expression is exit 2)."""
    from iqtl.query import QueryError, grep_pattern

    try:
        return [grep_pattern(g) for g in grep or ()]
    except QueryError as exc:
        raise typer.BadParameter(f"--grep {exc}") from None


def _reference(kind: str, ledger: Path | None, fmt, color, bom: bool, raw: bool, grep: list[str] | None,
               width: int | None = None) -> None:
    from iqtl.reports.reference import reference
    from iqtl.reports.rows import Usage

    where, fmt, patterns = find_or_fail(ledger), resolve_format(fmt), _grep_patterns(grep)
    # A big ledger read before: the counts come from the cache's database, no record is rebuilt.
    listing = from_index(where, fmt, lambda index: reference(index.ledger(), kind, patterns,
                                                             Usage.of(*index.usage_fields())), table=True)
    if listing is None:
        listing = reference(open_ledger(where), kind, patterns)

    def table():
        from iqtl.terminal.render import reference_table

        def cell(row, c):
            v = row[c]
            return "; ".join(v) if isinstance(v, list) else ("" if v is None else str(v))

        return reference_table(f"{kind}s", list(listing.brief),
                               [[cell(r, c) for c in listing.brief] for r in listing.records])

    emit(fmt, listing, color=color, table=table, options=Options(bom=bom, raw=raw), width=width,
         empty=f"no {kind}s match --grep {' '.join(grep)}" if grep else "")


def actors(ledger: LedgerOpt = None, grep: GrepOpt = None, fmt: FormatOpt = None, color: ColorOpt = Color.auto,
           bom: BomOpt = False, raw: RawOpt = False, width: WidthOpt = None):
    """People, groups, states and institutions, with how many events and claims each has.

    Example: iqtl actors --grep sadr"""
    _reference("actor", ledger, fmt, color, bom, raw, grep, width)


def sources(ledger: LedgerOpt = None, grep: GrepOpt = None, fmt: FormatOpt = None, color: ColorOpt = Color.auto,
            bom: BomOpt = False, raw: RawOpt = False, width: WidthOpt = None,
            verify: Annotated[bool, typer.Option("--verify", help="Check every quote against its source's archived "
                                                 "text: per source, how many are verified, normalised-only, "
                                                 "ambiguous, not found, misattributed; exit 1 if any fails.")]
            = False):
    """The articles the ledger was read from, with how many events and claims cite each.

    Example: iqtl sources --format csv"""
    if verify:
        _verify(ledger, fmt, color, bom, raw, grep)
    _reference("source", ledger, fmt, color, bom, raw, grep, width)


def _verify(ledger: Path | None, fmt, color, bom: bool, raw: bool, grep: list[str] | None) -> None:
    from iqtl.cli.commands.show import open_for_evidence
    from iqtl.cli.errors import ExitCode
    from iqtl.ledgerfile.archives import read
    from iqtl.reports.listing import matches_text, rows
    from iqtl.verify import TALLY_COLUMNS, quote_checks, row_failed, tally, tally_rows

    led = open_for_evidence(ledger)
    archives, _stamps = read(led)
    table_rows = tally_rows(tally(led, archives, quote_checks(led, archives)))
    if grep:
        patterns = _grep_patterns(grep)
        table_rows = [r for r in table_rows if matches_text(r, patterns)]
    listing = rows("source", table_rows, TALLY_COLUMNS, TALLY_COLUMNS, TALLY_COLUMNS, led)

    def table():
        from iqtl.terminal.render import reference_table

        shown = ("id", "archive_status", "quotes", "verified", "normalised_only", "ambiguous", "not_found",
                 "misattributed")
        heads = ["source", "archive", "quotes", "verified", "normalised", "ambiguous", "not found", "elsewhere"]
        return reference_table("quotes against their archives", heads,
                               [[str(r[c]) for c in shown] for r in listing.records])

    emit(resolve_format(fmt), listing, color=color, table=table, options=Options(bom=bom, raw=raw))
    raise typer.Exit(ExitCode.DATA if any(map(row_failed, table_rows)) else ExitCode.OK)


def tags(ledger: LedgerOpt = None, grep: GrepOpt = None, fmt: FormatOpt = None, color: ColorOpt = Color.auto,
         bom: BomOpt = False, raw: RawOpt = False, width: WidthOpt = None):
    """Event tags, with how many events (and claims about them) carry each.

    Example: iqtl tags --grep iran"""
    _reference("tag", ledger, fmt, color, bom, raw, grep, width)
