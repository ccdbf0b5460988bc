"""The parse cache: a hit gives exactly what a parse gives, an edit is always seen, and a cache
file that is damaged, foreign or writable by others is never trusted."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from iqtl.ledgerfile import cache, loader

from .conftest import BROKEN, FIXTURES, MINI, SEED, run


def copy(src: Path, tmp_path: Path, name: str = "events.toml") -> Path:
    dst = tmp_path / name
    shutil.copyfile(src, dst)
    if (src.parent / "sources").is_dir() and not (tmp_path / "sources").exists():  # the archives it names
        shutil.copytree(src.parent / "sources", tmp_path / "sources")
    return dst


def same(a: loader.LoadResult, b: loader.LoadResult) -> bool:
    return (a.ledger.path, a.ledger.sources, a.ledger.actors, a.ledger.events, a.ledger.claims, a.problems) == (
        b.ledger.path, b.ledger.sources, b.ledger.actors, b.ledger.events, b.ledger.claims, b.problems)


@pytest.mark.parametrize("src", [SEED, MINI, FIXTURES / "hostile.toml", BROKEN / "unknown-source.toml",
                                 BROKEN / "toml-syntax.toml"], ids=lambda p: p.name)
def test_a_hit_equals_a_parse(src, tmp_path, home, parses):
    ledger = copy(src, tmp_path)
    first = loader.load(ledger)
    second = loader.load(ledger)
    assert parses == [str(ledger)]  # the second came from the cache
    assert same(first, second)
    assert same(second, loader.load(ledger, use_cache=False))


def test_an_entry_of_many_parts_equals_a_parse(tmp_path, home, parses, monkeypatch):
    monkeypatch.setattr(cache, "PART", 3)  # the seed's records in parts of three, read one by one
    ledger = copy(SEED, tmp_path)
    first = loader.load(ledger)
    assert same(loader.load(ledger), first) and parses == [str(ledger)]
    assert same(first, loader.load(ledger, use_cache=False))


def test_entries_are_owner_only(tmp_path, home):
    loader.load(copy(SEED, tmp_path))
    (entry,) = home.glob("*.marshal")
    assert stat.S_IMODE(entry.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o700


def _edit_in_place(path: Path, old: bytes, new: bytes, *, keep_mtime: bool) -> None:
    st = path.stat()
    data = path.read_bytes()
    assert data.count(old) >= 1 and len(old) == len(new)
    with open(path, "r+b") as f:  # same inode, same size
        f.write(data.replace(old, new, 1))
    if keep_mtime:
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert after.st_ino == st.st_ino and after.st_size == st.st_size
    assert (after.st_mtime_ns == st.st_mtime_ns) == keep_mtime


@pytest.mark.parametrize("keep_mtime", [False, True], ids=["mtime-moves", "mtime-put-back"])
def test_an_edit_that_keeps_the_size_is_seen(tmp_path, home, keep_mtime):
    ledger = copy(MINI, tmp_path)
    before = loader.load(ledger)
    title = before.ledger.events[0].title
    changed = title[::-1] if title[::-1] != title else title.upper()
    _edit_in_place(ledger, f'"{title}"'.encode(), f'"{changed}"'.encode(), keep_mtime=keep_mtime)
    after = loader.load(ledger)
    assert after.ledger.events[0].title == changed
    assert same(after, loader.load(ledger, use_cache=False))


def test_appends_replacements_and_touches_are_seen(tmp_path, home, parses):
    ledger = copy(MINI, tmp_path)
    n = len(loader.load(ledger).ledger.events)
    with open(ledger, "a", encoding="utf-8") as f:  # append: the size moves
        f.write('\n[[event]]\nid = "appended"\ndate = "2009"\ntitle = "T"\nsummary = "S"\nsources = ["'
                + loader.load(MINI).ledger.sources[0].id + '"]\n')
    assert [e.id for e in loader.load(ledger).ledger.events][-1] == "appended"
    assert len(loader.load(ledger).ledger.events) == n + 1
    # replaced by rename, as editors save: a new inode with the old bytes
    tmp = tmp_path / "new.toml"
    shutil.copyfile(MINI, tmp)
    os.replace(tmp, ledger)
    assert len(loader.load(ledger).ledger.events) == n
    # touched: same bytes, new mtime -- a re-parse, the same answer
    parses.clear()
    os.utime(ledger, ns=(1, 1))
    assert len(loader.load(ledger).ledger.events) == n
    assert parses == [str(ledger)]


def test_the_same_file_by_another_path_reports_that_path(tmp_path, home):
    ledger = copy(FIXTURES / "hostile.toml", tmp_path)
    loader.load(ledger)
    link = tmp_path / "link.toml"
    link.symlink_to(ledger)
    via_link = loader.load(link)
    assert via_link.ledger.path == str(link)
    assert via_link.problems and all(p.path == str(link) for p in via_link.problems)


def test_no_cache_option_and_variable_leave_no_entry(tmp_path, home, monkeypatch):
    ledger = copy(SEED, tmp_path)
    assert run("--no-cache", "list", "-L", str(ledger), "-F", "plain").exit_code == 0
    assert not home.exists() or not list(home.iterdir())
    monkeypatch.setenv(cache.ENV_NO_CACHE, "1")
    assert run("list", "-L", str(ledger), "-F", "plain").exit_code == 0
    assert not home.exists() or not list(home.iterdir())
    monkeypatch.delenv(cache.ENV_NO_CACHE)
    assert run("list", "-L", str(ledger), "-F", "plain").exit_code == 0
    assert len(list(home.glob("*.marshal"))) == 1


def test_no_cache_option_does_not_read_the_cache(tmp_path, home, parses):
    ledger = copy(SEED, tmp_path)
    loader.load(ledger)
    parses.clear()
    assert run("--no-cache", "list", "-L", str(ledger), "-F", "plain").exit_code == 0
    assert parses == [str(ledger)]
    parses.clear()
    assert run("list", "-L", str(ledger), "-F", "plain").exit_code == 0  # the option does not stick
    assert parses == []


# ---------------------------------------------------------------- hostile cache files


def _entry(home: Path) -> Path:
    (entry,) = home.glob("*.marshal")
    return entry


def _spoil_truncate(entry: Path) -> None:
    entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])


def _spoil_flip(entry: Path) -> None:
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, deep in the payload
    entry.write_bytes(bytes(data))


def _spoil_head(entry: Path) -> None:
    data = bytearray(entry.read_bytes())
    data[len(cache.MAGIC) + 8 + 10] ^= 0x01  # one bit of the key (which holds the path)
    entry.write_bytes(bytes(data))


def _spoil_empty(entry: Path) -> None:
    entry.write_bytes(b"")


def _spoil_garbage(entry: Path) -> None:
    entry.write_bytes(os.urandom(4096))


def _spoil_world_writable(entry: Path) -> None:
    entry.chmod(0o666)


def _spoil_group_writable_dir(entry: Path) -> None:
    entry.parent.chmod(0o770)


def _spoil_symlink(entry: Path) -> None:
    target = entry.with_suffix(".elsewhere")
    entry.rename(target)
    entry.symlink_to(target)


@pytest.mark.parametrize("spoil", [_spoil_truncate, _spoil_flip, _spoil_head, _spoil_empty, _spoil_garbage,
                                   _spoil_world_writable, _spoil_group_writable_dir, _spoil_symlink],
                         ids=lambda f: f.__name__[len("_spoil_"):])
def test_a_spoilt_entry_is_never_trusted(spoil, tmp_path, home, parses):
    ledger = copy(MINI, tmp_path)
    truth = loader.load(ledger)
    spoil(_entry(home))
    parses.clear()
    again = loader.load(ledger)
    assert parses == [str(ledger)]
    assert same(again, truth)


def test_a_foreign_entry_is_not_used(tmp_path, home, parses):
    """Another ledger's entry, planted under this ledger's name, is a miss: the key is the path."""
    mini, seed = copy(MINI, tmp_path, "a.toml"), copy(SEED, tmp_path, "b.toml")
    loader.load(mini)
    mini_entry = _entry(home)
    loader.load(seed)
    (seed_entry,) = set(home.glob("*.marshal")) - {mini_entry}
    shutil.copyfile(mini_entry, seed_entry)
    expected = len(loader.load(SEED, use_cache=False).ledger.events)
    parses.clear()
    assert len(loader.load(seed).ledger.events) == expected
    assert parses == [str(seed)]


def test_an_entry_of_another_version_is_not_used(tmp_path, home, parses, monkeypatch):
    ledger = copy(MINI, tmp_path)
    loader.load(ledger)
    monkeypatch.setattr(cache, "__version__", "0.0.0-other")
    parses.clear()
    loader.load(ledger)
    assert parses == [str(ledger)]


def test_an_entry_made_by_other_code_of_the_same_version_is_not_used(tmp_path, home, parses, monkeypatch):
    """A checkout edited (or reinstalled) without a new version number: iqtl's modules differ."""
    ledger = copy(MINI, tmp_path)
    loader.load(ledger)
    monkeypatch.setattr(cache, "_code_stamp", lambda: (("loader.py", 1, 2),))
    parses.clear()
    loader.load(ledger)
    assert parses == [str(ledger)]


