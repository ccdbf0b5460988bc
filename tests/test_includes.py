"""A ledger in many files (`include = [...]`): read in a stable order as one ledger, every problem
placed in its own file and line, cycles and missing files refused where they are named, the cache
keyed on every file, `add --to` writing the file chosen, `iqtl ledger` listing them all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from iqtl.ledgerfile import cache, loader

from .conftest import FIXTURES, MINI, SEED, run

SPLIT = FIXTURES / "split"


def write(root: Path, files: dict[str, str]) -> Path:
    """The files under `root`; the main one is the first."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / next(iter(files))


def records(result: loader.LoadResult) -> tuple:
    ledger = result.ledger
    return ledger.sources, ledger.actors, ledger.events, ledger.claims


def split_copy(tmp_path: Path) -> Path:
    shutil.copytree(SPLIT, tmp_path / "split")
    return tmp_path / "split" / "events.toml"


def line_of(path: Path, needle: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


SOURCE = '[[source]]\nid = "{id}"\ntitle = "T"\npublisher = "P"\ndate = "2008"\n'
EVENT = '[[event]]\nid = "{id}"\ndate = "{date}"\ntitle = "T"\nsummary = "S"\nsources = ["{source}"]\n'


def event(id: str, date: str = "2008-01", source: str = "s1") -> str:
    return EVENT.format(id=id, date=date, source=source)


# ---------------------------------------------------------------- one ledger from many files


def test_the_split_fixture_is_the_mini_ledger():
    split, whole = loader.load(SPLIT / "events.toml", use_cache=False), loader.load(MINI, use_cache=False)
    assert not split.problems and not whole.problems
    assert records(split) == records(whole)
    names = [Path(i.path).relative_to(SPLIT).as_posix() for i in split.includes]
    assert names == ["sources.toml", "actors.toml", "events/2007-a.toml", "events/2007-b.toml"]  # depth first
    counts = {Path(i.path).name: dict(zip(("source", "actor", "event", "claim"), i.counts, strict=True))
              for i in split.includes}
    assert counts["sources.toml"]["source"] == len(whole.ledger.sources)
    assert sum(c["event"] for c in counts.values()) == len(whole.ledger.events)


def _split_seed(root: Path) -> Path:
    """The seed ledger cut at its section banners: the header in events.toml, sources.toml (which
    includes actors.toml), then the events and the claims under events/, named to sort in order."""
    text = SEED.read_text(encoding="utf-8")
    lines = text.split("\n")
    banners = [i for i, line in enumerate(lines) if line.startswith("# ====") and i + 2 < len(lines)
               and lines[i + 2].startswith("# ====")]
    heads = banners  # each banner is three lines (rule, name, rule): its first
    assert len(heads) == 4, "the seed's four sections (sources, actors, events, claims)"
    start = heads[0]
    parts = {name: "\n".join(lines[a:b]) + "\n" for name, a, b in
             zip(("sources", "actors", "events", "claims"), heads, [*heads[1:], len(lines)], strict=True)}
    events_dir = root / "events"
    events_dir.mkdir(parents=True)
    (root / "events.toml").write_text("\n".join(lines[:start]) + '\ninclude = ["sources.toml", "events/*.toml"]\n',
                                      encoding="utf-8")
    (root / "sources.toml").write_text('include = ["actors.toml"]\n\n' + parts["sources"], encoding="utf-8")
    (root / "actors.toml").write_text(parts["actors"], encoding="utf-8")
    (events_dir / "1-events.toml").write_text(parts["events"], encoding="utf-8")
    (events_dir / "2-claims.toml").write_text(parts["claims"], encoding="utf-8")
    shutil.copytree(SEED.parent / "sources", root / "sources")  # the archives, relative to the main file
    return root / "events.toml"


def test_the_seed_split_loads_as_the_seed(tmp_path):
    main = _split_seed(tmp_path / "split")
    split, whole = loader.load(main, use_cache=False), loader.load(SEED, use_cache=False)
    assert [p.message for p in split.problems] == [p.message for p in whole.problems]
    assert records(split) == records(whole)
    assert len(split.includes) == 4 and split.archives  # its archives were read and its quotes checked


@pytest.mark.parametrize("args", [("check", "--strict"), ("list", "--format", "csv"), ("claims", "--format", "json"),
                                  ("stats", "--format", "json")])
def test_commands_on_the_split_seed_equal_the_seed(args, tmp_path):
    main = _split_seed(tmp_path / "split")
    split, whole = run(*args, "--ledger", str(main)), run(*args, "--ledger", str(SEED))
    assert split.exit_code == whole.exit_code
    assert split.stdout.replace(str(main), "LEDGER") == whole.stdout.replace(str(SEED), "LEDGER")


def test_a_piecewise_sized_main_file_with_includes_is_read_whole(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "PIECEWISE_FROM", 1)  # every file big enough to be read a piece at a time
    main = split_copy(tmp_path)
    assert records(loader.load(main, use_cache=False)) == records(loader.load(MINI, use_cache=False))


def test_includes_are_not_followed_in_a_text_without_a_folder():
    # A git revision or a merge: the main file's text alone; `include` is no error there.
    result = loader.load_text((SPLIT / "events.toml").read_text(encoding="utf-8"), "HEAD:events.toml")
    assert not result.problems and not result.ledger.events


# ---------------------------------------------------------------- problems, in their own files


def test_a_bad_date_in_an_included_file_is_placed_there(tmp_path):
    main = split_copy(tmp_path)
    part = main.parent / "events" / "2007-b.toml"
    part.write_text(part.read_text().replace('date = "2007-12-31"', 'date = "2007-13-31"'))
    result = loader.load(main, use_cache=False)
    [problem] = result.errors
    assert problem.path == str(part)
    assert problem.line == line_of(part, "2007-13-31")
    assert "bad date" in problem.message


def test_a_duplicate_id_across_files_names_both(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["a.toml", "b.toml"]\n',
                            "a.toml": SOURCE.format(id="s1") + "\n" + event("e1"),
                            "b.toml": event("e2") + "\n" + event("e1", "2009")})
    [problem] = loader.load(main, use_cache=False).errors
    b, a = tmp_path / "b.toml", tmp_path / "a.toml"
    assert (problem.path, problem.line) == (str(b), line_of(b, '"2009"') - 1)  # the second one, at its id
    assert f"first defined at {a}:{line_of(a, '[[event]]')}" in problem.message


