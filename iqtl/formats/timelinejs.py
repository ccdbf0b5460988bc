"""`iqtl export timelinejs`: the events in Knight Lab's TimelineJS3 JSON format.

The format (https://timeline.knightlab.com/docs/json-format.html): an object with `events` (slides,
each needing a `start_date`), an optional `title` slide, optional `eras` (each with a start and an
end date and a text headline) and an optional `scale`.  A date object has `year` and, optionally,
`month`, `day` ...: we fill it only as far as the ledger knows the date, so 2007-08~ becomes
{"year": "2007", "month": "8"}, and give our own EDTF reading as the slide's `display_date`.

The headline and text fields of TimelineJS take HTML (run through DOMPurify): every ledger string in
them is escaped once.  `group` and `display_date` are plain-text fields that TimelineJS strips of
markup with DOMParser's textContent, which also decodes entities, and then sets as innerHTML (the
group label does): they are escaped twice, so that what reaches innerHTML is still escaped.
"""

from __future__ import annotations

import html
from collections import Counter

from iqtl.core.edtf import EDTF, NEG_INF, POS_INF, civil_from_days
from iqtl.core.model import Event, Ledger
from iqtl.formats.html import esc, safe_url
from iqtl.reports.citations import cited_sources

ERA_MIN_DAYS = 365  # an interval at least this long is also an era
# TimelineJS gives each group its own band of rows in the time navigation, at least one marker high:
# with one group per tag (28 on the bundled ledger) the navigation needed 876 px and was pushed out of
# a 760 px embed.  A few groups of the busiest values keep it inside; other events stay ungrouped.
MAX_GROUPS = 4
# JavaScript Dates cover years -271821..275760; beyond that TimelineJS needs its "cosmological" scale.
HUMAN_YEARS = (-271820, 275759)


def date_object(part: EDTF, side: str = "start") -> dict:
    """A TimelineJS date for one single (non-interval) EDTF date, to its precision.  A season, decade
    or century is a range: `side` says which end of it (its first or last month or year) to give."""
    day = part.earliest if side == "start" else part.latest
    y, m, d = civil_from_days(day)
    out = {"year": str(y)}
    if part.precision in ("month", "season", "day"):
        out["month"] = str(m)
    if part.precision == "day":
        out["day"] = str(d)
    return out


def _slide_start(slide: dict) -> tuple[int, int, int]:
    start = slide["start_date"]
    return int(start["year"]), int(start.get("month", 1)), int(start.get("day", 1))


def placeable(date: EDTF | None) -> bool:
    """A date TimelineJS can put somewhere: not undated, and not an interval with no known end
    (`../..`, `/`), which says only that the event happened at some time."""
    return date is not None and (not date.is_interval or date.start is not None or date.end is not None)


def slide_dates(date: EDTF) -> dict:
    """start_date, and end_date when the date is a range."""
    if date.is_interval:
        start = date.start or date.end  # an open or unknown start: the slide starts at the known end
        end = date.end if date.start is not None else None
        out = {"start_date": date_object(start, "start")}
        if end is not None:
            out["end_date"] = date_object(end, "end")
        return out
    out = {"start_date": date_object(date, "start")}
    if date.precision in ("season", "decade", "century"):
        out["end_date"] = date_object(date, "end")
    return out


def text_field(value: str) -> str:
    """For a TimelineJS field it treats as text but decodes once and then renders as HTML."""
    return html.escape(esc(value), quote=True)


def _claims_html(ledger: Ledger, ev: Event) -> str:
    items = []
    for cl in ledger.claims_about(ev.id):
        actor = ledger.get("actor", cl.speaker)
        who = esc(actor.name if actor else cl.speaker)
        text = f"“{esc(cl.text)}”" if cl.kind == "quote" else esc(cl.text)
        links = "".join(f" <em>disputes {esc(d)}</em>" for d in cl.disputes)
        links += "".join(f" <em>supports {esc(s)}</em>" for s in cl.supports)
        items.append(f"<li>{text} — <strong>{who}</strong>{links}</li>")
    return f"<ul>{''.join(items)}</ul>" if items else ""


def _sources_html(ledger: Ledger, ev: Event) -> str:
    parts = []
    for sid in ev.sources:
        src = ledger.get("source", sid)
        if src is None:
            parts.append(esc(sid))
            continue
        title = esc(src.title)
        url = safe_url(src.url)
        cite = f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else title
        if src.publisher:
            cite += f", {esc(src.publisher)}"
        if src.date:
            cite += f", {esc(src.date.display)}"
        parts.append(cite)
    return f"<p>Sources: {'; '.join(parts)}</p>" if parts else ""


