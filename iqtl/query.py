"""One query model shared by every command, after hledger's.

Repeating an option ORs its values; different options AND.  Dates given to
--from/--to may be EDTF, anything python-dateutil reads, or any date as iqtl shows it
('~Aug 2007', 'Summer 2007', 'Aug 2007 (approx.)', '2003–2008'); a partial date means
the whole period it names.  Nothing ever falls back to "today".

A value that names something (a tag, source, place, event, actor) that no record has is an
error with the closest names, never a silently empty answer.  Grep patterns are regular
expressions, case-insensitive; a pattern of plain letters also matches with hyphens or spaces
between them (`ceasefire` finds "cease-fire").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from iqtl.core import edtf
from iqtl.core.model import Claim, Event, Ledger, claim_text, event_text
from iqtl.core.text import fold as fold_name


class QueryError(ValueError):
    """A filter that cannot be used.  `field` names the Filters field at fault, so that a caller can
    say which option or argument it came from; the message itself names no command-line flag."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Filters:
    """What a user asked to see, as given: names rather than ids, dates as text.  The one input of
    every query; each field is matched by one matcher below.  Repeated values OR, fields AND."""

    date_from: str | None = None
    date_to: str | None = None
    within: bool = False
    actors: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()
    about: tuple[str, ...] = ()
    grep: tuple[str, ...] = ()
    grep_all: tuple[str, ...] = ()  # every one of these patterns must match (repeated --grep ORs)
    limit: int | None = None
    reverse: bool = False

    @property
    def filters_anything(self) -> bool:
        """Whether any field would leave a record out (--limit and --reverse only cut and order)."""
        return replace(self, limit=None, reverse=False) != Filters()


# dateutil is imported lazily: it costs start-up time and most lookups give no dates.
def _dateutil_bounds(text: str) -> tuple[int, int]:
    from dateutil import parser as dparser

    # Parse twice with different defaults: a component that differs was not in the text.
    a_default, b_default = dt.datetime(1, 1, 1), dt.datetime(2, 2, 2)
    try:
        a = dparser.parse(text, default=a_default)
        b = dparser.parse(text, default=b_default)
    except (ValueError, OverflowError) as exc:
        raise QueryError(f"cannot read the date {text!r}") from exc
    if a.year != b.year:
        raise QueryError(f"cannot read the date {text!r}: it names no year")
    if a.month != b.month:
        if a.day != b.day or "X" in text:
            return edtf.day_bounds(a.year)
        raise QueryError(f"cannot read the date {text!r}: a day without a month")
    if a.day != b.day:
        return edtf.day_bounds(a.year, a.month)
    return edtf.day_bounds(a.year, a.month, a.day)


# Patterns as text, compiled by re (and kept in its cache) the first time a date is read: most
# runs filter no dates, and compiling these at import was 0.3 ms of every start.
_SHOWN_QUALIFIER = r"(?i)\s*\((?:approx\.|uncertain|approx\., uncertain)\)"
_SEASON = r"(?i)(spring|summer|autumn|fall|winter)\s+(-?\d{1,9})"
_SEASON_CODE = {"spring": 21, "summer": 22, "autumn": 23, "fall": 23, "winter": 24}
_DECADE = r"(-?\d{3})0s"
_EDTF_SHAPED = r"[-\dXY./~?%:TZ+]+"
_RANGE = r"\s+[–-]\s+|(?<=\d)–(?=\d)|(?<=\d)\s*–\s*(?=\d)"


def _plain_date(text: str) -> str:
    """A date as iqtl shows it, made readable: qualifier marks and words off ('~Aug 2007?',
    'Aug 2007 (approx.)' -> 'Aug 2007'); they do not change a date's bounds."""
    text = re.sub(_SHOWN_QUALIFIER, "", text).strip().lstrip("~").strip()  # no EDTF date begins with ~
    if not re.fullmatch(_EDTF_SHAPED, text):  # EDTF keeps its marks: '2007-08~' is read as EDTF
        text = text.strip("~?%").strip()
    return text


