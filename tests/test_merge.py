"""The merge driver, in real git repositories: merge, rebase, cherry-pick, with the driver
installed by `iqtl git-setup`."""

from __future__ import annotations

from pathlib import Path

import pytest

from iqtl.ledgerfile.loader import load, load_text
from iqtl.ledgerfile.merge import merge_texts

from .conftest import MINI
from .gitrepo import DRIVER, _env, git, iqtl  # noqa: F401

LEDGER = "data/events.toml"




@pytest.fixture
def repo(tmp_path) -> Path:
    r = tmp_path / "repo"
    (r / "data").mkdir(parents=True)
    git(r, "init", "-q", "-b", "main")
    git(r, "config", "user.name", "Test Maintainer")
    git(r, "config", "user.email", "test@example.org")
    (r / LEDGER).write_bytes(MINI.read_bytes())
    done = iqtl(r, "git-setup", "--command", DRIVER)
    assert done.returncode == 0, done.stderr
    git(r, "add", "-A")
    git(r, "commit", "-qm", "ledger")
    return r


def ledger_text(repo: Path) -> str:
    return (repo / LEDGER).read_text(encoding="utf-8")


def write(repo: Path, text: str, message: str) -> None:
    (repo / LEDGER).write_text(text, encoding="utf-8")
    git(repo, "commit", "-qam", message)


def events(prefix: str, n: int) -> str:
    return "".join(f'\n[[event]]\nid = "{prefix}-{i}"\ndate = "2009-{1 + i % 12:02d}"\ntitle = "{prefix} {i}"\n'
                   f'summary = "Event {i} of {prefix}."\nsources = ["paper-a"]\nactors = ["sadr"]\n'
                   for i in range(n))


