"""Hostile ledgers, hand-made and generated: whatever the bytes, `check` and every reading command
exit 1 or 2 with located messages (PATH:LINE:COL where the fault has a position), never a
traceback, never a hang, and never write anything.

Hand-made fixtures are in tests/fixtures/hostile/: each `# expect: CODE` comment names the error
that line must get (and no line without one gets any).  The rest are generated here: encodings,
line endings, NUL bytes, duplicate tables, every field of every table with a value of the wrong
type, huge strings, deep nesting, random bytes (hypothesis), mutations of the mini ledger, and the
seed ledger truncated at every byte offset (a stride by default; IQTL_HARDENING=long for all).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iqtl.core.schema import FIELDS
from iqtl.ledgerfile.loader import load_bytes

from .conftest import FIXTURES, MINI, SEED
from .hardening import (  # noqa: F401 - bounded and private_cache are autouse fixtures
    FILE_LEVEL,
    IQTL,
    LONG,
    assert_clean_failure,
    bound,
    bounded,
    cli,
    located,
    private_cache,
    reading_commands,
    sized,
    snapshot,
    subprocess_env,
    tally,
)

pytestmark = pytest.mark.hardening  # the slow suite: `-m 'not hardening'` leaves it out

HOSTILE = FIXTURES / "hostile"
MINI_BYTES = MINI.read_bytes()
MINI_TEXT = MINI_BYTES.decode("utf-8")


def problems_of(data: bytes, path: str = "hostile.toml") -> list:
    """The loader never raises: every problem has a position, unless the whole file is at fault."""
    result = load_bytes(data, path)
    for p in result.problems:
        assert p.line >= 1 and p.col >= 1 or p.code in FILE_LEVEL, p
        assert "\n" not in str(p) and "\r" not in str(p), p
    return result.problems


def sweep(tmp_path: Path, monkeypatch, name: str, data: bytes, *, clean: bool = False, keep=None,
          extra: tuple = (), color: str | None = None) -> int:
    """Every reading command (those `keep` keeps, and `extra` ones) on one ledger, run from the
    ledger's own directory, which must not change (no lock, no cache, no temp file).  Returns how
    many commands ran."""
    home = tmp_path / f"ledger-{len(list(tmp_path.iterdir()))}"
    home.mkdir()
    ledger = home / name
    ledger.write_bytes(data)
    monkeypatch.chdir(home)
    before = snapshot(home)
    file_level = any(p.line == 0 for p in load_bytes(data, str(ledger)).problems)
    commands = [c for c in reading_commands(ledger) if keep is None or keep(c)]
    commands += [(*c, "--ledger", str(ledger)) for c in extra]
    if color:
        commands = [(*c, "--color", color) if c[0] in ("list", "claims", "chart", "stats", "show", "actors", "diff",
                                                       "compare") else c for c in commands]
    for args in commands:
        result = cli(*args)
        if clean:
            allowed = (0, 1) if args[0] in ("compare", "diff") else (0,)
            assert result.exit_code in allowed, (args[:3], result.stderr[-1000:])
            assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        else:
            assert_clean_failure(result, args, str(ledger), file_level)
    assert snapshot(home) == before, f"{name}: a reading command wrote something"
    return len(commands)


def expectations(text: str) -> dict[int, set[str]]:
    """`# expect: code, code` comments: line -> the error codes that line must get."""
    out = {}
    for number, line in enumerate(text.splitlines(), 1):
        m = re.search(r"#\s*expect:\s*([a-z, -]+)$", line)
        if m:
            out[number] = {c.strip() for c in m.group(1).split(",")}
    return out


# ---------------------------------------------------------------- hand-made fixtures

HAND_MADE = ["bad-dates.toml", "bad-ids.toml", "structure.toml"]


def test_every_hand_made_fixture_is_used():
    assert {p.name for p in HOSTILE.glob("*.toml")} == {*HAND_MADE, "edge-dates.toml"}


@pytest.mark.parametrize("name", HAND_MADE)
def test_each_error_is_on_the_line_that_expects_it(name):
    path = HOSTILE / name
    text = path.read_text(encoding="utf-8")
    expected = expectations(text)
    result = cli("check", "--format", "json", "--ledger", str(path))
    assert result.exit_code == 1
    got: dict[int, set[str]] = {}
    for p in json.loads(result.stdout):
        assert p["line"] >= 1 and p["col"] >= 1, p
        if p["severity"] == "error":
            got.setdefault(p["line"], set()).add(p["code"])
    assert got == expected
    tally(f"expectations[{name}]", located_errors=sum(len(c) for c in got.values()))


def test_a_bad_date_is_located_to_the_character():
    """The column points inside the quoted date, at the character at fault (or the first)."""
    path = HOSTILE / "bad-dates.toml"
    lines = path.read_text(encoding="utf-8").splitlines()
    problems = [p for p in json.loads(cli("check", "-F", "json", "-L", str(path)).stdout) if p["code"] == "bad-date"]
    assert len(problems) == sum("# expect: bad-date" in line for line in lines)
    for p in problems:
        line = lines[p["line"] - 1]
        opening = line.index('"') + 1  # 1-based column of the opening quote
        value = line[opening:line.index('"', opening)]
        assert opening < p["col"] <= opening + max(1, len(value)) + 1, (p, line)
    # a few by hand: the day of 2007-02-30, the month of 2007-13, the end of an interval out of order
    at = {lines[p["line"] - 1].split('"')[1]: p["col"] - lines[p["line"] - 1].index('"') - 2 for p in problems}
    assert (at["2007-02-30"], at["2007-13"], at["2008/2007"], at["2007-25"]) == (8, 5, 5, 5)


@bound(60)
@pytest.mark.parametrize("name", HAND_MADE)
def test_reading_commands_refuse_a_hand_made_hostile_ledger(tmp_path, monkeypatch, name):
    ran = sweep(tmp_path, monkeypatch, name, (HOSTILE / name).read_bytes())
    tally(f"sweep[{name}]", commands=ran)


@bound(90)
def test_dates_at_every_valid_edge_work_in_every_command(tmp_path, monkeypatch):
    """Year 0, negative and nine-digit years, open and unknown ends: each in every view.  (A
    Y-year once made chart, stats and the HTML export loop over a billion years.)"""
    data = (HOSTILE / "edge-dates.toml").read_bytes()
    assert cli("check", "--strict", "-L", str(HOSTILE / "edge-dates.toml")).exit_code == 0
    extra = [("chart", "--width", "30"), ("chart", "--lanes", "0", "--width", "300"), ("chart", "--from", "1900"),
             ("stats", "--to", "2000"), ("export", "html", "--from", "-0044", "--to", "9999"),
             ("list", "--from", "0000", "--to", "0000"), ("list", "--within", "--from", "1980", "--to", "2010")]
    ran = 0
    for color in ("never", "always"):
        started = time.monotonic()
        ran += sweep(tmp_path, monkeypatch, "edge-dates.toml", data, clean=True, extra=tuple(extra), color=color)
        assert time.monotonic() - started < 30
    out = cli("chart", "-L", str(HOSTILE / "edge-dates.toml"), "--width", "100", "--color", "never").stdout
    assert "-999999999–999999999" in out.splitlines()[0]
    stats = cli("stats", "-L", str(HOSTILE / "edge-dates.toml"), "--color", "never").stdout
    assert "-999999998–-170000003 0" in stats  # a run of empty years is one row
    tally("edge-dates", dates=len(re.findall(r"^date = ", data.decode(), re.M)), commands=ran)


# ---------------------------------------------------------------- generated: encodings, line endings, NUL, tables


def _with(text: str, old: str, new: str) -> bytes:
    assert old in text, old
    return text.replace(old, new, 1).encode("utf-8")


TITLE_LINE = 'title = "Paper A"'
SNIPPETS: dict[str, bytes] = {
    # encodings
    "utf16-le-bom": b"\xff\xfe" + MINI_TEXT.encode("utf-16-le"),
    "utf16-be-bom": b"\xfe\xff" + MINI_TEXT.encode("utf-16-be"),
    "utf16-le-no-bom": MINI_TEXT.encode("utf-16-le"),
    "utf16-be-no-bom": MINI_TEXT.encode("utf-16-be"),
    "utf32-bom": MINI_TEXT.encode("utf-32"),
    "latin1": MINI_TEXT.replace("Paper A", "Caf\u00e9").encode("latin-1", "replace"),
    "cp1252-quotes": MINI_TEXT.encode("cp1252", "replace"),
    "lone-continuation-byte": MINI_BYTES.replace(b"Paper A", b"Paper \x80A", 1),
    "overlong-slash": MINI_BYTES.replace(b"Paper A", b"Paper \xc0\xafA", 1),
    "encoded-surrogate": MINI_BYTES.replace(b"Paper A", b"Paper \xed\xa0\x80A", 1),
    "truncated-multibyte-at-end": MINI_BYTES + b"# \xe2\x80",
    "two-boms": b"\xef\xbb\xbf\xef\xbb\xbf" + MINI_BYTES,
    "bom-in-the-middle": MINI_BYTES.replace(b"\n[[actor]]", b"\n\xef\xbb\xbf[[actor]]", 1),
    "empty": b"",
    "whitespace-only": b" \n\t\r\n  \n",
    "bom-only": b"\xef\xbb\xbf",
    "comment-only": b"# nothing here\n",
    # line endings
    "bare-cr": MINI_BYTES.replace(b"\n", b"\r"),
    "cr-inside-a-line": MINI_BYTES.replace(b'id = "war"', b'id = "war"\r date = 1', 1),
    "cr-at-the-end": MINI_BYTES.rstrip(b"\n") + b"\r",
    "form-feed-and-vertical-tab": MINI_BYTES.replace(b"\n[[event]]", b"\n\x0c\x0b[[event]]", 1),
    # NUL bytes
    "nul-first": b"\x00" + MINI_BYTES,
    "nul-in-a-comment": MINI_BYTES.replace(b"# A small", b"# A \x00small", 1),
    "nul-in-a-string": MINI_BYTES.replace(b"Paper A", b"Paper\x00A", 1),
    "nul-in-a-key": MINI_BYTES.replace(b"publisher", b"publ\x00isher", 1),
    "nul-at-the-end": MINI_BYTES + b"\x00",
    "all-nul": b"\x00" * 4096,
    # duplicate and clashing tables and keys
    "duplicate-table": _with(MINI_TEXT, "[[actor]]", '[meta]\nx = "1"\n\n[meta]\nx = "2"\n\n[[actor]]'),
    "array-then-table": MINI_BYTES + b'\n[event]\nid = "x"\n',
    "table-then-array": _with(MINI_TEXT, "[[source]]", '[source]\nid = "x"\n\n[[source]]'),
    "schema-twice": _with(MINI_TEXT, "schema = 1", "schema = 1\nschema = 1"),
    "key-twice-in-a-record": _with(MINI_TEXT, TITLE_LINE, f"{TITLE_LINE}\n{TITLE_LINE}"),
    "empty-array-then-tables": _with(MINI_TEXT, "schema = 1", "schema = 1\nevent = []"),
    "source-as-a-table": _with(MINI_TEXT.split("[[source]]")[0], "schema = 1",
                               'schema = 1\n[source]\nid = "paper-a"\ntitle = "T"'),
    "dotted-header": MINI_BYTES.split(b"[[source]]")[0] + b'[event.x]\nid = "a"\n',
    "dotted-array-header": MINI_BYTES.replace(b"[[actor]]", b"[[act.or]]", 1),
    "dotted-top-level-key": _with(MINI_TEXT, "schema = 1", 'schema = 1\nsourc.e = "x"'),
    "list-at-top-level": _with(MINI_TEXT, "schema = 1", 'schema = 1\nactors = ["us"]'),
    "inline-records": b'schema = 1\nevent = [{ id = "x", date = "2007-13" }, { id = "y" }]\n',
    "escaped-key": _with(MINI_TEXT, 'date = "2008-02?"', '"\\u0064ate" = "2008-13"'),
    "unclosed-string": _with(MINI_TEXT, TITLE_LINE, 'title = "Paper A'),
    "unclosed-multiline-string": MINI_BYTES + b'\n[[actor]]\nid = "x"\nname = """never closed\n',
    "unclosed-array": MINI_BYTES.replace(b'aliases = ["Sadr", ', b'aliases = ["Sadr", [', 1),
    "header-only": b"[[event]]\n",
    "deep-nesting-300": b"schema = 1\nx = " + b"[" * 300 + b"]" * 300 + b"\n",
    "deep-inline-300": b"schema = 1\nx = " + b"{a = " * 300 + b"1" + b"}" * 300 + b"\n",
    "nested-list-in-a-field": MINI_BYTES.replace(b'tags = ["war"]', b'tags = ' + b"[" * 200 + b"]" * 200, 1),
    # garbage
    "brackets": b"[[[[",
    "equals": b"=",
    "quote": b'"',
    "triple-quote": b"'''",
    "binary": bytes(range(256)) * 4,
    "png-header": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
    "json-instead": json.dumps({"schema": 1, "event": []}).encode(),
    "yaml-instead": b"schema: 1\nevent:\n  - id: x\n",
}


