"""`iqtl add` and `iqtl import`: gather records from options, prompts or a file, then hand them
to the writer, which checks them against the whole ledger and appends them or nothing.

Registered in cli.py; this module does not import cli at load time (cli imports it).
"""


import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from iqtl.checks import did_you_mean
from iqtl.core import edtf
from iqtl.core.model import Ledger, Problem
from iqtl.core.schema import FIELD_BY_NAME
from iqtl.core.text import one_line
from iqtl.ledgerfile.loader import DEFAULT_LEDGER, ENV_LEDGER, load

if TYPE_CHECKING:  # ingest and writer load only when a command writes: start-up stays quick
    from iqtl.ingest import Table
    from iqtl.ledgerfile.writer import Appender, Plan

EXIT_DATA, EXIT_USAGE = 1, 2

add_app = typer.Typer(
    help="Append one event, claim, source or actor.  It is checked with the whole ledger first; the file "
    "only grows (every existing byte stays).  Prints the new id.",
    no_args_is_help=True,
)


# The choices live in the schema; the CLI only presents them.
ClaimKind = StrEnum("ClaimKind", [(c, c) for c in FIELD_BY_NAME["claim"]["kind"].choices])
ActorKind = StrEnum("ActorKind", [(c, c) for c in FIELD_BY_NAME["actor"]["kind"].choices])


class ImportFormat(StrEnum):
    csv = "csv"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


class Kind(StrEnum):
    event = "event"
    claim = "claim"
    source = "source"
    actor = "actor"


# Not cli.LedgerOpt: writing never falls back to the bundled ledger.
LedgerOpt = Annotated[Optional[Path], typer.Option(
    "--ledger", "-L", help="Ledger to append to. Default: $IQTL_LEDGER, else ./data/events.toml.",
    show_default=False)]
IdOpt = Annotated[Optional[str], typer.Option("--id", help="Id of the new record. Default: made from its date "
                                              "and title, made unique with -2, -3…", show_default=False)]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the TOML that would be appended; "
                                         "write nothing.")]
Text = Annotated[Optional[str], typer.Option(show_default=False)]
Texts = Annotated[Optional[list[str]], typer.Option(show_default=False)]


def _fail(message: str, code: int = EXIT_DATA):
    typer.echo(f"iqtl: error: {one_line(message)}", err=True)
    raise typer.Exit(code)


def ledger_to_write(option: Path | None) -> Path:
    """--ledger, else $IQTL_LEDGER, else ./data/events.toml: as find_ledger, without the bundled
    copy, which belongs to the installed package and is no one's working file."""
    if option:
        path = option
    elif os.environ.get(ENV_LEDGER):
        path = Path(os.environ[ENV_LEDGER])
    elif DEFAULT_LEDGER.is_file():
        path = DEFAULT_LEDGER
    else:
        _fail(f"no ledger to write to: pass --ledger PATH or set {ENV_LEDGER} (no {DEFAULT_LEDGER} here)")
    # A mistyped path must not become a new ledger, nor a lock file in some other directory.
    if not path.is_file():
        _fail(f"no ledger at {path}" + (" (it is a directory)" if path.is_dir() else "")
              + ": iqtl appends to an existing ledger (one starting `schema = 1`)")
    return path


def refuse_broken(problems: list[Problem], path: Path):
    for problem in problems[:20]:
        typer.echo(str(problem), err=True)
    more = f" ({len(problems) - 20} more)" if len(problems) > 20 else ""
    _fail(f"{len(problems)} error(s) in {path}{more}: fix them first (run 'iqtl check'); adding to a broken "
          "ledger would hide them")


@dataclass
class Session:
    """Opens the ledger for appending, turning the writer's failures into messages and exit codes."""

    path: Path
    dry_run: bool

    def __enter__(self) -> "Appender":
        from iqtl.ledgerfile.writer import Appender, BrokenLedgerError, WriteError

        self._appender = Appender(self.path, lock=not self.dry_run)  # a dry run changes nothing: no lock
        try:
            return self._appender.__enter__()
        except BrokenLedgerError as exc:
            refuse_broken(exc.problems, self.path)
        except WriteError as exc:
            _fail(str(exc))

    def __exit__(self, *exc) -> None:
        self._appender.__exit__(*exc)

    def commit(self, plan: "Plan") -> None:
        from iqtl.ledgerfile.writer import WriteError

        try:
            self._appender.commit(plan)
        except WriteError as exc:
            _fail(str(exc))


# ---------------------------------------------------------------- prompts


@dataclass(frozen=True)
class Ask:
    field: str
    option: str
    label: str
    check: Callable[[Ledger, str], object]  # the value to store, or typer.BadParameter


def _text(_: Ledger, value: str) -> str:
    if not value.strip():
        raise typer.BadParameter("cannot be empty")
    return value


