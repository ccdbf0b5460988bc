"""The cache of a big ledger as a SQLite index over a file of records: a lookup reads only the
records it may show, instead of rebuilding the whole ledger.

iqtl.ledgerfile.cache keeps a ledger of INDEX_FROM records or more, with no errors, this way
instead of as a marshal entry, and reads a whole ledger back from here the same way.  Two files:

* `<key>.records`: a header (MAGIC and the CRC-32 of the index file) and then every record as a
  marshal blob (the cache's encoding), with the text --grep searches in it beside it;
* `<key>.sqlite`: the index.  Its `meta` table holds a cache head (the ledger's path, size, mtime,
  inode, device, iqtl's version and code, the SHA-256 of its bytes, its archives' and included
  files' stamps), checked the same way as a marshal entry's.  A table per kind holds, for each
  record, where its blob is and the blob's CRC-32, with the columns a filter narrows on: day
  bounds (indexed), an event's actors, tags and places (case-folded, as filters compare them) and
  sources, a claim's speaker and source, whether it disputes or is disputed, and link tables of the
  events a claim is about and the claims it supports or disputes.

Nothing is believed that was not checked: the index is summed whole when it is opened (45 MB at
100,000 events, 18 ms) and must be the one the records file names, and each blob read must
agree with its CRC.  A damaged, stale, foreign or mismatched pair is a miss.  The index only
narrows: the `events()` and `claims()` answers are a superset of what a Query keeps, and
iqtl.query runs its own matchers and sort on them, so it can make an answer faster, never
different.
"""

from __future__ import annotations

import json
import marshal
import os
import sqlite3
import stat
from collections.abc import Iterable, Sequence
from itertools import accumulate
from pathlib import Path
from zlib import crc32

from iqtl.core.edtf import timeline_keys
from iqtl.core.model import Claim, Event, Ledger, Problem, claim_text, event_text
from iqtl.core.text import fold
from iqtl.ledgerfile import cache

ENV_INDEX_FROM = "IQTL_INDEX_FROM"
INDEX_FROM = 5_000  # records: below this, the whole ledger comes back from a marshal entry in milliseconds
FORMAT = 3  # 2: records in a file beside the index; 3: timeline keys

# Where a blob is in the records file, and its CRC-32.
RECORD = "at INTEGER NOT NULL, size INTEGER NOT NULL, crc INTEGER NOT NULL"
SEARCHED = "s_at INTEGER NOT NULL, s_size INTEGER NOT NULL, s_crc INTEGER NOT NULL"
# Where the record goes on the timeline: core.edtf.timeline_sort_key.  Ordered by (t0, t1, id), as
# iqtl.query orders a timeline: the ids are ASCII slugs, and SQLite compares text as Python does.
TIMELINE = "t0 INTEGER NOT NULL, t1 INTEGER NOT NULL"
_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE sources (n INTEGER PRIMARY KEY, {RECORD});
CREATE TABLE actors (n INTEGER PRIMARY KEY, {RECORD});
CREATE TABLE events (n INTEGER PRIMARY KEY, id TEXT NOT NULL, earliest INTEGER, latest INTEGER, actors TEXT,
    tags TEXT, places TEXT, sources TEXT, tags_shown TEXT, {TIMELINE}, {RECORD}, {SEARCHED});
CREATE TABLE claims (n INTEGER PRIMARY KEY, id TEXT NOT NULL, earliest INTEGER, latest INTEGER,
    speaker TEXT NOT NULL, source TEXT NOT NULL, contested INTEGER NOT NULL, {TIMELINE}, {RECORD},
    {SEARCHED});
