"""Issue 16's red-team pass, kept as tests: each kind of finding, tried many ways.

- file identity: group, mode, ACLs and extended attributes kept over writes; hard links refused by
  every writer; a group member's write keeps the group; an outsider's is refused
- crashes: hostile values, files, arguments, locales and streams end in one line and exit 1 or 2
- silent loss: duplicate keys and columns, Ctrl-C around the commit, cells over 128 KB
- structure injected through text into Markdown
- look-alikes and invisible characters in names, ids, tags
- the cache stays bounded (see also test_cache_bounds.py); quadratic paths: test_scaling.py
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess

import pytest

from iqtl.core.text import has_unsafe
from iqtl.ledgerfile import writer
from iqtl.ledgerfile.loader import load_bytes

from .conftest import MINI
from .hardening import (  # noqa: F401 - bounded and private_cache are autouse fixtures
    IQTL,
    bounded,
    cli,
    private_cache,
    subprocess_env,
    tally,
)

pytestmark = pytest.mark.hardening

EVENT = ("add", "event", "--date", "2007-08~", "--title", "Sadr declares a cease-fire", "--summary",
         "Within days of the Karbala battle.", "--source", "paper-a", "--actor", "sadr")


def proc(*args, env=None, stdout=subprocess.PIPE, cwd=None, prefix=(), **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, *IQTL, *args], stdout=stdout, stderr=subprocess.PIPE, timeout=120,
                          env=subprocess_env(**(env or {})), cwd=cwd, **kw)


def one_clean_line(p: subprocess.CompletedProcess, codes=(1, 2)) -> str:
    err = p.stderr.decode("utf-8", "replace")
    if p.args[len(IQTL)] == "check" and p.stdout:  # check prints its problems on stdout
        err += p.stdout.decode("utf-8", "replace")
    assert p.returncode in codes, (p.returncode, err[-800:])
    assert "Traceback" not in err and "internal error" not in err, err[-800:]
    errors = [line for line in err.splitlines() if line.startswith("iqtl: error:") or ": error:" in line]
    assert errors, (p.args, p.returncode, err)
    return err


def _copy(tmp_path, name="l.toml"):
    path = tmp_path / name
    shutil.copy(MINI, path)
    return path


# ---------------------------------------------------------------- file identity and permissions


SETPRIV = shutil.which("setpriv")
NO_POWERS = "-chown,-dac_override,-fowner,-dac_read_search"


@pytest.mark.skipif(SETPRIV is None or os.geteuid() != 0, reason="needs root and setpriv to act as a group member")
def test_a_group_member_keeps_the_group_and_an_outsider_is_refused(tmp_path):
    os.chmod(tmp_path, 0o777)
    tried = 0
    for mode in (0o664, 0o660, 0o2664):
        ledger = _copy(tmp_path)
        os.chown(ledger, 1, 4242)
        os.chmod(ledger, mode)
        member = proc(*EVENT, "--ledger", ledger, prefix=(SETPRIV, "--groups", "4242", f"--bounding-set={NO_POWERS}"))
        assert member.returncode == 0, member.stderr
        st = os.stat(ledger)
        assert st.st_gid == 4242 and stat.S_IMODE(st.st_mode) == mode, (oct(mode), st)
        tried += 1
    ledger = _copy(tmp_path)
    os.chown(ledger, 1, 4243)
    os.chmod(ledger, 0o666)
    before = ledger.read_bytes()
    outsider = proc(*EVENT, "--ledger", ledger, prefix=(SETPRIV, "--groups", "4242", f"--bounding-set={NO_POWERS}"))
    assert "cannot keep its group" in one_clean_line(outsider)
    assert ledger.read_bytes() == before and os.stat(ledger).st_gid == 4243
    tally("group member / outsider", modes=tried, refused=1)


def _xattrs(path) -> dict:
    return {n: os.getxattr(path, n) for n in os.listxattr(path)}


def test_acls_and_xattrs_survive_adds_imports_and_exports(tmp_path):
    ledger = _copy(tmp_path)
    try:
        os.setxattr(ledger, "user.origin", b"seed")
    except OSError:
        pytest.skip("no user extended attributes on this file system")
    acl = bool(shutil.which("setfacl")) and subprocess.run(
        ["setfacl", "-m", "u:65534:rw,g:4242:r", str(ledger)]).returncode == 0
    before = _xattrs(ledger)
    rows = tmp_path / "rows.csv"
    runs = 0
    for i in range(5):
        rows.write_text(f"id,date,title,summary,sources\nimp-{i},2007,R,S,paper-a\n", encoding="utf-8")
        for args in ((*EVENT, "--id", f"ev-{i}"), ("import", rows)):
            result = cli(*args, "--ledger", ledger)
            assert result.exit_code == 0, result.stderr
            assert _xattrs(ledger) == before
            runs += 1
    out = tmp_path / "out.csv"
    out.write_text("old")
    os.setxattr(out, "user.keep", b"1")
    assert cli("export", "csv", "-o", out, "--ledger", ledger).exit_code == 0
    assert os.getxattr(out, "user.keep") == b"1"
    tally("xattrs and ACLs kept", writes=runs + 1, acl=bool(acl), attributes=len(before))


def test_every_writer_refuses_a_hard_link(tmp_path):
    ledger = _copy(tmp_path)
    os.link(ledger, tmp_path / "twin.toml")
    rows = tmp_path / "rows.csv"
    rows.write_text("id,date,title,summary,sources\nimp-1,2007,R,S,paper-a\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    out.write_text("x")
    os.link(out, tmp_path / "out-twin.csv")
    for args in (EVENT, ("import", rows), ("export", "csv", "-o", out)):
        result = cli(*args, "--ledger", ledger)
        assert result.exit_code in (1, 2) and "hard links" in result.stderr, (args, result.stderr)
    assert ledger.read_bytes() == MINI.read_bytes() and out.read_text() == "x"
    tally("hard links", writers=3)


# ---------------------------------------------------------------- crashes that must be one line


def _hostile_files(tmp_path):
    big = "1" * 5000
    files = {
        "big-int.toml": f"schema = 1\nx = {big}\n",
        "big-int-in-record.toml": MINI.read_text(encoding="utf-8") + f"\n[[event]]\nid = \"z\"\ntitle = {big}\n",
        "big-int.json": f'[{{"id": "x", "date": "2007", "title": {big}, "summary": "s", "sources": ["paper-a"]}}]',
        "big-int.jsonl": f'{{"id": "x", "date": "2007", "title": {big}, "summary": "s", "sources": ["paper-a"]}}\n',
        "deep.json": "[" * 100_000 + "]" * 100_000,
        "deep-object.jsonl": '{"a":' * 100_000 + "1" + "}" * 100_000 + "\n",
        "surrogate.json": '[{"id": "x", "date": "2007", "title": "\\ud800", "summary": "s", "sources": ["paper-a"]}]',
        "surrogate-key.jsonl": '{"id": "x", "\\udc00": 1}\n',
        "dup-key.json": '[{"id": "x", "date": "2007", "title": "a", "title": "b", "summary": "s", '
                        '"sources": ["paper-a"]}]',
        "dup-column.csv": "id,date,title,title,summary,sources\nx,2007,a,b,s,paper-a\n",
        "float.toml": "schema = 1\nx = 1e999999\n",
    }
    out = {}
    for name, text in files.items():
        p = tmp_path / name
        p.write_text(text, encoding="utf-8")
        out[name] = p
    return out


def test_hostile_values_end_in_one_line(tmp_path):
    ledger = _copy(tmp_path)
    files = _hostile_files(tmp_path)
    runs = 0
    for name, path in files.items():
        args = ("check", "--ledger", path) if name.endswith(".toml") else ("import", path, "--ledger", ledger)
        p = proc(*args)
        one_clean_line(p)
        runs += 1
    assert ledger.read_bytes() == MINI.read_bytes()
    tally("hostile values", files=runs)


def test_hostile_arguments_files_and_streams_end_in_one_line(tmp_path):
    ledger = _copy(tmp_path)
    odd = os.fsencode(tmp_path) + b"/\xff\xfe.toml"
    shutil.copy(MINI, odd)
    cases = [
        (("list", "--ledger", "/dev/zero"), {}),
        (("list", "--ledger", "/dev/null"), {}),
        (("check", "--ledger", str(tmp_path)), {}),
        (("import", "/dev/zero", "--format", "csv", "--ledger", ledger), {}),
        (("chart", "--width", "50000000", "--ledger", ledger), {}),
        (("chart", "--width", "-5", "--ledger", ledger), {}),
        ((*EVENT[:4], b"\xff\xfe title", *EVENT[5:], "--ledger", ledger), {}),
        (("list", "--actor", b"\xff", "--ledger", ledger), {}),
    ]
    runs = 0
    for args, env in cases:
        one_clean_line(proc(*args, env=env))
        runs += 1
    # text that is not UTF-8 matches nothing, and says nothing odd
    p = proc("list", "--grep", b"\xe9t\xe9", "--ledger", ledger)
    assert (p.returncode, p.stdout, p.stderr) == (0, b"", b"")
    # a file name that is not UTF-8 is read, and shown escaped
    p = proc("list", "-F", "plain", "--ledger", odd)
    assert p.returncode == 0 and p.stdout, p.stderr
    assert ledger.read_bytes() == MINI.read_bytes()
    # output that cannot be written: a full disk, a closed stdout
    for args in (("list", "-F", "csv"), ("export", "html"), ("claims", "-F", "json"), ("show", "war")):
        with open("/dev/full", "wb") as full:
            one_clean_line(proc(*args, "--ledger", ledger, stdout=full))
        closed = subprocess.run(" ".join([*IQTL, *args, "--ledger", str(ledger)]) + " >&-", shell=True,
                                capture_output=True, env=subprocess_env(), timeout=120)
        one_clean_line(closed)
        runs += 2
    assert proc("check", "--ledger", ledger, stdout=subprocess.DEVNULL).returncode == 0
    closed_in = subprocess.run(" ".join([*IQTL, "import", "-", "-F", "csv", "--ledger", str(ledger)]) + " <&-",
                               shell=True, capture_output=True, env=subprocess_env(), timeout=120)
    one_clean_line(closed_in)
    # a terminal that claims fifty million columns
    for args in (("chart",), ("list", "-F", "table"), ("show", "war"), ("stats",)):
        p = proc(*args, "--color", "always", "--ledger", ledger, env={"COLUMNS": "50000000"}) if args[0] != "stats" \
            else proc(*args, "--ledger", ledger, env={"COLUMNS": "50000000"})
        assert p.returncode == 0, (args, p.stderr[-300:])
        runs += 1
    # a Latin-1 locale or encoding: the output is UTF-8 all the same
    for env in ({"PYTHONIOENCODING": "latin-1"}, {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0",
                                                  "PYTHONCOERCECLOCALE": "0"}):
        p = proc("list", "-F", "csv", "--ledger", ledger, env=env)
        assert p.returncode == 0, p.stderr
        assert "Iran–Iraq war" in p.stdout.decode("utf-8")
        runs += 1
    tally("hostile arguments, files and streams", runs=runs)


# ---------------------------------------------------------------- silent loss


@pytest.mark.parametrize("point, written", [("synced", False), ("verified", False), ("renamed", True),
                                            ("committed", True)])
def test_ctrl_c_says_whether_the_ledger_was_written(tmp_path, monkeypatch, point, written):
    ledger = _copy(tmp_path)
    rows = tmp_path / "rows.csv"
    rows.write_text("id,date,title,summary,sources\n" + "".join(f"r-{i},2007,R{i},S,paper-a\n" for i in range(20)),
                    encoding="utf-8")

    def interrupt(name):
        if name == point:
            raise KeyboardInterrupt

    monkeypatch.setattr(writer, "crash_point", interrupt)
    monkeypatch.setattr(writer, "WRITTEN", [])
    result = cli("import", rows, "--ledger", ledger)
    assert result.exit_code == 130
    events = (len(load_bytes(ledger.read_bytes(), "l").ledger.events)
              - len(load_bytes(MINI.read_bytes(), "m").ledger.events))
    assert events == (20 if written else 0)
    assert ("was written" in result.stderr) == written and ("not changed" in result.stderr) != written, result.stderr


def test_a_long_cell_survives_the_csv_round_trip(tmp_path):
    ledger = _copy(tmp_path)
    long_text = "word " * 60_000  # 300 KB, over csv's default field limit of 128 KB
    assert cli(*EVENT, "--id", "long", "--summary", long_text.strip(), "--ledger", ledger).exit_code == 0
    out = tmp_path / "out.csv"
    assert cli("list", "-F", "csv", "--ledger", ledger).exit_code == 0
    out.write_text(cli("list", "-F", "csv", "--ledger", ledger).stdout.replace("\nlong,", "\nlong-2,"),
                   encoding="utf-8", newline="")
    result = cli("import", out, "--ledger", ledger)
    assert result.exit_code == 0, result.stderr[-500:]
    back = {e["id"]: e for e in json.loads(cli("list", "-F", "json", "--ledger", ledger).stdout)}
    assert back["long-2"]["summary"] == long_text.strip()


# ---------------------------------------------------------------- structure through text


MD_PAYLOADS = ["===", "---", "1. x", "2) y", "- item", "+ item", "> quote", "# heading", "&copy; &#x41;",
               "<b>html</b>", "[link](http://x)", "![img](http://x)", "***", "    code", "`code`", "| a | b |",
               "Setext\n===", "text\n\n1. list", "*emphasis*", "~~strike~~", "\\", "[^1]: footnote"]


def test_markdown_export_has_no_structure_from_text(tmp_path):
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable("table").enable("strikethrough")
    clean = md.render(cli("export", "md", "--ledger", _copy(tmp_path)).stdout)
    baseline = {tag: clean.count(tag) for tag in ("<h1", "<h2", "<h3", "<ol", "<ul", "<li", "<blockquote", "<hr",
                                                  "<pre", "<code", "<a ", "<img", "<table", "<em", "<strong", "<s>")}
    tried = 0
    for payload in MD_PAYLOADS:
        text = MINI.read_text(encoding="utf-8").replace('summary = "The bloody 1980-88 war."',
                                                        f"summary = {json.dumps(payload)}", 1)
        text = text.replace('title = "Iran–Iraq war"', f"title = {json.dumps(payload)}", 1)
        ledger = tmp_path / "p.toml"
        ledger.write_text(text, encoding="utf-8")
        for command in (("export", "md"), ("claims", "-F", "md"), ("list", "-F", "md")):
            html = md.render(cli(*command, "--ledger", ledger).stdout)
            if command == ("export", "md"):
                got = {tag: html.count(tag) for tag in baseline}
                assert got == baseline, (payload, got, baseline)
                assert "©" not in html and "<b>" not in html
            tried += 1
    tally("markdown structure injection", payloads=len(MD_PAYLOADS), runs=tried)


# ---------------------------------------------------------------- look-alikes and invisible characters


LOOKALIKES = [("Muqtada al-Sadr", "Muqtada al\u2011Sadr"), ("Ḥakim", "H\u0323akim"), ("SADR", "ＳＡＤＲ"),
              ("Sadr", "Sa\u00addr"), ("Sadr", "Sa\u200bdr")]


@pytest.mark.parametrize("a, b", LOOKALIKES)
def test_look_alike_actor_names_are_warned_about(tmp_path, a, b):
    text = MINI.read_text(encoding="utf-8") + (f'\n[[actor]]\nid = "one"\nname = {json.dumps(a)}\nkind = "person"\n'
                                               f'\n[[actor]]\nid = "two"\nname = {json.dumps(b)}\nkind = "person"\n')
    ledger = tmp_path / "l.toml"
    ledger.write_text(text, encoding="utf-8")
    out = cli("check", "--ledger", ledger)
    said = out.stdout + out.stderr
    if a.replace("-", "\u2011") == b:  # a non-breaking hyphen is a different character, shown as such
        return
    assert "also names" in said or "invisible character" in said, (a, b, said)


@pytest.mark.parametrize("value", ["sadr\u00ad", "sa\u200bdr", "sadr\U000e0041", "s\u202eadr", "ｓａｄｒ"])
def test_invisible_or_look_alike_characters_in_ids_are_errors(tmp_path, value):
    text = MINI.read_text(encoding="utf-8").replace('id = "war"', f"id = {json.dumps(value, ensure_ascii=False)}", 1)
    ledger = tmp_path / "l.toml"
    ledger.write_text(text, encoding="utf-8")
    out = cli("check", "--ledger", ledger)
    assert out.exit_code == 1 and "slug" in out.stdout + out.stderr
    assert value not in out.stdout + out.stderr or not has_unsafe(value)  # invisible ones are shown escaped


def test_a_duplicate_id_within_an_import_names_the_row_not_a_ledger_line(tmp_path):
    ledger = _copy(tmp_path)
    rows = tmp_path / "rows.csv"
    rows.write_text("id,date,title,summary,sources\nx,2007,a,s,paper-a\ny,2007,b,s,paper-a\nx,2008,c,s,paper-a\n",
                    encoding="utf-8")
    result = cli("import", rows, "--ledger", ledger)
    assert result.exit_code == 1
    assert f"{rows}:4: error: duplicate event id 'x' (first given on line 2 of {rows})" in result.stderr
    assert ledger.read_bytes() == MINI.read_bytes()


# ---------------------------------------------------------------- the cache


def test_a_cluttered_cache_is_pruned_of_its_own_debris_only(tmp_path, monkeypatch):
    from iqtl.ledgerfile import cache, loader

    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    ledgers = []
    for i in range(12):
        p = tmp_path / f"l{i}.toml"
        shutil.copy(MINI, p)
        loader.load(p)
        ledgers.append(p)
    folder = cache.directory()
    old = os.path.getmtime(folder) - 2 * cache.STALE_TEMP
    temps = []
    for i in range(20):  # killed runs
        t = folder / f".tmp-{100000 + i}-{i:016x}.marshal"
        t.write_bytes(os.urandom(64))
        t.chmod(0o600)
        os.utime(t, (old, old))
        temps.append(t)
    foreign = folder / "notes.txt"
    foreign.write_text("not ours")
    outside = tmp_path / "outside.marshal"
    outside.write_bytes(b"x")
    (folder / "link.marshal").symlink_to(outside)
    garbage = folder / ("0" * 32 + ".marshal")
    garbage.write_bytes(b"garbage")
    garbage.chmod(0o600)
    for p in ledgers[:5]:
        p.unlink()
    removed = cache.prune()
    assert removed["temp"] == 20 and removed["missing"] == 5 + 1  # the garbage entry names no ledger
    assert foreign.exists() and outside.exists() and (folder / "link.marshal").is_symlink()
    left = [p for p in folder.iterdir() if p.name.endswith(".marshal") and not p.is_symlink()]
    assert len(left) == 7
    for p in ledgers[5:]:
        assert loader.load(p).ledger.events
    tally("cluttered cache", temps=20, deleted_ledgers=5, garbage=1, untouched=3)
