"""Two sources side by side: what each alone reports, what both do, and where they contradict."""

from __future__ import annotations

from dataclasses import dataclass, field

from iqtl.core.edtf import NEG_INF, POS_INF
from iqtl.core.model import Claim, Event, Ledger
from iqtl.query import Query, select_claims, select_events

COMPARE_COLUMNS = ("section", "source", "kind", "id", "date", "text", "related")


@dataclass
class Comparison:
    a: str
    b: str
    both: list[Event] = field(default_factory=list)
    only_a: list[Event] = field(default_factory=list)
    only_b: list[Event] = field(default_factory=list)
    # shared event id -> (claims from a about it, claims from b about it)
    claims_on_shared: dict[str, tuple[list[Claim], list[Claim]]] = field(default_factory=dict)
    contradictions: list[tuple[Claim, Claim]] = field(default_factory=list)  # (disputing, disputed)
    period: tuple[int, int] | None = None  # the span both sources' events cover
    shared_tags: list[str] = field(default_factory=list)
    shared_actors: list[str] = field(default_factory=list)

    @property
    def differ(self) -> bool:
        return bool(self.only_a or self.only_b or self.contradictions)


def _span(events: list[Event]) -> tuple[int, int] | None:
    lo = [e.date.earliest for e in events if e.date and e.date.earliest != NEG_INF]
    hi = [e.date.latest for e in events if e.date and e.date.latest != POS_INF]
    return (min(lo), max(hi)) if lo and hi else None


def compare(ledger: Ledger, a: str, b: str, q: Query) -> Comparison:
    events = select_events(ledger, q)
    claims = select_claims(ledger, q)
    result = Comparison(a, b)
    for ev in events:
        in_a, in_b = a in ev.sources, b in ev.sources
        if in_a and in_b:
            result.both.append(ev)
        elif in_a:
            result.only_a.append(ev)
        elif in_b:
            result.only_b.append(ev)
    for ev in result.both:
        about = [c for c in claims if ev.id in c.about]
        result.claims_on_shared[ev.id] = ([c for c in about if c.source == a], [c for c in about if c.source == b])
    by_id = {c.id: c for c in ledger.claims}
    for c in claims:
        if c.source not in (a, b):
            continue
        other_source = b if c.source == a else a
        for d in c.disputes:
            target = by_id.get(d)
            if target is not None and target.source == other_source:
                result.contradictions.append((c, target))
    span_a, span_b = _span(result.only_a + result.both), _span(result.only_b + result.both)
    if span_a and span_b and max(span_a[0], span_b[0]) <= min(span_a[1], span_b[1]):
        result.period = (max(span_a[0], span_b[0]), min(span_a[1], span_b[1]))
    tags_a = {t for e in result.only_a + result.both for t in e.tags}
    tags_b = {t for e in result.only_b + result.both for t in e.tags}
    result.shared_tags = sorted(tags_a & tags_b)
    actors_a = {x for e in result.only_a + result.both for x in e.actors}
    actors_b = {x for e in result.only_b + result.both for x in e.actors}
    result.shared_actors = sorted(actors_a & actors_b)
    return result


def rows(c: Comparison) -> list[dict]:
    def event_row(section: str, source: str, ev: Event) -> dict:
        return {"section": section, "source": source, "kind": "event", "id": ev.id,
                "date": ev.date.text if ev.date else "", "text": ev.title, "related": ""}

    def claim_row(section: str, cl: Claim, related: str) -> dict:
        return {"section": section, "source": cl.source, "kind": "claim", "id": cl.id,
                "date": cl.date.text if cl.date else "", "text": cl.text, "related": related}

    out = [event_row("both", f"{c.a} {c.b}", ev) for ev in c.both]
    out += [event_row("only", c.a, ev) for ev in c.only_a]
    out += [event_row("only", c.b, ev) for ev in c.only_b]
    for ev_id, (from_a, from_b) in c.claims_on_shared.items():
        out += [claim_row("claim", cl, ev_id) for cl in from_a + from_b]
    out += [claim_row("dispute", x, y.id) for x, y in c.contradictions]
    return out