def test_a_duplicate_in_one_included_file_says_its_line(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["a.toml"]\n',
                            "a.toml": SOURCE.format(id="s1") + "\n" + event("e1") + "\n" + event("e1", "2009")})
    [problem] = loader.load(main, use_cache=False).errors
    assert problem.path == str(tmp_path / "a.toml")
    assert f"(first defined at line {line_of(tmp_path / 'a.toml', '[[event]]')})" in problem.message


def test_references_resolve_across_files_and_an_unknown_one_is_placed(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["sources.toml", "events.d/*.toml"]\n'
                            + event("e0"),
                            "sources.toml": SOURCE.format(id="s1"),
                            "events.d/a.toml": event("e1") + "\n" + event("e2", source="nope")})
    [problem] = loader.load(main, use_cache=False).errors
    part = tmp_path / "events.d" / "a.toml"
    assert problem.path == str(part)
    assert (problem.line, problem.col) == (line_of(part, '"nope"'), part.read_text().split("\n")[
        line_of(part, '"nope"') - 1].index('"nope"') + 1)
    assert "nope" in problem.message


def test_a_toml_error_in_an_included_file_is_placed_there(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["a.toml"]\n' + SOURCE.format(id="s1"),
                            "a.toml": event("e1") + 'title = "again"\n'})
    [problem] = loader.load(main, use_cache=False).errors
    assert (problem.path, problem.code) == (str(tmp_path / "a.toml"), "toml")
    assert problem.line == line_of(tmp_path / "a.toml", "again")


