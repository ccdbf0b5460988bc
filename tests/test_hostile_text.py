"""Hostile text in the ledger, reaching a terminal, a spreadsheet or a browser: Rich markup, ANSI
CSI and OSC sequences (OSC 8 links, title changes), C1 controls, bidi overrides, zero-width
characters, carriage returns, NUL, CSV formula prefixes, HTML and script, Markdown links.

Every command x every format x colour on and off, on one ledger with all of it in every free-text
field: nothing raw reaches the output (colour: only iqtl's own SGR sequences), the text is shown
literally or visibly escaped, JSON keeps it exactly (as \\u escapes), no CSV cell can start a
formula, and the HTML and TimelineJS output carry no executable or loading markup.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import tomli_w

from iqtl.core.text import FORMULA_PREFIXES
from iqtl.formats import FORMATS, export_formats, listing_formats
from iqtl.reports.rows import STRUCTURED

from .hardening import bounded, cli, private_cache, tally  # noqa: F401 - autouse fixtures
from .pages import Page, check_links_intact, check_self_contained

pytestmark = pytest.mark.hardening  # the slow suite: `-m 'not hardening'` leaves it out

TERMINAL = ("[bold red]M[/]", "[link=http://evil.example]click[/link]", ":smile:", "\x1b[31mred\x1b[0m", "\x1b[2J",
            "\x1b[1A", "\x1b]8;;http://evil.example\x1b\\osc link\x1b]8;;\x1b\\", "\x1b]0;pwned\x07",
            "\x9b31m", "\x9d0;c1 title\x9c", "\u202eevil\u202c", "\u2066iso\u2069", "\u061c", "z\u200bw\u200d",
            "\ufeff", "\u2060", "\rCR", "\x08bs", "\x7fdel", "\x00nul", "\x07bell", "\u2028ls", "\x85nel")
MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>", '"><svg onload=alert(3)>', "javascript:alert(4)",
          "</style><style>@import url(//evil.example/s.css)</style>", "<!-- ]]> &amp; {{7*7}}",
          "[md link](javascript:alert(5))", "![img](http://evil.example/x.png)", "# heading | cell |", "`code`",
          "<http://evil.example>", "*em* _em_ ~~s~~")
PAYLOAD = " ".join(TERMINAL + MARKUP)
# What may never be in any output as a raw character (tab and newline are structure; CR only ends CSV lines).
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f"
                 "\ufeff]")
SGR = re.compile(r"\x1b\[[0-9;]*m")
PREFIXES = ["=", "+", "-", "@", "\t", "\r", "\n", "'=", "''+", ""]
URLS = ["javascript:alert(1)", "http://e.example/\x1b]0;x\x07\"<x>", 'https://example.org/a?b=1&c="2"<x>&d=\'3\'',
        "data:text/html,<script>alert(1)</script>", " https://example.org/space", "https://EXAMPLE.ORG/caps"]
SAFE_URLS = {'https://example.org/a?b=1&c="2"<x>&d=\'3\'', "https://EXAMPLE.ORG/caps", "https://example.org/space"}


def hostile_records(version: str = "") -> dict:
    """Every free-text field of every table: a formula prefix, the field's name, the payload."""
    n = iter(range(10_000))

    def text(name: str) -> str:
        return f"{PREFIXES[next(n) % len(PREFIXES)]}{version}{name} {PAYLOAD}"

    sources = [{"id": f"s{i}", "title": text("title"), "publisher": text("publisher"), "date": "2008",
                "author": text("author"), "url": url, "type": text("type"), "note": text("note")}
               for i, url in enumerate(URLS)]
    actors = [{"id": "a", "name": text("name"), "aliases": [text("alias"), text("alias2")], "kind": "person",
               "role": text("role"), "note": text("note")},
              {"id": "b", "name": text("name")}]
    events = [{"id": f"e{i}", "date": date, "title": text("title"), "summary": text("summary"),
               "sources": [f"s{i}", "s1", *(["s4", "s5"] if i == 3 else [])], "date_note": text("date_note"),
               "actors": ["a", "b"][: 1 + i % 2],
               "places": [text("place")], "tags": [text("tag"), f"t{i}"], "related": ["e0"] if i else []}
              for i, date in enumerate(["2007-08~", "2001/2003", "1999", "2010-21"])]
    claims = [{"id": "c0", "text": text("text"), "speaker": "a", "source": "s0", "date": "2008",
               "date_note": text("date_note"), "kind": "quote", "about": ["e0", "e1"], "note": text("note")},
              {"id": "c1", "text": text("text"), "speaker": "b", "source": "s1", "kind": "paraphrase",
               "about": ["e0"], "disputes": ["c0"]},
              {"id": "c2", "text": text("text"), "speaker": "b", "source": "s0", "kind": "assessment",
               "about": ["e2"], "supports": ["c0"]}]
    for records in (sources, actors, events, claims):
        for rec in records:
            for key in [k for k, v in rec.items() if v == [] or v == ""]:
                del rec[key]
    return {"schema": 1, "source": sources, "actor": actors, "event": events, "claim": claims}


