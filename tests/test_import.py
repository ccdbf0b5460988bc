"""`iqtl import`: export -> import round-trips; every bad row reported with its line; all or nothing."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from iqtl import ingest
from iqtl.ledgerfile.loader import load

from .conftest import BROKEN, FIXTURES, MINI, SEED, iqtl, run
from .conftest import run as cli

HOSTILE = FIXTURES / "hostile.toml"
EXPORTS = {"source": "sources", "actor": "actors", "event": "list", "claim": "claims"}
KINDS = ("source", "actor", "event", "claim")  # in the order references need them


def export(ledger: Path, kind: str, fmt: str, dest: Path, *extra: str) -> Path:
    result = run(EXPORTS[kind], "--ledger", str(ledger), "--format", fmt, *extra)
    assert result.exit_code == 0, result.stderr
    path = dest / f"{kind}s.{fmt}"
    path.write_bytes(result.stdout_bytes)  # as written: .stdout turns CRLF into LF
    return path


def empty_ledger(path: Path) -> Path:
    path.write_text("# imported\nschema = 1\n", encoding="utf-8")
    return path


def round_trip(source: Path, tmp_path: Path, fmt: str, *export_flags: str, import_flags: tuple = ()) -> Path:
    target = empty_ledger(tmp_path / "imported.toml")
    for kind in KINDS:
        path = export(source, kind, fmt, tmp_path, *export_flags)
        result = cli("import", str(path), "--ledger", str(target), *import_flags)
        assert result.exit_code == 0, result.stderr
    return target


def assert_same_records(a: Path, b: Path) -> None:
    """Equal records in every table (the exports sort, so order is not compared)."""
    left, right = load(a), load(b)
    assert not left.errors and not right.errors
    for kind in KINDS:
        assert len(left.ledger.table(kind)) == len(right.ledger.table(kind))
        assert left.ledger.by_id(kind) == right.ledger.by_id(kind), kind


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl"])
def test_export_import_round_trips(tmp_path, fmt):
    assert_same_records(MINI, round_trip(MINI, tmp_path, fmt))


def test_excel_csv_with_a_byte_order_mark_round_trips(tmp_path):
    assert_same_records(MINI, round_trip(MINI, tmp_path, "csv", "--bom"))


@pytest.mark.skipif(not SEED.is_file(), reason="no data/events.toml yet")
@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_seed_ledger_round_trips(tmp_path, fmt):
    shutil.copytree(SEED.parent / "sources", tmp_path / "sources")  # the archives its sources name
    assert_same_records(SEED, round_trip(SEED, tmp_path, fmt))


def test_hostile_text_round_trips_through_json(tmp_path):
    assert_same_records(HOSTILE, round_trip(HOSTILE, tmp_path, "json"))


def test_hostile_text_round_trips_through_raw_csv(tmp_path):
    assert_same_records(HOSTILE, round_trip(HOSTILE, tmp_path, "csv", "--raw", import_flags=("--raw",)))


def test_neutralised_formulas_are_restored(tmp_path):
    # The plain CSV export escapes control characters visibly (that cannot be undone), but the
    # leading ' it puts before a formula is taken off again.
    imported = round_trip(HOSTILE, tmp_path, "csv")
    src = load(imported).ledger.get("source", "evil-source")
    assert src.title == '=HYPERLINK("http://evil.example","click")'
    assert src.publisher == "+cmd|' /C calc'!A0"
    assert load(imported).ledger.get("event", "markup").tags == ("=tag",)
    assert load(imported).ledger.get("actor", "mallory").aliases == ("@SUM(1+1)",)


@pytest.mark.parametrize("cell, restored", [
    ("'=1+1", "=1+1"), ("'+1", "+1"), ("'-2", "-2"), ("'@x", "@x"), ("'\tx", "\tx"), ("'\rx", "\rx"),
    ("'\nx", "\nx"), ("'quoted'", "'quoted'"), ("'", "'"), ("=1", "=1"), ("", ""),
])
def test_restore_formula(cell, restored):
    assert ingest.restore_formula(cell) == restored


def test_raw_keeps_the_quote(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    rows = tmp_path / "actors.csv"
    rows.write_text("id,name,aliases\r\nformula,'=1+1,'-x\r\n", encoding="utf-8")
    assert cli("import", str(rows), "--ledger", str(ledger), "--raw").exit_code == 0
    actor = load(ledger).ledger.get("actor", "formula")
    assert (actor.name, actor.aliases) == ("'=1+1", ("'-x",))


def test_a_claim_dated_as_its_source_has_no_date_of_its_own(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    rows = tmp_path / "claims.csv"
    rows.write_text("id,date,speaker,text,source\n"
                    "inherits,2008-02?,us,t,paper-a\n"
                    "own,2008-01,us,t,paper-a\n", encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ('[[claim]]\nid = "inherits"\ntext = "t"\nspeaker = "us"\nsource = "paper-a"\n\n'
                             '[[claim]]\nid = "own"\ntext = "t"\nspeaker = "us"\nsource = "paper-a"\n'
                             'date = "2008-01"\n')


# ---------------------------------------------------------------- what is appended


def test_import_appends_once_and_prints_the_ids(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    before = ledger.read_bytes()
    rows = tmp_path / "events.jsonl"
    rows.write_text(
        json.dumps({"id": "", "date": "2008-03-25", "title": "Battle of Basra", "summary": "s",
                    "sources": ["paper-b"], "actors": ["sadr"], "precision": "day", "start": "2008-03-25"}) + "\n"
        + json.dumps({"date": "2008-03~", "title": "Battle of Basra", "summary": "again", "sources": "paper-b",
                      "actors": "sadr; jam", "related": ["ceasefire"]}) + "\n",
        encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "2008-03-battle-basra\n2008-03-battle-basra-2\n"
    assert "imported 2 event(s)" in result.stderr
    data = ledger.read_bytes()
    assert data.startswith(before)
    assert data[len(before):].count(b"[[event]]") == 2
    led = load(ledger).ledger
    assert led.get("event", "2008-03-battle-basra-2").actors == ("sadr", "jam")


def test_dry_run_writes_nothing(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    before = ledger.read_bytes()
    rows = tmp_path / "actors.tsv"
    rows.write_text("id\tname\taliases\nmaliki\tNouri al-Maliki\tMaliki; al-Maliki\n", encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == '[[actor]]\nid = "maliki"\nname = "Nouri al-Maliki"\naliases = ["Maliki", "al-Maliki"]\n'
    assert ledger.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["actors.tsv", "l.toml"]


def test_stdin_with_a_format(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    result = cli("import", "-", "--format", "csv", "--ledger", str(ledger), input="id,name\nx,X\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "x\n"
    assert cli("import", "-", "--ledger", str(ledger), input="id,name\ny,Y\n").exit_code == 2


def test_the_kind_from_the_columns_or_the_option(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    rows = tmp_path / "rows.csv"
    rows.write_text("id,role\nx,y\n", encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 2
    assert "cannot tell what" in result.stderr and "--kind" in result.stderr
    result = cli("import", str(rows), "--kind", "actor", "--ledger", str(ledger))
    assert result.exit_code == 1  # now it is an actor without a name
    assert f"{rows}:2: error: actor 'x': name is empty" in result.stderr
    odd = tmp_path / "rows.txt"
    odd.write_text("id,name\nx,X\n", encoding="utf-8")
    assert cli("import", str(odd), "--ledger", str(ledger)).exit_code == 2
    assert cli("import", str(odd), "--format", "csv", "--ledger", str(ledger)).exit_code == 0


# ---------------------------------------------------------------- bad rows


def test_every_bad_row_is_reported_with_its_line(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    before = ledger.read_bytes()
    rows = tmp_path / "events.csv"
    rows.write_bytes(
        b"id,date,title,summary,sources,actors\r\n"                        # 1
        b"good,2007,Good,\"a summary\r\nover two lines\",paper-a,sadr\r\n"  # 2-3
        b"bad-date,2007-13,T,S,paper-a,sadr\r\n"                           # 4
        b"\r\n"                                                            # 5: blank
        b"bad-source,2007,T,S,papr-a,sadr\r\n"                             # 6
        b"short,2007,T\r\n"                                                # 7
        b"good,2008,Twice,S,paper-a,sadr\r\n"                              # 8: the id of line 2
        b"ceasefire,2007-08~,Sadr declares a six-month cease-fire,S,paper-a,sadr\r\n"  # 9: already there
        b"Bad Id,2007,T,S,paper-a,\r\n")                                   # 10
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 1
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if ": error: " in line]
    assert [e.split(": error: ")[0] for e in errors[:-1]] == [f"{rows}:{n}" for n in (4, 6, 7, 8, 10)]
    assert "bad date '2007-13'" in errors[0]
    assert "unknown source 'papr-a' (did you mean 'paper-a'?)" in errors[1]
    assert "3 cells where the header has 6" in errors[2]
    assert "duplicate event id 'good'" in errors[3]
    assert "id must be a slug" in errors[4]
    assert f"{rows}:9: skipped: event 'ceasefire' is already in the ledger (it differs in summary" in result.stderr
    assert errors[-1] == f"iqtl: error: {rows}: 5 error(s); nothing imported (all rows or none)"
    assert ledger.read_bytes() == before


def test_json_rows_have_their_lines(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    rows = tmp_path / "sources.json"
    rows.write_text(json.dumps([
        {"id": "ok", "date": "2009", "title": "T", "publisher": "P"},
        {"id": "number", "date": 2009, "title": "T", "publisher": "P"},
        {"id": "listed", "date": "2009", "title": ["T"], "publisher": "P", "events": 3},
        {"id": "typo", "date": "2009", "titel": "T", "publisher": "P"},
    ], indent=2), encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 1
    err = result.stderr
    assert f"{rows}:8: error: column 'date': expected text, not a number" in err
    assert f"{rows}:14: error: column 'title': expected text, not an array" in err
    assert f"{rows}:23: error: unknown column 'titel' for sources (did you mean 'title'?)" in err
    assert ledger.read_bytes() == MINI.read_bytes()


@pytest.mark.parametrize("text, line, message", [
    ('[\n  {"id": "a", "name": "A"},\n  {"id": "b", "name": }\n]\n', 3, "JSON: Expecting value"),
    ('{"id": "a", "name": "A"}\n', 1, "expected a JSON array of objects"),
    ('[\n  {"id": "a", "name": "A"}\n  {"id": "b"}\n]\n', 3, "JSON: expected ',' or ']'"),
    ('[\n  {"id": "a", "name": "A"},\n  "b"\n]\n', 3, "expected a JSON object, not a string"),
    ('[{"id": "a", "name": "A"}] trailing', 1, "JSON: text after the closing ']'"),
])
def test_malformed_json(tmp_path, text, line, message):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    rows = tmp_path / "actors.json"
    rows.write_text(text, encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger), "--kind", "actor")
    assert result.exit_code == 1
    assert f"{rows}:{line}: error: {message}" in result.stderr
    assert ledger.read_bytes() == MINI.read_bytes()


def test_jsonl_reports_each_bad_line(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    rows = tmp_path / "actors.jsonl"
    rows.write_text('{"id": "a", "name": "A"}\n\n{"id": "b", \n[1]\n{"id": "c", "name": "C", "kind": "alien"}\n',
                    encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 1
    err = result.stderr
    assert f"{rows}:3: error: JSON:" in err
    assert f"{rows}:4: error: expected a JSON object, not an array" in err


def test_header_problems_are_said_once(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    rows = tmp_path / "events.csv"
    rows.write_text("\n\nid,date,titel,title,summary,sources,sources\n" + "x,2007,a,b,c,paper-a,paper-a\n" * 3,
                    encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines == [f"{rows}:3: error: unknown column 'titel' for events (did you mean 'title'?)",
                     f"{rows}:3: error: column 'sources' appears more than once",
                     f"iqtl: error: {rows}: 2 error(s); nothing imported"]


def test_not_utf8(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    rows = tmp_path / "actors.csv"
    rows.write_bytes("id,name\nx,Caf\u00e9\n".encode("latin-1"))
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 1
    assert f"{rows}:2: error: not UTF-8 (byte 0xe9)" in result.stderr


def test_a_broken_ledger_is_refused(tmp_path):
    ledger = shutil.copyfile(BROKEN / "unknown-event.toml", tmp_path / "l.toml")
    rows = tmp_path / "actors.csv"
    rows.write_text("id,name\nx,X\n", encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 1
    assert "fix them first" in result.stderr
    assert ledger.read_bytes() == (BROKEN / "unknown-event.toml").read_bytes()


# ---------------------------------------------------------------- rows already in the ledger


def test_rows_already_there_are_skipped(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    path = export(MINI, "event", "csv", tmp_path)
    result = cli("import", str(path), "--ledger", str(ledger))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr.count("skipped") == 4
    assert "nothing to import" in result.stderr
    assert ledger.read_bytes() == MINI.read_bytes()
    # --update: identical rows are fine too
    assert cli("import", str(path), "--ledger", str(ledger), "--update").exit_code == 0


def test_update_reports_conflicts_and_writes_nothing(tmp_path):
    ledger = shutil.copyfile(MINI, tmp_path / "l.toml")
    rows = tmp_path / "events.csv"
    original = export(MINI, "event", "csv", tmp_path).read_bytes().decode("utf-8")
    lines = original.split("\r\n")
    changed = [lines[0], lines[1].replace("Iran–Iraq war", "The Iran–Iraq war"), lines[2],
               "new-one,2009,,,,T,S,,,,paper-a,,", ""]
    rows.write_bytes("\r\n".join(changed).encode("utf-8"))
    plain = cli("import", str(rows), "--ledger", str(ledger), "--dry-run")
    assert plain.exit_code == 0
    assert f"{rows}:2: skipped: event 'war' is already in the ledger (it differs in title;" in plain.stderr
    result = cli("import", str(rows), "--ledger", str(ledger), "--update")
    assert result.exit_code == 1
    assert (f"{rows}:2: error: event 'war' is already in the ledger with a different title; iqtl never "
            "overwrites: edit the ledger by hand") in result.stderr
    assert f"{rows}:3: skipped: event 'stand-down' is already in the ledger\n" in result.stderr
    assert ledger.read_bytes() == MINI.read_bytes()


def test_import_through_the_real_command(tmp_path):
    """The same through `python -m iqtl` (with add and import registered in cli.py)."""
    ledger = empty_ledger(tmp_path / "l.toml")
    for kind in KINDS:
        path = export(MINI, kind, "csv", tmp_path)
        result = iqtl("import", str(path), "--ledger", str(ledger))
        assert result.returncode == 0, result.stderr
    assert_same_records(MINI, ledger)
