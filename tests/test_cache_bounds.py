"""Issue 16: the parse cache stays bounded.  Temp files of killed runs go, entries for ledgers that
no longer exist go, and over the size cap the least recently used entries go first."""

from __future__ import annotations

import os
import shutil
import time

from iqtl.ledgerfile import cache, loader

from .conftest import MINI, run


def _ledgers(tmp_path, n):
    paths = []
    for i in range(n):
        p = tmp_path / f"l{i}.toml"
        shutil.copy(MINI, p)
        paths.append(p)
    return paths


def _entries(home):
    return sorted(p for p in home.iterdir() if p.name.endswith(".marshal") and not p.name.startswith(".tmp-"))


def test_stale_temps_and_entries_of_deleted_ledgers_are_pruned(tmp_path, home):
    ledgers = _ledgers(tmp_path, 3)
    for p in ledgers:
        loader.load(p)
    assert len(_entries(home)) == 3
    stale = home / ".tmp-999999-0123456789abcdef.marshal"
    fresh = home / ".tmp-999998-0123456789abcdef.marshal"
    for t in (stale, fresh):
        t.write_bytes(b"half an entry")
        t.chmod(0o600)
    old = time.time() - 2 * cache.STALE_TEMP
    os.utime(stale, (old, old))
    ledgers[0].unlink()
    removed = cache.prune()
    assert removed == {"temp": 1, "missing": 1, "size": 0}
    assert not stale.exists() and fresh.exists()  # a young temp file may be a run still writing
    assert len(_entries(home)) == 2
    assert loader.load(ledgers[1]).ledger.events  # the others still answer


def test_over_the_cap_the_least_recently_used_go_first(tmp_path, home, monkeypatch):
    ledgers = _ledgers(tmp_path, 4)
    for p in ledgers:
        loader.load(p)
    entries = {p: cache.entry_path(os.path.realpath(p)) for p in ledgers}
    for i, p in enumerate(ledgers):  # used in the order 0, 1, 2, 3 an hour apart
        when = time.time() - (4 - i) * 3600
        os.utime(entries[p], (when, when))
    loader.load(ledgers[0])  # a hit: ledger 0 is now the most recently used
    size = entries[ledgers[0]].stat().st_size
    monkeypatch.setattr(cache, "max_bytes", lambda: 2 * size + size // 2)
    removed = cache.prune()
    assert removed["size"] == 2
    assert entries[ledgers[0]].exists() and entries[ledgers[3]].exists()
    assert not entries[ledgers[1]].exists() and not entries[ledgers[2]].exists()


def test_a_store_prunes_at_most_once_an_hour(tmp_path, home):
    ledgers = _ledgers(tmp_path, 2)
    loader.load(ledgers[0])
    assert (home / ".pruned").exists()
    ledgers[0].unlink()
    loader.load(ledgers[1])  # within the hour: no pruning yet
    assert len(_entries(home)) == 2
    old = time.time() - 2 * cache.PRUNE_EVERY
    os.utime(home / ".pruned", (old, old))
    shutil.copy(MINI, tmp_path / "l9.toml")
    loader.load(tmp_path / "l9.toml")
    assert len(_entries(home)) == 2  # l0's entry went, l9's came


def test_the_cap_is_set_by_the_environment(monkeypatch):
    monkeypatch.setenv(cache.ENV_MAX_MB, "7")
    assert cache.max_bytes() == 7 << 20
    monkeypatch.setenv(cache.ENV_MAX_MB, "lots")
    assert cache.max_bytes() == cache.DEFAULT_MAX_MB << 20


def test_the_cli_still_answers_from_a_pruned_cache(tmp_path, home):
    ledger = _ledgers(tmp_path, 1)[0]
    assert run("list", "-F", "plain", "--ledger", ledger).exit_code == 0
    cache.prune()
    assert run("list", "-F", "plain", "--ledger", ledger).exit_code == 0
