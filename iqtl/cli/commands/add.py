"""iqtl add: one event, claim, source or actor from options or prompts, checked with the whole
ledger, then appended (every existing byte stays) or nothing."""

import sys
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.writing import DryRunOpt, IdOpt, LedgerOpt, Session, Text, ToOpt, ledger_to_write, refuse_broken
from iqtl.core import edtf
from iqtl.core.model import Ledger
from iqtl.core.schema import FIELD_BY_NAME
from iqtl.core.text import did_you_mean, one_line

add_app = typer.Typer(
    help="Append one event, claim, source or actor.  It is checked with the whole ledger first; the file "
    "only grows (every existing byte stays).  Prints the new id.",
    no_args_is_help=True,
)


YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="After prompts, write without showing the TOML and "
                                      "asking first.")]

# The choices live in the schema; the CLI only presents them.
ClaimKind = StrEnum("ClaimKind", [(c, c) for c in FIELD_BY_NAME["claim"]["kind"].choices])
ActorKind = StrEnum("ActorKind", [(c, c) for c in FIELD_BY_NAME["actor"]["kind"].choices])


# ---------------------------------------------------------------- prompts


@dataclass(frozen=True)
class Ask:
    field: str
    option: str
    label: str
    check: Callable[[Ledger, str], object]  # the value to store, or typer.BadParameter
    complete: str = ""  # what Tab offers: "source", "event", "actor" (ids and names) or "tag"


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


def _actors(ledger: Ledger, value: str) -> list[str]:
    from iqtl import ingest

    names = ingest.split_list(value)
    if not names:  # `check --strict` warns about an event with no actors
        raise typer.BadParameter("give at least one actor ('iqtl actors' lists them; 'iqtl add actor' adds one)")
    for name in names:
        _speaker(ledger, name)
    return names


def _tags(_: Ledger, value: str) -> list[str]:
    from iqtl import ingest

    return ingest.split_list(value)


def _events(ledger: Ledger, value: str) -> list[str]:
    from iqtl import ingest

    ids = ingest.split_list(value)
    if not ids:  # `check --strict` warns about a claim about no event
        raise typer.BadParameter("give at least one event id ('iqtl list' lists them)")
    for eid in ids:
        if ledger.get("event", eid) is None:
            raise typer.BadParameter(f"no event has the id {eid!r}" + did_you_mean(eid, [e.id for e in ledger.events]))
    return ids


DATE = Ask("date", "--date", "Date (EDTF: 2007, 2007-08~, 2007-08-29, 1980/1988)", _date)
ASKS = {
    "event": (DATE, Ask("title", "--title", "Title", _text), Ask("summary", "--summary", "Summary", _text),
              Ask("sources", "--source", "Source ids (separate with ';')", _sources, "source")),
    "claim": (Ask("text", "--text", "Text (as printed)", _text),
              Ask("speaker", "--speaker", "Speaker (actor id, name or alias)", _speaker, "actor"),
              Ask("source", "--source", "Source id", _source, "source")),
    "source": (Ask("title", "--title", "Title", _text), Ask("publisher", "--publisher", "Publisher", _text), DATE),
    "actor": (Ask("name", "--name", "Name", _text),),
}


# Asked too when add is interactive: what `check --strict` wants besides the required fields.
WANTED = {
    "event": (Ask("actors", "--actor", "Actors (ids or names, separate with ';')", _actors, "actor"),
              Ask("tags", "--tag", "Tags (separate with ';'; Enter for none)", _tags, "tag")),
    "claim": (Ask("about", "--about", "About which events (ids, separate with ';')", _events, "event"),),
}


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def _tab_completion(ledger: Ledger, what: str) -> None:
    """Tab completes the item being typed (after the last ';') from the ledger, any case."""
    try:
        import readline
    except ImportError:  # pragma: no cover - no readline (Windows): prompts still work
        return
    if what == "tag":
        words = sorted({t for e in ledger.events for t in e.tags})
    elif what == "actor":
        words = sorted({n for a in ledger.actors for n in (a.id, a.name, *a.aliases)})
    elif what:
        words = [r.id for r in ledger.table(what)]
    else:
        words = []

    def complete(text: str, state: int):
        head = text.lstrip()
        lead = text[: len(text) - len(head)]
        found = [lead + w for w in words if w.casefold().startswith(head.casefold())]
        return found[state] if state < len(found) else None

    readline.set_completer_delims(";")
    readline.set_completer(complete)
    readline.parse_and_bind("tab: complete")


