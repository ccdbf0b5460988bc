"""Issue 16: every path grows linearly (or n log n) with the ledger and with its longest text.
Each test times a command at n and at 4n against a linear baseline timed in the same run,
alternately (the machine is shared): linear code grows like the baseline (both about 4x),
quadratic code about 16x.  Never an absolute time."""

from __future__ import annotations

import random
import shutil
import time

import pytest

from iqtl.reports.diff import word_changes

from .conftest import MINI, run
from .hardening import bounded, private_cache  # noqa: F401 - autouse fixtures

pytestmark = pytest.mark.hardening

HEAD = MINI.read_text(encoding="utf-8")


def _ledger(path, n: int, *, dangling: bool = False, hub_claims: int = 0, long_text: int = 0):
    """MINI and n generated events (each with a dangling reference when `dangling`), `hub_claims`
    claims about one event, and events whose summary is `long_text` words."""
    parts = [HEAD]
    rng = random.Random(n)
    for i in range(n):
        # a dangling reference to an event: did-you-mean compares it with every event id
        related = f'related = ["gen-{i}x"]\n' if dangling else ""
        summary = " ".join(rng.choice(("surge", "militia", "talks", "oil", "border")) for _ in range(long_text or 12))
        parts.append(f'\n[[event]]\nid = "gen-{i}"\ndate = "2007-{i % 12 + 1:02d}"\ntitle = "Generated {i}"\n'
                     f'summary = "{summary}"\nsources = ["paper-a"]\nactors = ["sadr"]\ntags = ["t{i % 7}"]\n{related}')
    for i in range(hub_claims):
        parts.append(f'\n[[claim]]\nid = "hub-claim-{i}"\ntext = "Claim {i} about the war."\nspeaker = "sadr"\n'
                     f'source = "paper-a"\nabout = ["war", "gen-{i % max(n, 1)}"]\n')
    path.write_text("".join(parts), encoding="utf-8")
    return path


