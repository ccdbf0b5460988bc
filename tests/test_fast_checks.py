"""The checks that first test a whole table at once (invisible characters, unknown references,
shell-special names, duplicate ids) find exactly what a plain loop over every
record and text finds."""

from __future__ import annotations

import dataclasses

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iqtl import checks
from iqtl.core.model import Actor, Claim, Event, Ledger, Source
from iqtl.core.schema import FIELDS, LIST, STR
from iqtl.core.text import has_unsafe, one_line

# Text that is mostly clean, with what makes a text unsafe (controls, bidi, zero-width, joiners at the
# edges of a word or inside one) and what only looks unsafe (newlines, tabs, no-break spaces, other scripts).
PIECES = ["a", "war", " ", "\n", "\t", "\xa0", "\u2009", "Ω", "خامنه", "ای", "\u200c", "\u200d", "\u200b", "\u202e",
          "\x07", "\x1b", "\x85", "\xad", "\ufeff", "\U000e0041", "👩", "💻", "\u2028", "-", "$(x)", "`", ";", "'"]
TEXTS = st.lists(st.sampled_from(PIECES), max_size=4).map("".join)
CLEAN = st.sampled_from(["a", "war", "Ω b", "x-1", "", "New\nline", "tab\there", "no\xa0break"])


def reference_invisible(ledger: Ledger) -> list:
    """invisible_characters as it was: every text of every record, one by one."""
    found = []
    for kind, fields in FIELDS.items():
        names = [f.name for f in fields if f.type in (STR, LIST)]
        for i, rec in enumerate(ledger.table(kind)):
            for name in names:
                value = getattr(rec, name)
                for v in (value,) if isinstance(value, str) else value:
                    if has_unsafe(v):
                        found.append(checks.warning(
                            "invisible-character", f"{kind} {rec.id!r}: {name} contains a control or invisible "
                            f"character ({one_line(v)[:60]})", kind, i, name))
                        break
    return found


def reference_shell(ledger: Ledger) -> list:
    found = []
    for i, ev in enumerate(ledger.events):
        for key in ("tags", "places"):
            for value in getattr(ev, key):
                if not checks._SHELL_SPECIAL.isdisjoint(value) or not value.isprintable():
                    found.append((i, key, value))
    return found


def reference_duplicates(ledger: Ledger) -> list:
    found = []
    for kind in ("source", "actor", "event", "claim"):
        first: dict[str, int] = {}
        for i, rec in enumerate(ledger.table(kind)):
            if rec.id and rec.id in first:
                found.append((kind, i, first[rec.id]))
            elif rec.id:
                first[rec.id] = i
    return found


def reference_unknown(ledger: Ledger) -> list:
    found = []
    for kind, fields in FIELDS.items():
        for i, rec in enumerate(ledger.table(kind)):
            for f in fields:
                if f.ref:
                    value = getattr(rec, f.name)
                    for item in (value,) if isinstance(value, str) else value:
                        if item and item not in ledger.by_id(f.ref):
                            found.append((kind, i, f.name, item))
    return found


@st.composite
def hostile_ledgers(draw):
    """Small ledgers where any text may be hostile (most are clean, so that clean tables are common)."""
    text = st.one_of(CLEAN, CLEAN, CLEAN, TEXTS)
    items = st.lists(text, max_size=3).map(tuple)

    def ref(kind):  # mostly a record of the right kind; now and then another kind's id, none, or any text
        good = st.sampled_from([kind[0], kind[0] + "2"])
        return st.one_of(good, good, good, good, good, good, st.sampled_from(["s", "a", "e", "c", "gone", ""]), text)

    def refs(kind):
        return st.lists(ref(kind), max_size=2).map(tuple)

    def own_id(letter):  # ids that repeat, and the empty id (a record missing one)
        return st.sampled_from([letter, letter + "2", letter + "3", ""])

    n = draw(st.integers(1, 4))
    sources = tuple(Source(draw(own_id("s")), draw(text), draw(text), None, draw(text), draw(text))
                    for _ in range(n))
    actors = tuple(Actor(draw(own_id("a")), draw(text), draw(items), "", draw(text)) for _ in range(n))
    events = tuple(Event(draw(own_id("e")), None, draw(text), draw(text), draw(refs("source")),
                         draw(text), draw(refs("actor")), draw(items), draw(items), draw(refs("event")))
                   for _ in range(n))
    claims = tuple(Claim(draw(own_id("c")), draw(text), draw(ref("actor")), draw(ref("source")),
                         about=draw(refs("event")), supports=draw(refs("claim")), disputes=draw(refs("claim")),
                         note=draw(text), quote_prefix=draw(text))
                   for _ in range(n))
    return Ledger("x.toml", sources, actors, events, claims)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledger=hostile_ledgers())
def test_table_at_once_checks_find_what_a_record_by_record_loop_finds(ledger):
    assert list(checks.invisible_characters(ledger)) == reference_invisible(ledger)
    assert [(f.index, f.key, f.item) for f in checks.shell_special_names(ledger)] == reference_shell(ledger)
    assert [(f.kind, f.index, f.key, f.item) for f in checks.unknown_references(ledger)] == reference_unknown(ledger)
    assert [(f.kind, f.index, f.first) for f in checks.duplicate_ids(ledger)] == reference_duplicates(ledger)


@given(texts=st.lists(TEXTS, max_size=6))
def test_a_table_is_clean_exactly_when_every_text_is(texts):
    events = tuple(Event("e", None, t, "s", (t, "x")) for t in texts)
    fields = FIELDS["event"]
    assert checks._all_clean(checks._texts_of(events, fields)) == (not any(map(has_unsafe, texts)))


def test_a_finding_in_the_last_record_of_a_big_table_is_found():
    clean = Event("e", None, "Title", "Summary\nwith a newline", ("s",), tags=("war",))
    events = [dataclasses.replace(clean, id=f"e{i}") for i in range(5000)]
    events[-1] = dataclasses.replace(events[-1], tags=("war", "x\u200b"))
    ledger = Ledger("x.toml", events=tuple(events))
    assert [(f.index, f.key) for f in checks.invisible_characters(ledger)] == [(4999, "tags")]
    assert [(f.index, f.key) for f in checks.shell_special_names(ledger)] == [(4999, "tags")]


def test_each_reference_to_the_wrong_kind_or_to_nothing_is_found():
    """One reference at a time made wrong in an otherwise clean ledger: another kind's id, an id
    made of the letters of good ids, an empty string (not a reference at all)."""
    base = Ledger("x.toml", (Source("s", "T", "P", None),), (Actor("a", "A"),),
                  (Event("e", None, "T", "S", ("s",), actors=("a",), related=("e",)),),
                  (Claim("c", "T", "a", "s", about=("e",), supports=("c",)),))
    assert not list(checks.unknown_references(base))
    cases = 0
    for kind, fields in FIELDS.items():
        for f in fields:
            if not f.ref:
                continue
            for wrong in ("s", "a", "e", "c", "ss", ""):
                value = wrong if f.type == STR else ("s", wrong) if f.ref == "source" else (wrong,)
                record = dataclasses.replace(base.table(kind)[0], **{f.name: value})
                ledger = dataclasses.replace(base, **{f"{kind}s": (record,)}, _index={})
                found = [(x.kind, x.index, x.key, x.item) for x in checks.unknown_references(ledger)]
                assert found == reference_unknown(ledger), (kind, f.name, wrong)
                cases += bool(found)
    assert cases > 20
