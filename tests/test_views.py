"""Lookups: list, claims, show and the reference lists, with the shared filters and every format."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys

import pytest

from .conftest import FIXTURES, MINI, ROOT, run

HOSTILE = FIXTURES / "hostile.toml"


def ids(*args: str, ledger=MINI) -> list[str]:
    result = run(*args, "--ledger", str(ledger), "--format", "plain")
    assert result.exit_code == 0, result.stderr
    return [line.split("\t")[1] for line in result.stdout.splitlines()]


# ---------------------------------------------------------------- filters


@pytest.mark.parametrize("args, expected", [
    ((), ["war", "stand-down", "ceasefire", "new-year"]),
    (("--reverse",), ["new-year", "ceasefire", "stand-down", "war"]),
    (("--limit", "2"), ["war", "stand-down"]),
    (("--reverse", "--limit", "1"), ["new-year"]),
    # a partial date is its whole period; an event matches when its range overlaps the window
    (("--from", "2007-12-31"), ["new-year"]),
    (("--to", "2007-02"), ["war", "stand-down"]),
    (("--to", "1980"), ["war"]),
    (("--from", "1989", "--to", "2006"), []),
    (("--from", "2007-02-15", "--to", "2007-02-20"), ["stand-down"]),
    (("--from", "2007-02-15", "--to", "2007-02-20", "--within"), []),
    (("--from", "1985", "--to", "2007", "--within"), ["stand-down", "ceasefire", "new-year"]),
    # dateutil's formats, and EDTF with qualifiers
    (("--from", "29 August 2007", "--to", "Dec 2007"), ["ceasefire", "new-year"]),
    (("--from", "Aug 2007", "--to", "2007-08-31"), ["ceasefire"]),
    (("--to", "2007-02~"), ["war", "stand-down"]),
    # actor by id, name or alias, any case; repeats OR, different options AND
    (("--actor", "mahdi army"), ["stand-down"]),
    (("--actor", "JAISH AL-MAHDI"), ["stand-down"]),
    (("--actor", "JAM", "--actor", "u.s."), ["war", "stand-down", "new-year"]),
    (("--actor", "sadr", "--tag", "surge"), ["stand-down"]),
    (("--actor", "sadr", "--tag", "war"), []),
    (("--tag", "CEASEFIRE"), ["ceasefire"]),
    (("--tag", "war", "--tag", "edge"), ["war", "new-year"]),
    (("--place", "karbala"), ["ceasefire"]),
    (("--grep", "KARBALA battle"), ["ceasefire"]),
    (("--grep", "last february"), ["stand-down"]),
    (("--source", "paper-b"), ["new-year"]),
    (("--speaker", "Moqtada al-Sadr"), ["ceasefire"]),
])
def test_list_filters(args, expected):
    assert ids("list", *args) == expected


@pytest.mark.parametrize("args, expected", [
    ((), ["control", "rogue"]),  # control is dated 2008-01, rogue takes its source's 2008-02?
    (("--speaker", "sadr"), ["control"]),
    (("--speaker", "Washington"), ["rogue"]),
    (("--about", "ceasefire"), ["control", "rogue"]),
    (("--about", "war"), []),
    (("--from", "2008-02"), ["rogue"]),
    (("--contested",), ["control", "rogue"]),
    (("--grep", "rogue element"), ["rogue"]),
    (("--actor", "us"), ["rogue"]),  # an actor matches a claim through its speaker...
    (("--actor", "sadr", "--speaker", "us"), ["rogue"]),  # ... or the events it is about
    (("--tag", "ceasefire"), ["control", "rogue"]),
])
def test_claims_filters(args, expected):
    assert ids("claims", *args) == expected


@pytest.mark.parametrize("value", ["yesterday", "today", "2007-13", "not a date", "Monday"])
def test_unreadable_date_is_a_usage_error_that_quotes_it(value):
    result = run("list", "--ledger", str(MINI), "--from", value)
    assert result.exit_code == 2
    assert repr(value) in result.stderr
    assert result.stdout == ""


def test_unknown_actor_is_a_usage_error_with_a_suggestion():
    result = run("list", "--ledger", str(MINI), "--actor", "Mahdi Arny")
    assert result.exit_code == 2
    assert "no actor has that id, name or alias" in result.stderr
    assert "did you mean 'Mahdi Army'?" in result.stderr  # as the ledger spells it


def test_from_after_to_is_a_usage_error():
    assert run("list", "--ledger", str(MINI), "--from", "2008", "--to", "2007").exit_code == 2


def test_empty_result_exits_0():
    # a tag the ledger has, in years it has no such event: empty, and not an error
    result = run("list", "--ledger", str(MINI), "--tag", "war", "--from", "2007", "--within", "--format", "csv")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "id,date,start,end,precision,title,summary,actors,places,tags,sources,date_note,related"]


# ---------------------------------------------------------------- formats


def test_csv_columns_and_values_read_back_with_dictreader():
    result = run("list", "--ledger", str(MINI), "--format", "csv", "--actor", "sadr")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["id", "date", "start", "end", "precision", "title", "summary", "actors", "places",
                             "tags", "sources", "date_note", "related"]
    assert rows[0] == {
        "id": "stand-down", "date": "2007-02~", "start": "2007-02-01", "end": "2007-02-28", "precision": "month",
        "title": "Sadr orders JAM to stand down",
        "summary": "Sensing the surge, Sadr ordered the JAM to stand down.",
        "actors": "sadr; jam", "places": "Baghdad", "tags": "jam; surge", "sources": "paper-a",
        "date_note": "“last February” in an article of early 2008", "related": ""}
    assert rows[1]["related"] == "stand-down"
    assert not result.stdout.startswith("\ufeff")


def test_claims_csv_columns():
    result = run("claims", "--ledger", str(MINI), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0])[:12] == ["id", "date", "start", "end", "speaker", "speaker_name", "kind", "text", "source",
                                  "about", "supports", "disputes"]
    control = rows[0]
    assert (control["speaker_name"], control["disputes"], control["date"]) == ("Muqtada al-Sadr", "rogue", "2008-01")
    assert rows[1]["date"] == "2008-02?"  # the source's date


def test_tsv_and_bom():
    result = run("list", "--ledger", str(MINI), "--format", "tsv", "--bom", "--limit", "1")
    assert result.stdout.startswith("\ufeffid\tdate\tstart")
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff")), delimiter="\t"))
    assert rows[0]["title"] == "Iran–Iraq war"
    assert rows[0]["start"] == "1980-01-01" and rows[0]["end"] == "1988-12-31"


def test_json_and_jsonl_agree_with_csv_fields():
    as_json = json.loads(run("list", "--ledger", str(MINI), "--format", "json").stdout)
    lines = run("list", "--ledger", str(MINI), "--format", "jsonl").stdout.splitlines()
    as_jsonl = [json.loads(line) for line in lines]
    assert as_json == as_jsonl
    assert as_json[1]["actors"] == ["sadr", "jam"]
    assert as_json[0]["precision"] == "interval"


def test_markdown_chronology_has_years_and_footnotes():
    out = run("list", "--ledger", str(MINI), "--format", "md").stdout
    assert "\n## 1980\n" in out and "\n## 2007\n" in out
    assert "- **Aug 2007 (approx.)** — Sadr declares a six-month cease-fire (`ceasefire`)[^paper-a]" in out
    assert "[^paper-a]: Paper A. The Daily. Feb 2008 (uncertain)." in out


def test_plain_is_default_in_a_pipe_and_has_no_colour():
    out = run("list", "--ledger", str(MINI), "--color", "auto").stdout
    assert out.splitlines()[1] == "2007-02~\tstand-down\tSadr orders JAM to stand down"
    assert "\x1b" not in out


def test_table_groups_by_year_and_marks_fuzzy_dates():
    out = run("list", "--ledger", str(MINI), "--format", "table", "--color", "never").stdout
    assert "1980" in out and "~Feb 2007" in out  # compact: approximate is a leading ~
    assert out.index("1980") < out.index("2007")
    assert "\x1b" not in out


def test_color_always_colours_and_never_does_not():
    always = run("list", "--ledger", str(MINI), "--format", "table", "--color", "always").stdout
    assert "\x1b[" in always
    never = run("list", "--ledger", str(MINI), "--format", "table", "--color", "never").stdout
    assert "\x1b[" not in never


def test_reference_lists_count_events_and_claims():
    rows = json.loads(run("actors", "--ledger", str(MINI), "--format", "json").stdout)
    by_id = {r["id"]: r for r in rows}
    assert (by_id["sadr"]["events"], by_id["sadr"]["claims"]) == (2, 1)
    assert (by_id["us"]["events"], by_id["us"]["claims"]) == (2, 1)
    assert by_id["jam"]["aliases"] == ["JAM", "Jaish al-Mahdi"]
    tags = {r["tag"]: (r["events"], r["claims"]) for r in json.loads(
        run("tags", "--ledger", str(MINI), "--format", "json").stdout)}
    assert tags == {"ceasefire": (1, 2), "edge": (1, 0), "jam": (1, 0), "surge": (1, 0), "war": (1, 0)}
    sources = list(csv.DictReader(io.StringIO(run("sources", "--ledger", str(MINI), "--format", "csv").stdout)))
    assert [(s["id"], s["events"], s["claims"]) for s in sources] == [("paper-a", "3", "2"), ("paper-b", "1", "0")]


# ---------------------------------------------------------------- show


def test_show_event_in_full():
    result = run("show", "ceasefire", "--ledger", str(MINI), "--color", "never")
    assert result.exit_code == 0
    out = result.stdout
    for expected in ("Sadr declares a six-month cease-fire", "Aug 2007 (approx.)", "2007-08-01 to 2007-08-31",
                     "Muqtada al-Sadr, Shiite cleric", "Karbala", "stand-down: Sadr orders JAM to stand down",
                     "Paper A", "The Daily", "Disputing", "It tells me that [Sadr] has more control",
                     "✗ disputes United States: “They are operating as a rogue element.”  [rogue]",
                     "✗ disputed by Muqtada al-Sadr"):
        assert expected in out, expected
    assert "Supporting" not in out
    assert out.index("Related") < out.index("Sources") < out.index("Disputing")


def test_show_claim_source_actor():
    claim = run("show", "rogue", "--ledger", str(MINI), "--color", "never").stdout
    assert "Disputed by" in claim and "It tells me" in claim
    source = run("show", "paper-b", "--ledger", str(MINI), "--color", "never").stdout
    assert "The Weekly" in source and "new-year: Last day of 2007" in source
    actor = json.loads(run("show", "jam", "--ledger", str(MINI), "--format", "json").stdout)
    assert actor == [{"record": "actor", "id": "jam", "name": "Mahdi Army", "aliases": ["JAM", "Jaish al-Mahdi"],
                      "kind": "group", "role": "", "note": "", "events": 1, "claims": 0,
                      "event_ids": ["stand-down"], "claim_records": []}]


def test_show_unknown_id_suggests_the_closest():
    result = run("show", "ceasfire", "--ledger", str(MINI))
    assert result.exit_code == 1
    assert "did you mean ceasefire" in result.stderr
    assert result.stdout == ""


# ---------------------------------------------------------------- hostile text


def test_markup_and_escapes_are_shown_literally_in_tables():
    for color in ("never", "always"):
        out = run("list", "--ledger", str(HOSTILE), "--format", "table", "--color", color).stdout
        out += run("show", "markup", "--ledger", str(HOSTILE), "--color", color).stdout
        out += run("claims", "--ledger", str(HOSTILE), "--format", "table", "--color", color).stdout
        out += run("actors", "--ledger", str(HOSTILE), "--format", "table", "--color", color).stdout
        assert "[bold red]Mallory[/]" in out
        assert "\\x1b[31mred" in out and "\x1b[31mred" not in out
        assert "\x1b]8;;" not in out and "\x1b]0;" not in out and "\x07" not in out and "\x9b" not in out
        assert "\u202e" not in out and "\\u202e" in out
        assert "\u200b" not in out


@pytest.mark.parametrize("fmt", ["plain", "csv", "tsv", "md", "json", "jsonl"])
def test_no_raw_control_characters_reach_any_format(fmt):
    for command in ("list", "claims", "actors", "sources"):
        out = run(command, "--ledger", str(HOSTILE), "--format", fmt).stdout
        assert not any(ch in out for ch in ("\x1b", "\x07", "\x9b", "\u202e", "\u200b")), (command, fmt)


def test_csv_formula_cells_are_neutralised_unless_raw():
    rows = list(csv.DictReader(io.StringIO(run("list", "--ledger", str(HOSTILE), "--format", "csv").stdout)))
    assert rows[0]["summary"].startswith("'-2+3")
    assert rows[0]["tags"] == "'=tag"
    assert rows[0]["date_note"] == "'\tleading tab"
    sources = list(csv.DictReader(io.StringIO(run("sources", "--ledger", str(HOSTILE), "--format", "csv").stdout)))
    assert sources[0]["title"].startswith("'=HYPERLINK(")
    assert sources[0]["publisher"].startswith("'+cmd")
    claims = list(csv.DictReader(io.StringIO(run("claims", "--ledger", str(HOSTILE), "--format", "csv").stdout)))
    assert claims[0]["text"].startswith("'=1+1")
    raw = list(csv.DictReader(io.StringIO(run("list", "--ledger", str(HOSTILE), "--format", "csv", "--raw").stdout)))
    assert raw[0]["summary"].startswith("-2+3")


# ---------------------------------------------------------------- as a real process in a pipe


def _iqtl(*args: str, env=None) -> subprocess.CompletedProcess:
    environ = {**os.environ, **(env or {})}
    environ.pop("NO_COLOR", None) if env is None or "NO_COLOR" not in env else None
    return subprocess.run([sys.executable, "-m", "iqtl", *args], capture_output=True, text=True, env=environ,
                          cwd=ROOT, timeout=60)


def test_pipe_csv_reads_back_in_sqlite(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "iqtl", "list", "--ledger", str(MINI), "--format", "csv"],
                          capture_output=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and proc.stderr == b""
    assert proc.stdout.count(b"\r\n") == 5  # RFC 4180 line ends: header and four rows
    text = proc.stdout.decode("utf-8")
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8", newline="")
    db = tmp_path / "t.db"
    sqlite = shutil.which("sqlite3")
    if sqlite:
        subprocess.run([sqlite, str(db), ".mode csv", f".import {path} events"], check=True, timeout=30)
    else:  # the same import through the library, where the shell is not installed
        con = sqlite3.connect(db)
        reader = csv.reader(io.StringIO(text))
        header = next(reader)
        con.execute(f"create table events ({', '.join(header)})")
        con.executemany(f"insert into events values ({', '.join('?' * len(header))})", reader)
        con.commit()
    con = sqlite3.connect(db)
    got = con.execute("select id, start, actors, summary from events order by start").fetchall()
    assert got[1] == ("stand-down", "2007-02-01", "sadr; jam", "Sensing the surge, Sadr ordered the JAM to stand down.")
    assert len(got) == 4


def test_pipe_default_is_plain_and_uncoloured():
    proc = _iqtl("list", "--ledger", str(MINI))
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[0] == "1980/1988\twar\tIran–Iraq war"
    assert "\x1b" not in proc.stdout


def test_pipe_closed_early_is_not_an_error():
    proc = subprocess.run(f"{sys.executable} -m iqtl list --ledger {MINI} --format jsonl | head -c 10",
                          shell=True, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert "Traceback" not in proc.stderr and "Error" not in proc.stderr


def test_errors_go_to_stderr_and_usage_errors_exit_2():
    proc = _iqtl("list", "--ledger", str(MINI), "--format", "yaml")
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("iqtl: error:") and "Traceback" not in proc.stderr


def test_no_color_is_honoured_on_a_terminal():
    pexpect = pytest.importorskip("pexpect")
    cmd = f"{sys.executable} -m iqtl list --ledger {MINI}"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"TERM": "xterm-256color", "COLUMNS": "100"}
    coloured = pexpect.run(cmd, env=env, cwd=str(ROOT), timeout=60, encoding="utf-8")
    plain = pexpect.run(cmd, env=env | {"NO_COLOR": "1"}, cwd=str(ROOT), timeout=60, encoding="utf-8")
    assert "~Feb 2007" in coloured and "~Feb 2007" in plain  # a table: it is a terminal
    assert "\x1b[33m" in coloured
    assert "\x1b[33m" not in plain


def test_shell_completion_offers_ids_actors_and_tags_from_the_ledger():
    def complete(words: str, cword: int) -> list[str]:
        env = {**os.environ, "_IQTL_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(cword),
               "IQTL_LEDGER": str(MINI)}
        proc = subprocess.run([sys.executable, "-m", "iqtl"], env=env, capture_output=True, text=True, timeout=60,
                              cwd=ROOT)
        return proc.stdout.split()

    assert complete("iqtl show cea", 2) == ["ceasefire"]
    assert complete("iqtl list --actor s", 3) == ["sadr"]
    assert complete("iqtl list --tag e", 3) == ["edge"]
    assert complete("iqtl claims --source paper-", 3) == ["paper-a", "paper-b"]


def test_help_states_the_filter_rule_and_bare_iqtl_prints_help_without_an_error_line():
    assert "repeating an option ORs its values" in run("--help").stdout
    assert "Repeating a filter ORs its values; different filters AND" in run("list", "--help").stdout
    proc = _iqtl()
    assert proc.returncode == 2
    assert "Usage: iqtl" in proc.stdout + proc.stderr
    assert "error" not in proc.stderr


def test_only_a_query_without_filters_selects_all():
    """select_events/select_claims skip matching when Query.selects_all: every filter must end it."""
    from dataclasses import fields, replace

    from iqtl.query import Query

    assert Query().selects_all and Query(limit=3, reverse=True).selects_all
    for f in fields(Query):
        if f.name in ("limit", "reverse"):
            continue
        value = 1 if f.name in ("start", "end") else True if f.name == "within" else ("x",)
        assert not replace(Query(), **{f.name: value}).selects_all, f.name


def test_a_run_builds_only_its_command_and_pipes_get_plain_help():
    """The process entry point builds the named command alone (the same output as the whole app),
    root help and unknown names get every command, and help into a pipe is plain."""
    from iqtl.cli.app import _names_for, app, build_app

    def _app_for(args, tty):
        return build_app(_names_for(args), rich_help=tty)

    def names(lean):
        return [c.name or c.callback.__name__ for c in lean.registered_commands] + [
            g.name for g in lean.registered_groups]

    assert names(_app_for(["--no-cache", "list", "--tag", "x"], tty=True)) == ["list"]
    assert names(_app_for(["add", "event"], tty=True)) == ["add"]
    for args in ([], ["--help"], ["lst"], ["--version", "-h"], ["-h", "list"]):
        assert names(_app_for(args, tty=True)) == names(app), args
    assert names(_app_for(["--version"], tty=True)) == []
    version = _iqtl("--version")
    assert version.returncode == 0 and version.stdout.startswith("iqtl ")
    assert _app_for([], tty=False).rich_markup_mode is None and app.rich_markup_mode == "markdown"

    piped = _iqtl("list", "--ledger", str(MINI), "--format", "csv")
    assert piped.returncode == 0 and piped.stdout == run("list", "--ledger", str(MINI), "--format", "csv").stdout
    helped = _iqtl("--help")
    assert helped.returncode == 0 and "╭" not in helped.stdout
    assert all(f"\n  {name} " in helped.stdout for name in names(app) if name != "list_command")
    typo = _iqtl("lst")
    assert typo.returncode == 2 and "No such command 'lst'. Did you mean 'list'?" in typo.stderr


def test_a_closed_stdout_is_no_crash():
    """`iqtl check >&-` in a cron job: Python starts with sys.stdout None; the exit status is the check's."""
    proc = subprocess.run([sys.executable, "-m", "iqtl", "check", "--ledger", str(MINI)], stderr=subprocess.PIPE,
                          text=True, timeout=60, cwd=ROOT, preexec_fn=lambda: os.close(1))
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
