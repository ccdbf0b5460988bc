"""A big ledger is parsed a piece at a time (loader._load_in_pieces): the result must be exactly the
whole file's, records and located problems, or the piecewise parse must step aside.  Here every
file is "big" and pieces are tiny, so each ledger is cut at many of its headers."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iqtl.ledgerfile import loader

from .conftest import BROKEN, FIXTURES, MINI, SEED
from .hardening import sized
from .strategies import ledgers, toml

pytestmark = pytest.mark.hardening  # the slow suite: `-m 'not hardening'` leaves it out

FILES = [SEED, MINI, FIXTURES / "hostile.toml", *sorted(BROKEN.glob("*.toml"))]
# Files the piecewise parse must decline: the whole file's parse reads them (and places their errors).
NOT_PLAIN = {"empty.toml", "latin1.toml", "not-an-array.toml", "toml-syntax.toml", "unknown-table.toml",
             "utf16.toml"}


@pytest.fixture
def small_pieces(monkeypatch):
    def use(piece: int) -> None:
        monkeypatch.setattr(loader, "PIECEWISE_FROM", 0)
        monkeypatch.setattr(loader, "PIECE", piece)
    return use


def as_tuple(result: loader.LoadResult) -> tuple:
    led = result.ledger
    return led.path, led.sources, led.actors, led.events, led.claims, result.problems


def piecewise(path: Path) -> loader.LoadResult | None:
    with open(path, "rb") as f:
        return loader._load_in_pieces(f, str(path), hashlib.sha256())


@pytest.mark.parametrize("piece", [1, 64, 4096])
@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_pieces_give_what_the_whole_file_gives(path, piece, small_pieces):
    small_pieces(piece)
    whole = loader.load_bytes(path.read_bytes(), str(path))
    assert as_tuple(loader.load(path, use_cache=False)) == as_tuple(whole)
    by_pieces = piecewise(path)
    assert (by_pieces is None) == (path.name in NOT_PLAIN)
    if by_pieces is not None:
        assert as_tuple(by_pieces) == as_tuple(whole)


def test_the_digest_is_of_the_whole_file(small_pieces):
    small_pieces(100)
    summed = hashlib.sha256()
    with open(SEED, "rb") as f:
        assert loader._load_in_pieces(f, str(SEED), summed) is not None
    assert summed.digest() == hashlib.sha256(SEED.read_bytes()).digest()


TOP_ARRAY = [
    'event = [{id = "early", date = "2001", title = "T", summary = "S", sources = ["s"]}]\n',  # a kind at the top
    '"\\u0065vent" = [{id = "early", date = "2001", title = "T", summary = "S", sources = ["s"]}]\n',  # escaped
    'event.x = 1\n',  # a dotted key
]


@pytest.mark.parametrize("top", TOP_ARRAY, ids=["array", "escaped-key", "dotted"])
def test_a_kind_defined_above_its_tables_is_left_to_the_whole_parse(top, tmp_path, small_pieces):
    """TOML refuses [[event]] after `event = [...]`; pieces parsed apart would not see the clash."""
    small_pieces(64)
    path = tmp_path / "events.toml"
    path.write_bytes(MINI.read_bytes().replace(b"schema = 1\n", b"schema = 1\n" + top.encode(), 1))
    assert piecewise(path) is None
    result = loader.load(path, use_cache=False)
    assert result.errors and "TOML syntax" in result.errors[0].message


@pytest.mark.parametrize("spoil", [b'summary = """\n[[event]]\n"""\n', b"  [[event]]\n", b"[extra]\n"],
                         ids=["multi-line-string", "indented-header", "other-table"])
def test_an_unusual_shape_is_left_to_the_whole_parse(spoil, tmp_path, small_pieces):
    small_pieces(64)
    path = tmp_path / "events.toml"
    data = MINI.read_bytes()
    at = data.index(b"\n[[event]]") + 1
    path.write_bytes(data[:at] + spoil + data[at:])
    assert piecewise(path) is None
    assert as_tuple(loader.load(path, use_cache=False)) == as_tuple(loader.load_bytes(path.read_bytes(), str(path)))


def in_headers(doc: dict) -> bytes:
    """The ledger as iqtl add writes it: a [[kind]] header a record (tomli-w writes inline arrays)."""
    from iqtl.ledgerfile.writer import serialise

    records = [(kind, {k: v for k, v in rec.items() if v not in (None, "", [])})
               for kind in ("source", "actor", "event", "claim") for rec in doc[kind]]
    return ("schema = 1\n\n" + "\n".join(serialise(records))).encode("utf-8")


@settings(max_examples=sized(60, 600), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers(max_records=6), st.sampled_from([1, 50, 300]))
def test_generated_ledgers_read_the_same_in_pieces(doc, piece):
    import io

    headed = in_headers(doc)
    # Three quotes even inside a one-line string make the piecewise parse step aside: it does not
    # tell them from a multi-line string's.
    for data, plain in ((headed, b"'''" not in headed and b'"""' not in headed), (toml(doc), False)):
        whole = loader.load_bytes(data, "generated.toml")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(loader, "PIECE", piece)
            by_pieces = loader._load_in_pieces(io.BytesIO(data), "generated.toml", hashlib.sha256())
        if plain:
            assert by_pieces is not None
        if by_pieces is not None:
            assert as_tuple(by_pieces) == as_tuple(whole)


def test_a_claim_read_before_its_source_still_takes_the_source_date(tmp_path, small_pieces):
    """Claims come first here: each piece holds one record, so a claim is built before the source
    whose date it takes."""
    small_pieces(1)
    head, *blocks = MINI.read_text(encoding="utf-8").split("\n[[")
    blocks = sorted(blocks, key=lambda b: not b.startswith("claim]]"))
    path = tmp_path / "events.toml"
    path.write_text(head + "".join("\n[[" + b for b in blocks), encoding="utf-8")
    whole = loader.load_bytes(path.read_bytes(), str(path))
    assert any(not c.own_date and c.date for c in whole.ledger.claims)
    by_pieces = piecewise(path)
    assert by_pieces is not None and as_tuple(by_pieces) == as_tuple(whole)


def test_a_blank_ledger_is_called_empty(tmp_path, small_pieces):
    small_pieces(16)
    path = tmp_path / "events.toml"
    path.write_bytes(b"\r\n  \n" * 50)
    (problem,) = loader.load(path, use_cache=False).problems
    assert problem.message.startswith("the ledger is empty")


def test_a_ledger_changed_while_read_in_pieces_is_read_again_whole(tmp_path, small_pieces, monkeypatch):
    """An editor saving in place (same inode) while the pieces are parsed: the result is the new
    file's, read in one go, and placing its problems never raises (here it is no longer UTF-8)."""
    small_pieces(64)
    path = tmp_path / "events.toml"
    path.write_bytes(MINI.read_bytes() + b'\n[[event]]\nid = "zz"\ndate = "2001"\ntitle = "T"\nsummary = "S"\n')
    real = loader._checked

    def racing(ledger, findings, text, where):
        if callable(text):
            with open(path, "r+b") as f:
                f.write(b"# caf\xe9 \n")
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
        return real(ledger, findings, text, where)

    monkeypatch.setattr(loader, "_checked", racing)
    result = loader.load(path, use_cache=False)
    monkeypatch.setattr(loader, "_checked", real)
    whole = loader.load_bytes(path.read_bytes(), "x")
    assert [p.message for p in result.problems] == [p.message for p in whole.problems]
    assert "not UTF-8" in result.problems[0].message
