"""The library without the CLI: ledgers written inline as TOML, loaded, queried, reported and
written in every format; the formats registry as an extension point; and the two bugs that came
from library work done in the CLI (the reference lists' --grep, compare's exit status)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

from iqtl.formats import FORMATS, export_formats, listing_formats, write
from iqtl.ledgerfile.loader import load_text
from iqtl.query import Filters, QueryError, build_query, select_claims, select_events
from iqtl.reports import listing
from iqtl.reports.lookup import find, similar_ids
from iqtl.reports.reference import reference

from .conftest import ROOT, run

LEDGER = textwrap.dedent('''\
    schema = 1

    [[source]]
    id = "paper"
    title = "A paper"
    publisher = "The Daily"
    date = "2008-02"

    [[actor]]
    id = "sadr"
    name = "Muqtada al-Sadr"
    aliases = ["Sadr"]
    kind = "person"

    [[actor]]
    id = "us"
    name = "United States"
    aliases = ["Washington"]
    kind = "state"

    [[event]]
    id = "ceasefire"
    date = "2007-08~"
    title = "Sadr declares a cease-fire"
    summary = "Six months."
    sources = ["paper"]
    actors = ["sadr"]
    tags = ["ceasefire"]

    [[event]]
    id = "surge"
    date = "2007-01/2008"
    title = "The surge"
    summary = "More troops."
    sources = ["paper"]
    actors = ["us"]
    tags = ["surge"]

    [[claim]]
    id = "c-us"
    text = "It worked."
    speaker = "us"
    source = "paper"
    about = ["surge"]

    [[claim]]
    id = "c-sadr"
    text = "It did not."
    speaker = "sadr"
    source = "paper"
    about = ["surge"]
    disputes = ["c-us"]
''')


@pytest.fixture(scope="module")
def ledger():
    result = load_text(LEDGER, "inline.toml")
    assert not result.problems, [str(p) for p in result.problems]
    return result.ledger


def test_filters_select_events_and_claims(ledger):
    q = build_query(ledger, Filters(actors=("Washington",)))
    assert [e.id for e in select_events(ledger, q)] == ["surge"]
    assert [c.id for c in select_claims(ledger, q)] == ["c-sadr", "c-us"]  # by us, or about an event of us
    q = build_query(ledger, Filters(speakers=("sadr",)))
    assert [c.id for c in select_claims(ledger, q)] == ["c-sadr"]
    assert [e.id for e in select_events(ledger, q)] == ["surge"]  # the events Sadr spoke about
    q = build_query(ledger, Filters(tags=("surge",), date_from="2008"))
    assert [c.id for c in select_claims(ledger, q)] == ["c-sadr", "c-us"]  # through the event they are about
    assert [c.id for c in select_claims(ledger, build_query(ledger, Filters()), contested=True)] == ["c-sadr", "c-us"]


def test_query_errors_name_the_field_not_a_flag(ledger):
    with pytest.raises(QueryError) as caught:
        build_query(ledger, Filters(actors=("Sadrr",)))
    assert caught.value.field == "actors" and "--" not in str(caught.value) and "did you mean" in str(caught.value)
    with pytest.raises(QueryError) as caught:
        build_query(ledger, Filters(date_from="2009", date_to="2008"))
    assert caught.value.field == "date_from"


def test_reverse_indexes(ledger):
    assert [c.id for c in ledger.claims_about("surge")] == ["c-us", "c-sadr"]
    assert [c.id for c in ledger.disputed_by("c-us")] == ["c-sadr"] and ledger.disputed_by("c-sadr") == ()
    assert [c.id for c in ledger.claims_by("sadr")] == ["c-sadr"]
    assert ledger.actor_name("us") == "United States" and ledger.actor_name("nobody") == "nobody"


def test_lookup_by_id_and_suggestions(ledger):
    assert find(ledger, "surge") == [("event", ledger.get("event", "surge"))]
    assert similar_ids(ledger, "sruge")[0] == "surge"


@pytest.mark.parametrize("name", listing_formats())
def test_every_listing_format_writes_events_and_claims(ledger, name):
    for made in (listing.events(ledger, list(ledger.events)), listing.claims(ledger, list(ledger.claims))):
        out = io.StringIO()
        write(name, made, out)
        text = out.getvalue()
        assert all(r.id in text for r in made.records), (name, text)


@pytest.mark.parametrize("name", [n for n in export_formats() if FORMATS[n].kinds])
def test_document_formats_refuse_what_they_cannot_write(ledger, name):
    with pytest.raises(ValueError):
        write(name, listing.claims(ledger, list(ledger.claims)), io.StringIO())


def test_reference_grep_looks_at_values_not_column_names(ledger):
    """`iqtl actors --grep aliases` listed every actor, and `tags --grep claims` every tag: the grep
    ran over the row as JSON, keys included."""
    assert reference(ledger, "actor", ["aliases"]).records == []
    assert reference(ledger, "tag", ["claims"]).records == []
    assert [r["id"] for r in reference(ledger, "actor", ["washington"]).records] == ["us"]  # an alias is a value
    assert [r["tag"] for r in reference(ledger, "tag", ["cease"]).records] == ["ceasefire"]


def test_reference_grep_through_the_cli(tmp_path):
    path = tmp_path / "l.toml"
    path.write_text(LEDGER, encoding="utf-8")
    assert run("actors", "--grep", "aliases", "-L", path, "-F", "plain").stdout == ""
    assert run("tags", "--grep", "claims", "-L", path, "-F", "plain").stdout == ""
    assert run("actors", "--grep", "Sadr", "-L", path, "-F", "plain").stdout.startswith("sadr\t")


def test_compare_exit_status_is_diffs(tmp_path):
    """0 the same, 1 different, 2 trouble: a broken ledger was exit 1, as if the sources differed."""
    path = tmp_path / "l.toml"
    path.write_text(LEDGER.replace('disputes = ["c-us"]\n', ""), encoding="utf-8")
    assert run("compare", "paper", "paper", "-L", path, "-F", "plain").exit_code == 0
    broken = tmp_path / "broken.toml"
    broken.write_text(LEDGER.replace('date = "2007-08~"', 'date = "2007-13"'), encoding="utf-8")
    result = run("compare", "paper", "paper", "-L", broken, "-F", "plain")
    assert result.exit_code == 2 and "error(s) in the ledger" in result.stderr
    assert run("compare", "paper", "nope", "-L", path).exit_code == 2
    two = tmp_path / "two.toml"
    two.write_text(LEDGER + '\n[[source]]\nid = "other"\ntitle = "O"\npublisher = "P"\ndate = "2009"\n',
                   encoding="utf-8")
    assert run("compare", "paper", "other", "-L", two, "-F", "plain").exit_code == 1


def test_a_new_format_is_one_module_and_one_line(tmp_path):
    """Register a throwaway format from outside iqtl: the CLI offers it to every listing command and
    to export, names it in the help, and writes with it; the hostile-text sweep iterates the same
    registry (listing_formats(), export_formats())."""
    plugin = tmp_path / "shout.py"
    plugin.write_text(textwrap.dedent('''\
        from iqtl.formats import Format, register


        def write(listing, out, options):
            for row in listing.rows():
                out.write(str(row.get("id", "")).upper() + "\\n")


        register(Format("shout", "shout:write", "ids in capitals"))
    '''), encoding="utf-8")
    ledger = tmp_path / "l.toml"
    ledger.write_text(LEDGER, encoding="utf-8")
    script = textwrap.dedent('''\
        import sys
        import shout  # registers the format before the CLI reads the registry
        from iqtl.formats import export_formats, listing_formats
        assert "shout" in listing_formats() and "shout" in export_formats()
        from iqtl.cli.app import main
        sys.argv = ["iqtl", *sys.argv[1:]]
        main()
    ''')
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}", "COLUMNS": "200"}

    def iqtl(*args):
        return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env,
                              timeout=60)

    assert iqtl("list", "-L", str(ledger), "-F", "shout").stdout == "SURGE\nCEASEFIRE\n"
    assert iqtl("claims", "-L", str(ledger), "-F", "shout").stdout == "C-SADR\nC-US\n"
    assert iqtl("export", "shout", "-L", str(ledger)).stdout == "SURGE\nCEASEFIRE\n"
    assert re.search(r"shout\s+\(ids\s+in\s+capitals\)", iqtl("list", "--help").stdout)
    assert "shout" in iqtl("export", "--help").stdout
    assert iqtl("list", "-L", str(ledger), "-F", "whisper").returncode == 2


def test_readme_library_example_runs(tmp_path, monkeypatch):
    """Every ```python block of README.md's "Library use" runs, from the repository root."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Library use"):]
    section = section[:section.index("\n## ", 3)] if "\n## " in section[3:] else section
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "README's Library use has no python example"
    monkeypatch.chdir(ROOT)
    for block in blocks:
        out = io.StringIO()
        monkeypatch.setattr(sys, "stdout", out)
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})  # noqa: S102 - our own README
        monkeypatch.undo()
        monkeypatch.chdir(ROOT)
        assert out.getvalue(), block
    json.dumps(blocks)


def test_readme_format_table_is_the_registry():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    listed = re.findall(r"^\| `([a-z0-9_-]+)` \| (✓?)[^|]*\| (✓?) \| ([^|]+) \|$", readme, re.M)
    documented = {name: (bool(lst), bool(exp), text.strip()) for name, lst, exp, text in listed if name != "table"}
    assert documented == {f.name: (f.listing, f.export, f.help) for f in FORMATS.values()}


def test_reference_grep_is_every_grep(ledger, tmp_path):
    """The reference lists read --grep as list and claims do: a regular expression, any case,
    letters matching across a hyphen; a bad expression is a usage error."""
    assert [r["id"] for r in reference(ledger, "actor", ["sadr|washington"]).records] == ["sadr", "us"]
    assert [r["tag"] for r in reference(ledger, "tag", ["cease-fire"]).records] == []
    assert [r["tag"] for r in reference(ledger, "tag", ["ceasefire"]).records] == ["ceasefire"]
    path = tmp_path / "l.toml"
    path.write_text(LEDGER, encoding="utf-8")
    assert run("actors", "--grep", "(", "-L", path).exit_code == 2
