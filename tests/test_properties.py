"""Properties over generated valid ledgers (hypothesis): ids as slugs, valid EDTF dates (single and
intervals, years -9999..9999), text of any printable Unicode that `check --strict` accepts.

- export -> import round-trips every record exactly, through JSON, JSON Lines, CSV and TSV;
- every output format of `list` and `claims` (csv, tsv, json, jsonl, plain) reads back to the
  same records;
- `diff A A` is empty (exit 0), and `diff B A` is `diff A B` mirrored (added <-> removed,
  old <-> new, renames reversed).

One case is left out on purpose: a claim whose own date is its source's date.  The exports give
every claim a date (its source's when it has none), so the import reads such a date as "the
source's" (test_import.py::test_a_claim_dated_as_its_source_has_no_date_of_its_own): the claim
comes back without a `date` key of its own, dated the same.

The default setting runs a few dozen ledgers per property; IQTL_HARDENING=long runs hundreds.
"""

from __future__ import annotations

import csv
import io
import json
import re
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iqtl.core.schema import FIELDS
from iqtl.core.text import one_line
from iqtl.ingest import restore_formula
from iqtl.ledgerfile.loader import load_bytes
from iqtl.reports.diff import diff, item_changes
from iqtl.reports.rows import LIST_SEPARATOR, STRUCTURED

from .hardening import LONG, bounded, cli, private_cache, sized, tally  # noqa: F401 - autouse fixtures
from .strategies import ITEM, KINDS, SLUGS, TEXT, edtf_dates, ledgers, optional, toml  # noqa: F401

pytestmark = pytest.mark.hardening  # the slow suite: `-m 'not hardening'` leaves it out

EXPORT = {"source": "sources", "actor": "actors", "event": "list", "claim": "claims"}


def prop_settings(default: int, long: int):
    return settings(max_examples=sized(default, long), deadline=None, derandomize=not LONG,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def loaded(data: bytes, path: str = "generated.toml"):
    result = load_bytes(data, path)
    assert not result.errors, [str(p) for p in result.errors]
    return result.ledger


# ---------------------------------------------------------------- export -> import


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "tsv"])
def test_export_then_import_round_trips_exactly(fmt):
    count = Counter()

    @prop_settings(25, 400)
    @given(ledgers())
    def round_trip(doc):
        data = toml(doc)
        original = loaded(data)
        with tempfile.TemporaryDirectory() as d:
            source = Path(d) / "source.toml"
            source.write_bytes(data)
            target = Path(d) / "target.toml"
            target.write_text("schema = 1\n", encoding="utf-8")
            for kind in KINDS:
                if not original.table(kind):
                    continue
                out = cli(EXPORT[kind], "--format", fmt, "--ledger", str(source))
                assert out.exit_code == 0, out.stderr
                rows = Path(d) / f"{kind}.{fmt}"
                rows.write_bytes(out.stdout_bytes)
                done = cli("import", str(rows), "--ledger", str(target))
                assert done.exit_code == 0, done.stderr
            imported = loaded(target.read_bytes(), str(target))
            for kind in KINDS:
                assert imported.by_id(kind) == original.by_id(kind), kind
            count["ledgers"] += 1
            count["records"] += sum(len(original.table(k)) for k in KINDS)

    round_trip()
    tally(f"round-trip[{fmt}]", **count)


def test_a_quote_before_a_formula_survives_csv():
    """`'=1` is exported `''=1` and imported `'=1` (once read back as `=1`, a formula)."""
    data = (Path(__file__).parent / "fixtures" / "mini.toml").read_bytes().replace(
        b'title = "Paper A"', b"title = \"'=1+1\"").replace(b'name = "Mahdi Army"', b"name = \"''@x\"")
    with tempfile.TemporaryDirectory() as d:
        source, target = Path(d) / "s.toml", Path(d) / "t.toml"
        source.write_bytes(data)
        target.write_text("schema = 1\n", encoding="utf-8")
        for kind in ("source", "actor"):
            rows = Path(d) / f"{kind}.csv"
            rows.write_bytes(cli(EXPORT[kind], "-F", "csv", "--ledger", str(source)).stdout_bytes)
            assert b"''=1+1" in rows.read_bytes() or kind == "actor"
            assert cli("import", str(rows), "--ledger", str(target)).exit_code == 0
        led = loaded(target.read_bytes())
        assert led.get("source", "paper-a").title == "'=1+1" and led.get("actor", "jam").name == "''@x"


# ---------------------------------------------------------------- every format of a listing reads back


