"""Which sources a selection of events cites: for the HTML page, TimelineJS and CSL exports."""

from __future__ import annotations

from iqtl.core.model import Event, Ledger, Source


def cited_sources(ledger: Ledger, events: list[Event]) -> list[Source]:
    """The sources the events cite, or the claims about them come from, in order of first use."""
    ids: dict[str, None] = {}
    for ev in events:
        ids.update(dict.fromkeys(ev.sources))
        ids.update(dict.fromkeys(cl.source for cl in ledger.claims_about(ev.id)))
    return [src for sid in ids if (src := ledger.get("source", sid)) is not None]


def sources_for(ledger: Ledger, events: list[Event], whole: bool) -> list[Source]:
    """The whole ledger's sources when nothing was filtered out, else those the events cite."""
    return list(ledger.sources) if whole else cited_sources(ledger, events)
