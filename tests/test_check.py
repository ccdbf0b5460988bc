"""`iqtl check` on the seed ledger and on a corpus of broken ledgers, one fixture per kind of problem."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from iqtl.ledgerfile.loader import load

from .conftest import BROKEN, FIXTURES, run

# fixture -> the exact lines `iqtl check` prints (path prefix added below)
EXPECTED = {
    "toml-syntax.toml": [
        "17:36: error: TOML syntax: Illegal character '\\n' (a string left unclosed on this line?)"],
    "unknown-key.toml": [
        "14:1: error: event 'ceasefire': missing required key 'sources'",
        "19:1: error: event 'ceasefire': unknown key 'sorces' (did you mean 'sources'?)"],
    "wrong-type.toml": ["19:11: error: event 'ceasefire': sources must be a list of strings, not a string"],
    "bad-date.toml": [
        "16:14: error: event 'ceasefire': bad date '2007-13': month 13 is out of range (01-12, or 21-24 for seasons)"],
    "interval-order.toml": [
        "16:14: error: event 'surge': bad date '2008/2007-01': interval ends are out of order: 2008 is after 2007-01"],
    "duplicate-id.toml": ["23:6: error: duplicate event id 'ceasefire' (first defined at line 14)"],
    "unknown-source.toml": [
        "19:21: error: event 'ceasefire': sources refers to unknown source 'papr' (did you mean 'paper'?)"],
    "unknown-actor.toml": ["20:19: error: event 'ceasefire': actors refers to unknown actor 'jam'"],
    "unknown-event.toml": ["21:12: error: event 'ceasefire': related refers to unknown event 'karbala-battle'"],
    "unknown-claim.toml": ["28:13: error: claim 'control': disputes refers to unknown claim 'rogue'"],
    "self-dispute.toml": ["28:13: error: claim 'control' disputes itself"],
    "no-source.toml": ["19:11: error: event 'ceasefire' has no source (every event needs at least one)"],
    "missing-key.toml": ["14:1: error: event 'ceasefire': missing required key 'title'"],
    "bad-id.toml": [
        "15:6: error: event 'Sadr Ceasefire': id must be a slug of a-z, 0-9 and '-' starting with a letter or digit"],
    "bad-choice.toml": [
        "17:8: error: actor 'jam': kind must be one of person, group, state, institution, not 'grup' "
        "(did you mean 'group'?)"],
    "not-an-array.toml": ["14:1: error: event must be an array of tables written [[event]], not a table"],
    "unknown-table.toml": ["14:1: error: unknown top-level key 'events' (did you mean 'event'?)"],
    "schema-version.toml": [
        "1:10: error: unsupported schema 2 (this iqtl reads schema = 1)",
        "16:14: error: event 'ceasefire': bad date '2007-13': month 13 is out of range (01-12, or 21-24 for seasons)"],
    "latin1.toml": [
        "5:13: error: the ledger is not UTF-8 (byte 0xe9; it looks like Latin-1 or Windows-1252); save it as UTF-8"],
}

WHOLE_FILE = {
    "empty.toml": "error: the ledger is empty (expected `schema = 1` and [[event]] tables)",
    "utf16.toml": "error: the ledger is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8",
}


def test_every_fixture_has_an_expectation():
    fixtures = {p.name for p in BROKEN.glob("*.toml")}
    assert fixtures == set(EXPECTED) | set(WHOLE_FILE) | {"no-actors-warning.toml", "no-schema.toml"}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_ledger_is_reported_at_its_line(name):
    path = BROKEN / name
    result = run("check", "--ledger", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{path}:{line}" for line in EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_line_by_line_locator_agrees(name, tmp_path):
    """The locator reads a ledger of the usual shape by its headers alone, and any other ledger line
    by line: a comment holding three quotes at the end sends the fixture the second way, and
    changes no position."""
    from iqtl.ledgerfile.locate import plain_piece

    data = (BROKEN / name).read_bytes()
    if name != "latin1.toml":
        quick = name not in ("not-an-array.toml", "unknown-table.toml")
        assert plain_piece(data.decode("utf-8"), first=True) == quick
    path = tmp_path / name
    path.write_bytes(data + b"\n# \"\"\" keeps the locator from its quick way\n")
    result = run("check", "--ledger", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [f"{path}:{line}" for line in EXPECTED[name]]


@pytest.mark.parametrize("name", sorted(WHOLE_FILE))
def test_unreadable_ledger_gets_one_line(name):
    path = BROKEN / name
    result = run("check", "--ledger", str(path))
    assert result.exit_code == 1
    assert result.stdout == f"{path}: {WHOLE_FILE[name]}\n"


def test_all_problems_are_reported_not_only_the_first():
    result = run("check", "--ledger", str(BROKEN / "no-schema.toml"))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "error: missing `schema = 1` at the top of the ledger",
        "error: unknown top-level key 'id'",
        "error: event 'a': missing required key 'date'",
        "error: event 'a': missing required key 'title'",
        "error: event 'a': missing required key 'summary'",
        "error: event 'a': missing required key 'sources'",
        "warning: event 'a' has no actors",
    ]


def test_warnings_pass_unless_strict():
    path = BROKEN / "no-actors-warning.toml"
    lenient = run("check", "--ledger", str(path))
    assert lenient.exit_code == 0
    assert lenient.stdout == f"{path}:14:1: warning: event 'ceasefire' has no actors\n"
    assert run("check", "--ledger", str(path), "--strict").exit_code == 1


def test_json_format_lists_problems():
    path = BROKEN / "unknown-source.toml"
    result = run("check", "--ledger", str(path), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [{
        "path": str(path), "line": 19, "col": 21, "severity": "error", "code": "unknown-reference",
        "message": "event 'ceasefire': sources refers to unknown source 'papr' (did you mean 'paper'?)"}]


def test_missing_file_and_directory(tmp_path):
    missing = tmp_path / "nope.toml"
    result = run("check", "--ledger", str(missing))
    assert (result.exit_code, result.stdout) == (1, f"{missing}: error: no such file\n")
    result = run("check", "--ledger", str(tmp_path))
    assert (result.exit_code, result.stdout) == (1, f"{tmp_path}: error: is a directory, not a ledger file\n")


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (FIXTURES / "mini.toml").read_bytes())
    assert run("check", "--ledger", str(path), "--strict").exit_code == 0


@pytest.mark.parametrize("data", [b"\xef\xbb\xbf", b"\xef\xbb\xbf\r\n \n"], ids=["bom", "bom-and-blanks"])
def test_a_ledger_of_only_a_bom_is_empty(tmp_path, data):
    path = tmp_path / "bom.toml"
    path.write_bytes(data)
    result = run("check", "--ledger", str(path))
    assert result.exit_code == 1 and result.stdout == f"{path}: {WHOLE_FILE['empty.toml']}\n"


def test_reading_commands_refuse_a_broken_ledger():
    path = BROKEN / "bad-date.toml"
    result = run("list", "--ledger", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"{path}:16:14: error: event 'ceasefire': bad date" in result.stderr


def test_usage_error_exits_2():
    result = run("check", "--format", "yaml")
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr


def test_clean_fixture_is_silent():
    result = run("check", "--ledger", str(FIXTURES / "mini.toml"), "--strict")
    assert (result.exit_code, result.stdout) == (0, "")


def test_ledger_discovery_order(tmp_path, monkeypatch):
    """--ledger, else $IQTL_LEDGER, else ./data/events.toml, else the bundled copy."""
    from iqtl.ledgerfile.loader import bundled_ledger, find_ledger

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("IQTL_LEDGER", raising=False)
    assert find_ledger() == bundled_ledger()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "events.toml").write_text("schema = 1\n")
    assert find_ledger() == Path("data/events.toml")
    monkeypatch.setenv("IQTL_LEDGER", "/env/ledger.toml")
    assert find_ledger() == Path("/env/ledger.toml")
    assert find_ledger("cli.toml") == Path("cli.toml")


def test_loader_returns_records_and_problems_without_raising():
    result = load(BROKEN / "unknown-actor.toml")
    assert [e.id for e in result.ledger.events] == ["ceasefire"]
    assert [p.code for p in result.errors] == ["unknown-reference"]


@pytest.mark.parametrize("ledger", ["data/events.toml", "tests/fixtures/mini.toml", "tests/fixtures/hostile.toml"])
@pytest.mark.parametrize("indent", ["", "  "])
def test_both_ways_of_locating_find_every_key_at_the_same_place(ledger, indent):
    """Headers indented (legal TOML) are not of the usual shape: the line-by-line way reads them."""
    import tomllib

    from iqtl.ledgerfile.locate import Locator, plain_piece

    text = (Path(__file__).parent.parent / ledger).read_text(encoding="utf-8").replace("\n[[", f"\n{indent}[[")
    quick, slow = Locator(text), Locator(text + '\n# """\n')
    assert plain_piece(text, first=True) == (not indent)
    raw = tomllib.loads(text)
    for kind in ("source", "actor", "event", "claim"):
        assert len(quick.tables.get(kind, [])) == len(slow.tables.get(kind, [])) == len(raw.get(kind, []))
        for index, record in enumerate(raw.get(kind, [])):
            assert quick.record(kind, index) == slow.record(kind, index)
            for key in record:
                assert quick.key(kind, index, key) == slow.key(kind, index, key) != quick.record(kind, index)
    assert quick.top == slow.top


def test_the_invisible_character_scan_reads_past_empty_and_multiline_texts():
    """validate._all_clean joins texts in batches and skips the regex for printable ones."""
    from iqtl.checks import _all_clean

    assert _all_clean(iter([""] * 5000 + ["plain"]))
    assert not _all_clean(iter([""] * 5000 + ["an \x1b escape"]))  # after a batch of empty texts
    assert not _all_clean(iter(["two\nlines"] * 5000 + ["a \u202e bidi override"]))
    assert _all_clean(iter(["tabs\tand\nnewlines"] * 5000))
