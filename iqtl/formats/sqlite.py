"""`iqtl export sqlite -o FILE`: the selected ledger as a SQLite database, for sqlite3, Datasette,
sqlite-utils and DuckDB.

One table per kind with the CSV's columns but the derived ones (a claim's speaker_name, the counts
of a source's or an actor's events and claims: a join or a GROUP BY away); each date as its EDTF
text, its ISO day bounds and the same bounds as integers (days since 1970-01-01, NULL for an open
or unknown end); a link table per list field; indexes on what the filters use; FTS5 tables over
the text (when this Python's SQLite has FTS5); a `meta` table.  README, "Pictures and exports",
documents the schema.

The selection: the events the filters chose; the claims about them; the sources and actors those
events and claims refer to (the whole ledger when nothing is filtered, claims about no event
included).  So a foreign key is declared only where its target is always in the file: an event's
related events and a claim's supported or disputed claims may lie outside a filtered export.

Rows are streamed: `executemany` takes generators, so nothing is built beyond the records the
ledger already holds, and all of it is one transaction (journal off, no syncs: the file is a
temporary one that the caller renames into place, or deletes, when this returns or fails).
"""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from iqtl.core import edtf
from iqtl.core.model import Actor, Claim, Event, Source

SCHEMA_VERSION = 1  # PRAGMA user_version and meta.schema_version; raised when a table or column changes

_DATE = ("date TEXT, start_day TEXT, end_day TEXT, earliest INTEGER, latest INTEGER, precision TEXT, "
         "qualifier TEXT")

TABLES = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE sources (id TEXT PRIMARY KEY, {_DATE}, title TEXT NOT NULL, publisher TEXT, author TEXT,
    url TEXT, type TEXT, note TEXT, archive TEXT, archive_sha256 TEXT, retrieved TEXT);
CREATE TABLE actors (id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT, role TEXT, note TEXT);
CREATE TABLE events (id TEXT PRIMARY KEY, {_DATE}, title TEXT NOT NULL, summary TEXT, date_note TEXT);
CREATE TABLE claims (id TEXT PRIMARY KEY, {_DATE}, own_date INTEGER NOT NULL,
    speaker TEXT NOT NULL REFERENCES actors(id), source TEXT NOT NULL REFERENCES sources(id), kind TEXT,
    text TEXT NOT NULL, date_note TEXT, note TEXT, quote_prefix TEXT, quote_suffix TEXT, quote_start INTEGER,
    quote_end INTEGER);