def _date(_: Ledger, value: str) -> str:
    try:
        edtf.parse(value)
    except edtf.EDTFError as exc:
        raise typer.BadParameter(exc.message) from None
    return value


def _sources(ledger: Ledger, value: str) -> list[str]:
    from iqtl import ingest

    ids = ingest.split_list(value)
    if not ids:
        raise typer.BadParameter("give at least one source id")
    for sid in ids:
        _source(ledger, sid)
    return ids


def _source(ledger: Ledger, value: str) -> str:
    sid = value.strip()
    if ledger.get("source", sid) is None:
        known = [s.id for s in ledger.sources]
        raise typer.BadParameter(f"no source has the id {sid!r}" + did_you_mean(sid, known)
                                 + " ('iqtl sources' lists them; 'iqtl add source' adds one)")
    return sid


def _speaker(ledger: Ledger, value: str) -> str:
    from iqtl import ingest

    try:
        return ingest.resolve_actor(ledger, value, "speaker")
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


DATE = Ask("date", "--date", "Date (EDTF: 2007, 2007-08~, 2007-08-29, 1980/1988)", _date)
ASKS = {
    "event": (DATE, Ask("title", "--title", "Title", _text), Ask("summary", "--summary", "Summary", _text),
              Ask("sources", "--source", "Source ids (separate with ';')", _sources)),
    "claim": (Ask("text", "--text", "Text (as printed)", _text),
              Ask("speaker", "--speaker", "Speaker (actor id, name or alias)", _speaker),
              Ask("source", "--source", "Source id", _source)),
    "source": (Ask("title", "--title", "Title", _text), Ask("publisher", "--publisher", "Publisher", _text), DATE),
    "actor": (Ask("name", "--name", "Name", _text),),
}


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def fill_missing(kind: str, values: dict, path: Path) -> None:
    """Ask for missing required fields on a terminal; without one, name them and stop (exit 2)."""
    missing = [ask for ask in ASKS[kind] if not values.get(ask.field)]
    if not missing:
        return
    if not _interactive():
        options = ", ".join(ask.option for ask in missing)
        _fail(f"missing required {options}: give them, or run on a terminal to be asked "
              f"(try 'iqtl add {kind} --help')", EXIT_USAGE)
    # Answers are checked against the ledger as it is now; the write checks again under the lock.
    result = load(path)
    if result.errors:
        refuse_broken(result.errors, path)
    for ask in missing:
        values[ask.field] = typer.prompt(ask.label, value_proc=lambda v, a=ask: a.check(result.ledger, v))


# ---------------------------------------------------------------- add


def _resolve_actors(kind: str, values: dict, ledger: Ledger) -> list[tuple[str, str, str]]:
    """Names to ids in place.  Returns (field, name, message) for each name that names no one
    (or several): the name is left as given, so the rest of the record is still checked."""
    from iqtl import ingest

    unresolved = []
    fields = {"event": ("actors", "--actor"), "claim": ("speaker", "--speaker")}
    if kind not in fields:
        return unresolved
    name, option = fields[kind]
    given = values.get(name)
    resolved = []
    for value in [given] if isinstance(given, str) else given or []:
        try:
            resolved.append(ingest.resolve_actor(ledger, value, option))
        except ValueError as exc:
            unresolved.append((name, value, str(exc)))
            resolved.append(value)
    if given:
        values[name] = resolved[0] if isinstance(given, str) else list(dict.fromkeys(resolved))
    return unresolved


def _echoes(problem: Problem, unresolved: list[tuple[str, str, str]]) -> bool:
    """The check's "refers to unknown actor" for a name already reported, better, as unresolved."""
    return problem.code == "unknown-reference" and any(
        f"{name} refers to unknown actor {value!r}" in problem.message for name, value, _ in unresolved)


def add_record(kind: str, values: dict, record_id: str | None, ledger: Path | None, dry_run: bool) -> None:
    from iqtl import ingest

    path = ledger_to_write(ledger)
    fill_missing(kind, values, path)
    session = Session(path, dry_run)
    with session as app:
        unresolved = _resolve_actors(kind, values, app.ledger)
        record = ingest.make_record(kind, {**values, "id": record_id or ""})
        record = ingest.with_id(kind, record, set(app.ledger.by_id(kind)))
        plan = app.plan([(kind, record)])
        errors = [message for _, _, message in unresolved]
        errors += [f.problem.message for f in plan.errors if not _echoes(f.problem, unresolved)]
        if errors:
            for message in errors:
                typer.echo(one_line(f"iqtl: error: {message}"), err=True)
            _fail(f"the {kind} was not added (nothing written)")
        for finding in plan.warnings:
            typer.echo(one_line(f"iqtl: warning: {finding.problem.message}"), err=True)
        if dry_run:
            typer.echo(plan.block, nl=False)
            return
        session.commit(plan)
    typer.echo(record["id"])


