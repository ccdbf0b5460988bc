"""iqtl actors, iqtl sources, iqtl tags: the reference lists, with how many events and claims each has."""

from pathlib import Path

from iqtl.cli.options import BomOpt, Color, ColorOpt, FormatOpt, GrepOpt, LedgerOpt, RawOpt, WidthOpt, resolve_format
from iqtl.cli.output import emit, open_ledger
from iqtl.formats import Options


def _reference(kind: str, ledger: Path | None, fmt, color, bom: bool, raw: bool, grep: list[str] | None,
               width: int | None = None) -> None:
    from iqtl.reports.reference import reference

    led = open_ledger(ledger)
    listing = reference(led, kind, grep or ())

    def table():
        from iqtl.terminal.render import reference_table

        def cell(row, c):
            v = row[c]
            return "; ".join(v) if isinstance(v, list) else ("" if v is None else str(v))

        return reference_table(f"{kind}s", list(listing.brief),
                               [[cell(r, c) for c in listing.brief] for r in listing.records])

    emit(resolve_format(fmt), listing, color=color, table=table, options=Options(bom=bom, raw=raw), width=width,
         empty=f"no {kind}s match --grep {' '.join(grep)}" if grep else "")


def actors(ledger: LedgerOpt = None, grep: GrepOpt = None, fmt: FormatOpt = None, color: ColorOpt = Color.auto,
           bom: BomOpt = False, raw: RawOpt = False, width: WidthOpt = None):
    """People, groups, states and institutions, with how many events and claims each has.

    Example: iqtl actors --grep sadr"""
    _reference("actor", ledger, fmt, color, bom, raw, grep, width)


def sources(ledger: LedgerOpt = None, grep: GrepOpt = None, fmt: FormatOpt = None, color: ColorOpt = Color.auto,
            bom: BomOpt = False, raw: RawOpt = False, width: WidthOpt = None):
    """The articles the ledger was read from, with how many events and claims cite each.

    Example: iqtl sources --format csv"""
    _reference("source", ledger, fmt, color, bom, raw, grep, width)


def tags(ledger: LedgerOpt = None, grep: GrepOpt = None, fmt: FormatOpt = None, color: ColorOpt = Color.auto,
         bom: BomOpt = False, raw: RawOpt = False, width: WidthOpt = None):
    """Event tags, with how many events (and claims about them) carry each.

    Example: iqtl tags --grep iran"""
    _reference("tag", ledger, fmt, color, bom, raw, grep, width)
