"""Lookups a person can trust (issue 14): tables that fit any width with every id whole, the
direction of every dispute said, no silently empty answers, the right ledger found and named,
Unix manners (pipes, pager, no trailing spaces), dates that read back, and `show` by name."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import IQTL, MINI, ROOT, SEED, run, subprocess_env

WIDTHS = (60, 80, 100, 160)


def seed():
    from iqtl.ledgerfile.loader import load

    return load(SEED).ledger


def whole(token: str, text: str) -> bool:
    """`token` appears somewhere in `text` as itself: not cut, not glued to more id characters."""
    return re.search(rf"(?<![\w-]){re.escape(token)}(?![\w-])", text) is not None


def cut_ids(screen: str, ids: set[str]) -> list[str]:
    """Tokens on screen that begin an id, past its first hyphen, but are not one: an id cut or wrapped
    (a plain word such as "senior" may begin an id and be just a word)."""
    prefixes = {i[:n] for i in ids for n in range(i.find("-") + 2, len(i)) if "-" in i}
    return [t for t in re.findall(r"[a-z0-9][a-z0-9-]*-[a-z0-9-]+", screen) if t in prefixes and t not in ids]


# ---------------------------------------------------------------- tables that fit


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("command", [("list",), ("claims",), ("claims", "--contested")])
def test_every_id_of_the_whole_ledger_is_whole_at_any_width(command, width):
    led = seed()
    out = run(*command, "--ledger", SEED, "-F", "table", "--color", "never", "--width", width,
              "--no-pager").stdout
    records = led.events if command[0] == "list" else led.claims
    if "--contested" in command:
        disputed = {d for c in led.claims for d in c.disputes}
        records = [c for c in records if c.disputes or c.id in disputed]
    assert records
    every = {r.id for k in ("event", "claim", "source", "actor") for r in led.table(k)}
    assert cut_ids(out, every) == []  # nor any other id shown (sources, the claims disputed)
    missing = [r.id for r in records if not whole(r.id, out)]
    assert not missing, f"{len(missing)} of {len(records)} ids cut or missing at {width} columns: {missing[:5]}"
    assert max(map(len, out.splitlines())) <= width
    assert not [line for line in out.splitlines() if line.endswith(" ")]  # no trailing spaces


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", ["actor", "source", "tag"])
def test_reference_tables_fit_with_ids_whole(kind, width):
    led = seed()
    ids = sorted({t for e in led.events for t in e.tags}) if kind == "tag" else [r.id for r in led.table(kind)]
    out = run(f"{kind}s", "--ledger", SEED, "-F", "table", "--color", "never", "--width", width, "--no-pager").stdout
    assert [i for i in ids if not whole(i, out)] == []
    assert max(map(len, out.splitlines())) <= width
    assert len(out.splitlines()) == len(ids) + 2  # title, header, one line a row


def test_list_limit_5_fits_a_24_row_screen():
    out = run("list", "--ledger", SEED, "-F", "table", "--color", "never", "-W", 80, "--limit", 5).stdout
    assert len(out.splitlines()) < 24


@pytest.mark.hardening
@pytest.mark.parametrize("width", (60, 80))
def test_show_pages_keep_every_id_whole(width):
    led = seed()
    pages = 0
    for kind in ("event", "claim", "source", "actor"):
        for rec in led.table(kind):
            out = run("show", rec.id, "--ledger", SEED, "--color", "never", "-W", width, "--no-pager").stdout
            refs = [rec.id, *getattr(rec, "related", ()), *getattr(rec, "disputes", ()), *getattr(rec, "supports", ())]
            assert [r for r in refs if not whole(r, out)] == [], (rec.id, out)
            assert max(map(len, out.splitlines())) <= width
            pages += 1
    assert pages


def test_dates_are_compact_and_one_line():
    from iqtl.terminal.render import short_date

    led = seed()
    shown = [short_date(r.date) for r in (*led.events, *led.claims)]
    assert max(map(len, shown)) <= 22
    assert not [s for s in shown if "\n" in s or "(approx" in s]
    approx = next(e for e in led.events if e.date and e.date.approximate and not e.date.is_interval)
    assert short_date(approx.date).startswith("~")


def test_roles_give_way_before_quotes():
    led = seed()
    speaker = max((c for c in led.claims if (a := led.get("actor", c.speaker)) and a.role),
                  key=lambda c: len(led.get("actor", c.speaker).role))
    out = run("claims", "--ledger", SEED, "-F", "table", "--color", "never", "-W", 80, "--speaker", speaker.speaker,
              "--no-pager").stdout
    role = led.get("actor", speaker.speaker).role
    assert len(role) > 60 and role not in out and "…" in out  # cut to one line ...
    words = speaker.text.split()
    assert all(w in out for w in words[:3] + words[-3:])  # ... while the quote is whole


def test_compact_view_is_one_line_a_record():
    led = seed()
    out = run("list", "--ledger", SEED, "-F", "table", "--color", "never", "-W", 100, "--compact", "--no-pager").stdout
    lines = out.splitlines()
    assert len(lines) == len(led.events)
    assert all(whole(e.id, line) for e, line in zip(sorted(led.events, key=lambda e: (e.date.timeline_key(), e.id)),
                                                     lines, strict=True))
    assert max(map(len, lines)) <= 100


# ---------------------------------------------------------------- the direction of a dispute


@pytest.mark.parametrize("width", (80, 160))
def test_contested_says_which_way_each_dispute_runs(width):
    led = seed()
    disputer = next(c for c in led.claims if c.disputes)
    target = led.get("claim", disputer.disputes[0])
    out = run("claims", "--ledger", SEED, "-F", "table", "--color", "never", "-W", width, "--contested",
              "--no-pager").stdout
    flat = " ".join(out.split())
    assert f"✗ disputes {led.actor_name(target.speaker)}" in flat
    assert f"✗ disputed by {led.actor_name(disputer.speaker)}" in flat
    # under the disputed claim, its disputer is named as such, never as something it disputes
    block = flat[flat.index(target.id):]
    nxt = min((block.find(c.id, len(target.id)) for c in led.claims if c.id != target.id
               and block.find(c.id, len(target.id)) > 0 and c.id not in (disputer.id,)), default=len(block))
    assert f"disputed by {led.actor_name(disputer.speaker)}" in block[:nxt] or disputer.id in block


def test_markdown_and_json_say_which_way_each_dispute_runs():
    led = seed()
    disputer = next(c for c in led.claims if c.disputes)
    target = led.get("claim", disputer.disputes[0])
    md = run("claims", "--ledger", SEED, "-F", "md", "--speaker", disputer.speaker, "--speaker", target.speaker).stdout
    assert f"  - disputes {led.actor_name(target.speaker)} (`{target.id}`)" in md
    assert f"  - disputed by {led.actor_name(disputer.speaker)} (`{disputer.id}`)" in md


def test_show_says_supported_by_and_disputed_by():
    led = seed()
    supported = next((c for c in led.claims if led.supported_by(c.id)), None)
    disputed = next(c for c in led.claims if led.disputed_by(c.id))
    for cl, label in ((disputed, "Disputed by"), (supported, "Supported by")):
        if cl is None:
            continue
        assert label in run("show", cl.id, "--ledger", SEED, "--color", "never", "--no-pager").stdout


# ---------------------------------------------------------------- no silent empties


def _typo(word: str) -> str:
    return word[:2] + word[3:]  # one letter dropped


def _filters(led):
    tag = max({t for e in led.events for t in e.tags}, key=len)
    place = max({p for e in led.events for p in e.places}, key=len)
    source = led.sources[0].id
    event = max(led.events, key=lambda e: len(e.id)).id
    speaker = next(a for a in led.actors if led.claims_by(a.id) and len(a.id) > 4).id
    return [("list", "--tag", tag), ("list", "--place", place), ("list", "--source", source),
            ("claims", "--about", event), ("claims", "--speaker", speaker), ("list", "--actor", speaker)]


def test_a_name_no_record_has_is_a_usage_error_with_a_suggestion():
    led = seed()
    for command, flag, value in _filters(led):
        result = run(command, "--ledger", SEED, flag, _typo(value))
        assert result.exit_code == 2, (flag, result.stderr)
        assert flag in result.stderr and repr(value) in result.stderr, result.stderr
        assert result.stdout == ""
        assert run(command, "--ledger", SEED, flag, value).exit_code == 0  # the real name works


def test_show_unknown_and_ambiguous():
    led = seed()
    claim = led.claims[0]
    assert run("show", claim.id.upper(), "--ledger", SEED, "--no-pager").exit_code in (0, 1)
    unknown = run("show", _typo(claim.id), "--ledger", SEED)
    assert unknown.exit_code == 1 and "did you mean" in unknown.stderr
    prefix = "c-"
    many = [c.id for c in led.claims if c.id.startswith(prefix)]
    ambiguous = run("show", prefix, "--ledger", SEED)
    assert ambiguous.exit_code == 1 and f"any of {len(many)}" in ambiguous.stderr


def test_show_takes_a_name_an_alias_or_an_id_prefix():
    led = seed()
    actor = next(a for a in led.actors if a.aliases)
    for name in (actor.name.upper(), actor.aliases[0].lower()):
        out = run("show", name, "--ledger", SEED, "--color", "never", "--no-pager").stdout
        assert whole(actor.id, out)
    ids = [r.id for k in ("event", "claim", "source", "actor") for r in led.table(k)]
    unique = next(i for i in ids if sum(j.startswith(i[:-3]) for j in ids) == 1 and len(i) > 8)
    out = run("show", unique[:-3], "--ledger", SEED, "--color", "never", "--no-pager").stdout
    assert whole(unique, out)


def test_show_json_holds_the_claims_the_page_shows():
    led = seed()
    event = max(led.events, key=lambda e: len(led.claims_about(e.id)))
    [row] = json.loads(run("show", event.id, "--ledger", SEED, "-F", "json").stdout)
    assert [c["id"] for c in row["claim_records"]] == [c.id for c in led.claims_about(event.id)]
    disputed = next(c for c in led.claims if led.disputed_by(c.id))
    [row] = json.loads(run("show", disputed.id, "--ledger", SEED, "-F", "json").stdout)
    assert [c["id"] for c in row["disputed_by"]] == [c.id for c in led.disputed_by(disputed.id)]


def test_grep_is_a_case_insensitive_regex_over_ids_tags_and_text():
    led = seed()
    hyphenated = next(w for e in led.events for w in re.findall(r"\b[a-z]{3,}-[a-z]{3,}\b", e.title))
    joined = hyphenated.replace("-", "").upper()
    out = run("list", "--ledger", SEED, "-g", joined).stdout
    assert out
    assert any(hyphenated in e.title for e in led.events if whole(e.id, out))
    a, b = "weapon", "arms"
    either = run("list", "--ledger", SEED, "-g", f"{a}|{b}").stdout.splitlines()
    only_a = run("list", "--ledger", SEED, "-g", a).stdout.splitlines()
    assert len(either) >= len(only_a) > 0
    tag = led.events[0].tags[0]
    assert run("list", "--ledger", SEED, "-g", f"^{re.escape(tag)}$").stdout  # tags are searched
    both = run("list", "--ledger", SEED, "-G", "iran", "-G", a).stdout.splitlines()
    assert 0 < len(both) <= len(only_a)
    assert set(both) <= set(only_a)
    bad = run("list", "--ledger", SEED, "-g", "(")
    assert bad.exit_code == 2 and "regular expression" in bad.stderr


def test_an_empty_result_on_a_terminal_names_the_filters():
    result = run("list", "--ledger", MINI, "--tag", "war", "--from", "2007", "--within", "-F", "table")
    assert result.exit_code == 0 and result.stdout == ""
    assert "no events match" in result.stderr and "--tag war" in result.stderr and "--within" in result.stderr


# ---------------------------------------------------------------- dates in = dates out


def test_every_date_shown_reads_back_as_a_filter():
    from iqtl.core import edtf
    from iqtl.query import date_bounds
    from iqtl.terminal.render import short_date

    led = seed()
    checked = 0
    for r in (*led.events, *led.claims, *led.sources):
        if r.date is None or edtf.NEG_INF == r.date.earliest or r.date.latest == edtf.POS_INF:
            continue
        for shown in {short_date(r.date), r.date.display}:
            assert date_bounds(shown) == (r.date.earliest, r.date.latest), shown
            checked += 1
    assert checked


@pytest.mark.parametrize("text", ["summer 2007", "Summer 2007", "Aug 2007", "~2007", "~Aug 2007", "Aug 2007?",
                                  "Aug 2007 (approx.)", "2003–2008", "2010s"])
def test_dates_as_people_type_them(text):
    assert run("list", "--ledger", SEED, "--from", text, "--to", text).exit_code == 0


@pytest.mark.parametrize(("text", "why"), [("2007-13", "month 13"), ("2007-02-30", "day 30")])
def test_a_bad_date_says_why(text, why):
    result = run("list", "--ledger", SEED, "--from", text)
    assert result.exit_code == 2 and why in result.stderr


# ---------------------------------------------------------------- the right ledger, said


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "data").mkdir()
    shutil.copy(MINI, tmp_path / "data" / "events.toml")
    (tmp_path / "data" / "deeper").mkdir()
    return tmp_path


def test_the_ledger_is_found_upwards_as_git_finds_a_repository(project, monkeypatch):
    from iqtl.ledgerfile.loader import find_ledger, locate_ledger

    for where in (project, project / "data", project / "data" / "deeper"):
        monkeypatch.chdir(where)
        assert find_ledger().resolve() == (project / "data" / "events.toml").resolve()
        assert locate_ledger().how == "search"
        result = run("ledger")
        assert result.exit_code == 0 and result.stdout.strip() == str(find_ledger())
    monkeypatch.chdir(project / "data")
    (project / "data" / "events.toml").write_text("schema = 1\n[[event]]\nid = 'x'\n", encoding="utf-8")
    assert run("check").exit_code == 1  # the user's broken ledger, not the bundled demo


def test_a_project_marker_names_its_ledger(project, monkeypatch):
    from iqtl.ledgerfile.loader import locate_ledger

    shutil.copy(MINI, project / "mine.toml")
    (project / "iqtl.toml").write_text('ledger = "mine.toml"\n', encoding="utf-8")
    monkeypatch.chdir(project / "data" / "deeper")
    found = locate_ledger()
    assert found.path.resolve() == (project / "mine.toml").resolve() and "iqtl.toml" in found.why


def test_without_a_ledger_the_demo_is_used_and_said(tmp_path, monkeypatch):
    from iqtl.ledgerfile.loader import bundled_ledger

    monkeypatch.chdir(tmp_path)
    result = run("ledger")
    assert result.stdout.strip() == str(bundled_ledger()) and "demo" in result.stderr
    monkeypatch.setenv("IQTL_LEDGER", str(MINI))
    result = run("files")
    assert result.stdout.strip() == str(MINI) and "IQTL_LEDGER" in result.stderr


def test_global_options_before_or_after_the_command():
    after = run("list", "--ledger", MINI, "--no-cache").stdout
    assert after
    assert run("-L", MINI, "list").stdout == after
    assert run("--ledger", MINI, "--no-cache", "list").stdout == after
    assert run(f"--ledger={MINI}", "list", "--no-pager").stdout == after
    assert run("--color", "never", "-L", MINI, "show", "jam").exit_code == 0


# ---------------------------------------------------------------- Unix manners


def _env(**extra) -> dict:
    return subprocess_env() | {"PYTHONPATH": str(ROOT)} | extra


@pytest.mark.hardening
def test_a_closed_pipe_ends_quietly_with_status_0():
    codes = []
    for _ in range(20):
        proc = subprocess.Popen([*IQTL, "list", "-F", "csv", "--ledger", str(SEED)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=_env(), cwd=ROOT)
        proc.stdout.readline()
        proc.stdout.close()  # as `head -1` does
        codes.append((proc.wait(timeout=60), proc.stderr.read()))
        proc.stderr.close()
    assert codes == [(0, b"")] * 20


def test_piped_tables_have_no_trailing_spaces():
    out = run("show", "nation-2008", "--ledger", SEED, "--color", "never").stdout
    assert out and not [line for line in out.splitlines() if line != line.rstrip()]


TMUX = shutil.which("tmux")


def _screen(command: str, tmp_path, width: int = 80, height: int = 24, wait_for: str = "") -> str:
    """The first screen of `iqtl COMMAND` in a real terminal (tmux) of width x height."""
    sock = f"iqtl-test-{os.getpid()}-{time.monotonic_ns()}"
    script = tmp_path / "run.sh"
    env = " ".join(f"{k}='{v}'" for k, v in {"PYTHONPATH": ROOT, "IQTL_LEDGER": SEED, "XDG_CACHE_HOME": tmp_path,
                                             "TERM": "xterm-256color", "PAGER": "less -FRX", "LANG": "C.UTF-8"}.items())
    script.write_text(f"cd '{ROOT}' && env -u COLUMNS -u LINES {env} {sys.executable} -m iqtl {command}; sleep 30\n")
    tmux = [TMUX, "-L", sock, "-f", "/dev/null"]
    subprocess.run([*tmux, "new-session", "-d", "-x", str(width), "-y", str(height), "sh", str(script)], check=True)
    try:
        screen, last = "", None
        for _ in range(300):  # until the screen shows what is awaited and has stopped changing
            time.sleep(0.1)
            screen = subprocess.run([*tmux, "capture-pane", "-p"], capture_output=True, text=True).stdout
            if wait_for in screen and screen.strip() and screen == last:
                break
            last = screen
        return screen
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)


@pytest.mark.hardening
@pytest.mark.skipif(TMUX is None, reason="needs tmux")
@pytest.mark.parametrize("command", ["list", "claims --contested", "show nation-2008", "show kahl"])
def test_first_screen_at_80_columns_keeps_every_id_whole(command, tmp_path):
    led = seed()
    ids = {r.id for k in ("event", "claim", "source", "actor") for r in led.table(k)}
    screen = _screen(command, tmp_path, wait_for="")
    shown = [i for i in ids if whole(i, screen)]
    assert shown, screen
    assert not cut_ids(screen, ids), screen
    assert max(len(line) for line in screen.splitlines()) <= 80


@pytest.mark.hardening
@pytest.mark.skipif(TMUX is None or shutil.which("less") is None, reason="needs tmux and less")
def test_long_output_on_a_terminal_is_paged(tmp_path):
    screen = _screen("show nation-2008", tmp_path, wait_for=":")
    lines = screen.rstrip("\n").splitlines()
    assert lines[-1].startswith(":") or "(END)" in lines[-1], screen  # less waits on its prompt
    assert len(lines) <= 24
    unpaged = _screen("--no-pager show nation-2008", tmp_path).rstrip("\n").splitlines()
    assert unpaged and not unpaged[-1].startswith(":")  # printed straight through: the page's end is on screen


def test_reading_the_bundled_demo_is_said_on_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    env = _env(TERM="dumb", PAGER="cat")
    env.pop("IQTL_LEDGER", None)
    said = pexpect.run(f"{sys.executable} -m iqtl list --limit 1", env=env, cwd=str(tmp_path), timeout=60,
                       encoding="utf-8")
    assert "demo ledger bundled with iqtl" in said and said.count("demo ledger") == 1
    piped = subprocess.run([*IQTL, "list", "--limit", "1"], capture_output=True, text=True, env=env, cwd=tmp_path,
                           timeout=60)
    assert piped.returncode == 0 and piped.stderr == ""  # a script's stderr stays clean