@pytest.mark.parametrize("name", list(SNIPPETS))
def test_generated_hostile_ledger_is_refused_with_located_problems(name):
    data = SNIPPETS[name]
    problems = problems_of(data)
    assert any(p.severity == "error" for p in problems), name
    result = cli("check", "--ledger", _write_once(name, data))
    assert result.exit_code == 1 and result.stdout and "Traceback" not in result.stdout + result.stderr


_WRITTEN: dict[str, str] = {}


def _write_once(name: str, data: bytes) -> str:
    if name not in _WRITTEN:
        directory = tempfile.mkdtemp(prefix="iqtl-hostile-")
        path = os.path.join(directory, f"{name}.toml")
        Path(path).write_bytes(data)
        _WRITTEN[name] = path
    return _WRITTEN[name]


@pytest.fixture(scope="module", autouse=True)
def _forget_written():
    yield
    for path in _WRITTEN.values():
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)
    _WRITTEN.clear()


def test_file_level_messages_are_one_clear_line():
    for name, expected in [("utf16-le-bom", "the ledger is UTF-16"), ("utf16-be-bom", "the ledger is UTF-16"),
                           ("utf32-bom", "the ledger is UTF-16"),
                           ("latin1", "Latin-1 or Windows-1252"), ("empty", "the ledger is empty"),
                           ("whitespace-only", "the ledger is empty")]:
        path = _write_once(name, SNIPPETS[name])
        result = cli("list", "--ledger", path)
        assert result.exit_code == 1 and result.stdout == ""
        first = result.stderr.splitlines()[0]
        assert first.startswith(path) and expected in first, (name, first)