def event_slide(ledger: Ledger, ev: Event, group: str | None = None) -> dict:
    text = f"<p>{esc(ev.summary)}</p>" if ev.summary else ""
    if ev.date_note:
        text += f"<p><em>On the date:</em> {esc(ev.date_note)}</p>"
    text += _claims_html(ledger, ev) + _sources_html(ledger, ev)
    slide = {
        "unique_id": ev.id,
        **slide_dates(ev.date),
        "display_date": text_field(ev.date.display),
        "text": {"headline": esc(ev.title), "text": text},
    }
    if group:
        slide["group"] = text_field(group)
    return slide


def _group_values(ledger: Ledger, ev: Event, by: str) -> list[str]:
    if by == "tag":
        return list(dict.fromkeys(ev.tags))
    names = []
    for aid in ev.actors:
        actor = ledger.get("actor", aid)
        names.append(actor.name if actor else aid)
    return list(dict.fromkeys(names))


def groups(ledger: Ledger, events: list[Event], by: str | None, limit: int = MAX_GROUPS) -> dict[str, str]:
    """Event id -> group label: the `limit` actors or tags with the most events, each event in the first
    of its own that is one of them; None groups nothing."""
    if by is None:
        return {}
    values = {ev.id: _group_values(ledger, ev, by) for ev in events}
    counts = Counter(v for vs in values.values() for v in vs)
    busiest = {v for v, _ in counts.most_common(limit)}
    return {eid: next(v for v in vs if v in busiest) for eid, vs in values.items() if busiest & set(vs)}


def era(ev: Event) -> dict | None:
    date = ev.date
    if (not date.is_interval or date.start is None or date.end is None
            or date.latest - date.earliest + 1 < ERA_MIN_DAYS):
        return None
    return {"start_date": date_object(date.start, "start"), "end_date": date_object(date.end, "end"),
            "text": {"headline": esc(ev.title), "text": ""}}


def eras(events: list[Event]) -> list[dict]:
    """The eras: the longest periods first, each kept only if it overlaps none kept before.  TimelineJS
    draws eras in one band, a later one over an earlier one, so that overlapping eras cut each other
    short (the Iran–Iraq war was drawn as ending in 1982)."""
    kept: list[Event] = []
    for ev in sorted((ev for ev in events if era(ev) is not None),
                     key=lambda ev: (ev.date.earliest - ev.date.latest, ev.date.earliest)):
        if not any(ev.date.earliest <= k.date.latest and k.date.earliest <= ev.date.latest for k in kept):
            kept.append(ev)
    return [era(ev) for ev in sorted(kept, key=lambda ev: ev.date.earliest)]


def timeline(ledger: Ledger, events: list[Event], title: str = "Timeline", group_by: str | None = None,
             max_groups: int = MAX_GROUPS) -> tuple[dict, list[str]]:
    """The TimelineJS document, and the ids of the events left out because they have no date.
    `group_by` ("actor" or "tag") puts the events of the `max_groups` busiest ones in groups."""
    dated = [ev for ev in events if placeable(ev.date)]
    skipped = [ev.id for ev in events if not placeable(ev.date)]
    years = [civil_from_days(b)[0] for ev in dated for b in (ev.date.earliest, ev.date.latest)
             if b not in (NEG_INF, POS_INF)]
    span = f"{min(years)}–{max(years)}" if years and min(years) != max(years) else (str(years[0]) if years else "")
    claims = {cl.id for ev in dated for cl in ledger.claims_about(ev.id)}
    sources = cited_sources(ledger, dated)
    group_of = groups(ledger, dated, group_by, max_groups)
    intro = (f"<p>{len(dated)} events{', ' + span if span else ''}; {len(claims)} claims from "
             f"{len(sources)} sources. Dates are shown as the ledger gives them: “(approx.)” and “(uncertain)” "
             "mark approximate and uncertain ones.</p>")
    doc: dict = {
        "title": {"text": {"headline": esc(title), "text": intro}},
        "events": sorted((event_slide(ledger, ev, group_of.get(ev.id)) for ev in dated), key=_slide_start),
        "eras": eras(dated),
    }
    if years and (min(years) < HUMAN_YEARS[0] or max(years) > HUMAN_YEARS[1]):
        doc["scale"] = "cosmological"
    else:
        doc["scale"] = "human"
    return doc, skipped


def write(listing, out, options) -> list[str]:
    from iqtl.formats.jsonfmt import dumps

    doc, skipped = timeline(listing.ledger, list(listing.records), title=options.title, group_by=options.group_by)
    out.write(dumps(doc, indent=2) + "\n")
    return [f"{len(skipped)} events with no known date left out: {', '.join(skipped)}"] if skipped else []
