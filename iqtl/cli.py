"""The command line: parse options, call the library, choose a printer.  Nothing else."""


import copy
import gc
import os
import sys
from enum import Enum, StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer
from typer.core import TyperGroup

from . import __version__, cache
from .cache import ENV_NO_CACHE
from .loader import LedgerNotFoundError, find_ledger, load
from .model import Ledger
from .query import Query, QueryError, build_query
from .text import one_line

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


class ListingFormat(StrEnum):
    table = "table"
    plain = "plain"
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"
    md = "md"


class ShowFormat(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


class Color(StrEnum):
    auto = "auto"
    always = "always"
    never = "never"


class IqtlGroup(TyperGroup):
    """Turns every failure into one line on stderr and a documented exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            rv = super().main(args, prog_name="iqtl", complete_var=complete_var, standalone_mode=False, **extra)
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
        except typer.TyperException as exc:  # Typer's usage errors: bad option, bad value (exit 2)
            code = getattr(exc, "exit_code", EXIT_USAGE)
            if not exc.format_message():  # `iqtl` alone: the help was printed, nothing to add
                sys.exit(code)
            if type(exc).__name__ == "NoArgsIsHelpError":  # the same, when help is plain text (a pipe)
                typer.echo(exc.format_message())
                sys.exit(code)
            ctx = getattr(exc, "ctx", None)
            hint = ""
            if code == EXIT_USAGE:
                name = f"iqtl {ctx.info_name} " if ctx is not None and ctx.parent is not None else "iqtl "
                hint = f" (try '{name}--help')"
            _fail(f"{exc.format_message()}{hint}", code)
        except typer.Abort:
            _fail("aborted", EXIT_DATA)
        except BrokenPipeError:
            # `iqtl list | head`: the reader left; that is not an error.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except KeyboardInterrupt:
            sys.exit(130)
        except Exception as exc:  # never a traceback for a user; IQTL_DEBUG=1 shows it
            if os.environ.get("IQTL_DEBUG"):
                raise
            _fail(f"internal error: {type(exc).__name__}: {exc} (set IQTL_DEBUG=1 for details)", 3)
        sys.exit(rv if isinstance(rv, int) else EXIT_OK)


def _fail(message: str, code: int):
    # Messages quote file names and ledger text: escaped, and one line whatever they hold.
    typer.echo(f"iqtl: error: {one_line(message)}", err=True)
    sys.exit(code)


app = typer.Typer(
    cls=IqtlGroup,
    help="Timeline and sourced-claim tracker for US–Iran–Iraq relations, from a TOML ledger.\n\n"
    + "Filters: repeating an option ORs its values (--tag a --tag b: either tag); different options AND "
    "(--tag a --actor sadr: both).\n\n"
    "Exit codes: 0 ok (an empty result too), 1 a ledger problem, 2 a usage error.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="markdown",  # reflows docstring paragraphs; help text is ours, never ledger text
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool):
    if value:
        typer.echo(f"iqtl {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Parse the ledger afresh, neither using nor "
                                           f"updating the cache of parsed ledgers (also: {ENV_NO_CACHE}=1).")]
    = False,
):
    cache.bypass = no_cache


# ---------------------------------------------------------------- completion


def _ledger_for_completion(ctx: typer.Context) -> Ledger | None:
    try:
        path = find_ledger(ctx.params.get("ledger"))
    except LedgerNotFoundError:
        return None
    return load(path).ledger


def _complete(kind: str):
    def complete(ctx: typer.Context, incomplete: str):
        ledger = _ledger_for_completion(ctx)
        if ledger is None:
            return []
        if kind == "tag":
            values = sorted({t for e in ledger.events for t in e.tags})
        elif kind == "any":
            values = [r.id for k in ("event", "claim", "source", "actor") for r in ledger.table(k)]
        else:
            values = [r.id for r in ledger.table(kind)]
        return [v for v in values if v.startswith(incomplete)]

    return complete


# ---------------------------------------------------------------- shared options

LedgerOpt = Annotated[Optional[Path], typer.Option(
    "--ledger", "-L", help="Ledger file. Default: $IQTL_LEDGER, else ./data/events.toml, else the bundled one.",
    show_default=False, dir_okay=True)]
FormatOpt = Annotated[Optional[ListingFormat], typer.Option(
    "--format", "-F",
    help="Output format. Default: table on a terminal, plain in a pipe.", show_default=False)]
ColorOpt = Annotated[Color, typer.Option("--color",
                                       help="Colour: auto (terminal, and not NO_COLOR), always or never.")]
FromOpt = Annotated[Optional[str], typer.Option(
    "--from", help="Only what overlaps this date onwards: EDTF (2007, 2007-08) or text ('Aug 2007'); "
    "a partial date means its whole period.", show_default=False)]
ToOpt = Annotated[Optional[str], typer.Option(
    "--to", help="Only what overlaps up to this date, inclusive: --to 2007 ends on 31 Dec 2007.", show_default=False)]
WithinOpt = Annotated[bool, typer.Option("--within", help="Dates must lie wholly inside --from/--to, "
                                         "not just overlap.")]
ActorOpt = Annotated[Optional[list[str]], typer.Option(
    "--actor", "-a", help="Actor id, name or alias, any case. Repeat to OR.", autocompletion=_complete("actor"),
    show_default=False)]
TagOpt = Annotated[Optional[list[str]], typer.Option("--tag", "-t", help="Tag. Repeat to OR.",
                                                     autocompletion=_complete("tag"), show_default=False)]
PlaceOpt = Annotated[Optional[list[str]], typer.Option("--place", "-p", help="Place, any case. Repeat to OR.",
                                                       show_default=False)]
SourceOpt = Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Source id. Repeat to OR.",
                                                        autocompletion=_complete("source"), show_default=False)]
SpeakerOpt = Annotated[Optional[list[str]], typer.Option(
    "--speaker", help="Claims by this actor (id, name or alias); for events, those it made claims about. "
    "Repeat to OR.", autocompletion=_complete("actor"), show_default=False)]
AboutOpt = Annotated[Optional[list[str]], typer.Option("--about", help="Claims about this event id. Repeat to OR.",
                                                       autocompletion=_complete("event"), show_default=False)]
GrepOpt = Annotated[Optional[list[str]], typer.Option(
    "--grep", "-g", help="Text in title, summary, quote or notes, any case. Repeat to OR.", show_default=False)]
LimitOpt = Annotated[Optional[int], typer.Option("--limit", "-n", help="At most N records.", show_default=False)]
ReverseOpt = Annotated[bool, typer.Option("--reverse", "-r", help="Newest first.")]
BomOpt = Annotated[bool, typer.Option("--bom", help="CSV/TSV: start with a UTF-8 byte-order mark (for Excel).")]
RawOpt = Annotated[bool, typer.Option("--raw", help="CSV/TSV: do not neutralise cells that look like formulas.")]


def open_ledger(path: Path | None) -> Ledger:
    """Load the ledger, or print its errors and exit 1: reading a broken ledger would mislead."""
    try:
        where = find_ledger(path)
    except LedgerNotFoundError as exc:
        _fail(str(exc), EXIT_DATA)
    result = load(where)
    if result.errors:
        for problem in result.errors[:20]:
            typer.echo(str(problem), err=True)
        more = len(result.errors) - 20
        tail = f" ({more} more)" if more > 0 else ""
        _fail(f"{len(result.errors)} error(s) in the ledger{tail}; run 'iqtl check' for the full list", EXIT_DATA)
    return result.ledger


def make_query(ledger: Ledger, **options) -> Query:
    try:
        return build_query(ledger, **options)
    except QueryError as exc:
        raise typer.BadParameter(str(exc)) from None


def resolve_format(fmt: Enum | None) -> str:
    return fmt.value if fmt else ("table" if sys.stdout.isatty() else "plain")


def print_rich(renderable, color: Color | str) -> None:
    from .render import make_console

    make_console(Color(color).value).print(renderable)


def _render():
    from . import render  # Rich is imported only for output meant for people

    return render


def print_listing(fmt: str, records: list, what: str, *, color, bom: bool, raw: bool, table, plain, md, columns,
                  row) -> None:
    """One listing in the chosen format; the callables build each format's output lazily."""
    if fmt == "table":
        if records:
            print_rich(table(), color)
        else:
            typer.echo(f"no {what} match", err=True)
    elif fmt == "plain":
        sys.stdout.writelines(plain(r) for r in records)
    elif fmt == "md":
        md(sys.stdout)
    else:
        from .export import write_rows

        write_rows(fmt, map(row, records), columns, sys.stdout, bom=bom, raw=raw)  # rows made as written


# ---------------------------------------------------------------- commands


@app.command()
def check(
    ledger: LedgerOpt = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    fmt: Annotated[CheckFormat, typer.Option("--format", "-F",
                                             help="text: PATH:LINE:COL: SEVERITY: MESSAGE; json: a list of "
                                             "objects.")] = CheckFormat.text,
    color: ColorOpt = Color.auto,
):
    """Check the ledger: syntax, schema, dates, ids and references.  Silent and exit 0 when clean."""
    try:
        path = find_ledger(ledger)
    except LedgerNotFoundError as exc:
        _fail(str(exc), EXIT_DATA)
    result = load(path)
    if fmt is CheckFormat.json:
        from .export import dumps

        typer.echo(dumps([p.as_dict() for p in result.problems], indent=2))
    else:
        for problem in result.problems:
            typer.echo(str(problem))
    failed = result.errors or (strict and result.warnings)
    raise typer.Exit(EXIT_DATA if failed else EXIT_OK)


@app.command("list")
def list_events(
    ledger: LedgerOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    within: WithinOpt = False,
    actor: ActorOpt = None,
    tag: TagOpt = None,
    place: PlaceOpt = None,
    source: SourceOpt = None,
    speaker: SpeakerOpt = None,
    grep: GrepOpt = None,
    limit: LimitOpt = None,
    reverse: ReverseOpt = False,
    fmt: FormatOpt = None,
    color: ColorOpt = Color.auto,
    bom: BomOpt = False,
    raw: RawOpt = False,
):
    """The timeline of events, oldest first.

    Repeating a filter ORs its values; different filters AND."""
    from .query import select_events

    led = open_ledger(ledger)
    q = make_query(led, date_from=date_from, date_to=date_to, within=within, actors=actor, tags=tag,
                   places=place, sources=source, speakers=speaker, grep=grep, limit=limit, reverse=reverse)
    events = select_events(led, q)
    from .export import plain_event, write_markdown
    from .rows import EVENT_COLUMNS, event_row

    print_listing(resolve_format(fmt), events, "events", color=color, bom=bom, raw=raw,
                  table=lambda: _render().events_table(led, events), plain=plain_event,
                  md=lambda out: write_markdown(led, events, out), columns=EVENT_COLUMNS, row=event_row)


@app.command()
def claims(
    ledger: LedgerOpt = None,
    contested: Annotated[bool, typer.Option("--contested", help="Only claims that dispute or are disputed, "
                                            "each with what it contradicts.")] = False,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    within: WithinOpt = False,
    actor: ActorOpt = None,
    speaker: SpeakerOpt = None,
    about: AboutOpt = None,
    tag: TagOpt = None,
    place: PlaceOpt = None,
    source: SourceOpt = None,
    grep: GrepOpt = None,
    limit: LimitOpt = None,
    reverse: ReverseOpt = False,
    fmt: FormatOpt = None,
    color: ColorOpt = Color.auto,
    bom: BomOpt = False,
    raw: RawOpt = False,
):
    """Attributed claims: date, speaker, the quote, the source.

    Repeating a filter ORs its values; different filters AND."""
    from .query import select_claims

    led = open_ledger(ledger)
    q = make_query(led, date_from=date_from, date_to=date_to, within=within, actors=actor, tags=tag,
                   places=place, sources=source, speakers=speaker, about=about, grep=grep, limit=limit,
                   reverse=reverse)
    selected = select_claims(led, q, contested=contested)
    from .export import plain_claim, write_claims_markdown
    from .rows import CLAIM_COLUMNS, claim_row

    print_listing(resolve_format(fmt), selected, "claims", color=color, bom=bom, raw=raw,
                  table=lambda: _render().claims_table(led, selected, contested=contested),
                  plain=plain_claim, md=lambda out: write_claims_markdown(led, selected, out),
                  columns=CLAIM_COLUMNS, row=lambda cl: claim_row(led, cl))


def _reference(kind: str, ledger: Path | None, fmt: str | None, color: str, bom: bool, raw: bool,
               grep: list[str] | None) -> None:
    from .rows import ACTOR_COLUMNS, SOURCE_COLUMNS, TAG_COLUMNS, Usage, actor_row, source_row, tag_rows

    led = open_ledger(ledger)
    usage = Usage(led)
    if kind == "actor":
        rows, columns = [actor_row(a, usage) for a in sorted(led.actors, key=lambda a: a.id)], ACTOR_COLUMNS
        plain_cols, table_cols = ("id", "name", "events", "claims"), ("id", "name", "kind", "role", "events", "claims")
    elif kind == "source":
        by_date = sorted(led.sources, key=lambda s: (s.date.sort_key() if s.date else (0, 0), s.id))
        rows, columns = [source_row(s, usage) for s in by_date], SOURCE_COLUMNS
        plain_cols, table_cols = ("date", "id", "title"), ("id", "date", "title", "publisher", "events", "claims")
    else:
        rows, columns = tag_rows(led, usage), TAG_COLUMNS
        plain_cols = table_cols = TAG_COLUMNS
    if grep:
        words = [g.casefold() for g in grep]
        import json

        rows = [r for r in rows if any(w in json.dumps(r, ensure_ascii=False).casefold() for w in words)]
    fmt = resolve_format(fmt)
    if fmt == "table":
        from .render import reference_table

        def cell(row, c):
            v = row[c]
            return "; ".join(v) if isinstance(v, list) else ("" if v is None else str(v))

        print_rich(reference_table(f"{kind}s", list(table_cols), [[cell(r, c) for c in table_cols] for r in rows]),
                   color)
    elif fmt == "plain":
        from .export import plain_line

        sys.stdout.writelines(plain_line(*("" if r[c] is None else str(r[c]) for c in plain_cols)) for r in rows)
    elif fmt == "md":
        from .export import md_escape

        sys.stdout.write("| " + " | ".join(table_cols) + " |\n|" + "---|" * len(table_cols) + "\n")
        for r in rows:
            sys.stdout.write("| " + " | ".join(md_escape("" if r[c] is None else str(r[c])) for c in table_cols)
                             + " |\n")
    else:
        from .export import write_rows

        write_rows(fmt, rows, columns, sys.stdout, bom=bom, raw=raw)


@app.command()
def actors(ledger: LedgerOpt = None, grep: GrepOpt = None, fmt: FormatOpt = None, color: ColorOpt = Color.auto,
           bom: BomOpt = False, raw: RawOpt = False):
    """People, groups, states and institutions, with how many events and claims each has."""
    _reference("actor", ledger, fmt, color, bom, raw, grep)


@app.command()
def sources(ledger: LedgerOpt = None, grep: GrepOpt = None, fmt: FormatOpt = None, color: ColorOpt = Color.auto,
            bom: BomOpt = False, raw: RawOpt = False):
    """The articles the ledger was read from, with how many events and claims cite each."""
    _reference("source", ledger, fmt, color, bom, raw, grep)


@app.command()
def tags(ledger: LedgerOpt = None, grep: GrepOpt = None, fmt: FormatOpt = None, color: ColorOpt = Color.auto,
         bom: BomOpt = False, raw: RawOpt = False):
    """Event tags, with how many events (and claims about them) carry each."""
    _reference("tag", ledger, fmt, color, bom, raw, grep)


@app.command()
def show(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="An event, claim, source or actor id.",
                                             autocompletion=_complete("any"))],
    ledger: LedgerOpt = None,
    fmt: Annotated[Optional[ShowFormat], typer.Option("--format", "-F", help="Default: table.",
                                                      show_default=False)] = None,
    color: ColorOpt = Color.auto,
):
    """One event, claim, source or actor in full, with everything that refers to it."""
    led = open_ledger(ledger)
    found = [(kind, led.get(kind, record_id)) for kind in ("event", "claim", "source", "actor")]
    found = [(k, r) for k, r in found if r is not None]
    if not found:
        every = [r.id for k in ("event", "claim", "source", "actor") for r in led.table(k)]
        import difflib

        close = difflib.get_close_matches(record_id, every, n=3, cutoff=0.5)
        close += [i for i in every if record_id.casefold() in i and i not in close][: 3 - len(close)]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        _fail(f"no event, claim, source or actor has the id {record_id!r}{hint}", EXIT_DATA)
    fmt = fmt.value if fmt else "table"
    if fmt == "json":
        from .rows import Usage, actor_row, claim_row, event_row, source_row

        usage = Usage(led)
        rows = {"event": event_row, "claim": lambda r: claim_row(led, r),
                "source": lambda r: source_row(r, usage), "actor": lambda r: actor_row(r, usage)}
        from .export import dumps

        typer.echo(dumps([{"record": k, **rows[k](r)} for k, r in found], indent=2))
        return
    from . import render

    shows = {"event": render.show_event, "claim": render.show_claim, "source": render.show_source,
             "actor": render.show_actor}
    for kind, rec in found:
        print_rich(shows[kind](led, rec), "never" if fmt == "plain" else color)