def test_an_entry_holding_code_is_not_run(tmp_path, home):
    """marshal can carry a code object; the loader builds records from it, never calls it."""
    import marshal

    ledger = copy(MINI, tmp_path)
    truth = loader.load(ledger)
    entry = _entry(home)
    boom = tmp_path / "ran"
    code = compile(f"open({str(boom)!r}, 'w').close()", "x", "exec")
    for head, parts in [({"key": code, "data_digest": code}, [("event", [code])]),
                        (None, [("problems", code)]), (None, [("event", [code])])]:
        if head is None:  # a head that matches, as an attacker who can write the entry would make it
            with cache.open_private(entry) as fetched:
                fetched.read(len(cache.MAGIC))
                head = marshal.loads(fetched.read(int.from_bytes(fetched.read(8), "little")))
        entry.write_bytes(b"".join(cache.pack(head, parts)))
        assert same(loader.load(ledger), truth)
        assert not boom.exists()


def test_an_unwritable_cache_costs_only_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    result = run("list", "-L", str(copy(SEED, tmp_path)), "-F", "plain")
    assert result.exit_code == 0 and result.stdout.count("\n") == len(loader.load(SEED).ledger.events)


def test_an_edit_through_mmap_that_moves_no_time_is_seen(tmp_path, home, parses):
    """A second write to a page already written through mmap changes neither mtime nor ctime (and
    on tmpfs no mmap write does): the stat is the same, the bytes are not, and the bytes decide."""
    import mmap

    ledger = copy(MINI, tmp_path)
    title = loader.load(ledger).ledger.events[0].title
    at = ledger.read_bytes().index(f'"{title}"'.encode()) + 1
    with open(ledger, "r+b") as f, mmap.mmap(f.fileno(), 0) as m:
        m[at:at + 1] = b"W"
        m.flush()
        loader.load(ledger)  # cached as it is now
        before = os.stat(ledger)
        m[at + 1:at + 2] = b"Z" if title[1:2] != "Z" else b"Y"
        m.flush()
    parses.clear()
    again = loader.load(ledger)
    assert same(again, loader.load(ledger, use_cache=False))
    assert again.ledger.events[0].title != title and before.st_size == os.stat(ledger).st_size
