"""The cache of a big ledger as a SQLite database: a lookup reads only the records it may show,
instead of rebuilding the whole ledger.

iqtl.ledgerfile.cache writes a ledger of INDEX_FROM records or more, with no errors, here instead
of its marshal entry, and reads a whole ledger back from here the same way; so an index is trusted
on exactly the cache's terms: its head is a cache head (the ledger's path, size, mtime, inode,
device, iqtl's version and code, the SHA-256 of its bytes, its archives' and included files'
stamps), checked the same way before anything else is read, and every stored value carries a
CRC-32 that is checked when it is read (a damaged row is a miss, never a wrong record).

What it holds: each record as one marshal blob (the cache's encoding) in a table per kind, with
the columns a filter narrows on: day bounds (indexed), an event's actors, tags and places
(case-folded, as filters compare them) and sources, a claim's speaker and source, whether it
disputes or is disputed, and the events it is about (a link table).  It only narrows: the
`events()` and `claims()` answers are a superset of what a Query keeps, and iqtl.query runs its
own matchers and sort on them, so the index can make an answer faster, never different.
"""

from __future__ import annotations

import json
import marshal
import os
import sqlite3
import stat
from collections.abc import Iterable, Sequence
from zlib import crc32

from iqtl.core.model import Claim, Event, Ledger, Problem, claim_text, event_text
from iqtl.core.text import fold
from iqtl.ledgerfile import cache

