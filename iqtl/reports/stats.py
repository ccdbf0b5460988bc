"""`iqtl stats`: the shape of a ledger (or of the part a query selects) in figures.

`figures()` computes plain data (what `--format json` prints); `iqtl.terminal.stats.view()` draws it:
events per year as a bar chart, then counts by kind of date, actor, tag, source and speaker.
"""

from __future__ import annotations

from collections import Counter

from iqtl.core.edtf import NEG_INF, POS_INF, civil_from_days
from iqtl.core.model import Claim, Event, Ledger

QUALIFIERS = ("exact", "approximate", "uncertain", "approximate+uncertain")


def figures(ledger: Ledger, events: list[Event], claims: list[Claim]) -> dict:
    """Counts over the selected events and claims.  Every list is sorted by count, then by id."""
    dated = [ev for ev in events if ev.date]
    per_year = Counter(ev.date.first_year for ev in dated if ev.date.first_year is not None)
    qualifiers = Counter(ev.date.qualifier for ev in dated)
    intervals = [ev for ev in dated if ev.date.is_interval]
    by_actor = Counter(a for ev in events for a in dict.fromkeys(ev.actors))
    by_tag = Counter(t for ev in events for t in dict.fromkeys(ev.tags))
    source_events = Counter(s for ev in events for s in dict.fromkeys(ev.sources))
    source_claims = Counter(cl.source for cl in claims)
    speakers = Counter(cl.speaker for cl in claims)
    selected = {cl.id for cl in claims}
    disputed = {d for cl in claims for d in cl.disputes}
    contested = [cl for cl in claims if cl.disputes or cl.id in disputed]
    pairs = {(cl.id, d) for cl in claims for d in cl.disputes if d in selected}
    supports = {(cl.id, s) for cl in claims for s in cl.supports if s in selected}

    def name(kind: str, id_: str) -> str:
        rec = ledger.get(kind, id_)
        return getattr(rec, "name", None) or getattr(rec, "title", None) or id_

    def ranked(counter: Counter) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))

    years = sorted(per_year)
    ends = [ev.date.latest for ev in dated if ev.date.latest != POS_INF]
    return {
        "events": len(events),
        "claims": len(claims),
        "first_year": years[0] if years else None,
        "last_year": civil_from_days(max(ends))[0] if ends else None,
        "events_per_year": {str(y): per_year[y] for y in years},
        "dates": {
            **{q: qualifiers[q] for q in QUALIFIERS},
            "intervals": len(intervals),
            "open_intervals": sum(1 for ev in intervals if ev.date.earliest == NEG_INF or ev.date.latest == POS_INF),
            "undated": len(events) - len(dated),
        },
        "precision": dict(ranked(Counter(ev.date.precision for ev in dated))),
        "actors": [{"id": a, "name": name("actor", a), "events": n} for a, n in ranked(by_actor)],
        "tags": [{"tag": t, "events": n} for t, n in ranked(by_tag)],
        "sources": [{"id": s, "title": name("source", s), "events": source_events[s], "claims": source_claims[s]}
                    for s, _ in ranked(source_events + source_claims)],
        "speakers": [{"id": a, "name": name("actor", a), "claims": n} for a, n in ranked(speakers)],
        "claim_kinds": dict(ranked(Counter(cl.kind for cl in claims))),
        "contested": {"claims": len(contested), "disputes": len(pairs), "supports": len(supports)},
    }


# ---------------------------------------------------------------- drawing