def test_the_cycle_is_refused_at_the_include_that_closes_it(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["a.toml"]\n' + SOURCE.format(id="s1"),
                            "a.toml": 'include = ["b.toml"]\n' + event("e1"),
                            "b.toml": '\n# comes back\ninclude = [\n  "a.toml",\n]\n' + event("e2")})
    result = loader.load(main, use_cache=False)
    [problem] = result.errors
    b = tmp_path / "b.toml"
    assert (problem.path, problem.line, problem.col) == (str(b), 4, 3)
    assert "cycle" in problem.message and f"{tmp_path / 'a.toml'} -> {b} -> {tmp_path / 'a.toml'}" in problem.message
    assert {e.id for e in result.ledger.events} == {"e1", "e2"}  # each read once all the same


def test_including_the_main_file_is_a_cycle(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["*.toml"]\n' + SOURCE.format(id="s1"),
                            "a.toml": event("e1")})
    [problem] = loader.load(main, use_cache=False).errors
    assert problem.path == str(main) and problem.line == 2 and "cycle" in problem.message


@pytest.mark.parametrize("name, says", [("missing.toml", "no such file"), ("parts/*.toml", "matches no file"),
                                        ("/etc/hosts", "relative"), ("../outside.toml", "outside"),
                                        ("", "empty"), ("parts", "directory")])
def test_a_bad_include_is_placed_at_its_name(name, says, tmp_path):
    (tmp_path / "outside.toml").write_text(event("x"))
    (tmp_path / "ledger" / "parts").mkdir(parents=True)
    main = write(tmp_path / "ledger", {"events.toml": f'schema = 1\n\ninclude = ["a.toml", {name!r}]\n'
                                       .replace("'", '"') + SOURCE.format(id="s1"),
                                       "a.toml": event("e1")})
    result = loader.load(main, use_cache=False)
    [problem] = result.errors
    assert (problem.path, problem.line, problem.code) == (str(main), 3, "include")
    assert problem.col == main.read_text().split("\n")[2].index(f'"{name}"') + 1
    assert says in problem.message
    assert [e.id for e in result.ledger.events] == ["e1"]  # the rest is still read and checked


def test_a_file_named_twice_is_read_once_and_the_second_name_refused(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["parts/*.toml", "parts/a.toml"]\n'
                            + SOURCE.format(id="s1"), "parts/a.toml": event("e1")})
    result = loader.load(main, use_cache=False)
    [problem] = result.errors
    assert problem.line == 2 and "already included" in problem.message
    assert [e.id for e in result.ledger.events] == ["e1"]


def test_a_long_chain_of_includes_is_read_without_recursion(tmp_path):
    depth = 1200  # beyond Python's recursion limit
    files = {"events.toml": 'schema = 1\ninclude = ["p0.toml"]\n' + SOURCE.format(id="s1")}
    for i in range(depth):
        nxt = f'include = ["p{i + 1}.toml"]\n' if i + 1 < depth else ""
        files[f"p{i}.toml"] = nxt + event(f"e{i}")
    main = write(tmp_path, files)
    result = loader.load(main, use_cache=False)
    assert not result.errors and [e.id for e in result.ledger.events] == [f"e{i}" for i in range(depth)]
    assert [p.path for p in result.warnings][:2] == [str(tmp_path / "p0.toml"), str(tmp_path / "p1.toml")]


def test_a_symlinked_main_file_includes_from_beside_its_name(tmp_path):
    main = split_copy(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    main.rename(elsewhere / "events.toml")
    main.symlink_to(elsewhere / "events.toml")
    result = loader.load(main, use_cache=False)
    assert not result.problems and records(result) == records(loader.load(MINI, use_cache=False))


def test_include_must_be_a_list_of_strings(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = "a.toml"\n' + SOURCE.format(id="s1")})
    [problem] = loader.load(main, use_cache=False).errors
    assert problem.line == 2 and "list" in problem.message


def test_include_as_a_dotted_key_is_an_error_not_ignored(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude.files = ["a.toml"]\n' + SOURCE.format(id="s1"),
                            "a.toml": event("e1")})
    [problem] = loader.load(main, use_cache=False).errors
    assert problem.line == 2 and "list" in problem.message


def test_schema_in_an_included_file_is_optional_but_must_agree(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["a.toml", "b.toml"]\n' + SOURCE.format(id="s1"),
                            "a.toml": "schema = 1\n" + event("e1"), "b.toml": "schema = 2\n" + event("e2")})
    [problem] = loader.load(main, use_cache=False).errors
    assert (problem.path, problem.line, problem.code) == (str(tmp_path / "b.toml"), 1, "schema")


