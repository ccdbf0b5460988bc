"""Time scales for pictures of a timeline: an axis of whole years (long empty runs cut out) and
lanes of events per actor or tag.  Plain data and arithmetic, shared by the terminal chart and the
HTML overview; drawing lives with each of them."""

from __future__ import annotations

from dataclasses import dataclass, field

from iqtl.core.edtf import EDTF, NEG_INF, POS_INF, civil_from_days, days_from_civil
from iqtl.core.model import Event, Ledger

YEAR_STEPS = (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000)


@dataclass(frozen=True)
class Axis:
    """Whole years spread over `width` columns, in segments of the same scale: a long run of years in
    which nothing happens is cut out and drawn as one break column (≈) between two segments."""

    segments: tuple[tuple[int, int, int, int], ...]  # (first day, last day, first column, last column)
    width: int
    gap: int = 1  # columns a break takes

    @property
    def lo(self) -> int:
        return self.segments[0][0]

    @property
    def hi(self) -> int:
        return self.segments[-1][1]

    @property
    def breaks(self) -> list[int]:
        """The middle column of each break."""
        return [seg[3] + 1 + (self.gap - 1) // 2 for seg in self.segments[:-1]]

    def col(self, day: int) -> int:
        day = min(max(day, self.lo), self.hi)
        for lo, hi, c0, c1 in self.segments:
            if day <= hi:
                if day < lo:  # in a cut-out gap: the middle of the break before this segment
                    return c0 - self.gap + (self.gap - 1) // 2
                return c0 + (day - lo) * (c1 - c0 + 1) // (hi - lo + 1)
        return self.width - 1  # not reached

    @property
    def first_year(self) -> int:
        return civil_from_days(self.lo)[0]

    @property
    def last_year(self) -> int:
        return civil_from_days(self.hi)[0]

    @property
    def gaps(self) -> list[tuple[int, int]]:
        """The years cut out, as (first, last) pairs."""
        return [(civil_from_days(a[1])[0] + 1, civil_from_days(b[0])[0] - 1)
                for a, b in zip(self.segments, self.segments[1:], strict=False)]


def _empty_year_runs(dates: list[EDTF], first: int, last: int) -> list[tuple[int, int]]:
    """The runs of years in first..last that no date touches.  Works on the dates' year spans, never
    year by year: a ledger may hold Y-prefixed years, a billion years apart."""
    spans = []
    for d in dates:
        # An open or unknown end ("by February 2008": ../2008-02) says nothing about the years before
        # it: such a date keeps only its known year, or a ledger with one would never cut a gap.
        if d.earliest == NEG_INF and d.latest == POS_INF:
            continue
        lo = d.latest if d.earliest == NEG_INF else d.earliest
        hi = d.earliest if d.latest == POS_INF else d.latest
        a = max(first, civil_from_days(lo)[0])
        b = min(last, civil_from_days(hi)[0])
        if a <= b:
            spans.append((a, b))
    runs, y = [], first
    for a, b in sorted(spans):
        if a > y:
            runs.append((y, a - 1))
        y = max(y, b + 1)
    if y <= last:
        runs.append((y, last))
    return runs


def make_axis(events: list[Event], width: int, window: tuple[int | None, int | None] = (None, None), *,
              cut_gaps: bool = True, gap: int = 1) -> Axis | None:
    """An axis over whole years covering every known bound of `events`, clipped to the --from/--to window.
    With cut_gaps, runs of at least 4 empty years that make up a tenth of the span or more are cut out,
    each leaving a break `gap` columns wide."""
    dates = [ev.date for ev in events if ev.date]
    finite = [b for d in dates for b in (d.earliest, d.latest) if b not in (NEG_INF, POS_INF)]
    if not finite:
        return None
    lo = max(min(d.earliest for d in dates), NEG_INF if window[0] is None else window[0])
    hi = min(max(d.latest for d in dates), POS_INF if window[1] is None else window[1])
    lo = min(finite) if lo == NEG_INF else lo
    hi = max(finite) if hi == POS_INF else hi
    first, last = civil_from_days(min(lo, hi))[0], civil_from_days(max(lo, hi))[0]
    years = last - first + 1
    gaps = [g for g in _empty_year_runs(dates, first, last) if g[1] - g[0] + 1 >= max(4, years / 10)] \
        if cut_gaps else []
    spans, y = [], first
    for a, b in gaps:
        spans.append((y, a - 1))
        y = b + 1
    spans.append((y, last))
    width = max(len(spans) * (gap + 1), width)
    usable = width - gap * (len(spans) - 1)
    days = [days_from_civil(b, 12, 31) - days_from_civil(a, 1, 1) + 1 for a, b in spans]
    total = sum(days)
    cols = [max(1, usable * d // total) for d in days]
    cols[max(range(len(cols)), key=lambda i: days[i])] += usable - sum(cols)
    segments, c = [], 0
    for (a, b), n in zip(spans, cols, strict=True):
        segments.append((days_from_civil(a, 1, 1), days_from_civil(b, 12, 31), c, c + n - 1))
        c += n + gap
    return Axis(tuple(segments), width, gap)


# ---------------------------------------------------------------- lanes


@dataclass
class Lane:
    key: str | None  # actor id or tag; None for the events that have none
    label: str
    events: list[Event] = field(default_factory=list)


def lanes_for(ledger: Ledger, events: list[Event], by: str = "actor") -> list[Lane]:
    """One lane per actor (or tag) of the events, in order of each lane's first event; then the events
    with no actor (tag), if any."""
    lanes: dict[str | None, Lane] = {}
    for ev in events:
        keys = tuple(dict.fromkeys(ev.actors if by == "actor" else ev.tags)) or (None,)
        for key in keys:
            if key not in lanes:
                if key is None:
                    label = f"(no {by})"
                elif by == "actor":
                    actor = ledger.get("actor", key)
                    label = actor.name if actor else key
                else:
                    label = key
                lanes[key] = Lane(key, label)
            lanes[key].events.append(ev)
    ordered = sorted((ln for ln in lanes.values() if ln.key is not None), key=lambda ln: _first(ln))
    return ordered + ([lanes[None]] if None in lanes else [])


def _first(lane: Lane) -> tuple:
    days = [ev.date.earliest for ev in lane.events if ev.date]
    return (min(days) if days else POS_INF, -len(lane.events), lane.label.casefold())


def busiest(lanes: list[Lane], limit: int) -> list[Lane]:
    """The `limit` lanes with the most events (0: all), kept in their order."""
    if not limit or len(lanes) <= limit:
        return lanes
    ranked = sorted(range(len(lanes)), key=lambda i: (-len(lanes[i].events), _first(lanes[i])))
    keep = set(ranked[:limit])
    return [ln for i, ln in enumerate(lanes) if i in keep]


def year_step(axis: Axis, label_width: int) -> int:
    per_year = per_year_columns(axis)
    for step in YEAR_STEPS:
        if step * per_year >= label_width + 1:
            return step
    step = YEAR_STEPS[-1]
    while step * per_year < label_width + 1:  # long (Y-prefixed) years: tens of thousands and beyond
        step *= 10
    return step


def round_years(first: int, last: int, step: int) -> list[int]:
    """The years from first to last that are multiples of step, without visiting the others."""
    return list(range(first + (-first) % step, last + 1, step))


def per_year_columns(axis: Axis) -> float:
    years = sum(civil_from_days(hi)[0] - civil_from_days(lo)[0] + 1 for lo, hi, _, _ in axis.segments)
    return (axis.width - axis.gap * len(axis.breaks)) / years


def half_known(date: EDTF) -> bool:
    """An interval known by one end only (/2007-06, 2003/): not to be drawn as running to the edge."""
    return (date.unknown_start and date.end is not None) or (date.unknown_end and date.start is not None)


def drawn_span(date: EDTF) -> tuple[int, int]:
    """The days a bar covers.  A date known only by one end ("by June 2007": /2007-06) covers that
    end's own span, not every year before it: an unknown end is not an open one."""
    if half_known(date):
        known = date.end if date.unknown_start else date.start
        return known.earliest, known.latest
    return date.earliest, date.latest
