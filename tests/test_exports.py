"""`iqtl export`: html, timelinejs, csl, and the rows of `list` (md, csv, json, jsonl)."""

from __future__ import annotations

import html
import json
import os
import re
import struct
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pytest

from .conftest import FIXTURES, MINI, SEED, run
from .conftest import run as run_main
from .pages import SCRIPTED, Page, check_links_intact, check_self_contained

HOSTILE = FIXTURES / "hostile.toml"
CHROMIUM = Path("/usr/bin/chromium")

# Markup, script and odd URLs in every field that reaches a page.


@pytest.fixture()
def scripted(tmp_path) -> Path:
    path = tmp_path / "scripted.toml"
    path.write_text(SCRIPTED, encoding="utf-8")
    return path


def export(*args: str, ledger=SEED) -> str:
    result = run("export", *args, "--ledger", str(ledger))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def list_ids(ledger=SEED, *args: str) -> list[str]:
    result = run_main("list", "--ledger", str(ledger), "--format", "plain", *args)
    return [line.split("\t")[1] for line in result.stdout.splitlines()]


# ---------------------------------------------------------------- md, csv, json, jsonl: as `list`


@pytest.mark.parametrize("fmt", ["md", "csv", "json", "jsonl"])
@pytest.mark.parametrize("filters", [(), ("--tag", "ceasefire", "--reverse"), ("--from", "2009", "--limit", "3")])
def test_row_formats_are_those_of_list(fmt, filters):
    expected = run_main("list", "--ledger", str(SEED), "--format", fmt, *filters)
    assert expected.exit_code == 0
    assert export(fmt, *filters) == expected.stdout


def test_csv_options_are_those_of_list():
    args = ("--ledger", str(HOSTILE))
    for extra in (("--bom",), ("--raw",)):
        assert run("export", "csv", *args, *extra).stdout == run_main("list", "-F", "csv", *args, *extra).stdout


def test_output_file_is_written_whole_and_only_then_replaces(tmp_path):
    target = tmp_path / "out.csv"
    result = run("export", "csv", "-o", str(target), "--ledger", str(MINI))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_bytes() == run_main("list", "-F", "csv", "--ledger", str(MINI)).stdout_bytes
    assert b"\r\n" in target.read_bytes()  # CSV line ends kept as written
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
    # Replacing keeps the file's mode, and leaves no temporary file behind.
    target.chmod(0o600)
    assert run("export", "html", "--output", str(target), "--ledger", str(MINI)).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<!doctype html>")
    assert target.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


def test_an_unwritable_output_is_a_usage_error(tmp_path):
    result = run("export", "json", "-o", str(tmp_path / "no" / "such" / "dir.json"), "--ledger", str(MINI))
    assert result.exit_code == 2
    assert result.stderr.startswith("iqtl: error: cannot write") and result.stdout == ""
    assert run("export", "json", "-o", str(tmp_path), "--ledger", str(MINI)).exit_code == 2  # a directory
    assert run("export", "pdf", "--ledger", str(MINI)).exit_code == 2


# ---------------------------------------------------------------- TimelineJS

SLIDE_KEYS = {"start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink",
              "unique_id"}
DATE_KEYS = {"year", "month", "day", "hour", "minute", "second", "millisecond", "display_date", "format"}


def check_date_object(date: dict) -> None:
    """TimelineJS3's date object: `year` required; every part a whole number (TLDate reads strings of
    digits); month 1-12, day 1-31."""
    assert isinstance(date, dict) and set(date) <= DATE_KEYS and "year" in date, date
    for key in set(date) - {"display_date", "format"}:
        assert re.fullmatch(r"-?\d+", str(date[key])), (key, date)
    if "month" in date:
        assert 1 <= int(date["month"]) <= 12
    if "day" in date:
        assert "month" in date and 1 <= int(date["day"]) <= 31


