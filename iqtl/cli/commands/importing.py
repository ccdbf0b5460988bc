"""iqtl import: the new rows of an export (CSV, TSV, JSON, JSON Lines), all checked first, then
appended together or not at all."""

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.writing import DryRunOpt, LedgerOpt, Session, ToOpt, ledger_to_write, report
from iqtl.core.model import KINDS


class ImportFormat(StrEnum):
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


Kind = StrEnum("Kind", [(k, k) for k in KINDS])



def _read_input(file: Path) -> tuple[bytes, str]:
    if str(file) == "-":
        if sys.stdin is None:  # `<&-`
            fail("cannot import from standard input: it is closed", ExitCode.USAGE)
        return sys.stdin.buffer.read(), "<stdin>"
    if not file.exists():
        fail(f"no such file: {file} (try 'iqtl import --help')", ExitCode.USAGE)
    try:
        import stat

        if stat.S_ISCHR(file.stat().st_mode) or stat.S_ISBLK(file.stat().st_mode):  # /dev/zero never ends
            fail(f"cannot import {file}: it is a device, not a file", ExitCode.USAGE)
        return file.read_bytes(), str(file)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror}")


def import_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="CSV, TSV, JSON or JSON Lines in the columns that "
                                         "'--format csv|tsv|json|jsonl' exports; '-' reads stdin.")],
    fmt: Annotated[Optional[ImportFormat], typer.Option("--format", "-F", help="Default: from the file's "
                                                        "extension.", show_default=False)] = None,
    kind: Annotated[Optional[Kind], typer.Option("--kind", "-k", help="What the rows are. Default: from the "
                                                 "columns.", show_default=False)] = None,
    update: Annotated[bool, typer.Option("--update", help="Rows whose id exists must match the ledger: each "
                                         "difference is an error (iqtl never overwrites).")] = False,
    dry_run: DryRunOpt = False,
    raw: Annotated[bool, typer.Option("--raw", help="CSV/TSV: keep a leading ' that the export put before "
                                      "=, +, -, @ (for files exported with --raw).")] = False,
    ledger: LedgerOpt = None,
    to: ToOpt = None,
):
    """Append the new rows of an export: all rows are checked with the ledger first, and one bad row
    means nothing is written.  Rows already in the ledger are skipped."""
    from iqtl import ingest

    data, name = _read_input(file)
    form = fmt.value if fmt else ingest.format_of(name)
    if form is None:
        fail(f"cannot tell the format of {name} from its name: give --format csv|tsv|json|jsonl", ExitCode.USAGE)
    table = ingest.read_table(data, form)
    what = kind.value if kind else ingest.detect_kind(table.columns)
    if what is None and table.errors:  # unreadable before its columns: say why
        report([(e.line, e.render(name)) for e in table.errors])
        fail(f"{name}: {len(table.errors)} error(s); nothing imported")
    if not table.rows and not table.errors:
        typer.echo(f"iqtl: {name} has no rows; nothing to import", err=True)
        return
    if what is None:
        fail(f"cannot tell what {name} holds from its columns ({', '.join(table.columns[:8])}): "
              "give --kind event|claim|source|actor", ExitCode.USAGE)
    _import_rows(what, table, name, ledger_to_write(ledger), update=update, dry_run=dry_run,
                 restore=form in ("csv", "tsv") and not raw, to=to)


def _import_rows(kind: str, table, name: str, path: Path, *, update: bool, dry_run: bool, restore: bool,
                 to: Path | None = None) -> None:
    from iqtl import ingest

    header = [(e.line, e.render(name)) for e in ingest.header_errors(kind, table)]
    if header:  # no row can be read right: checking each against the ledger would only repeat it
        report(header)
        fail(f"{name}: {len(header)} error(s); nothing imported")
    session = Session(path, dry_run, to)
    with session as app:
        planned = ingest.plan_import(kind, table, name, app.ledger, update=update, restore=restore)
        plan = app.plan(planned.records)
        planned.place(plan.findings, name, plan.first_lines)
        report(planned.notes)
        if planned.errors:
            report(planned.errors)
            fail(f"{name}: {len(planned.errors)} error(s); nothing imported (all rows or none)")
        if not planned.pending:
            typer.echo(f"iqtl: nothing to import: every row of {name} is already in the ledger", err=True)
            return
        if dry_run:
            typer.echo(plan.block, nl=False)
            typer.echo(f"iqtl: would import {len(planned.pending)} {kind}(s) (dry run: nothing written)", err=True)
            return
        session.commit(plan)
    for _, record in planned.pending:
        typer.echo(record["id"])
    skipped = f", {len(table.rows) - len(planned.pending)} skipped" if len(table.rows) > len(planned.pending) else ""
    typer.echo(f"iqtl: imported {len(planned.pending)} {kind}(s) into {plan.target or path}{skipped}", err=True)