@pytest.fixture(scope="module")
def ledgers(tmp_path_factory) -> tuple[Path, Path]:
    """The hostile ledger, and a second version with every text changed, a record gone and one new."""
    d = tmp_path_factory.mktemp("hostile-text")
    one = d / "one.toml"
    one.write_text(tomli_w.dumps(hostile_records()), encoding="utf-8")
    second = hostile_records("v2 ")
    second["event"] = second["event"][:-1] + [{**second["event"][-1], "id": "e9"}]
    second["claim"] = second["claim"][1:]
    for claim in second["claim"]:
        claim.pop("disputes", None), claim.pop("supports", None)
    two = d / "two.toml"
    two.write_text(tomli_w.dumps(second), encoding="utf-8")
    for path in (one, two):
        result = cli("check", "--ledger", str(path))
        assert result.exit_code == 0, result.stdout[:2000]  # warnings only: invisible characters
        assert "invisible character" in result.stdout
    return one, two


def commands(one: Path, two: Path) -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = [("check",), ("check", "--format", "json")]
    for command in ("list", "claims", "actors", "sources", "tags"):
        out += [(command, "--format", fmt) for fmt in ("table", *listing_formats())]
    out += [("claims", "--contested", "--format", fmt) for fmt in ("table", "plain", "csv")]
    for rid in ("e0", "e1", "c0", "c1", "c2", "s0", "s2", "a", "b"):
        out += [("show", rid, "--format", fmt) for fmt in ("table", "plain", "json")]
    out += [("chart",), ("chart", "--by", "tag"), ("chart", "--width", "40"), ("stats",), ("stats", "--format", "json")]
    # Every registered format: none is forgotten (a file-only one, a database, stores text exactly: test_sqlite)
    out += [("export", fmt) for fmt in export_formats() if not FORMATS[fmt].file_only]
    out += [("export", "html", "--title", PAYLOAD), ("export", "timelinejs", "--title", PAYLOAD),
            ("export", "md", "--title", PAYLOAD), ("export", "csv", "--bom")]
    for fmt in ("table", *listing_formats()):
        out += [("compare", "s0", "s1", "--format", fmt), ("compare", "s1", "s0", "--format", fmt),
                ("diff", str(two), str(one), "--format", fmt), ("diff", str(one), str(two), "--format", fmt)]
    out += [("diff", str(one), str(two), "--stat"), ("diff", str(one), str(two), "--stat", "--format", "json")]
    return out


def format_of(args: tuple[str, ...]) -> str:
    if args[0] == "export":
        return args[1]
    if "--format" in args:
        return args[args.index("--format") + 1]
    return {"check": "text", "diff": "plain"}.get(args[0], "table")


def coloured(args) -> bool:
    return args[0] != "export" and format_of(args) in ("table", "text") and args[0] != "check"


def without_structure(out: str, args, color: str) -> str:
    if color == "always":
        out = SGR.sub("", out)
    if format_of(args) in ("csv",) or args[:2] == ("export", "csv"):
        out = out.replace("\r\n", "\n")  # RFC 4180 line ends
    if out.startswith("\ufeff") and "--bom" in args:
        out = out[1:]
    return out