ENV_INDEX_FROM = "IQTL_INDEX_FROM"
INDEX_FROM = 5_000  # records: below this, the whole ledger comes back from a marshal entry in milliseconds
FORMAT = 1

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE sources (n INTEGER PRIMARY KEY, rec BLOB NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE actors (n INTEGER PRIMARY KEY, rec BLOB NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE events (n INTEGER PRIMARY KEY, id TEXT NOT NULL, earliest INTEGER, latest INTEGER, actors TEXT,
    tags TEXT, places TEXT, sources TEXT, tags_shown TEXT, searched TEXT NOT NULL, rec BLOB NOT NULL,
    crc INTEGER NOT NULL);
CREATE TABLE claims (n INTEGER PRIMARY KEY, id TEXT NOT NULL, earliest INTEGER, latest INTEGER,
    speaker TEXT NOT NULL, source TEXT NOT NULL, contested INTEGER NOT NULL, searched TEXT NOT NULL,
    rec BLOB NOT NULL, crc INTEGER NOT NULL);
CREATE TABLE claim_about (value TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE claim_links (value TEXT NOT NULL, n INTEGER NOT NULL)
"""
# Made after the rows are in: one sort per index instead of a b-tree update per row.  An event's
# list field is one column, each value between two US characters, found with instr(): scanning
# 100,000 short strings takes milliseconds, where link tables of a million rows took 1.5 s to write.
_INDEXES = """
CREATE INDEX events_dates ON events (earliest, latest);
CREATE INDEX events_id ON events (id);
CREATE INDEX claims_dates ON claims (earliest, latest);
CREATE INDEX claims_speaker ON claims (speaker);
CREATE INDEX claims_source ON claims (source);
CREATE INDEX claims_id ON claims (id);
CREATE INDEX claim_about_value ON claim_about (value);
CREATE INDEX claim_links_value ON claim_links (value)
"""
US = "\x1f"  # the unit separator between the values of a list column


def threshold() -> int:
    try:
        return max(0, int(os.environ.get(ENV_INDEX_FROM, INDEX_FROM)))
    except ValueError:
        return INDEX_FROM


def wanted(ledger: Ledger, problems: Sequence[Problem]) -> bool:
    """Kept as a database: big enough, and listable (a ledger with errors is never listed)."""
    return (len(ledger.events) + len(ledger.claims) >= threshold()
            and not any(p.severity == "error" for p in problems))


# ---------------------------------------------------------------- writing


def store(entry, head: dict, ledger: Ledger, problems: list) -> None:
    """Write the database to `entry` (through a temporary file renamed into place).  `problems`:
    as the cache encodes them."""
    def fill(tmp, fd: int) -> None:
        os.close(fd)  # SQLite opens the file by its name
        _write(tmp, head, ledger, problems)

    cache.write_private(entry, fill)


def _date(date) -> tuple:
    return (None, None) if date is None else (date.earliest, date.latest)


def _joined(values) -> str:
    return US + US.join(values) + US if values else ""


def _split(text: str | None) -> list[str]:
    return text[1:-1].split(US) if text else []


def _blobs(kind: str, records) -> Iterable[tuple[bytes, int]]:
    encode, dumps = cache.encoder(kind), marshal.dumps
    for rec in records:
        blob = dumps(encode(rec))
        yield blob, crc32(blob)


def _write(path, head: dict, ledger: Ledger, problems: list) -> None:
    events, claims = ledger.events, ledger.claims
    values = {v for ev in events for field in (ev.actors, ev.tags, ev.places, ev.sources) for v in field}
    if any(US in v for v in values):  # a value holding the separator: no index rather than a wrong one
        raise ValueError("a list value holds the unit separator")
    folded = {v: fold(v) for v in values}  # tags and places as the filters compare them
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode = OFF")  # a temporary file, renamed into place whole or removed
        db.execute("PRAGMA synchronous = OFF")
        db.execute("BEGIN")
        for statement in _TABLES.split(";"):
            db.execute(statement)
        for kind, table in (("source", "sources"), ("actor", "actors")):
            db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?)",
                           ((n, *blob) for n, blob in enumerate(_blobs(kind, ledger.table(kind)))))
        db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            (n, ev.id, *_date(ev.date), _joined(ev.actors), _joined([folded[t] for t in ev.tags]),
             _joined([folded[p] for p in ev.places]), _joined(ev.sources), _joined(ev.tags), event_text(ev), *blob)
            for n, (ev, blob) in enumerate(zip(events, _blobs("event", events), strict=True))))
        disputed = {d for cl in claims for d in cl.disputes}
        db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            (n, cl.id, *_date(cl.date), cl.speaker, cl.source, int(bool(cl.disputes) or cl.id in disputed),
             claim_text(cl), *blob)
            for n, (cl, blob) in enumerate(zip(claims, _blobs("claim", claims), strict=True))))
        db.executemany("INSERT INTO claim_about VALUES (?, ?)",
                       ((e, n) for n, cl in enumerate(claims) for e in cl.about))
        db.executemany("INSERT INTO claim_links VALUES (?, ?)",  # the claims each one supports or disputes
                       ((c, n) for n, cl in enumerate(claims) for c in (*cl.supports, *cl.disputes)))
        for statement in _INDEXES.split(";"):
            db.execute(statement)
        names = {"tags": list(dict.fromkeys(t for ev in events for t in ev.tags)),
                 "places": list(dict.fromkeys(p for ev in events for p in ev.places))}
        meta = {"format": FORMAT, "head": head, "problems": problems, "names": names,
                "counts": {"event": len(events), "claim": len(claims)}}
        db.executemany("INSERT INTO meta VALUES (?, ?, ?)",
                       ((key, blob, crc32(blob)) for key, blob in ((k, marshal.dumps(v)) for k, v in meta.items())))
        db.execute("COMMIT")
    finally:
        db.close()


# ---------------------------------------------------------------- reading


class DamagedError(Exception):
    """A stored value whose CRC does not agree: the whole index is then a miss."""


# What makes a read of the database a miss (and the ledger read instead): a damaged row, or SQL this
# SQLite cannot run (one built without JSON functions, say).
MISSES = (DamagedError, sqlite3.Error)


class Index:
    """An open, checked database of a ledger: its sources and actors, and its events and claims
    read by filter.  Has the names a Query needs (iqtl.query.Names)."""

    def __init__(self, path: str, db: sqlite3.Connection, meta: dict):
        self.path, self.db = path, db
        self.head, self.problems, self.counts = meta["head"], meta["problems"], meta["counts"]
        self._names = meta["names"]
        self._dates: dict = {}  # one EDTF object per date text, shared by every read, as the cache makes them
        self.sources = tuple(self._read("source", "SELECT rec, crc FROM sources ORDER BY n", ()))
        self.actors = tuple(self._read("actor", "SELECT rec, crc FROM actors ORDER BY n", ()))

    def close(self) -> None:
        self.db.close()

    # -------------------------------------------------------- what filters name (iqtl.query.Names)

    def tags(self) -> list[str]:
        return self._names["tags"]

    def places(self) -> list[str]:
        return self._names["places"]

    def source_ids(self) -> list[str]:
        return [s.id for s in self.sources]

    def event_ids(self) -> list[str]:
        return self.ids("event")

    def spoken_of(self, speakers: Sequence[str]) -> set[str]:
        """Ids of the events that claims by these actors are about."""
        if not speakers:
            return set()
        among, args = _in(speakers)
        return {e for (e,) in self.db.execute(
            f"SELECT a.value FROM claim_about a JOIN claims c ON c.n = a.n WHERE c.speaker IN ({among})", args)}

    def usage_fields(self) -> tuple[Iterable[tuple], Iterable[tuple]]:
        """What iqtl.reports.rows.Usage counts, read from the columns without rebuilding a record:
        events as (id, sources, actors, tags), claims as (source, speaker, about), in ledger order."""
        about: dict[int, list[str]] = {}
        for value, n in self.db.execute("SELECT value, n FROM claim_about ORDER BY rowid"):
            about.setdefault(n, []).append(value)
        events = ((i, _split(s), _split(a), _split(t))
                  for i, s, a, t in self.db.execute("SELECT id, sources, actors, tags_shown FROM events ORDER BY n"))
        claims = ((s, sp, about.get(n, ())) for s, sp, n in self.db.execute(
            "SELECT source, speaker, n FROM claims ORDER BY n"))
        return events, claims

    # -------------------------------------------------------- records

    def events(self, *, window: tuple[int, int] | None = None, within: bool = False, actors=(), tags=(),
               places=(), sources=(), ids: Iterable[str] | None = None, text=None) -> list[Event]:
        """The events that may match, in ledger order: each condition given narrows, the values of
        one condition OR.  `window` is (first day, last day); `tags` and `places` case-folded;
        `ids` None for any id; `text` a test of an event's searched text (core.model.event_text)."""
        where, args = _window(window, within)
        self._text_test(text, where)
        for column, values in (("actors", actors), ("tags", tags), ("places", places), ("sources", sources)):
            if values:
                where.append(_any_of(column, values))
                args.extend(US + v + US for v in values)
        if ids is not None:
            among, more = _in(ids)
            where.append(f"id IN ({among})")
            args.extend(more)
        return self._select("event", "events", where, args)

    def claims(self, *, window: tuple[int, int] | None = None, within: bool = False, speakers=(), sources=(),
               about=(), actors=(), tags=(), places=(), contested: bool = False, text=None) -> list[Claim]:
        """The claims that may match, as events(); `actors`, `tags` and `places` reach a claim
        through the events it is about, and `actors` through its speaker too."""
        where, args = _window(window, within)
        self._text_test(text, where)
        for column, values in (("speaker", speakers), ("source", sources)):
            if values:
                among, more = _in(values)
                where.append(f"{column} IN ({among})")
                args.extend(more)
        if about:
            among, more = _in(about)
            where.append(f"n IN (SELECT n FROM claim_about WHERE value IN ({among}))")
            args.extend(more)
        for column, values in (("actors", actors), ("tags", tags), ("places", places)):
            if not values:
                continue
            through = (f"n IN (SELECT a.n FROM claim_about a JOIN events e ON e.id = a.value "
                       f"WHERE {_any_of('e.' + column, values)})")
            if column == "actors":
                among, more = _in(values)
                where.append(f"(speaker IN ({among}) OR {through})")
                args.extend(more)
            else:
                where.append(through)
            args.extend(US + v + US for v in values)
        if contested:
            where.append("contested = 1")
        return self._select("claim", "claims", where, args)

    def _text_test(self, test, where: list[str]) -> None:
        if test is not None:  # called by SQLite for the rows the other conditions leave
            self.db.create_function("iqtl_searched", 1, lambda text: bool(test(text)), deterministic=True)
            where.append("iqtl_searched(searched)")

    def events_by_id(self, ids: Iterable[str]) -> list[Event]:
        among, args = _in(dict.fromkeys(ids))
        return self._select("event", "events", [f"id IN ({among})"], args) if args else []

    def claims_by_id(self, ids: Iterable[str]) -> list[Claim]:
        among, args = _in(dict.fromkeys(ids))
        return self._select("claim", "claims", [f"id IN ({among})"], args) if args else []

    def claims_linking(self, ids: Iterable[str]) -> set[str]:
        """The ids of the claims that support or dispute any of these claims."""
        among, args = _in(dict.fromkeys(ids))
        return {i for (i,) in self.db.execute(
            f"SELECT c.id FROM claim_links l JOIN claims c ON c.n = l.n WHERE l.value IN ({among})", args)} \
            if args else set()

    def claims_about(self, ids: Iterable[str]) -> list[Claim]:
        ids = list(dict.fromkeys(ids))
        return self.claims(about=ids) if ids else []

    # -------------------------------------------------------- finding by id (iqtl.reports.lookup)

    def get(self, kind: str, id_: str):
        """The record of this kind with this id, or None."""
        if kind in ("source", "actor"):
            return next((r for r in (self.sources if kind == "source" else self.actors) if r.id == id_), None)
        found = self._select(kind, f"{kind}s", ["id = ?"], [id_])
        return found[0] if found else None

    def positions(self, kind: str, ids: Iterable[str]) -> dict[str, int]:
        """id -> its place in the ledger, for events or claims."""
        among, args = _in(dict.fromkeys(ids))
        return dict(self.db.execute(f"SELECT id, n FROM {kind}s WHERE id IN ({among})", args)) if args else {}

    def ids(self, kind: str) -> list[str]:
        """Every id of a kind, in ledger order."""
        if kind in ("source", "actor"):
            return [r.id for r in (self.sources if kind == "source" else self.actors)]
        return [i for (i,) in self.db.execute(f"SELECT id FROM {kind}s ORDER BY n")]

    def ledger(self, events: Sequence[Event] = (), claims: Sequence[Claim] = ()) -> Ledger:
        """A ledger of every source and actor and the given records: enough for a listing whose
        format reads no more (iqtl.formats.Format.whole_ledger False)."""
        return Ledger(self.path, self.sources, self.actors, tuple(events), tuple(claims))

    def whole(self) -> Ledger:
        """The whole ledger, as the cache's fetch gives it."""
        return Ledger(self.path, self.sources, self.actors, tuple(self._select("event", "events", [], [])),
                      tuple(self._select("claim", "claims", [], [])))

    def _select(self, kind: str, table: str, where: list[str], args: list) -> list:
        sql = f"SELECT rec, crc FROM {table}" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY n"
        return self._read(kind, sql, args)

    def _read(self, kind: str, sql: str, args) -> list:
        loads, rows = marshal.loads, []
        for blob, crc in self.db.execute(sql, args):
            if crc32(blob) != crc:
                raise DamagedError(f"a damaged {kind} row")
            rows.append(loads(blob))
        decoded = cache.Decoded(self.path)
        decoded.dates = self._dates
        decoded.add(kind, rows)
        return decoded.tables[kind]


def _any_of(column: str, values) -> str:
    return "(" + " OR ".join(f"instr({column}, ?) > 0" for _ in values) + ")"


MANY = 200  # values in an IN list from which they go as one JSON array (SQLite takes 32,766 parameters at most)


def _in(values: Iterable[str]) -> tuple[str, list]:
    """An IN list for `values`: the SQL between the parentheses and its parameters."""
    values = list(values)
    if len(values) < MANY:
        return ", ".join("?" * len(values)), values
    return "SELECT value FROM json_each(?)", [json.dumps(values)]


def _window(window, within: bool) -> tuple[list[str], list]:
    # EDTF.overlaps and EDTF.within on the stored bounds; an undated record has NULLs and no match.
    if window is None:
        return [], []
    lo, hi = window
    if within:
        return ["earliest >= ?", "latest <= ?"], [lo, hi]
    return ["earliest <= ?", "latest >= ?"], [hi, lo]


def open_entry(entry, path: str, real: str, st: os.stat_result, ledger_digest) -> Index | None:
    """The database at `entry` for the ledger at `path` (real path `real`, stat `st`) if the cache
    would trust it (cache.head_holds); None otherwise: missing, stale, damaged or foreign."""
    f = cache.open_private(entry)  # ours, private, a regular file: as the cache's own entries
    if f is None:
        return None
    f.close()
    try:
        db = sqlite3.connect(f"file:{entry}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        meta = read_meta(db)
        if meta is None or not cache.head_holds(meta["head"], real, st, ledger_digest):
            return None
        index, db = Index(path, db, meta), None
        return index
    except Exception:  # a damaged, stale or foreign database is only a miss
        return None
    finally:
        if db is not None:
            db.close()


def read_meta(db: sqlite3.Connection) -> dict | None:
    """The meta table's values, if each checks and the format is this one's."""
    meta = {}
    for key, blob, crc in db.execute("SELECT key, value, crc FROM meta"):
        if crc32(blob) != crc:
            return None
        meta[key] = marshal.loads(blob)
    return meta if meta.get("format") == FORMAT else None


def for_ledger(path) -> Index | None:
    """The database of the ledger file at `path`, when the cache is on and would trust it."""
    if not cache.enabled():
        return None
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            if not stat.S_ISREG(st.st_mode):
                return None
            real = os.path.realpath(path)
            index = open_entry(cache.entry_path(real, INDEX_SUFFIX), str(path), real, st, lambda: cache.file_digest(f))
    except OSError:
        return None
    if index is not None:
        cache.touch(cache.entry_path(real, INDEX_SUFFIX))  # used: the last to go when the cache is pruned
    return index


def ledger_of(entry) -> str | None:
    """The real path of the ledger a database is for, from its head (for pruning); None if unreadable."""
    try:
        db = sqlite3.connect(f"file:{entry}?mode=ro", uri=True, isolation_level=None)
        try:
            blob, crc = db.execute("SELECT value, crc FROM meta WHERE key = 'head'").fetchone()
        finally:
            db.close()
        real = marshal.loads(blob)["key"][0] if crc32(blob) == crc else None
        return real if isinstance(real, str) else None
    except Exception:
        return None


INDEX_SUFFIX = ".sqlite"
