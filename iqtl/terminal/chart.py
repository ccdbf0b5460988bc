"""`iqtl chart`: the events over time as lanes of bars, one lane per actor (or tag), for a terminal.

The picture is built as plain cells (a character and a style each) on a day-based axis, then
turned into Rich Text one line at a time: every line fits the width asked for, and ledger text
reaches the terminal only through Text() after for_terminal(), never as Rich markup.
"""

from __future__ import annotations

from collections import Counter

from rich.cells import cell_len
from rich.text import Text

from iqtl.core.edtf import EDTF, civil_from_days, days_from_civil
from iqtl.core.model import Event, Ledger
from iqtl.core.text import for_terminal
from iqtl.reports.timescale import (
    Axis,
    Lane,
    busiest,
    drawn_span,
    half_known,
    lanes_for,
    make_axis,
    per_year_columns,
    round_years,
    year_step,
)
from iqtl.terminal.render import date_style

BAR = "█"  # an interval, or the part of it whose end is known
FUZZY = "░"  # the part of an interval whose end is approximate or uncertain
POINT = "●"  # a single date
FUZZY_POINT = "○"  # a single date that is approximate or uncertain
MORE_LEFT, MORE_RIGHT = "◂", "▸"  # the interval goes on beyond the chart (open end, or clipped by --from/--to)

LEGEND = ((BAR, "interval"), (FUZZY, "approximate/uncertain end"), (POINT, "date"),
          (FUZZY_POINT, "approximate/uncertain date"),
          (MORE_LEFT + MORE_RIGHT, "goes on, or began or ended when not known"))
MONTH_INITIALS = "JFMAMJJASOND"
MAX_SUBROWS = 4  # rows a lane may grow to before overlapping intervals are drawn over each other
MIN_WIDTH = 30



Cell = tuple[str, str]  # (character, style)
_RANK = {" ": 0, FUZZY: 1, BAR: 2, MORE_LEFT: 2, MORE_RIGHT: 2, FUZZY_POINT: 3, POINT: 4}


def _put(row: list[Cell], col: int, char: str, style: str) -> None:
    if _RANK.get(char, 0) >= _RANK.get(row[col][0], 0):
        row[col] = (char, style)


def _extent(axis: Axis, date: EDTF) -> tuple[int, int]:
    """The columns an interval takes when drawn (with its arrow)."""
    if half_known(date):
        lo, hi = drawn_span(date)
        k0, k1 = axis.col(lo), axis.col(hi)
        return (max(0, k0 - 1), k1) if date.unknown_start else (k0, min(axis.width - 1, k1 + 1))
    return axis.col(date.earliest), axis.col(date.latest)


def _draw_interval(row: list[Cell], axis: Axis, date: EDTF) -> None:
    if half_known(date):
        # "By June 2007" (/2007-06) says nothing of the years before: only the known end is drawn,
        # faint, with an arrow on the side where the date is unknown -- never a bar across the chart.
        lo, hi = drawn_span(date)
        k0, k1 = axis.col(lo), axis.col(hi)
        for c in range(k0, k1 + 1):
            row[c] = (FUZZY, "cyan")
        if date.unknown_start and k0 > 0:
            row[k0 - 1] = (MORE_LEFT, "dim")
        elif date.unknown_end and k1 < len(row) - 1:
            row[k1 + 1] = (MORE_RIGHT, "dim")
        return
    c0, c1 = axis.col(date.earliest), axis.col(date.latest)
    for c in range(c0, c1 + 1):
        _put(row, c, BAR, "cyan")
    for part in (date.start, date.end):  # an approximate or uncertain end: its own span drawn fuzzy
        if part is not None and (part.approximate or part.uncertain):
            for c in range(axis.col(part.earliest), axis.col(part.latest) + 1):
                row[c] = (FUZZY, date_style(part))
    if date.earliest < axis.lo:
        row[c0] = (MORE_LEFT, "dim")
    if date.latest > axis.hi:
        row[c1] = (MORE_RIGHT, "dim")


def _occupied(row: list[Cell], c0: int, c1: int) -> bool:
    lo, hi = max(0, c0 - 1), min(len(row) - 1, c1 + 1)
    return any(row[c][0] != " " for c in range(lo, hi + 1))