@add_app.command("event")
def add_event(
    date: Annotated[Optional[str], typer.Option("--date", "-d", help="EDTF date: 2007-08~, 2007-08-29, "
                                                "1980/1988.", show_default=False)] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="What happened, in a line.",
                                                 show_default=False)] = None,
    summary: Annotated[Optional[str], typer.Option("--summary", help="What happened, in a sentence or three.",
                                                   show_default=False)] = None,
    source: Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Source id. Repeat for more.",
                                                        show_default=False)] = None,
    actor: Annotated[Optional[list[str]], typer.Option("--actor", "-a", help="Actor id, name or alias (stored "
                                                       "as the id). Repeat for more.", show_default=False)] = None,
    tag: Annotated[Optional[list[str]], typer.Option("--tag", "-t", help="Tag. Repeat for more.",
                                                     show_default=False)] = None,
    place: Annotated[Optional[list[str]], typer.Option("--place", "-p", help="Place. Repeat for more.",
                                                       show_default=False)] = None,
    related: Annotated[Optional[list[str]], typer.Option("--related", help="Related event id. Repeat for more.",
                                                         show_default=False)] = None,
    date_note: Annotated[Optional[str], typer.Option("--date-note", help="How the date was read, in the "
                                                     "source's words.", show_default=False)] = None,
    record_id: IdOpt = None,
    ledger: LedgerOpt = None,
    dry_run: DryRunOpt = False,
):
    """Append an event: required --date, --title, --summary and at least one --source."""
    add_record("event", {"date": date, "title": title, "summary": summary, "sources": source, "actors": actor,
                         "tags": tag, "places": place, "related": related, "date_note": date_note},
               record_id, ledger, dry_run)


@add_app.command("claim")
def add_claim(
    text: Annotated[Optional[str], typer.Option("--text", help="What was said, exactly as printed.",
                                                show_default=False)] = None,
    speaker: Annotated[Optional[str], typer.Option("--speaker", help="Actor id, name or alias (stored as the id).",
                                                   show_default=False)] = None,
    source: Annotated[Optional[str], typer.Option("--source", "-s", help="Source id.", show_default=False)] = None,
    date: Annotated[Optional[str], typer.Option("--date", "-d", help="EDTF date the claim was made, when not its "
                                                "source's.", show_default=False)] = None,
    date_note: Annotated[Optional[str], typer.Option("--date-note", show_default=False)] = None,
    kind: Annotated[Optional[ClaimKind], typer.Option("--kind", help="Default: quote.", show_default=False)] = None,
    about: Annotated[Optional[list[str]], typer.Option("--about", help="Event id. Repeat for more.",
                                                       show_default=False)] = None,
    supports: Annotated[Optional[list[str]], typer.Option("--supports", help="Claim id. Repeat for more.",
                                                          show_default=False)] = None,
    disputes: Annotated[Optional[list[str]], typer.Option("--disputes", help="Claim id. Repeat for more.",
                                                          show_default=False)] = None,
    note: Text = None,
    record_id: IdOpt = None,
    ledger: LedgerOpt = None,
    dry_run: DryRunOpt = False,
):
    """Append a claim: required --text, --speaker and --source."""
    add_record("claim", {"text": text, "speaker": speaker, "source": source, "date": date, "date_note": date_note,
                         "kind": kind.value if kind else None, "about": about, "supports": supports,
                         "disputes": disputes, "note": note}, record_id, ledger, dry_run)


@add_app.command("source")
def add_source(
    title: Text = None,
    publisher: Text = None,
    date: Annotated[Optional[str], typer.Option("--date", "-d", help="EDTF date of publication.",
                                                show_default=False)] = None,
    author: Text = None,
    url: Text = None,
    source_type: Annotated[Optional[str], typer.Option("--type", help="article, report, book…",
                                                       show_default=False)] = None,
    note: Text = None,
    record_id: IdOpt = None,
    ledger: LedgerOpt = None,
    dry_run: DryRunOpt = False,
):
    """Append a source: required --title, --publisher and --date."""
    add_record("source", {"title": title, "publisher": publisher, "date": date, "author": author, "url": url,
                          "type": source_type, "note": note}, record_id, ledger, dry_run)


@add_app.command("actor")
def add_actor(
    name: Text = None,
    alias: Annotated[Optional[list[str]], typer.Option("--alias", help="Another name. Repeat for more.",
                                                       show_default=False)] = None,
    kind: Annotated[Optional[ActorKind], typer.Option("--kind", show_default=False)] = None,
    role: Text = None,
    note: Text = None,
    record_id: IdOpt = None,
    ledger: LedgerOpt = None,
    dry_run: DryRunOpt = False,
):
    """Append an actor: required --name."""
    add_record("actor", {"name": name, "aliases": alias, "kind": kind.value if kind else None, "role": role,
                         "note": note}, record_id, ledger, dry_run)