def _one_date(text: str) -> tuple[int, int]:
    text = _plain_date(text)
    if not text:
        raise QueryError("empty date")
    season = re.fullmatch(_SEASON, text)
    if season:
        return _one_date(f"{int(season[2]):04d}-{_SEASON_CODE[season[1].casefold()]}")
    decade = re.fullmatch(_DECADE, text)
    if decade:
        text = decade[1] + "X"
    try:
        parsed = edtf.parse(text)
    except edtf.EDTFError as exc:
        if re.fullmatch(_EDTF_SHAPED, text) and text[:1].isdigit() and "-" in text:
            # '2007-13' is meant as EDTF: say what is wrong with it, as `check` does
            raise QueryError(f"cannot read the date {text!r}: {exc.message}") from None
        return _dateutil_bounds(text)
    if parsed.earliest == edtf.NEG_INF or parsed.latest == edtf.POS_INF:
        raise QueryError(f"cannot use the open interval {text!r} as the end of a window")
    return parsed.earliest, parsed.latest


def date_bounds(text: str, field: str = "") -> tuple[int, int]:
    """The inclusive day range a --from/--to value names: '2007' is all of 2007; a range as iqtl
    shows it ('2003–2008', '~Nov 2006 – Feb 2008', '1–5 Mar 2010') is from its start to its end."""
    text = text.strip()
    try:
        if not text:
            raise QueryError("empty date")
        parts = re.split(_RANGE, text, maxsplit=1)
        if len(parts) == 2:
            left, right = parts[0].strip().lstrip("~"), parts[1]
            if left.strip().isdigit() and len(left.strip()) <= 2:  # '1–5 Mar 2010': the day borrows the rest
                left = f"{left.strip()} {right.split(None, 1)[1] if ' ' in right else right}"
            elif not re.search(r"\d{3}", left) and re.search(r"\d{4}\??$", right):  # '28 Feb – 5 Mar 2010'
                left = f"{left.strip()} {right.rstrip('?')[-4:]}"
            return _one_date(left)[0], _one_date(right)[1]
        return _one_date(text)
    except QueryError as exc:
        raise QueryError(str(exc), field) from None


@dataclass(frozen=True)
class Query:
    """Filters resolved against a ledger (ids, day numbers, compiled patterns): what select_* apply."""

    start: int | None = None  # --from: first day of the window
    end: int | None = None  # --to: last day of the window
    within: bool = False
    actors: tuple[str, ...] = ()  # resolved actor ids
    tags: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    speakers: tuple[str, ...] = ()  # resolved actor ids
    about: tuple[str, ...] = ()
    grep: tuple[re.Pattern, ...] = ()  # any of these
    grep_all: tuple[re.Pattern, ...] = ()  # and all of these
    limit: int | None = None
    reverse: bool = False

    @property
    def highlight(self) -> re.Pattern | None:
        """One pattern for every grep pattern, to mark matches on a terminal."""
        pats = [p.pattern for p in (*self.grep, *self.grep_all)]
        return re.compile("|".join(f"(?:{p})" for p in pats), re.IGNORECASE) if pats else None

    @property
    def selects_all(self) -> bool:
        """No filter at all: --limit and --reverse only cut and order.  Lets a whole listing skip
        matching, 0.4 s at 100,000 events."""
        return replace(self, limit=None, reverse=False) == _EVERYTHING

    @property
    def has_window(self) -> bool:
        return self.start is not None or self.end is not None

    def date_matches(self, date: edtf.EDTF | None) -> bool:
        if not self.has_window:
            return True
        if date is None:
            return False
        lo = self.start if self.start is not None else edtf.NEG_INF
        hi = self.end if self.end is not None else edtf.POS_INF
        return date.within(lo, hi) if self.within else date.overlaps(lo, hi)


_EVERYTHING = Query()