@pytest.mark.parametrize("name", ["utf16-le-no-bom", "utf16-be-no-bom"])
def test_utf16_without_a_byte_order_mark_is_named(name):
    (problem,) = problems_of(SNIPPETS[name])
    assert "UTF-16" in problem.message, str(problem)


@bound(120)
def test_every_reading_command_refuses_every_generated_ledger(tmp_path, monkeypatch):
    names = list(SNIPPETS)
    ran = 0
    for name in names:
        ran += sweep(tmp_path, monkeypatch, f"{name}.toml", SNIPPETS[name])
    tally("sweep[generated]", ledgers=len(names), commands=ran)


@pytest.mark.parametrize("ending", ["crlf", "mixed", "bom-crlf"])
def test_crlf_and_mixed_line_endings_read_as_lf(tmp_path, monkeypatch, ending):
    lines = MINI_BYTES.split(b"\n")
    data = {"crlf": b"\r\n".join(lines),
            "mixed": b"".join(line + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines)),
            "bom-crlf": b"\xef\xbb\xbf" + b"\r\n".join(lines)}[ending]
    path = tmp_path / "l.toml"
    path.write_bytes(data)
    for fmt in ("json", "csv", "plain", "md"):
        for command in ("list", "claims", "sources", "actors"):
            assert cli(command, "-F", fmt, "-L", str(path)).stdout == cli(command, "-F", fmt, "-L", str(MINI)).stdout
    ran = sweep(tmp_path, monkeypatch, "l.toml", data, clean=True)
    tally(f"line-endings[{ending}]", commands=ran)


