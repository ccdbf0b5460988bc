"""`iqtl stats` drawn for a terminal: the year bar chart and the count tables of a figures() dict."""

from __future__ import annotations

from rich.columns import Columns
from rich.console import Group
from rich.table import Table
from rich.text import Text

from iqtl.core.text import for_terminal

EIGHTHS = " ▏▎▍▌▋▊▉"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def bar(value: int, most: int, width: int) -> str:
    """A horizontal bar in eighths of a cell: `most` fills `width` cells."""
    if most <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value * width * 8 / most))
    return "█" * (eighths // 8) + (EIGHTHS[eighths % 8] if eighths % 8 else "")


def year_chart(per_year: dict[str, int], width: int) -> Text:
    """Events per year, one row a year; a run of three or more empty years is one row."""
    if not per_year:
        return Text("no dated events", style="dim")
    counts = {int(y): n for y, n in per_year.items() if n}
    if not counts:
        return Text("no dated events", style="dim")
    # Row by row from one year with events to the next, never year by year: a ledger may hold
    # Y-prefixed years, a billion years apart.
    rows: list[tuple[str, int]] = []
    prev = None
    for y in sorted(counts):
        if prev is not None and y - prev > 1:
            a, b = prev + 1, y - 1  # a run of years without events
            if b - a >= 2:
                rows.append((f"{a}–{b}", 0))
            else:
                rows.extend((str(z), 0) for z in range(a, b + 1))
        rows.append((str(y), counts[y]))
        prev = y
    most = max(counts.values())
    label_w = max(len(label) for label, _ in rows)
    count_w = len(str(most))
    bar_w = max(5, width - label_w - count_w - 2)
    return Text("\n").join(
        Text.assemble((label.rjust(label_w), "bold" if n else "dim"), " ", (str(n).rjust(count_w), "" if n else "dim"),
                      " ", (bar(n, most, bar_w), "cyan"))
        for label, n in rows)


def _table(title: str, columns: tuple[str, ...], rows: list[tuple], top: int) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold", show_header=True, header_style="dim",
                  box=None, pad_edge=False, padding=(0, 1))
    for c in columns:
        table.add_column(c, justify="right" if c in ("events", "claims", "n") else "left", no_wrap=c != columns[0],
                         overflow="fold" if c == columns[0] else "ellipsis", max_width=32 if c == columns[0] else None)
    shown = rows if not top else rows[:top]
    for row in shown:
        table.add_row(*(Text(for_terminal(str(v))) for v in row))
    if len(shown) < len(rows):
        table.add_row(*(Text(f"… {len(rows) - len(shown)} more", style="dim") if i == 0 else "" for i in
                        range(len(columns))))
    return table


def view(fig: dict, width: int = 80, top: int = 10) -> Group:
    span = (f"{fig['first_year']}–{fig['last_year']}" if fig["first_year"] != fig["last_year"]
            else str(fig["first_year"])) if fig["first_year"] is not None else "undated"
    kinds = ", ".join(plural(n, k) for k, n in fig["claim_kinds"].items())
    c = fig["contested"]
    head = Text.assemble((plural(fig["events"], "event"), "bold"), f" ({span}), ",
                         (plural(fig["claims"], "claim"), "bold"), f" ({kinds})" if kinds else "",
                         f" by {plural(len(fig['speakers']), 'speaker')}, from "
                         f"{plural(len(fig['sources']), 'source')}; {plural(c['claims'], 'claim')} contested "
                         f"({plural(c['disputes'], 'dispute')}, {plural(c['supports'], 'support')})")
    d = fig["dates"]
    dates = _table("Dates", ("kind", "n"), [
        ("exact", d["exact"]), ("approximate (~)", d["approximate"]), ("uncertain (?)", d["uncertain"]),
        ("approximate and uncertain (%)", d["approximate+uncertain"]), ("intervals", d["intervals"]),
        ("open-ended intervals", d["open_intervals"]), ("undated", d["undated"]),
    ], 0)
    precision = _table("Precision", ("precision", "n"), list(fig["precision"].items()), 0)
    actors = _table("Actors", ("actor", "events"), [(a["name"], a["events"]) for a in fig["actors"]], top)
    tags = _table("Tags", ("tag", "events"), [(t["tag"], t["events"]) for t in fig["tags"]], top)
    sources = _table("Sources", ("source", "events", "claims"),
                     [(s["id"], s["events"], s["claims"]) for s in fig["sources"]], top)
    speakers = _table("Speakers", ("speaker", "claims"), [(s["name"], s["claims"]) for s in fig["speakers"]], top)
    per_year = Group(Text("Events per year (by the year each starts)", style="bold"),
                     year_chart(fig["events_per_year"], min(width, 72)))
    return Group(head, Text(""), per_year, Text(""),
                 Columns([dates, precision, sources], padding=(1, 3)), Text(""),
                 Columns([actors, tags, speakers], padding=(1, 3)))
