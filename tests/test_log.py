"""iqtl log ID: a record's history, through renames of the file and of the record's id."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest

from iqtl.reports import history

from .conftest import MINI, ROOT, run
from .gitrepo import DRIVER, git, iqtl


def _commit(repo: Path, rel: str, text: str, message: str) -> None:
    (repo / rel).write_text(text, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


@pytest.fixture
def repo(tmp_path) -> Path:
    r = tmp_path / "repo"
    (r / "data").mkdir(parents=True)
    git(r, "init", "-q", "-b", "main")
    git(r, "config", "user.name", "Ann Editor")
    git(r, "config", "user.email", "ann@example.org")
    text = MINI.read_text(encoding="utf-8")
    _commit(r, "data/events.toml", text, "Seed")
    text = text.replace('date = "2007-08~"', 'date = "2007-08-29"')
    _commit(r, "data/events.toml", text, "Date the cease-fire")
    git(r, "mv", "data/events.toml", "data/ledger.toml")
    text = text.replace("Sadr declares a six-month cease-fire", "Sadr declares a cease-fire")
    _commit(r, "data/ledger.toml", text, "Move the ledger; shorter title")
    text = text.replace('id = "ceasefire"', 'id = "sadr-ceasefire"').replace('about = ["ceasefire"]',
                                                                          'about = ["sadr-ceasefire"]')
    _commit(r, "data/ledger.toml", text, "Rename ceasefire")
    text = text.replace('title = "Paper B"', 'title = "Paper B, revised"')
    _commit(r, "data/ledger.toml", text, "Unrelated change")
    return r


def _log(repo: Path, *args: str):
    return run("log", *args, "-L", str(repo / "data" / "ledger.toml"))


def test_follows_the_file_and_the_record_through_renames(repo):
    result = _log(repo, "sadr-ceasefire", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    got = [(r["subject"], r["change"], r["id"], r["field"], r["old"], r["new"]) for r in rows]
    assert got == [
        ("Rename ceasefire", "~", "sadr-ceasefire", "id", "ceasefire", "sadr-ceasefire"),
        ("Move the ledger; shorter title", "~", "ceasefire", "title", "Sadr declares a six-month cease-fire",
         "Sadr declares a cease-fire"),
        ("Date the cease-fire", "~", "ceasefire", "date", "2007-08~", "2007-08-29"),
        ("Seed", "+", "ceasefire", "", "", ""),
    ]
    assert all(r["author"] == "Ann Editor" and len(r["commit"]) == 40 for r in rows)
    assert "start 2007-08-01 → 2007-08-29" in rows[2]["detail"]


def test_each_commit_is_compared_with_its_own_parent(repo):
    ledger = repo / "data" / "ledger.toml"
    base = ledger.read_text(encoding="utf-8")
    assert iqtl(repo, "git-setup", "-L", "data/ledger.toml", "--command", DRIVER).returncode == 0
    git(repo, "add", ".gitattributes")
    git(repo, "commit", "-qm", "Merge driver")
    git(repo, "checkout", "-qb", "side")
    _commit(repo, "data/ledger.toml", base.replace('date = "2007-08-29"', 'date = "2007-08-30"'), "Side: date")
    git(repo, "checkout", "-q", "main")
    _commit(repo, "data/ledger.toml", base.replace('title = "Sadr declares a cease-fire"', 'title = "Cease-fire"'),
            "Main: title")
    git(repo, "merge", "-q", "--no-edit", "side")
    rows = json.loads(_log(repo, "sadr-ceasefire", "-F", "json").stdout)
    got = {(r["subject"], r["field"], r["old"], r["new"]) for r in rows[:2]}
    # Not "Main: title" undoing the side's date: each change once, on the commit that made it,
    # and nothing on the merge, which chose no value of its own.
    assert got == {("Side: date", "date", "2007-08-29", "2007-08-30"),
                   ("Main: title", "title", "Sadr declares a cease-fire", "Cease-fire")}
    assert len(rows) == 6


def test_csv_plain_and_table(repo):
    rows = list(csv.DictReader(io.StringIO(_log(repo, "sadr-ceasefire", "-F", "csv").stdout)))
    assert [r["field"] for r in rows] == ["id", "title", "date", ""]
    plain = _log(repo, "sadr-ceasefire", "-F", "plain").stdout.splitlines()
    assert len(plain) == 4 and plain[0].split("\t")[3:7] == ["~", "event", "sadr-ceasefire", "id"]
    table = run("log", "sadr-ceasefire", "-F", "table", "--color", "never", "-L", str(repo / "data" / "ledger.toml"),
                env={"COLUMNS": "200"}).stdout
    assert "renamed ceasefire → sadr-ceasefire" in table and "2007-08~ → 2007-08-29" in table


def test_unknown_id_exits_1_with_a_suggestion(repo):
    result = _log(repo, "sadr-ceasefir")
    assert result.exit_code == 1
    assert "no record 'sadr-ceasefir' in any of the 5 commit(s)" in result.stderr
    assert "did you mean 'sadr-ceasefire'" in result.stderr


def test_not_in_a_repository_exits_2(tmp_path):
    path = tmp_path / "l.toml"
    path.write_bytes(MINI.read_bytes())
    result = run("log", "war", "-L", str(path))
    assert result.exit_code == 2
    assert result.stderr.startswith("iqtl: error: ") and "not in a git repository" in result.stderr


def test_reads_each_version_once_through_one_cat_file(repo, monkeypatch):
    calls: list[list[str]] = []
    real_popen = subprocess.Popen

    def counting_popen(args, *a, **k):
        calls.append(list(args))
        return real_popen(args, *a, **k)

    monkeypatch.setattr(subprocess, "Popen", counting_popen)
    found = history.history(repo / "data" / "ledger.toml", "sadr-ceasefire")
    assert found.commits == 5
    assert len(calls) == 3  # rev-parse, log, one cat-file --batch (subprocess.run goes through Popen)
    assert calls[-1][:3] == ["git", "cat-file", "--batch"]


def test_this_repository_history_of_the_cease_fire():
    result = run("log", "2007-08-sadr-ceasefire", "-F", "json", "-L", str(ROOT / "data" / "events.toml"))
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert rows[-1]["change"] == "+" and rows[-1]["id"] == "2007-08-sadr-ceasefire"
    assert all(r["kind"] == "event" for r in rows)