@pytest.mark.parametrize("separator", ["\x85", "\u2028", "\u2029"])
@pytest.mark.parametrize("where", ["string", "comment", "multi-line string"])
def test_unicode_line_separators_do_not_shift_the_lines_after(separator, where):
    """TOML ends lines at LF only: a NEL or LINE SEPARATOR in a string or a comment is not a line
    end (the locator once counted it as one, and put every later error lines too far down)."""
    text = {"string": MINI_TEXT.replace('title = "Paper A"', f'title = "Paper{separator}A{separator}"'),
            "comment": MINI_TEXT.replace("# A small ledger", f"# A{separator}small{separator}ledger"),
            "multi-line string": MINI_TEXT.replace('title = "Paper A"', f'title = """Paper{separator}\nA"""')}[where]
    text = text.replace('date = "2007-08~"', 'date = "2007-13"')
    line = text.split("\n").index('date = "2007-13"') + 1
    errors = [p for p in problems_of(text.encode("utf-8")) if p.severity == "error"]
    assert [(p.line, p.col, p.code) for p in errors] == [(line, 14, "bad-date")]


# ---------------------------------------------------------------- every field, the wrong type

WRONG = {  # TOML literals
    "int": "1", "float": "1.5", "bool": "true", "date": "1979-05-27", "datetime": "1979-05-27T07:32:00Z",
    "time": "07:32:00", "inline-table": "{ a = 1 }", "inf": "inf", "nan": "nan", "string": '"x"', "empty": '""',
    "blank": '"   "', "empty-list": "[]", "list": '["x"]', "list-of-ints": "[1, 2]", "mixed-list": '["x", 1]',
    "nested-list": '[["x"]]', "list-of-tables": "[{ a = 1 }]", "list-of-bools": "[true]",
    "not-a-slug": '"Not A Slug"', "not-a-choice": '"grup"', "bad-edtf": '"2007-13"', "edtf-as-int": "2007",
    "negative": "-1",
}
SCALARS = ["int", "float", "bool", "date", "datetime", "time", "inline-table", "inf", "nan", "list", "empty-list",
           "list-of-tables"]