def fill_missing(kind: str, values: dict, path: Path) -> bool:
    """Ask for missing required fields on a terminal (and then for what `check --strict` wants:
    actors and tags, a claim's events); without one, name them and stop (exit 2).  Returns whether
    anything was asked."""
    missing = [ask for ask in ASKS[kind] if not values.get(ask.field)]
    if not missing:
        return False
    if not _interactive():
        options = ", ".join(ask.option for ask in missing)
        fail(f"missing required {options}: give them, or run on a terminal to be asked "
              f"(try 'iqtl add {kind} --help')", ExitCode.USAGE)
    # Answers are checked against the ledger as it is now; the write checks again under the lock.
    from iqtl.ledgerfile.loader import load

    result = load(path)
    if result.errors:
        refuse_broken(result.errors, path)
    missing += [ask for ask in WANTED.get(kind, ()) if not values.get(ask.field)]
    for ask in missing:
        _tab_completion(result.ledger, ask.complete)
        optional = ask.check is _tags
        values[ask.field] = typer.prompt(ask.label, value_proc=lambda v, a=ask: a.check(result.ledger, v),
                                         default="" if optional else None, show_default=False)
    _tab_completion(result.ledger, "")
    return True


# ---------------------------------------------------------------- add


def _pin_quote(values: dict, ledger: Ledger, path: Path, occurrence: int | None) -> None:
    """A quote whose source has an archive must be in it: refused (with the closest passage) when it
    is not; when it is there more than once, its selector (occurrence `occurrence`, else the first)
    is stored with it, so that `check` knows which."""
    from iqtl.core.model import Claim
    from iqtl.core.quotes import Archive, Outcome
    from iqtl.ledgerfile.archives import base_of, read_one
    from iqtl.verify import locate_claim, selector_fields

    src = ledger.get("source", values.get("source") or "")
    if (values.get("kind") or "quote") != "quote" or src is None or not src.archive or not values.get("text"):
        if occurrence is not None:
            fail("--occurrence is for a quote whose source has an archive", ExitCode.USAGE)
        return
    archive, _stamp = read_one(base_of(path), src.archive)
    if archive.text is None:
        return  # the check reports the archive itself
    arch = Archive(archive.text)
    match = locate_claim(Claim("", values["text"], "", src.id), arch)
    where = f"the archive of {src.id!r} ({archive.path})"
    if match.outcome is Outcome.NOT_FOUND:
        message = f"quote not found in {where}: {match.detail}"
        if match.closest is not None:
            message += (f"; closest passage ({match.closest.similarity:.0%} alike, at "
                        f"{match.closest.span.start}–{match.closest.span.end}): {match.closest.text!r}")
        typer.echo(one_line(f"iqtl: error: {message}"), err=True)
        fail("the claim was not added (nothing written); copy the quote exactly as printed, or add it with "
             "--kind paraphrase if it is not a quotation")
    if match.outcome is not Outcome.AMBIGUOUS:
        if occurrence not in (None, 1):
            fail(f"--occurrence {occurrence}: the quote is in {where} once", ExitCode.USAGE)
        return
    count = len(match.candidates)
    k = occurrence or 1
    if k > count:
        fail(f"--occurrence {k}: the quote is in {where} {count} times", ExitCode.USAGE)
    spans = match.candidates[k - 1]
    values.update(selector_fields(arch, spans))
    typer.echo(one_line(f"iqtl: note: the quote {match.detail.split(';')[0]} in {where}; stored the selector of "
                        f"occurrence {k} (at {spans[0].start}–{spans[-1].end}); --occurrence N picks another"),
               err=True)