def actor_name_index(ledger: Ledger | Names) -> tuple[dict[str, set[str]], dict[str, str]]:
    """Every actor id, name and alias, case-folded: (the actor ids each names, its first spelling)."""
    ids: dict[str, set[str]] = {}
    spelling: dict[str, str] = {}
    for actor in ledger.actors:
        for name in (actor.id, actor.name, *actor.aliases):
            ids.setdefault(fold_name(name), set()).add(actor.id)  # NFC: é precomposed or not is one name
            spelling.setdefault(fold_name(name), name)
    return ids, spelling


def resolve_actors(ledger: Ledger | Names, names: Iterable[str], field: str = "actors") -> tuple[str, ...]:
    """Ids for actor names: an id, a name or any alias, case-insensitive.  Unknown -> QueryError."""
    index, spelling = actor_name_index(ledger)
    ids: list[str] = []
    for name in names:
        found = index.get(fold_name(name.strip()))
        if not found:
            from iqtl.core.text import suggestions

            close = suggestions(name.strip().casefold(), index, n=1)
            if not close:  # a part of a name: 'senior Iraqi official' for 'a senior Iraqi government official'
                close = [k for k in index if name.strip().casefold() in k][:1]
            hint = f" (did you mean {spelling[close[0]]!r}?)" if close else ""
            raise QueryError(f"{name!r}: no actor has that id, name or alias{hint}", field)
        ids.extend(sorted(found))
    return tuple(dict.fromkeys(ids))


def _known(values: Iterable[str], names: Iterable[str], field: str, what: str, fold: bool = True) -> tuple[str, ...]:
    """The values as matched (case-folded when `fold`), or QueryError naming the first that no
    record has, with the closest names."""
    spelling = {(fold_name(n) if fold else n): n for n in names}  # NFC and case-folded, as the matchers
    out = []
    for value in values:
        key = fold_name(value.strip()) if fold else value.strip()
        if key not in spelling:
            from iqtl.core.text import suggestions

            close = (suggestions(key, spelling, n=3, cutoff=0.75) or suggestions(key, spelling, n=1, cutoff=0.5)
                     or [k for k in spelling if key and key in k][:3])
            hint = f"; did you mean {', '.join(repr(spelling[c]) for c in close)}?" if close else ""
            raise QueryError(f"{value!r}: {what}{hint}", field)
        out.append(key)
    return tuple(dict.fromkeys(out))


_PLAIN_WORD = r"[^\W\d_]+"


def grep_pattern(text: str, field: str = "grep") -> re.Pattern:
    """A case-insensitive regular expression, ^ and $ at the start and end of each field.  A pattern
    of letters only also matches them with a hyphen or space between any two, since the articles
    write "cease-fire" and "ceasefire"."""
    if re.fullmatch(_PLAIN_WORD, text):
        return re.compile("[- ]?".join(map(re.escape, text)), re.IGNORECASE)
    try:  # each field searched is a line of its own: ^ and $ anchor to a field
        return re.compile(text, re.IGNORECASE | re.MULTILINE)
    except re.error as exc:
        raise QueryError(f"{text!r} is not a regular expression: {exc}", field) from None


class Names:
    """What a filter may name: the actors (records: ids, names, aliases), and every tag, place,
    source id and event id.  A Ledger gives them (LedgerNames); so does the warm index
    (iqtl.ledgerfile.index.Index, by the same names)."""

    actors: tuple

    def tags(self) -> Iterable[str]: ...
    def places(self) -> Iterable[str]: ...
    def source_ids(self) -> Iterable[str]: ...
    def event_ids(self) -> Iterable[str]: ...


class LedgerNames(Names):
    def __init__(self, ledger: Ledger):
        self.ledger, self.actors = ledger, ledger.actors

    # In ledger order, each spelling once (as the database keeps them): a set's order changes with
    # the hash seed, and with it which names a "did you mean" offered.
    def tags(self):
        return list(dict.fromkeys(t for e in self.ledger.events for t in e.tags))

    def places(self):
        return list(dict.fromkeys(p for e in self.ledger.events for p in e.places))

    def source_ids(self):
        return [s.id for s in self.ledger.sources]

    def event_ids(self):
        return [e.id for e in self.ledger.events]