# ---------------------------------------------------------------- nothing raw, anywhere


def test_nothing_raw_reaches_any_output(ledgers):
    one, two = ledgers
    ran = 0
    for args in commands(one, two):
        for color in ("never", "always") if coloured(args) else ("never",):
            extra = ("--color", color) if coloured(args) or args[0] in ("check",) else ()
            result = cli(*args, *extra, "--ledger", str(one), env={"COLUMNS": "400"})
            ran += 1
            assert result.exit_code in (0, 1), (args, result.exit_code, result.stderr[-500:])
            for name, out in (("stdout", result.stdout), ("stderr", result.stderr)):
                rest = without_structure(out, args, color)
                leaks = sorted(set(RAW.findall(rest)))
                assert not leaks, (args, color, name, leaks)
                if color == "always":
                    assert not re.search("\x1b(?!\\[[0-9;]*m)", out), (args, "an escape other than SGR")
            assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    tally("hostile-text[no-raw]", commands=ran, payloads=len(TERMINAL + MARKUP), prefixes=len(PREFIXES))


VISIBLE = ("\\x1b]0;pwned\\x07", "\\u202e", "\\x9b31m", "\\u200b", "\\rCR", "\\x00nul")


@pytest.mark.parametrize("fmt", ["table", "plain", "csv", "tsv", "md"])
@pytest.mark.parametrize("command", ["list", "claims", "actors", "sources", "tags"])
def test_text_is_shown_visibly_escaped_and_markup_literally(ledgers, command, fmt):
    one, _ = ledgers
    out = cli(command, "--format", fmt, "--color", "always", "--ledger", str(one), env={"COLUMNS": "2000"}).stdout
    plain = SGR.sub("", out)
    if fmt == "md":  # Markdown escapes its own specials (and the backslashes of the visible escapes)
        plain = re.sub(r"\\([\\`*_\[\]<>#|~])", r"\1", plain)
    for marker in VISIBLE:
        assert marker in plain, (command, fmt, marker)
    assert "[bold red]M[/]" in plain, (command, fmt)
    if fmt == "md":
        assert "\\[bold red\\]M\\[/\\]" in out
    if fmt == "md":
        for raw in (r"<script", r"<img", r"\]\(javascript:", r"!\[img\]\(", r"<http://evil"):
            assert not re.search(r"(?<!\\)" + raw, out), raw  # each only escaped, as \<script


@pytest.mark.parametrize("rid", ["e0", "c0", "s0", "a"])
def test_show_escapes_every_field(ledgers, rid):
    one, _ = ledgers
    out = SGR.sub("", cli("show", rid, "--color", "always", "--ledger", str(one), env={"COLUMNS": "4000"}).stdout)
    for marker in VISIBLE:
        assert marker in out, (rid, marker)
    assert "[bold red]M[/]" in out and "[link=http://evil.example]click[/link]" in out and ":smile:" in out


# ---------------------------------------------------------------- JSON keeps the text exactly


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


@pytest.mark.parametrize("command", ["list", "claims", "actors", "sources"])
@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_json_keeps_every_character_as_an_escape(ledgers, command, fmt):
    one, _ = ledgers
    out = cli(command, "--format", fmt, "--ledger", str(one)).stdout
    rows = json.loads(out) if fmt == "json" else [json.loads(line) for line in out.splitlines()]
    got = set(_strings(rows))
    table = {"list": "event", "claims": "claim", "actors": "actor", "sources": "source"}[command]
    expected = set(_strings(hostile_records()[table]))
    assert expected - {"2008", "2007-08~", "2001/2003", "1999", "2010-21", "person", "quote"} <= got | {
        r["id"] for r in hostile_records()[table]}
    assert any(PAYLOAD in s for s in got)


# ---------------------------------------------------------------- CSV: no cell starts a formula

SAFE_STRUCTURED = re.compile(r"[A-Za-z0-9_ ;:./?~%+\-]*")