CREATE TABLE claim_about (value TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE claim_links (value TEXT NOT NULL, n INTEGER NOT NULL);
CREATE TABLE pieces (sha BLOB NOT NULL, kind TEXT NOT NULL, first INTEGER NOT NULL, count INTEGER NOT NULL)
""".replace("{RECORD}", RECORD).replace("{SEARCHED}", SEARCHED).replace("{TIMELINE}", TIMELINE)
MAGIC = b"iqtl-records\x00\x00\x00\x02"  # 16 bytes; then the index's CRC-32 (4 bytes, little-endian)
HEAD = len(MAGIC) + 4
# Made after the rows are in: one sort per index instead of a b-tree update per row.  An event's
# list field is one column, each value between two US characters, found with instr(): scanning
# 100,000 short strings takes milliseconds, where link tables of a million rows took 1.5 s to write.
_INDEXES = """
CREATE INDEX events_dates ON events (earliest, latest);
CREATE INDEX events_id ON events (id);
CREATE INDEX events_timeline ON events (t0, t1, id);
CREATE INDEX claims_timeline ON claims (t0, t1, id);
CREATE INDEX claims_dates ON claims (earliest, latest);
CREATE INDEX claims_speaker ON claims (speaker);
CREATE INDEX claims_source ON claims (source);
CREATE INDEX claims_id ON claims (id);
CREATE INDEX claim_about_value ON claim_about (value);
CREATE INDEX claim_links_value ON claim_links (value);
CREATE INDEX pieces_sha ON pieces (sha)
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


def store(entry, head: dict, ledger: Ledger, problems: list, pieces: tuple = ()) -> None:
    """Write the index to `entry` and the records beside it (through temporary files renamed into
    place, the records first).  `problems`: as the cache encodes them; `pieces`: LoadResult.pieces."""
    def fill(made) -> None:
        (records_tmp, records_fd), (index_tmp, index_fd) = made
        os.close(index_fd)  # SQLite opens the file by its name
        with os.fdopen(records_fd, "wb", closefd=False) as f:
            f.write(MAGIC + bytes(4))
            _write(index_tmp, _Blobs(f), head, ledger, problems, pieces)
            with open(index_tmp, "rb") as index_file:
                f.seek(len(MAGIC))
                f.write(file_crc(index_file))  # this records file goes with this index only
        os.close(records_fd)

    cache.write_private_files([records_path(entry), entry], fill)


def file_crc(f) -> bytes:
    """The CRC-32 of an open file's content, as 4 bytes.  Against damage, not against someone who
    can write the cache (its folder and files are yours alone, iqtl.ledgerfile.cache): twice as
    quick as SHA-256, which the index, opened on every lookup, would feel (45 MB at 100,000 events)."""
    f.seek(0)
    crc = 0
    while block := f.read(1 << 20):
        crc = crc32(block, crc)
    return crc.to_bytes(4, "little")


def records_path(entry) -> Path:
    return Path(entry).with_suffix(RECORDS_SUFFIX)


class _Records:
    """The records file as it is read: read(at, size), mostly forwards, as rows come in ledger order.
    Not mapped into memory: a mapped file's pages count in the process's peak memory (at 100,000
    events, 470 MB instead of 320)."""

    def __init__(self, f):
        self.f, self.at = f, None

    def read(self, at: int, size: int) -> bytes:
        if at != self.at:
            self.f.seek(at)  # within the buffer: no system call
        data = self.f.read(size)
        self.at = at + len(data)
        return data

    def close(self) -> None:
        self.f.close()


class _Blobs:
    """The records file as it is written: blobs go in, their places, sizes and CRC-32s come out."""

    def __init__(self, f):
        self.f, self.at = f, HEAD

    def put(self, blobs: list[bytes]) -> tuple[list[int], list[int], list[int]]:
        """Write the blobs one after another: (where each is, its size, its CRC-32), as columns."""
        sizes = list(map(len, blobs))
        places = list(accumulate(sizes, initial=self.at))
        self.f.writelines(blobs)
        self.at = places.pop()
        return places, sizes, list(map(crc32, blobs))

    def put_all(self, kind: str, records) -> tuple[list[int], list[int], list[int]]:
        """The records, encoded as the cache encodes them (a column at a time) and marshalled."""
        return self.put(list(map(marshal.dumps, cache.encode_rows(kind, records))))

    def put_texts(self, texts) -> tuple[list[int], list[int], list[int]]:
        return self.put([t.encode("utf-8", "surrogatepass") for t in texts])


def _timeline(records) -> tuple[list[int], list[int]]:
    keys = timeline_keys(records)
    return [when[0] for when, _ in keys], [when[1] for when, _ in keys]


def _joined(values) -> str:
    return US + US.join(values) + US if values else ""


def _split(text: str | None) -> list[str]:
    return text[1:-1].split(US) if text else []


CHUNK = 5_000  # records encoded and written at a time: C-level maps over a chunk, a bounded peak


def _write(path, blobs: _Blobs, head: dict, ledger: Ledger, problems: list, pieces: tuple = ()) -> None:
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
            records = ledger.table(kind)
            db.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?)",
                           zip(range(len(records)), *blobs.put_all(kind, records), strict=True))
        t0, t1 = _timeline(events)
        for at in range(0, len(events), CHUNK):
            chunk = events[at:at + CHUNK]
            db.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", zip(
                range(at, at + len(chunk)), [ev.id for ev in chunk],
                *_dates(chunk), [_joined(ev.actors) for ev in chunk],
                [_joined([folded[t] for t in ev.tags]) for ev in chunk],
                [_joined([folded[p] for p in ev.places]) for ev in chunk], [_joined(ev.sources) for ev in chunk],
                [_joined(ev.tags) for ev in chunk], t0[at:at + CHUNK], t1[at:at + CHUNK],
                *blobs.put_all("event", chunk),
                *blobs.put_texts(map(event_text, chunk)), strict=True))
        disputed = {d for cl in claims for d in cl.disputes}
        t0, t1 = _timeline(claims)
        for at in range(0, len(claims), CHUNK):
            chunk = claims[at:at + CHUNK]
            db.executemany("INSERT INTO claims VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", zip(
                range(at, at + len(chunk)), [cl.id for cl in chunk], *_dates(chunk),
                [cl.speaker for cl in chunk], [cl.source for cl in chunk],
                [int(bool(cl.disputes) or cl.id in disputed) for cl in chunk], t0[at:at + CHUNK], t1[at:at + CHUNK],
                *blobs.put_all("claim", chunk), *blobs.put_texts(map(claim_text, chunk)), strict=True))
        db.executemany("INSERT INTO claim_about VALUES (?, ?)",
                       ((e, n) for n, cl in enumerate(claims) for e in cl.about))
        db.executemany("INSERT INTO claim_links VALUES (?, ?)",  # the claims each one supports or disputes
                       ((c, n) for n, cl in enumerate(claims) for c in (*cl.supports, *cl.disputes)))
        db.executemany("INSERT INTO pieces VALUES (?, ?, ?, ?)",
                       ((sha, kind, first, count) for sha, made in pieces for kind, (first, count) in made.items()))
        for statement in _INDEXES.split(";"):
            db.execute(statement)
        names = {"tags": list(dict.fromkeys(t for ev in events for t in ev.tags)),
                 "places": list(dict.fromkeys(p for ev in events for p in ev.places))}
        meta = {"format": FORMAT, "head": head, "problems": problems, "names": names,
                "counts": {"event": len(events), "claim": len(claims)}, "records_size": blobs.at}
        db.executemany("INSERT INTO meta VALUES (?, ?)", ((k, marshal.dumps(v)) for k, v in meta.items()))
        db.execute("COMMIT")
    finally:
        db.close()


