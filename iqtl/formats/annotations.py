"""`iqtl export annotations`: the verified quotes of the selected events' claims as W3C Web
Annotations (https://www.w3.org/TR/annotation-model/), one JSON-LD AnnotationCollection.

Each quote claim about a selected event whose quote is found in its source's archive (verified,
or found only after normalisation) is one Annotation: its target is the source (its http(s) URL,
else `urn:iqtl:source:ID`) in the state that was archived (a TimeState whose `cached` copy is the
archive file, relative to the ledger, and `sourceDate` the day it was retrieved), selected by a
TextQuoteSelector and a TextPositionSelector in code points of the archive; a quote joined from
parts has a target per part.  The body names the claim and its speaker.  Quotes not verified are
left out, with a note saying how many (`iqtl check` says why).
"""

from __future__ import annotations

import uuid
from typing import TextIO

from iqtl.core.quotes import ANNO_CONTEXT, annotation
from iqtl.formats.html import safe_url
from iqtl.formats.jsonfmt import dumps


def _state(src) -> dict:
    state: dict = {"type": "TimeState", "cached": src.archive}
    if src.retrieved:
        state["sourceDate"] = src.retrieved
    return state


def write(listing, out: TextIO, options) -> list[str]:
    from iqtl.ledgerfile.archives import read
    from iqtl.verify import locate_claim, readable

    ledger = listing.ledger
    seen: set[str] = set()
    claims = []
    for ev in listing.records:
        for cl in ledger.claims_about(ev.id):
            if cl.kind == "quote" and cl.id not in seen:
                seen.add(cl.id)
                claims.append(cl)
    archives, _stamps = read(ledger) if any(s.archive for s in ledger.sources) else ({}, ())
    built = readable(archives)
    items, left_out = [], 0
    for cl in claims:
        arch, src = built.get(cl.source), ledger.get("source", cl.source)
        match = locate_claim(cl, arch, closest=False) if arch is not None and src is not None else None
        if match is None or not match.found:
            left_out += 1
            continue
        iri = safe_url(src.url) or f"urn:iqtl:source:{src.id}"
        body = f"{cl.id}: {ledger.actor_name(cl.speaker)}, quoted in source {src.id}"
        anno = annotation(arch, match, iri, body=body)
        anno["motivation"] = "describing"
        targets = anno["target"] if isinstance(anno["target"], list) else [anno["target"]]
        for target in targets:
            target["state"] = _state(src)
        items.append(anno)
    key = ",".join(a["id"] for a in items)
    doc = {"@context": ANNO_CONTEXT, "id": uuid.uuid5(uuid.NAMESPACE_URL, "iqtl:annotations#" + key).urn,
           "type": "AnnotationCollection", "label": options.title, "total": len(items),
           "first": {"type": "AnnotationPage", "startIndex": 0, "items": items}}
    out.write(dumps(doc, indent=2) + "\n")
    if left_out:
        return [f"{left_out} quote(s) about these events left out: not verified against an archive "
                "(run 'iqtl check' to see why)"]
    return []
