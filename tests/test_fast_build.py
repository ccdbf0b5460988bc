"""Records built a batch at a time (loader._clean_records) and by the fast constructor
(model.constructor) are the records the field-by-field path builds, and as immutable."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iqtl.core import model
from iqtl.core.model import KIND, KINDS, Claim, Event, constructor
from iqtl.core.schema import FIELDS, LIST, STR
from iqtl.ledgerfile import loader

from .strategies import edtf_dates, ledgers


def setup_module():
    # Every batch and part here, however small, built by the fast constructor (model.maker gives
    # the class itself below CONSTRUCTOR_FROM records).
    global _FROM
    _FROM, model.CONSTRUCTOR_FROM = model.CONSTRUCTOR_FROM, 1


def teardown_module():
    model.CONSTRUCTOR_FROM = _FROM


def slow(kind: str, raws: list, source_dates: dict) -> tuple[list, list]:
    """What the field-by-field path makes of `raws`: records and findings."""
    findings: list = []
    if kind == "claim":
        return [loader._claim(r, i, findings, source_dates) for i, r in enumerate(raws)], findings
    make = {"source": loader._source, "actor": loader._actor, "event": loader._event}[kind]
    return [make(r, i, findings) for i, r in enumerate(raws)], findings


def same(a: list, b: list) -> bool:
    # == and the exact types: a fast record must not differ by a value that compares equal (1 == True)
    return a == b and [tuple(map(type, dataclasses.astuple(r))) for r in a] == \
        [tuple(map(type, dataclasses.astuple(r))) for r in b]


# Values good and bad for each type of field, and values that only look bad.
TEXTS = ["", " ", "\t", "x", "war", "a-1", "ab-", "-a", "A", "a b", "a\nb", "a_b", "a\u200bb", "Ω", "quote",
         "person", "paraphrase", "2007-08~"]
ODD = {
    STR: [*TEXTS, 3, True, None, ["x"], ()],
    LIST: [[], ["x"], ["x", "y"], ["x", 1], [True], ["a", ["b"]], [None], (), ("x",), "x", 0, None],
    "date": ["2007", "2007-08~", "1985/1988", "2007-13", "", "..", "2007-02-30", 2007, ["2007"], None, "Ω"],
    "integer": [0, 5, -1, True, False, 1.0, "3", None],
}


@st.composite
def raw_tables(draw, kind: str):
    """A clean raw table, often with one fault (or a value that only looks like one) put in."""
    good = {}
    for f in FIELDS[kind]:
        if f.type == "date":
            good[f.name] = draw(edtf_dates())
        elif f.type == LIST:
            good[f.name] = draw(st.lists(st.sampled_from(["x", "war", "Ω"]), max_size=2))
        elif f.type == "integer":
            good[f.name] = draw(st.integers(0, 9))
        elif f.choices:
            good[f.name] = draw(st.sampled_from([*f.choices, ""]))
        elif f.name == "id":
            good[f.name] = draw(st.sampled_from(["war", "a-1", "x9", "9-"]))
        else:
            good[f.name] = draw(st.sampled_from(["x", "Ω b", " y "] + ([] if f.required else ["", " "])))
    raw = {f.name: good[f.name] for f in FIELDS[kind] if f.required or draw(st.booleans())}
    fault = draw(st.sampled_from(["none", "none", "value", "value", "value", "unknown", "missing"]))
    if fault == "value":
        f = draw(st.sampled_from(FIELDS[kind]))
        raw[f.name] = draw(st.sampled_from(ODD[f.type]))
    elif fault == "unknown":
        raw[draw(st.sampled_from(["colour", "iqtl-conflict", "Id"]))] = "x"
    elif fault == "missing":
        del raw[draw(st.sampled_from(sorted(raw)))]
    return raw


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_clean_batch_is_built_as_field_by_field_and_a_faulty_one_is_refused(kind, data):
    raws = data.draw(st.lists(raw_tables(kind), min_size=1, max_size=5))
    source_dates = {"war": loader._parse_date("2007"), "x": None}
    records, findings = slow(kind, raws, source_dates)
    fast = loader._clean_records(kind, raws, source_dates)
    if findings:
        assert fast is None, findings
    elif all(type(v) is not tuple for r in raws for v in r.values()):  # a tuple for a list: the slow path's
        assert fast is not None and same(fast, records)
    else:
        assert fast is None or same(fast, records)


CLEAN = {
    "source": {"id": "s", "title": "T", "publisher": "P", "date": "2007", "retrieved": "2020-01-02", "note": "n"},
    "actor": {"id": "a", "name": "A", "aliases": ["b"], "kind": "person"},
    "event": {"id": "e", "date": "2007-08~", "title": "T", "summary": "S", "sources": ["s"], "tags": ["t"]},
    "claim": {"id": "c", "text": "T", "speaker": "a", "source": "s", "kind": "quote", "about": ["e"],
              "quote_start": 1, "quote_end": 2},
}


@pytest.mark.parametrize("kind", KINDS)
def test_every_odd_value_of_every_field(kind):
    """Each field given each odd value (or left out) on its own, beside clean records."""
    source_dates = {"s": loader._parse_date("2007")}
    cases = [{**CLEAN[kind], f.name: value} for f in FIELDS[kind] for value in ODD[f.type]]
    cases += [{k: v for k, v in CLEAN[kind].items() if k != name} for name in CLEAN[kind]]
    cases += [{**CLEAN[kind], "colour": "red"}, {**CLEAN[kind], "iqtl-conflict": {"ours": "x"}}]
    faulty = 0
    for raw in cases:
        raws = [CLEAN[kind], raw, CLEAN[kind]]
        records, findings = slow(kind, raws, source_dates)
        fast = loader._clean_records(kind, raws, source_dates)
        if findings:
            faulty += 1
            assert fast is None, (raw, findings)
        elif all(type(v) is not tuple for v in raw.values()):
            assert fast is not None and same(fast, records), raw
        else:
            assert fast is None or same(fast, records), raw
    assert 0 < faulty < len(cases)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=ledgers())
def test_valid_ledgers_take_the_fast_path(doc):
    raw = {kind: [{k: v for k, v in rec.items() if v is not None} for rec in doc[kind]] for kind in KINDS}
    dates = {s["id"]: loader._parse_date(s["date"]) for s in raw["source"]}
    for kind in KINDS:
        fast = loader._clean_records(kind, raw[kind], dates)
        records, findings = slow(kind, raw[kind], dates)
        assert not findings and fast is not None and same(fast, records)


def test_one_faulty_record_among_many_is_reported_where_it_is(monkeypatch):
    """Batches around the faulty one stay fast; the findings and records are the slow path's."""
    events = [{"id": f"e{i}", "date": "2007", "title": "t", "summary": "s", "sources": ["s"]}
              for i in range(3 * loader._CLEAN_BATCH)]
    events[loader._CLEAN_BATCH + 7]["title"] = " "
    events[2 * loader._CLEAN_BATCH + 1]["colour"] = "red"

    def built():
        builder = loader._Builder()
        builder.add("event", events[:100])  # as pieces do: a table given a part at a time
        builder.add("event", events[100:])
        return builder.result("x.toml")

    ledger, findings = built()
    monkeypatch.setattr(loader, "_clean_records", lambda kind, raws, dates: None)
    assert built() == (ledger, findings)
    assert [(f.code, f.index) for f in findings] == [("empty", loader._CLEAN_BATCH + 7),
                                                     ("unknown-key", 2 * loader._CLEAN_BATCH + 1)]