def csv_outputs(one: Path, two: Path):
    for command in ("list", "claims", "actors", "sources", "tags"):
        for fmt in ("csv", "tsv"):
            yield (command, "--format", fmt), fmt
    yield ("claims", "--contested", "--format", "csv"), "csv"
    yield ("export", "csv"), "csv"
    yield ("export", "csv", "--bom"), "csv"
    yield ("diff", str(one), str(two), "--format", "csv"), "csv"
    yield ("compare", "s0", "s1", "--format", "csv"), "csv"


def test_no_csv_cell_can_start_a_formula(ledgers):
    one, two = ledgers
    cells = quoted = 0
    for args, fmt in csv_outputs(one, two):
        out = cli(*args, "--ledger", str(one)).stdout.lstrip("\ufeff")
        rows = list(csv.DictReader(io.StringIO(out, newline=""), delimiter="," if fmt == "csv" else "\t"))
        assert rows, args
        for row in rows:
            for column, cell in row.items():
                cells += 1
                if column in STRUCTURED:  # ids, dates, counts: never free text
                    assert SAFE_STRUCTURED.fullmatch(cell), (args, column, cell[:80])
                else:
                    assert not cell.startswith(FORMULA_PREFIXES), (args, column, cell[:80])
                    quoted += cell.startswith("'")
        raw = list(csv.DictReader(io.StringIO(cli(*args, "--raw", "--ledger", str(one)).stdout.lstrip("\ufeff"),
                                              newline=""), delimiter="," if fmt == "csv" else "\t")) \
            if args[0] in ("list", "claims", "actors", "sources", "export") else []
        if raw:  # --raw: as written in the ledger
            assert any(c.startswith(FORMULA_PREFIXES) for r in raw for c in r.values())
    assert quoted > 50
    tally("hostile-text[csv]", cells=cells, neutralised=quoted)


# ---------------------------------------------------------------- HTML and TimelineJS: nothing runs


def _tags_of_a_clean_page() -> set[str]:
    from .conftest import MINI

    return {t for t, _ in Page(cli("export", "html", "--ledger", str(MINI)).stdout).tags}


STYLE = re.compile(r"(left:-?[\d.]+%(;width:[\d.]+%)?)?")


def test_html_export_runs_and_loads_nothing(ledgers):
    one, _ = ledgers
    allowed_tags = _tags_of_a_clean_page() | {"a"}
    for title in ("Timeline", PAYLOAD):
        text = cli("export", "html", "--title", title, "--ledger", str(one)).stdout
        page = Page(text)
        check_self_contained(text, page, SAFE_URLS)
        check_links_intact(page)
        assert {t for t, _ in page.tags} <= allowed_tags
        assert all(STYLE.fullmatch(a.get("style", "")) for _, a in page.tags), "a style attribute from the ledger"
        for _, attrs in page.tags:
            for name, value in attrs.items():
                assert not (value or "").lower().lstrip().startswith(("javascript:", "data:", "vbscript:")), name
        lowered = text.lower()
        for bad in ("<script", "<img", "<svg", "<iframe", "<object", "<embed", "<style><style", "<!-- ]]>"):
            assert bad not in lowered, bad  # only escaped, as &lt;script
        # shown as text: the markup and the visible escapes
        assert "[bold red]M[/]" in text and "\\x1b]0;pwned\\x07" in text and "&lt;script&gt;" in text
        links = [a["href"] for a in page.find("a") if not a["href"].startswith("#")]
        assert set(links) <= SAFE_URLS and set(links) == SAFE_URLS


class _Fragment(HTMLParser):
    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def test_timelinejs_text_is_inert_html(ledgers):
    one, _ = ledgers
    for title in ("Timeline", PAYLOAD):
        doc = json.loads(cli("export", "timelinejs", "--title", title, "--ledger", str(one)).stdout)
        slides = [doc["title"], *doc["events"], *doc.get("eras", [])]
        fields = 0
        for slide in slides:
            for key in ("headline", "text"):
                value = slide.get("text", {}).get(key, "")
                fields += 1
                tags = _Fragment(value).tags
                assert {t for t, _ in tags} <= {"p", "em", "ul", "li", "strong", "a"}, (key, tags)
                for tag, attrs in tags:
                    assert set(attrs) <= {"href"} and (tag != "a" or attrs["href"] in SAFE_URLS), attrs
                assert not RAW.search(value)
            for key in ("group", "display_date"):  # decoded once by TimelineJS, then set as innerHTML
                if key in slide:
                    fields += 1
                    assert "<" not in html.unescape(slide[key]) and not RAW.search(slide[key]), slide[key][:80]
    tally("hostile-text[timelinejs]", fields=fields)


