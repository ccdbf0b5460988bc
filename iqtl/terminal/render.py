"""Output for people: Rich tables on a terminal, and the tab-separated `plain` lines.

Every piece of ledger text goes through Text() after for_terminal(): never through
Rich markup, so `[bold]` in a title prints as `[bold]` and an ESC prints as `\\x1b`.
"""

from __future__ import annotations

import re
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


# ---------------------------------------------------------------- compact dates

_QUAL_SUFFIX = re.compile(r" \((?:approx\.|uncertain|approx\., uncertain)\)$")
_TIME = re.compile(r"(\d) \d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d(?::?\d\d)?)?$")


def _short_single(date: EDTF) -> str:
    """One date in a few columns: '~Aug 2007' approximate, 'Oct 2011?' uncertain, '~Feb 2007?' both.
    Each form reads back as a --from/--to value."""
    base = _TIME.sub(r"\1", _QUAL_SUFFIX.sub("", date.display))
    return ("~" if date.approximate else "") + base + ("?" if date.uncertain else "")


def short_date(date: EDTF | None) -> str:
    """A date on one line, at most about 22 columns: '~Aug 2007', '~Nov 2006 – ~Feb 2008',
    '2003–2008', '1–5 Mar 2010'.  The show pages keep the long form with the article's words."""
    if date is None:
        return "undated"
    if not date.is_interval:
        return _short_single(date)
    a, b = date.start, date.end
    left = _short_single(a) if a else (".." if date.open_start else "?")
    right = _short_single(b) if b else (".." if date.open_end else "?")
    if a and b and a.precision == b.precision == "day" and not (a.approximate or a.uncertain):
        da, _, rest_a = left.partition(" ")
        db, _, rest_b = right.lstrip("~").partition(" ")
        if rest_a == rest_b.rstrip("?") and da.isdigit():  # same month: '1–5 Mar 2010'
            return ("~" if b.approximate else "") + f"{da}–{db} {rest_b}"
        year_a, year_b = left.rpartition(" ")[2], right.rpartition(" ")[2]
        if year_a == year_b.rstrip("?") and da.isdigit():  # same year: '28 Feb – 5 Mar 2010'
            return f"{left.rpartition(' ')[0]} – {right}"
    if " " not in left + right:
        return f"{left}–{right}"
    return f"{left} – {right}"


def short_date_text(date: EDTF | None) -> Text:
    return Text(short_date(date), style=date_style(date))


# ---------------------------------------------------------------- listings
#
# The listing views are laid out for the width they get: a date column beside the record when the
# record's column can still hold the longest id whole, else the date above the record.  Ids are
# never cut or wrapped (Rich wraps at spaces only, and the column is never narrower than an id),
# titles and quotes wrap, a speaker's role is cut to one line first.

GAP = 2
MIN_TEXT = 24  # a record column narrower than this reads badly: put the date above instead


def _truncated(text: Text, width: int) -> Text:
    """Cut to `width` cells with …, at a space when there is one, so that no word (an id quoted in a
    role, say) is shown cut as if it were whole."""
    text = text.copy()
    width = max(width, 1)
    if text.cell_len <= width:
        return text
    space = text.plain.rfind(" ", 0, width)
    if space > width // 2:
        text.truncate(space)
        text.rstrip()
        text.append("…")
        return text
    text.truncate(width, overflow="ellipsis")
    return text