def test_an_empty_included_file_is_a_part_with_no_records(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["a.toml"]\n' + SOURCE.format(id="s1"),
                            "a.toml": "\n"})
    result = loader.load(main, use_cache=False)
    assert not result.problems and [i.counts for i in result.includes] == [(0, 0, 0, 0)]


def test_the_order_is_depth_first_and_globs_sorted(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["z.toml", "d/*.toml"]\n' + SOURCE.format(id="s1"),
                            "z.toml": 'include = ["y.toml"]\n' + event("z"), "y.toml": event("y"),
                            "d/b.toml": event("b"), "d/a.toml": event("a"), "d/c.toml": event("c")})
    result = loader.load(main, use_cache=False)
    assert [e.id for e in result.ledger.events] == ["z", "y", "a", "b", "c"]


# ---------------------------------------------------------------- the cache


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """Counts real parses of a ledger with includes (a cache hit never reaches load_split)."""
    from iqtl.ledgerfile import includes

    calls: list[str] = []
    real = includes.load_split

    def counting(text, raw, path, reader):
        calls.append(path)
        return real(text, raw, path, reader)

    monkeypatch.setattr(includes, "load_split", counting)
    return calls


def same(a: loader.LoadResult, b: loader.LoadResult) -> bool:
    return (records(a), a.problems, a.includes, a.globs) == (records(b), b.problems, b.includes, b.globs)


def test_a_hit_equals_a_parse(tmp_path, home, parses):
    main = split_copy(tmp_path)
    part = main.parent / "events" / "2007-b.toml"
    part.write_text(part.read_text().replace('date = "2007-12-31"', 'date = "2007-13-31"'))  # a problem to keep
    first = loader.load(main)
    second = loader.load(main)
    assert parses == [str(main)]
    assert same(first, second) and second.errors[0].path == str(part)


def test_the_entry_serves_the_ledger_however_its_path_is_spelt(tmp_path, home, parses, monkeypatch):
    main = split_copy(tmp_path)
    first = loader.load(main)
    monkeypatch.chdir(main.parent)
    second = loader.load("events.toml")
    assert parses == [str(main)]
    assert [i.path for i in second.includes] == [os.path.relpath(i.path, main.parent) for i in first.includes]
    assert same(second, loader.load("events.toml", use_cache=False))


