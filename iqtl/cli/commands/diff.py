"""iqtl diff: what changed between two versions of the ledger, record by record and field by field."""

import sys
from typing import Annotated, Optional

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import EVERY_FILTER, FLAG, Color, ColorOpt, FormatOpt, LedgerOpt, resolve_format, with_filters
from iqtl.core.model import Ledger
from iqtl.query import Filters

COMPARED_FILTERS = tuple(name for name in EVERY_FILTER if name not in ("limit", "reverse"))


def _load_side(label: str, side, current=None) -> Ledger:
    from pathlib import Path

    from iqtl.ledgerfile.includes import load_revision
    from iqtl.ledgerfile.loader import load

    # A revision's includes are read at that revision too.
    result = load(side) if isinstance(side, Path) else load_revision(side, label, current)
    if result.errors:
        for problem in result.errors[:20]:
            typer.echo(str(problem), err=True)
        fail(f"{label}: {len(result.errors)} error(s); cannot compare a broken ledger", ExitCode.TROUBLE)
    return result.ledger


@with_filters(*COMPARED_FILTERS)
def diff_command(
    old: Annotated[str, typer.Argument(help="A ledger file, or a git revision of the ledger (HEAD~1, main, a tag, "
                                       "REV:path).")],
    new: Annotated[Optional[str], typer.Argument(help="As OLD; default: the ledger as it is on disk.",
                                                 show_default=False)] = None,
    ledger: LedgerOpt = None,
    stat: Annotated[bool, typer.Option("--stat", help="Counts only.")] = False,
    fmt: FormatOpt = None,
    color: ColorOpt = Color.auto,
    *,
    filters: Filters,
):
    """What changed between two versions of the ledger, record by record and field by field.

    Exit 0 when there is no difference, 1 when there is, 2 on error (as diff(1)).  Filters apply
    to both sides alike; sources and actors are compared only when no filter is given.

    Example: iqtl diff HEAD~1 --format csv"""
    from iqtl.cli.output import find_or_fail
    from iqtl.ledgerfile.revisions import RevisionError, read_side
    from iqtl.query import QueryError
    from iqtl.reports import diff as d
    from iqtl.reports.listing import rows

    current = find_or_fail(ledger, ExitCode.TROUBLE)
    try:
        old_label, old_side = read_side(old, current)
        new_label, new_side = (str(current), current) if new is None else read_side(new, current)
    except (RevisionError, OSError) as exc:
        fail(str(exc), ExitCode.TROUBLE)
    a, b = _load_side(old_label, old_side, current), _load_side(new_label, new_side, current)
    try:
        q = d.query_for(a, b, filters)
    except QueryError as exc:
        raise typer.BadParameter(f"{FLAG.get(exc.field, '')} {exc}".strip()) from None
    changes = d.diff(a, b, q)
    fmt_value = resolve_format(fmt)
    if stat:
        counts = d.stat(changes)
        if fmt_value in ("json", "jsonl"):
            from iqtl.formats.jsonfmt import dumps

            typer.echo(dumps(counts))
        else:
            typer.echo(f"{counts['added']} added, {counts['removed']} removed, {counts['renamed']} renamed, "
                       f"{counts['changed']} changed ({counts['fields']} fields)")
    elif fmt_value == "table":
        if changes:
            from iqtl.cli.output import print_rich
            from iqtl.terminal.render import diff_table

            print_rich(diff_table(changes, old_label, new_label), color)
    else:
        from iqtl.formats import write

        listing = rows("change", [ch.as_dict() for ch in changes], d.CHANGE_COLUMNS, ("change", "kind", "id", "field"))
        write(fmt_value, listing, sys.stdout)
    raise typer.Exit(ExitCode.DIFFERENT if changes else ExitCode.SAME)