def _as_cell(column: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


def test_every_listing_format_reads_back_to_the_same_records():
    seen: Counter = Counter()

    @prop_settings(30, 500)
    @given(ledgers())
    def read_back(doc):
        data = toml(doc)
        loaded(data)
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / "l.toml"
            path.write_bytes(data)
            for command in ("list", "claims", "actors", "sources"):
                def out(fmt, *extra, command=command):
                    result = cli(command, "--format", fmt, *extra, "--ledger", str(path))
                    assert result.exit_code == 0, result.stderr
                    return result.stdout

                reference = json.loads(out("json"))
                assert [json.loads(line) for line in out("jsonl").splitlines()] == reference
                for fmt, delimiter in (("csv", ","), ("tsv", "\t")):
                    for raw in (False, True):
                        text = out(fmt, *(["--raw"] if raw else []))
                        rows = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))
                        assert len(rows) == len(reference)
                        for row, ref in zip(rows, reference, strict=True):
                            assert list(row) == list(ref)
                            for column, cell in row.items():
                                if not raw and column not in STRUCTURED:
                                    cell = restore_formula(cell)
                                assert cell == _as_cell(column, ref[column]), (fmt, raw, column)
                if command in ("list", "claims"):
                    plain = [line.split("\t") for line in out("plain").splitlines()]
                    fields = ("date", "id", "title") if command == "list" else ("date", "id", "speaker", "text")
                    assert plain == [[one_line(r[f] or "") for f in fields] for r in reference]
        seen["ledgers"] += 1
        seen["outputs"] += 4 * 2 + 4 * 2 * 2

    read_back()
    tally("listing-formats", **seen)


# ---------------------------------------------------------------- diff


@st.composite
def ledger_pairs(draw):
    """A ledger and a later version of it: records kept, dropped, changed field by field, renamed
    (same record, new id), copied under a new id, and new ones."""
    a = draw(ledgers(max_records=5))
    b = {"schema": 1, **{k: [] for k in KINDS}}
    # An archive names a file, its hash must match it, and a quote position needs both ends: tests/test_verify.py.
    paired = {"id", "archive", "archive_sha256", "quote_start", "quote_end"}
    fields = {kind: [f for f in FIELDS[kind] if f.name not in paired] for kind in KINDS}
    for kind in KINDS:
        taken = {r["id"] for r in a[kind]}
        for rec in a[kind]:
            fate = draw(st.sampled_from(["keep", "keep", "drop", "change", "rename", "copy"]))
            if fate in ("drop", "rename") and kind in ("source", "actor"):
                fate = "copy"  # every event keeps a source, every claim its speaker
            if fate in ("keep", "copy"):
                b[kind].append(dict(rec))
            if fate in ("rename", "copy"):
                new_id = draw(SLUGS.filter(lambda s, taken=taken: s not in taken))
                taken.add(new_id)
                b[kind].append({**rec, "id": new_id})
            if fate == "change":
                field = draw(st.sampled_from(fields[kind]))
                value = {"date": edtf_dates(), "list of strings": st.lists(ITEM, max_size=3, unique=True),
                         "string": TEXT}[field.type]
                changed = dict(rec)
                if field.ref or field.choices:  # a reference or a choice: another valid one
                    pool = ({"source": [r["id"] for r in a["source"]], "actor": [r["id"] for r in a["actor"]],
                             "event": [r["id"] for r in a["event"]], "claim": [r["id"] for r in a["claim"]]}
                            .get(field.ref, list(field.choices)))
                    pick = st.sampled_from(pool)
                    value = st.lists(pick, min_size=1, max_size=2, unique=True) if field.type != "string" else pick
                changed[field.name] = draw(value)
                b[kind].append(changed)
    return a, repaired(b)


def repaired(doc: dict) -> dict:
    """References to records the new version no longer has are dropped, and none to itself, so
    that it passes `check` as a real next version would."""
    ids = {kind: {r["id"] for r in doc[kind]} for kind in KINDS}
    for ev in doc["event"]:
        ev["related"] = [e for e in ev.get("related") or [] if e in ids["event"] and e != ev["id"]]
    for cl in doc["claim"]:
        cl["about"] = [e for e in cl.get("about") or [] if e in ids["event"]]
        cl["supports"] = [c for c in cl.get("supports") or [] if c in ids["claim"] and c != cl["id"]]
        cl["disputes"] = [c for c in cl.get("disputes") or [] if c in ids["claim"] and c != cl["id"]
                          and c not in cl["supports"]]
    return doc


def mirrored(change) -> tuple:
    if change.change in "+-":
        return ("-" if change.change == "+" else "+", change.kind, change.id, "", "", "")
    if change.field == "id":  # a rename, seen from the other side
        return ("~", change.kind, change.old, "id", change.new, change.old)
    return ("~", change.kind, change.id, change.field, change.new, change.old)


def items(joined: str) -> tuple[str, ...]:
    return tuple(x for x in joined.split(LIST_SEPARATOR) if x)


def mirror_bounds(detail: str) -> str:
    """`start A → B (+n days); end …` as seen from the other side: `start B → A (−n days); …`."""
    if not detail:
        return ""
    parts = []
    for part in detail.split("; "):
        side, rest = part.split(" ", 1)
        if rest == "unchanged":
            parts.append(part)
            continue
        m = re.fullmatch(r"(\S+) → (\S+)(?: \(([+−])(\d+) days\))?", rest)
        assert m, part
        a, b, sign, n = m.groups()
        parts.append(f"{side} {b} → {a}" + (f" ({'−' if sign == '+' else '+'}{n} days)" if sign else ""))
    return "; ".join(parts)


