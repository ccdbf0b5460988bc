"""EDTF (ISO 8601-2, Library of Congress profile) levels 0 and 1.

Hand-written because the `edtf` package on PyPI is pyparsing-based (about 8 ms a
date, minutes for a large ledger) and rejects some valid level-1 strings.

Every parsed date has inclusive day bounds as integers: days since 1970-01-01 in
the proleptic Gregorian calendar with astronomical years (year 0 = 1 BCE), so
that negative and five-digit years work where `datetime.date` cannot.

Level 2 features (seasons 25-41, qualifiers inside a date, X anywhere but the
right, sets, exponent and significant-digit years) are refused with a message
that says "level 2".  Where the specification is silent or implementations
disagree, iqtl chooses (README, "Ledger format", says the same):

- seasons 21-24 are the northern meteorological ones: Mar-May, Jun-Aug, Sep-Nov
  and Dec-Feb, winter ending in February of the next year;
- a time is hh:mm:ss from 00:00:00 to 23:59:59, or 24:00:00 (the end of the
  day, as ISO 8601:2004 allowed); the bounds are the written day.
  No fractions, no leap second, no qualifier after a time;
- an offset is Z, +hh or +hh:mm from -12:00 to +14:00; -00 and -00:00 (RFC
  3339's "unknown offset") are refused;
- an interval joins dates only: no time of day (level 0 excludes it), and no X
  digits in an end, which the LoC page shows only at level 2
  (2004-06-XX/2004-07-03).  Seasons, Y-years and negative years may be ends;
- open ("..") and unknown ("") ends combine freely: ../.., /, ../ and /..;
- a start may not begin after its end begins: 2004-06-11/2004-06 (a start inside
  the end's month) is refused; 2004-06-01/2004-06 and 2004/2004-06 are read;
- X may stand for the rightmost digits of a year, negative too (-01XX is
  -0199 ... -0100: the digits are a magnitude), for a whole month after a known
  year, a whole day after a known month, and in XXXX-XX and XXXX-XX-XX;
- precision "century" is any span of a hundred years or more (1XXX, XXXX);
- one qualifier (?, ~ or %) may end any single date: 201X?, 2001-21~, Y12345%.
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
    """A level 0/1 EDTF date or interval as written, and the days it can mean."""

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

    def timeline_key(self) -> tuple[int, int]:
        """Where the date goes on a timeline: by its first day; a date known only by its end
        ("by June 2007": /2007-06) at that end, not before every other date."""
        if self.earliest == NEG_INF and self.latest != POS_INF:
            return (self.latest, self.latest)
        return (self.earliest, self.latest)

    def overlaps(self, lo: int, hi: int) -> bool:
        return self.earliest <= hi and self.latest >= lo

    def within(self, lo: int, hi: int) -> bool:
        return lo <= self.earliest and self.latest <= hi


def timeline_sort_key(date: EDTF | None) -> tuple[int, int]:
    """Where a record dated `date` goes on a timeline (EDTF.timeline_key); an undated one last."""
    return (POS_INF, POS_INF) if date is None else date.timeline_key()


def timeline_keys(records) -> list[tuple[tuple[int, int], str]]:
    """(timeline_sort_key(date), id) of each of `records` (anything with .date and .id): what a
    timeline is sorted by.  Each distinct date's key is worked out once (a ledger repeats its
    dates: 27,000 of them among 150,000 records)."""
    known: dict[str | None, tuple[int, int]] = {}
    keys = []
    for r in records:
        date = r.date
        text = None if date is None else date.text
        when = known.get(text)
        if when is None:
            when = known[text] = timeline_sort_key(date)
        keys.append((when, r.id))
    return keys


def timeline_order(records, reverse: bool = False) -> list[int]:
    """The positions of `records` in timeline order (timeline_keys); stable, as list.sort."""
    keys = timeline_keys(records)
    return sorted(range(len(keys)), key=keys.__getitem__, reverse=reverse)


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

# One linear match for every level 0/1 shape; what the shape cannot say (ranges, where an X may
# stand, what an interval end may hold) is checked in code, left to right, so that the first
# fault is the one reported.  Anything the match refuses goes to _diagnose, which names the
# level 2 features it recognises.  The patterns are text, compiled by re (and kept in its cache)
# on first use: a run answered by the parse cache reads no date, and compiling them at import
# was 0.5 ms of every start.
_DATE = r"""
    (?:
        Y(?P<long>-?\d+)                                    # letter-prefixed year
      | (?P<year>-?[\dX]{4})
        (?:-(?P<month>[\dX]{2})
           (?:-(?P<day>[\dX]{2})
              (?P<time>T(?P<clock>\d{2}:\d{2}:\d{2})(?P<zone>Z|[+-]\d{2}(?::\d{2})?)?)?
           )?
        )?
    )
    (?P<qual>[?~%])?
    """
_DATE_FLAGS = re.VERBOSE | re.ASCII  # EDTF digits are ASCII: no Arabic-Indic or full-width digits
_LEVEL1_YEAR_X = r"(?a)-?\d*X*"  # X only as the rightmost digits of a year
_TEMPLATE = "NNNN-NN-NNTdd:dd:dd"  # N: a digit or X; d: a digit
_DATE_SHAPE = r"(?a)(?:Y-?\d+|-?[\dX]{4}(?:-[\dX]{2}(?:-[\dX]{2})?)?)"  # no qualifiers, no time
_EXPONENT = r"(?a)Y-?\d+(?P<e>E)\d+(?:S\d+)?[?~%]?|(?:Y-?\d+|-?\d{4})(?P<s>S)\d+[?~%]?"
QUALIFIERS = "?~%"
MAX_LENGTH = 64  # far beyond any valid level 0/1 string; keeps error reporting cheap
MAX_OFFSET_EAST = 14 * 60  # minutes: +14:00 (Line Islands) ...
MAX_OFFSET_WEST = 12 * 60  # ... and -12:00 (Baker Island) are the real-world extremes


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


def _level2(feature: str, pos: int) -> EDTFError:
    return EDTFError(f"{feature} is EDTF level 2, which iqtl does not read (levels 0 and 1 only)", pos)


def _unspecified_fault(ytext: str, mtext: str | None, dtext: str | None, pos: int) -> EDTFError | None:
    """The first place an X stands where level 1 does not allow one; None when all are allowed.

    Level 1 allows X only as the rightmost digits of a year (201X, 20XX, 1XXX, XXXX, -01XX), as a
    whole month after a specified year (2004-XX, 2004-XX-XX), as a whole day after a specified
    month (1985-04-XX), and as the wholly unspecified XXXX-XX and XXXX-XX-XX.  `pos` is the
    offset of the year."""
    if not re.fullmatch(_LEVEL1_YEAR_X, ytext):
        return _level2("an X followed by a digit (unspecified digits not at the right)", pos + ytext.index("X"))
    mpos = pos + len(ytext) + 1
    if mtext is not None and "X" in mtext and mtext != "XX":
        return _level2("a partly unspecified month", mpos + mtext.index("X"))
    if dtext is not None and "X" in dtext and dtext != "XX":
        return _level2("a partly unspecified day", mpos + 3 + dtext.index("X"))
    if "X" in ytext and mtext is not None and not (ytext == "XXXX" and mtext == "XX"):
        return _level2("a month after a year with unspecified digits (other than XXXX-XX)", mpos)
    if mtext == "XX" and dtext not in (None, "XX"):
        return _level2("a day after an unspecified month", mpos + 3)
    return None


def _unspecified_year(ytext: str, qual: str | None, text: str, pos: int, months: str | None) -> EDTF:
    """201X, 20XX, 1XXX, XXXX, -01XX ... and the wholly unspecified XXXX-XX, XXXX-XX-XX."""
    approximate, uncertain = qual in ("~", "%"), qual in ("?", "%")
    negative = ytext.startswith("-")
    stem = ytext.lstrip("-").rstrip("X")
    width = 4 - len(stem)
    base = int(stem or 0) * 10**width
    top = base + 10**width - 1
    if negative:  # the digits are a magnitude: -01XX is -0199 ... -0100; there is no year -0000
        lo, _ = day_bounds(-top)
        _, hi = day_bounds(-max(base, 1))
    else:
        lo, _ = day_bounds(base)
        _, hi = day_bounds(top)
    precision = "decade" if width == 1 else "century"  # a century or more: the coarsest precision
    if width == 4:
        disp = "unspecified " + {None: "year", "XX": "month", "XX-XX": "day"}[months]
        if negative:
            disp = "unspecified negative year"
    elif base == 0:  # 000X, -00XX: "the 0s" says nothing
        disp = f"{-top} to -1" if negative else f"0 to {top}"
    else:
        disp = f"{'-' if negative else ''}{base}s"
    return EDTF(text, lo, hi, precision, uncertain, approximate,
                display=disp + _qual_suffix(approximate, uncertain))


def _parse_date(text: str, offset: int, in_interval: bool = False) -> EDTF:
    m = re.fullmatch(_DATE, text, _DATE_FLAGS)
    if not m:
        raise _diagnose(text, offset)
    ytext, mtext, dtext, ttext, qual = m.group("year", "month", "day", "time", "qual")
    approximate = qual in ("~", "%")
    uncertain = qual in ("?", "%")
    pos = offset

    long = m.group("long")
    if long is not None:
        digits = long.lstrip("-")
        if len(digits.lstrip("0")) <= 4:
            raise EDTFError("a Y-prefixed year needs more than four digits, not counting leading zeros "
                            "(write plain 1985 instead)", pos)
        if digits[0] == "0":
            raise EDTFError("a Y-prefixed year is written without leading zeros", pos + 1 + long.index("0"))
        if len(digits) > MAX_YEAR_DIGITS:
            raise EDTFError(f"year has more than {MAX_YEAR_DIGITS} digits", pos)
        year = int(long)
        lo, hi = day_bounds(year)
        disp = str(year)
        return EDTF(text, lo, hi, "year", uncertain, approximate,
                    display=disp + _qual_suffix(approximate, uncertain))

    if ytext == "-0000":
        raise EDTFError("year -0000 is not valid (year 0000 is written without a sign)", pos)
    if "X" in text:
        fault = _unspecified_fault(ytext, mtext, dtext, pos)
        if fault is not None:
            raise fault
        if in_interval:
            raise _level2("an interval end with unspecified digits (X)", pos + text.index("X"))
        if ttext:
            raise EDTFError("a time cannot follow an unspecified day", pos + m.start("time"))
        if "X" in ytext:
            months = None if mtext is None else mtext if dtext is None else f"{mtext}-{dtext}"
            return _unspecified_year(ytext, qual, text, pos, months)

    year = int(ytext)
    ydisp = _year_text(year)
    pos += len(ytext) + 1

    if mtext is None or mtext == "XX":
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
    if 25 <= month <= 41:
        raise _level2(f"season {mtext} (sub-year groupings 25-41; level 1 has 21-24)", pos)
    if not 1 <= month <= 12:
        raise EDTFError(f"month {mtext} is out of range (01-12, or 21-24 for seasons)", pos)
    pos += 3

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
        _check_time(m, in_interval, offset)
        disp += " " + ttext[1:]
    lo, hi = day_bounds(year, month, day)
    return EDTF(text, lo, hi, "day", uncertain, approximate,
                display=disp + _qual_suffix(approximate, uncertain))


def _check_time(m: re.Match, in_interval: bool, offset: int) -> None:
    """hh:mm:ss from 00:00:00 to 23:59:59, or 24:00:00 (the end of the day); an offset from -12:00
    to +14:00, never -00 or -00:00; no qualifier after it; no time at all in an interval end."""
    if in_interval:
        raise EDTFError("a time of day is not allowed in an interval (EDTF intervals join dates only)",
                        offset + m.start("time"))
    clock, zone, qual = m.group("clock", "zone", "qual")
    hh, mi, ss = int(clock[0:2]), int(clock[3:5]), int(clock[6:8])
    if (hh > 23 or mi > 59 or ss > 59) and clock != "24:00:00":
        raise EDTFError(f"time {clock} is out of range (00:00:00-23:59:59, or 24:00:00)", offset + m.start("clock"))
    if zone and zone != "Z":
        zh, zm = int(zone[1:3]), int(zone[4:6] or 0)
        minutes = zh * 60 + zm
        if zone[0] == "-" and minutes == 0:
            raise EDTFError(f"time-zone offset {zone} is not valid (a zero offset is Z, +00 or +00:00)",
                            offset + m.start("zone"))
        if zm > 59 or minutes > (MAX_OFFSET_EAST if zone[0] == "+" else MAX_OFFSET_WEST):
            raise EDTFError(f"time-zone offset {zone} is out of range (-12:00 to +14:00)", offset + m.start("zone"))
    if qual:
        raise EDTFError("a qualifier (?, ~, %) cannot follow a time of day", offset + m.start("qual"))


def _diagnose(text: str, offset: int) -> EDTFError:
    """Why `text` is not a level 0/1 date, naming the level 2 features it recognises."""
    if text and text.strip() == text:
        if text[0] in "[{":
            return _level2("a set ([...] one of, {...} all of)", offset)
        m = re.fullmatch(_EXPONENT, text)
        if m:
            if m.group("e"):
                return _level2("an exponential year (Y...E...)", offset + m.start("e"))
            return _level2("a year with significant digits (...S...)", offset + m.start("s"))
        body = text[:-1] if text[-1] in QUALIFIERS else text
        inner = [i for i, ch in enumerate(body) if ch in QUALIFIERS]
        if inner:
            if inner[-1] == len(body) - 1 and re.fullmatch(_DATE_SHAPE, body.rstrip(QUALIFIERS)):
                return EDTFError(f"not an EDTF date: {text!r} has more than one qualifier at its end "
                                 "(one of ?, ~ or %; % is uncertain and approximate)", offset + len(body))
            if re.fullmatch(_DATE_SHAPE, "".join(ch for ch in body if ch not in QUALIFIERS)):
                return _level2("a qualifier on part of a date (before its end)", offset + inner[0])
        long = re.match(r"Y-?\d+-", text, re.ASCII)
        if long:
            return EDTFError("a Y-prefixed year cannot have a month or day at level 1", offset + long.end() - 1)
    return EDTFError(_explain(text), offset + _first_bad(text))


def _first_bad(text: str) -> int:
    """Offset of the first character where `text` stops being the start of a date: where it leaves
    the shape -YYYY-MM-DDThh:mm:ss+hh:mm (or Y-digits), or its end when it stops short."""
    n = len(text)
    i = 1 if text[:1] == "-" else 0
    if text[:1] == "Y":
        i = 2 if text[1:2] == "-" else 1
        while i < n and text[i] in "0123456789":
            i += 1
        return i + (i < n and text[i] in QUALIFIERS)
    for want in _TEMPLATE:
        if i == n:
            return i
        c = text[i]
        if not (c == want or want in "Nd" and c in "0123456789" or want == "N" and c == "X"):
            return i + (c in QUALIFIERS and want in "-T")  # a qualifier may end a year or a month
        i += 1
    if text[i:i + 1] == "Z":
        return i + 1
    if text[i:i + 1] in ("+", "-"):
        i += 1
        for want in "dd:dd":
            if i == n or not (text[i] == want or want == "d" and text[i] in "0123456789"):
                return i
            i += 1
    return i


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


def _check_order(start: EDTF, end: EDTF, left: str, right: str, roff: int) -> None:
    """An interval's start may not begin after its end begins.  So a start wholly after the end is
    refused, and so is a start inside the end's period unless it shares the end's first day
    (2004-06-11/2004-06 is refused; 2004-06-01/2004-06, 2004-06/2004-06-11, 2004/2004-06 are read)."""
    if start.earliest > end.latest:
        raise EDTFError(f"interval ends are out of order: {left} is after {right}", roff)
    if start.earliest > end.earliest:
        if start.latest <= end.latest:
            raise EDTFError(f"interval ends are out of order: {left} lies inside {right} "
                            "(a start may not begin after the end begins)", roff)
        raise EDTFError(f"interval ends are out of order: {left} begins after {right} begins", roff)


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
    start = None if left in ("..", "") else _parse_date(left, 0, in_interval=True)
    end = None if right in ("..", "") else _parse_date(right, roff, in_interval=True)
    lo = start.earliest if start else NEG_INF
    hi = end.latest if end else POS_INF
    if start and end:
        _check_order(start, end, left, right, roff)
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
    day = date.timeline_key()[0]  # a date known only by its end is told under the end's year
    return "Open start" if day == NEG_INF else str(civil_from_days(day)[0])


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except EDTFError:
        return False
    return True