def test_editing_an_included_file_is_seen_even_with_its_size_and_mtime_put_back(tmp_path, home, parses):
    main = split_copy(tmp_path)
    part = main.parent / "events" / "2007-a.toml"
    before = loader.load(main)
    st = os.stat(part)
    part.write_text(part.read_text().replace("Iran–Iraq war", "Iran–Iraq War"))  # same size
    os.utime(part, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert os.stat(part).st_size == st.st_size and os.stat(part).st_mtime_ns == st.st_mtime_ns
    after = loader.load(main)
    assert len(parses) == 2
    assert after.ledger.get("event", "war").title == "Iran–Iraq War" != before.ledger.get("event", "war").title
    assert loader.load(main) and len(parses) == 2  # and the new state is cached


def test_replacing_an_included_file_is_seen(tmp_path, home, parses):
    main = split_copy(tmp_path)
    part = main.parent / "actors.toml"
    loader.load(main)
    text = part.read_bytes()
    part.unlink()
    part.write_bytes(text)  # the same bytes in a new inode
    loader.load(main)
    assert len(parses) == 2


def test_a_new_file_matching_a_pattern_is_seen(tmp_path, home, parses):
    main = split_copy(tmp_path)
    loader.load(main)
    (main.parent / "events" / "2009.toml").write_text(event("later", source="paper-b"))
    result = loader.load(main)
    assert len(parses) == 2 and result.ledger.get("event", "later") is not None
    (main.parent / "events" / "2009.toml").unlink()
    assert loader.load(main).ledger.get("event", "later") is None


def test_a_missing_include_created_later_is_seen(tmp_path, home, parses):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["a.toml"]\n' + SOURCE.format(id="s1")})
    assert loader.load(main).errors
    (tmp_path / "a.toml").write_text(event("e1"))
    result = loader.load(main)
    assert not result.errors and result.ledger.get("event", "e1")


def test_a_single_file_entry_is_unchanged(tmp_path, home):
    # A ledger in one file keeps the entry it always had: no includes, no patterns.
    shutil.copyfile(MINI, tmp_path / "events.toml")
    loader.load(tmp_path / "events.toml")
    result = loader.load(tmp_path / "events.toml")
    assert result.includes == () and result.globs == ()
    assert cache.enabled()


# ---------------------------------------------------------------- writing: add --to, import --to


ADD_EVENT = ("add", "event", "--date", "2008-05", "--title", "A new event", "--summary", "S",
             "--source", "paper-a", "--actor", "us")


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*.toml"))}


@pytest.mark.parametrize("to", ["events.toml", "sources.toml", "actors.toml", "events/2007-a.toml",
                                "events/2007-b.toml"])
def test_add_to_each_file_appends_there_and_nowhere_else(to, tmp_path):
    main = split_copy(tmp_path)
    before = snapshot(main.parent)
    result = run(*ADD_EVENT, "--ledger", main, "--to", main.parent / to)
    assert result.exit_code == 0, result.stderr
    new_id = result.stdout.strip()
    after = snapshot(main.parent)
    changed = [name for name in after if after[name] != before[name]]
    assert changed == [to]
    assert after[to].startswith(before[to])  # appended: every old byte stays
    assert f'id = "{new_id}"'.encode() in after[to][len(before[to]):]
    loaded = loader.load(main, use_cache=False)
    assert not loaded.problems and loaded.ledger.get("event", new_id) is not None


@pytest.mark.parametrize("args, expected", [
    (ADD_EVENT, "events/2007-a.toml"),  # 2 events each in 2007-a and 2007-b, none in the main file: the first
    (("add", "source", "--title", "T", "--publisher", "P", "--date", "2009"), "sources.toml"),
    (("add", "actor", "--name", "Someone"), "actors.toml"),
    (("add", "claim", "--text", "Words.", "--speaker", "us", "--source", "paper-b", "--about", "war"),
     "events/2007-b.toml"),
])
def test_the_default_file_holds_the_most_records_of_the_kind(args, expected, tmp_path):
    main = split_copy(tmp_path)
    before = snapshot(main.parent)
    result = run(*args, "--ledger", main)
    assert result.exit_code == 0, result.stderr
    after = snapshot(main.parent)
    assert [name for name in after if after[name] != before[name]] == [expected]


def test_a_tie_with_the_main_file_goes_to_the_main_file(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["a.toml"]\n\n' + SOURCE.format(id="s1"),
                            "a.toml": SOURCE.format(id="s2")})
    assert run("add", "source", "--title", "T", "--publisher", "P", "--date", "2009", "--ledger", main).exit_code == 0
    assert loader.load(main, use_cache=False).includes[0].counts[0] == 1
    assert main.read_text().count("[[source]]") == 2


def test_add_to_a_file_outside_the_ledger_is_a_usage_error(tmp_path):
    main = split_copy(tmp_path)
    stray = tmp_path / "stray.toml"
    stray.write_text("schema = 1\n")
    before = snapshot(tmp_path)
    result = run(*ADD_EVENT, "--ledger", main, "--to", stray)
    assert result.exit_code == 2
    assert "not a file of the ledger" in result.stderr and "events/2007-b.toml" in result.stderr
    assert run(*ADD_EVENT, "--ledger", main, "--to", tmp_path / "nope.toml").exit_code == 2
    assert snapshot(tmp_path) == before


def test_add_to_on_a_ledger_in_one_file(tmp_path):
    shutil.copyfile(MINI, tmp_path / "events.toml")
    (tmp_path / "other.toml").write_text("schema = 1\n")
    main = tmp_path / "events.toml"
    assert run(*ADD_EVENT, "--ledger", main, "--to", tmp_path / "other.toml").exit_code == 2
    result = run(*ADD_EVENT, "--ledger", main, "--to", main)
    assert result.exit_code == 0 and loader.load(main).ledger.get("event", result.stdout.strip())