class _Listing:
    def __init__(self, ledger: Ledger, records: list, highlight: re.Pattern | None = None, compact: bool = False):
        self.ledger, self.records, self.highlight, self.compact = ledger, records, highlight, compact
        self.dates = {r.id: short_date(r.date) for r in records}
        self.date_w = max((len(d) for d in self.dates.values()), default=0)

    def _mark(self, text: Text) -> Text:
        if self.highlight is not None:
            text.highlight_regex(self.highlight, style="reverse")
        return text

    def id_width(self) -> int:
        return max((len(r.id) for r in self.records), default=0)

    def body(self, rec, width: int) -> Text:  # pragma: no cover - each view has its own
        raise NotImplementedError

    def line(self, rec) -> Text:  # pragma: no cover
        raise NotImplementedError

    def __rich_console__(self, console, options):
        width = options.max_width
        if self.compact:
            yield from self._compact(width)
            return
        body_w = width - self.date_w - GAP
        side = body_w >= max(self.id_width(), MIN_TEXT)
        grid = Table.grid(padding=(0, GAP), pad_edge=False)
        if side:
            grid.add_column(no_wrap=True, width=self.date_w)
        grid.add_column(min_width=min(self.id_width(), width), max_width=body_w if side else width)
        year = None
        for rec in self.records:
            y = year_label(rec.date)
            if y != year:
                if year is not None:
                    grid.add_row(*([""] * (2 if side else 1)))
                heading = Text(y, style="bold underline")
                grid.add_row(heading, "") if side else grid.add_row(heading)
                year = y
            if side:
                grid.add_row(short_date_text(rec.date), self.body(rec, body_w))
            else:
                head = Text.assemble(short_date_text(rec.date))
                grid.add_row(Text("\n").join([head, self.body(rec, width)]))
        yield grid

    def _compact(self, width: int):
        """One line a record (as hledger's register): date, id, then the title or quote cut to fit."""
        id_w = self.id_width()
        for rec in self.records:
            line = Text.assemble(Text(self.dates[rec.id].ljust(self.date_w), style=date_style(rec.date)), "  ",
                                 T(rec.id.ljust(id_w), "cyan"), "  ")
            rest = width - len(line)
            if rest > 1:
                line.append_text(_truncated(self._mark(self.line(rec)), rest))
            line.rstrip()
            yield line


class EventsView(_Listing):
    def body(self, ev: Event, width: int) -> Text:
        out = self._mark(T(ev.title, "bold"))
        out.append("\n")
        out.append_text(self._mark(T(ev.id, "cyan")))
        # who and where from, on the id's line: the actors cut to fit, so a record stays two or three
        # lines tall; the source ids whole (an id is never cut), wrapping when they must
        sources = one_line(", ".join(ev.sources))
        actors = one_line(_names(self.ledger, ev.actors))
        room = width - len(ev.id) - 2 - (len(sources) + 3 if sources else 0)
        if actors and room >= 8:
            out.append_text(_truncated(T("  " + actors, "dim"), room + 2))
            out.append_text(T(" · " + sources if sources else "", "dim"))
        elif sources:
            out.append_text(T("  " + sources, "dim"))
        return out

    def line(self, ev: Event) -> Text:
        return T(ev.title)


class ClaimsView(_Listing):
    def __init__(self, ledger: Ledger, records: list, highlight=None, compact: bool = False, contested: bool = False):
        super().__init__(ledger, records, highlight, compact)
        self.contested = contested

    def id_width(self) -> int:
        ids = [r.id for r in self.records]
        if self.contested:  # the claims each one disputes or is disputed by are named by id too
            ids += [o for r in self.records for o in (*r.disputes, *(c.id for c in self.ledger.disputed_by(r.id)))]
        return max(map(len, ids), default=0)

    def body(self, cl: Claim, width: int) -> Text:
        speaker = self.ledger.get("actor", cl.speaker)
        head = T(speaker.name if speaker else cl.speaker, "bold")
        if speaker and speaker.role:  # the role gives way first: one line, cut to fit
            head.append_text(_truncated(T(f", {one_line(speaker.role)}", "dim"), width - len(head)))
        out = Text("\n").join([head, self._mark(T(_quoted(cl), "italic" if cl.kind == "quote" else ""))])
        out.append("\n")
        out.append_text(self._mark(T(cl.id, "cyan")))
        out.append_text(T(f"  {cl.source}", "dim"))
        if self.contested:
            for verb, others in (("disputes", [self.ledger.get("claim", d) for d in cl.disputes]),
                                 ("disputed by", self.ledger.disputed_by(cl.id))):
                for other in others:
                    if other is None:
                        continue
                    out.append(f"\n✗ {verb} ", style="red")
                    out.append_text(T(f"{self.ledger.actor_name(other.speaker)}: {_quoted(other)}", "red"))
                    out.append_text(T(f"  {other.id}", "dim"))
        return out

    def line(self, cl: Claim) -> Text:
        return T(f"{self.ledger.actor_name(cl.speaker)}: {_quoted(cl)}")


def events_table(ledger: Ledger, events: list[Event], *, highlight: re.Pattern | None = None,
                 compact: bool = False) -> EventsView:
    return EventsView(ledger, events, highlight, compact)


def claims_table(ledger: Ledger, claims: list[Claim], contested: bool = False, *,
                 highlight: re.Pattern | None = None, compact: bool = False) -> ClaimsView:
    return ClaimsView(ledger, claims, highlight, compact, contested)


def _quoted(cl: Claim) -> str:
    return f"“{cl.text}”" if cl.kind == "quote" else cl.text