def build_query(ledger: Ledger | Names, filters: Filters | None = None, /, **fields) -> Query:
    """The Query for `filters` (or the same fields given as keywords) against this ledger: dates
    read, names resolved and checked against what the ledger has.  Raises QueryError for a value
    that cannot be used, or that names a tag, place, source or event no record has."""
    f = filters if filters is not None else Filters(**{k: tuple(v or ()) if k in _LISTS else v
                                                       for k, v in fields.items()})
    start = date_bounds(f.date_from, "date_from")[0] if f.date_from else None
    end = date_bounds(f.date_to, "date_to")[1] if f.date_to else None
    if start is not None and end is not None and start > end:
        raise QueryError(f"{f.date_from!r} is after the end of the window, {f.date_to!r}", "date_from")
    if f.limit is not None and f.limit < 0:
        raise QueryError("must be 0 or more", "limit")
    names = LedgerNames(ledger) if isinstance(ledger, Ledger) else ledger
    return Query(
        start=start, end=end, within=f.within,
        actors=resolve_actors(names, f.actors) if f.actors else (),
        tags=_known(f.tags, names.tags(), "tags", "no event has that tag") if f.tags else (),
        places=_known(f.places, names.places(), "places", "no event has that place") if f.places else (),
        sources=_known(f.sources, names.source_ids(), "sources", "no source has that id", fold=False)
        if f.sources else (),
        speakers=resolve_actors(names, f.speakers, "speakers") if f.speakers else (),
        about=_known(f.about, names.event_ids(), "about", "no event has that id", fold=False) if f.about else (),
        grep=tuple(grep_pattern(g) for g in f.grep),
        grep_all=tuple(grep_pattern(g, "grep_all") for g in f.grep_all),
        limit=f.limit, reverse=f.reverse,
    )


_LISTS = frozenset({"actors", "tags", "places", "sources", "speakers", "about", "grep", "grep_all"})


def _any_in(wanted: tuple[str, ...], have: Iterable[str], fold: bool = False) -> bool:
    if not wanted:
        return True
    have = {fold_name(h) for h in have} if fold else set(have)
    return any(w in have for w in wanted)


def text_matches(q: Query, text: str) -> bool:
    """Whether a record's searched text (core.model.event_text, claim_text) has what --grep asks."""
    return (not q.grep or any(p.search(text) for p in q.grep)) and all(p.search(text) for p in q.grep_all)


def _grep(q: Query, text: Callable[[], str]) -> bool:
    return not (q.grep or q.grep_all) or text_matches(q, text())


def _sorted(records: list, q: Query) -> list:
    order = edtf.timeline_order(records, q.reverse)
    return [records[i] for i in (order if q.limit is None else order[: q.limit])]


def event_matches(ev: Event, q: Query, spoken_of: set[str] | None = None) -> bool:
    """`spoken_of`: ids of events that the --speaker actors have claims about."""
    return (
        q.date_matches(ev.date)
        and _any_in(q.actors, ev.actors)
        and _any_in(q.tags, ev.tags, fold=True)
        and _any_in(q.places, ev.places, fold=True)
        and _any_in(q.sources, ev.sources)
        and (not q.about or ev.id in q.about)
        and (spoken_of is None or ev.id in spoken_of)
        and _grep(q, lambda: event_text(ev))
    )


def select_events(ledger: Ledger, q: Query) -> list[Event]:
    spoken_of = {e for c in ledger.claims if c.speaker in q.speakers for e in c.about} if q.speakers else None
    if q.selects_all:
        return _sorted(list(ledger.events), q)
    return _sorted([ev for ev in ledger.events if event_matches(ev, q, spoken_of)], q)