def test_add_checks_the_whole_ledger_and_places_its_errors(tmp_path):
    main = split_copy(tmp_path)
    before = snapshot(main.parent)
    result = run("add", "event", "--date", "2008", "--title", "T", "--summary", "S", "--source", "paper-a",
                 "--actor", "us", "--related", "no-such-event", "--ledger", main, "--to", main.parent / "actors.toml")
    assert result.exit_code == 1 and "no-such-event" in result.stderr
    assert snapshot(main.parent) == before


def test_add_refuses_a_ledger_broken_in_an_included_file(tmp_path):
    main = split_copy(tmp_path)
    part = main.parent / "actors.toml"
    part.write_text(part.read_text().replace('kind = "group"', 'kind = "gang"'))
    before = snapshot(main.parent)
    result = run(*ADD_EVENT, "--ledger", main, "--to", main)
    assert result.exit_code == 1
    assert f"{part}:{line_of(part, 'gang')}:" in result.stderr
    assert snapshot(main.parent) == before


def test_dry_run_writes_nothing(tmp_path):
    main = split_copy(tmp_path)
    before = snapshot(main.parent)
    result = run(*ADD_EVENT, "--ledger", main, "--to", main.parent / "sources.toml", "--dry-run")
    assert result.exit_code == 0 and result.stdout.startswith("[[event]]")
    assert snapshot(main.parent) == before


def test_import_to_a_file(tmp_path):
    main = split_copy(tmp_path)
    rows = tmp_path / "rows.csv"
    rows.write_text("id,name,kind\nnew-one,New One,person\nnew-two,New Two,group\n", encoding="utf-8")
    before = snapshot(main.parent)
    result = run("import", rows, "--ledger", main, "--to", main.parent / "events" / "2007-b.toml")
    assert result.exit_code == 0, result.stderr
    after = snapshot(main.parent)
    assert [n for n in after if after[n] != before[n]] == ["events/2007-b.toml"]
    assert "events/2007-b.toml" in result.stderr
    loaded = loader.load(main, use_cache=False)
    assert not loaded.problems and loaded.ledger.get("actor", "new-two") is not None
    assert run("import", rows, "--ledger", main, "--to", rows).exit_code == 2


@pytest.mark.hardening
def test_concurrent_adds_to_different_files_all_land(tmp_path):
    import subprocess

    from .conftest import IQTL, ROOT, subprocess_env

    main = split_copy(tmp_path)
    targets = ["events.toml", "actors.toml", "events/2007-a.toml", "events/2007-b.toml"] * 2
    env = subprocess_env() | {"PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([*IQTL, *ADD_EVENT, "--id", f"c{i}", "--ledger", str(main), "--to",
                               str(main.parent / to)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i, to in enumerate(targets)]
    outcomes = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    assert all(code == 0 for _, _, code in outcomes), outcomes
    loaded = loader.load(main, use_cache=False)
    assert not loaded.errors
    for i, to in enumerate(targets):  # each in the file it was sent to, none lost
        assert f'id = "c{i}"' in (main.parent / to).read_text()
    assert {f"c{i}" for i in range(len(targets))} <= {e.id for e in loaded.ledger.events}


# ---------------------------------------------------------------- iqtl ledger / files


def test_iqtl_ledger_lists_every_file_in_load_order(tmp_path):
    main = split_copy(tmp_path)
    result = run("files", "--ledger", main)
    assert result.exit_code == 0
    listed = result.stdout.split()
    expected = [main, *(i.path for i in loader.load(main, use_cache=False).includes)]
    assert listed == [str(p) for p in expected]
    assert listed[1:] == [str(main.parent / n) for n in ("sources.toml", "actors.toml", "events/2007-a.toml",
                                                           "events/2007-b.toml")]
    assert "given with --ledger" in result.stderr and f"included by {main.parent / 'sources.toml'}:2" in result.stderr


def test_iqtl_ledger_reports_an_include_it_cannot_follow(tmp_path):
    main = write(tmp_path, {"events.toml": 'schema = 1\ninclude = ["a.toml", "gone.toml"]\n' + SOURCE.format(id="s1"),
                            "a.toml": event("e1")})
    result = run("ledger", "--ledger", main)
    assert result.exit_code == 1
    assert result.stdout.split() == [str(main), str(tmp_path / "a.toml")]
    assert f"{main}:2:" in result.stderr and "gone.toml" in result.stderr