class ReferenceTable:
    """One line a row, laid out for the width it gets: the id, dates, kinds and counts whole; the
    text columns share what is left and are cut with …."""

    FIXED = ("date", "kind", "events", "claims")

    def __init__(self, title: str, columns: list[str], rows: list[list[str]]):
        self.title, self.columns = title, columns
        self.rows = [[one_line(str(v)) for v in row] for row in rows]

    def __rich_console__(self, console, options):
        widest = [max([len(c), *(len(r[i]) for r in self.rows)]) for i, c in enumerate(self.columns)]
        keep = list(range(len(self.columns)))

        def room_for_text() -> tuple[int, list[int]]:
            texts = [i for i in keep if not (i == 0 or self.columns[i] in self.FIXED)]
            used = sum(widest[i] for i in keep if i not in texts) + GAP * (len(keep) - 1)
            return options.max_width - used, texts

        # narrow: the later text columns go first (a role before a name), then kinds and dates, then
        # the first text column; the id and the counts always stay
        _, texts = room_for_text()
        order = [*reversed(texts[1:]), *(i for i in reversed(keep) if self.columns[i] in ("kind", "date")),
                 *texts[:1]]
        room, texts = room_for_text()
        while order and (room < 10 * len(texts) if texts else room < 0):
            keep.remove(order.pop(0))
            room, texts = room_for_text()
        widths = {i: widest[i] for i in keep}
        # the text columns share the room left, a narrow one keeping only what it needs
        for n, i in enumerate(sorted(texts, key=lambda i: widest[i])):
            widths[i] = min(widest[i], max(room // (len(texts) - n), 4))
            room -= widths[i]
        yield Text(self.title, style="bold underline")

        def line(cells: list[str], style: str = "") -> Text:
            out = Text(style=style)
            for n, i in enumerate(keep):
                value, w = cells[i], widths[i]
                cell = _truncated(T(value), w) if len(value) > w else T(value)
                pad = " " * (w - cell.cell_len)
                if n:
                    out.append(" " * GAP)
                out.append_text(Text(pad) + cell if self.columns[i] in ("events", "claims") else cell + Text(pad))
            out.rstrip()
            return out

        yield line(self.columns, "bold")
        for row in self.rows:
            yield line(row)


def reference_table(title: str, columns: list[str], rows: list[list[str]]) -> ReferenceTable:
    return ReferenceTable(title, columns, rows)


# ---------------------------------------------------------------- show: one record in full


def _field(table: _Page, label: str, value) -> None:
    if value is None or value == "" or value == ():
        return
    table.add_row(Text(label, style="bold"), value if isinstance(value, Text) else T(str(value)))


class _Page:
    """Label-value rows, as Table.grid draws them, laid out for the width they get: labels beside
    values while the value column can hold the longest unbroken word (an id) whole, else each
    label above its value, so that no id on a page is ever cut."""

    def __init__(self):
        self.rows: list[tuple[Text, object]] = []

    def add_row(self, label: Text, value) -> None:
        self.rows.append((label, value))

    def __rich_console__(self, console, options):
        label_w = max((lb.cell_len for lb, _ in self.rows), default=0)
        longest = max((len(w) for _, v in self.rows for w in (v.plain if isinstance(v, Text) else str(v)).split()),
                      default=0)
        side = options.max_width - label_w - 2 >= longest
        grid = Table.grid(padding=(0, 2) if side else 0)
        if side:
            grid.add_column(no_wrap=True)
            grid.add_column()
            for label, value in self.rows:
                grid.add_row(label, value)
        else:
            from rich.padding import Padding

            grid.add_column()
            for label, value in self.rows:
                grid.add_row(label)
                grid.add_row(Padding(value, (0, 0, 0, 2)))
        yield grid


def _grid() -> _Page:
    return _Page()


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
    # every link says which way it runs: "disputes X" and "disputed by X" are different answers
    for mark, style, ids in (("✓ supports", "green", cl.supports),
                             ("✓ supported by", "green", [c.id for c in ledger.supported_by(cl.id)]),
                             ("✗ disputes", "red", cl.disputes),
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


def one_page(pages: list) -> Group:
    """Several show pages as one, a blank line apart: a pager, when there is one, opens once."""
    return Group(*[p for i, page in enumerate(pages) for p in ([Text("")] if i else []) + [page]])


SHOW = {"event": show_event, "claim": show_claim, "source": show_source, "actor": show_actor}
