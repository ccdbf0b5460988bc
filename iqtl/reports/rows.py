"""Records as flat rows: the columns of the CSV/TSV/JSON exports (and of `iqtl import`).

Column order is a documented interface: new columns go at the end, never in between.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from iqtl.core.edtf import EDTF
from iqtl.core.model import Actor, Claim, Event, Ledger, Source

EVENT_COLUMNS = ("id", "date", "start", "end", "precision", "title", "summary", "actors", "places", "tags",
                 "sources", "date_note", "related")
CLAIM_COLUMNS = ("id", "date", "start", "end", "speaker", "speaker_name", "kind", "text", "source", "about",
                 "supports", "disputes", "date_note", "note", "quote_prefix", "quote_suffix", "quote_start",
                 "quote_end")
SOURCE_COLUMNS = ("id", "date", "start", "end", "title", "publisher", "author", "url", "type", "note",
                  "events", "claims", "archive", "archive_sha256", "retrieved")
ACTOR_COLUMNS = ("id", "name", "aliases", "kind", "role", "note", "events", "claims")
TAG_COLUMNS = ("tag", "events", "claims")

# Columns that are not free text: never touched by formula neutralisation.
STRUCTURED = frozenset({
    "change", "field", "section", "id", "date", "start", "end", "precision", "events", "claims", "kind", "speaker",
    "source", "sources", "about", "supports", "disputes", "related", "actors",
    "archive_sha256", "retrieved", "quote_start", "quote_end",
})
LIST_SEPARATOR = "; "


_NO_DATE = {"date": "", "start": None, "end": None}
_DATE_CELLS: dict[str, dict] = {}  # by EDTF text, which decides everything else: ledgers repeat dates


def _dates(date: EDTF | None) -> dict:
    if date is None:
        return _NO_DATE
    cells = _DATE_CELLS.get(date.text)
    if cells is None:
        cells = _DATE_CELLS[date.text] = {"date": date.text, "start": date.start_iso or None,
                                          "end": date.end_iso or None}
    return cells


def event_row(ev: Event) -> dict:
    date = ev.date
    return {
        "id": ev.id, **_dates(date), "precision": date.precision if date else "",
        "title": ev.title, "summary": ev.summary, "actors": list(ev.actors), "places": list(ev.places),
        "tags": list(ev.tags), "sources": list(ev.sources), "date_note": ev.date_note, "related": list(ev.related),
    }


def cell_text(value) -> str:
    """A row's value as a CSV/TSV cell: None empty, a list joined with LIST_SEPARATOR."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


_DATE_TEXT: dict[str, tuple[str, str, str, str]] = {}


def _date_text(date: EDTF | None) -> tuple[str, str, str, str]:
    """date, start, end and precision as cells (as cell_text makes them of _dates and precision)."""
    if date is None:
        return ("", "", "", "")
    cells = _DATE_TEXT.get(date.text)
    if cells is None:
        cells = _DATE_TEXT[date.text] = (date.text, date.start_iso or "", date.end_iso or "", date.precision)
    return cells


def event_cells(ev: Event) -> list[str]:
    """event_row's values as cell_text makes them, in EVENT_COLUMNS order, without the dict: half
    the time of a CSV export of 100,000 events went on building and reading the dicts."""
    j = LIST_SEPARATOR.join
    date, start, end, precision = _date_text(ev.date)
    return [ev.id, date, start, end, precision, ev.title, ev.summary, j(ev.actors), j(ev.places), j(ev.tags),
            j(ev.sources), ev.date_note, j(ev.related)]


def claim_cells(ledger: Ledger, cl: Claim) -> list[str]:
    """claim_row's values as cell_text makes them, in CLAIM_COLUMNS order (see event_cells)."""
    j = LIST_SEPARATOR.join
    date, start, end, _precision = _date_text(cl.date)
    speaker = ledger.get("actor", cl.speaker)
    return [cl.id, date, start, end, cl.speaker, speaker.name if speaker else "", cl.kind, cl.text, cl.source,
            j(cl.about), j(cl.supports), j(cl.disputes), cl.date_note, cl.note, cl.quote_prefix, cl.quote_suffix,
            "" if cl.quote_start is None else str(cl.quote_start), "" if cl.quote_end is None else str(cl.quote_end)]