def wrong_values(field) -> list[str]:
    if field.type == "list of strings":
        out = ["string", "int", "float", "bool", "date", "inline-table", "list-of-ints", "mixed-list", "nested-list",
               "list-of-tables", "list-of-bools"]
        return out + (["empty-list"] if field.required else [])
    if field.type == "date":
        return [*SCALARS, "edtf-as-int", "empty", "blank", "bad-edtf"]
    if field.type == "integer":  # a position in an archive: a whole number of 0 or more
        return [w for w in SCALARS if w != "int"] + ["string", "empty", "negative"]
    out = list(SCALARS)
    if field.required:
        out += ["empty", "blank"]
    if field.name == "id":
        out.append("not-a-slug")
    if field.choices:
        out += ["not-a-choice", "blank"]
    return out


def _mini_records() -> dict[str, list[dict]]:
    return tomllib.loads(MINI_TEXT)


def _toml_value(value) -> str:
    return json.dumps(value, ensure_ascii=False)  # strings and lists of strings: JSON is TOML here


def ledger_with(kind: str, name: str, literal: str) -> tuple[bytes, int]:
    """The mini ledger with one field of the first `kind` record set to a TOML literal; and its line."""
    raw = _mini_records()
    lines = ["schema = 1"]
    at = 0
    for k in ("source", "actor", "event", "claim"):
        for i, rec in enumerate(raw[k]):
            lines += ["", f"[[{k}]]"]
            fields = dict(rec)
            if k == kind and i == 0:
                fields[name] = None
            for key, value in fields.items():
                if k == kind and i == 0 and key == name:
                    lines.append(f"{key} = {literal}")
                    at = len(lines)
                else:
                    lines.append(f"{key} = {_toml_value(value)}")
    return ("\n".join(lines) + "\n").encode("utf-8"), at


WRONG_CASES = [(kind, f.name, w) for kind, fields in FIELDS.items() for f in fields for w in wrong_values(f)]


def test_every_field_of_every_table_with_a_wrong_value_is_refused_at_its_line():
    count = 0
    for kind, name, wrong in WRONG_CASES:
        data, line = ledger_with(kind, name, WRONG[wrong])
        problems = problems_of(data)
        errors = [p for p in problems if p.severity == "error"]
        assert any(p.line == line for p in errors), (kind, name, wrong, [str(p) for p in problems])
        assert any(name in p.message or "source" in p.message for p in errors if p.line == line), (kind, name, wrong)
        count += 1
    assert count == len(WRONG_CASES) > 300
    tally("wrong-types", ledgers=count, fields=sum(len(f) for f in FIELDS.values()))


@bound(120)
def test_reading_commands_refuse_wrong_types(tmp_path, monkeypatch):
    """Every reading command on a wrong value of each field (every wrong value, in the long setting)."""
    cases = WRONG_CASES if LONG else list({(k, n): (k, n, w) for k, n, w in WRONG_CASES}.values())
    ran = 0
    for kind, name, wrong in cases:
        data, _ = ledger_with(kind, name, WRONG[wrong])
        ran += sweep(tmp_path, monkeypatch, "w.toml", data, keep=lambda c: LONG or c[0] in ("check", "list", "export"))
    tally("sweep[wrong-types]", ledgers=len(cases), commands=ran)


@pytest.mark.parametrize("literal", ['"1"', "[1]", "true", "{ v = 1 }", "2", "0", "-1", "nan", "1979-05-27",
                                     "1.0", "1e0"])
def test_schema_of_the_wrong_type_is_refused(literal):
    data = MINI_BYTES.replace(b"schema = 1", f"schema = {literal}".encode(), 1)
    errors = [p for p in problems_of(data) if p.severity == "error"]
    assert [(p.line, p.code) for p in errors] == [(2, "schema")], [str(p) for p in errors]


# ---------------------------------------------------------------- huge and deep