def key(change) -> tuple:
    return (change.change, change.kind, change.id, change.field, change.old, change.new)


def test_diff_reversed_is_the_mirror_image():
    seen: Counter = Counter()

    @prop_settings(60, 3000)
    @given(ledger_pairs())
    def mirror(pair):
        a = load_bytes(toml(pair[0]), "a.toml").ledger
        b = load_bytes(toml(pair[1]), "b.toml").ledger
        assert diff(a, a) == [] and diff(b, b) == []
        forward, backward = diff(a, b), diff(b, a)
        assert Counter(mirrored(c) for c in forward) == Counter(key(c) for c in backward)
        back = {key(c): c for c in backward}
        for c in forward:
            other = back[mirrored(c)]
            if c.change in "+-":
                assert c.detail == other.detail  # the record's label
            elif c.field == "date":
                assert other.detail == mirror_bounds(c.detail), (c.detail, other.detail)
            elif c.field != "id" and any(f.name == c.field and f.type == "list of strings" for f in FIELDS[c.kind]):
                assert other.detail == item_changes(items(c.new), items(c.old)), (c.detail, other.detail)
            else:  # words changed: difflib need not align the two directions alike
                assert (c.detail == "") == (other.detail == "")
        seen["pairs"] += 1
        seen.update("renamed" if c.field == "id" else {"+": "added", "-": "removed"}.get(c.change, "changed")
                    for c in forward)

    mirror()
    assert seen["renamed"] and seen["added"] and seen["removed"] and seen["changed"]
    tally("diff-mirror", **seen)


@prop_settings(15, 300)
@given(ledger_pairs())
def test_diff_command_on_itself_is_empty_and_reverses(pair):
    a_data, b_data = toml(pair[0]), toml(pair[1])
    loaded(b_data, "b.toml")  # a valid next version: the CLI compares valid ledgers only
    with tempfile.TemporaryDirectory() as d:
        a, b = Path(d) / "a.toml", Path(d) / "b.toml"
        a.write_bytes(a_data)
        b.write_bytes(b_data)
        same = cli("diff", str(a), str(a), "--format", "json", "--ledger", str(a))
        assert (same.exit_code, same.stdout) == (0, "[]\n")
        stat = cli("diff", str(b), str(b), "--stat", "--ledger", str(a))
        assert (stat.exit_code, stat.stdout) == (0, "0 added, 0 removed, 0 renamed, 0 changed (0 fields)\n")
        forward = json.loads(cli("diff", str(a), str(b), "--format", "json", "--ledger", str(a)).stdout)
        backward = json.loads(cli("diff", str(b), str(a), "--format", "json", "--ledger", str(a)).stdout)
        mirror = {"+": "-", "-": "+", "~": "~"}
        assert Counter((mirror[c["change"]], c["kind"], c["old"] if c["field"] == "id" else c["id"], c["field"],
                        c["new"], c["old"]) for c in forward) == \
            Counter((c["change"], c["kind"], c["id"], c["field"], c["old"], c["new"]) for c in backward)
        code = cli("diff", str(a), str(b), "--ledger", str(a)).exit_code
        assert code == (1 if forward else 0)


# ---------------------------------------------------------------- iqtl's CSV writer is the csv module's


_CELL = st.text(st.sampled_from(list('ab ,;"\t\n\r\'=+-@é\x1b\u202e')) | st.characters(), max_size=12)


@settings(max_examples=sized(300, 3000), deadline=None)
@given(st.lists(st.lists(_CELL, min_size=1, max_size=4), max_size=5), st.sampled_from([",", "\t"]))
def test_delimited_writer_writes_what_csv_writer_writes(rows, delimiter):
    """formats.delimited.write_delimited joins cells itself for speed; with `raw` (no escaping) its bytes must be
    csv.writer's, and they must read back to the same cells.  (csv leaves a lone CR unquoted in TSV,
    whose lines end in LF; iqtl quotes it, which reads back the same.)"""
    from iqtl.formats.delimited import write_delimited

    width = max((len(r) for r in rows), default=1)
    columns = [f"c{i}" for i in range(width)]
    rows = [r + [""] * (width - len(r)) for r in rows]
    ours = io.StringIO()
    write_delimited([list(r) for r in rows], columns, ours, delimiter=delimiter, raw=True)
    theirs = io.StringIO()
    csv.writer(theirs, delimiter=delimiter, lineterminator="\r\n" if delimiter == "," else "\n").writerows(
        [columns, *rows])
    if not (delimiter == "\t" and any("\r" in c for r in rows for c in r)):
        assert ours.getvalue() == theirs.getvalue()
    assert list(csv.reader(io.StringIO(ours.getvalue(), newline=""), delimiter=delimiter)) == [columns, *rows]
