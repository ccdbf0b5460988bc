"""`iqtl diff` between git revisions and files, and `iqtl compare` of two sources."""

from __future__ import annotations

import csv
import io
import json
import subprocess

import pytest

from iqtl.reports.diff import Change

from .conftest import MINI, SEED, run

BASE = MINI.read_text(encoding="utf-8")


def git(repo, *args):
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=60)


@pytest.fixture()
def repo(tmp_path):
    """A repository whose ledger has three commits:
    1. the mini ledger;
    2. ceasefire's date sharpened, a summary reworded, an actor added to an event, a new event;
    3. an event renamed (same record, new id) and a claim removed."""
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "config", "user.email", "t@example.org")
    git(tmp_path, "config", "user.name", "t")
    ledger = tmp_path / "data" / "events.toml"
    ledger.parent.mkdir()
    ledger.write_text(BASE, encoding="utf-8")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-qm", "one")
    two = (BASE.replace('date = "2007-08~"', 'date = "2007-08-29"')
               .replace('summary = "The bloody 1980-88 war."',
                        'summary = "The bloody 1980-88 war, which left hundreds of thousands of Iraqis dead."')
               .replace('actors = ["sadr"]\nplaces = ["Karbala"]', 'actors = ["sadr", "jam"]\nplaces = ["Karbala"]')
           + '\n[[event]]\nid = "accord"\ndate = "2007-10"\ntitle = "Sadr and Hakim sign an accord"\n'
             'summary = "A shaky peace agreement."\nsources = ["paper-a"]\nactors = ["sadr"]\ntags = ["accord"]\n')
    ledger.write_text(two, encoding="utf-8")
    git(tmp_path, "commit", "-qam", "two")
    three = two.replace('id = "new-year"', 'id = "end-of-2007"')
    start = three.index('[[claim]]\nid = "control"')
    three = three[:start] + three[three.index("[[event]]", start):]
    ledger.write_text(three, encoding="utf-8")
    git(tmp_path, "commit", "-qam", "three")
    return tmp_path


def diff(repo, *args, fmt="json"):
    result = run("diff", *args, "--ledger", str(repo / "data" / "events.toml"), "--format", fmt)
    return result


def changes(result) -> list[dict]:
    return json.loads(result.stdout)


def test_changes_between_revisions(repo):
    result = diff(repo, "HEAD~2", "HEAD~1")
    assert result.exit_code == 1
    got = [(c["change"], c["kind"], c["id"], c["field"]) for c in changes(result)]
    assert got == [
        ("+", "event", "accord", ""),
        ("~", "event", "ceasefire", "date"),
        ("~", "event", "ceasefire", "actors"),
        ("~", "event", "war", "summary"),
    ]
    by_field = {c["field"]: c for c in changes(result)}
    assert by_field["date"]["old"] == "2007-08~" and by_field["date"]["new"] == "2007-08-29"
    assert by_field["date"]["detail"] == ("start 2007-08-01 → 2007-08-29 (+28 days); "
                                          "end 2007-08-31 → 2007-08-29 (−2 days)")
    assert by_field["actors"]["detail"] == "added jam"
    assert by_field["actors"]["new"] == "sadr; jam"
    assert by_field["summary"]["detail"] == (
        "removed [war.] added [war, which left hundreds of thousands of Iraqis dead.]")


def test_rename_and_removal(repo):
    got = [(c["change"], c["kind"], c["id"], c["field"], c["old"], c["new"])
           for c in changes(diff(repo, "HEAD~1", "HEAD"))]
    assert got == [
        ("~", "event", "end-of-2007", "id", "new-year", "end-of-2007"),
        ("-", "claim", "control", "", "", ""),
    ]


def test_new_defaults_to_the_ledger_on_disk(repo):
    ledger = repo / "data" / "events.toml"
    assert diff(repo, "HEAD").exit_code == 0
    assert diff(repo, "HEAD").stdout == "[]\n"
    ledger.write_text(ledger.read_text().replace("Paper B", "Paper Bee"), encoding="utf-8")
    result = diff(repo, "HEAD")
    assert result.exit_code == 1
    assert [(c["kind"], c["id"], c["field"], c["old"], c["new"]) for c in changes(result)] == [
        ("source", "paper-b", "title", "Paper B", "Paper Bee")]


def test_rev_colon_path_and_plain_files(repo, tmp_path_factory):
    assert diff(repo, "HEAD~2:data/events.toml", "HEAD~1:data/events.toml").exit_code == 1
    other = tmp_path_factory.mktemp("files") / "old.toml"
    other.write_text(BASE, encoding="utf-8")
    same = diff(repo, str(other), "HEAD~2")
    assert (same.exit_code, same.stdout) == (0, "[]\n")