def test_csl_keeps_urls_only_of_the_web(ledgers):
    one, _ = ledgers
    items = json.loads(cli("export", "csl", "--ledger", str(one)).stdout)
    assert {i.get("URL") for i in items} - {None} == SAFE_URLS
    assert any(PAYLOAD in s for s in _strings(items))


# ---------------------------------------------------------------- errors quote hostile text escaped


def _broken_hostile_ledger(path: Path) -> Path:
    bad = hostile_records()
    bad["event"][0]["date"] = "2007\x1b]0;pwned\x07"
    bad["event"][1]["sources"] = ["s\u202e1", "[bold]s0"]
    bad["actor"][0]["\x1b]8;;http://evil\x1b\\key"] = 1
    bad["claim"][0]["id"] = "Bad \x9b31m Id"
    path.write_text(tomli_w.dumps(bad), encoding="utf-8")
    return path


def test_error_messages_escape_what_they_quote(tmp_path):
    """A broken ledger whose bad values, unknown keys and ids carry the payload: every error line,
    of check and of every reading command, is one line with the payload escaped."""
    ledger = _broken_hostile_ledger(tmp_path / "l.toml")
    ran = 0
    for args in (("check",), ("check", "--format", "json"), ("list",), ("show", "e0"), ("export", "html"),
                 ("diff", str(ledger), str(ledger)), ("stats",), ("chart",), ("compare", "s0", "s1")):
        result = cli(*args, "--ledger", str(ledger))
        ran += 1
        assert result.exit_code in (1, 2)
        for out in (result.stdout, result.stderr):
            assert not RAW.search(out), (args, sorted(set(RAW.findall(out))))
        if args[:3] == ("check", "--format", "json"):
            lines = [p["message"] for p in json.loads(result.stdout)]
        else:
            lines = (result.stdout if args[0] == "check" else result.stderr).splitlines()
        assert len(lines) >= 4, (args, lines)
        assert any("\\x1b]0;pwned\\x07" in line for line in lines), args
    tally("hostile-text[errors]", commands=ran)


HOSTILE_DIR = "[bold]\x1b]0;dir\x07\u202e"


def test_a_hostile_file_name_is_escaped_in_problems(tmp_path):
    directory = tmp_path / HOSTILE_DIR
    directory.mkdir()
    ledger = _broken_hostile_ledger(directory / "l\x1b[31m.toml")
    for args in (("check",), ("list",), ("show", "e0"), ("export", "html"), ("stats",)):
        result = cli(*args, "--ledger", str(ledger))
        assert result.exit_code == 1
        assert not RAW.search(result.stdout + result.stderr), args
        assert "[bold]\\x1b]0;dir\\x07\\u202e/l\\x1b[31m.toml:" in result.stdout + result.stderr
    missing = cli("list", "--ledger", str(directory / "missing\x1b.toml"))
    assert missing.exit_code == 1 and not RAW.search(missing.stderr)


@pytest.mark.parametrize("case", ["diff-broken", "diff-directory", "diff-outside-git", "export-o"])
def test_a_hostile_file_name_is_escaped_in_every_error(tmp_path, case):
    directory = tmp_path / HOSTILE_DIR
    directory.mkdir()
    broken = _broken_hostile_ledger(directory / "b.toml")
    good = directory / "g.toml"
    good.write_text(tomli_w.dumps(hostile_records()), encoding="utf-8")
    args = {"diff-broken": ("diff", str(broken), str(good)), "diff-directory": ("diff", str(directory)),
            "diff-outside-git": ("diff", "HEAD"),
            "export-o": ("export", "html", "-o", str(directory / "missing" / "x.html"))}[case]
    result = cli(*args, "--ledger", str(good))
    assert result.exit_code == 2
    assert not RAW.search(result.stderr), sorted(set(RAW.findall(result.stderr)))
