"""Options shared by the commands, written once: the ledger, output format and colour, and the
filter bundle that turns a command's filter options into one `Filters` value."""

from __future__ import annotations

import functools
import inspect
import sys
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from iqtl.core.model import LOOKUP_ORDER, Ledger
from iqtl.formats import FORMATS, listing_formats
from iqtl.query import Filters, Query, QueryError, build_query


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


# The --format choices come from the formats registry; `table` is the terminal's own view.
ListingFormat = StrEnum("ListingFormat", [(n, n) for n in ("table", *listing_formats())])


# ---------------------------------------------------------------- completion


def _ledger_for_completion(ctx: typer.Context) -> Ledger | None:
    from iqtl.ledgerfile.loader import LedgerNotFoundError, find_ledger, load

    try:
        path = find_ledger(ctx.params.get("ledger"))
    except LedgerNotFoundError:
        return None
    return load(path).ledger


def complete(kind: str):
    """Candidates from the ledger: ids of a kind, every id ("any"), or the tags in use."""

    def candidates(ctx: typer.Context, incomplete: str):
        ledger = _ledger_for_completion(ctx)
        if ledger is None:
            return []
        if kind == "tag":
            values = sorted({t for e in ledger.events for t in e.tags})
        elif kind == "any":
            values = [r.id for k in LOOKUP_ORDER for r in ledger.table(k)]
        else:
            values = [r.id for r in ledger.table(kind)]
        return shell_candidates(values, incomplete)

    return candidates


def shell_candidates(values, incomplete: str) -> list[str]:
    """Ledger text offered to a shell is data: never a candidate with a control or invisible
    character (no one types it; it would reach the terminal raw), and in bash (whose completion
    inserts a candidate as it is) each shell metacharacter is escaped with a backslash, so that the
    candidate is one word and never `$(…)` run when Enter is pressed.  (Backslashes, not quotes: the
    candidate must still start with what was typed.)  zsh and fish quote what they insert themselves;
    PowerShell, whose quoting differs, is offered only candidates that need none."""
    import os

    from iqtl.core.text import has_unsafe

    shell = os.environ.get("_IQTL_COMPLETE", "")
    values = [v for v in values if v.startswith(incomplete) and v.isprintable() and not has_unsafe(v)]
    if shell.endswith(("zsh", "fish")):
        return values
    if shell.endswith(("powershell", "pwsh")):  # its quoting is not bash's: offer only plain words
        return [v for v in values if _bash_word(v) == v]
    return [_bash_word(v) for v in values]


def _bash_word(value: str) -> str:
    return "".join(c if c.isalnum() or c in "_@%+=:,./-" else "\\" + c for c in value)


# ---------------------------------------------------------------- shared options

LedgerOpt = Annotated[Optional[Path], typer.Option(
    "--ledger", "-L", help="Ledger file. Default: $IQTL_LEDGER, else the nearest data/events.toml from here "
    "upwards, else the bundled demo ('iqtl ledger' says which).",
    show_default=False, dir_okay=True)]
FormatOpt = Annotated[Optional[ListingFormat], typer.Option(
    "--format", "-F", help="Output format: table (a terminal's default), "
    + ", ".join(f"{n} ({FORMATS[n].help})" for n in listing_formats()) + ". In a pipe the default is plain.",
    show_default=False)]
ColorOpt = Annotated[Color, typer.Option("--color", help="Colour: auto (terminal, and not NO_COLOR), always or "
                                         "never.")]
WidthOpt = Annotated[Optional[int], typer.Option(
    "--width", "-W", help="Lay tables out for N columns (default: the terminal's width).", min=20,
    show_default=False)]
CompactOpt = Annotated[bool, typer.Option(
    "--compact", "-c", help="Table: one line a record (date, id, the title or quote cut to fit), as hledger's "
    "register.")]
BomOpt = Annotated[bool, typer.Option("--bom", help="CSV/TSV: start with a UTF-8 byte-order mark (for Excel).")]
RawOpt = Annotated[bool, typer.Option("--raw", help="CSV/TSV: do not neutralise cells that look like formulas.")]
GrepOpt = Annotated[Optional[list[str]], typer.Option(
    "--grep", "-g", help="A regular expression, any case, searched in the id, title, summary, quote, notes and tags "
    "('weapon|arms'); plain letters also match hyphenated ('ceasefire' finds 'cease-fire'). Repeat to OR.",
    show_default=False)]
GrepAllOpt = Annotated[Optional[list[str]], typer.Option(
    "--grep-all", "-G", help="As --grep, but every pattern given must match (AND): -G iran -G weapon.",
    show_default=False)]