def check_timelinejs(doc: dict) -> None:
    """The published structure: events (required, slides with start_date), title (a slide without one),
    eras (with start_date, end_date and a text headline), scale human or cosmological."""
    assert set(doc) <= {"events", "title", "eras", "scale"} and isinstance(doc["events"], list) and doc["events"]
    assert doc.get("scale", "human") in ("human", "cosmological")
    title = doc["title"]
    assert set(title) <= SLIDE_KEYS and "start_date" not in title and title["text"]["headline"]
    for slide in doc["events"]:
        assert set(slide) <= SLIDE_KEYS, set(slide) - SLIDE_KEYS
        check_date_object(slide["start_date"])
        if "end_date" in slide:
            check_date_object(slide["end_date"])
        assert set(slide["text"]) <= {"headline", "text"} and slide["text"]["headline"]
        assert isinstance(slide.get("group", ""), str) and isinstance(slide.get("display_date", ""), str)
    ids = [s["unique_id"] for s in doc["events"]]
    assert len(ids) == len(set(ids)) and all(ids)
    for era in doc.get("eras", []):
        check_date_object(era["start_date"])
        check_date_object(era["end_date"])
        assert era["text"]["headline"]


def _as_tuple(date: dict) -> tuple[int, ...]:
    return tuple(int(date[k]) for k in ("year", "month", "day") if k in date)


