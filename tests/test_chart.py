"""`iqtl chart` and `iqtl stats`: the pictures in the terminal, on fixed widths."""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter

import pytest
from rich.cells import cell_len

from iqtl.core.edtf import days_from_civil

from .conftest import FIXTURES, MINI, SEED, run

HOSTILE = FIXTURES / "hostile.toml"
VIEWS = ("chart", "stats", "export")






def chart_lines(*args: str, ledger=SEED, width: int = 100) -> list[str]:
    result = run("chart", "--ledger", str(ledger), "--width", str(width), "--color", "never", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def header(lines: list[str]) -> tuple[str, str, int]:
    """The year-label row, the axis row and the column where the plot starts."""
    rule_at = next(i for i, line in enumerate(lines) if "┬" in line)
    rule = lines[rule_at]
    return lines[rule_at - 1], rule, len(rule) - len(rule.lstrip(" "))


def lane(lines: list[str], label: str) -> str:
    """The first row of the lane whose label starts with `label`."""
    return next(line for line in lines if line.startswith(label + " "))


def linear_col(day: int, first_year: int, last_year: int, plot_width: int) -> int:
    lo, hi = days_from_civil(first_year, 1, 1), days_from_civil(last_year, 12, 31)
    return min(plot_width - 1, (day - lo) * plot_width // (hi - lo + 1))


# ---------------------------------------------------------------- fitting the width


@pytest.mark.parametrize("width", [100, 60, 40])
@pytest.mark.parametrize("by", ["actor", "tag"])
def test_every_line_fits_the_width_and_the_year_scale_is_on_top(width, by):
    lines = chart_lines("--by", by, "--lanes", "0", width=width)
    assert all(cell_len(line) <= width for line in lines), max(lines, key=cell_len)
    labels, rule, x0 = header(lines)
    assert lines.index(labels) <= 2  # the scale comes first, after the title
    assert "1980" in labels and "2010" in labels
    assert set(rule[x0:]) <= set("┬─≈JFMASOND")
    # Each run of empty years cut out of the scale is a ≈ on it and a note under the chart.  (The
    # seed's 1989-2002 is no longer empty: the Badr Corps was formed some time in 1982/2003.)
    assert rule.count("≈") == len(re.findall(r"\d{4}–\d{4} left out", " ".join(lines)))


def test_labelled_years_sit_on_their_ticks():
    labels, rule, _ = header(chart_lines())
    for m in re.finditer(r"\d{4}", labels):
        assert rule[m.start()] == "┬", m.group()


def test_default_width_is_the_terminal_width(monkeypatch):
    monkeypatch.setenv("COLUMNS", "72")
    result = run("chart", "--ledger", str(SEED), "--color", "never")
    assert result.exit_code == 0
    assert max(cell_len(line) for line in result.stdout.splitlines()) == 72


# ---------------------------------------------------------------- bars in the right columns


@pytest.mark.parametrize("tag, start, end", [
    ("iran-iraq-war", (1980, 1, 1), (1988, 12, 31)),  # 1980-1988-iran-iraq-war: 1980/1988
    ("surge", (2007, 1, 1), (2008, 12, 31)),  # surge: 2007-01/2008
])
def test_an_interval_is_a_bar_over_exactly_its_columns(tag, start, end):
    width = 100
    lines = chart_lines("--by", "tag", "--lanes", "0", "--linear", width=width)
    _, _, x0 = header(lines)
    row = lane(lines, tag)
    c0 = linear_col(days_from_civil(*start), 1980, 2014, width - x0)
    c1 = linear_col(days_from_civil(*end), 1980, 2014, width - x0)
    assert c1 - c0 >= 2
    assert row[x0 + c0:x0 + c1 + 1] == "█" * (c1 - c0 + 1), row
    assert row[x0 + c1 + 1] == " "
    if c0 > 0:
        assert row[x0 + c0 - 1] == " "


GAPPED = """schema = 1
[[source]]
id = "s"
title = "S"
publisher = "P"
date = "2014"
[[event]]
id = "war"
date = "1980/1988"
title = "War"
summary = "x"
sources = ["s"]
tags = ["iran-iraq-war"]
[[event]]
id = "surge"
date = "2007-01/2008"
title = "Surge"
summary = "x"
sources = ["s"]
tags = ["surge"]
[[event]]
id = "e2006"
date = "2006"
title = "2006"
summary = "x"
sources = ["s"]
tags = ["other"]
[[event]]
id = "e2014"
date = "2014"
title = "2014"
summary = "x"
sources = ["s"]
tags = ["other"]
"""


def test_with_the_gap_cut_out_the_bars_follow_the_ticks(tmp_path):
    ledger = tmp_path / "gapped.toml"
    ledger.write_text(GAPPED, encoding="utf-8")
    lines = chart_lines("--by", "tag", "--lanes", "0", ledger=ledger, width=100)
    assert any("1989–2005 left out" in line for line in lines)
    labels, rule, x0 = header(lines)
    ticks = {int(m.group()): m.start() for m in re.finditer(r"\d{4}", labels)}
    gap = rule.index("≈")
    war = lane(lines, "iran-iraq-war")
    assert war[ticks[1980]] == "█" and war[x0] == "█"
    assert war[x0:gap - 1] == "█" * (gap - 1 - x0)  # to the end of 1988, just before the break
    assert war[gap] == " "
    # surge: January 2007 to the end of 2008, read off the 2006 and 2008 ticks of the same segment
    per_day = (ticks[2008] - ticks[2006]) / (days_from_civil(2008, 1, 1) - days_from_civil(2006, 1, 1))
    start = ticks[2006] + (days_from_civil(2007, 1, 1) - days_from_civil(2006, 1, 1)) * per_day
    end = ticks[2008] + (days_from_civil(2008, 12, 31) - days_from_civil(2008, 1, 1)) * per_day
    surge = lane(lines, "surge")
    first, last = surge.index("█"), surge.rindex("█")
    assert abs(first - start) <= 1 and abs(last - end) <= 1, (first, start, last, end)
    assert set(surge[first:last + 1]) == {"█"}


def test_approximate_dates_are_drawn_fuzzy():
    lines = chart_lines(ledger=MINI, width=60)
    sadr = lane(lines, "Muqtada al-Sadr")  # 2007-02~ and 2007-08~: approximate single dates
    assert "○" in sadr and "●" not in sadr and "█" not in sadr
    us = lane(lines, "United States")  # 1980/1988 (exact) and 2007-12-31 (exact)
    assert "█" in us and "●" in us and "○" not in us and "░" not in us
    assert any(line.startswith("█ interval") and "░ approximate" in line for line in lines)


def test_an_approximate_end_of_an_interval_is_fuzzy_and_the_rest_solid():
    # sadr-ceasefire-period: 2007-08~/2008-02 -- August 2007 drawn ░, then █ to the end of February 2008
    lines = chart_lines("--from", "2007", "--to", "2008", "--tag", "ceasefire", "--grep", "cease-fire in force",
                        "--by", "tag")
    _, rule, x0 = header(lines)
    row = lane(lines, "ceasefire")
    assert re.search(r"░+█+", row)
    assert row.index("░") == x0 + rule[x0:].index("A", rule[x0:].index("J") + 4)  # the August tick
    assert "J" in rule and "F" in rule  # a two-year window is wide enough for month initials


def test_open_or_clipped_intervals_are_marked_as_going_on():
    lines = chart_lines("--from", "2007-06", "--to", "2007-09", "--by", "tag", "--lanes", "0", width=80)
    assert any("◂" in line for line in lines) and any("▸" in line for line in lines)
    labels, _, _ = header(lines)
    assert labels.split() == ["2007"]


# ---------------------------------------------------------------- lanes and filters


def test_lanes_per_actor_follow_the_filters():
    lines = chart_lines("--actor", "jam", ledger=MINI, width=60)
    assert lane(lines, "Muqtada al-Sadr") and lane(lines, "Mahdi Army")
    assert not any(line.startswith("United States") for line in lines)
    assert lines[0].startswith("Events by actor, 2007: 1 event, 2 lanes")


def test_the_busiest_lanes_are_kept():
    raw = tomllib.loads(SEED.read_text(encoding="utf-8"))
    counts = Counter(a for ev in raw["event"] for a in dict.fromkeys(ev.get("actors", [])))
    names = {a["id"]: a["name"] for a in raw["actor"]}
    top = sorted(counts, key=lambda a: -counts[a])[:3]
    lines = chart_lines("--lanes", "3")
    assert lines[0].startswith(f"Events by actor, 1980–2014: {len(raw['event'])} events, 3 of {len(counts)} lanes")
    _, _, x0 = header(lines)
    firsts = [line[:x0] for line in lines[3:] if line[:1].strip() and re.search(r" \d+ $", line[:x0])]
    shown = [f.rsplit(None, 1) for f in firsts]
    assert sorted(int(n) for _, n in shown) == sorted(counts[a] for a in top)
    for name, n in shown:  # a long name is cut with an ellipsis
        assert any(names[a].startswith(name.rstrip(" …")) and counts[a] == int(n) for a in top), name
    assert any(f"{len(counts) - 3} more lanes" in line for line in lines)


def test_no_events_is_not_an_error():
    result = run("chart", "--ledger", str(MINI), "--tag", "war", "--from", "2007", "--within")  # a tag it has, not then
    assert result.exit_code == 0 and result.stdout == "" and "no events match" in result.stderr


def test_ledger_text_cannot_reach_the_terminal_as_control_sequences():
    never = run("chart", "--ledger", str(HOSTILE), "--width", "60", "--color", "never")
    assert "\x1b" not in never.stdout
    always = run("chart", "--ledger", str(HOSTILE), "--width", "60", "--color", "always")
    assert "\x1b[" in always.stdout  # coloured,
    assert "\x1b" not in re.sub(r"\x1b\[[0-9;]*m", "", always.stdout)  # but only by SGR sequences of ours
    assert "[bold red]Mall" in never.stdout  # Rich markup in a name is text
    stats = run("stats", "--ledger", str(HOSTILE), "--width", "120", "--color", "never", "--top", "0").stdout
    assert "\x1b" not in stats and "\u202e" not in stats
    assert "[bold red]Mallory[/]" in stats and "\\x1b[31mred" in stats


# ---------------------------------------------------------------- stats


def test_stats_figures_of_the_mini_ledger():
    result = run("stats", "--ledger", str(MINI), "--format", "json")
    assert result.exit_code == 0, result.stderr
    fig = json.loads(result.stdout)
    # war 1980/1988, stand-down 2007-02~, ceasefire 2007-08~, new-year 2007-12-31; claims rogue and
    # control, control disputing rogue.
    assert fig["events"] == 4 and fig["claims"] == 2
    assert (fig["first_year"], fig["last_year"]) == (1980, 2007)
    assert fig["events_per_year"] == {"1980": 1, "2007": 3}
    assert fig["dates"] == {"exact": 2, "approximate": 2, "uncertain": 0, "approximate+uncertain": 0,
                            "intervals": 1, "open_intervals": 0, "undated": 0}
    assert fig["precision"] == {"month": 2, "day": 1, "interval": 1}
    assert [(a["id"], a["events"]) for a in fig["actors"]] == [("sadr", 2), ("us", 2), ("jam", 1)]
    assert [(t["tag"], t["events"]) for t in fig["tags"]] == [
        ("ceasefire", 1), ("edge", 1), ("jam", 1), ("surge", 1), ("war", 1)]
    assert [(s["id"], s["events"], s["claims"]) for s in fig["sources"]] == [("paper-a", 3, 2), ("paper-b", 1, 0)]
    assert [(s["id"], s["claims"]) for s in fig["speakers"]] == [("sadr", 1), ("us", 1)]
    assert fig["contested"] == {"claims": 2, "disputes": 1, "supports": 0}


def test_stats_follow_the_filters():
    fig = json.loads(run("stats", "--ledger", str(MINI), "--format", "json", "--from", "2007").stdout)
    assert fig["events"] == 3 and fig["events_per_year"] == {"2007": 3}
    assert fig["dates"]["intervals"] == 0 and fig["dates"]["approximate"] == 2
    # The claims are dated by their own date or their source's (2008): both match --from 2007.
    assert fig["claims"] == 2


def eighths(bar: str) -> int:
    return sum(8 if c == "█" else " ▏▎▍▌▋▊▉".index(c) for c in bar)


def test_stats_table_has_the_bar_chart_and_the_counts():
    result = run("stats", "--ledger", str(MINI), "--width", "70", "--color", "never")
    assert result.exit_code == 0
    out = result.stdout
    assert " ".join(out.split()).startswith("4 events (1980–2007), 2 claims (2 quotes) by 2 speakers, from 2 "
                                            "sources; 2 claims contested (1 dispute, 0 supports)")
    rows = {m.group(1): (int(m.group(2)), eighths(m.group(3)))
            for m in re.finditer(r"^ *(\d{4}(?:–\d{4})?) +(\d+) ?([█▏▎▍▌▋▊▉]*)", out, re.M)}
    assert rows["1980"][0] == 1 and rows["2007"][0] == 3 and rows["1981–2006"] == (0, 0)
    assert abs(rows["2007"][1] - 3 * rows["1980"][1]) <= 1  # bars in proportion, to an eighth of a cell
    for word in ("approximate (~)", "intervals", "Actors", "Tags", "Sources", "Speakers", "paper-a"):
        assert word in out
    assert all(cell_len(line) <= 70 for line in out.splitlines())


def test_stats_of_the_seed_ledger():
    """Figures against counts made here from the TOML text itself (its date strings' qualifiers)."""
    raw = tomllib.loads(SEED.read_text(encoding="utf-8"))
    dates = [ev["date"] for ev in raw["event"]]

    def qualifier(text: str) -> str:
        approx, unsure = "~" in text or "%" in text, "?" in text or "%" in text
        return {(True, True): "approximate+uncertain", (True, False): "approximate",
                (False, True): "uncertain", (False, False): "exact"}[(approx, unsure)]

    fig = json.loads(run("stats", "--ledger", str(SEED), "--format", "json").stdout)
    assert fig["events"] == len(dates) and fig["claims"] == len(raw["claim"])
    # an unknown start ("by February 2008": /2008-02) has no first year to count it under
    assert sum(fig["events_per_year"].values()) == sum(not t.startswith(("..", "/")) for t in dates)
    wanted = Counter(qualifier(t) for t in dates)
    d = fig["dates"]
    assert {q: d[q] for q in wanted} == dict(wanted)
    assert d["intervals"] == sum("/" in t for t in dates)
    assert d["open_intervals"] == sum(t.startswith(("..", "/")) or t.endswith(("..", "/")) for t in dates)
    assert d["undated"] == 0
    assert fig["precision"]["interval"] == d["intervals"]
    counts = Counter(a for ev in raw["event"] for a in dict.fromkeys(ev.get("actors", [])))
    top, n = counts.most_common(1)[0]
    assert fig["actors"][0] == {"id": top, "name": next(a["name"] for a in raw["actor"] if a["id"] == top),
                                "events": n}


def test_a_date_known_only_by_its_end_is_not_drawn_across_the_years_before(tmp_path):
    """"By June 2007" (/2007-06) says nothing of 1980-2006: the known month is drawn faint with an
    arrow before it, not a bar from the chart's left edge."""
    ledger = tmp_path / "by.toml"
    ledger.write_text(GAPPED.replace('date = "2006"', 'date = "/2007-06"'), encoding="utf-8")
    lines = chart_lines("--by", "tag", "--lanes", "0", "--linear", ledger=ledger, width=100)
    _, _, x0 = header(lines)
    row = lane(lines, "other")
    assert "◂░" in row and "█" not in row[x0:], row
    assert row[x0:].index("◂") > (100 - x0) // 2  # near 2007, far from 1980