def lane_rows(lane: Lane, axis: Axis, max_rows: int = MAX_SUBROWS) -> list[list[Cell]]:
    """Intervals packed into as few rows as keep them apart (at most max_rows); single dates then go
    in the first row with room at their column."""
    blank: Cell = (" ", "")
    rows: list[list[Cell]] = [[blank] * axis.width]
    dated = [ev for ev in lane.events if ev.date]
    intervals = sorted((ev for ev in dated if ev.date.is_interval), key=lambda ev: ev.date.timeline_key())
    for ev in intervals:
        c0, c1 = _extent(axis, ev.date)
        target = next((r for r in rows if not _occupied(r, c0, c1)), None)
        if target is None:
            if len(rows) < max_rows:
                rows.append([blank] * axis.width)
                target = rows[-1]
            else:
                target = rows[-1]
        _draw_interval(target, axis, ev.date)
    for ev in dated:
        if ev.date.is_interval:
            continue
        date = ev.date
        c = axis.col((max(date.earliest, axis.lo) + min(date.latest, axis.hi)) // 2)
        fuzzy = date.approximate or date.uncertain
        char = FUZZY_POINT if fuzzy else POINT
        target = next((r for r in rows if r[c][0] in (" ", POINT, FUZZY_POINT)), None)
        if target is None:
            if len(rows) < max_rows:
                rows.append([blank] * axis.width)
                target = rows[-1]
            else:
                target = rows[0]
        _put(target, c, char, date_style(date))
    return rows


def _cells_text(cells: list[Cell]) -> Text:
    text = Text()
    run, style = "", None
    for char, st in cells:
        if st != style and run:
            text.append(run, style=style or "")
            run = ""
        run += char
        style = st
    if run:
        text.append(run, style=style or "")
    return text


# ---------------------------------------------------------------- the scale


def scale_lines(axis: Axis) -> tuple[Text, Text]:
    """The year labels, and under them the axis: a ┬ at the start of each labelled year, ≈ where empty
    years are cut out, and month initials when a year is wide enough for them."""
    label_width = max(len(str(axis.first_year)), len(str(axis.last_year)))
    step = year_step(axis, label_width)
    labels = [" "] * axis.width
    rule = ["─"] * axis.width
    for b in axis.breaks:
        rule[b] = "≈"
    wide = per_year_columns(axis) >= 36
    free_from = 0
    for lo, hi, _, _ in axis.segments:
        first, last = civil_from_days(lo)[0], civil_from_days(hi)[0]
        if wide:
            for year in range(first, last + 1):
                for month in range(1, 13):
                    rule[axis.col(days_from_civil(year, month, 1))] = MONTH_INITIALS[month - 1]
        years = round_years(first, last, step)
        # The first year of a segment is labelled too, unless it would crowd out the first round year.
        if not years or (years[0] != first and axis.col(days_from_civil(years[0], 1, 1))
                         - axis.col(days_from_civil(first, 1, 1)) >= label_width + 1):
            years.insert(0, first)
        for year in years:
            col = axis.col(days_from_civil(year, 1, 1))
            label = str(year)
            if col >= free_from and col + len(label) <= axis.width:
                labels[col:col + len(label)] = list(label)
                free_from = col + len(label) + 1
                rule[col] = "┬"
    return Text("".join(labels), style="bold"), Text("".join(rule), style="dim")


# ---------------------------------------------------------------- the whole chart


def _fit(text: Text, width: int) -> Text:
    text = text.copy()
    text.truncate(width, overflow="ellipsis")
    return text


def legend_lines(width: int) -> list[Text]:
    lines: list[Text] = []
    line = Text()
    for glyph, meaning in LEGEND:
        item = Text.assemble((glyph, "bold"), " ", (meaning, "dim"))
        gap = 2 if line.plain else 0
        if line.plain and cell_len(line.plain) + gap + cell_len(item.plain) > width:
            lines.append(line)
            line, gap = Text(), 0
        line.append(" " * gap)
        line.append(item)
    if line.plain:
        lines.append(line)
    return [_fit(ln, width) for ln in lines]


def chart(ledger: Ledger, events: list[Event], *, width: int, by: str = "actor", max_lanes: int = 20,
          window: tuple[int | None, int | None] = (None, None), cut_gaps: bool = True) -> list[Text]:
    """The chart as lines of Text, each at most `width` cells wide.  `window`: the --from/--to days;
    `cut_gaps`: leave long runs of empty years out of the scale."""
    width = max(MIN_WIDTH, width)
    dated = [ev for ev in events if ev.date]
    all_lanes = lanes_for(ledger, dated, by)
    shown = busiest(all_lanes, max_lanes)
    counts = Counter({id(ln): len(ln.events) for ln in shown})
    count_w = len(str(max(counts.values(), default=0)))
    longest = max((cell_len(for_terminal(ln.label)) for ln in shown), default=6)
    name_w = max(6, min(longest, width // 4))
    label_w = name_w + 1 + count_w + 1
    axis = make_axis(dated, width - label_w, window, cut_gaps=cut_gaps)

    lines: list[Text] = []
    if axis is None:
        head = f"No dated events to chart ({len(events)} undated)." if events else "No events match."
        return [_fit(Text(head), width)]
    span = f"{axis.first_year}–{axis.last_year}" if axis.first_year != axis.last_year else str(axis.first_year)
    lanes_note = (f"{len(shown)} of {len(all_lanes)} lanes" if len(shown) < len(all_lanes)
                  else f"{len(shown)} lane" if len(shown) == 1 else f"{len(shown)} lanes")
    events_note = f"{len(dated)} event" if len(dated) == 1 else f"{len(dated)} events"
    lines.append(_fit(Text(f"Events by {by}, {span}: {events_note}, {lanes_note}", style="bold"), width))
    year_labels, rule = scale_lines(axis)
    pad = Text(" " * label_w)
    lines.append(Text.assemble(pad, year_labels))
    lines.append(Text.assemble(pad, rule))
    for lane in shown:
        for i, cells in enumerate(lane_rows(lane, axis)):
            if i == 0:
                name = Text(for_terminal(lane.label), style="bold" if lane.key is not None else "dim italic")
                name.truncate(name_w, overflow="ellipsis", pad=True)
                label = Text.assemble(name, " ", (str(len(lane.events)).rjust(count_w), "dim"), " ")
            else:
                label = Text(" " * label_w)
            lines.append(Text.assemble(label, _cells_text(cells)))
    notes = [f"≈ {a}–{b} left out: no events" if a != b else f"≈ {a} left out: no events" for a, b in axis.gaps]
    if len(shown) < len(all_lanes):
        notes.append(f"{len(all_lanes) - len(shown)} more lanes with fewer events (--lanes 0 shows all)")
    undated = len(events) - len(dated)
    if undated:
        notes.append(f"{undated} undated events not drawn")
    lines.extend(_fit(Text(n, style="dim"), width) for n in notes)
    lines.extend(legend_lines(width))
    return lines


def picture(ledger: Ledger, events: list[Event], **options):
    """The chart as one renderable, for a console to print cropped to its width."""
    from rich.console import Group

    return Group(*chart(ledger, events, **options))