"""

# (table, owner table, owner column, value column, its declaration, the record field)
LINKS = (
    ("event_actors", "events", "event_id", "actor_id", "TEXT NOT NULL REFERENCES actors(id)", "actors"),
    ("event_tags", "events", "event_id", "tag", "TEXT NOT NULL COLLATE NOCASE", "tags"),
    ("event_places", "events", "event_id", "place", "TEXT NOT NULL COLLATE NOCASE", "places"),
    ("event_sources", "events", "event_id", "source_id", "TEXT NOT NULL REFERENCES sources(id)", "sources"),
    ("event_related", "events", "event_id", "related_id", "TEXT NOT NULL", "related"),
    ("claim_about", "claims", "claim_id", "event_id", "TEXT NOT NULL", "about"),
    ("claim_supports", "claims", "claim_id", "target_id", "TEXT NOT NULL", "supports"),
    ("claim_disputes", "claims", "claim_id", "target_id", "TEXT NOT NULL", "disputes"),
    ("actor_aliases", "actors", "actor_id", "alias", "TEXT NOT NULL COLLATE NOCASE", "aliases"),
)

# Made after the rows are in: one sort per index, not a b-tree update per row.
INDEXES = """
CREATE INDEX events_dates ON events (earliest, latest);
CREATE INDEX claims_dates ON claims (earliest, latest);
CREATE INDEX claims_speaker ON claims (speaker);
CREATE INDEX claims_source ON claims (source);
CREATE INDEX actors_name ON actors (name COLLATE NOCASE);
"""

# External-content FTS5 tables named as sqlite-utils names them, so Datasette offers a search box.
FTS = {"events": ("title", "summary", "date_note"), "claims": ("text", "note", "date_note"),
       "sources": ("title", "note")}


def has_fts5() -> bool:
    try:
        with sqlite3.connect(":memory:") as probe:
            probe.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        return True
    except sqlite3.Error:
        return False


def _dates(date: edtf.EDTF | None) -> tuple:
    if date is None:
        return (None,) * 7
    lo = None if date.earliest == edtf.NEG_INF else date.earliest
    hi = None if date.latest == edtf.POS_INF else date.latest
    return (date.text, date.start_iso or None, date.end_iso or None, lo, hi, date.precision, date.qualifier)


def _u(text: str) -> str | bytes:
    """Text to bind: non-ASCII text as its UTF-8 bytes, which the INSERT casts back to TEXT (the same
    characters, NULs and all).  Binding a str makes CPython keep a UTF-8 copy on the string for as
    long as it lives, and the ledger's strings live on: 38 MB more for 100,000 events' summaries."""
    return text if text.isascii() else text.encode()


def _o(text: str) -> str | bytes | None:
    return (text if text.isascii() else text.encode()) if text else None


def _source_rows(sources: Iterable[Source]) -> Iterator[tuple]:
    for s in sources:
        yield (s.id, *_dates(s.date), _u(s.title), _o(s.publisher), _o(s.author), _o(s.url), _o(s.type),
               _o(s.note), _o(s.archive), s.archive_sha256 or None, s.retrieved or None)


def _actor_rows(actors: Iterable[Actor]) -> Iterator[tuple]:
    for a in actors:
        yield (a.id, _u(a.name), _o(a.kind), _o(a.role), _o(a.note))


def _event_rows(events: Iterable[Event]) -> Iterator[tuple]:
    for e in events:
        yield (e.id, *_dates(e.date), _u(e.title), _o(e.summary), _o(e.date_note))


def _claim_rows(claims: Iterable[Claim]) -> Iterator[tuple]:
    for c in claims:
        yield (c.id, *_dates(c.date), int(c.own_date), c.speaker, c.source, _o(c.kind), _u(c.text),
               _o(c.date_note), _o(c.note), _o(c.quote_prefix), _o(c.quote_suffix), c.quote_start, c.quote_end)


def _link_rows(records: Iterable, field: str) -> Iterator[tuple]:
    for rec in records:
        for position, value in enumerate(getattr(rec, field), 1):
            yield (rec.id, position, _u(value))


def _insert(db: sqlite3.Connection, table: str, rows: Iterable[tuple]) -> None:
    # TEXT columns take CAST(? AS TEXT): a no-op for str, UTF-8 bytes back to text (see _u).
    marks = ["CAST(? AS TEXT)" if kind.upper() == "TEXT" else "?"
             for _cid, _name, kind, *_rest in db.execute(f"PRAGMA table_info({table})")]
    db.executemany(f"INSERT INTO {table} VALUES ({', '.join(marks)})", rows)


def selection(listing) -> tuple[list, list, list, list]:
    """(sources, actors, events, claims) of the export, each in ledger order (events as selected)."""
    ledger, events = listing.ledger, listing.records
    if listing.whole:
        return list(ledger.sources), list(ledger.actors), list(events), list(ledger.claims)
    claims = list({cl.id: cl for ev in events for cl in ledger.claims_about(ev.id)}.values())
    cited = {s for ev in events for s in ev.sources} | {cl.source for cl in claims}
    named = {a for ev in events for a in ev.actors} | {cl.speaker for cl in claims}
    return ([s for s in ledger.sources if s.id in cited], [a for a in ledger.actors if a.id in named],
            list(events), claims)


def _exported_at() -> str:
    # SOURCE_DATE_EPOCH (reproducible-builds.org) pins the time, so that two exports can be compared.
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def write(listing, path: Path, options) -> list[str]:
    """Write the database to `path` (a new file: the caller gives a temporary name and renames it).
    Raises OSError on trouble writing; returns notes for the user."""
    if listing.ledger is None:
        raise ValueError("the sqlite format needs the ledger the records come from")
    try:
        return _write(listing, path)
    except sqlite3.OperationalError as exc:  # the disk, not the code: a full disk, an unwritable directory
        text = str(exc)
        raise OSError(errno.ENOSPC if "full" in text else errno.EIO, text) from None


def _write(listing, path: Path) -> list[str]:
    from iqtl import __version__

    notes = []
    fts = has_fts5()
    if not fts:
        notes.append("this Python's SQLite has no FTS5: the database has no full-text tables (*_fts)")
    sources, actors, events, claims = selection(listing)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # a temporary file, renamed whole or deleted
        db.execute("PRAGMA synchronous = OFF")  # the caller fsyncs the finished file
        db.execute("BEGIN")
        for statement in TABLES.split(";"):  # not executescript: it would commit first
            if statement.strip():
                db.execute(statement)
        for table, owner, key, value, decl, _field in LINKS:
            db.execute(f"CREATE TABLE {table} ({key} TEXT NOT NULL REFERENCES {owner}(id), "
                       f"position INTEGER NOT NULL, {value} {decl}, PRIMARY KEY ({key}, position))")
        _insert(db, "sources", _source_rows(sources))
        _insert(db, "actors", _actor_rows(actors))
        _insert(db, "events", _event_rows(events))
        _insert(db, "claims", _claim_rows(claims))
        records = {"events": events, "claims": claims, "actors": actors}
        for table, owner, _key, _value, _decl, field in LINKS:
            _insert(db, table, _link_rows(records[owner], field))
        for statement in INDEXES.split(";"):
            if statement.strip():
                db.execute(statement)
        for table, _owner, _key, value, _decl, _field in LINKS:
            db.execute(f"CREATE INDEX {table}_{value} ON {table} ({value})")
        if fts:
            for table, columns in FTS.items():
                db.execute(f"CREATE VIRTUAL TABLE {table}_fts USING fts5({', '.join(columns)}, "
                           f"content=[{table}], content_rowid=rowid, tokenize='unicode61 remove_diacritics 2')")
                db.execute(f"INSERT INTO {table}_fts ({table}_fts) VALUES ('rebuild')")
        meta = {
            "format": "iqtl-sqlite", "schema_version": str(SCHEMA_VERSION), "iqtl_version": __version__,
            "ledger": str(listing.ledger.path), "ledger_schema": str(listing.ledger.schema),
            "exported_at": _exported_at(), "selection": "whole" if listing.whole else "filtered",
            "fts": "fts5" if fts else "none",
        }
        db.executemany("INSERT INTO meta VALUES (?, ?)", meta.items())
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    finally:
        db.close()
    return notes