def test_filters_apply_to_both_sides(repo):
    only_war = changes(diff(repo, "HEAD~2", "HEAD~1", "--to", "1990"))
    assert [(c["id"], c["field"]) for c in only_war] == [("war", "summary")]
    by_actor = changes(diff(repo, "HEAD~2", "HEAD~1", "--actor", "Mahdi Army"))
    # ceasefire gained jam: it matches on the new side only, and is compared on both
    assert [(c["change"], c["id"], c["field"]) for c in by_actor] == [
        ("~", "ceasefire", "date"), ("~", "ceasefire", "actors")]
    by_tag = changes(diff(repo, "HEAD~2", "HEAD~1", "--tag", "accord", "--tag", "war"))
    assert [(c["change"], c["id"], c["field"]) for c in by_tag] == [("+", "accord", ""), ("~", "war", "summary")]


def test_plain_csv_and_stat(repo):
    plain = diff(repo, "HEAD~2", "HEAD~1", fmt="plain").stdout.splitlines()
    assert plain == ["+\tevent\taccord\t", "~\tevent\tceasefire\tdate", "~\tevent\tceasefire\tactors",
                     "~\tevent\twar\tsummary"]
    as_csv = list(csv.DictReader(io.StringIO(diff(repo, "HEAD~2", "HEAD~1", fmt="csv").stdout)))
    as_json = changes(diff(repo, "HEAD~2", "HEAD~1"))
    assert [Change(**row) for row in as_csv] == [Change(**row) for row in as_json]
    stat = run("diff", "HEAD~2", "HEAD", "--stat", "--ledger", str(repo / "data" / "events.toml"))
    assert stat.exit_code == 1
    assert stat.stdout == "1 added, 1 removed, 1 renamed, 2 changed (3 fields)\n"


def test_errors_exit_2(repo, tmp_path_factory):
    ledger = str(repo / "data" / "events.toml")
    unknown = run("diff", "no-such-rev", "--ledger", ledger)
    assert unknown.exit_code == 2 and "unknown revision 'no-such-rev'" in unknown.stderr
    absent = run("diff", "HEAD:nowhere.toml", "--ledger", ledger)
    assert absent.exit_code == 2 and "nowhere.toml does not exist at revision 'HEAD'" in absent.stderr
    outside = tmp_path_factory.mktemp("norepo")
    (outside / "l.toml").write_text(BASE, encoding="utf-8")
    not_repo = run("diff", "HEAD", "--ledger", str(outside / "l.toml"))
    assert not_repo.exit_code == 2 and "not in a git repository" in not_repo.stderr
    assert "Traceback" not in unknown.stderr + absent.stderr + not_repo.stderr


def test_diff_of_a_ledger_with_itself_is_empty():
    result = run("diff", str(SEED), str(SEED), "--format", "json")
    assert (result.exit_code, result.stdout) == (0, "[]\n")


# ---------------------------------------------------------------- compare


def test_compare_2008_and_2010_articles_on_the_seed_ledger():
    result = run("compare", "nation-2008", "incoherence-2010", "--ledger", str(SEED), "--format", "json")
    assert result.exit_code == 1  # each reports what the other does not
    rows = json.loads(result.stdout)
    both = {r["id"] for r in rows if r["section"] == "both"}
    assert {"2003-us-invasion-of-iraq"} <= both
    only_2008 = {r["id"] for r in rows if r["section"] == "only" and r["source"] == "nation-2008"}
    only_2010 = {r["id"] for r in rows if r["section"] == "only" and r["source"] == "incoherence-2010"}
    assert {"surge", "2007-08-sadr-ceasefire", "2007-01-bush-announces-surge"} <= only_2008
    assert {"2009-10-01-geneva-talks", "2010-03-07-iraq-election"} <= only_2010
    assert not both & (only_2008 | only_2010)
    invasion_claims = {r["id"] for r in rows if r["section"] == "claim" and r["related"] == "2003-us-invasion-of-iraq"}
    assert "c-freeman-political-occupation" in invasion_claims


def test_compare_table_names_the_period_both_cover():
    out = run("compare", "nation-2008", "incoherence-2010", "--ledger", str(SEED), "--format", "table",
              "--color", "never").stdout
    assert "Both cover" in out and "2003-01-01 to 2008-12-31" in out  # the surge years lie inside
    assert "US invasion of Iraq" in out


def test_compare_unknown_source_is_a_usage_error():
    result = run("compare", "nation-2008", "nation-2009", "--ledger", str(SEED))
    assert result.exit_code == 2 and "did you mean 'nation-2008'" in result.stderr
