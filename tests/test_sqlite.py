"""`iqtl export sqlite -o FILE`: the ledger as a SQLite database, read back with Python's sqlite3, the
sqlite3 command-line tool and (when installed) DuckDB."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from iqtl.core import edtf
from iqtl.formats.sqlite import LINKS, has_fts5
from iqtl.ledgerfile.loader import load

from .conftest import MINI, SEED, run

SQLITE3 = shutil.which("sqlite3")

# Open and unknown ends, a claim about no event, control characters and quotes of every kind.
ODD = r'''
schema = 1

[[source]]
id = "s"
title = "It's \"quoted\" — 'single' and \\ backslash"
publisher = "P"
date = "2007"

[[actor]]
id = "a"
name = "Actor \u001b[31mred\u001b[0m"
aliases = ["Alias; one", "\u202eevil", "A,B"]

[[actor]]
id = "b"
name = "Bee"

[[event]]
id = "open-end"
date = "2005/.."
title = "Open-ended"
summary = "Still going.\r\nSecond line\twith a tab \u0007 and a bell"
sources = ["s"]
actors = ["a", "b"]
tags = ["Mixed-Case", "x"]
places = ["Here, there"]

[[event]]
id = "open-start"
date = "../2006-03"
title = "Always was"
summary = "S"
sources = ["s"]
actors = ["b"]
related = ["open-end"]

[[event]]
id = "unknown-start"
date = "/2007-01-05"
title = "Unknown start"
summary = "S"
sources = ["s"]
actors = ["a"]

[[event]]
id = "late"
date = "2009-21~"
title = "Spring"
summary = "S"
sources = ["s"]

[[claim]]
id = "c1"
text = "Zanzibarish \"double\" and 'single' — \u0000nul"
speaker = "a"
source = "s"
about = ["open-end", "late"]

[[claim]]
id = "c2"
text = "About nothing"
speaker = "b"
source = "s"
date = "2006~"
disputes = ["c1"]
supports = []
'''


@pytest.fixture()
def odd(tmp_path) -> Path:
    path = tmp_path / "odd.toml"
    path.write_text(ODD, encoding="utf-8")
    return path


def export(ledger: Path, out: Path, *args) -> sqlite3.Connection:
    result = run("export", "sqlite", "-o", out, "-L", ledger, *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    return sqlite3.connect(out)


def count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def ledger_of(path: Path):
    result = load(path)
    assert not result.errors
    return result.ledger


def check_whole(db, led) -> None:
    """Every table holds the ledger: row counts, each column of the records, every list field."""
    for table in ("sources", "actors", "events", "claims"):
        assert count(db, table) == len(getattr(led, table)), table
    records = {"events": led.events, "claims": led.claims, "actors": led.actors}
    for table, owner, key, value, _decl, field in LINKS:
        got: dict[str, list[str]] = {}
        for rid, item in db.execute(f"SELECT {key}, {value} FROM {table} ORDER BY {key}, position"):
            got.setdefault(rid, []).append(item)
        want = {r.id: list(getattr(r, field)) for r in records[owner] if getattr(r, field)}
        assert got == want, table
    for table in ("sources", "actors", "events", "claims", *(link[0] for link in LINKS)):
        columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
        blobs = " + ".join(f"(typeof({c}) = 'blob')" for c in columns)
        assert db.execute(f"SELECT coalesce(sum({blobs}), 0) FROM {table}").fetchone()[0] == 0, table  # text is TEXT
    events = {row[0]: row[1:] for row in db.execute(
        "SELECT id, date, start_day, end_day, earliest, latest, precision, qualifier, title, summary FROM events")}
    for ev in led.events:
        d = ev.date
        assert events[ev.id] == (
            d.text, d.start_iso or None, d.end_iso or None, None if d.earliest == edtf.NEG_INF else d.earliest,
            None if d.latest == edtf.POS_INF else d.latest, d.precision, d.qualifier, ev.title, ev.summary or None)
    claims = {row[0]: row[1:] for row in db.execute(
        "SELECT id, text, speaker, source, date, own_date, quote_start, quote_end, quote_prefix FROM claims")}
    for cl in led.claims:
        assert claims[cl.id] == (cl.text, cl.speaker, cl.source, cl.date.text if cl.date else None, int(cl.own_date),
                                 cl.quote_start, cl.quote_end, cl.quote_prefix or None)


# ---------------------------------------------------------------- what is in the file


def test_the_bundled_ledger_whole(tmp_path):
    db = export(SEED, tmp_path / "seed.db")
    led = ledger_of(SEED)
    check_whole(db, led)
    sources = {r[0]: r[1:] for r in db.execute("SELECT id, archive, archive_sha256, retrieved FROM sources")}
    assert sources == {s.id: (s.archive or None, s.archive_sha256 or None, s.retrieved or None) for s in led.sources}
    assert any(v[0] for v in sources.values())  # the seed's archives are there
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []  # the whole ledger: every reference resolves
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    meta = dict(db.execute("SELECT key, value FROM meta"))
    from iqtl import __version__
    from iqtl.formats.sqlite import SCHEMA_VERSION

    assert meta["iqtl_version"] == __version__ and meta["schema_version"] == str(SCHEMA_VERSION)
    assert Path(meta["ledger"]).resolve() == SEED.resolve() and meta["selection"] == "whole"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_odd_ledger_text_is_stored_exactly(odd, tmp_path):
    db = export(odd, tmp_path / "odd.db")
    led = ledger_of(odd)
    check_whole(db, led)  # the claim about no event, open ends: all there
    stored = {r[0]: r[1] for r in db.execute("SELECT id, text FROM claims")}
    assert stored["c1"] == led.get("claim", "c1").text and "\x00nul" in stored["c1"]
    assert db.execute("SELECT name FROM actors WHERE id = 'a'").fetchone()[0] == "Actor \x1b[31mred\x1b[0m"
    assert db.execute("SELECT title FROM sources").fetchone()[0] == led.sources[0].title
    assert db.execute("SELECT summary FROM events WHERE id = 'open-end'").fetchone()[0] == led.get(
        "event", "open-end").summary
    # Open and unknown ends are NULL, and their ISO text too; the known end is there.
    assert db.execute("SELECT start_day, end_day, latest FROM events WHERE id = 'open-end'").fetchone()[1:] == (
        None, None)
    assert db.execute("SELECT earliest, end_day FROM events WHERE id = 'unknown-start'").fetchone() == (
        None, "2007-01-05")
    # Tags compare in any case, as --tag does.
    assert db.execute("SELECT event_id FROM event_tags WHERE tag = 'mixed-case'").fetchall() == [("open-end",)]


def test_a_filter_applies(tmp_path):
    for args in (("--tag", "ceasefire"), ("--from", "2009", "--limit", "3"), ("--actor", "Mahdi Army")):
        db = export(SEED, tmp_path / "f.db", *args)
        listed = json.loads(run("list", "-L", SEED, "-F", "json", *args).stdout)
        assert sorted(r[0] for r in db.execute("SELECT id FROM events")) == sorted(e["id"] for e in listed)
        led = ledger_of(SEED)
        about = {cl.id for e in listed for cl in led.claims_about(e["id"])}
        assert {r[0] for r in db.execute("SELECT id FROM claims")} == about
        # What the events and claims name is in the file, so these foreign keys hold; related events and
        # disputed claims may lie outside it.
        bad = {row[0] for row in db.execute("PRAGMA foreign_key_check")}
        assert bad <= {"event_related", "claim_about", "claim_supports", "claim_disputes"}, bad
        assert dict(db.execute("SELECT key, value FROM meta"))["selection"] == "filtered"


@pytest.mark.skipif(not has_fts5(), reason="this Python's SQLite has no FTS5")
def test_full_text_search_finds_a_quote_word(odd, tmp_path):
    db = export(odd, tmp_path / "odd.db")
    hits = db.execute("SELECT claims.id FROM claims_fts JOIN claims ON claims.rowid = claims_fts.rowid "
                      "WHERE claims_fts MATCH 'zanzibarish'").fetchall()
    assert hits == [("c1",)]
    seed = export(SEED, tmp_path / "seed.db")
    word = "nationalism"
    want = {cl.id for cl in ledger_of(SEED).claims if word in (cl.text + cl.note + cl.date_note).casefold()}
    got = {r[0] for r in seed.execute("SELECT c.id FROM claims_fts f JOIN claims c ON c.rowid = f.rowid "
                                      "WHERE claims_fts MATCH ?", (word,))}
    assert want and got == want
    titles = {r[0] for r in seed.execute("SELECT e.id FROM events_fts f JOIN events e ON e.rowid = f.rowid "
                                         "WHERE events_fts MATCH 'ceasefire OR cease'")}
    assert titles


# ---------------------------------------------------------------- one semantics: SQL and --from/--to/--actor

WINDOW = """
SELECT e.id FROM events e JOIN event_actors ea ON ea.event_id = e.id
WHERE ea.actor_id = :actor
  AND (e.earliest IS NULL OR e.earliest <= :hi) AND (e.latest IS NULL OR e.latest >= :lo)