# ---------------------------------------------------------------- import


def _read_input(file: Path) -> tuple[bytes, str]:
    if str(file) == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    if not file.exists():
        _fail(f"no such file: {file} (try 'iqtl import --help')", EXIT_USAGE)
    try:
        return file.read_bytes(), str(file)
    except OSError as exc:
        _fail(f"cannot read {file}: {exc.strerror}")


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
):
    """Append the new rows of an export: all rows are checked with the ledger first, and one bad row
    means nothing is written.  Rows already in the ledger are skipped."""
    from iqtl import ingest

    data, name = _read_input(file)
    form = fmt.value if fmt else ingest.format_of(name)
    if form is None:
        _fail(f"cannot tell the format of {name} from its name: give --format csv|tsv|json|jsonl", EXIT_USAGE)
    table = ingest.read_table(data, form)
    what = kind.value if kind else ingest.detect_kind(table.columns)
    if what is None and table.errors:  # unreadable before its columns: say why
        _report([(e.line, e.render(name)) for e in table.errors])
        _fail(f"{name}: {len(table.errors)} error(s); nothing imported")
    if not table.rows and not table.errors:
        typer.echo(f"iqtl: {name} has no rows; nothing to import", err=True)
        return
    if what is None:
        _fail(f"cannot tell what {name} holds from its columns ({', '.join(table.columns[:8])}): "
              "give --kind event|claim|source|actor", EXIT_USAGE)
    _import_rows(what, table, name, ledger_to_write(ledger), update=update, dry_run=dry_run,
                 restore=form in ("csv", "tsv") and not raw)


def _import_rows(kind: str, table: "Table", name: str, path: Path, *, update: bool, dry_run: bool,
                 restore: bool) -> None:
    from iqtl import ingest

    header = [(e.line, e.render(name)) for e in ingest.header_errors(kind, table)]
    if header:  # no row can be read right: checking each against the ledger would only repeat it
        _report(header)
        _fail(f"{name}: {len(header)} error(s); nothing imported")
    errors: list[tuple[int, str]] = [(e.line, e.render(name)) for e in table.errors]
    notes: list[tuple[int, str]] = []
    session = Session(path, dry_run)
    with session as app:
        led = app.ledger
        pending: list[tuple[ingest.Row, dict]] = []
        for row in table.rows:
            record, row_errors = ingest.row_record(kind, row, led, restore=restore)
            errors += [(e.line, e.render(name)) for e in row_errors]
            if record is None:
                continue
            existing = led.get(kind, record["id"]) if record["id"] else None
            if existing is None:
                pending.append((row, record))
                continue
            diff = ingest.differences(kind, record, existing, led)
            if diff and update:
                errors.append((row.line, f"{name}:{row.line}: error: {kind} {record['id']!r} is already in the "
                               f"ledger with a different {', '.join(diff)}; iqtl never overwrites: edit the "
                               "ledger by hand"))
            else:
                differs = f" (it differs in {', '.join(diff)}; --update reports that as an error)" if diff else ""
                notes.append((row.line, f"{name}:{row.line}: skipped: {kind} {record['id']!r} is already in the "
                              f"ledger{differs}"))
        taken = set(led.by_id(kind)) | {r["id"] for _, r in pending if r["id"]}
        for i, (row, record) in enumerate(pending):
            if not record["id"]:
                pending[i] = (row, ingest.with_id(kind, record, taken))
                taken.add(pending[i][1]["id"])
        plan = app.plan([(kind, record) for _, record in pending])
        for finding in plan.findings:
            line = pending[finding.record][0].line if finding.record is not None else 0
            problem = finding.problem
            message = f"{name}:{line}: {problem.severity}: {problem.message}" if line else str(problem)
            (errors if finding.problem.severity == "error" else notes).append((line, message))
        _report(notes)
        if errors:
            _report(errors)
            _fail(f"{name}: {len(errors)} error(s); nothing imported (all rows or none)")
        if not pending:
            typer.echo(f"iqtl: nothing to import: every row of {name} is already in the ledger", err=True)
            return
        if dry_run:
            typer.echo(plan.block, nl=False)
            typer.echo(f"iqtl: would import {len(pending)} {kind}(s) (dry run: nothing written)", err=True)
            return
        session.commit(plan)
    for _, record in pending:
        typer.echo(record["id"])
    skipped = f", {len(table.rows) - len(pending)} skipped" if len(table.rows) > len(pending) else ""
    typer.echo(f"iqtl: imported {len(pending)} {kind}(s) into {path}{skipped}", err=True)


def _report(lines: list[tuple[int, str]]) -> None:
    for _, message in sorted(lines, key=lambda x: x[0]):
        typer.echo(one_line(message), err=True)  # ids and cells from the file are data: keep them inert