@bound(120)
def test_ten_megabyte_strings(tmp_path):
    """A 10 MB summary reads, checks, lists and exports within seconds, and a 1 MB title of words
    (256 KB by default) goes through Rich's wrapping (linear, about 1.5 s a megabyte); a fault after a huge string is
    still located, and an unclosed 10 MB string is located where it opens."""
    huge = "x" * (10 * 1024 * 1024)
    words = "word " * (sized(50, 200) * 1024)  # 256 KB by default, 1 MB in the long setting
    ok = tmp_path / "huge.toml"
    ok.write_bytes(_with(MINI_TEXT, 'summary = "The bloody 1980-88 war."', f'summary = "{huge}"')
                   .replace(b'title = "Iran\xe2\x80\x93Iraq war"', f'title = "{words}"'.encode(), 1))
    assert words.encode() in ok.read_bytes()
    timings = {}
    for args in (("check", "--strict"), ("list", "-F", "csv"), ("show", "war", "-F", "json"), ("export", "jsonl"),
                 ("show", "war", "--color", "never"), ("list", "-F", "table", "--color", "never"),
                 ("export", "html"), ("export", "timelinejs"), ("stats",), ("chart",)):
        started = time.monotonic()
        result = cli(*args, "--ledger", str(ok))
        took = timings[" ".join(args)] = round(time.monotonic() - started, 2)
        assert result.exit_code == 0, (args, result.stderr[-500:])
        assert took < 30, timings
        if args[0] == "export" or "csv" in args:
            assert huge in result.stdout
    bad = tmp_path / "huge-bad.toml"
    bad.write_bytes(_with(MINI_TEXT, 'summary = "The bloody 1980-88 war."', f'summary = "{huge}"')
                    .replace(b'date = "2007-08~"', b'date = "2007-13"', 1))
    lines = bad.read_bytes().split(b"\n")
    bad_line = next(i for i, line in enumerate(lines, 1) if line == b'date = "2007-13"')
    errors = [(p.line, p.code) for p in problems_of(bad.read_bytes()) if p.severity == "error"]
    assert errors == [(bad_line, "bad-date")]
    unclosed = MINI_BYTES + b'\n[[actor]]\nid = "x"\nname = "' + huge.encode() + b"\n"
    (p,) = problems_of(unclosed)
    assert (p.code, p.line) == ("toml", MINI_BYTES.count(b"\n") + 4), str(p)[:200]
    many_lines = MINI_BYTES + b"# \n" * 500_000 + b'[[actor]]\nid = "Bad Id"\nname = "x"\n'
    assert [(p.line, p.code) for p in problems_of(many_lines) if p.severity == "error"] == [
        (MINI_BYTES.count(b"\n") + 500_002, "bad-id")]
    tally("huge-strings", megabytes=10, title_bytes=len(words), lines=500_000, seconds=timings)


@pytest.mark.parametrize("depth", [500, 1000, 100_000])
@pytest.mark.parametrize("shape", ["array", "inline-table"])
def test_deep_nesting_is_a_located_error(depth, shape):
    value = b"[" * depth + b"]" * depth if shape == "array" else b"{a = " * depth + b"1" + b"}" * depth
    problems = problems_of(b"schema = 1\nx = " + value + b"\n")
    assert problems and all(p.line == 2 for p in problems if p.severity == "error")


def test_nesting_up_to_the_parser_limit_is_located():
    for name in ("deep-nesting-300", "deep-inline-300", "nested-list-in-a-field"):
        errors = [p for p in problems_of(SNIPPETS[name]) if p.severity == "error"]
        assert errors and all(p.line >= 2 for p in errors), name


# ---------------------------------------------------------------- generated: hypothesis

SETTINGS = settings(max_examples=sized(150, 5000), deadline=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SETTINGS
@given(st.binary(max_size=3000))
def test_random_bytes(data):
    problems = problems_of(data)
    assert problems  # random bytes are never a valid ledger with schema = 1... and if they were, say so
    assert all(p.severity in ("error", "warning") for p in problems)


TOKENS = [b"[", b"]", b"[[", b"]]", b"{", b"}", b'"', b"'", b'"""', b"'''", b"=", b"\n", b"\r\n", b"\r", b"#",
          b".", b",", b"\x00", b"\\", b"\\u", b"\\U0010FFFF", b"event", b"claim", b"source", b"actor", b"id", b"date",
          b" ", b"\t", b"\xef\xbb\xbf", b"\xff", b"1", b'"2007-13"', b"true", b"1979-05-27T07:32:00Z", b"inf",
          b"nan", "\u202e".encode(), b"[[event]]\n", b'id = "x"\n', b"schema = 1\n", b'"a b"', b"-", b"+", b"0x1"]
MUTATION = st.tuples(st.sampled_from(["delete", "insert", "replace", "copy"]), st.floats(0, 1), st.integers(1, 40),
                     st.sampled_from(TOKENS), st.integers(0, 255), st.floats(0, 1))


def mutate(base: bytes, ops) -> bytes:
    data = bytearray(base)
    for op, where, size, token, byte, other in ops:
        p = int(where * len(data))
        if op == "delete":
            del data[p:p + size]
        elif op == "insert":
            data[p:p] = token
        elif op == "replace" and p < len(data):
            data[p] = byte
        else:
            q = int(other * len(data))
            data[p:p] = data[q:q + size]
    return bytes(data)


@SETTINGS
@given(st.lists(MUTATION, min_size=1, max_size=6))
def test_mutations_of_a_valid_ledger(ops):
    problems_of(mutate(MINI_BYTES, ops))


KEYS = st.sampled_from(["id", "date", "title", "summary", "sources", "actors", "tags", "text", "speaker", "source",
                        "name", "kind", "about", "disputes", "related", "publisher", "x", "Id", "sorces", "schema"])
LEAF = (st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=True)
        | st.text(max_size=20) | st.sampled_from(["2007", "2007-13", "paper-a", "sadr", "Bad Id", "", "../.."])
        | st.dates() | st.datetimes())
