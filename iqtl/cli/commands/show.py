"""iqtl show: one event, claim, source or actor in full, with everything that refers to it."""

from enum import StrEnum
from typing import Annotated, Optional

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import Color, ColorOpt, LedgerOpt, WidthOpt, complete
from iqtl.cli.output import find_or_fail, from_index, print_rich


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
    from iqtl.reports.lookup import around, related

    where = find_or_fail(ledger, ExitCode.DATA)

    def from_database(index):
        found = _find(index, record_id)
        return around(index, found), found

    # A big ledger read before: the record and what its page names come from the cache's database.
    answer = from_index(where, "table", from_database, table=True)
    if answer is None:
        led = open_for_evidence(where)
        answer = led, _find(led, record_id)
    led, found = answer
    fmt = fmt.value if fmt else "table"
    if fmt == "json":
        from iqtl.formats.jsonfmt import dumps
        from iqtl.reports.rows import record_rows

        rows = record_rows(led, found)
        # everything the page shows: the record's fields, and what refers to it (claims, links both ways)
        whole = [{"record": k, **row, **related(led, k, rec)} for (k, row), (_, rec) in zip(rows, found, strict=True)]
        evidence = _evidence(led, found)
        for row, (kind, rec) in zip(whole, found, strict=True):
            if kind == "claim":
                ev = evidence.get(rec.id)
                row["verification"] = ev.as_dict() if ev is not None else None
        typer.echo(dumps(whole, indent=2))
        return
    from iqtl.terminal import render

    evidence = _evidence(led, found)
    pages = [render.show_claim(led, rec, evidence.get(rec.id)) if kind == "claim" else render.SHOW[kind](led, rec)
             for kind, rec in found]
    # one page for all: a pager, when there is one, opens once
    print_rich(render.one_page(pages), "never" if fmt == "plain" else color, width)


def _find(led, record_id: str) -> list:
    """The records `show` shows for RECORD_ID, or exit 1 saying why there are none."""
    from iqtl.reports.lookup import AmbiguousError, resolve, similar_ids

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
    return found


def open_for_evidence(path):
    """The ledger, refused for any error but a quote or an archive failing verification: those are
    what `show` and `sources --verify` are for looking into."""
    from iqtl.ledgerfile.loader import load
    from iqtl.verify import FAILURES

    result = load(find_or_fail(path, ExitCode.DATA))
    other = [p for p in result.errors if p.code not in FAILURES]
    if other:
        for problem in other[:20]:
            typer.echo(str(problem), err=True)
        fail(f"{len(other)} error(s) in the ledger; run 'iqtl check' for the full list", ExitCode.DATA)
    return result.ledger


def _evidence(led, found) -> dict:
    """claim id -> where its quote is in its source's archive (iqtl.verify.Evidence), for quote claims."""
    claims = [rec for kind, rec in found if kind == "claim"]
    if not claims or not any(s.archive for s in led.sources):
        return {}
    from iqtl.ledgerfile.archives import read
    from iqtl.verify import evidence

    archives, _stamps = read(led)
    return {cl.id: ev for cl in claims if (ev := evidence(led, cl, archives)) is not None}