def test_records_made_fast_are_ordinary_frozen_records():
    for kind in KINDS:
        cls = KIND[kind].cls
        values = [f.default if f.default is not dataclasses.MISSING else f"v-{f.name}" for f in dataclasses.fields(cls)]
        made, plain = constructor(cls)(*values), cls(*values)
        assert type(made) is cls and made == plain and hash(made) == hash(plain) and repr(made) == repr(plain)
        assert dataclasses.replace(made, id="other") == dataclasses.replace(plain, id="other")
        assert pickle.loads(pickle.dumps(made)) == plain and copy.deepcopy(made) == plain
        with pytest.raises(dataclasses.FrozenInstanceError):
            made.id = "changed"
        with pytest.raises(dataclasses.FrozenInstanceError):
            del made.id
        with pytest.raises(AttributeError):  # slotted: no attribute beyond the fields
            object.__setattr__(made, "extra", 1)
    assert constructor(Event) is constructor(Event)  # made once


def test_loaded_and_cached_records_are_immutable(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("IQTL_NO_CACHE", raising=False)
    ledger = tmp_path / "l.toml"
    ledger.write_bytes((loader.bundled_ledger()).read_bytes())
    cold, warm = loader.load(ledger), loader.load(ledger)
    assert cold.ledger.claims and warm.ledger.claims == cold.ledger.claims
    for result in (cold, warm):
        for kind in KINDS:
            for record in result.ledger.table(kind)[:3]:
                assert type(record) is KIND[kind].cls
                with pytest.raises(dataclasses.FrozenInstanceError):
                    record.id = "x"
        claim: Claim = result.ledger.claims[0]
        with pytest.raises(dataclasses.FrozenInstanceError):
            claim.date = None


def test_the_cache_gives_back_the_records_it_was_given_across_parts(tmp_path, monkeypatch):
    """Rows a part at a time, rebuilt by columns; a date made once and shared by every record
    with the same date, in any part; records with no date, a claim's own date and its
    source's, intervals with their ends."""
    from iqtl.ledgerfile import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("IQTL_NO_CACHE", raising=False)
    monkeypatch.setattr(cache, "PART", 3)  # many parts, dates met again in later ones
    ledger = tmp_path / "l.toml"
    ledger.write_bytes(loader.bundled_ledger().read_bytes())
    cold = loader.load(ledger)
    monkeypatch.setattr(loader, "_load_text", None)  # a warm load must not parse
    monkeypatch.setattr(loader, "_load_in_pieces", None)
    warm = loader.load(ledger)
    assert any(e.date and e.date.is_interval for e in cold.ledger.events)
    assert {c.own_date for c in cold.ledger.claims} == {True, False}
    for kind in KINDS:
        assert same(list(warm.ledger.table(kind)), list(cold.ledger.table(kind))), kind
    assert warm.problems == cold.problems
    dates = [r.date for kind in ("source", "event", "claim") for r in warm.ledger.table(kind) if r.date]
    assert len({d.text for d in dates}) == len({id(d) for d in dates}) < len(dates)