def claim_row(ledger: Ledger, cl: Claim) -> dict:
    speaker = ledger.get("actor", cl.speaker)
    return {
        "id": cl.id, **_dates(cl.date), "speaker": cl.speaker, "speaker_name": speaker.name if speaker else "",
        "kind": cl.kind, "text": cl.text, "source": cl.source, "about": list(cl.about),
        "supports": list(cl.supports), "disputes": list(cl.disputes), "date_note": cl.date_note, "note": cl.note,
        "quote_prefix": cl.quote_prefix, "quote_suffix": cl.quote_suffix, "quote_start": cl.quote_start,
        "quote_end": cl.quote_end,
    }


class Usage:
    """How many events and claims mention each source, actor and tag."""

    def __init__(self, ledger: Ledger):
        self.count(((ev.id, ev.sources, ev.actors, ev.tags) for ev in ledger.events),
                   ((cl.source, cl.speaker, cl.about) for cl in ledger.claims))

    @classmethod
    def of(cls, events: Iterable[tuple], claims: Iterable[tuple]) -> Usage:
        """From the fields alone, without the records (as the cache's database gives them):
        events as (id, sources, actors, tags), claims as (source, speaker, about)."""
        usage = cls.__new__(cls)
        usage.count(events, claims)
        return usage

    def count(self, events: Iterable[tuple], claims: Iterable[tuple]) -> None:
        # Each record counts once for each source, actor and tag it names (a set per record), and a
        # claim for the tags of the events it is about.  Counted by Counter over flat lists: per-key
        # Counter.update() calls took 1.5 s at 100,000 events.
        sources, actors, tags, tags_of = [], [], [], {}
        for id_, ev_sources, ev_actors, ev_tags in events:
            tags_of.setdefault(id_, ev_tags)  # the first event of an id, as Ledger.by_id
            sources.extend(set(ev_sources))
            actors.extend(set(ev_actors))
            tags.extend(set(ev_tags))
        self.events = {"source": Counter(sources), "actor": Counter(actors), "tag": Counter(tags)}
        sources, actors, tags = [], [], []
        for source, speaker, about in claims:
            sources.append(source)
            actors.append(speaker)
            if about:
                tags.extend({t for e in about for t in tags_of.get(e, ())})
        self.claims = {"source": Counter(sources), "actor": Counter(actors), "tag": Counter(tags)}

    def tags(self) -> list[str]:
        """Every tag an event has, sorted."""
        return sorted(self.events["tag"])

    def counts(self, kind: str, key: str) -> dict:
        return {"events": self.events[kind][key], "claims": self.claims[kind][key]}


def source_row(src: Source, usage: Usage) -> dict:
    return {
        "id": src.id, **_dates(src.date), "title": src.title, "publisher": src.publisher, "author": src.author,
        "url": src.url, "type": src.type, "note": src.note, **usage.counts("source", src.id),
        "archive": src.archive, "archive_sha256": src.archive_sha256, "retrieved": src.retrieved,
    }


def actor_row(actor: Actor, usage: Usage) -> dict:
    return {
        "id": actor.id, "name": actor.name, "aliases": list(actor.aliases), "kind": actor.kind,
        "role": actor.role, "note": actor.note, **usage.counts("actor", actor.id),
    }


def tag_rows(usage: Usage) -> list[dict]:
    return [{"tag": t, **usage.counts("tag", t)} for t in usage.tags()]


def record_rows(ledger: Ledger, records) -> list[tuple[str, dict]]:
    """(kind, row) for records of any kind, as the listings show them."""
    usage = Usage(ledger) if any(kind in ("source", "actor") for kind, _ in records) else None
    makers = {"event": event_row, "claim": lambda r: claim_row(ledger, r),
              "source": lambda r: source_row(r, usage), "actor": lambda r: actor_row(r, usage)}
    return [(kind, makers[kind](rec)) for kind, rec in records]