def _dates(records) -> tuple[list, list]:
    dates = [r.date for r in records]
    return ([None if d is None else d.earliest for d in dates], [None if d is None else d.latest for d in dates])


# ---------------------------------------------------------------- reading


class DamagedError(Exception):
    """A stored value whose CRC does not agree: the whole index is then a miss."""


# What makes a read of the database a miss (and the ledger read instead): a damaged row, SQL this
# SQLite cannot run (one built without JSON functions, say), or a value it cannot take (an id that
# was not valid UTF-8, a number past 64 bits): the parse path then answers, with its own message.
MISSES = (DamagedError, sqlite3.Error, UnicodeEncodeError, OverflowError)


class Index:
    """An open, checked database of a ledger: its sources and actors, and its events and claims
    read by filter.  Has the names a Query needs (iqtl.query.Names)."""

    def __init__(self, path: str, db: sqlite3.Connection, meta: dict, records):
        self.path, self.db, self.records = path, db, records
        self.head, self.problems, self.counts = meta["head"], meta["problems"], meta["counts"]
        self._names = meta["names"]
        self._dates: dict = {}  # one EDTF object per date text, shared by every read, as the cache makes them
        self.sources = tuple(self._read("source", "SELECT at, size, crc FROM sources ORDER BY n", ()))
        self.actors = tuple(self._read("actor", "SELECT at, size, crc FROM actors ORDER BY n", ()))

    def close(self) -> None:
        self.db.close()
        self.records.close()

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
               places=(), sources=(), ids: Iterable[str] | None = None, text=None,
               first: tuple[int, bool] | None = None) -> list[Event]:
        """The events that may match, in ledger order: each condition given narrows, the values of
        one condition OR.  `window` is (first day, last day); `tags` and `places` case-folded;
        `ids` None for any id; `text` a test of an event's searched text (core.model.event_text).
        `first`: (n, reverse): only the first n of the timeline (the last n, reversed), in its order."""
        if first is not None:
            return self._first("event", "events", *first)
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
               about=(), actors=(), tags=(), places=(), contested: bool = False, text=None,
               first: tuple[int, bool] | None = None) -> list[Claim]:
        """The claims that may match, as events(); `actors`, `tags` and `places` reach a claim
        through the events it is about, and `actors` through its speaker too."""
        if first is not None:
            return self._first("claim", "claims", *first)
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
        if test is None:
            return
        read = self.records.read

        def searched(at: int, size: int, crc: int) -> bool:  # called by SQLite for the rows the rest leave
            text = read(at, size)
            if crc32(text) != crc:
                raise DamagedError("damaged searched text")  # SQLite reports it as an error: a miss
            return bool(test(text.decode("utf-8", "surrogatepass")))

        self.db.create_function("iqtl_searched", 3, searched, deterministic=True)
        where.append("iqtl_searched(s_at, s_size, s_crc)")

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

    def _first(self, kind: str, table: str, n: int, reverse: bool) -> list:
        n = min(n, self.counts[kind])  # SQLite's LIMIT takes 64 bits; more than every record is every record
        order = "DESC" if reverse else ""
        return self._read(kind, f"SELECT at, size, crc FROM {table} ORDER BY t0 {order}, t1 {order}, id {order} "
                                "LIMIT ?", [n])

    def _select(self, kind: str, table: str, where: list[str], args: list) -> list:
        sql = f"SELECT at, size, crc FROM {table}" + (f" WHERE {' AND '.join(where)}" if where else "") + " ORDER BY n"
        return self._read(kind, sql, args)

    def _read(self, kind: str, sql: str, args) -> list:
        loads, read, rows = marshal.loads, self.records.read, []
        for at, size, crc in self.db.execute(sql, args):
            blob = read(at, size)
            if crc32(blob) != crc:
                raise DamagedError(f"a damaged {kind} record")
            rows.append(loads(blob))
        decoded = cache.Decoded(self.path)
        decoded.dates = self._dates
        try:
            decoded.add(kind, rows)
        except Exception as exc:  # values that make no record (written by something else): a miss
            raise DamagedError(f"a {kind} row that makes no record: {exc}") from None
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
    """The index at `entry` and its records, for the ledger at `path` (real path `real`, stat
    `st`), if the cache would trust them (cache.head_holds) and they are a pair; else None:
    missing, stale, damaged, foreign or mismatched."""
    index_file, records_file = cache.open_private(entry), cache.open_private(records_path(entry))
    db = records = None
    try:
        if index_file is None or records_file is None:
            return None
        header = records_file.read(HEAD)
        if header[: len(MAGIC)] != MAGIC or header[len(MAGIC):] != file_crc(index_file):
            return None
        # The index summed is the index read: SQLite opens it through the descriptor that was summed.
        summed = f"/proc/self/fd/{index_file.fileno()}" if os.path.isdir("/proc/self/fd") else entry
        db = sqlite3.connect(f"file:{summed}?mode=ro", uri=True, isolation_level=None)
        meta = read_meta(db)
        size = os.fstat(records_file.fileno()).st_size
        if meta is None or meta.get("records_size") != size:
            return None
        if st is None:  # for its pieces: made from any version of the file, by this iqtl
            if not cache.made_here(meta["head"], real):
                return None
        elif not cache.head_holds(meta["head"], real, st, ledger_digest):
            return None
        records = _Records(os.fdopen(os.dup(records_file.fileno()), "rb", buffering=1 << 20))
        index = Index(path, db, meta, records)
        db = records = None
        return index
    except Exception:  # a damaged, stale or foreign database is only a miss
        return None
    finally:
        for f in (db, records, index_file, records_file):
            if f is not None:
                f.close()