-- the timeline's order: a date known only by its end (/2007-06) goes at that end
ORDER BY coalesce(e.earliest, e.latest, -4611686018427387904), coalesce(e.latest, 4611686018427387904), e.id
"""


@pytest.mark.parametrize("ledger, year", [(SEED, 2007), (SEED, 2010), ("odd", 2007)])
def test_sql_date_overlap_is_the_querys(ledger, year, odd, tmp_path):
    """Events of a year by an actor, through SQL, are `iqtl list --from Y --to Y --actor X`."""
    ledger = odd if ledger == "odd" else ledger
    db = export(ledger, tmp_path / "w.db")
    lo, hi = edtf.parse(str(year)).earliest, edtf.parse(str(year)).latest
    busiest = Counter(r[0] for r in db.execute("SELECT actor_id FROM event_actors"))
    actors = [a for a, _n in busiest.most_common(4)]
    assert actors
    for actor in actors:
        sql = [r[0] for r in db.execute(WINDOW, {"actor": actor, "lo": lo, "hi": hi})]
        result = run("list", "--from", str(year), "--to", str(year), "--actor", actor, "-F", "json", "-L", ledger)
        assert result.exit_code == 0, result.stderr
        assert sql == [e["id"] for e in json.loads(result.stdout)], actor


# ---------------------------------------------------------------- refusals and the file's safety


def test_refuses_stdout(tmp_path):
    for extra in ((), ("-o", "-")):
        result = run("export", "sqlite", "-L", MINI, *extra)
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and "-o FILE" in result.stderr


def test_refuses_to_write_over_the_ledger(tmp_path):
    ledger = tmp_path / "l.toml"
    ledger.write_bytes(MINI.read_bytes())
    link = tmp_path / "link.db"
    link.symlink_to(ledger)
    for target in (ledger, link):
        result = run("export", "sqlite", "-o", target, "-L", ledger)
        assert result.exit_code == 2 and "ledger" in result.stderr, result.stderr
        assert ledger.read_bytes() == MINI.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.toml", "link.db"]  # no temp file left


def test_replaces_a_file_whole_and_keeps_its_mode(tmp_path):
    out = tmp_path / "x.db"
    out.write_text("not a database", encoding="utf-8")
    os.chmod(out, 0o640)
    db = export(MINI, out)
    assert count(db, "events") == len(ledger_of(MINI).events)
    assert (out.stat().st_mode & 0o777) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]


def test_an_unwritable_directory_changes_nothing(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        result = run("export", "sqlite", "-o", folder / "x.db", "-L", MINI)
        assert result.exit_code == 2 and "nothing was changed" in result.stderr
        assert list(folder.iterdir()) == []
    finally:
        os.chmod(folder, 0o700)


def test_a_directory_or_a_fifo_is_never_replaced(tmp_path):
    (tmp_path / "d.db").mkdir()
    os.mkfifo(tmp_path / "pipe")
    for name in ("d.db", "pipe"):
        result = run("export", "sqlite", "-o", tmp_path / name, "-L", MINI)
        assert result.exit_code == 2 and result.stderr.startswith("iqtl: error: "), result.stderr
        assert name == "d.db" or "not a regular file" in result.stderr
    assert (tmp_path / "d.db").is_dir() and (tmp_path / "pipe").is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.db", "pipe"]


def test_dev_and_proc_are_never_targets(tmp_path):
    """/dev/stdout is a link to /proc/self/fd/1, which may be a regular file (a job's log): a rename
    over it replaced /dev/stdout itself.  Checked on the path alone: a failure here must not write."""
    from iqtl.cli.output import _final_path

    (tmp_path / "out").symlink_to("/dev/stdout")
    (tmp_path / "loop").symlink_to("loop")
    (tmp_path / "fds").symlink_to("/proc/self/fd")
    for path in ("/dev/stdout", "/proc/self/fd/1", "/dev/null", tmp_path / "out", tmp_path / "loop",
                 tmp_path / "fds" / "1"):
        assert _final_path(Path(path)) is None, path
    (tmp_path / "real").write_text("x", encoding="utf-8")
    (tmp_path / "link").symlink_to("real")
    assert _final_path(tmp_path / "link") == (tmp_path / "real").resolve()
    assert _final_path(tmp_path / "new.db") == (tmp_path / "new.db").resolve()


def test_a_link_to_a_file_keeps_the_link_and_replaces_the_file(tmp_path):
    (tmp_path / "real.db").write_text("old", encoding="utf-8")
    (tmp_path / "link.db").symlink_to("real.db")
    db = export(MINI, tmp_path / "link.db")
    assert count(db, "events") == len(ledger_of(MINI).events)
    assert (tmp_path / "link.db").is_symlink() and (tmp_path / "real.db").read_bytes().startswith(b"SQLite format 3")


# ---------------------------------------------------------------- other readers


@pytest.mark.skipif(SQLITE3 is None, reason="the sqlite3 command-line tool is not installed (apt-get install sqlite3)")
def test_the_sqlite3_tool_reads_the_same_counts(tmp_path):
    out = tmp_path / "seed.db"
    db = export(SEED, out)
    tables = ["sources", "actors", "events", "claims", *(link[0] for link in LINKS)]
    query = " ".join(f"SELECT '{t}', count(*) FROM {t};" for t in tables)
    if has_fts5():
        query += " SELECT 'fts', count(*) FROM claims_fts WHERE claims_fts MATCH 'nationalism';"
    shown = subprocess.run([SQLITE3, "-readonly", "-separator", "\t", str(out), query], capture_output=True,
                           text=True, timeout=60, check=True).stdout
    got = dict(line.split("\t") for line in shown.splitlines())
    for t in tables:
        assert int(got.pop(t)) == count(db, t), t
    if has_fts5():
        assert int(got.pop("fts")) == len(db.execute(
            "SELECT rowid FROM claims_fts WHERE claims_fts MATCH 'nationalism'").fetchall()) > 0
    assert got == {}


def test_duckdb_reads_it(tmp_path):
    duckdb = pytest.importorskip("duckdb", reason="duckdb is not installed (optional)")
    out = tmp_path / "seed.db"
    db = export(SEED, out)
    con = duckdb.connect()
    try:
        con.execute("INSTALL sqlite; LOAD sqlite;")
    except Exception as exc:  # noqa: BLE001 - the extension is downloaded: no network, no check
        pytest.skip(f"DuckDB's sqlite extension is not available: {exc}")
    con.execute(f"ATTACH '{out}' AS l (TYPE sqlite, READ_ONLY)")
    for table in ("events", "claims", "event_actors"):
        assert con.execute(f"SELECT count(*) FROM l.{table}").fetchone()[0] == count(db, table)
    got = con.execute("SELECT e.id FROM l.events e JOIN l.event_tags t ON t.event_id = e.id "
                      "WHERE t.tag = 'ceasefire' ORDER BY e.id").fetchall()
    assert got == db.execute("SELECT e.id FROM events e JOIN event_tags t ON t.event_id = e.id "
                             "WHERE t.tag = 'ceasefire' ORDER BY e.id").fetchall()


def test_without_fts5_the_rest_is_there_and_a_note_says_so(tmp_path, monkeypatch):
    import iqtl.formats.sqlite as module

    monkeypatch.setattr(module, "has_fts5", lambda: False)
    result = run("export", "sqlite", "-o", tmp_path / "plain.db", "-L", MINI)
    assert result.exit_code == 0 and "FTS5" in result.stderr and result.stderr.count("\n") == 1
    db = sqlite3.connect(tmp_path / "plain.db")
    assert db.execute("SELECT count(*) FROM sqlite_master WHERE name LIKE '%fts%'").fetchone()[0] == 0
    assert dict(db.execute("SELECT key, value FROM meta"))["fts"] == "none"
    check_whole(db, ledger_of(MINI))


def test_a_failure_midway_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    import iqtl.formats.sqlite as module

    real = module._insert

    def full_disk(db, table, rows):
        if table == "claims":  # half the database is written by now
            raise sqlite3.OperationalError("database or disk is full")
        real(db, table, rows)

    monkeypatch.setattr(module, "_insert", full_disk)
    out = tmp_path / "x.db"
    out.write_bytes(b"the old one")
    result = run("export", "sqlite", "-o", out, "-L", MINI)
    assert result.exit_code == 2 and "nothing was changed" in result.stderr and "full" in result.stderr
    assert out.read_bytes() == b"the old one"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db"]
