"""Issue 16: a write loses nothing.  Whatever changed the ledger between iqtl's read and its rename
(an editor's save, a `>>` append, an in-place rewrite) stops the write with a clear line and is kept;
`export -o` never writes over the ledger it reads, and streams into devices and FIFOs; the owner's
group, the mode, ACLs and extended attributes survive a write; a hard link is refused, not split."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import threading

import pytest

from iqtl.ledgerfile import writer
from iqtl.ledgerfile.loader import load_bytes
from iqtl.ledgerfile.writer import Appender, ChangedError, WriteError

from .conftest import MINI, run

EVENT = ("add", "event", "--date", "2007-08~", "--title", "Sadr declares a cease-fire", "--summary",
         "Within days of the Karbala battle.", "--source", "paper-a", "--actor", "sadr")
RECORD = ("event", {"id": "new-one", "date": "2007-08", "title": "T", "summary": "S", "sources": ["paper-a"]})
EDIT = b'\n[[event]]\nid = "typed-in-vim"\ndate = "2007"\ntitle = "x"\nsummary = "y"\nsources = ["paper-a"]\n'


def _vim_save(path, data):  # a new file renamed over the old: a new inode
    tmp = path.with_name(path.name + ".swp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _append(path, data):
    with open(path, "ab") as f:
        f.write(data[len(path.read_bytes()):])


def _rewrite_in_place(path, data):  # same inode, truncated and written again (half of it: a partial save)
    with open(path, "r+b") as f:
        f.truncate(0)
        f.write(data[: len(data) // 2])


@pytest.mark.parametrize("edit", [_vim_save, _append, _rewrite_in_place], ids=["vim", "append", "in-place"])
def test_an_edit_between_read_and_rename_is_kept_and_nothing_written(tmp_path, edit):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    edited = MINI.read_bytes() + EDIT
    with Appender(ledger) as app:
        plan = app.plan([RECORD])
        assert not plan.errors
        edit(ledger, edited)
        after_edit = ledger.read_bytes()
        with pytest.raises(ChangedError, match="changed while iqtl was writing it"):
            app.commit(plan)
    assert ledger.read_bytes() == after_edit
    assert not list(tmp_path.glob(f"*{writer.TMP_SUFFIX}"))  # no temp file left


@pytest.mark.parametrize("command", ["add", "import"])
def test_the_cli_reports_an_edit_made_while_it_writes(tmp_path, monkeypatch, command):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    edited = MINI.read_bytes() + EDIT

    def editor_saves(name):  # at the last moment before the check: the widest window there is
        if name == "synced":
            _vim_save(ledger, edited)

    monkeypatch.setattr(writer, "crash_point", editor_saves)
    if command == "add":
        result = run(*EVENT, "--ledger", ledger)
    else:
        rows = tmp_path / "rows.csv"
        rows.write_text("id,date,title,summary,sources\nimp-1,2007,R,S,paper-a\n", encoding="utf-8")
        result = run("import", rows, "--ledger", ledger)
    assert result.exit_code == 1, result.stderr
    assert "changed while iqtl was writing it" in result.stderr and "nothing was written" in result.stderr
    assert ledger.read_bytes() == edited


@pytest.mark.hardening
@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_concurrent_appends_by_a_shell_are_never_lost(tmp_path):
    """A `>>` loop in bash running all through a series of adds: every line it appended is in the
    ledger, or kept beside it with a message.  (A program holding the file open across the rename and
    writing after it is beyond any check: see README, Reliability.)"""
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    stop = tmp_path / "stop"
    shell = subprocess.Popen(["bash", "--norc", "-c", f'i=0; while [ ! -e {stop} ]; do i=$((i+1)); '
                              f'echo "# note $i" >> {ledger}; done; echo $i'], stdout=subprocess.PIPE, text=True)
    try:
        outcomes = [run(*EVENT, "--id", f"ev-{i}", "--ledger", ledger).exit_code for i in range(8)]
    finally:
        stop.touch()
        count = int(shell.communicate(timeout=30)[0])
    data = ledger.read_bytes()
    kept = b"".join(p.read_bytes() for p in tmp_path.iterdir() if ".changed-" in p.name)
    missing = [i for i in range(1, count + 1) if f"# note {i}\n".encode() not in data
               and f"# note {i}\n".encode() not in kept]
    assert not missing, (len(missing), count, outcomes)
    assert set(outcomes) <= {0, 1} and count > 0
    assert not load_bytes(data, "l").errors


# ---------------------------------------------------------------- export -o


def test_export_never_writes_over_the_ledger_it_reads(tmp_path):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    link = tmp_path / "link.toml"
    link.symlink_to(ledger)
    hard = tmp_path / "hard.toml"
    for target in (ledger, link):
        result = run("export", "csv", "-o", target, "--ledger", ledger)
        assert result.exit_code == 2, result.stderr
        assert "the ledger being read" in result.stderr
        assert ledger.read_bytes() == MINI.read_bytes()
    os.link(ledger, hard)
    result = run("export", "csv", "-o", hard, "--ledger", link)
    assert result.exit_code == 2 and ledger.read_bytes() == MINI.read_bytes()


def test_export_streams_into_a_fifo_and_a_device_and_follows_a_symlink(tmp_path):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    result = run("export", "csv", "-o", fifo, "--ledger", ledger)
    reader.join(10)
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and got and got[0].startswith(b"id,")
    null_link = tmp_path / "null"
    null_link.symlink_to(os.devnull)
    for target in (os.devnull, null_link):
        assert run("export", "csv", "-o", target, "--ledger", ledger).exit_code == 0
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode) and null_link.is_symlink()
    real = tmp_path / "real.csv"
    real.write_text("old")
    out_link = tmp_path / "out.csv"
    out_link.symlink_to(real)
    assert run("export", "csv", "-o", out_link, "--ledger", ledger).exit_code == 0
    assert out_link.is_symlink() and real.read_text(encoding="utf-8").startswith("id,")


# ---------------------------------------------------------------- identity of the file


def test_a_hard_linked_ledger_is_refused_not_split(tmp_path):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    os.link(ledger, tmp_path / "other-name.toml")
    result = run(*EVENT, "--ledger", ledger)
    assert result.exit_code == 1 and "hard links" in result.stderr
    assert ledger.read_bytes() == MINI.read_bytes() and os.stat(ledger).st_nlink == 2


def _xattrs_supported(path) -> bool:
    try:
        os.setxattr(path, "user.iqtl-probe", b"1")
    except OSError:
        return False
    os.removexattr(path, "user.iqtl-probe")
    return True


def test_extended_attributes_survive_a_write(tmp_path):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    if not _xattrs_supported(ledger):
        pytest.skip("the temp folder's file system has no user extended attributes")
    os.setxattr(ledger, "user.origin", b"seed")
    assert run(*EVENT, "--ledger", ledger).exit_code == 0
    assert os.getxattr(ledger, "user.origin") == b"seed"


def test_an_acl_survives_a_write(tmp_path):
    if shutil.which("setfacl") is None or shutil.which("getfacl") is None:
        pytest.skip("setfacl/getfacl are not installed (apt-get install acl)")
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    set_acl = subprocess.run(["setfacl", "-m", "u:65534:rw", str(ledger)], capture_output=True)
    if set_acl.returncode != 0:
        pytest.skip(f"the temp folder's file system takes no ACL: {set_acl.stderr.decode().strip()}")
    before = subprocess.run(["getfacl", "-c", "-n", str(ledger)], capture_output=True, text=True).stdout
    assert "user:65534:rw-" in before
    assert run(*EVENT, "--ledger", ledger).exit_code == 0
    assert subprocess.run(["getfacl", "-c", "-n", str(ledger)], capture_output=True, text=True).stdout == before


def test_owner_group_and_mode_are_kept(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("giving a file to another owner and group needs root")
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    os.chown(ledger, 65534, 65534)
    os.chmod(ledger, 0o664)
    assert run(*EVENT, "--ledger", ledger).exit_code == 0
    st = os.stat(ledger)
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (65534, 65534, 0o664)


def test_a_write_that_cannot_keep_the_group_is_refused(tmp_path, monkeypatch):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    real_fchown = os.fchown

    def no_chown(fd, uid, gid):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchown", no_chown)
    monkeypatch.setattr(os, "stat", _pretend_group(os.stat, str(ledger)))
    try:
        with pytest.raises(WriteError, match="cannot keep its group"):
            writer.replace_file(ledger, b"new")
    finally:
        monkeypatch.setattr(os, "fchown", real_fchown)
    assert ledger.read_bytes() == MINI.read_bytes()


def _pretend_group(real_stat, path):
    def fake(p, *a, **k):
        st = real_stat(p, *a, **k)
        if str(p) == path:
            values = list(st)
            values[stat.ST_GID] = st.st_gid + 4242
            return os.stat_result(values)
        return st
    return fake


def test_an_append_in_the_instant_before_the_rename_is_kept_beside_the_ledger(tmp_path, monkeypatch):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)

    def appends(name):
        if name == "verified":  # after the check, before the rename: the window a check cannot close
            with open(ledger, "ab") as f:
                f.write(b"# appended by a shell\n")

    monkeypatch.setattr(writer, "crash_point", appends)
    result = run(*EVENT, "--ledger", ledger)
    assert result.exit_code == 1 and "kept as" in result.stderr, result.stderr
    kept = [p for p in tmp_path.iterdir() if ".changed-" in p.name]
    assert len(kept) == 1 and kept[0].read_bytes() == MINI.read_bytes() + b"# appended by a shell\n"
    assert ledger.read_bytes().startswith(MINI.read_bytes())


def test_fmt_stops_when_the_ledger_changes_while_it_writes(tmp_path, monkeypatch):
    ledger = tmp_path / "l.toml"
    ledger.write_text(MINI.read_text(encoding="utf-8").replace('title = "Paper A"', 'title   =   "Paper A"'),
                      encoding="utf-8")
    edited = ledger.read_bytes() + b"# saved by an editor\n"

    def editor_saves(name):
        if name == "synced":
            _vim_save(ledger, edited)

    monkeypatch.setattr(writer, "crash_point", editor_saves)
    result = run("fmt", "--ledger", ledger)
    assert result.exit_code in (1, 2) and "changed while iqtl was writing it" in result.stderr, result.stderr
    assert ledger.read_bytes() == edited


def test_a_planted_lock_symlink_creates_nothing_where_it_points(tmp_path):
    ledger = tmp_path / "l.toml"
    shutil.copy(MINI, ledger)
    victim = tmp_path / "elsewhere" / "created-by-iqtl"
    victim.parent.mkdir()
    (tmp_path / ".l.toml.lock").symlink_to(victim)
    result = run(*EVENT, "--ledger", ledger)
    assert result.exit_code == 1 and "lock file" in result.stderr, result.stderr
    assert not victim.exists() and ledger.read_bytes() == MINI.read_bytes()
