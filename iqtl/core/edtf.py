"""EDTF (ISO 8601-2, Library of Congress profile) levels 0 and 1.

Hand-written because the `edtf` package on PyPI is pyparsing-based (about 8 ms a
date, minutes for a large ledger) and rejects some valid level-1 strings.

Every parsed date has inclusive day bounds as integers: days since 1970-01-01 in
the proleptic Gregorian calendar with astronomical years (year 0 = 1 BCE), so
that negative and five-digit years work where `datetime.date` cannot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# Bounds of an open ("..") or unknown (empty) interval end.  Far beyond any year
# the parser accepts, so they sort before/after every real day.
NEG_INF = -(2**62)
POS_INF = 2**62

MAX_YEAR_DIGITS = 9  # Y-prefixed years; keeps every bound far from the sentinels

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)
# Level 1 seasons 21..24, as northern-hemisphere meteorological seasons.
SEASONS = {21: ("Spring", 3, 5), 22: ("Summer", 6, 8), 23: ("Autumn", 9, 11), 24: ("Winter", 12, 14)}

PRECISIONS = ("day", "month", "season", "year", "decade", "century", "interval")


class EDTFError(ValueError):
    """A string that is not level 0/1 EDTF.  `pos` is the 0-based offset of the fault."""

    def __init__(self, message: str, pos: int = 0):
        super().__init__(message)
        self.message = message
        self.pos = pos


@dataclass(frozen=True, slots=True)
class EDTF:
    text: str
    earliest: int  # inclusive, days since 1970-01-01; NEG_INF when open/unknown
    latest: int  # inclusive; POS_INF when open/unknown
    precision: str  # one of PRECISIONS
    uncertain: bool = False  # "?" (or "%") on the date or on any interval end
    approximate: bool = False  # "~" (or "%")
    start: EDTF | None = None  # interval ends; None for a single date
    end: EDTF | None = None
    open_start: bool = False  # ".." start
    open_end: bool = False
    unknown_start: bool = False  # empty start
    unknown_end: bool = False
    display: str = ""

    @property
    def is_interval(self) -> bool:
        return self.precision == "interval"

    @property
    def qualifier(self) -> str:
        """"exact", "approximate", "uncertain" or "approximate+uncertain"."""
        if self.approximate and self.uncertain:
            return "approximate+uncertain"
        if self.approximate:
            return "approximate"
        if self.uncertain:
            return "uncertain"
        return "exact"

    @property
    def start_iso(self) -> str:
        return iso_day(self.earliest)

    @property
    def end_iso(self) -> str:
        return iso_day(self.latest)

    @property
    def first_year(self) -> int | None:
        """The year the date starts in; None for an open or unknown start."""
        return None if self.earliest == NEG_INF else civil_from_days(self.earliest)[0]

    def sort_key(self) -> tuple[int, int]:
        return (self.earliest, self.latest)

    def overlaps(self, lo: int, hi: int) -> bool:
        return self.earliest <= hi and self.latest >= lo

    def within(self, lo: int, hi: int) -> bool:
        return lo <= self.earliest and self.latest <= hi


# ---------------------------------------------------------------- calendar maths


def is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if is_leap(year) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 (H. Hinnant's algorithm; Python's // floors, so any year works)."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + (m <= 2), m, d)


@lru_cache(maxsize=1 << 16)  # exports ask for the same few thousand days again and again
def iso_day(days: int) -> str:
    """ISO 8601 day for a bound; "" for an open or unknown end."""
    if days in (NEG_INF, POS_INF):
        return ""
    y, m, d = civil_from_days(days)
    if 0 <= y <= 9999:
        return f"{y:04d}-{m:02d}-{d:02d}"
    sign = "-" if y < 0 else "+"
    return f"{sign}{abs(y):04d}-{m:02d}-{d:02d}"


def day_bounds(year: int, month: int | None = None, day: int | None = None) -> tuple[int, int]:
    if month is None:
        return days_from_civil(year, 1, 1), days_from_civil(year, 12, 31)
    if day is None:
        return days_from_civil(year, month, 1), days_from_civil(year, month, days_in_month(year, month))
    d = days_from_civil(year, month, day)
    return d, d


# ---------------------------------------------------------------- parsing

_DATE = re.compile(
    r"""
    (?P<year>Y-?\d+|-?\d{4}|\d{3}X|\d{2}XX)
    (?:-(?P<month>\d{2}|XX)
       (?:-(?P<day>\d{2}|XX)
          (?P<time>T\d{2}:\d{2}:\d{2}(?:Z|[+-]\d{2}(?::\d{2})?)?)?
       )?
    )?
    (?P<qual>[?~%])?
    """,
    re.VERBOSE | re.ASCII,  # EDTF digits are ASCII: no Arabic-Indic or full-width digits
)
_PLAUSIBLE_PREFIX = re.compile(r"(Y-?\d*|-?[\dX]{0,4})(-[\dX]{0,2}(-[\dX]{0,2}(T[\d:Z+-]*)?)?)?[?~%]?", re.ASCII)
MAX_LENGTH = 64  # far beyond any valid level 0/1 string; keeps error reporting cheap


def _year_text(year: int) -> str:
    return f"-{abs(year):04d}" if year < 0 else f"{year:04d}" if year <= 9999 else str(year)


def _qual_suffix(approximate: bool, uncertain: bool) -> str:
    if approximate and uncertain:
        return " (approx., uncertain)"
    if approximate:
        return " (approx.)"
    if uncertain:
        return " (uncertain)"
    return ""


def _parse_date(text: str, offset: int) -> EDTF:
    m = _DATE.fullmatch(text)
    if not m:
        raise EDTFError(_explain(text), offset + _first_bad(text))
    ytext, mtext, dtext, ttext, qual = m.group("year", "month", "day", "time", "qual")
    approximate = qual in ("~", "%")
    uncertain = qual in ("?", "%")
    pos = offset

    if ytext.startswith("Y"):
        digits = ytext[1:].lstrip("-")
        if len(digits.lstrip("0")) <= 4:
            raise EDTFError("a Y-prefixed year needs more than four digits, not counting leading zeros "
                            "(write plain 1985 instead)", pos)
        if len(digits) > MAX_YEAR_DIGITS:
            raise EDTFError(f"year has more than {MAX_YEAR_DIGITS} digits", pos)
        if mtext is not None:
            raise EDTFError("a Y-prefixed year cannot have a month or day at level 1", pos + len(ytext))
        year = int(ytext[1:])
        lo, hi = day_bounds(year)
        disp = str(year)
        return EDTF(text, lo, hi, "year", uncertain, approximate,
                    display=disp + _qual_suffix(approximate, uncertain))

    if "X" in ytext:
        if mtext is not None:
            raise EDTFError("a year with unspecified digits cannot have a month or day", pos + len(ytext))
        stem = ytext.rstrip("X")
        width = 4 - len(stem)
        base = int(stem) * 10**width
        lo, _ = day_bounds(base)
        _, hi = day_bounds(base + 10**width - 1)
        precision = "decade" if width == 1 else "century"
        disp = f"{base}s"
        return EDTF(text, lo, hi, precision, uncertain, approximate,
                    display=disp + _qual_suffix(approximate, uncertain))

    year = int(ytext)
    if ytext == "-0000":
        raise EDTFError("year -0000 is not valid (year 0000 is written without a sign)", pos)
    ydisp = _year_text(year)
    pos += len(ytext) + 1

    if mtext is None:
        lo, hi = day_bounds(year)
        return EDTF(text, lo, hi, "year", uncertain, approximate,
                    display=ydisp + _qual_suffix(approximate, uncertain))

    if mtext == "XX":
        if dtext not in (None, "XX"):
            raise EDTFError("a day cannot be given when the month is unspecified", pos + 3)
        if ttext:
            raise EDTFError("a time cannot follow an unspecified day", pos + 6)
        lo, hi = day_bounds(year)
        return EDTF(text, lo, hi, "year", uncertain, approximate,
                    display=ydisp + _qual_suffix(approximate, uncertain))

    month = int(mtext)
    if 21 <= month <= 24:
        if dtext is not None:
            raise EDTFError("a season cannot have a day", pos + 3)
        name, first, last = SEASONS[month]
        lo = days_from_civil(year, first, 1)
        ly, lm = (year + 1, last - 12) if last > 12 else (year, last)
        hi = days_from_civil(ly, lm, days_in_month(ly, lm))
        return EDTF(text, lo, hi, "season", uncertain, approximate,
                    display=f"{name} {ydisp}" + _qual_suffix(approximate, uncertain))
    if not 1 <= month <= 12:
        raise EDTFError(f"month {mtext} is out of range (01-12, or 21-24 for seasons)", pos)
    pos += 3

    if dtext == "XX" and ttext:
        raise EDTFError("a time cannot follow an unspecified day", pos + 5)
    if dtext is None or dtext == "XX":
        lo, hi = day_bounds(year, month)
        return EDTF(text, lo, hi, "month", uncertain, approximate,
                    display=f"{MONTHS[month - 1]} {ydisp}" + _qual_suffix(approximate, uncertain))

    day = int(dtext)
    last_day = days_in_month(year, month)
    if not 1 <= day <= last_day:
        raise EDTFError(f"day {dtext} is out of range for {MONTH_NAMES[month - 1]} {ydisp} (1-{last_day})", pos)
    disp = f"{day} {MONTHS[month - 1]} {ydisp}"
    if ttext:
        hh, mi, ss = int(ttext[1:3]), int(ttext[4:6]), int(ttext[7:9])
        if hh > 23 or mi > 59 or ss > 59:
            raise EDTFError(f"time {ttext[1:9]} is out of range", pos + 3)
        zone = ttext[9:]
        if zone[:1] in ("+", "-") and (int(zone[1:3]) > 23 or (len(zone) > 3 and int(zone[4:6]) > 59)):
            raise EDTFError(f"time-zone offset {zone} is out of range", pos + 3 + 9)
        disp += " " + ttext[1:]
    lo, hi = day_bounds(year, month, day)
    return EDTF(text, lo, hi, "day", uncertain, approximate,
                display=disp + _qual_suffix(approximate, uncertain))


def _first_bad(text: str) -> int:
    """Offset of the first character where `text` stops looking like a date (one linear match)."""
    m = _PLAUSIBLE_PREFIX.match(text)
    return m.end() if m else 0


def _explain(text: str) -> str:
    if not text:
        return "empty date"
    if text.strip() != text:
        return "date has leading or trailing whitespace"
    return f"not an EDTF date: {text!r} (expected e.g. 1985, 1985-04, 1985-04-12, 2007-08~, 2001-21, 201X, 1980/1988)"


def _interval_display(start: EDTF | None, end: EDTF | None, open_start: bool, open_end: bool) -> str:
    def side(part: EDTF | None, is_open: bool) -> str:
        if part is not None:
            return part.display
        return ".." if is_open else "?"

    left, right = side(start, open_start), side(end, open_end)
    simple = all(p is not None and p.precision == "year" and " " not in p.display for p in (start, end))
    return f"{left}–{right}" if simple else f"{left} – {right}"


def parse(text: str) -> EDTF:
    """Parse one EDTF level 0/1 string.  Raises EDTFError (with a position) otherwise."""
    if not isinstance(text, str):
        raise EDTFError(f"a date must be a string, not {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise EDTFError(f"not an EDTF date: {len(text)} characters long", _first_bad(text[:MAX_LENGTH + 1]))
    if "/" not in text:
        return _parse_date(text, 0)
    left, sep, right = text.partition("/")
    if "/" in right:
        raise EDTFError("an interval has exactly one '/'", len(left) + 1 + right.index("/"))
    roff = len(left) + 1
    if left in ("..", "") and right in ("..", ""):
        raise EDTFError("an interval needs at least one known end", 0)
    start = None if left in ("..", "") else _parse_date(left, 0)
    end = None if right in ("..", "") else _parse_date(right, roff)
    lo = start.earliest if start else NEG_INF
    hi = end.latest if end else POS_INF
    if start and end and start.earliest > end.latest:
        raise EDTFError(f"interval ends are out of order: {left} is after {right}", roff)
    parts = [p for p in (start, end) if p]
    return EDTF(
        text, lo, hi, "interval",
        uncertain=any(p.uncertain for p in parts),
        approximate=any(p.approximate for p in parts),
        start=start, end=end,
        open_start=left == "..", open_end=right == "..",
        unknown_start=left == "", unknown_end=right == "",
        display=_interval_display(start, end, left == "..", right == ".."),
    )


def year_label(date: EDTF | None) -> str:
    """The heading a date is grouped under in a chronology."""
    if date is None:
        return "Undated"
    year = date.first_year
    return "Open start" if year is None else str(year)


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except EDTFError:
        return False
    return True