def test_timelinejs_of_the_seed_ledger():
    rows = {r["id"]: r for r in json.loads(export("json"))}
    doc = json.loads(export("timelinejs", "--title", "US–Iran–Iraq"))
    check_timelinejs(doc)
    assert doc["title"]["text"]["headline"] == "US–Iran–Iraq" and doc["scale"] == "human"
    slides = {s["unique_id"]: s for s in doc["events"]}
    # every event, in the order TimelineJS shows them: by where each slide starts
    assert sorted(s["unique_id"] for s in doc["events"]) == sorted(list_ids())
    starts = [tuple(int(s["start_date"].get(k, 1)) for k in ("year", "month", "day")) for s in doc["events"]]
    assert starts == sorted(starts)
    # Filled only to the known precision.
    expect = {
        "2007-08-sadr-ceasefire": ({"year": "2007", "month": "8"}, None, "Aug 2007 (approx.)"),
        "2007-01-bush-announces-surge": ({"year": "2007", "month": "1", "day": "10"}, None, "10 Jan 2007"),
        "2003-us-invasion-of-iraq": ({"year": "2003"}, None, "2003"),
        "surge": ({"year": "2007", "month": "1"}, {"year": "2008"}, "Jan 2007 – 2008"),
        "1980-1988-iran-iraq-war": ({"year": "1980"}, {"year": "1988"}, "1980–1988"),
        "2007-22-iraq-soccer-victory": ({"year": "2007", "month": "6"}, {"year": "2007", "month": "8"}, "Summer 2007"),
        "sadr-in-iran-2006-2008": ({"year": "2006", "month": "11"}, {"year": "2008", "month": "2"},
                                   "Nov 2006 (approx.) – Feb 2008 (approx.)"),
    }
    for eid, (start, end, display) in expect.items():
        assert slides[eid]["start_date"] == start, eid
        assert slides[eid].get("end_date") == end, eid
        assert slides[eid]["display_date"] == display, eid
    assert not any("group" in s for s in doc["events"])  # groups only when asked for (--group-by)
    assert all(_as_tuple(s["start_date"]) <= _as_tuple(s.get("end_date", s["start_date"])) for s in doc["events"])
    # Eras: periods of a year or more, the longest first, none overlapping another (TimelineJS draws
    # them in one band, where overlapping eras cut each other short).
    eras = {e["text"]["headline"]: e for e in doc["eras"]}
    # The longest period (the Badr Corps formed some time in 1982/2003) is one; the Iran–Iraq war
    # (1980/1988) overlaps it and is left out.
    longest = max((r for r in rows.values() if "/" in r["date"] and r["start"] and r["end"]),
                  key=lambda r: (date.fromisoformat(r["end"]) - date.fromisoformat(r["start"])))
    assert html.unescape(longest["title"]) in {html.unescape(t) for t in eras}
    assert "Sadr’s cease-fire in force" not in eras and "Sadr's cease-fire in force" not in eras  # 7 months
    spans = sorted((_as_tuple(e["start_date"]), _as_tuple(e["end_date"])) for e in doc["eras"])
    assert len(spans) >= 2 and all(a[1] < b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_timelinejs_groups_only_the_busiest_when_asked():
    rows = {r["id"]: r for r in json.loads(export("json"))}
    counts: dict[str, int] = {}
    for row in rows.values():
        for tag in set(row["tags"]):
            counts[tag] = counts.get(tag, 0) + 1
    doc = json.loads(export("timelinejs", "--group-by", "tag"))
    check_timelinejs(doc)
    labels = {s["unique_id"]: s.get("group") for s in doc["events"]}
    named = set(labels.values()) - {None}
    assert 1 <= len(named) <= 4 and None in labels.values()  # a handful of groups; the other events ungrouped
    assert min(counts[t] for t in named) >= max(n for t, n in counts.items() if t not in named)  # the busiest
    for eid, label in labels.items():  # each event in one of its own tags, or in none when it has none of them
        assert label in rows[eid]["tags"] if label else not named & set(rows[eid]["tags"])
    by_actor = json.loads(export("timelinejs", "--group-by", "actor"))
    assert 1 <= len({s.get("group") for s in by_actor["events"]} - {None}) <= 4


def test_timelinejs_text_is_escaped_html(scripted):
    doc = json.loads(export("timelinejs", "--group-by", "tag", ledger=scripted))
    check_timelinejs(doc)
    raw = json.dumps(doc)
    assert "<script" not in raw and "<img" not in raw and "javascript:" not in raw.replace("javascript:alert(3)", "")
    e1 = doc["events"][0]
    assert html.unescape(e1["text"]["headline"]) == "<script>alert('event')</script>"
    assert "&lt;a href=&quot;javascript:alert(3)&quot;&gt;" in e1["text"]["text"]
    assert '<a href="https://example.org/a?b=1&amp;c=&quot;2&quot;&lt;x&gt;">A fine source</a>' in e1["text"]["text"]
    # TimelineJS decodes `group` once (DOMParser textContent) before it sets it as innerHTML.
    assert html.unescape(e1["group"]) == "&lt;i&gt;tag&lt;/i&gt;" and "<" not in html.unescape(e1["group"])
    assert e1["start_date"] == {"year": "2008", "month": "3"} and e1["end_date"] == {"year": "2009"}
    assert doc["events"][1]["start_date"] == {"year": "2009", "month": "3"}  # spring 2009: March to May
    assert doc["events"][1]["end_date"] == {"year": "2009", "month": "5"}


# ---------------------------------------------------------------- CSL-JSON

CSL_TYPES = {
    "article", "article-journal", "article-magazine", "article-newspaper", "bill", "book", "broadcast", "chapter",
    "classic", "collection", "dataset", "document", "entry", "entry-dictionary", "entry-encyclopedia", "event",
    "figure", "graphic", "hearing", "interview", "legal_case", "legislation", "manuscript", "map", "motion_picture",
    "musical_score", "pamphlet", "paper-conference", "patent", "performance", "periodical", "personal_communication",
    "post", "post-weblog", "regulation", "report", "review", "review-book", "software", "song", "speech", "standard",
    "thesis", "treaty", "webpage",
}
CSL_STRING_FIELDS = {"title", "container-title", "URL", "note", "publisher", "abstract", "genre", "language"}
CSL_DATE_KEYS = {"date-parts", "season", "circa", "literal", "raw", "edtf"}


def check_csl(items) -> None:
    """CSL-JSON (csl-data.json): a list of objects, each with `id` (string or number) and `type` (one
    of the CSL types); names as objects of family/given/literal...; dates as date-parts (one or two
    lists of one to three numbers) with optional season and circa."""
    assert isinstance(items, list)
    for item in items:
        assert isinstance(item["id"], (str, int)) and item["type"] in CSL_TYPES, item
        assert set(item) <= {"id", "type", "author", "issued"} | CSL_STRING_FIELDS, set(item)
        for key in CSL_STRING_FIELDS & set(item):
            assert isinstance(item[key], str)
        for name in item.get("author", []):
            assert set(name) <= {"family", "given", "literal", "suffix", "dropping-particle",
                                 "non-dropping-particle"} and name
        if "issued" in item:
            date = item["issued"]
            assert set(date) <= CSL_DATE_KEYS
            parts = date["date-parts"]
            assert 1 <= len(parts) <= 2 and all(1 <= len(p) <= 3 for p in parts)
            assert all(isinstance(x, int) for p in parts for x in p)
            assert all(1 <= p[1] <= 12 for p in parts if len(p) > 1)
            assert date.get("season", 1) in (1, 2, 3, 4) and isinstance(date.get("circa", True), bool)


def test_csl_of_the_seed_ledger():
    items = json.loads(export("csl"))
    check_csl(items)
    by_id = {i["id"]: i for i in items}
    assert sorted(by_id) == ["botched-2011", "hotair-2014", "incoherence-2010", "nation-2008"]
    nation = by_id["nation-2008"]
    assert nation["type"] == "article-newspaper" and nation["container-title"] == "The Nation"
    assert nation["issued"] == {"date-parts": [[2008, 2]], "circa": True}  # 2008-02?
    assert by_id["incoherence-2010"]["issued"] == {"date-parts": [[2010, 3, 2], [2010, 3, 6]]}  # an interval
    assert by_id["hotair-2014"] == {**by_id["hotair-2014"], "type": "post-weblog", "container-title": "Hot Air",
                                    "issued": {"date-parts": [[2014, 6]]}}
    assert all("author" not in i and "URL" not in i for i in items)  # none given in the seed
    assert nation["title"].startswith("In October") and nation["note"].startswith("Seed file 001")


def test_csl_follows_the_filters_and_keeps_only_web_urls(scripted):
    assert [i["id"] for i in json.loads(export("csl", "--source", "paper-b", ledger=MINI))] == ["paper-b"]
    # Sources of the selected events and of the claims about them.
    assert [i["id"] for i in json.loads(export("csl", "--tag", "edge", ledger=MINI))] == ["paper-b"]
    items = json.loads(export("csl", ledger=scripted))
    check_csl(items)
    s1, s2 = items
    assert s1["author"] == [{"literal": "<b>Bold</b> & Co"}] and "URL" not in s1  # javascript: dropped
    assert s1["issued"] == {"date-parts": [[2008]], "circa": True} and s1["type"] == "document"
    assert s2["URL"] == 'https://example.org/a?b=1&c="2"<x>'
    assert s2["issued"] == {"date-parts": [[2009]], "season": 1}  # EDTF 21-24 (spring-winter) -> CSL 1-4


def test_csl_dates_publishers_and_placeholders_as_csl_has_them():
    items = {i["id"]: i for i in json.loads(export("csl", ledger=FIXTURES / "citations.toml"))}
    check_csl(list(items.values()))
    issued = {k: i.get("issued") for k, i in items.items()}
    # EDTF years are astronomical; CSL's negative years count back from 1 BC = -1, and 0 is no date.
    assert issued["bce"] == {"date-parts": [[-45]]} and issued["year-zero"] == {"date-parts": [[-1]]}
    assert issued["year-minus-one"] == {"date-parts": [[-2]]}
    assert all(p[0] != 0 for d in issued.values() for p in d["date-parts"][:1])
    # Ranges: two date-parts of one length; an open end is [0]; approximate and seasons kept.
    assert issued["range-month-year"] == {"date-parts": [[2007], [2008]]}
    assert issued["range-approximate"] == {"date-parts": [[2006, 11], [2008, 2]], "circa": True}
    assert issued["open-end"] == {"date-parts": [[2010], [0]]} and issued["unknown-end"]["date-parts"] == [[2012], [0]]
    assert issued["decade"] == {"date-parts": [[1990], [1999]]} and issued["autumn"]["season"] == 3
    assert all(len(d["date-parts"]) == 1 or len(set(map(len, d["date-parts"]))) == 1 for d in issued.values())
    # The publisher: a container for periodicals and web items, else a publisher; placeholders left out.
    assert items["bce"]["publisher"] == "Penguin Press" and "container-title" not in items["bce"]
    assert items["spring"]["container-title"] == "Hot Air" and "publisher" not in items["spring"]
    for key in ("range-days", "unknown-end", "odd-type"):  # "unknown (...)", "[Unknown]", "N/A"
        assert "publisher" not in items[key] and "container-title" not in items[key], items[key]
    assert "author" not in items["range-month-year"] and items["bce"]["author"] == [{"literal": "Gaius Suetonius"}]
    from iqtl.formats.csl import is_placeholder

    assert [is_placeholder(v) for v in ("unknown (not named)", "[Unknown]", "N/A", "none", "?")] == [True] * 5
    assert [is_placeholder(v) for v in ("Nonesuch Records", "NA Publishing", "Unknowable Press")] == [False] * 3


# ---------------------------------------------------------------- HTML, read statically


def test_html_of_the_seed_ledger():
    text = export("html", "--title", "US–Iran–Iraq relations")
    page = Page(text)
    assert text.startswith("<!doctype html>") and page.find("html")[0]["lang"] == "en"
    assert {"name": "viewport", "content": "width=device-width, initial-scale=1"} in page.find("meta")
    # Every event, in the order of `iqtl list`, each an <article> with its title as heading.
    ids = list_ids()
    assert page.articles == ["ev-" + i for i in ids] and len(ids) == 91
    assert page.text_of["ev-surge-h"] == "The US troop surge"
    # Semantic HTML: one <main>, headings, <time datetime>, quotes in <blockquote>.
    assert len(page.find("main")) == 1 and len(page.find("h1")) == 1
    assert len(page.find("h2")) >= 10 and len(page.find("h3")) == 91
    times = [a["datetime"] for a in page.find("time")]
    assert times and all(re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", t) for t in times)
    assert '<time datetime="1980">1980</time> – <time datetime="1988">1988</time>' in text
    assert '<time datetime="2007-08">Aug 2007 (approx.)</time> <span class="badge">approximate</span>' in text
    assert len(page.find("blockquote")) >= 80
    claims = {a["id"] for a in page.find("figure") if a.get("id", "").startswith("cl-")}
    assert len(claims) == 120  # every claim of the seed is about some event
    assert "✗</span> disputes" in text and "✓</span> supports" in text
    # Sources as links within the page; periods drawn as bars; approximate dates marked.
    assert sum(1 for h in page.hrefs() if h.startswith("#src-")) >= 91
    assert len(re.findall(r'class="bar[ "]', text)) == 91 + 91 + 2  # a track per event, the overview, the legend
    assert 'class="bar fz-s' in text
    assert 'class="event point fuzzy"' in text
    assert "@media print" in text and "@media (max-width:40rem)" in text and ":focus-visible" in text
    check_self_contained(text, page, set())
    check_links_intact(page)


def test_html_escapes_every_ledger_string(scripted):
    text = export("html", "--title", "<script>title</script>", ledger=scripted)
    assert "<script" not in text.lower() and "<img" not in text and "<svg" not in text and "<i>" not in text
    assert "javascript:" not in "".join(re.findall(r'href="([^"]*)"', text))
    page = Page(text)
    assert page.articles == ["ev-e1", "ev-e2"]
    assert page.text_of["ev-e1-h"] == "<script>alert('event')</script>"  # shown as text
    assert page.find("title") and "<script>title</script>" in text.replace("&lt;", "<").replace("&gt;", ">")
    check_self_contained(text, page, {'https://example.org/a?b=1&c="2"<x>'})
    check_links_intact(page)
    # Only the one web URL is a link; the javascript: one is shown as text, and quoted in the claim's cite.
    assert [a["href"] for a in page.find("a") if not a["href"].startswith("#")] == ['https://example.org/a?b=1&c="2"<x>']
    assert {a.get("cite") for a in page.find("blockquote")} == {None, 'https://example.org/a?b=1&c="2"<x>'}
    # A claim about two events is on the page twice, with its id once; c2 disputes c1.
    assert page.ids.count("cl-c2") == 1 and text.count("emphasised") == 2 + 1  # twice, and in c1's "disputed by"
    assert '<a href="#cl-c1">' in text


def test_html_shows_control_characters_as_escapes():
    text = export("html", ledger=HOSTILE)
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text and "\x9b" not in text
    assert "\\x1b]8;;http://evil.example" in text and "\\u202eevil role" in text
    page = Page(text)
    check_self_contained(text, page, set())
    check_links_intact(page)


def test_html_with_no_events_is_still_a_page():
    page = Page(export("html", "--tag", "war", "--from", "2007", "--within", ledger=MINI))  # a real tag, not then
    assert page.articles == [] and "No events match." in page.text_of["timeline"]


# ---------------------------------------------------------------- HTML, rendered by Chromium


def chromium(*args: str, url: str, tmp_path: Path) -> subprocess.CompletedProcess:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic",
           "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={tmp_path / 'profile'}",
           "--host-resolver-rules=MAP * ~NOTFOUND", *args, url]
    return subprocess.run(cmd, capture_output=True, timeout=60, check=False, env={**os.environ, "HOME": str(tmp_path)})


def png_pixels(data: bytes, max_rows: int) -> tuple[int, int, list[bytes], int]:
    """Width, height, the first `max_rows` decoded rows (8-bit RGB or RGBA) and the number of distinct
    scanlines in the whole image.  Standard library only."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = ihdr
    assert depth == 8 and colour in (2, 6) and interlace == 0
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = width * bpp + 1
    assert len(raw) == stride * height
    distinct = len({raw[i:i + stride] for i in range(0, len(raw), stride)})
    rows, prev = [], bytearray(width * bpp)
    for y in range(min(max_rows, height)):
        kind, line = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for i in range(len(line)):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows, distinct


@pytest.mark.clients
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium (.ci/run installs it)")
def test_html_renders_in_headless_chromium(tmp_path):
    page_file = tmp_path / "seed.html"
    result = run("export", "html", "-o", str(page_file), "--ledger", str(SEED), "--title", "US–Iran–Iraq relations")
    assert result.exit_code == 0
    static = Page(page_file.read_text(encoding="utf-8"))
    url = page_file.as_uri()

    dumped = chromium("--dump-dom", url=url, tmp_path=tmp_path)
    assert dumped.returncode == 0, dumped.stderr.decode(errors="replace")[-2000:]
    dom = Page(dumped.stdout.decode("utf-8"))
    assert dom.articles == ["ev-" + i for i in list_ids()]  # every event, in order
    assert dom.hrefs() == static.hrefs()  # links intact
    check_links_intact(dom)
    check_self_contained(dumped.stdout.decode("utf-8"), dom, set())
    assert dom.text_of["ev-1980-1988-iran-iraq-war-h"] == "Iran–Iraq war"

    shot = tmp_path / "shot.png"
    taken = chromium(f"--screenshot={shot}", "--window-size=1200,2000", url=url, tmp_path=tmp_path)
    assert taken.returncode == 0 and shot.exists(), taken.stderr.decode(errors="replace")[-2000:]
    width, height, rows, distinct_rows = png_pixels(shot.read_bytes(), max_rows=480)
    assert (width, height) == (1200, 2000)
    bpp = len(rows[0]) // width
    colours = {row[i:i + 3] for row in rows for i in range(0, len(row), bpp)}
    assert len(colours) >= 200, len(colours)  # text, bars and their anti-aliasing: far from blank (1)
    assert distinct_rows >= 400, distinct_rows


@pytest.mark.parametrize("date", ["../..", "/", "../", "/.."])
def test_timelinejs_leaves_out_an_event_with_no_known_date(tmp_path, date):
    """EDTF allows an interval with no known end; TimelineJS cannot place it: left out, with a note."""
    ledger = tmp_path / "open.toml"
    ledger.write_text('schema = 1\n[[source]]\nid = "s"\ntitle = "t"\npublisher = "p"\ndate = "2001"\n'
                      f'[[event]]\nid = "e"\ndate = "{date}"\ntitle = "t"\nsummary = "s"\nsources = ["s"]\n'
                      '[[event]]\nid = "f"\ndate = "2001"\ntitle = "u"\nsummary = "s"\nsources = ["s"]\n',
                      encoding="utf-8")
    result = run("export", "timelinejs", "--ledger", str(ledger))
    assert result.exit_code == 0, result.stderr
    assert [s["unique_id"] for s in json.loads(result.stdout)["events"]] == ["f"]
    assert "1 events with no known date left out: e" in result.stderr


def test_html_draws_a_date_known_only_by_its_end_at_that_end(tmp_path):
    """"By June 2007" (/2007-06) is not a bar from the axis' first year: its track covers June 2007,
    with a faded start; an open start (../2007-06, going on without bound) still reaches the edge."""
    ledger = tmp_path / "by.toml"
    ledger.write_text('schema = 1\n[[source]]\nid = "s"\ntitle = "t"\npublisher = "p"\ndate = "2014"\n'
                      + "".join(f'[[event]]\nid = "{i}"\ndate = "{d}"\ntitle = "{i}"\nsummary = "s"\nsources = ["s"]\n'
                                for i, d in (("a", "1980"), ("b", "/2007-06"), ("c", "../2007-06"), ("d", "2014"),
                                                     ("e", "2007-06"))),
                      encoding="utf-8")
    page = run("export", "html", "--ledger", str(ledger)).stdout
    found = re.findall(r'id="ev-(\w)".*?<div class="track" aria-hidden="true"><span class="([^"]*)" '
                       r'style="left:([0-9.]+)%', page, re.S)
    tracks = {eid: (classes, float(left)) for eid, classes, left in found}
    assert tracks["b"][1] == tracks["e"][1] > 0 and "fz-s" in tracks["b"][0] and "open-s" not in tracks["b"][0]
    assert tracks["c"][1] == 0 and "open-s" in tracks["c"][0], tracks["c"]
