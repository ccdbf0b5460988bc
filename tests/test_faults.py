"""Faults during writes: SIGKILL at random points of `import` (test_add.py has the loop for `add`),
a read-only file, directory or file system, a full disk (a real 64 KB tmpfs when we may mount one,
and always a simulated ENOSPC), a symlinked ledger, a stale lock left by a killed process; and
readers running all through many concurrent writers.

What must hold: the ledger is always the old or the new complete file, passes `check`, keeps its
mode and its symlink; errors are one clear line; readers always see a complete ledger; concurrent
writers lose nothing.

IQTL_KILL_LOOPS sets the number of kills (default 30); IQTL_HARDENING=long runs 300.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import random
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path

import pytest

from iqtl.ledgerfile import writer
from iqtl.ledgerfile.loader import load, load_bytes

from .conftest import MINI, ROOT, without_root_powers
from .hardening import (  # noqa: F401 - bounded and private_cache are autouse fixtures
    IQTL,
    bound,
    bounded,
    cli,
    private_cache,
    sized,
    snapshot,
    subprocess_env,
    tally,
)

pytestmark = pytest.mark.hardening  # the slow suite: `-m 'not hardening'` leaves it out

EVENT = ("add", "event", "--date", "2007-08~", "--title", "Sadr declares a cease-fire", "--summary",
         "Within days of the Karbala battle.", "--source", "paper-a", "--actor", "sadr")
COLUMNS = ("id", "date", "title", "summary", "sources", "actors", "places", "tags")


def iqtl(*args: str, cwd: Path = ROOT, timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([*IQTL, *args], capture_output=True, text=True, timeout=timeout, cwd=cwd,
                          env=subprocess_env(), **kwargs)


def rows_file(path: Path, prefix: str, n: int) -> Path:
    """A CSV of n new events, in the columns `list --format csv` writes."""
    buf = io.StringIO(newline="")
    out = csv.writer(buf, lineterminator="\r\n")
    out.writerow(COLUMNS)
    for i in range(n):
        out.writerow([f"{prefix}-{i}", f"2007-{i % 12 + 1:02d}", f"Imported {prefix} {i}",
                      f"Row {i} of {prefix}, with a comma, a \"quote\" and a\nnewline.", "paper-a; paper-b",
                      "sadr; jam", f"place-{prefix}", "imported"])
    path.write_text(buf.getvalue(), encoding="utf-8", newline="")
    return path


def big_ledger(path: Path, events: int = 300) -> Path:
    """Many records make a run long enough for kills to land inside its write."""
    extra = "".join(f'\n[[event]]\nid = "filler-{i}"\ndate = "2007-{i % 12 + 1:02d}"\ntitle = "Filler {i}"\n'
                    f'summary = "{"x" * 200}"\nsources = ["paper-a"]\nactors = ["sadr", "us"]\n'
                    for i in range(events))
    path.write_text(MINI.read_text(encoding="utf-8") + extra, encoding="utf-8")
    return path


def one_line_error(stderr: str, *starts: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(starts or ("iqtl: error: ",)), stderr
    return lines[0]


def temps(directory: Path) -> list[Path]:
    return sorted(directory.glob(f".*{writer.TMP_SUFFIX}"))


# ---------------------------------------------------------------- SIGKILL at random points of import


@bound(600)
def test_sigkill_during_import_leaves_the_old_file_or_the_new_one(tmp_path):
    """Kill `iqtl import` (50 rows) at random moments, through a symlink to a 0640 ledger: after
    every kill the ledger is byte for byte the old one, or the old one and all 50 rows (never some),
    reads without error, is still 0640 and still behind its symlink."""
    loops = sized(0, 300, "IQTL_KILL_LOOPS")
    if not loops:
        pytest.skip("random kills run in the long setting; tests/test_crash_points.py covers each step")
    real = tmp_path / "real"
    real.mkdir()
    target = big_ledger(real / "events.toml")
    target.chmod(0o640)
    link = tmp_path / "ledger.toml"
    link.symlink_to(Path("real") / "events.toml")
    rows = 50
    first = rows_file(tmp_path / "first.csv", "warm", rows)
    started = time.monotonic()
    done = iqtl("import", str(first), "--ledger", str(link))
    assert done.returncode == 0, done.stderr
    duration = time.monotonic() - started
    rng = random.Random(int(os.environ.get("IQTL_KILL_SEED", "8")))
    outcomes: Counter = Counter()
    env = subprocess_env()
    for i in range(loops):
        old = target.read_bytes()
        before = len(load_bytes(old, "old").ledger.events)
        csv_path = rows_file(tmp_path / "rows.csv", f"k{i}", rows)
        before_temps = set(temps(real))
        proc = subprocess.Popen([*IQTL, "import", str(csv_path), "--ledger", str(link)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        # half the kills anywhere in a run, half late in it, where the lock is held and the file written
        low = 0.0 if i % 2 else 0.6 * duration
        time.sleep(rng.uniform(low, 1.1 * duration))
        proc.kill()
        proc.wait(timeout=60)
        killed = proc.returncode == -signal.SIGKILL
        if set(temps(real)) - before_temps:
            outcomes["temp file left"] += 1
        assert link.is_symlink() and os.readlink(link) == str(Path("real") / "events.toml"), f"kill {i}: the link"
        assert stat.S_IMODE(target.stat().st_mode) == 0o640, f"kill {i}: the mode"
        data = target.read_bytes()
        if data == old:
            assert killed, f"run {i} finished without writing"
            outcomes["killed: old file"] += 1
            continue
        assert data.startswith(old), f"kill {i}: an old byte changed"
        result = load_bytes(data, str(target))
        assert not result.errors, f"kill {i}: a torn file: {result.errors[:3]}"
        assert len(result.ledger.events) == before + rows, f"kill {i}: some rows but not all"
        outcomes["killed: new file" if killed else "finished"] += 1
    assert outcomes["killed: old file"] + outcomes["killed: new file"] > 0, "no kill landed during a run"
    # The temp files of killed runs go with the next run, under the lock; the result passes check.
    final = iqtl("import", str(rows_file(tmp_path / "last.csv", "last", 3)), "--ledger", str(link))
    assert final.returncode == 0, final.stderr
    assert sorted(p.name for p in real.iterdir()) == [".events.toml.lock", "events.toml"]
    assert iqtl("check", "--strict", "--ledger", str(link)).returncode in (0, 1)  # warnings: no-actors none
    assert not load(target).errors
    tally("kills[import]", kills=loops, rows_per_import=rows, run_seconds=round(duration, 2), torn_files=0,
          partial_imports=0, **{k.replace(" ", "_").replace(":", ""): v for k, v in outcomes.items()})


# ---------------------------------------------------------------- read-only file, directory, file system


def test_import_into_a_read_only_file(tmp_path):
    ledger = tmp_path / "l.toml"
    shutil.copyfile(MINI, ledger)
    ledger.chmod(0o444)
    rows = rows_file(tmp_path / "rows.csv", "ro", 3)
    result = cli("import", str(rows), "--ledger", str(ledger))
    assert result.exit_code == 1
    assert one_line_error(result.stderr) == \
        f"iqtl: error: cannot write {ledger}: the file is read-only (mode 0444)"
    assert ledger.read_bytes() == MINI.read_bytes() and stat.S_IMODE(ledger.stat().st_mode) == 0o444


def test_import_into_a_read_only_directory(tmp_path):
    """(test_add.py has the same for add.)"""
    directory = tmp_path / "ro"
    directory.mkdir()
    ledger = directory / "l.toml"
    shutil.copyfile(MINI, ledger)
    rows = rows_file(tmp_path / "rows.csv", "rodir", 3)
    directory.chmod(0o555)
    try:
        result = iqtl("import", str(rows), "--ledger", str(ledger), cwd=tmp_path,
                      preexec_fn=without_root_powers if os.geteuid() == 0 else None)
    finally:
        directory.chmod(0o755)
    assert result.returncode == 1 and result.stdout == ""
    line = one_line_error(result.stderr)
    assert "cannot write" in line and "Permission denied" in line, line
    assert ledger.read_bytes() == MINI.read_bytes()
    assert sorted(p.name for p in directory.iterdir()) == ["l.toml"]


# ---------------------------------------------------------------- a real small file system


@pytest.fixture()
def tmpfs(tmp_path):
    """A 64 KB tmpfs (we run as root in CI); skipped where mounting is not allowed."""
    mount = tmp_path / "fs"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0755", "tmpfs", str(mount)],
                          capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=30)


def fill(directory: Path) -> Path:
    """Fill the file system until a write fails; what is left is less than a page."""
    filler = directory / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


@bound(120)
def test_a_full_disk_changes_nothing(tmpfs):
    ledger = big_ledger(tmpfs / "events.toml", events=40)  # about 13 KB: four pages of the sixteen
    ledger.chmod(0o640)
    export = tmpfs / "timeline.html"
    export.write_text("old page\n", encoding="utf-8")
    rows = rows_file(tmpfs.parent / "rows.csv", "full", 20)
    old, old_page = ledger.read_bytes(), export.read_bytes()
    filler = fill(tmpfs)
    outcomes = Counter()
    for args, code, message in (
            (EVENT, 1, f"iqtl: error: cannot write {ledger}: the disk is full; nothing was changed"),
            (("import", str(rows)), 1, f"iqtl: error: cannot write {ledger}: the disk is full; nothing was changed"),
            (("export", "html", "--limit", "5", "-o", str(export)), 2,
             f"iqtl: error: cannot write {export}: the disk is full; nothing was changed")):
        result = iqtl(*args, "--ledger", str(ledger), cwd=tmpfs.parent)
        assert result.returncode == code, (args[:2], result.stderr)
        assert one_line_error(result.stderr) == message
        assert ledger.read_bytes() == old and export.read_bytes() == old_page
        assert stat.S_IMODE(ledger.stat().st_mode) == 0o640
        assert temps(tmpfs) == [], "a temp file left on the full disk"
        outcomes[args[0]] += 1
    filler.unlink()  # with room again, each works
    assert iqtl(*EVENT, "--ledger", str(ledger)).returncode == 0
    assert iqtl("import", str(rows), "--ledger", str(ledger)).returncode == 0
    assert iqtl("export", "html", "--limit", "5", "-o", str(export), "--ledger", str(ledger)).returncode == 0
    assert len(load(ledger).ledger.events) == len(load_bytes(old, "old").ledger.events) + 21
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o640
    tally("full-disk[tmpfs]", refused=dict(outcomes))


@bound(120)
def test_a_read_only_file_system(tmpfs):
    ledger = big_ledger(tmpfs / "events.toml", events=10)
    (tmpfs / ".events.toml.lock").touch()  # a lock file from an earlier run: the lock itself still works
    rows = rows_file(tmpfs.parent / "rows.csv", "rofs", 2)
    old = ledger.read_bytes()
    remount = subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], capture_output=True, text=True, timeout=30)
    if remount.returncode:
        pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
    for args, code in ((EVENT, 1), (("import", str(rows)), 1), (("export", "csv", "-o", str(tmpfs / "x.csv")), 2)):
        result = iqtl(*args, "--ledger", str(ledger), cwd=tmpfs.parent)
        assert result.returncode == code, (args[:2], result.stderr)
        line = one_line_error(result.stderr)
        assert "Read-only file system" in line or "read-only" in line, line
        assert ledger.read_bytes() == old
    # reading is unaffected
    assert iqtl("list", "--format", "csv", "--ledger", str(ledger), cwd=tmpfs.parent).returncode == 0


# ---------------------------------------------------------------- a full disk, simulated


@pytest.fixture()
def enospc(monkeypatch):
    """os.write writes half of what it is given to a file, then fails with ENOSPC: a disk that
    fills up in the middle of the temp file."""
    calls = Counter()
    real_write = os.write

    def write(fd, data):
        if fd <= 2:
            return real_write(fd, data)
        calls["write"] += 1
        if calls["write"] == 1 and len(data) > 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "write", write)
    return calls


@pytest.mark.parametrize("command", ["add", "import", "export"])
def test_a_disk_that_fills_during_the_write(tmp_path, enospc, command):
    ledger = tmp_path / "l.toml"
    shutil.copyfile(MINI, ledger)
    ledger.chmod(0o600)
    rows = rows_file(tmp_path.parent / f"{tmp_path.name}-rows.csv", "sim", 5)
    page = tmp_path / "out.csv"
    page.write_text("old\n", encoding="utf-8")
    args = {"add": EVENT, "import": ("import", str(rows)), "export": ("export", "csv", "-o", str(page))}[command]
    result = cli(*args, "--ledger", str(ledger))
    if not enospc["write"]:
        pytest.fail("the simulated full disk never reached the writer: it no longer writes with os.write")
    shown = page if command == "export" else ledger
    assert result.exit_code == (2 if command == "export" else 1)
    assert one_line_error(result.stderr) == \
        f"iqtl: error: cannot write {shown}: the disk is full; nothing was changed"
    assert ledger.read_bytes() == MINI.read_bytes() and page.read_text() == "old\n"
    assert stat.S_IMODE(ledger.stat().st_mode) == 0o600
    assert temps(tmp_path) == []


# ---------------------------------------------------------------- symlinks and stale locks


def test_import_through_symlinks_keeps_them_and_the_mode(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    target = real / "events.toml"
    shutil.copyfile(MINI, target)
    target.chmod(0o604)
    hop = tmp_path / "hop.toml"
    hop.symlink_to(target)
    link = tmp_path / "links" / "ledger.toml"
    link.parent.mkdir()
    link.symlink_to(Path("..") / "hop.toml")  # a chain: link -> hop -> target
    rows = rows_file(tmp_path / "rows.csv", "sym", 4)
    result = cli("import", str(rows), "--ledger", str(link))
    assert result.exit_code == 0, result.stderr
    assert os.readlink(link) == str(Path("..") / "hop.toml") and os.readlink(hop) == str(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o604
    assert len(load(target).ledger.events) == len(load(MINI).ledger.events) + 4
    assert sorted(p.name for p in real.iterdir()) == [".events.toml.lock", "events.toml"]
    # a dangling symlink is no ledger, and nothing is made at its target
    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "nowhere" / "events.toml")
    for args in (EVENT, ("import", str(rows))):
        result = cli(*args, "--ledger", str(dangling))
        assert result.exit_code == 1
        assert one_line_error(result.stderr).startswith(f"iqtl: error: no ledger at {dangling}")
    assert not (tmp_path / "nowhere").exists()


def test_a_stale_lock_from_a_killed_importer_is_harmless(tmp_path):
    ledger = tmp_path / "l.toml"
    shutil.copyfile(MINI, ledger)
    lock = tmp_path / ".l.toml.lock"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import fcntl, os, time
        fd = os.open({str(lock)!r}, os.O_RDWR | os.O_CREAT)
        fcntl.flock(fd, fcntl.LOCK_EX)
        print('locked', flush=True)
        time.sleep(120)
        """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        waiting = subprocess.Popen([*IQTL, "import", str(rows_file(tmp_path / "r.csv", "stale", 3)), "--ledger",
                                    str(ledger)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=subprocess_env(), cwd=ROOT)
        time.sleep(1.0)
        assert waiting.poll() is None and ledger.read_bytes() == MINI.read_bytes()  # it waits for the lock
        holder.send_signal(signal.SIGKILL)  # dies holding it: the kernel lets it go
        holder.wait(timeout=30)
        out, err = waiting.communicate(timeout=60)
    finally:
        holder.kill()
        holder.wait(timeout=30)
        holder.stdout.close()
    assert waiting.returncode == 0, err
    assert out.split() == ["stale-0", "stale-1", "stale-2"]
    assert lock.exists()


# ---------------------------------------------------------------- readers during writers

READER = textwrap.dedent("""
    import csv, io, json, os, sys, time
    from typer.testing import CliRunner
    from iqtl.cli.app import app

    ledger, stop, columns = sys.argv[1], sys.argv[2], int(sys.argv[3])
    runner = CliRunner()
    reads, bad, counts = 0, [], []
    while not os.path.exists(stop) or reads < 3:
        result = runner.invoke(app, ["list", "--format", "csv", "--ledger", ledger])
        reads += 1
        rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
        if result.exit_code != 0 or not rows or any(len(r) != columns for r in rows):
            bad.append([result.exit_code, result.stderr[-300:], len(rows)])
        ids = [r[0] for r in rows[1:]]
        if len(ids) != len(set(ids)):
            bad.append(["duplicate ids", len(ids)])
        counts.append(len(ids))
        time.sleep(0.01)
    print(json.dumps({"reads": reads, "bad": bad, "counts": counts}))
""")


@bound(300)
def test_readers_see_a_complete_ledger_while_many_writers_lose_nothing(tmp_path):
    """8 readers loop over `list --format csv` (half through the cache, half past it) while 14
    `add` and 6 `import` processes (5 rows each) write: every read exits 0 with a whole CSV,
    each reader's count never goes down, and every added and imported record is there."""
    ledger = big_ledger(tmp_path / "l.toml", events=100)
    base = len(load(ledger).ledger.events)
    stop = tmp_path / "stop"
    n_readers, n_adds, n_imports, per_import = sized(8, 16), sized(14, 40), sized(6, 20), 5
    env = subprocess_env()
    readers = [subprocess.Popen([sys.executable, "-c", READER, str(ledger), str(stop), "13"], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                env=env | ({"IQTL_NO_CACHE": "1"} if i % 2 else {})) for i in range(n_readers)]
    time.sleep(1.0)  # the readers are reading
    writers = [subprocess.Popen([*IQTL, *EVENT, "--place", f"place-{i}", "--ledger", str(ledger)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT)
               for i in range(n_adds)]
    writers += [subprocess.Popen([*IQTL, "import", str(rows_file(tmp_path / f"rows-{i}.csv", f"imp{i}", per_import)),
                                  "--ledger", str(ledger)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                 env=env, cwd=ROOT)
                for i in range(n_imports)]
    try:
        results = [w.communicate(timeout=240) for w in writers]
    finally:
        stop.touch()
    assert [w.returncode for w in writers] == [0] * len(writers), [err for _, err in results if err][:3]
    reports = []
    for r in readers:
        out, err = r.communicate(timeout=120)
        assert r.returncode == 0, err[-2000:]
        reports.append(json.loads(out))
    expected = base + n_adds + n_imports * per_import
    for report in reports:
        assert report["bad"] == [], report["bad"][:3]
        counts = report["counts"]
        assert counts == sorted(counts), "a reader saw the ledger shrink"
        assert base <= counts[0] and counts[-1] <= expected
    led = load(ledger)
    assert not led.errors
    assert len(led.ledger.events) == expected
    places = Counter(p for ev in led.ledger.events for p in ev.places)
    assert all(places[f"place-{i}"] == 1 for i in range(n_adds))
    assert all(places[f"place-imp{i}"] == per_import for i in range(n_imports))
    reads = sum(r["reads"] for r in reports)
    seen = sorted({c for r in reports for c in r["counts"]})
    tally("concurrency", readers=n_readers, reads=reads, writers=len(writers), adds=n_adds, imports=n_imports,
          records_written=expected - base, records_lost=0, torn_reads=0, distinct_states_seen=len(seen))


# ---------------------------------------------------------------- writes to valid ledgers of every odd shape

ODD_SHAPES = {
    "inline-array-at-the-top": 'schema = 1\nsource = [{ id = "paper-a", title = "A", publisher = "P", date = "2008" },'
                               ' { id = "paper-b", title = "B", publisher = "P", date = "2009" }]\n'
                               'actor = [{ id = "sadr", name = "Sadr" }, { id = "us", name = "US" },\n'
                               '         { id = "jam", name = "JAM" }]\n'
                               '\n[[event]]\nid = "war"\ndate = "1980/1988"\ntitle = "War"\nsummary = "S"\n'
                               'sources = ["paper-a"]\nactors = ["us"]\n',
    "quoted-and-indented-headers": MINI.read_text(encoding="utf-8").replace("[[event]]", '  [[ "event" ]]  # e', 2)
    .replace("[[actor]]", "\t[[ 'actor' ]]", 1).replace("[[claim]]", '[["claim"]]', 1),
    "header-text-inside-strings": MINI.read_text(encoding="utf-8").replace(
        'summary = "Edge of a window."', 'summary = "[[event]] id = \\"x\\" [[claim]]"').replace(
        'role = "Shiite cleric"', "role = '[[source]]'"),
    "multi-line-strings-with-headers": MINI.read_text(encoding="utf-8").replace(
        'summary = "The bloody 1980-88 war."', 'summary = """The bloody war.\n[[event]]\nid = "fake"\n"""').replace(
        'role = "Shiite cleric"', "role = '''\n[[actor]]\n'''"),
    "crlf-bom-no-final-newline": "\ufeff" + MINI.read_text(encoding="utf-8").rstrip("\n").replace("\n", "\r\n"),
    "ends-in-a-comment": MINI.read_text(encoding="utf-8") + "# [[event]] the end, no newline",
    "escaped-keys": MINI.read_text(encoding="utf-8").replace('id = "new-year"', '"\\u0069d" = "new-year"'),
    "array-over-lines-ending-the-file": MINI.read_text(encoding="utf-8").rstrip("\n").replace(
        'disputes = ["rogue"]', 'disputes = [\n  "rogue",  # why\n]'),
}
REFUSED = {("inline-array-at-the-top", "source"), ("inline-array-at-the-top", "actor")}
RECORDS = {"event": ("add", "event", "--date", "2009", "--title", "New", "--summary", "S", "--source", "paper-a"),
           "claim": ("add", "claim", "--text", "T", "--speaker", "sadr", "--source", "paper-a"),
           "source": ("add", "source", "--title", "T", "--publisher", "P", "--date", "2011"),
           "actor": ("add", "actor", "--name", "Somebody New")}


@pytest.mark.parametrize("shape", list(ODD_SHAPES))
def test_writes_to_a_ledger_of_any_valid_shape_read_back_whole(tmp_path, shape):
    """Every kind added, and rows imported, to valid ledgers in unusual TOML: each write either
    succeeds with the old bytes kept and every old record and the new one read back, or is
    refused with the file untouched; never a file that does not read."""
    ledger = tmp_path / "l.toml"
    ledger.write_bytes(ODD_SHAPES[shape].encode("utf-8"))
    assert not load(ledger).errors, [str(p) for p in load(ledger).errors]
    writes = 0
    for kind, args in [*RECORDS.items(), ("event", ("import", str(rows_file(tmp_path / "r.csv", "odd", 3))))]:
        old = ledger.read_bytes()
        before = {k: dict(load_bytes(old, "old").ledger.by_id(k)) for k in ("source", "actor", "event", "claim")}
        result = cli(*args, "--ledger", str(ledger))
        after = load(ledger)
        assert not after.errors, (shape, kind, [str(p) for p in after.errors])
        if result.exit_code:  # TOML cannot add [[source]] tables to `source = [...]`: refused, untouched
            assert (shape, args[1]) in REFUSED, (shape, kind, result.stderr)
            line = 2 if args[1] == "source" else 3
            assert f"writes its {args[1]} records as `{args[1]} = [...]` (line {line})" in result.stderr
            assert result.stderr.splitlines()[-1].endswith("was not added (nothing written)")
            assert ledger.read_bytes() == old, (shape, kind)
            continue
        writes += 1
        assert ledger.read_bytes().startswith(old), (shape, kind)
        for k, records in before.items():
            now = after.ledger.by_id(k)
            assert {i: now[i] for i in records} == records, (shape, kind, k)
            grown = len(now) - len(records)
            assert grown == ((3 if args[0] == "import" else 1) if k == kind else 0), (shape, kind, k)
    assert writes == 5 - sum(s == shape for s, _ in REFUSED), shape