def read_meta(db: sqlite3.Connection) -> dict | None:
    """The meta table's values, if the format is this one's."""
    meta = {key: marshal.loads(blob) for key, blob in db.execute("SELECT key, value FROM meta")}
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
            entry = cache.entry_path(real, INDEX_SUFFIX)
            index = open_entry(entry, str(path), real, st, lambda: cache.file_digest(f))
    except OSError:
        return None
    if index is not None:
        cache.touch(entry)  # used: the last to go when the cache is pruned
    return index


class Previous:
    """The database of an earlier version of a ledger, for its pieces' records (see
    loader._load_in_pieces).  Trusted as any database is (ours, private, the pair matching, each
    record's CRC) and only if made by this same iqtl (version, cache format and code): then the
    same bytes make the same records, whatever else has changed in the file."""

    def __init__(self, index: Index):
        self.index = index

    def records(self, sha: bytes) -> dict[str, list] | None:
        """The records the piece whose bytes have this SHA-256 made, by kind; None if unknown (or
        unreadable: the piece is then parsed, as any other)."""
        try:
            made = self.index.db.execute("SELECT kind, first, count FROM pieces WHERE sha = ?", (sha,)).fetchall()
            if not made:
                return None
            return {kind: self.index._read(kind, f"SELECT at, size, crc FROM {kind}s WHERE n >= ? AND n < ? "
                                                 "ORDER BY n", [first, first + count])
                    for kind, first, count in made}
        except MISSES:
            return None

    def close(self) -> None:
        self.index.close()


def previous(path: str) -> Previous | None:
    """The database the cache kept for this ledger's path, whatever version of the file it was
    made from, if this iqtl made it; else None."""
    if not cache.enabled():
        return None
    try:
        real = os.path.realpath(path)
        found = open_entry(cache.entry_path(real, INDEX_SUFFIX), path, real, None, None)
    except OSError:
        return None
    return Previous(found) if found is not None else None


def ledger_of(entry) -> str | None:
    """The real path of the ledger a database is for, from its head (for pruning); None if unreadable."""
    try:
        db = sqlite3.connect(f"file:{entry}?mode=ro", uri=True, isolation_level=None)
        try:
            (blob,) = db.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
        finally:
            db.close()
        real = marshal.loads(blob)["key"][0]
        return real if isinstance(real, str) else None
    except Exception:
        return None


INDEX_SUFFIX, RECORDS_SUFFIX = ".sqlite", ".records"