def claim_matches(ledger: Ledger, cl: Claim, q: Query) -> bool:
    events = ledger.by_id("event")
    about_events = [events[e] for e in cl.about if e in events]
    return (
        q.date_matches(cl.date)
        and _any_in(q.speakers, (cl.speaker,))
        and _any_in(q.sources, (cl.source,))
        and _any_in(q.about, cl.about)
        # An actor, tag or place matches a claim through its speaker or the events it is about.
        and (not q.actors or cl.speaker in q.actors or any(_any_in(q.actors, e.actors) for e in about_events))
        and (not q.tags or any(_any_in(q.tags, e.tags, fold=True) for e in about_events))
        and (not q.places or any(_any_in(q.places, e.places, fold=True) for e in about_events))
        and _grep(q, lambda: claim_text(cl))
    )


def select_claims(ledger: Ledger, q: Query, contested: bool = False) -> list[Claim]:
    if q.selects_all and not contested:
        return _sorted(list(ledger.claims), q)
    disputed = {d for c in ledger.claims for d in c.disputes} if contested else set()
    return _sorted([
        cl for cl in ledger.claims
        if claim_matches(ledger, cl, q) and (not contested or cl.disputes or cl.id in disputed)
    ], q)



# ---------------------------------------------------------------- through the warm index


def _index_window(q: Query) -> tuple[int, int] | None:
    if not q.has_window:
        return None
    return (edtf.NEG_INF if q.start is None else q.start, edtf.POS_INF if q.end is None else q.end)


def select_events_indexed(index, q: Query) -> tuple[Ledger, list[Event]]:
    """select_events through the warm index (iqtl.ledgerfile.index): SQL narrows to the events that
    may match, then the same matchers as select_events decide, and the same sort orders them.
    Returns the events and a ledger of them with every source and actor (not the claims)."""
    if q.selects_all and q.limit is not None:  # the first few of the whole timeline: only they are read
        chosen = _sorted(index.events(first=(q.limit, q.reverse)), q)
        return index.ledger(events=chosen), chosen
    spoken_of = index.spoken_of(q.speakers) if q.speakers else None
    candidates = index.events(
        window=_index_window(q), within=q.within, actors=q.actors, tags=q.tags, places=q.places,
        sources=q.sources, ids=_narrowest(q.about, spoken_of), text=_text_test(q))
    chosen = _sorted(candidates if q.selects_all else [ev for ev in candidates if event_matches(ev, q, spoken_of)], q)
    return index.ledger(events=chosen), chosen


def _text_test(q: Query) -> Callable[[str], bool] | None:
    # The database keeps each record's searched text: --grep runs on it in SQLite, and only the
    # records that match are rebuilt.
    return (lambda text: text_matches(q, text)) if q.grep or q.grep_all else None


def _narrowest(about: tuple[str, ...], spoken_of: set[str] | None) -> Iterable[str] | None:
    if about and spoken_of is not None:
        return [e for e in about if e in spoken_of]
    return about or spoken_of


def select_claims_indexed(index, q: Query, contested: bool = False) -> tuple[Ledger, list[Claim]]:
    """select_claims through the warm index, as select_events_indexed: the claims are decided by
    claim_matches against a ledger holding the events they are about."""
    if q.selects_all and q.limit is not None and not contested:
        chosen = _sorted(index.claims(first=(q.limit, q.reverse)), q)
        return index.ledger(claims=chosen), chosen
    candidates = index.claims(
        window=_index_window(q), within=q.within, speakers=q.speakers, sources=q.sources, about=q.about,
        actors=q.actors, tags=q.tags, places=q.places, contested=contested, text=_text_test(q))
    about = index.events_by_id(e for cl in candidates for e in cl.about) if (q.actors or q.tags or q.places) else ()
    ledger = index.ledger(events=about, claims=candidates)
    # `contested` was decided in SQL from the whole ledger's disputes (the candidates alone would miss
    # a claim disputed by one outside them).
    chosen = _sorted(candidates if q.selects_all and not contested
                     else [cl for cl in candidates if claim_matches(ledger, cl, q)], q)
    return index.ledger(claims=chosen), chosen
