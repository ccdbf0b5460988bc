"""Hypothesis strategies shared by the property tests: EDTF dates and whole valid ledgers."""

from __future__ import annotations

import tomli_w
from hypothesis import strategies as st

from iqtl.core.edtf import days_in_month
from iqtl.core.model import KINDS
from iqtl.core.text import has_unsafe


@st.composite
def level1_dates(draw, unspecified: bool = False):
    """A valid date (no interval) of a year in -9999..9999, of a level 0/1 shape, maybe qualified.

    Every one can be an interval end, unless `unspecified` adds the shapes with X digits (201X,
    2004-XX ...), which level 1 allows only as a date on its own."""
    year = draw(st.integers(-9999, 9999))
    ytext = f"-{-year:04d}" if year < 0 else f"{year:04d}"
    kinds = ["year", "month", "day", "season"]
    if unspecified:
        kinds += ["month XX", "day XX", "month and day XX"]
    if unspecified and year >= 0:  # the oracle mangles negative decades and centuries (see below)
        kinds += ["decade", "century"]
    kind = draw(st.sampled_from(kinds))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, days_in_month(year, month)))
    text = {
        "year": ytext,
        "month": f"{ytext}-{month:02d}",
        "day": f"{ytext}-{month:02d}-{day:02d}",
        "season": f"{ytext}-{draw(st.integers(21, 24))}",
        "month XX": f"{ytext}-XX",
        "day XX": f"{ytext}-{month:02d}-XX",
        "month and day XX": f"{ytext}-XX-XX",
        "decade": ytext[:3] + "X",
        "century": ytext[:2] + "XX",
    }[kind]
    return text + draw(st.sampled_from(["", "?", "~", "%"]))


# ---------------------------------------------------------------- valid ledgers

SLUGS = st.from_regex(r"[a-z0-9][a-z0-9-]{0,12}", fullmatch=True)
CHARS = st.characters(blacklist_categories=("Cs",))
TEXT = st.text(CHARS, min_size=1, max_size=24).filter(lambda t: t.strip() and not has_unsafe(t))
# List items as `; `-joined CSV cells can hold them: no `;`, no space at either end.
ITEM = TEXT.filter(lambda t: ";" not in t and t == t.strip())


@st.composite
def edtf_dates(draw):
    one = draw(level1_dates())
    shape = draw(st.sampled_from(["single", "single", "interval", "open"]))
    if shape == "single":
        return one
    from iqtl.core.edtf import parse

    other = draw(level1_dates())
    a, b = sorted([one, other], key=lambda t: parse(t).sort_key())
    if shape == "open":
        return draw(st.sampled_from([f"{a}/..", f"../{a}", f"{a}/", f"/{a}"]))
    if parse(a).latest > parse(b).latest:  # a decade around a year: not in order as an interval
        return a
    return f"{a}/{b}"


def optional(strategy):
    return st.one_of(st.just(None), strategy)


@st.composite
def ledgers(draw, max_records: int = 4) -> dict:
    """Texts and dates are drawn into small pools first and the fields pick from them: each draw
    costs hypothesis the same, and a ledger of 60 fields drawn one by one is ten times slower."""
    texts = draw(st.lists(TEXT, min_size=6, max_size=6))
    items = draw(st.lists(ITEM, min_size=4, max_size=4, unique=True))
    dates = draw(st.lists(edtf_dates(), min_size=4, max_size=4))
    text, date = st.sampled_from(texts), st.sampled_from(dates)
    maybe = st.sampled_from([None, None, *texts])
    source_ids = draw(st.lists(SLUGS, min_size=1, max_size=3, unique=True))
    actor_ids = draw(st.lists(SLUGS, min_size=1, max_size=3, unique=True))
    event_ids = draw(st.lists(SLUGS, min_size=1, max_size=max_records, unique=True))
    claim_ids = draw(st.lists(SLUGS, max_size=max_records, unique=True))

    def some(ids, **kw):
        return draw(st.lists(st.sampled_from(ids), unique=True, **kw)) if ids else []

    sources = [{"id": i, "title": draw(text), "publisher": draw(text), "date": draw(date), "author": draw(maybe),
                "url": draw(maybe), "type": draw(maybe), "note": draw(maybe)} for i in source_ids]
    actors = [{"id": i, "name": f"{draw(text)} {n}", "aliases": some(items, max_size=2),
               "kind": draw(st.sampled_from([None, "person", "group", "state", "institution"])),
               "role": draw(maybe), "note": draw(maybe)} for n, i in enumerate(actor_ids)]
    events = [{"id": i, "date": draw(date), "title": draw(text), "summary": draw(text),
               "sources": some(source_ids, min_size=1), "date_note": draw(maybe), "actors": some(actor_ids),
               "places": some(items, max_size=2), "tags": some(items, max_size=3),
               "related": some([e for e in event_ids if e != i])} for i in event_ids]
    claims = []
    by_source = {s["id"]: s["date"] for s in sources}
    for i in claim_ids:
        others = [c for c in claim_ids if c != i]
        supports = some(others)
        source = draw(st.sampled_from(source_ids))
        own = draw(st.sampled_from([None, *dates]))
        claims.append({"id": i, "text": draw(text), "speaker": draw(st.sampled_from(actor_ids)), "source": source,
                       # a date equal to the source's is read back as "the source's" (the module docstring)
                       "date": None if own == by_source[source] else own, "date_note": draw(maybe),
                       "kind": draw(st.sampled_from([None, "quote", "paraphrase", "assessment"])),
                       "about": some(event_ids), "supports": supports,
                       "disputes": some([c for c in others if c not in supports]), "note": draw(maybe)})
    return {"schema": 1, "source": sources, "actor": actors, "event": events, "claim": claims}


def toml(doc: dict) -> bytes:
    clean = {"schema": 1}
    for kind in KINDS:
        clean[kind] = [{k: v for k, v in rec.items() if v not in (None, "", [])} for rec in doc[kind]]
    return tomli_w.dumps(clean).encode("utf-8")