def one_line_block(block: str) -> str:
    """The TOML block for the preview, each line made safe for the terminal."""
    return "\n".join(one_line(line) for line in block.rstrip("\n").split("\n"))


def add_record(kind: str, values: dict, record_id: str | None, ledger: Path | None, dry_run: bool,
               yes: bool = False, occurrence: int | None = None, to: Path | None = None) -> None:
    from iqtl import ingest

    path = ledger_to_write(ledger)
    asked = fill_missing(kind, values, path)
    session = Session(path, dry_run, to)
    with session as app:
        unresolved = ingest.resolve_names(kind, values, app.ledger)
        if kind == "claim":
            _pin_quote(values, app.ledger, path, occurrence)
        record = ingest.make_record(kind, {**values, "id": record_id or ""})
        record = ingest.with_id(kind, record, set(app.ledger.by_id(kind)))
        plan = app.plan([(kind, record)])
        errors = [message for _, _, message in unresolved]
        errors += [f.problem.message for f in plan.errors
                   if not ingest.echoes(f.problem.message, f.problem.code, unresolved)]
        if errors:
            for message in errors:
                typer.echo(one_line(f"iqtl: error: {message}"), err=True)
            fail(f"the {kind} was not added (nothing written)")
        for finding in plan.warnings:
            typer.echo(one_line(f"iqtl: warning: {finding.problem.message}"), err=True)
        if dry_run:
            typer.echo(plan.block, nl=False)
            return
        if asked and not yes:  # as hledger add: show what will be written, and where, then ask
            where = plan.target or path  # the file chosen, in a ledger in many files
            typer.echo(f"\nTo append to {where}:\n", err=True)
            typer.echo(one_line_block(plan.block), err=True)
            if not typer.confirm(f"Write this {kind} to {where}?", default=True, err=True):
                fail(f"the {kind} was not added (nothing written)")
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
    to: ToOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
):
    """Append an event: required --date, --title, --summary and at least one --source.  On a terminal,
    what is missing is asked for (with actors and tags), the TOML shown, and the write confirmed."""
    add_record("event", {"date": date, "title": title, "summary": summary, "sources": source, "actors": actor,
                         "tags": tag, "places": place, "related": related, "date_note": date_note},
               record_id, ledger, dry_run, yes, to=to)


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
    occurrence: Annotated[Optional[int], typer.Option(
        "--occurrence", min=1, help="A quote its source's archive prints more than once: which one (1 = the "
        "first, the default); its selector is stored with it.", show_default=False)] = None,
    record_id: IdOpt = None,
    ledger: LedgerOpt = None,
    to: ToOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
):
    """Append a claim: required --text, --speaker and --source.  A quote whose source has an archive
    must be in it, exactly as printed (else --kind paraphrase).  On a terminal, what is missing is
    asked for (with the events it is about), the TOML shown, and the write confirmed."""
    add_record("claim", {"text": text, "speaker": speaker, "source": source, "date": date, "date_note": date_note,
                         "kind": kind.value if kind else None, "about": about, "supports": supports,
                         "disputes": disputes, "note": note}, record_id, ledger, dry_run, yes, occurrence, to)


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
    to: ToOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
):
    """Append a source: required --title, --publisher and --date."""
    add_record("source", {"title": title, "publisher": publisher, "date": date, "author": author, "url": url,
                          "type": source_type, "note": note}, record_id, ledger, dry_run, yes, to=to)


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
    to: ToOpt = None,
    dry_run: DryRunOpt = False,
    yes: YesOpt = False,
):
    """Append an actor: required --name."""
    add_record("actor", {"name": name, "aliases": alias, "kind": kind.value if kind else None, "role": role,
                         "note": note}, record_id, ledger, dry_run, yes, to=to)