# The filter options, by the Filters field each fills.  A command takes the ones it names.
FILTER_OPTIONS: dict[str, tuple[object, object]] = {
    "date_from": (Annotated[Optional[str], typer.Option(
        "--from", help="Records whose dates overlap this date or later: EDTF (2007, 2007-08~), text ('Aug 2007', "
        "'summer 2007'), or any date as shown ('~Aug 2007'). A partial date means its whole period; a period "
        "that began earlier but runs into the window is kept (use --within to drop it).", show_default=False)], None),
    "date_to": (Annotated[Optional[str], typer.Option(
        "--to", help="Records whose dates overlap this date or earlier, inclusive: --to 2007 ends on 31 Dec 2007.",
        show_default=False)], None),
    "within": (Annotated[bool, typer.Option("--within", help="Only records whose whole date lies inside "
                                            "--from/--to: 'what happened in 2007' is --from 2007 --to 2007 "
                                            "--within.")], False),
    "actors": (Annotated[Optional[list[str]], typer.Option(
        "--actor", "-a", help="Actor id, name or alias, any case. Repeat to OR.", autocompletion=complete("actor"),
        show_default=False)], None),
    "speakers": (Annotated[Optional[list[str]], typer.Option(
        "--speaker", help="Claims by this actor (id, name or alias); for events, those it made claims about. "
        "Repeat to OR.", autocompletion=complete("actor"), show_default=False)], None),
    "about": (Annotated[Optional[list[str]], typer.Option(
        "--about", help="Claims about this event id. Repeat to OR.", autocompletion=complete("event"),
        show_default=False)], None),
    "tags": (Annotated[Optional[list[str]], typer.Option(
        "--tag", "-t", help="Tag, any case. Repeat to OR.", autocompletion=complete("tag"), show_default=False)], None),
    "places": (Annotated[Optional[list[str]], typer.Option(
        "--place", "-p", help="Place, any case. Repeat to OR.", show_default=False)], None),
    "sources": (Annotated[Optional[list[str]], typer.Option(
        "--source", "-s", help="Source id. Repeat to OR.", autocompletion=complete("source"),
        show_default=False)], None),
    "grep": (GrepOpt, None),
    "grep_all": (GrepAllOpt, None),
    "limit": (Annotated[Optional[int], typer.Option("--limit", "-n", help="At most N records.",
                                                    show_default=False)], None),
    "reverse": (Annotated[bool, typer.Option("--reverse", "-r", help="Newest first.")], False),
}
# The flag each Filters field is given by, for messages about a value.
FLAG = {"date_from": "--from", "date_to": "--to", "within": "--within", "actors": "--actor",
        "speakers": "--speaker", "about": "--about", "tags": "--tag", "places": "--place", "sources": "--source",
        "grep": "--grep", "grep_all": "--grep-all", "limit": "--limit", "reverse": "--reverse"}
EVERY_FILTER = tuple(FILTER_OPTIONS)
# The filters of the commands that select events (list, export; chart and stats without --reverse).
EVENT_FILTERS = tuple(name for name in EVERY_FILTER if name != "about")


def with_filters(*fields: str):
    """Give a command the filter options of `fields` (default: all); it receives them as one
    `filters: Filters` argument.  As sqlite-utils' shared option decorators: a new filter is one
    Filters field, one entry above and one matcher in iqtl.query, and every command has it."""
    chosen = fields or EVERY_FILTER

    def decorate(command):
        signature = inspect.signature(command)
        own = [p for p in signature.parameters.values() if p.name != "filters"]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=FILTER_OPTIONS[name][1],
                                   annotation=FILTER_OPTIONS[name][0]) for name in chosen]

        @functools.wraps(command)
        def run(*args, **kwargs):
            given = {name: kwargs.pop(name) for name in chosen}
            filters = Filters(**{k: tuple(v) if isinstance(v, list) else v for k, v in given.items()
                                 if v is not None})
            return command(*args, filters=filters, **kwargs)

        del run.__wrapped__  # Typer must see the new signature, not the command's own
        run.__signature__ = signature.replace(parameters=own + added)
        run.__annotations__ = {p.name: p.annotation for p in own + added}
        return run

    return decorate


def describe(filters: Filters) -> str:
    """The filters as the user gave them, as flags: for "no events match --tag surge --from 2007"."""
    words = []
    for name, value in vars(filters).items():
        if name in ("limit", "reverse") or value in (None, False, ()):
            continue
        flag = FLAG.get(name, name)
        if value is True:
            words.append(flag)
        else:
            words += [f"{flag} {v!r}" if " " in str(v) or not str(v) else f"{flag} {v}"
                      for v in (value if isinstance(value, tuple) else (value,))]
    return " ".join(words)


def make_query(ledger: Ledger, filters: Filters) -> Query:
    try:
        return build_query(ledger, filters)
    except QueryError as exc:
        flag = FLAG.get(exc.field, "")
        raise typer.BadParameter(f"{flag} {exc}" if flag else str(exc)) from None


def resolve_format(fmt: Enum | str | None) -> str:
    if isinstance(fmt, Enum):
        return fmt.value
    return fmt or ("table" if sys.stdout.isatty() else "plain")