def change(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


# ---------------------------------------------------------------- git-setup


def test_git_setup_is_idempotent(repo):
    done = iqtl(repo, "git-setup", "--command", DRIVER)
    assert done.returncode == 0
    assert "already has 'data/events.toml merge=iqtl'" in done.stdout
    assert (repo / ".gitattributes").read_text().splitlines() == ["data/events.toml merge=iqtl"]
    assert git(repo, "config", "merge.iqtl.driver").stdout.strip() == f"{DRIVER} merge-driver %O %A %B %P"
    assert git(repo, "check-attr", "merge", LEDGER).stdout.strip().endswith("merge: iqtl")


def test_git_setup_keeps_other_attributes(tmp_path):
    r = tmp_path / "r"
    (r / "data").mkdir(parents=True)
    git(r, "init", "-q")
    (r / LEDGER).write_bytes(MINI.read_bytes())
    (r / ".gitattributes").write_text("*.png binary")  # no final newline
    assert iqtl(r, "git-setup").returncode == 0
    assert (r / ".gitattributes").read_text() == "*.png binary\ndata/events.toml merge=iqtl\n"
    assert git(r, "config", "merge.iqtl.driver").stdout.strip() == "iqtl merge-driver %O %A %B %P"


def test_git_setup_outside_a_repository(tmp_path):
    (tmp_path / "l.toml").write_bytes(MINI.read_bytes())
    done = iqtl(tmp_path, "git-setup", "-L", "l.toml")
    assert done.returncode == 2
    assert done.stderr.startswith("iqtl: error: ") and "not in a git repository" in done.stderr


# ---------------------------------------------------------------- clean merges


def test_both_branches_append_50_records(repo):
    base = ledger_text(repo)
    git(repo, "checkout", "-qb", "theirs")
    write(repo, base + events("theirs", 50), "theirs: 50 events")
    git(repo, "checkout", "-q", "main")
    write(repo, base + events("ours", 50), "ours: 50 events")
    done = git(repo, "merge", "-q", "--no-edit", "theirs", ok=False)
    assert done.returncode == 0, done.stderr
    merged = ledger_text(repo)
    assert merged.startswith(base)  # the common part, byte for byte
    result = load(repo / LEDGER, use_cache=False)
    assert result.errors == []
    ids = [e.id for e in result.ledger.events]
    assert ids[-100:] == [f"ours-{i}" for i in range(50)] + [f"theirs-{i}" for i in range(50)]
    assert len(ids) == len(load_text(base, "b").ledger.events) + 100


def test_one_field_each_side_and_comments(repo):
    base = ledger_text(repo)
    git(repo, "checkout", "-qb", "theirs")
    theirs = change(base, 'title = "Sadr declares a six-month cease-fire"', 'title = "Sadr declares a cease-fire"')
    header = '[[event]]\nid = "ceasefire"'
    theirs = change(theirs, header, "# checked against the ICG report\n" + header)
    write(repo, theirs, "theirs: title and a comment")
    git(repo, "checkout", "-q", "main")
    write(repo, change(base, 'date = "2007-08~"', 'date = "2007-08-29"  # the Karbala battle'), "ours: date")
    assert git(repo, "merge", "-q", "--no-edit", "theirs", ok=False).returncode == 0
    merged = ledger_text(repo)
    assert 'date = "2007-08-29"  # the Karbala battle' in merged
    assert 'title = "Sadr declares a cease-fire"' in merged
    assert '# checked against the ICG report\n[[event]]\nid = "ceasefire"' in merged
    assert load(repo / LEDGER, use_cache=False).errors == []


@pytest.mark.hardening
def test_rebase_and_cherry_pick(repo):
    base = ledger_text(repo)
    git(repo, "checkout", "-qb", "feature")
    write(repo, base + events("feat", 3), "feature: 3 events")
    write(repo, ledger_text(repo) + events("more", 2), "feature: 2 more")
    git(repo, "checkout", "-q", "main")
    write(repo, base + events("main", 4), "main: 4 events")
    git(repo, "checkout", "-qb", "picked")
    done = git(repo, "cherry-pick", "feature~1", ok=False)
    assert done.returncode == 0, done.stderr
    assert [e.id for e in load(repo / LEDGER, use_cache=False).ledger.events][-7:] == \
        [f"main-{i}" for i in range(4)] + [f"feat-{i}" for i in range(3)]
    git(repo, "checkout", "-q", "feature")
    done = git(repo, "rebase", "main", ok=False)
    assert done.returncode == 0, done.stderr
    result = load(repo / LEDGER, use_cache=False)
    assert result.errors == []
    assert [e.id for e in result.ledger.events][-9:] == \
        [f"main-{i}" for i in range(4)] + [f"feat-{i}" for i in range(3)] + [f"more-{i}" for i in range(2)]


# ---------------------------------------------------------------- conflicts


def _conflicted(repo: Path) -> list[str]:
    return git(repo, "diff", "--name-only", "--diff-filter=U").stdout.split()


def test_true_conflict_is_reported_by_check_with_both_values(repo):
    base = ledger_text(repo)
    git(repo, "checkout", "-qb", "theirs")
    write(repo, change(base, 'date = "2007-08~"', 'date = "2007-08-30"'), "theirs: date")
    git(repo, "checkout", "-q", "main")
    write(repo, change(base, 'date = "2007-08~"', 'date = "2007-08-29"'), "ours: date")
    done = git(repo, "merge", "--no-edit", "theirs", ok=False)
    assert done.returncode != 0
    assert _conflicted(repo) == [LEDGER]
    check = iqtl(repo, "check")
    assert check.returncode == 1
    line = next(ln for ln in check.stdout.splitlines() if "merge conflict" in ln)
    assert "event 'ceasefire'" in line and "“2007-08-29”" in line and "“2007-08-30”" in line
    assert line.startswith("data/events.toml:")
    merged = ledger_text(repo)
    assert 'date = "2007-08-29"' in merged  # the record keeps ours
    assert "<<<<<<<" not in merged


def test_added_on_both_sides_with_the_same_id_differently(repo):
    base = ledger_text(repo)
    git(repo, "checkout", "-qb", "theirs")
    write(repo, base + events("same", 1).replace("same 0", "theirs title"), "theirs")
    git(repo, "checkout", "-q", "main")
    write(repo, base + events("same", 1), "ours")
    assert git(repo, "merge", "--no-edit", "theirs", ok=False).returncode != 0
    check = iqtl(repo, "check")
    assert check.returncode == 1 and "“same 0”" in check.stdout and "“theirs title”" in check.stdout


def test_deleted_on_one_side_changed_on_the_other(repo):
    base = ledger_text(repo)
    start = base.index('[[event]]\nid = "war"')
    end = base.index("[[event]]", start + 1)
    git(repo, "checkout", "-qb", "theirs")
    write(repo, change(base, 'title = "Iran–Iraq war"', 'title = "The Iran–Iraq war"'), "theirs: title")
    git(repo, "checkout", "-q", "main")
    write(repo, base[:start] + base[end:], "ours: delete war")
    assert git(repo, "merge", "--no-edit", "theirs", ok=False).returncode != 0
    check = iqtl(repo, "check")
    assert "event 'war': merge conflict: deleted on ours, changed on theirs" in check.stdout
    assert 'title = "The Iran–Iraq war"' in ledger_text(repo)  # theirs' change is not lost


def test_renamed_id_referenced_by_the_other_side_is_not_a_silent_success(repo):
    base = ledger_text(repo)
    git(repo, "checkout", "-qb", "theirs")
    claim = ('\n[[claim]]\nid = "new-claim"\ntext = "It held."\nspeaker = "sadr"\nsource = "paper-a"\n'
             'about = ["ceasefire"]\n')
    write(repo, base + claim, "theirs: a claim about the cease-fire")
    git(repo, "checkout", "-q", "main")
    renamed = base.replace('"ceasefire"', '"sadr-ceasefire"')
    assert renamed != base
    write(repo, renamed, "ours: rename ceasefire")
    done = git(repo, "merge", "--no-edit", "theirs", ok=False)
    assert done.returncode != 0
    assert _conflicted(repo) == [LEDGER]
    check = iqtl(repo, "check")
    assert check.returncode == 1 and "'ceasefire'" in check.stdout and "unknown" in check.stdout


def test_a_side_that_does_not_parse_falls_back_to_git_merge_file(repo):
    base = ledger_text(repo)
    git(repo, "checkout", "-qb", "theirs")
    write(repo, base + '\n[[event]\nid = "broken"\n', "theirs: broken TOML")
    git(repo, "checkout", "-q", "main")
    write(repo, base + events("ours", 1), "ours: one event")
    done = git(repo, "merge", "--no-edit", "theirs", ok=False)
    assert done.returncode != 0
    merged = ledger_text(repo)
    assert 'id = "broken"' in merged and 'id = "ours-0"' in merged  # both sides' lines are kept
    assert "<<<<<<< ours" in merged


# ---------------------------------------------------------------- the library, without git


def test_merge_texts_is_deterministic_and_keeps_theirs_order():
    base = MINI.read_text(encoding="utf-8")
    ours, theirs = base + events("a", 2), base + events("b", 3)
    first = merge_texts(base, ours, theirs)
    assert first.clean and first.text == merge_texts(base, ours, theirs).text
    assert first.text.startswith(ours)
    assert first.text.endswith(events("b", 3))


def test_one_side_removes_a_key_the_other_left_alone():
    base = MINI.read_text(encoding="utf-8")
    ours = change(base, 'date_note = "“last February” in an article of early 2008"\n', "")
    theirs = change(base, 'title = "Iran–Iraq war"', 'title = "War"')
    result = merge_texts(base, ours, theirs)
    assert result.clean
    assert "last February" not in result.text and 'title = "War"' in result.text


def test_crlf_ledger_stays_crlf():
    base = MINI.read_text(encoding="utf-8").replace("\n", "\r\n")
    result = merge_texts(base, base + events("a", 1).replace("\n", "\r\n"), base + events("b", 1))
    assert result.clean
    assert "\n" not in result.text.replace("\r\n", "")


# ---------------------------------------------------------------- properties

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from iqtl.ledgerfile.blocks import scan  # noqa: E402

_MINI_RAW = load_text(MINI.read_text(encoding="utf-8"), "mini").ledger
_EVENT_IDS = [e.id for e in _MINI_RAW.events]
_words = st.text("abcdef ", min_size=1, max_size=8)


@st.composite
def _edits(draw) -> dict:
    """One side's edits to the mini ledger's events: new titles, deletions, appended events."""
    titles = draw(st.dictionaries(st.sampled_from(_EVENT_IDS), _words, max_size=3))
    deleted = draw(st.sets(st.sampled_from(_EVENT_IDS), max_size=2)) - set(titles)
    added = draw(st.integers(0, 3))
    return {"titles": titles, "deleted": deleted, "added": added}


def _apply(base: str, edits: dict, side: str) -> str:
    doc = scan(base)
    out = "".join(e.text() for e in doc.top)
    for b in doc.blocks:
        text = b.text()
        rid = next((line.split('"')[1] for line in text.splitlines() if line.startswith("id = ")), "")
        if b.kind == "event" and rid in edits["deleted"]:
            continue
        if b.kind == "event" and rid in edits["titles"]:
            start = text.index("\ntitle = ") + 1
            end = text.index("\n", start)
            text = text[:start] + f'title = "{edits["titles"][rid]}"' + text[end:]
        out += text
    return out + "".join(doc.end) + events(side, edits["added"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_edits(), _edits())
def test_merge_keeps_every_one_sided_change_and_flags_every_clash(mine, yours):
    base = MINI.read_text(encoding="utf-8")
    ours, theirs = _apply(base, mine, "ours"), _apply(base, yours, "theirs")
    result = merge_texts(base, ours, theirs)
    merged = load_text(result.text, "merged")
    got = {e.id: e for e in merged.ledger.events}
    clashes = {c.id for c in result.conflicts}
    for rid in _EVENT_IDS:
        t_mine, t_yours = mine["titles"].get(rid), yours["titles"].get(rid)
        gone_mine, gone_yours = rid in mine["deleted"], rid in yours["deleted"]
        if (gone_mine and t_yours) or (gone_yours and t_mine):
            assert rid in clashes and rid in got  # deleted against a change: kept, and flagged
        elif gone_mine or gone_yours:
            assert rid not in got
        elif t_mine and t_yours and t_mine != t_yours:
            assert rid in clashes and got[rid].title == t_mine
        elif t_mine or t_yours:
            assert got[rid].title == (t_mine or t_yours)
    appended = [i for i in got if i.startswith(("ours-", "theirs-"))]
    assert appended == [f"ours-{i}" for i in range(mine["added"])] + [f"theirs-{i}" for i in range(yours["added"])]
    # A reference to a deleted event is an error the merge reports, never a silent success,
    # unless ours had that very error already.
    before = {(p.code, p.message) for p in load_text(ours, "merged").errors}
    broken = [p for p in merged.errors if p.code != "merge-conflict" and (p.code, p.message) not in before]
    assert result.clean == (not clashes and not broken)
    assert [(p.code, p.message) for p in result.errors] == [(p.code, p.message) for p in broken]