VALUES = st.recursive(LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                      max_leaves=12)
RECORD = st.dictionaries(KEYS, VALUES, max_size=8)
DOCUMENT = st.fixed_dictionaries({}, optional={
    "schema": st.sampled_from([1, 2, "1", True]) | VALUES,
    "source": st.lists(RECORD, max_size=3) | VALUES, "actor": st.lists(RECORD, max_size=3),
    "event": st.lists(RECORD, max_size=4) | VALUES, "claim": st.lists(RECORD, max_size=3),
    "events": VALUES, "x": VALUES})


def _drop_none(value):
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value if v is not None]
    return value


@SETTINGS
@given(DOCUMENT)
def test_generated_toml_documents(doc):
    """Well-formed TOML of any shape, with the ledger's keys in the wrong places and types."""
    import tomli_w

    try:
        text = tomli_w.dumps(_drop_none(doc))
    except (TypeError, ValueError):  # a shape TOML cannot write (e.g. mixed arrays of tables)
        return
    problems_of(text.encode("utf-8"))


# ---------------------------------------------------------------- the seed, truncated at every byte


def _check_truncations(offsets: list[int]) -> tuple[int, int]:
    """(offsets tried, how many were refused); raises on an unlocated or crashing one."""
    data = SEED.read_bytes()
    refused = 0
    for n in offsets:
        try:
            result = load_bytes(data[:n], "events.toml")
        except Exception as exc:  # noqa: BLE001 - any exception is the finding
            raise AssertionError(f"truncated at {n}: {type(exc).__name__}: {exc}") from None
        for p in result.problems:
            if p.line < 1 or p.col < 1:
                assert p.code in FILE_LEVEL and not data[:n].strip(), (n, str(p))
        refused += bool(result.errors)
    return len(offsets), refused


@bound(900)
def test_the_seed_truncated_at_every_offset():
    data = SEED.read_bytes()
    if LONG:
        offsets = list(range(len(data) + 1))
    else:  # a stride, and both sides of every 41st line end: the interesting cuts
        ends = [i for i, b in enumerate(data) if b == 10][::41]
        offsets = sorted({*range(0, len(data) + 1, 211), *(e for i in ends for e in (i, i + 1, i + 2)), len(data)})
    workers = min(os.cpu_count() or 1, 8)
    chunks = [offsets[i::workers] for i in range(workers)]
    started = time.monotonic()
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_check_truncations, chunks))
    else:
        results = [_check_truncations(offsets)]
    tried, refused = sum(r[0] for r in results), sum(r[1] for r in results)
    assert tried == len(offsets)
    tally("truncations", offsets=tried, of_bytes=len(data), refused=refused, workers=workers,
          seconds=round(time.monotonic() - started, 1))


# ---------------------------------------------------------------- as real processes


@bound(120)
@pytest.mark.parametrize("name", ["binary", "utf16-le-bom", "nul-in-a-string", "dotted-header"])
def test_real_process_exits_cleanly(tmp_path, name):
    ledger = tmp_path / "hostile.toml"
    ledger.write_bytes(SNIPPETS[name])
    before = snapshot(tmp_path)
    for args in (("check",), ("list", "--format", "csv"), ("export", "html")):
        proc = subprocess.run([*IQTL, *args, "--ledger", str(ledger)], capture_output=True, text=True, timeout=60,
                              cwd=tmp_path, env=subprocess_env())
        assert proc.returncode == 1, (args, proc.stderr[-1000:])
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
        lines = (proc.stdout if args[0] == "check" else proc.stderr).splitlines()
        assert lines and all(located(line, str(ledger)) or line.startswith(("iqtl: error:", f"{ledger}: error:"))
                             for line in lines), lines[:5]
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------- hostile ids on the command line


