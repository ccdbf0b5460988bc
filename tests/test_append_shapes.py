"""Issue 16: the appender's fast path (no re-parse of the old text) is taken only when it is provably
safe; whatever the file's spelling of a top-level key, `add` and `import` never write a ledger that
fails to parse from scratch, and the cache never holds one."""

from __future__ import annotations

import shutil

import pytest

from iqtl.ledgerfile.loader import load, load_bytes

from .conftest import MINI, run

EVENT = ("add", "event", "--date", "2007-08~", "--title", "Sadr declares a cease-fire", "--summary",
         "Within days of the Karbala battle.", "--source", "paper-a", "--actor", "sadr")

# Ways of writing a top-level `event` (or `claim`) key that make a later [[event]] table illegal.
SPELLINGS = [
    '"\\u0065vent" = []',
    '"\\U00000065vent" = []',
    "'event' = []",
    '"event" = []',
    ' event = []',
    '"ev\\u0065nt".x = 1',
    '"\\u0063laim" = []',
]


def _ledger_with(tmp_path, line: str):
    """MINI without its events (and claims), with `line` above the first table."""
    text = MINI.read_text(encoding="utf-8")
    head, sep, rest = text.partition("[[source]]")
    body = sep + rest.split("[[event]]")[0]
    path = tmp_path / "l.toml"
    path.write_text(head + line + "\n\n" + body, encoding="utf-8")
    return path


@pytest.mark.parametrize("line", SPELLINGS)
def test_add_never_writes_what_does_not_parse(tmp_path, line):
    path = _ledger_with(tmp_path, line)
    if load(path, use_cache=False).errors:
        pytest.skip("the spelling makes the ledger itself invalid here")
    before = path.read_bytes()
    kind = "claim" if "claim" in line or "63laim" in line else "event"
    if kind == "claim":
        args = ("add", "claim", "--text", "A quote.", "--speaker", "sadr", "--source", "paper-a")
    else:
        args = EVENT
    result = run(*args, "--ledger", path)
    after = path.read_bytes()
    fresh = load_bytes(after, str(path))
    assert not fresh.errors, (line, result.exit_code, result.stderr, fresh.errors[:1])
    if result.exit_code == 0:
        assert after != before
    else:
        assert after == before and "iqtl: error:" in result.stderr
    # and the cache agrees with a parse from scratch
    assert [p.message for p in load(path).errors] == [p.message for p in fresh.errors]


def test_import_takes_the_same_care(tmp_path):
    path = _ledger_with(tmp_path, SPELLINGS[0])
    rows = tmp_path / "rows.csv"
    rows.write_text("id,date,title,summary,sources\nimp-1,2007,R,S,paper-a\n", encoding="utf-8")
    before = path.read_bytes()
    result = run("import", rows, "--ledger", path)
    assert result.exit_code == 1 and path.read_bytes() == before, result.stderr
    assert not load_bytes(path.read_bytes(), str(path)).errors


def test_a_plain_ledger_still_takes_the_fast_path(tmp_path, monkeypatch):
    from iqtl.ledgerfile import writer

    path = tmp_path / "l.toml"
    shutil.copy(MINI, path)
    calls = []
    real = writer.load_bytes
    monkeypatch.setattr(writer, "load_bytes", lambda *a: calls.append(1) or real(*a))
    assert run(*EVENT, "--ledger", path).exit_code == 0
    assert not calls  # no re-parse of the whole file for the usual shape


# ---------------------------------------------------------------- the fast path against a full parse

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from iqtl.ledgerfile.loader import extend, load_text  # noqa: E402
from iqtl.ledgerfile.writer import appending_only_adds, separator, serialise  # noqa: E402

KEYS = ["event", "claim", "source", "note", '"event"', "'event'", '"\\u0065vent"', '"ev\\u0065nt"', '"\\U00000063laim"',
        "event.x", '"event".x', "x.event", '"e"']
VALUES = ["[]", "1", '"s"', "{}", "[{}]", '"""\n[[event]]\n"""']
HEADERS = ["[[source]]", "[[event]]", '[["event"]]', "[event]", "[other]", "[[claim]]", '[["\\u0065vent"]]',
           "[x.event]"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(top=st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)), max_size=3),
       headers=st.lists(st.sampled_from(HEADERS), max_size=3))
def test_the_fast_path_agrees_with_a_full_parse(top, headers):
    lines = ["schema = 1"] + [f"{k} = {v}" for k, v in top]
    body = MINI.read_text(encoding="utf-8").split("schema = 1", 1)[1]
    text = "\n".join(lines) + "\n\n" + body.split("[[event]]")[0]  # sources and actors only
    for h in headers:
        text += f"\n{h}\n"
        if h in ("[[event]]", '[["event"]]', '[["\\u0065vent"]]'):
            text += 'id = "h"\ndate = "2007"\ntitle = "t"\nsummary = "s"\nsources = ["paper-a"]\n'
    old = load_text(text, "l")
    if old.errors:
        return
    record = ("event", {"id": "new-one", "date": "2007", "title": "T", "summary": "S", "sources": ["paper-a"]})
    new_text = text + separator(text.encode(), b"\n").decode() + serialise([record])[0]
    if appending_only_adds(text, {"event"}, old.ledger):
        fast, full = extend(old.ledger, [record], new_text), load_text(new_text, "l")
        assert not full.errors, (text, full.errors[:1])
        assert fast.ledger.events == full.ledger.events and fast.problems == full.problems