class DiffFormat(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"
    csv = "csv"


DiffFormatOpt = Annotated[Optional[DiffFormat], typer.Option(
    "--format", "-F", help="Default: table on a terminal, plain in a pipe.", show_default=False)]


def _load_side(label: str, side: bytes | Path) -> Ledger:
    from .loader import load_bytes

    result = load(side) if isinstance(side, Path) else load_bytes(side, label)
    if result.errors:
        for problem in result.errors[:20]:
            typer.echo(str(problem), err=True)
        _fail(f"{label}: {len(result.errors)} error(s); cannot compare a broken ledger", EXIT_USAGE)
    return result.ledger


@app.command("diff")
def diff_command(
    old: Annotated[str, typer.Argument(help="A ledger file, or a git revision of the ledger (HEAD~1, main, a tag, "
                                       "REV:path).")],
    new: Annotated[Optional[str], typer.Argument(help="As OLD; default: the ledger as it is on disk.",
                                                 show_default=False)] = None,
    ledger: LedgerOpt = None,
    stat: Annotated[bool, typer.Option("--stat", help="Counts only.")] = False,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    within: WithinOpt = False,
    actor: ActorOpt = None,
    tag: TagOpt = None,
    place: PlaceOpt = None,
    source: SourceOpt = None,
    speaker: SpeakerOpt = None,
    about: AboutOpt = None,
    grep: GrepOpt = None,
    fmt: DiffFormatOpt = None,
    color: ColorOpt = Color.auto,
):
    """What changed between two versions of the ledger, record by record and field by field.

    Exit 0 when there is no difference, 1 when there is, 2 on error (as diff(1)).  Filters apply
    to both sides alike; sources and actors are compared only when no filter is given."""
    from . import diff as d
    from .revisions import RevisionError, read_side

    try:
        current = find_ledger(ledger)
    except LedgerNotFoundError as exc:
        _fail(str(exc), EXIT_USAGE)
    try:
        old_label, old_side = read_side(old, current)
        new_label, new_side = (str(current), current) if new is None else read_side(new, current)
    except (RevisionError, OSError) as exc:
        _fail(str(exc), EXIT_USAGE)
    a, b = _load_side(old_label, old_side), _load_side(new_label, new_side)
    filters = dict(date_from=date_from, date_to=date_to, within=within, actors=actor, tags=tag, places=place,
                   sources=source, speakers=speaker, about=about, grep=grep)
    q = None
    if any(v for v in filters.values()):
        try:
            q = build_query(b, **filters)
        except QueryError:
            q = make_query(a, **filters)  # an actor that exists only on the old side
    changes = d.diff(a, b, q)
    fmt_value = resolve_format(fmt)
    if stat:
        counts = d.stat(changes)
        if fmt_value == "json":
            from .export import dumps

            typer.echo(dumps(counts))
        else:
            typer.echo(f"{counts['added']} added, {counts['removed']} removed, {counts['renamed']} renamed, "
                       f"{counts['changed']} changed ({counts['fields']} fields)")
    elif fmt_value == "plain":
        from .export import plain_line

        sys.stdout.writelines(plain_line(ch.change, ch.kind, ch.id, ch.field) for ch in changes)
    elif fmt_value in ("csv", "json"):
        from .export import write_rows

        write_rows(fmt_value, [ch.as_dict() for ch in changes], d.CHANGE_COLUMNS, sys.stdout)
    elif changes:
        from .render import diff_table

        print_rich(diff_table(changes, old_label, new_label), color)
    raise typer.Exit(1 if changes else 0)


@app.command("compare")
def compare_command(
    source_a: Annotated[str, typer.Argument(metavar="A", help="A source id.", autocompletion=_complete("source"))],
    source_b: Annotated[str, typer.Argument(metavar="B", help="Another source id.",
                                            autocompletion=_complete("source"))],
    ledger: LedgerOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    within: WithinOpt = False,
    actor: ActorOpt = None,
    tag: TagOpt = None,
    place: PlaceOpt = None,
    grep: GrepOpt = None,
    fmt: DiffFormatOpt = None,
    color: ColorOpt = Color.auto,
):
    """Two sources side by side: the events both report, those only one does, the claims each carries
    on shared events, and claims in one that dispute claims in the other.  Exit 1 when they differ."""
    from .compare import COMPARE_COLUMNS, compare, rows

    led = open_ledger(ledger)
    for sid in (source_a, source_b):
        if led.get("source", sid) is None:
            from .validate import did_you_mean

            raise typer.BadParameter(f"no source {sid!r}" + did_you_mean(sid, led.by_id("source")))
    q = make_query(led, date_from=date_from, date_to=date_to, within=within, actors=actor, tags=tag, places=place,
                   grep=grep)
    result = compare(led, source_a, source_b, q)
    fmt_value = resolve_format(fmt)
    if fmt_value == "plain":
        from .export import plain_line

        sys.stdout.writelines(plain_line(r["section"], r["source"], r["kind"], r["id"], r["date"], r["text"])
                              for r in rows(result))
    elif fmt_value in ("csv", "json"):
        from .export import write_rows

        write_rows(fmt_value, rows(result), COMPARE_COLUMNS, sys.stdout)
    else:
        from .render import comparison_view

        print_rich(comparison_view(led, result), color)
    raise typer.Exit(1 if result.differ else 0)


from .cli_views import chart_command, export_command, stats_command  # noqa: E402  (cli_views imports this module)

app.command("chart")(chart_command)
app.command("stats")(stats_command)
app.command("export")(export_command)

from .cli_add import add_app, import_command  # noqa: E402

app.add_typer(add_app, name="add")
app.command("import")(import_command)

from .cli_team import TEAM_COMMANDS  # noqa: E402

for _name, _command in TEAM_COMMANDS:
    app.command(_name)(_command)


def main() -> None:
    # A run is short and its data (records, rows) holds no cycles: the collector would only rescan
    # the loaded ledger (rows for a 100,000-event CSV: 2.2 s with it, 0.3 s without).  Exit frees all.
    gc.disable()
    _app_for(sys.argv[1:], sys.stdout is not None and sys.stdout.isatty())()  # None: `iqtl check >&-`


def _app_for(args: list[str], tty: bool) -> typer.Typer:
    """The app this run needs.  Help is drawn with Rich on a terminal only: into a pipe it is
    click's plain text, with no boxes and no 100 ms of Rich.  A run that names its command builds
    only that command: building the click parameters of all twenty costs 12 ms of every start.
    Root help, completion and anything unusual get the whole app."""
    lean = copy.copy(app)
    if not tty:
        lean.rich_markup_mode = None
    rest = list(args)
    while rest and rest[0] == "--no-cache":  # the one root option that goes on to a command
        rest.pop(0)
    if not rest or "_IQTL_COMPLETE" in os.environ:
        return lean
    if rest[0] == "--version" and not {"-h", "--help"} & set(rest):  # answered before any command
        lean.registered_commands, lean.registered_groups = [], []
        return lean
    commands = [c for c in app.registered_commands
                if (c.name or typer.main.get_command_name(c.callback.__name__)) == rest[0]]
    groups = [g for g in app.registered_groups if g.name == rest[0]]
    if commands or groups:
        lean.registered_commands, lean.registered_groups = commands, groups
    return lean


if __name__ == "__main__":
    main()