@pytest.mark.parametrize("value", ["../../etc/passwd", "/etc/passwd", "a b", "\u0441easefire", "\x1b]0;pwned\x07",
                                   "\u202eerif", "[bold]x[/]", "ceasefire\n", "", "-"])
def test_hostile_ids_and_names_as_arguments(tmp_path, monkeypatch, value):
    """An id or name that is a path, a look-alike or a control sequence is looked up, never opened,
    and quoted escaped in the one-line error."""
    monkeypatch.chdir(tmp_path)
    for args in (("show", value), ("compare", value, "paper-a"), ("list", "--source", value),
                 ("list", "--actor", value), ("claims", "--about", value), ("list", "--from", value)):
        result = cli(*args, "--ledger", str(MINI))
        assert result.exit_code in (0, 1, 2), (args, result.exit_code)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        if result.exit_code:
            assert result.stdout == "" and len(result.stderr.splitlines()) == 1, (args, result.stderr)
            assert "\x1b" not in result.stderr and "\u202e" not in result.stderr and "\x07" not in result.stderr
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- hostile files to import


def test_json_lines_may_hold_unicode_line_separators(tmp_path):
    """JSON strings may hold U+2028, U+2029 and U+0085 unescaped (Python's json.dumps with
    ensure_ascii=False writes them so): one row a line, and errors on the right line."""
    ledger = tmp_path / "l.toml"
    ledger.write_bytes(MINI_BYTES)
    rows = tmp_path / "actors.jsonl"
    rows.write_text('{"id": "x", "name": "A\u2028B\u2029"}\n{"id": "y", "name": "C\x85D", "kind": "alien"}\n',
                    encoding="utf-8")
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.stderr.splitlines()[:-1]] == [f"{rows}:1", f"{rows}:2", f"{rows}:2"]
    assert f"{rows}:2: error: actor 'y': kind must be one of" in result.stderr
    rows.write_text('{"id": "x", "name": "A\u2028B"}\n', encoding="utf-8")
    assert cli("import", str(rows), "--ledger", str(ledger)).exit_code == 0
    assert load_bytes(ledger.read_bytes(), "l").ledger.get("actor", "x").name == "A\u2028B"


def _exports() -> dict[str, bytes]:
    out = {}
    for command, kind in (("list", "events"), ("claims", "claims"), ("sources", "sources"), ("actors", "actors")):
        for fmt in ("csv", "tsv", "json", "jsonl"):
            out[f"{kind}.{fmt}"] = cli(command, "--format", fmt, "--ledger", str(MINI)).stdout_bytes
    return out


EXPORTS = _exports()
NEW_IDS = {b"ceasefire": b"cease-2", b"stand-down": b"stand-2", b"paper-a": b"paper-z", b"sadr": b"sadr-2",
           b"rogue": b"rogue-2", b"control": b"control-2", b"war": b"war-2", b"new-year": b"year-2",
           b"paper-b": b"paper-y", b"jam": b"jam-2", b"us": b"us-2"}


@SETTINGS
@given(st.sampled_from(sorted(EXPORTS)), st.lists(MUTATION, max_size=5), st.booleans())
def test_importing_a_hostile_file(name, ops, fresh_ids):
    """A mutated export imported into the mini ledger: never a traceback; errors each on a line of
    the file; and the ledger is either untouched or grown by whole records that read back."""
    data = EXPORTS[name]
    if fresh_ids:  # rows that are new, so that a row that survives the mutation is imported
        for old, new in NEW_IDS.items():
            data = data.replace(b'"' + old + b'"', b'"' + new + b'"').replace(old + b",", new + b",")
    data = mutate(data, ops)
    with tempfile.TemporaryDirectory() as d:
        ledger, rows = Path(d) / "l.toml", Path(d) / name
        ledger.write_bytes(MINI_BYTES)
        rows.write_bytes(data)
        result = cli("import", str(rows), "--ledger", str(ledger))
        assert result.exit_code in (0, 1, 2), result.exit_code
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr[-2000:]
        for line in result.stderr.splitlines():  # FILE:LINE: …, FILE: error: … (the whole file), or iqtl's own
            assert re.match(re.escape(str(rows)) + r"(:\d+)?: (error|warning|skipped): ", line) or (
                line.startswith("iqtl: ")), line
        after = ledger.read_bytes()
        if result.exit_code or after == MINI_BYTES:
            assert after == MINI_BYTES
        else:
            assert after.startswith(MINI_BYTES) and not load_bytes(after, "l").errors
