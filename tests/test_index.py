"""The cache's database form of a big ledger (iqtl.ledgerfile.index): listings read through it give
exactly what the in-memory Query gives, and a database that is stale, damaged or foreign is a miss."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iqtl.formats import write
from iqtl.ledgerfile import cache, index
from iqtl.ledgerfile.loader import load, load_bytes
from iqtl.query import (
    Filters,
    QueryError,
    build_query,
    select_claims,
    select_claims_indexed,
    select_events,
    select_events_indexed,
)
from iqtl.reports import listing

from . import strategies
from .conftest import SEED, run

ROW_FORMATS = ("plain", "csv", "tsv", "json", "jsonl")


def _database(ledger, tmp: Path) -> index.Index:
    """`ledger` written as the cache writes it, opened without the head's checks (there is no file)."""
    where = tmp / f"db-{os.urandom(4).hex()}.sqlite"
    with open(index.records_path(where), "wb") as f:
        f.write(index.MAGIC + bytes(4))
        index._write(where, index._Blobs(f), {"key": ()}, ledger, [])
    db = sqlite3.connect(where, isolation_level=None)
    records = index._Records(open(index.records_path(where), "rb"))  # noqa: SIM115 (closed with the index)
    return index.Index(ledger.path, db, index.read_meta(db), records)


def _written(fmt: str, listed) -> str:
    out = io.StringIO(newline="")
    write(fmt, listed, out)
    return out.getvalue()


