"""Output for people: Rich tables on a terminal, and the tab-separated `plain` lines.

Every piece of ledger text goes through Text() after for_terminal(): never through
Rich markup, so `[bold]` in a title prints as `[bold]` and an ESC prints as `\\x1b`.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from iqtl.core.edtf import EDTF, year_label
from iqtl.core.model import Actor, Claim, Event, Ledger, Source
from iqtl.core.text import for_terminal, one_line


def make_console(color: str = "auto", file: TextIO | None = None) -> Console:
    if color == "always":
        return Console(file=file, force_terminal=True, no_color=False, highlight=False, emoji=False, markup=False)
    if color == "never":
        return Console(file=file, color_system=None, no_color=True, highlight=False, emoji=False, markup=False)
    return Console(file=file, highlight=False, emoji=False, markup=False)


def T(value: str, style: str = "") -> Text:  # noqa: N802 - reads as a constructor
    return Text(for_terminal(value), style=style)


_QUALIFIER_STYLE = {"approximate+uncertain": "bold magenta", "uncertain": "magenta", "approximate": "yellow"}


def date_style(date: EDTF | None) -> str:
    if date is None:
        return "red"
    return _QUALIFIER_STYLE.get(date.qualifier) or ("cyan" if date.is_interval else "green")


def date_text(date: EDTF | None) -> Text:
    if date is None:
        return Text("undated", style="red")
    marks = ("~" if date.approximate else "") + ("?" if date.uncertain else "")
    label = date.display
    return Text(label + (f" {marks}" if marks and "(" not in label else ""), style=date_style(date))


def _names(ledger: Ledger, ids, kind: str = "actor") -> str:
    out = []
    for i in ids:
        rec = ledger.get(kind, i)
        out.append(getattr(rec, "name", None) or getattr(rec, "title", None) or i)
    return ", ".join(out)


# ---------------------------------------------------------------- listings


def events_table(ledger: Ledger, events: list[Event]) -> Table:
    table = Table(show_header=True, header_style="bold", expand=False, show_lines=False, pad_edge=False)
    table.add_column("Date", no_wrap=True, min_width=12)
    table.add_column("Event", ratio=3)
    table.add_column("Actors", ratio=1)
    table.add_column("Sources", ratio=1, style="dim")
    year = None
    for ev in events:
        y = year_label(ev.date)
        if y != year:
            if year is not None:
                table.add_section()
            table.add_row(Text(y, style="bold underline"), "", "", "")
            year = y
        title = T(ev.title, "bold")
        title.append("  ")
        title.append(T(ev.id, "dim"))
        table.add_row(date_text(ev.date), title, T(_names(ledger, ev.actors)), T(", ".join(ev.sources)))
    return table


def claims_table(ledger: Ledger, claims: list[Claim], contested: bool = False) -> Table:
    table = Table(show_header=True, header_style="bold", show_lines=True, pad_edge=False)
    table.add_column("Date", no_wrap=True)
    table.add_column("Speaker", ratio=1)
    table.add_column("Claim", ratio=3)
    table.add_column("Source", style="dim", ratio=1)
    for cl in claims:
        speaker = ledger.get("actor", cl.speaker)
        who = T(speaker.name if speaker else cl.speaker, "bold")
        if speaker and speaker.role:
            who.append("\n")
            who.append(T(speaker.role, "dim"))
        body = T(_quoted(cl), "italic" if cl.kind == "quote" else "")
        body.append("\n")
        body.append(T(cl.id, "dim"))
        if contested:
            for other in [*(ledger.get("claim", d) for d in cl.disputes), *ledger.disputed_by(cl.id)]:
                if other is None:
                    continue
                body.append("\n✗ ", style="red")
                body.append(T(f"{ledger.actor_name(other.speaker)}: {_quoted(other)}", "red"))
                body.append(T(f"  {other.id}", "dim"))
        table.add_row(date_text(cl.date), who, body, T(cl.source))
    return table


def _quoted(cl: Claim) -> str:
    return f"“{cl.text}”" if cl.kind == "quote" else cl.text


def reference_table(title: str, columns: list[str], rows: list[list[str]]) -> Table:
    table = Table(title=title, show_header=True, header_style="bold", pad_edge=False)
    for c in columns:
        table.add_column(c, justify="right" if c in ("events", "claims") else "left")
    for row in rows:
        table.add_row(*(T(str(v)) for v in row))
    return table


# ---------------------------------------------------------------- show: one record in full


def _field(table: Table, label: str, value) -> None:
    if value is None or value == "" or value == ():
        return
    table.add_row(Text(label, style="bold"), value if isinstance(value, Text) else T(str(value)))


def _grid() -> Table:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True)
    grid.add_column()
    return grid


def _source_line(src: Source) -> Text:
    line = T(src.title, "bold")
    bits = [src.publisher, src.date.display if src.date else "", src.url]
    line.append(T("  " + " · ".join(b for b in bits if b)))
    line.append(T(f"  [{src.id}]", "dim"))
    return line


def _claim_line(ledger: Ledger, cl: Claim) -> Text:
    speaker = ledger.get("actor", cl.speaker)
    line = T(speaker.name if speaker else cl.speaker, "bold")
    if speaker and speaker.role:
        line.append(T(f" ({speaker.role})", "dim"))
    line.append(": ")
    line.append(T(_quoted(cl), "italic"))
    line.append(T(f"  — {cl.source}, {cl.date.display if cl.date else 'undated'}  [{cl.id}]", "dim"))
    return line


def _claim_with_links(ledger: Ledger, cl: Claim) -> Text:
    line = _claim_line(ledger, cl)
    for mark, style, ids in (("✓ supports", "green", cl.supports), ("✗ disputes", "red", cl.disputes),
                             ("✗ disputed by", "red", [c.id for c in ledger.disputed_by(cl.id)])):
        for other_id in ids:
            other = ledger.get("claim", other_id)
            who = ledger.actor_name(other.speaker) if other else other_id
            line.append(Text(f"\n    {mark} ", style=style))
            line.append(T(f"{who}: {_quoted(other) if other else ''}  [{other_id}]"))
    return line


# Claims a show page lists in each group; `iqtl claims --about ID` and `show -F json` give them all.
SHOW_CLAIMS = 25


def _capped(lines: list[Text], total: int, command: str) -> Text | None:
    if not total:
        return None
    shown = Text("\n").join(lines)
    if total > len(lines):
        shown.append(T(f"\n… {total - len(lines):,} more ({command})", "dim"))
    return shown


def show_event(ledger: Ledger, ev: Event) -> Group:
    grid = _grid()
    _field(grid, "Event", T(ev.title, "bold"))
    _field(grid, "Id", ev.id)
    date = date_text(ev.date)
    if ev.date:
        date.append(T(f"  ({ev.date.text}; {ev.date.start_iso or '…'} to {ev.date.end_iso or '…'})", "dim"))
    _field(grid, "Date", date)
    _field(grid, "Date note", ev.date_note)
    _field(grid, "Summary", ev.summary)
    actors = Text()
    for i, a in enumerate(ev.actors):
        actor = ledger.get("actor", a)
        if i:
            actors.append("\n")
        actors.append(T(actor.name if actor else a, "bold"))
        if actor and actor.role:
            actors.append(T(f", {actor.role}"))
        actors.append(T(f"  [{a}]", "dim"))
    _field(grid, "Actors", actors if ev.actors else None)
    _field(grid, "Places", ", ".join(ev.places))
    _field(grid, "Tags", ", ".join(ev.tags))
    related = Text("\n").join(
        T(f"{r}: {getattr(ledger.get('event', r), 'title', '?')}") for r in ev.related
    ) if ev.related else None
    _field(grid, "Related", related)
    sources = Text("\n").join(_source_line(s) for s in (ledger.get("source", sid) for sid in ev.sources) if s)
    _field(grid, "Sources", sources if ev.sources else None)
    claims = ledger.claims_about(ev.id)
    # Grouped by the claim's own links: one that disputes (or is disputed) is contested ground,
    # one that only supports others is corroboration, the rest stand alone.
    disputing = [c for c in claims if c.disputes or ledger.disputed_by(c.id)]
    contested = {c.id for c in disputing}
    supporting = [c for c in claims if c.id not in contested and (c.supports or ledger.supported_by(c.id))]
    grouped = contested | {c.id for c in supporting}
    other = [c for c in claims if c.id not in grouped]
    for label, group in (("Supporting", supporting), ("Disputing", disputing), ("Claims", other)):
        if group:
            shown = Text("\n").join(_claim_with_links(ledger, c) for c in group[:SHOW_CLAIMS])
            if len(group) > SHOW_CLAIMS:  # a page is for reading: the rest are a command away
                shown.append(T(f"\n… {len(group) - SHOW_CLAIMS:,} more (iqtl claims --about {ev.id})", "dim"))
            _field(grid, label, shown)
    return Group(grid)


_EVIDENCE_STYLE = {"verified": "green", "normalised-only": "yellow", "ambiguous": "yellow"}


def _evidence(grid: Table, ev) -> None:
    """The quote's place in its archive (iqtl.verify.Evidence) and the sentences around it, the
    quote highlighted; archive text goes through T() like all ledger text."""
    where = f" at {ev.spans[0].start}–{ev.spans[-1].end}" if ev.spans else ""
    line = T(ev.status, "bold " + _EVIDENCE_STYLE.get(ev.status, "red"))
    line.append(T(f" in {ev.path}{where}" + (f" ({ev.shown})" if ev.shown not in ("", "quote") else "")))
    if ev.status not in ("verified",):
        line.append(T(f"\n{ev.detail}", "dim"))
    _field(grid, "Evidence", line)
    c = ev.context
    if c is None:
        return
    text = Text()
    if c.before is not None:
        text.append(T(ev.part(c.before) + " ", "dim"))
    at = c.sentence.start
    for span in ev.spans:
        text.append(T(ev.text[at:span.start]))
        text.append(T(ev.part(span), "bold reverse" if ev.shown != "closest passage" else "bold underline"))
        at = span.end
    text.append(T(ev.text[at:c.sentence.end]))
    if c.after is not None:
        text.append(T(" " + ev.part(c.after), "dim"))
    _field(grid, "In context", text)


def show_claim(ledger: Ledger, cl: Claim, evidence=None) -> Group:
    grid = _grid()
    _field(grid, "Claim", T(_quoted(cl), "italic"))
    _field(grid, "Id", cl.id)
    _field(grid, "Kind", cl.kind)
    speaker = ledger.get("actor", cl.speaker)
    who = T(speaker.name if speaker else cl.speaker, "bold")
    if speaker and speaker.role:
        who.append(T(f", {speaker.role}"))
    _field(grid, "Speaker", who)
    _field(grid, "Date", date_text(cl.date))
    _field(grid, "Date note", cl.date_note)
    src = ledger.get("source", cl.source)
    _field(grid, "Source", _source_line(src) if src else T(cl.source))
    _field(grid, "Note", cl.note)
    about = [ledger.get("event", e) for e in cl.about]
    _field(grid, "About", Text("\n").join(T(f"{e.id}: {e.title}") for e in about if e) if cl.about else None)
    links = (("Supports", [ledger.get("claim", c) for c in cl.supports]),
             ("Disputes", [ledger.get("claim", c) for c in cl.disputes]),
             ("Supported by", ledger.supported_by(cl.id)),
             ("Disputed by", ledger.disputed_by(cl.id)))
    for label, group in links:
        group = [c for c in group if c]
        if group:
            _field(grid, label, Text("\n").join(_claim_line(ledger, c) for c in group))
    if evidence is not None:
        _evidence(grid, evidence)
    return Group(grid)


def show_source(ledger: Ledger, src: Source) -> Group:
    grid = _grid()
    _field(grid, "Source", T(src.title, "bold"))
    _field(grid, "Id", src.id)
    _field(grid, "Publisher", src.publisher)
    _field(grid, "Date", date_text(src.date))
    _field(grid, "Author", src.author)
    _field(grid, "URL", src.url)
    _field(grid, "Type", src.type)
    _field(grid, "Note", src.note)
    events = [e for e in ledger.events if src.id in e.sources]
    _field(grid, "Events", _capped([T(f"{e.id}: {e.title}") for e in events[:SHOW_CLAIMS]], len(events),
                                   f"iqtl list --source {src.id}"))
    claims = ledger.claims_from(src.id)
    _field(grid, "Claims", _capped([_claim_line(ledger, c) for c in claims[:SHOW_CLAIMS]], len(claims),
                                   f"iqtl claims --source {src.id}"))
    return Group(grid)


def show_actor(ledger: Ledger, actor: Actor) -> Group:
    grid = _grid()
    _field(grid, "Actor", T(actor.name, "bold"))
    _field(grid, "Id", actor.id)
    _field(grid, "Aliases", ", ".join(actor.aliases))
    _field(grid, "Kind", actor.kind)
    _field(grid, "Role", actor.role)
    _field(grid, "Note", actor.note)
    events = [e for e in ledger.events if actor.id in e.actors]
    _field(grid, "Events", _capped([T(f"{e.date.display if e.date else ''}  {e.id}: {e.title}")
                                    for e in events[:SHOW_CLAIMS]], len(events), f"iqtl list --actor {actor.id}"))
    claims = ledger.claims_by(actor.id)
    _field(grid, "Claims", _capped([_claim_line(ledger, c) for c in claims[:SHOW_CLAIMS]], len(claims),
                                   f"iqtl claims --speaker {actor.id}"))
    return Group(grid)


# ---------------------------------------------------------------- diff and compare

_CHANGE_STYLE = {"+": "green", "-": "red", "~": "yellow"}


def diff_table(changes, old_label: str, new_label: str) -> Table:
    table = Table(title=for_terminal(f"{old_label} → {new_label}"), show_header=True, header_style="bold",
                  pad_edge=False, show_lines=False)
    table.add_column("", no_wrap=True)
    table.add_column("Record", no_wrap=True)
    table.add_column("Field", no_wrap=True)
    table.add_column("Change", ratio=1)
    for ch in changes:
        style = _CHANGE_STYLE[ch.change]
        record = T(f"{ch.kind} {ch.id}", style)
        if ch.change in "+-":
            table.add_row(Text(ch.change, style=style), record, "", T(ch.detail))
            continue
        body = Text()
        if ch.field == "id":
            body.append(T(f"renamed from {ch.old}"))
        elif ch.detail and ch.field not in ("date",) and len(ch.old) + len(ch.new) > 80:
            body.append(T(ch.detail))
        else:
            body.append(T(ch.old or "∅", "red"))
            body.append(" → ")
            body.append(T(ch.new or "∅", "green"))
            if ch.detail:
                body.append(T(f"\n{ch.detail}", "dim"))
        table.add_row(Text("~", style=style), record, T(ch.field), body)
    return table


def _event_lines(events) -> Text:
    return Text("\n").join(
        Text.assemble(date_text(e.date), "  ", T(e.title), T(f"  {e.id}", "dim")) for e in events
    ) if events else Text("—", style="dim")


def comparison_view(ledger: Ledger, c) -> Group:
    from iqtl.core.edtf import iso_day

    def label(sid: str) -> str:
        src = ledger.get("source", sid)
        return f"{sid} ({src.date.display})" if src and src.date else sid

    head = _grid()
    _field(head, "A", T(label(c.a), "bold"))
    _field(head, "B", T(label(c.b), "bold"))
    if c.period:
        _field(head, "Both cover", f"{iso_day(c.period[0])} to {iso_day(c.period[1])}")
    _field(head, "Shared tags", ", ".join(c.shared_tags))
    _field(head, "Shared actors", _names(ledger, c.shared_actors))
    body = _grid()
    _field(body, "Both report", _event_lines(c.both))
    for ev_id, (from_a, from_b) in c.claims_on_shared.items():
        if from_a or from_b:
            _field(body, f"  on {ev_id}", Text("\n").join(_claim_line(ledger, cl) for cl in from_a + from_b))
    _field(body, f"Only {c.a}", _event_lines(c.only_a))
    _field(body, f"Only {c.b}", _event_lines(c.only_b))
    if c.contradictions:
        lines = Text("\n").join(
            Text.assemble(_claim_line(ledger, x), Text("\n  ✗ disputes ", style="red"), _claim_line(ledger, y))
            for x, y in c.contradictions)
        _field(body, "Contradictions", lines)
    return Group(head, Text(""), body)


def log_table(entries, record_id: str):
    table = Table(title=for_terminal(f"history of {record_id}"), header_style="bold", pad_edge=False)
    for name in ("Commit", "Date", "Author", "Subject", "Change"):
        table.add_column(name, no_wrap=name in ("Commit", "Date"), ratio=2 if name == "Change" else None)
    for e in entries:
        ch = e.change
        if ch.change == "+":
            body = Text(one_line(f"added {ch.kind} {ch.id}"), "green")
        elif ch.change == "-":
            body = Text(one_line(f"removed {ch.kind} {ch.id}"), "red")
        elif ch.field == "id":
            body = Text(one_line(f"renamed {ch.old} → {ch.new}"), "yellow")
        else:
            body = Text.assemble(f"{ch.field}: ", (one_line(ch.old or "∅"), "red"), " → ",
                                 (one_line(ch.new or "∅"), "green"))
            if ch.detail:
                body.append("\n")
                body.append(one_line(ch.detail), "dim")
        c = e.commit
        table.add_row(c.hash[:10], c.date[:10], one_line(c.author), one_line(c.subject), body)
    return table


SHOW = {"event": show_event, "claim": show_claim, "source": show_source, "actor": show_actor}
