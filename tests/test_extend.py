"""Appending without re-parsing: loader.extend must give exactly what a full parse of the new file
gives, and writer.appending_only_adds must send every unusual layout to the full parse."""

from __future__ import annotations

import shutil

import pytest

from iqtl.ledgerfile import loader
from iqtl.ledgerfile.writer import Appender, appending_only_adds, separator, serialise

from .conftest import FIXTURES, MINI, SEED, run

SEED_LEDGER = loader.load(SEED).ledger
MINI_LEDGER = loader.load(MINI).ledger


def _grown(path, records):
    """(fast, slow): the ledger with `records` appended, by extend and by a full parse."""
    data = path.read_bytes()
    old = loader.load_bytes(data, str(path))
    assert not old.errors
    new_text = (data + separator(data, b"\n")).decode() + "\n".join(serialise(records))
    fast = loader.extend(old.ledger, records, new_text)
    slow = loader.load_text(new_text, str(path))
    return fast, slow


def _as_tuple(result):
    led = result.ledger
    return led.sources, led.actors, led.events, led.claims, result.problems


SOURCE = MINI_LEDGER.sources[0].id
EVENT = MINI_LEDGER.events[0].id
ACTOR = MINI_LEDGER.actors[0].id
CASES = {
    "clean event": [("event", {"id": "new-e", "date": "2007-08~", "title": "T", "summary": "S",
                               "sources": [SOURCE], "actors": [ACTOR]})],
    "duplicate id": [("event", {"id": EVENT, "date": "2007", "title": "T", "summary": "S", "sources": [SOURCE]})],
    "unknown references": [("claim", {"id": "c-new", "text": "q", "speaker": "nobody", "source": "nowhere",
                                      "about": ["no-event"]})],
    "bad date and type": [("event", {"id": "bad", "date": "2007-13", "title": "T", "summary": "S",
                                     "sources": [SOURCE], "tags": ["a", 1]})],
    "claim dated by a source added with it": [
        ("claim", {"id": "c-late", "text": "q", "speaker": ACTOR, "source": "s-new", "about": [EVENT]}),
        ("source", {"id": "s-new", "title": "T", "publisher": "P", "date": "2009-05"}),
    ],
    "invisible character": [("actor", {"id": "a-new", "name": "Zero\u200bwidth"})],
    "unknown key": [("actor", {"id": "a-x", "name": "X", "colour": "red"})],
}


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("path", [MINI, SEED], ids=["mini", "seed"])
def test_extend_equals_a_full_parse(name, path):
    fast, slow = _grown(path, CASES[name])
    assert _as_tuple(fast) == _as_tuple(slow)


def test_the_seed_and_its_records_are_appendable():
    text = SEED.read_text(encoding="utf-8")
    assert appending_only_adds(text, {"event", "claim", "source", "actor"}, SEED_LEDGER)


HEAD = 'schema = 1\n\n[[source]]\nid = "s"\ntitle = "T"\npublisher = "P"\ndate = "2008"\n'
EVENT_TOML = '[[event]]\nid = "e"\ndate = "2007"\ntitle = "T"\nsummary = "S"\nsources = ["s"]\n'


@pytest.mark.parametrize("text", [
    'schema = 1\nevent = []\n' + HEAD[len("schema = 1\n"):],  # a static array: [[event]] would not parse
    'schema = 1\n"event" = []\n' + HEAD[len("schema = 1\n"):],
    'schema = 1\nevent.x = 1\n' + HEAD[len("schema = 1\n"):],
    HEAD + '[event]\n',
    HEAD + '[event.meta]\nx = 1\n',
    HEAD + '[[event.sub]]\nx = 1\n',
    HEAD + '[["event"]]\n' + EVENT_TOML.split("\n", 1)[1],
    HEAD + 'summary = """\n[[event]]\n"""\n',  # a multi-line string could hide a header-like line
    HEAD + "[[\"\\u0065vent\"]]\n",  # an escaped key
], ids=range(9))
def test_unusual_layouts_are_parsed_in_full(text):
    ledger = loader.load_text(text, "x").ledger
    assert not appending_only_adds(text, {"event"}, ledger)


def test_a_header_count_that_does_not_match_is_parsed_in_full():
    text = HEAD + EVENT_TOML
    ledger = loader.load_text(text, "x").ledger
    assert appending_only_adds(text, {"event"}, ledger)
    assert not appending_only_adds(text + EVENT_TOML.replace('"e"', '"f"'), {"event"}, ledger)


def test_a_static_array_ledger_refuses_the_append_cleanly(tmp_path):
    """The full parse catches what the fast path would have missed: no record is appended."""
    ledger = tmp_path / "events.toml"
    ledger.write_text('schema = 1\nsource = [{id = "s", title = "T", publisher = "P", date = "2008"}]\n'
                      'event = [{id = "e", date = "2007", title = "T", summary = "S", sources = ["s"], '
                      'actors = ["a"]}]\nactor = [{id = "a", name = "A"}]\n', encoding="utf-8")
    before = ledger.read_bytes()
    assert run("check", "-L", str(ledger)).exit_code == 0
    with Appender(ledger) as app:
        plan = app.plan([("event", {"id": "e2", "date": "2008", "title": "T", "summary": "S", "sources": ["s"],
                                    "actors": ["a"]})])
    assert plan.errors and "TOML" in plan.errors[0].problem.message
    assert ledger.read_bytes() == before


def test_add_then_read_is_a_cache_hit_with_the_new_record(tmp_path, monkeypatch):
    ledger = tmp_path / "events.toml"
    shutil.copyfile(FIXTURES / "mini.toml", ledger)
    assert run("list", "-L", str(ledger), "-F", "plain").exit_code == 0  # warm
    result = run("add", "event", "-L", str(ledger), "--date", "2009-06", "--title", "Added", "--summary", "S",
                 "--source", SOURCE, "--actor", ACTOR, "--id", "added-one")
    assert result.exit_code == 0, result.stderr
    parses = []
    real = loader.load_text
    monkeypatch.setattr(loader, "load_text", lambda t, p: parses.append(p) or real(t, p))
    listed = run("list", "-L", str(ledger), "-F", "plain")
    assert "added-one" in listed.stdout
    assert parses == []  # add left the cache holding the new file
    assert _as_tuple(loader.load(ledger)) == _as_tuple(loader.load(ledger, use_cache=False))