def test_iqtl_ledger_on_a_ledger_in_one_file_lists_it_alone():
    result = run("ledger", "--ledger", SEED)
    assert result.exit_code == 0 and result.stdout.split() == [str(SEED)]


def test_fmt_formats_each_file_and_keeps_the_includes(tmp_path):
    main = split_copy(tmp_path)
    before = loader.load(main, use_cache=False)
    for name in ("events.toml", "sources.toml", "events/2007-b.toml"):
        result = run("fmt", "--ledger", main.parent / name)
        assert result.exit_code == 0, result.stderr
        assert run("fmt", "--check", "--ledger", main.parent / name).exit_code == 0
    assert 'include = ["sources.toml", "events/*.toml"]' in main.read_text()
    assert 'include = ["actors.toml"]' in (main.parent / "sources.toml").read_text()
    after = loader.load(main, use_cache=False)
    assert records(after) == records(before) and after.includes == tuple(
        loader.Included(i.path, i.by, i.line, i.counts, after.includes[n].stamp) for n, i in enumerate(before.includes))


# ---------------------------------------------------------------- git: diff at a revision, the merge driver


def _repo(tmp_path: Path) -> Path:
    from .gitrepo import git

    repo = tmp_path / "repo"
    shutil.copytree(SPLIT, repo / "data")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-qm", "split")
    return repo


def test_diff_reads_the_includes_at_the_revision(tmp_path, monkeypatch):
    repo = _repo(tmp_path)
    monkeypatch.chdir(repo)
    assert run("diff", "HEAD").exit_code == 0  # the same files at HEAD and on disk
    part = repo / "data" / "events" / "2007-b.toml"
    part.write_text(part.read_text().replace('title = "Last day of 2007"', 'title = "The last day of 2007"'))
    (repo / "data" / "events" / "2008.toml").write_text(event("later", source="paper-b"))
    result = run("diff", "HEAD", "--format", "plain")
    assert result.exit_code == 1
    changes = sorted(tuple(line.split("\t")[:4]) for line in result.stdout.strip().split("\n"))
    assert changes == [("+", "event", "later", ""), ("~", "event", "new-year", "title")]


def test_the_merge_driver_merges_a_part_whose_references_point_into_other_files(tmp_path):
    from .gitrepo import iqtl

    repo = _repo(tmp_path)
    part = repo / "data" / "events" / "2007-a.toml"
    base, theirs = tmp_path / "base.toml", tmp_path / "theirs.toml"
    shutil.copyfile(part, base)
    theirs.write_text(part.read_text() + "\n" + event("theirs", source="paper-b"))
    part.write_text(part.read_text() + "\n" + event("ours", source="paper-a"))
    done = iqtl(repo, "merge-driver", str(base), str(part), str(theirs), "data/events/2007-a.toml")
    assert done.returncode == 0, done.stderr
    merged = loader.load(repo / "data" / "events.toml", use_cache=False)
    assert not merged.errors and {"ours", "theirs"} <= {e.id for e in merged.ledger.events}
    # A reference to nothing in any file is left to `iqtl check` of the whole ledger (its target
    # could be in a part git merges later), which places it.
    shutil.copyfile(base, part)
    part.write_text(part.read_text() + "\n" + event("ours", source="paper-a"))
    theirs.write_text(base.read_text() + "\n" + event("theirs", source="no-such-source"))
    done = iqtl(repo, "merge-driver", str(base), str(part), str(theirs), "data/events/2007-a.toml")
    assert done.returncode == 0
    [problem] = loader.load(repo / "data" / "events.toml", use_cache=False).errors
    assert problem.path.endswith("2007-a.toml") and "no-such-source" in problem.message
    # Any other new error of the part is still a conflict, as in a ledger in one file.
    shutil.copyfile(base, part)
    theirs.write_text(base.read_text() + "\n" + event("theirs", date="2008-13"))
    done = iqtl(repo, "merge-driver", str(base), str(part), str(theirs), "data/events/2007-a.toml")
    assert done.returncode == 1 and "2008-13" in done.stderr