@st.composite
def _filters(draw, doc: dict) -> Filters:
    events, actors, sources = doc["event"], doc["actor"], doc["source"]
    tags = sorted({t for e in events for t in e["tags"]})
    places = sorted({p for e in events for p in e["places"]})
    names = [n for a in actors for n in (a["id"], a["name"], *a["aliases"])]
    years = st.integers(1975, 2020).map(str)

    def some(values, spell=lambda v: v):
        return st.lists(st.sampled_from(values).map(spell), max_size=2) if values else st.just([])

    cased = st.sampled_from([str, str.upper, str.lower])
    return Filters(
        date_from=draw(st.none() | years), date_to=draw(st.none() | years), within=draw(st.booleans()),
        actors=tuple(draw(some(names))), tags=tuple(draw(some(tags, draw(cased)))),
        places=tuple(draw(some(places, draw(cased)))), sources=tuple(draw(some([s["id"] for s in sources]))),
        speakers=tuple(draw(some(names))), about=tuple(draw(some([e["id"] for e in events]))),
        grep=tuple(draw(st.lists(st.sampled_from(["a", "e", "the", "^[A-Z]", "x$"]), max_size=1))),
        limit=draw(st.none() | st.integers(0, 3)), reverse=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_database_answers_as_the_query_does(data, tmp_path):
    """Property: on generated ledgers and every filter, the records read through the database are the
    ones select_events / select_claims choose on the whole ledger, in the same order, and every
    format that reads no more than them writes the same bytes."""
    doc = data.draw(strategies.ledgers(max_records=6))
    result = load_bytes(strategies.toml(doc), "generated.toml")
    if result.errors:
        return
    ledger = result.ledger
    f = data.draw(_filters(doc))
    try:
        q = build_query(ledger, f)
    except QueryError as exc:
        with pytest.raises(QueryError) as raised:
            build_query(_database(ledger, tmp_path), f)
        assert (raised.value.field, str(raised.value)) == (exc.field, str(exc))  # the same hint, too
        return
    db = _database(ledger, tmp_path)
    try:
        q2 = build_query(db, f)
        assert q2 == q
        expected = select_events(ledger, q)
        partial, events = select_events_indexed(db, q2)
        assert [e.id for e in events] == [e.id for e in expected] and events == expected
        contested = data.draw(st.booleans())
        expected_claims = select_claims(ledger, q, contested=contested)
        partial_claims, claims = select_claims_indexed(db, q2, contested=contested)
        assert claims == expected_claims
        fmt = data.draw(st.sampled_from(ROW_FORMATS))
        assert _written(fmt, listing.events(partial, events, whole=q.selects_all)) == \
            _written(fmt, listing.events(ledger, expected, whole=q.selects_all))
        assert _written(fmt, listing.claims(partial_claims, claims)) == \
            _written(fmt, listing.claims(ledger, expected_claims))
    finally:
        db.close()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(doc=strategies.ledgers(max_records=8), limit=st.integers(0, 9), reverse=st.booleans())
def test_the_first_of_the_timeline_are_read_alone_and_are_the_querys(doc, limit, reverse, tmp_path):
    """--limit with no filter is answered by the database's timeline order (only those records are
    read): the same records, in the same order, as the Query's sort."""
    ledger = load_bytes(strategies.toml(doc), "generated.toml").ledger
    f = Filters(limit=limit, reverse=reverse)
    db = _database(ledger, tmp_path)
    try:
        assert select_events_indexed(db, build_query(db, f))[1] == select_events(ledger, build_query(ledger, f))
        assert select_claims_indexed(db, build_query(db, f))[1] == select_claims(ledger, build_query(ledger, f))
    finally:
        db.close()


def test_the_whole_ledger_comes_back_from_the_database(tmp_path):
    ledger = load(SEED, use_cache=False).ledger
    db = _database(ledger, tmp_path)
    try:
        whole = db.whole()
    finally:
        db.close()
    for kind in ("source", "actor", "event", "claim"):
        assert whole.table(kind) == ledger.table(kind)


# ---------------------------------------------------------------- through the CLI


@pytest.fixture
def seed(tmp_path, home, monkeypatch) -> Path:
    """A copy of the seed ledger (and its archives) that the cache keeps as a database."""
    shutil.copytree(SEED.parent, tmp_path / "data")
    monkeypatch.setenv(index.ENV_INDEX_FROM, "0")
    return tmp_path / "data" / SEED.name


LOOKUPS = [
    ("list",), ("list", "--from", "2007", "--to", "2008"), ("list", "--from", "2006", "--within", "--to", "2007"),
    ("list", "--tag", "SURGE", "--actor", "Petraeus"), ("list", "--speaker", "Kahl"), ("list", "--grep", "ceasefire"),
    ("list", "--limit", "3", "--reverse"), ("claims",), ("claims", "--contested"), ("claims", "--tag", "surge"),
    ("claims", "--actor", "Maliki", "--from", "2007"), ("claims", "--about", "{event}", "--grep", "Iran"),
    ("list", "--about", "{event}"), ("claims", "--source", "{source}", "--speaker", "Bush"),
    ("list", "--limit", "5"), ("list", "--limit", "0"), ("claims", "--limit", "4", "--reverse"),
    ("list", "--limit", str(2**63)), ("claims", "--limit", str(2**70), "--reverse"),
    ("list", "--tag", "surg"), ("list", "--place", "bagdad"),
    ("actors",), ("actors", "--grep", "sadr"), ("sources",), ("tags",), ("tags", "--grep", "iran|surge"),
]


def test_listings_from_the_database_are_the_ledgers_own(seed, home, monkeypatch):
    ledger = load(seed, use_cache=False).ledger
    busiest = max(ledger.events, key=lambda ev: len(ledger.claims_about(ev.id)))
    names = {"{event}": busiest.id, "{source}": ledger.sources[0].id}
    assert run("check", "--ledger", seed).exit_code == 0
    assert list(home.glob("*.sqlite")) and not list(home.glob("*.marshal"))
    for args in ([names.get(a, a) for a in lookup] for lookup in LOOKUPS):
        for fmt in (*ROW_FORMATS, "table"):
            through = run(*args, "--ledger", seed, "-F", fmt, *(("--width", "100") if fmt == "table" else ()))
            monkeypatch.setenv("IQTL_NO_CACHE", "1")
            direct = run(*args, "--ledger", seed, "-F", fmt, *(("--width", "100") if fmt == "table" else ()))
            monkeypatch.delenv("IQTL_NO_CACHE")
            assert (through.exit_code, through.stdout, through.stderr) == \
                (direct.exit_code, direct.stdout, direct.stderr), (args, fmt)


def test_a_listing_reads_only_what_may_match(seed, home, monkeypatch):
    """The point of the database: a narrow listing rebuilds a few records, not the ledger."""
    run("check", "--ledger", seed)
    read = []
    original = index.Index._read

    def counting(self, kind, sql, args):
        records = original(self, kind, sql, args)
        read.append((kind, len(records)))
        return records

    monkeypatch.setattr(index.Index, "_read", counting)
    result = run("list", "--ledger", seed, "--from", "2007-08", "--to", "2007-08", "-F", "jsonl")
    assert result.exit_code == 0
    shown = result.stdout.count("\n")
    everything = len(load(seed, use_cache=False).ledger.events)
    # A window is matched in SQL on the day bounds: exactly the events shown are rebuilt.
    assert 0 < shown == sum(n for kind, n in read if kind == "event") < everything
    assert not [kind for kind, _ in read if kind == "claim"]


def test_an_unknown_name_is_refused_the_same_way(seed):
    run("check", "--ledger", seed)
    result = run("list", "--ledger", seed, "--tag", "no-such-tag", "-F", "csv")
    assert result.exit_code == 2 and "no event has that tag" in result.stderr


def test_an_edited_ledger_is_not_answered_from_the_old_database(seed):
    run("check", "--ledger", seed)
    before = run("list", "--ledger", seed, "-F", "csv").stdout
    text = seed.read_text(encoding="utf-8")
    seed.write_text(text.replace('summary = "', 'summary = "EDITED ', 1), encoding="utf-8")
    after = run("list", "--ledger", seed, "-F", "csv").stdout
    assert after != before and "EDITED " in after


def test_a_damaged_row_is_a_miss_not_a_wrong_record(seed, home, monkeypatch):
    run("check", "--ledger", seed)
    monkeypatch.setenv("IQTL_NO_CACHE", "1")
    expected = run("list", "--ledger", seed, "-F", "jsonl").stdout
    monkeypatch.delenv("IQTL_NO_CACHE")
    [database] = home.glob("*.sqlite")
    db = sqlite3.connect(database)
    (at, size) = db.execute("SELECT at, size FROM events WHERE n = 3").fetchone()
    db.close()
    records = bytearray(index.records_path(database).read_bytes())
    records[at + size // 2] ^= 0x01  # one bit of the record: its CRC no longer agrees
    index.records_path(database).write_bytes(bytes(records))
    assert run("list", "--ledger", seed, "-F", "jsonl").stdout == expected
    assert run("list", "--ledger", seed, "--from", "1900", "-F", "jsonl").stdout == expected


def test_a_foreign_or_broken_database_is_a_miss(seed, home):
    run("check", "--ledger", seed)
    expected = run("list", "--ledger", seed, "-F", "csv").stdout
    [database] = home.glob("*.sqlite")
    database.write_bytes(b"not a database at all" * 100)
    assert run("list", "--ledger", seed, "-F", "csv").stdout == expected
    assert run("list", "--ledger", seed, "-F", "csv").stdout == expected  # and made again
    assert sqlite3.connect(database).execute("SELECT count(*) FROM events").fetchone()[0] > 0


def test_small_ledgers_keep_the_marshal_entry(tmp_path, home):
    shutil.copytree(SEED.parent, tmp_path / "data")
    run("check", "--ledger", tmp_path / "data" / SEED.name)
    assert list(home.glob("*.marshal")) and not list(home.glob("*.sqlite"))


def test_a_ledger_with_errors_is_never_a_database(tmp_path, home, monkeypatch):
    monkeypatch.setenv(index.ENV_INDEX_FROM, "0")
    bad = tmp_path / "bad.toml"
    bad.write_text('schema = 1\n[[event]]\nid = "e"\ndate = "2007"\ntitle = "T"\nsummary = "S"\n'
                   'sources = ["nowhere"]\n', encoding="utf-8")
    assert run("list", "--ledger", bad, "-F", "csv").exit_code == 1
    assert run("list", "--ledger", bad, "-F", "csv").exit_code == 1  # the errors come back from the cache
    assert not list(home.glob("*.sqlite"))


def test_pruning_removes_the_database_of_a_ledger_that_is_gone(seed, home):
    run("check", "--ledger", seed)
    [database] = home.glob("*.sqlite")
    assert cache.prune()["missing"] == 0 and database.exists()
    seed.unlink()
    assert cache.prune()["missing"] == 1 and not database.exists()
    assert not index.records_path(database).exists()


def test_reference_lists_count_without_rebuilding_a_record(seed, monkeypatch):
    run("check", "--ledger", seed)
    read = []
    original = index.Index._read

    def counting(self, kind, sql, args):
        read.append(kind)
        return original(self, kind, sql, args)

    monkeypatch.setattr(index.Index, "_read", counting)
    for command in ("actors", "sources", "tags"):
        assert run(command, "--ledger", seed, "-F", "csv").exit_code == 0
    assert read and set(read) == {"source", "actor"}  # the few sources and actors, read whole; no event, no claim


def test_show_from_the_database_is_the_ledgers_own(seed, monkeypatch):
    """Every record's page, by id, by an actor's alias and by an id's prefix, in every form `show`
    has, and the refusals: the same through the database as from the ledger."""
    ledger = load(seed, use_cache=False).ledger
    asked = [r.id for kind in ("event", "claim", "source", "actor") for r in ledger.table(kind)]
    asked += [a.aliases[0] for a in ledger.actors if a.aliases][:5] + ["2007-0", "c-", "no-such-record", "kahl"]
    unreadable = ["\udcff", "e\udcff"]  # arguments that were not valid UTF-8: the parse path answers them
    asked += unreadable
    from iqtl.cli.commands import show

    run("check", "--ledger", seed)
    whole = show.open_for_evidence

    def refused(path):
        raise AssertionError("the whole ledger was loaded")

    for record_id in asked:
        for fmt in ("json", "plain"):
            monkeypatch.setattr(show, "open_for_evidence", whole if record_id in unreadable else refused)
            through = run("show", record_id, "--ledger", seed, "-F", fmt, "--width", "100")
            monkeypatch.setattr(show, "open_for_evidence", whole)
            monkeypatch.setenv("IQTL_NO_CACHE", "1")
            direct = run("show", record_id, "--ledger", seed, "-F", fmt, "--width", "100")
            monkeypatch.delenv("IQTL_NO_CACHE")
            assert (through.exit_code, through.stdout, through.stderr) == \
                (direct.exit_code, direct.stdout, direct.stderr), (record_id, fmt)


# ---------------------------------------------------------------- hostile databases


def _in_a_record(database: Path) -> None:
    """One bit flipped inside a stored record (in its title's bytes): its CRC no longer agrees."""
    records = index.records_path(database)
    data = bytearray(records.read_bytes())
    at = data.find("Iran–Iraq war".encode())
    assert at > 0
    data[at + 1] ^= 0x01
    records.write_bytes(bytes(data))


def _in_the_head(database: Path) -> None:
    db = sqlite3.connect(database)
    (blob,) = db.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
    db.execute("UPDATE meta SET value = ? WHERE key = 'head'", (blob[:-1] + bytes([blob[-1] ^ 1]),))
    db.commit()
    db.close()


def _code_that_checks(database: Path) -> None:
    """A record replaced by a marshalled code object, with its CRC, the records' size and the
    index's CRC all made to agree, as someone able to write both files would: rebuilt into no
    record, never run."""
    import marshal
    from zlib import crc32

    records = index.records_path(database)
    blob = marshal.dumps(compile(f"open({str(database) + '.ran'!r}, 'w').close()", "x", "exec"))
    at = records.stat().st_size
    with open(records, "ab") as f:
        f.write(blob)
    db = sqlite3.connect(database)
    db.execute("UPDATE events SET at = ?, size = ?, crc = ? WHERE n = 0", (at, len(blob), crc32(blob)))
    db.execute("UPDATE meta SET value = ? WHERE key = 'records_size'", (marshal.dumps(at + len(blob)),))
    db.commit()
    db.close()
    data = bytearray(records.read_bytes())
    with open(database, "rb") as f:
        data[len(index.MAGIC):index.HEAD] = index.file_crc(f)
    records.write_bytes(bytes(data))


def _records(spoil):
    return lambda database: spoil(index.records_path(database))


SPOILS = {
    "truncated": lambda d: d.write_bytes(d.read_bytes()[: d.stat().st_size // 2]),
    "record": _in_a_record,
    "head": _in_the_head,  # the index is then not the one its records name
    "code": _code_that_checks,
    "empty": lambda d: d.write_bytes(b""),
    "garbage": lambda d: d.write_bytes(os.urandom(4096)),
    "world-writable": lambda d: d.chmod(0o666),
    "group-writable-folder": lambda d: d.parent.chmod(0o770),
    "symlink": lambda d: (d.rename(d.with_suffix(".elsewhere")), d.symlink_to(d.with_suffix(".elsewhere"))),
    "records-truncated": _records(lambda r: r.write_bytes(r.read_bytes()[: r.stat().st_size // 2])),
    "records-missing": _records(lambda r: r.unlink()),
    "records-world-writable": _records(lambda r: r.chmod(0o666)),
}


@pytest.mark.parametrize("spoil", SPOILS.values(), ids=SPOILS.keys())
def test_a_spoilt_database_is_never_trusted(spoil, seed, home, parses):
    from iqtl.ledgerfile import loader

    truth = loader.load(seed)
    listed = run("list", "--ledger", seed, "-F", "jsonl").stdout
    shown = run("show", truth.ledger.events[0].id, "--ledger", seed, "-F", "json").stdout
    [database] = home.glob("*.sqlite")
    spoil(database)
    parses.clear()
    again = loader.load(seed)
    assert parses == [str(seed)]  # not answered from it: parsed again
    assert (again.ledger.events, again.ledger.claims, again.problems) == \
        (truth.ledger.events, truth.ledger.claims, truth.problems)
    spoil_again = home.glob("*.sqlite")  # the parse stored a good one: spoil that too, then look up
    for database in spoil_again:
        if database.is_file() and not database.is_symlink():
            spoil(database)
    assert run("list", "--ledger", seed, "-F", "jsonl").stdout == listed
    assert run("show", truth.ledger.events[0].id, "--ledger", seed, "-F", "json").stdout == shown
    assert not list(home.parent.rglob("*.ran")) and not (database.parent / (database.name + ".ran")).exists()


def test_a_database_of_another_version_or_code_is_not_used(seed, home, parses, monkeypatch):
    from iqtl.ledgerfile import loader

    loader.load(seed)
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    parses.clear()
    loader.load(seed)
    assert parses == [str(seed)]
    monkeypatch.undo()
    monkeypatch.setenv(index.ENV_INDEX_FROM, "0")
    monkeypatch.setattr(loader, "load_text", parses_recorder := _Recorder(loader.load_text))
    monkeypatch.setattr(cache, "_code_stamp", lambda: (("loader.py", 1, 2),))
    loader.load(seed)
    assert parses_recorder.calls == [str(seed)]


class _Recorder:
    def __init__(self, real):
        self.real, self.calls = real, []

    def __call__(self, text, path):
        self.calls.append(path)
        return self.real(text, path)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=strategies.ledgers(max_records=6))
def test_cells_are_the_rows_as_text(doc):
    """CSV and TSV write Listing.cells (made without the row dict): the same text as the rows."""
    from iqtl.reports import rows

    result = load_bytes(strategies.toml(doc), "generated.toml")
    ledger = result.ledger
    for ev in ledger.events:
        row = rows.event_row(ev)
        assert rows.event_cells(ev) == [rows.cell_text(row[c]) for c in rows.EVENT_COLUMNS]
    for cl in ledger.claims:
        row = rows.claim_row(ledger, cl)
        assert rows.claim_cells(ledger, cl) == [rows.cell_text(row[c]) for c in rows.CLAIM_COLUMNS]


# ---------------------------------------------------------------- pieces of an earlier version


@pytest.fixture
def in_pieces(seed, monkeypatch):
    """The seed read a few hundred bytes at a time (as a big ledger is read 1 MB at a time), its
    cache a database; returns the seed and a list of the pieces taken from the earlier database."""
    from iqtl.ledgerfile import loader

    monkeypatch.setattr(loader, "PIECE", 700)
    monkeypatch.setattr(loader, "PIECEWISE_FROM", 0)
    taken: list[bytes] = []
    real = index.Previous.records

    def records(self, sha):
        found = real(self, sha)
        if found is not None:
            taken.append(sha)
        return found

    monkeypatch.setattr(index.Previous, "records", records)
    return seed, taken


def _same_as_a_parse(seed: Path):
    from iqtl.ledgerfile import loader

    got, fresh = loader.load(seed), loader.load(seed, use_cache=False)
    for kind in ("source", "actor", "event", "claim"):
        assert got.ledger.table(kind) == fresh.ledger.table(kind), kind
    assert got.problems == fresh.problems
    return got


def test_an_edited_ledger_takes_its_unchanged_pieces_from_the_old_database(in_pieces):
    from iqtl.ledgerfile import loader

    seed, taken = in_pieces
    loader.load(seed)
    assert not taken
    text = seed.read_text(encoding="utf-8")
    middle = text.index('summary = "', len(text) // 2) + len('summary = "')
    seed.write_text(text[:middle] + "EDITED " + text[middle:], encoding="utf-8")
    got = _same_as_a_parse(seed)
    assert any("EDITED " in ev.summary for ev in got.ledger.events)
    pieces = len(text.encode()) // 700
    assert pieces // 3 < len(taken) < pieces  # most pieces came back; not the one edited


@pytest.mark.parametrize("edit", ["source-date", "duplicate-id", "dangling", "removed", "appended"])
def test_every_edit_reads_as_a_parse(in_pieces, edit):
    """Records taken from the old database are what a parse of the new file makes: claims that
    inherit an edited source's date take the new one, and whole-ledger errors are still found."""
    from iqtl.ledgerfile import loader

    seed, taken = in_pieces
    first = loader.load(seed)
    text = seed.read_text(encoding="utf-8")
    led = first.ledger
    inheriting = next(cl for cl in led.claims if not cl.own_date)
    source = led.get("source", inheriting.source)
    if edit == "source-date":
        start = text.index(f'id = "{source.id}"')
        at = text.index("date = ", start)
        end = text.index("\n", at)
        text = text[:at] + 'date = "1999-01-02"' + text[end:]
    elif edit == "duplicate-id":
        last = led.events[-1].id
        text = text.replace(f'id = "{led.events[len(led.events) // 2].id}"', f'id = "{last}"', 1)
    elif edit == "dangling":
        text = text.replace(f'source = "{inheriting.source}"', 'source = "no-such-source"', 1)
    elif edit == "removed":
        start = text.index("[[event]]", len(text) // 2)
        end = text.index("[[", start + 2)
        text = text[:start] + text[end:]
    else:
        text += '\n[[event]]\nid = "appended-at-the-end"\ndate = "2014"\ntitle = "T"\nsummary = "S"\n' \
                f'sources = ["{source.id}"]\n'
    seed.write_text(text, encoding="utf-8")
    got = _same_as_a_parse(seed)
    assert taken
    if edit == "source-date":
        assert got.ledger.get("claim", inheriting.id).date.text == "1999-01-02"
    if edit in ("duplicate-id", "dangling"):
        assert got.errors


def test_a_database_made_by_other_code_gives_no_pieces(in_pieces, monkeypatch):
    from iqtl.ledgerfile import loader

    seed, taken = in_pieces
    loader.load(seed)
    seed.write_text(seed.read_text(encoding="utf-8") + "\n# a comment\n", encoding="utf-8")
    monkeypatch.setattr(cache, "_code_stamp", lambda: (("loader.py", 1, 2),))
    _same_as_a_parse(seed)
    assert not taken


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(edits=st.lists(st.tuples(st.floats(0, 1), st.sampled_from("aZ é\\n\"'#[]=-~?")), min_size=1, max_size=4))
def test_random_edits_read_as_a_parse(in_pieces, edits):
    """Property: whatever bytes change (a ledger broken by them included), the ledger read with
    pieces of the earlier database is the ledger a parse reads."""
    from iqtl.ledgerfile import loader

    seed, _taken = in_pieces
    original = seed.read_bytes()
    try:
        loader.load(seed)
        data = bytearray(original)
        for where, what in edits:
            at = int(where * (len(data) - 1))
            data[at:at + 1] = what.encode()
        seed.write_bytes(bytes(data))
        _same_as_a_parse(seed)
    finally:
        seed.write_bytes(original)


def test_the_command_line_writes_the_database_beside_its_output_and_waits_for_it(seed, home):
    """`python -m iqtl` forks a writer for a big ledger's cache while it prints, and does not end
    before the writer has: the next command finds the database, and answers the same."""
    from .conftest import iqtl

    first = iqtl("list", "--ledger", str(seed), "--format", "csv")
    assert first.returncode == 0 and first.stdout
    [database] = home.glob("*.sqlite")
    assert index.records_path(database).exists() and not list(home.glob(".tmp-*"))
    again = iqtl("list", "--ledger", str(seed), "--format", "csv")
    assert again.stdout == first.stdout


@settings(max_examples=200, deadline=None)
@given(text=st.lists(st.sampled_from(["a", "é", "\n", "\r", "[[event]]\n", "id = 1\n", "\u2028"]), max_size=40)
       .map("".join))
def test_the_locators_lines_are_the_texts_split(text):
    """locate._Lines (lines made one at a time, from the headers or from an array) is
    text.split("\\n") with a CR before each LF dropped, for a plain ledger and any other text."""
    from iqtl.ledgerfile.locate import Locator

    expected = text.split("\n")
    if "\r" in text:
        expected = [line[:-1] if line.endswith("\r") else line for line in expected]
    lines = Locator(text).lines
    assert len(lines) == len(expected)
    assert [lines[i] for i in range(len(lines))] == expected
    assert [lines[i] for i in reversed(range(len(lines)))] == expected[::-1]