def _time(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _ratios(ours_at, base_at) -> tuple[float, float]:
    """(growth of ours, growth of the baseline) from n to 4n, each the best of 3, alternated."""
    best = {}
    for label in ("n", "4n"):
        ours_at[label]()  # warm: the parse cache, imports
        base_at[label]()
        o = b = float("inf")
        for _ in range(3):
            o = min(o, _time(ours_at[label]))
            b = min(b, _time(base_at[label]))
        best[label] = (o, b)
    return best["4n"][0] / best["n"][0], best["4n"][1] / best["n"][1]


def _assert_linear(ours_at, base_at):
    ratio, base = _ratios(ours_at, base_at)
    if ratio >= 2.5 * base:  # one more measurement for a noisy machine; a quadratic path fails both
        ratio, base = _ratios(ours_at, base_at)
    assert ratio < 2.5 * base, (ratio, base)
    return ratio, base


def _ok(*args):
    def call():
        result = run(*args)
        assert result.exit_code in (0, 1), result.stderr[-300:]
    return call


@pytest.mark.parametrize("n", [600])
def test_check_with_dangling_references(tmp_path, n):
    led = {"n": _ledger(tmp_path / "a.toml", n, dangling=True),
           "4n": _ledger(tmp_path / "b.toml", 4 * n, dangling=True)}
    clean = {"n": _ledger(tmp_path / "c.toml", n), "4n": _ledger(tmp_path / "d.toml", 4 * n)}
    assert "did you mean" in run("check", "--ledger", led["n"]).stdout + run("check", "--ledger", led["n"]).stderr
    _assert_linear({k: _ok("--no-cache", "check", "--ledger", p) for k, p in led.items()},
                   {k: _ok("--no-cache", "check", "--ledger", p) for k, p in clean.items()})


@pytest.mark.parametrize("command", [("show", "war"), ("show", "sadr"), ("show", "paper-a"),
                                     ("export", "md"), ("export", "html"), ("export", "csl"), ("export", "timelinejs"),
                                     ("export", "json"), ("claims", "-F", "csv"), ("claims", "-F", "md"),
                                     ("list", "-F", "json"), ("stats",), ("tags",), ("actors", "-F", "csv")])
def test_show_and_exports_over_claims(tmp_path, command):
    n = 1500
    led = {"n": _ledger(tmp_path / "a.toml", n, hub_claims=n),
           "4n": _ledger(tmp_path / "b.toml", 4 * n, hub_claims=4 * n)}
    _assert_linear({k: _ok(*command, "--ledger", p) for k, p in led.items()},
                   {k: _ok("list", "-F", "plain", "--ledger", p) for k, p in led.items()})


def _edited(words: list[str], every: int, rng) -> str:
    return " ".join(w if i % every else rng.choice(("alpha", "beta", "gamma")) for i, w in enumerate(words))


@pytest.mark.parametrize("every", [3, 50, 10**9])
def test_diff_of_long_texts(every):
    rng = random.Random(every)
    n = 20_000
    texts = {}
    for label, size in (("n", n), ("4n", 4 * n)):
        words = [rng.choice(("surge", "militia", "talks", "oil", "border", "Basra", "Sadr")) for _ in range(size)]
        texts[label] = (" ".join(words), _edited(words, every, rng) + " end")
    _assert_linear({k: (lambda a=a, b=b: word_changes(a, b)) for k, (a, b) in texts.items()},
                   {k: (lambda a=a, b=b: (sorted(a.split()), sorted(b.split()))) for k, (a, b) in texts.items()})


def test_diff_of_ledgers_with_long_texts_through_the_cli(tmp_path):
    led = {}
    for label, words in (("n", 3000), ("4n", 12000)):
        a = _ledger(tmp_path / f"a{label}.toml", 20, long_text=words)
        b = tmp_path / f"b{label}.toml"
        b.write_text(a.read_text(encoding="utf-8").replace("surge", "SURGE"), encoding="utf-8")
        led[label] = (a, b)
    _assert_linear({k: _ok("diff", a, b, "-F", "plain") for k, (a, b) in led.items()},
                   {k: _ok("list", "-F", "csv", "--ledger", b) for k, (a, b) in led.items()})


def test_import(tmp_path):
    rows, ledgers = {}, {}
    for label, n in (("n", 800), ("4n", 3200)):
        csv = tmp_path / f"rows-{label}.csv"
        csv.write_text("id,date,title,summary,sources,actors,tags\n" + "".join(
            f"imp-{i},2007-{i % 12 + 1:02d},Row {i},Summary of row {i},paper-a,sadr,t{i % 5}\n" for i in range(n)),
            encoding="utf-8")
        rows[label] = csv
        ledgers[label] = _ledger(tmp_path / f"base-{label}.toml", n)

    def importing(label):
        def call():
            target = tmp_path / f"work-{label}.toml"
            shutil.copy(MINI, target)
            result = run("import", rows[label], "--ledger", target)
            assert result.exit_code == 0, result.stderr[-300:]
        return call

    _assert_linear({k: importing(k) for k in rows},
                   {k: _ok("--no-cache", "check", "--ledger", p) for k, p in ledgers.items()})


@pytest.mark.parametrize("unknown", [False, True], ids=["ids", "unknown-ids"])
def test_import_naming_actors(tmp_path, unknown):
    """Each row names one of many actors by its id, or by an id no actor has (each a dangling
    reference with a did-you-mean hint against every actor: bounded)."""
    rows, ledgers = {}, {}
    for label, n in (("n", 400), ("4n", 1600)):
        actors = "".join(f'\n[[actor]]\nid = "actor-{i}"\nname = "Actor Number {i}"\nkind = "person"\n'
                         for i in range(n))
        ledgers[label] = tmp_path / f"base-{label}.toml"
        ledgers[label].write_text(HEAD + actors, encoding="utf-8")
        csv = tmp_path / f"rows-{label}.csv"
        csv.write_text("id,date,title,summary,sources,actors\n" + "".join(
            f"imp-{i},2007,Row {i},Summary {i},paper-a,{'actr' if unknown else 'actor'}-{i}\n"
            for i in range(n)), encoding="utf-8")
        rows[label] = csv

    def importing(label):
        def call():
            target = tmp_path / f"work-{label}.toml"
            shutil.copy(ledgers[label], target)
            result = run("import", rows[label], "--ledger", target, "--dry-run")
            assert result.exit_code == (1 if unknown else 0), result.stderr[-300:]
        return call

    _assert_linear({k: importing(k) for k in rows},
                   {k: _ok("--no-cache", "check", "--ledger", p) for k, p in ledgers.items()})


def test_finding_unsafe_characters_costs_about_one_character_class_scan():
    """Joiners are judged by their neighbours only where one is found: a scan of clean text costs
    about what one character-class search does (a lookaround alternation cost 12 times as much)."""
    import re

    from iqtl.core.text import for_terminal, has_unsafe

    text = "The surge of 2007 in Baghdad, “quoted” — and Persian خامنه\u200cای text.\n" * 100_000
    plain = re.compile("[\x00-\x08\x0b-\x1f]")
    ours = min(_time(lambda: has_unsafe(text)) for _ in range(3))
    escaped = min(_time(lambda: for_terminal(text)) for _ in range(3))
    base = min(_time(lambda: plain.search(text)) for _ in range(3))
    assert not has_unsafe(text) and for_terminal(text) == text
    assert ours < 8 * base and escaped < 9 * base, (ours, escaped, base)
