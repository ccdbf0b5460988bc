"""Finding records by id, with suggestions when nothing has it."""

from __future__ import annotations

from iqtl.core.model import LOOKUP_ORDER, Ledger, Record
from iqtl.core.text import suggestions

# The functions below take a Ledger or the cache's database of one (iqtl.ledgerfile.index.Index):
# both have get(kind, id), actors, and the ids of a kind (_ids).


def _ids(ledger, kind: str) -> list[str]:
    return [r.id for r in ledger.table(kind)] if isinstance(ledger, Ledger) else ledger.ids(kind)


def find(ledger: Ledger, record_id: str) -> list[tuple[str, Record]]:
    """Every record with this id, as (kind, record), events first: ids are unique within a kind only."""
    return [(kind, rec) for kind in LOOKUP_ORDER if (rec := ledger.get(kind, record_id)) is not None]


def similar_ids(ledger: Ledger, record_id: str, n: int = 3) -> list[str]:
    """Ids close to `record_id` (a typo), then ids that contain it, at most n."""
    every = [i for kind in LOOKUP_ORDER for i in _ids(ledger, kind)]
    close = suggestions(record_id, every, n=n, cutoff=0.5)
    folded = record_id.casefold()
    close += [i for i in every if folded in i and i not in close][: n - len(close)]
    return close


class AmbiguousError(LookupError):
    """A prefix or name that fits more than one record: `candidates` are their ids."""

    def __init__(self, text: str, candidates: list[str]):
        super().__init__(text)
        self.candidates = candidates


def resolve(ledger: Ledger, text: str) -> list[tuple[str, Record]]:
    """What `show TEXT` means: the records with that id; else the actor with that name or alias (any
    case); else the one record whose id begins with it (as git takes an unambiguous hash prefix).
    [] when nothing fits; AmbiguousError when a name or prefix fits several."""
    found = find(ledger, text)
    if found:
        return found
    folded = text.strip().casefold()
    if not folded:
        return []
    actors = [a for a in ledger.actors if folded in {n.casefold() for n in (a.id, a.name, *a.aliases)}]
    if len(actors) == 1:
        return [("actor", actors[0])]
    if len(actors) > 1:
        raise AmbiguousError(text, [a.id for a in actors])
    prefixed = [(kind, i) for kind in LOOKUP_ORDER for i in _ids(ledger, kind) if i.startswith(folded)]
    if len({i for _, i in prefixed}) == 1:
        return [(kind, ledger.get(kind, i)) for kind, i in prefixed]
    if prefixed:
        raise AmbiguousError(text, sorted({i for _, i in prefixed}))
    return []


def around(index, found: list[tuple[str, Record]]) -> Ledger:
    """A ledger of the records a show page (or related()) of `found` reads, from the cache's
    database of a big ledger: every source and actor; an event's claims and related events; a
    claim's events and the claims it supports or disputes; a source's or an actor's events and
    claims; and, for every claim so gathered, the claims on both ends of its supports and disputes
    (the pages mark a claim disputed or supported, and name who disputes it)."""
    events: dict[str, Record] = {}
    claims: dict[str, Record] = {}

    def keep(table: dict, records) -> None:
        for rec in records:
            table.setdefault(rec.id, rec)

    for kind, rec in found:
        if kind == "event":
            keep(events, [rec, *index.events_by_id(rec.related)])
            keep(claims, index.claims_about([rec.id]))
        elif kind == "claim":
            keep(claims, [rec])
            keep(events, index.events_by_id(rec.about))
        elif kind == "source":
            keep(events, index.events(sources=[rec.id]))
            keep(claims, index.claims(sources=[rec.id]))
        elif kind == "actor":
            keep(events, index.events(actors=[rec.id]))
            keep(claims, index.claims(speakers=[rec.id]))
    linked = {c for cl in claims.values() for c in (*cl.supports, *cl.disputes)} | index.claims_linking(claims)
    keep(claims, index.claims_by_id(i for i in linked if i not in claims))
    # In ledger order, as the whole ledger holds them (each batch comes in order, not all of them).
    at_event, at_claim = index.positions("event", events), index.positions("claim", claims)
    return Ledger(index.path, index.sources, index.actors,
                  tuple(sorted(events.values(), key=lambda e: at_event[e.id])),
                  tuple(sorted(claims.values(), key=lambda c: at_claim[c.id])))


def related(ledger: Ledger, kind: str, rec: Record) -> dict:
    """What the show page gives besides the record's own fields, as ids and rows: the claims about
    an event, the links of a claim both ways, a source's events and claims, an actor's."""
    from iqtl.reports.rows import claim_row

    def claims(items) -> list[dict]:
        return [claim_row(ledger, c) for c in items if c is not None]

    if kind == "event":
        def titled(kind: str, ids) -> dict:
            return {i: getattr(ledger.get(kind, i), "title", None) for i in ids}

        return {"actor_names": {a: ledger.actor_name(a) for a in rec.actors},
                "related_titles": titled("event", rec.related), "source_titles": titled("source", rec.sources),
                "claim_records": claims(ledger.claims_about(rec.id))}
    if kind == "claim":
        get = ledger.by_id("claim")
        return {"supports_claims": claims(get.get(c) for c in rec.supports),
                "disputes_claims": claims(get.get(c) for c in rec.disputes),
                "supported_by": claims(ledger.supported_by(rec.id)),
                "disputed_by": claims(ledger.disputed_by(rec.id)),
                "speaker_name": ledger.actor_name(rec.speaker)}
    if kind == "source":
        return {"event_ids": [e.id for e in ledger.events if rec.id in e.sources],
                "claim_records": claims(ledger.claims_from(rec.id))}
    if kind == "actor":
        return {"event_ids": [e.id for e in ledger.events if rec.id in e.actors],
                "claim_records": claims(ledger.claims_by(rec.id))}
    return {}
