"""iqtl check: the whole ledger checked; every problem located as FILE:LINE:COL."""

from enum import StrEnum
from typing import Annotated

import typer

from iqtl.cli.errors import ExitCode
from iqtl.cli.options import Color, ColorOpt, LedgerOpt


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


def check(
    ledger: LedgerOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-F",
                                             help="text: PATH:LINE:COL: SEVERITY: MESSAGE; json: a list of "
                                             "objects.")] = CheckFormat.text,
    color: ColorOpt = Color.auto,
):
    """Check the ledger: syntax, schema, dates, ids and references.  Silent and exit 0 when clean.

    Example: iqtl check --strict"""
    from iqtl.cli.output import find_or_fail
    from iqtl.ledgerfile.loader import load

    path = find_or_fail(ledger, ExitCode.DATA)  # as every command finds it, saying so when it is the demo
    result = load(path)
    if fmt is CheckFormat.json:
        from iqtl.formats.jsonfmt import dumps

        typer.echo(dumps([p.as_dict() for p in result.problems], indent=2))
    else:
        for problem in result.problems:
            typer.echo(str(problem))
    failed = result.errors or (strict and result.warnings)
    raise typer.Exit(ExitCode.DATA if failed else ExitCode.OK)
