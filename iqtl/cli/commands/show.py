"""iqtl show: one event, claim, source or actor in full, with everything that refers to it."""

from enum import StrEnum
from typing import Annotated, Optional

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import Color, ColorOpt, LedgerOpt, complete
from iqtl.cli.output import open_ledger, print_rich


class ShowFormat(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"


def show(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="An event, claim, source or actor id.",
                                             autocompletion=complete("any"))],
    ledger: LedgerOpt = None,
    fmt: Annotated[Optional[ShowFormat], typer.Option("--format", "-F", help="Default: table.",
                                                      show_default=False)] = None,
    color: ColorOpt = Color.auto,
):
    """One event, claim, source or actor in full, with everything that refers to it.

    Example: iqtl show 2007-08-sadr-ceasefire"""
    from iqtl.reports.lookup import find, similar_ids

    led = open_ledger(ledger)
    found = find(led, record_id)
    if not found:
        close = similar_ids(led, record_id)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        fail(f"no event, claim, source or actor has the id {record_id!r}{hint}", ExitCode.DATA)
    fmt = fmt.value if fmt else "table"
    evidence = _evidence(led, found)
    if fmt == "json":
        from iqtl.formats.jsonfmt import dumps
        from iqtl.reports.rows import record_rows

        rows = [{"record": k, **row} for k, row in record_rows(led, found)]
        for row, (kind, rec) in zip(rows, found, strict=True):
            if kind == "claim":
                ev = evidence.get(rec.id)
                row["verification"] = ev.as_dict() if ev is not None else None
        typer.echo(dumps(rows, indent=2))
        return
    from iqtl.terminal import render

    for kind, rec in found:
        view = render.show_claim(led, rec, evidence.get(rec.id)) if kind == "claim" else render.SHOW[kind](led, rec)
        print_rich(view, "never" if fmt == "plain" else color)


def _evidence(led, found) -> dict:
    """claim id -> where its quote is in its source's archive (iqtl.verify.Evidence), for quote claims."""
    claims = [rec for kind, rec in found if kind == "claim"]
    if not claims or not any(s.archive for s in led.sources):
        return {}
    from iqtl.ledgerfile.archives import read
    from iqtl.verify import evidence

    archives, _stamps = read(led)
    return {cl.id: ev for cl in claims if (ev := evidence(led, cl, archives)) is not None}
