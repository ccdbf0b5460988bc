"""`iqtl add` and the writer under it: every old byte kept, checks before writing, atomic and locked."""

from __future__ import annotations

import errno
import fcntl
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from iqtl import ingest
from iqtl.core.schema import is_slug
from iqtl.ledgerfile import writer
from iqtl.ledgerfile.loader import load, load_bytes

from .conftest import BROKEN, FIXTURES, IQTL, MINI, ROOT, iqtl, run, subprocess_env, without_root_powers

ODD = FIXTURES / "add" / "odd.toml"


# ---------------------------------------------------------------- how the commands are run




cli = run  # the suite's one runner


def copy(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst


EVENT = ("add", "event", "--date", "2007-08~", "--title", "Sadr declares a cease-fire",
         "--summary", "Within days of the Karbala battle.", "--source", "paper-a", "--actor", "sadr")


def new_bytes(path: Path, old: bytes) -> bytes:
    data = path.read_bytes()
    assert data.startswith(old), "an old byte changed"
    return data[len(old):]


# ---------------------------------------------------------------- every byte stays


def _variants() -> dict[str, bytes]:
    odd = ODD.read_bytes()
    crlf = odd.replace(b"\n", b"\r\n")
    return {
        "as-is": odd,  # ends with two blank lines
        "crlf": crlf,
        "no-final-newline": odd.rstrip(b"\n"),
        "crlf-no-final-newline": crlf.rstrip(b"\r\n"),
        "one-final-newline": odd.rstrip(b"\n") + b"\n",
        "utf8-bom": b"\xef\xbb\xbf" + odd,
        "ends-in-comment": odd + b"# last words, no newline",
    }


@pytest.mark.parametrize("variant", list(_variants()))
def test_add_keeps_every_byte(tmp_path, variant):
    old = _variants()[variant]
    ledger = tmp_path / "odd.toml"
    ledger.write_bytes(old)
    assert not load(ledger).errors
    result = cli(*EVENT, "--tag", "ceasefire", "--place", "Karbala", "--ledger", str(ledger))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "2007-08-sadr-ceasefire\n"
    tail = new_bytes(ledger, old)
    nl = b"\r\n" if variant.startswith("crlf") else b"\n"
    # exactly one blank line before the block, adding only what is missing
    if old.endswith(nl + nl):
        separator = b""
    elif old.endswith(nl):
        separator = nl
    else:
        separator = nl + nl
    assert tail.startswith(separator + b"[[event]]" + nl)
    assert tail.endswith(b"]" + nl)
    if nl == b"\r\n":
        assert b"\n" not in tail.replace(b"\r\n", b""), "a bare LF in a CRLF file"
    else:
        assert b"\r" not in tail
    loaded = load(ledger)
    assert not loaded.errors
    ev = loaded.ledger.get("event", "2007-08-sadr-ceasefire")
    assert (ev.date.text, ev.title, ev.sources, ev.actors, ev.tags, ev.places) == (
        "2007-08~", "Sadr declares a cease-fire", ("paper-a",), ("sadr",), ("ceasefire",), ("Karbala",))
    # the old records read as before
    before = load_bytes(old, str(ledger)).ledger
    for kind in ("source", "actor", "claim"):
        assert loaded.ledger.table(kind) == before.table(kind)
    assert loaded.ledger.events[:-1] == before.events


def test_block_is_plain_toml_with_empty_fields_dropped(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    result = cli(*EVENT, "--tag", "", "--date-note", "", "--ledger", str(ledger), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ('[[event]]\nid = "2007-08-sadr-ceasefire"\ndate = "2007-08~"\n'
                             'title = "Sadr declares a cease-fire"\nsummary = "Within days of the Karbala battle."\n'
                             'sources = ["paper-a"]\nactors = ["sadr"]\n')


def test_text_is_escaped_not_lost(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    summary = 'Two lines\nand "quotes", a tab\t, a bell \x07, an override \u202e and é'
    result = cli("add", "event", "--date", "2007", "--title", "Odd text", "--summary", summary, "--source", "paper-a",
                 "--actor", "us", "--ledger", str(ledger))
    assert result.exit_code == 0, result.stderr
    tail = new_bytes(ledger, MINI.read_bytes())
    assert b"\\u202e" in tail and b"\xe2\x80\xae" not in tail  # a bidi override is written as an escape
    assert load(ledger).ledger.get("event", "2007-odd-text").summary == summary


# ---------------------------------------------------------------- ids


@pytest.mark.parametrize("kind, record, expected", [
    ("event", {"date": "2007-08~", "title": "Sadr declares a cease-fire"}, "2007-08-sadr-ceasefire"),
    ("event", {"date": "2007-08-29", "title": "The Karbala battle"}, "2007-08-karbala-battle"),
    ("event", {"date": "2003", "title": "US invasion of Iraq"}, "2003-us-invasion-iraq"),
    ("event", {"date": "1980/1988", "title": "Iran–Iraq war"}, "1980-iraniraq-war"),
    ("event", {"date": "2001-21", "title": "Spring"}, "2001-spring"),
    ("event", {"date": "../2007", "title": "Open start"}, "2007-open-start"),
    ("event", {"date": "2007", "title": "Ça, c'est «l'Irak»"}, "2007-ca-cest-lirak"),
    ("event", {"date": "2007", "title": "العراق"}, "2007"),
    ("event", {"date": "nonsense", "title": "The"}, "event"),
    ("claim", {"speaker": "sadr", "text": "It tells me that he has more control than we think."},
     "c-sadr-more-control-think"),
    ("source", {"publisher": "The Nation", "date": "2008-02?"}, "nation-2008"),
    ("actor", {"name": "Muqtada al-Sadr"}, "muqtada-al-sadr"),
    ("actor", {"name": "U.S. Department of State"}, "us-department-of-state"),
])
def test_base_id(kind, record, expected):
    assert ingest.base_id(kind, record) == expected
    assert is_slug(expected)


def test_ids_are_made_unique_and_printed_alone(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    ids = []
    for _ in range(3):
        result = cli(*EVENT, "--ledger", str(ledger))
        assert result.exit_code == 0, result.stderr
        ids.append(result.stdout)
    assert ids == ["2007-08-sadr-ceasefire\n", "2007-08-sadr-ceasefire-2\n", "2007-08-sadr-ceasefire-3\n"]


def test_given_id_is_kept_and_a_taken_one_refused(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    assert cli(*EVENT, "--id", "my-id", "--ledger", str(ledger)).stdout == "my-id\n"
    before = ledger.read_bytes()
    result = cli(*EVENT, "--id", "ceasefire", "--ledger", str(ledger))
    assert result.exit_code == 1
    assert "duplicate event id 'ceasefire'" in result.stderr
    assert ledger.read_bytes() == before
    result = cli(*EVENT, "--id", "Bad Id", "--ledger", str(ledger))
    assert result.exit_code == 1 and "id must be a slug" in result.stderr


# ---------------------------------------------------------------- every kind, names resolved


def test_add_each_kind(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    source = cli("add", "source", "--title", "Paper C", "--publisher", "The Nation", "--date", "2008-02?",
                 "--url", "https://example.org/c", "--type", "article", "--ledger", str(ledger))
    assert source.exit_code == 0, source.stderr
    assert source.stdout == "nation-2008\n"
    actor = cli("add", "actor", "--name", "Nouri al-Maliki", "--alias", "Maliki", "--alias", "al-Maliki",
                "--kind", "person", "--role", "Prime minister", "--ledger", str(ledger))
    assert actor.stdout == "nouri-al-maliki\n", actor.stderr
    event = cli("add", "event", "--date", "2008-03-25", "--title", "Battle of Basra", "--summary", "Charge of "
                "the Knights.", "--source", "nation-2008", "--actor", "MALIKI", "--actor", "Jaish al-Mahdi",
                "--actor", "nouri-al-maliki", "--related", "ceasefire", "--ledger", str(ledger))
    assert event.stdout == "2008-03-battle-basra\n", event.stderr
    claim = cli("add", "claim", "--text", "The cease-fire holds.", "--speaker", "moqtada al-sadr", "--source",
                "paper-b", "--date", "2008-01", "--kind", "paraphrase", "--about", "2008-03-battle-basra",
                "--disputes", "rogue", "--note", "n", "--ledger", str(ledger))
    assert claim.stdout == "c-sadr-ceasefire-holds\n", claim.stderr
    led = load(ledger)
    assert not led.errors
    assert led.ledger.get("event", "2008-03-battle-basra").actors == ("nouri-al-maliki", "jam")  # ids, once each
    cl = led.ledger.get("claim", "c-sadr-ceasefire-holds")
    assert (cl.speaker, cl.kind, cl.date.text, cl.own_date, cl.disputes) == ("sadr", "paraphrase", "2008-01",
                                                                             True, ("rogue",))
    assert led.ledger.get("actor", "nouri-al-maliki").aliases == ("Maliki", "al-Maliki")


def test_unknown_and_ambiguous_names(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    before = ledger.read_bytes()
    result = cli(*EVENT[:-2], "--actor", "Muqtada al-Sadrr", "--ledger", str(ledger))
    assert result.exit_code == 1
    assert "--actor 'Muqtada al-Sadrr': no actor has that id, name or alias (did you mean 'Muqtada al-Sadr'?)" \
        in result.stderr
    assert "refers to unknown actor" not in result.stderr  # said once, the better way
    assert cli("add", "actor", "--name", "Sadr City", "--alias", "Sadr", "--ledger", str(ledger)).exit_code == 0
    after_actor = ledger.read_bytes()
    result = cli("add", "claim", "--text", "t", "--speaker", "sadr ", "--source", "paper-a", "--ledger", str(ledger))
    assert result.exit_code == 1
    assert "names 2 actors (sadr, sadr-city): give the id" in result.stderr
    assert ledger.read_bytes() == after_actor and after_actor.startswith(before)


def test_every_problem_is_reported_and_nothing_written(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    before = ledger.read_bytes()
    result = cli("add", "event", "--date", "2007-13", "--title", "t", "--summary", "s", "--source", "papr-a",
                 "--related", "nowhere", "--ledger", str(ledger))
    assert result.exit_code == 1
    assert result.stdout == ""
    err = result.stderr
    assert "bad date '2007-13': month 13 is out of range" in err
    assert "sources refers to unknown source 'papr-a' (did you mean 'paper-a'?)" in err
    assert "related refers to unknown event 'nowhere'" in err
    assert "nothing written" in err
    assert ledger.read_bytes() == before
    assert not list(tmp_path.glob(".*.iqtl-tmp"))


def test_warnings_do_not_stop_an_add(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    result = cli("add", "event", "--date", "2007", "--title", "Unattributed", "--summary", "s", "--source",
                 "paper-a", "--ledger", str(ledger))
    assert result.exit_code == 0
    assert result.stderr == "iqtl: warning: event '2007-unattributed' has no actors\n"


def test_missing_fields_without_a_terminal_are_a_usage_error(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    before = ledger.read_bytes()
    result = cli("add", "event", "--title", "t", "--ledger", str(ledger), input="2007\n")
    assert result.exit_code == 2
    assert "missing required --date, --summary, --source" in result.stderr
    result = cli("add", "claim", "--ledger", str(ledger))
    assert result.exit_code == 2 and "--text, --speaker, --source" in result.stderr
    assert cli("add", "actor", "--ledger", str(ledger)).exit_code == 2
    assert "--title, --publisher, --date" in cli("add", "source", "--ledger", str(ledger)).stderr
    assert cli("add", "actor", "--name", "x", "--kind", "martian", "--ledger", str(ledger)).exit_code == 2
    assert ledger.read_bytes() == before


def test_dry_run_writes_nothing(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    before, mtime = ledger.read_bytes(), ledger.stat().st_mtime_ns
    result = cli(*EVENT, "--ledger", str(ledger), "--dry-run")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith('[[event]]\nid = "2007-08-sadr-ceasefire"\n')
    assert ledger.read_bytes() == before and ledger.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in tmp_path.iterdir()) == ["l.toml"]  # not even a lock file
    # a dry run checks as a real run does
    bad = cli(*EVENT[:-4], "--source", "nope", "--ledger", str(ledger), "--dry-run")
    assert bad.exit_code == 1 and "unknown source 'nope'" in bad.stderr


@pytest.mark.parametrize("name", ["unknown-source.toml", "toml-syntax.toml", "bad-date.toml", "latin1.toml"])
def test_a_broken_ledger_is_refused(tmp_path, name):
    ledger = copy(BROKEN / name, tmp_path / name)
    before = ledger.read_bytes()
    result = cli(*EVENT, "--ledger", str(ledger))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{ledger}:")  # its problems, located, then why nothing happened
    assert "fix them first (run 'iqtl check')" in lines[-1]
    assert ledger.read_bytes() == before


def test_no_ledger_no_write(tmp_path, monkeypatch):
    # find_ledger falls back to the bundled ledger for reading; writing must not.
    monkeypatch.chdir(tmp_path)
    result = cli(*EVENT)
    assert result.exit_code == 1
    assert "no ledger to write to" in result.stderr
    ledger = copy(MINI, tmp_path / "env.toml")
    assert cli(*EVENT, env={"IQTL_LEDGER": str(ledger)}).exit_code == 0
    assert load(ledger).ledger.get("event", "2007-08-sadr-ceasefire")
    # a mistyped path is not a new ledger
    result = cli(*EVENT, "--ledger", str(tmp_path / "nowhere" / "typo.toml"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"iqtl: error: no ledger at {tmp_path / 'nowhere' / 'typo.toml'}: ")
    assert not (tmp_path / "nowhere").exists()
    assert "it is a directory" in cli(*EVENT, "--ledger", str(tmp_path)).stderr


# ---------------------------------------------------------------- the file system


def test_mode_is_kept_and_a_symlink_stays_a_symlink(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    target = copy(MINI, real / "events.toml")
    target.chmod(0o640)
    links = tmp_path / "links"
    links.mkdir()
    link = links / "ledger.toml"
    link.symlink_to(Path("..") / "real" / "events.toml")
    result = cli(*EVENT, "--ledger", str(link))
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "real" / "events.toml")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert load(target).ledger.get("event", "2007-08-sadr-ceasefire")
    assert sorted(p.name for p in links.iterdir()) == ["ledger.toml"]  # lock and temp files go beside the target
    assert sorted(p.name for p in real.iterdir()) == [".events.toml.lock", "events.toml"]


def test_a_read_only_file_is_not_replaced(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    ledger.chmod(0o444)
    result = cli(*EVENT, "--ledger", str(ledger))
    assert result.exit_code == 1
    assert result.stderr == f"iqtl: error: cannot write {ledger}: the file is read-only (mode 0444)\n"
    assert ledger.read_bytes() == MINI.read_bytes()


@pytest.mark.parametrize("lock_exists", [False, True])
def test_a_read_only_directory_gives_one_clear_line(tmp_path, lock_exists):
    directory = tmp_path / "ro"
    directory.mkdir()
    ledger = copy(MINI, directory / "l.toml")
    ledger.chmod(0o666)  # only the directory is read-only
    if lock_exists:
        (directory / ".l.toml.lock").touch(0o644)
    directory.chmod(0o555)
    try:
        result = iqtl(*EVENT, "--ledger", str(ledger), cwd=tmp_path,
                      preexec_fn=without_root_powers if os.geteuid() == 0 else None)
    finally:
        directory.chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"iqtl: error: cannot write {ledger}: cannot create ")
    assert lines[0].endswith("Permission denied" if not lock_exists else "Permission denied; nothing was changed")
    assert ledger.read_bytes() == MINI.read_bytes()
    expected = {"l.toml", ".l.toml.lock"} if lock_exists else {"l.toml"}
    assert {p.name for p in directory.iterdir()} == expected


def test_a_full_disk_changes_nothing(tmp_path, monkeypatch):
    ledger = copy(MINI, tmp_path / "l.toml")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(writer.os, "fsync", full)
    result = cli(*EVENT, "--ledger", str(ledger))
    assert result.exit_code == 1
    assert result.stderr == f"iqtl: error: cannot write {ledger}: the disk is full; nothing was changed\n"
    assert ledger.read_bytes() == MINI.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".l.toml.lock", "l.toml"]  # the temp file is gone


def test_a_lock_held_too_long_is_reported(tmp_path, monkeypatch):
    ledger = copy(MINI, tmp_path / "l.toml")
    fd = os.open(tmp_path / ".l.toml.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # flock conflicts between descriptors, even in one process
        monkeypatch.setattr(writer, "LOCK_TIMEOUT", 0.2)
        result = cli(*EVENT, "--ledger", str(ledger))
    finally:
        os.close(fd)
    assert result.exit_code == 1
    assert "is locked by another iqtl" in result.stderr
    assert ledger.read_bytes() == MINI.read_bytes()


# ---------------------------------------------------------------- processes


@pytest.mark.hardening
def test_a_writer_waits_for_the_lock(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    fd = os.open(tmp_path / ".l.toml.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        proc = subprocess.Popen([*IQTL, *EVENT, "--ledger", str(ledger)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=subprocess_env(), cwd=ROOT)
        time.sleep(1.0)
        assert proc.poll() is None, proc.communicate()
        assert ledger.read_bytes() == MINI.read_bytes()
    finally:
        os.close(fd)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out == "2007-08-sadr-ceasefire\n"


def test_a_stale_lock_file_is_harmless(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    lock = tmp_path / ".l.toml.lock"
    holder = subprocess.Popen([sys.executable, "-c", "import fcntl, os, sys, time\n"
                               f"fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)\n"
                               "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('locked', flush=True)\ntime.sleep(120)\n"],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "locked\n"
    holder.send_signal(signal.SIGKILL)  # dies holding the lock; the kernel lets it go
    holder.wait(timeout=30)
    holder.stdout.close()
    assert lock.exists()
    started = time.monotonic()
    result = iqtl(*EVENT, "--ledger", str(ledger))
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < writer.LOCK_TIMEOUT


@pytest.mark.hardening
def test_concurrent_adds_lose_nothing(tmp_path):
    ledger = copy(MINI, tmp_path / "l.toml")
    writers = 20
    # The same title for all: each id must be made under the lock to come out unique.
    procs = [subprocess.Popen([*IQTL, *EVENT, "--place", f"place-{i}", "--ledger", str(ledger)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=subprocess_env(),
                              cwd=ROOT) for i in range(writers)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * writers, [err for _, err in outputs]
    ids = [out.strip() for out, _ in outputs]
    assert sorted(ids) == sorted(["2007-08-sadr-ceasefire"] + [f"2007-08-sadr-ceasefire-{n}"
                                                               for n in range(2, writers + 1)])
    led = load(ledger)
    assert not led.errors
    assert len(led.ledger.events) == len(load(MINI).ledger.events) + writers
    assert sorted(p for ev in led.ledger.events for p in ev.places if p.startswith("place-")) == \
        sorted(f"place-{i}" for i in range(writers))
    assert new_bytes(ledger, MINI.read_bytes())
    check = iqtl("check", "--ledger", str(ledger))
    assert check.returncode == 0, check.stdout + check.stderr


def _big_ledger(path: Path, events: int = 400) -> Path:
    """Many records make the read-check-write under the lock take long enough to be hit."""
    text = MINI.read_text(encoding="utf-8")
    extra = "".join(f'\n[[event]]\nid = "filler-{i}"\ndate = "2007-{i % 12 + 1:02d}"\ntitle = "Filler {i}"\n'
                    f'summary = "{"x" * 200}"\nsources = ["paper-a"]\nactors = ["sadr", "us"]\n'
                    for i in range(events))
    path.write_text(text + extra, encoding="utf-8")
    return path


@pytest.mark.hardening
def test_sigkill_leaves_the_old_file_or_the_new_one(tmp_path):
    """Random kills, looking for the windows that tests/test_crash_points.py hits on purpose."""
    loops = int(os.environ.get("IQTL_KILL_LOOPS") or (300 if os.environ.get("IQTL_HARDENING") == "long" else 0))
    if not loops:
        pytest.skip("random kills run in the long setting (IQTL_HARDENING=long or IQTL_KILL_LOOPS=N)")
    ledger = _big_ledger(tmp_path / "l.toml")
    args = [*IQTL, *EVENT, "--ledger", str(ledger)]
    env = subprocess_env()
    started = time.monotonic()
    subprocess.run(args, check=True, capture_output=True, timeout=60, env=env, cwd=ROOT)
    duration = time.monotonic() - started
    rng = random.Random(int(os.environ.get("IQTL_KILL_SEED", "4")))
    outcomes: Counter = Counter()
    for i in range(loops):
        old = ledger.read_bytes()
        events_before = len(load_bytes(old, "old").ledger.events)
        temps = set(tmp_path.glob(".*.iqtl-tmp"))
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        # half the kills anywhere in a run, half in its last part, where the lock is held and the file written
        low = 0.0 if i % 2 else 0.6 * duration
        time.sleep(rng.uniform(low, 1.1 * duration))
        proc.kill()
        proc.wait(timeout=30)
        killed = proc.returncode == -signal.SIGKILL
        if set(tmp_path.glob(".*.iqtl-tmp")) - temps:
            outcomes["killed mid-write (temp file left)"] += 1
        data = ledger.read_bytes()
        if data == old:
            outcomes["killed, old file" if killed else "finished, old file?!"] += 1
            assert killed, "a run that finished did not write"
            continue
        assert data.startswith(old), f"kill {i}: the old bytes were changed"
        result = load_bytes(data, str(ledger))
        assert not result.errors, f"kill {i}: a torn file: {result.errors[:3]}"
        assert len(result.ledger.events) == events_before + 1
        outcomes["killed, new file" if killed else "finished"] += 1
    print(f"\n{loops} kills, one run {duration:.2f}s: {dict(outcomes)}")
    assert outcomes["killed, old file"] + outcomes["killed, new file"] > 0, "no kill landed during a run"
    # Temp files of killed runs are removed by the next run, under the lock.
    assert iqtl(*EVENT, "--ledger", str(ledger)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".l.toml.lock", "l.toml"]
    assert iqtl("check", "--ledger", str(ledger)).returncode == 0


# ---------------------------------------------------------------- a real terminal


def _spawn(*args: str):
    pexpect = pytest.importorskip("pexpect")
    env = subprocess_env() | {"COLUMNS": "200", "TERM": "dumb"}
    return pexpect.spawn(IQTL[0], [*IQTL[1:], *args], env=env, cwd=str(ROOT), encoding="utf-8", timeout=60,
                         dimensions=(24, 200))


@pytest.mark.hardening
def test_prompts_in_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    ledger = copy(MINI, tmp_path / "l.toml")
    child = _spawn("add", "event", "--actor", "Moqtada al-Sadr", "--tag", "ceasefire", "--ledger", str(ledger))
    child.expect_exact("Date (EDTF")
    child.sendline("2007-13")
    child.expect_exact("month 13 is out of range")
    child.expect_exact("Date (EDTF")
    child.sendline("Aug 2007")
    child.expect_exact("not an EDTF date: 'Aug 2007'")
    child.expect_exact("Date (EDTF")
    child.sendline("2007-08~")
    child.expect_exact("Title: ")
    child.sendline("Sadr declares a cease-fire")
    child.expect_exact("Summary: ")
    child.sendline("Within days of the Karbala battle.")
    child.expect_exact("Source ids")
    child.sendline("papr-a")
    child.expect_exact("no source has the id 'papr-a' (did you mean 'paper-a'?)")
    child.expect_exact("Source ids")
    child.sendline("paper-a; paper-b")
    child.expect_exact(f"To append to {ledger}")  # the block, and where it goes, before anything is written
    child.expect_exact('id = "2007-08-sadr-ceasefire"')
    child.expect_exact("Write this event")
    child.sendline("y")
    child.expect_exact("2007-08-sadr-ceasefire")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    ev = load(ledger).ledger.get("event", "2007-08-sadr-ceasefire")
    assert (ev.date.text, ev.sources, ev.actors, ev.tags) == ("2007-08~", ("paper-a", "paper-b"), ("sadr",),
                                                              ("ceasefire",))


@pytest.mark.hardening
def test_claim_prompts_resolve_the_speaker(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    ledger = copy(MINI, tmp_path / "l.toml")
    child = _spawn("add", "claim", "--about", "ceasefire", "--ledger", str(ledger))
    child.expect_exact("Text (as printed): ")
    child.sendline("The cease-fire will hold.")
    child.expect_exact("Speaker")
    child.sendline("Nobody Known")
    child.expect_exact("no actor has that id, name or alias")
    child.expect_exact("Speaker")
    child.sendline("washington")
    child.expect_exact("Source id: ")
    child.sendline("paper-b")
    child.expect_exact("Write this claim")
    child.sendline("")  # Enter: yes
    child.expect_exact("c-us-ceasefire-hold")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert load(ledger).ledger.get("claim", "c-us-ceasefire-hold").speaker == "us"


@pytest.mark.hardening
def test_interactive_add_asks_what_strict_check_wants_completes_with_tab_and_confirms(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    ledger = copy(MINI, tmp_path / "l.toml")
    before = ledger.read_bytes()
    child = _spawn("add", "event", "--ledger", str(ledger))
    for label, answer in (("Date (EDTF", "2007-09"), ("Title: ", "Sadr warns"), ("Summary: ", "He warns."),
                          ("Source ids", "pap\t")):
        child.expect_exact(label)
        child.send(answer if answer.endswith("\t") else answer + "\n")
    child.expect_exact("er-")  # Tab adds the common rest of paper-a and paper-b
    child.send("a\n")
    child.expect_exact("Actors")
    child.sendline("Nobody Known")
    child.expect_exact("no actor has that id, name or alias")
    child.expect_exact("Actors")
    child.send("Muq\t")
    child.expect_exact("tada al-Sadr")  # completed from the ledger's names
    child.send("; jam\n")
    child.expect_exact("Tags")
    child.send("cease\t\n")
    child.expect_exact('tags = ["ceasefire"]')
    child.expect_exact("Write this event")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1 and ledger.read_bytes() == before  # declined: nothing written


def test_prompts_refuse_a_broken_ledger_before_asking(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    ledger = copy(BROKEN / "unknown-source.toml", tmp_path / "l.toml")
    child = _spawn("add", "event", "--ledger", str(ledger))
    child.expect_exact("fix them first")
    child.expect(pexpect.EOF)
    assert "Date" not in child.before
    child.close()
    assert child.exitstatus == 1
