"""Outside data -> raw ledger records: rows of the CSV/TSV/JSON/JSONL exports (each with the line
it came from, for errors), option values of `iqtl add`, and ids for records given none.

A raw record is the dict that becomes one `[[kind]]` table: fields in schema order, empty
optional fields left out.  Whether it is right is for the loader to say, in the context of
the whole ledger; this module only refuses what cannot become a record at all.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from iqtl.core import edtf
from iqtl.core.model import Ledger, Record
from iqtl.core.schema import FIELD_BY_NAME, FIELDS, INT, LIST
from iqtl.core.text import FORMULA_PREFIXES, did_you_mean, one_line
from iqtl.query import actor_name_index
from iqtl.reports.rows import ACTOR_COLUMNS, CLAIM_COLUMNS, EVENT_COLUMNS, SOURCE_COLUMNS, STRUCTURED

FORMATS = ("csv", "tsv", "json", "jsonl")
EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl"}
COLUMNS = {"event": EVENT_COLUMNS, "claim": CLAIM_COLUMNS, "source": SOURCE_COLUMNS, "actor": ACTOR_COLUMNS}
# Columns the exports compute from other fields: read past, never stored.
DERIVED = {"event": {"start", "end", "precision"}, "claim": {"start", "end", "speaker_name"},
           "source": {"start", "end", "events", "claims"}, "actor": {"events", "claims"}}


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line in the input file; 0 when the file as a whole is at fault
    message: str

    def render(self, name: str) -> str:
        where = f"{name}:{self.line}" if self.line else name
        return one_line(f"{where}: error: {self.message}")


@dataclass
class Row:
    line: int
    cells: dict


@dataclass
class Table:
    columns: list[str] = field(default_factory=list)
    header_line: int = 0  # CSV/TSV: the line of the header row; JSON has none
    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# ---------------------------------------------------------------- reading files


def format_of(name: str) -> str | None:
    for ext, fmt in EXTENSIONS.items():
        if name.lower().endswith(ext):
            return fmt
    return None


def read_table(data: bytes, fmt: str) -> Table:
    """Rows as dicts of column -> cell, each with its first line.  Never raises for bad input."""
    try:
        text = data.decode("utf-8-sig")  # `--bom` exports start with one
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return Table(errors=[RowError(line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8")])
    if fmt in ("csv", "tsv"):
        return _read_delimited(text, "," if fmt == "csv" else "\t")
    if fmt == "json":
        return _read_json(text)
    return _read_jsonl(text)


MAX_CELL = 1 << 30  # csv's default limit is 128 KB, and iqtl's own export writes longer cells


def _read_delimited(text: str, delimiter: str) -> Table:
    table = Table()
    if csv.field_size_limit() < MAX_CELL:
        csv.field_size_limit(MAX_CELL)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    while True:
        first = reader.line_num + 1  # a quoted cell may span lines: a row starts after the last
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            table.errors.append(RowError(first, f"cannot read this row: {exc}"))
            break
        if not cells or cells == [""]:
            continue  # blank line
        if header is None:
            header = [c.strip() for c in cells]
            table.columns, table.header_line = header, first
            twice = sorted({c for c in header if header.count(c) > 1})
            if twice:  # zip() into a dict would keep the last cell of each and drop the others unseen
                table.errors.append(RowError(first, "the header names a column twice: " + ", ".join(twice)))
                return table
            continue
        if len(cells) != len(header):
            table.errors.append(RowError(first, f"{len(cells)} cells where the header has {len(header)}"))
            continue
        table.rows.append(Row(first, dict(zip(header, cells, strict=True))))
    return table


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _read_json(text: str) -> Table:
    """A JSON array of objects, read element by element to know each one's line."""
    table = Table()
    decoder = json.JSONDecoder(object_pairs_hook=_Object)
    ws = re.compile(r"\s*")
    pos = ws.match(text).end()
    if not text.startswith("[", pos):
        table.errors.append(RowError(_line_at(text, pos), "expected a JSON array of objects, as `--format json` "
                                     "writes"))
        return table
    pos = ws.match(text, pos + 1).end()
    if text.startswith("]", pos):
        return _end_of_json(text, pos + 1, table)
    while True:
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            table.errors.append(RowError(exc.lineno, f"JSON: {exc.msg}"))
            return table
        except (RecursionError, ValueError) as exc:
            table.errors.append(RowError(_line_at(text, pos), _json_limit(exc)))
            return table
        _add_object(table, value, _line_at(text, pos))
        pos = ws.match(text, end).end()
        if text.startswith(",", pos):
            pos = ws.match(text, pos + 1).end()
        elif text.startswith("]", pos):
            return _end_of_json(text, pos + 1, table)
        else:
            table.errors.append(RowError(_line_at(text, pos), "JSON: expected ',' or ']' after an object"))
            return table


def _end_of_json(text: str, pos: int, table: Table) -> Table:
    if text[pos:].strip():
        table.errors.append(RowError(_line_at(text, pos), "JSON: text after the closing ']'"))
    return table


def _read_jsonl(text: str) -> Table:
    table = Table()
    # Lines end at LF (or CRLF) only: JSON strings may hold U+2028, U+0085 and the like unescaped.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line, object_pairs_hook=_Object)
        except json.JSONDecodeError as exc:
            table.errors.append(RowError(number, f"JSON: {exc.msg} (column {exc.colno})"))
            continue
        except (RecursionError, ValueError) as exc:
            table.errors.append(RowError(number, _json_limit(exc)))
            continue
        _add_object(table, value, number)
    return table


class _Object(dict):
    """A JSON object that remembers the keys it was given twice (json keeps the last silently)."""

    def __init__(self, pairs):
        super().__init__(pairs)
        self.twice: list[str] = []
        if len(self) < len(pairs):
            seen: set[str] = set()
            self.twice = sorted({k for k, _ in pairs if k in seen or seen.add(k)})


def _json_limit(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "JSON: arrays or objects nested too deeply"
    return f"JSON: {str(exc).split(';')[0]}"  # e.g. an integer of over 4,300 digits


_SURROGATE = re.compile("[\ud800-\udfff]")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _add_object(table: Table, value, line: int) -> None:
    if not isinstance(value, dict):
        table.errors.append(RowError(line, f"expected a JSON object, not {_json_type(value)}"))
        return
    if getattr(value, "twice", None):
        table.errors.append(RowError(line, "the object gives a key twice: " + ", ".join(value.twice)))
        return
    for key, cell in value.items():
        if any(_SURROGATE.search(s) for s in _strings(cell)) or _SURROGATE.search(key):
            table.errors.append(RowError(line, f"{key!r} holds a lone surrogate (a \\ud800-\\udfff escape "
                                         "that is not half of a pair): not text"))
            return
    for key in value:
        if key not in table.columns:
            table.columns.append(key)
    table.rows.append(Row(line, value))


def _json_type(value) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "true/false", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def detect_kind(columns: Iterable[str]) -> str | None:
    """What the exports' columns say a file holds: only events have a summary, only claims a
    speaker, only sources a publisher, only actors a name."""
    cols = set(columns)
    if {"title", "summary"} <= cols:
        return "event"
    if {"speaker", "text"} <= cols:
        return "claim"
    if "publisher" in cols:
        return "source"
    if "name" in cols:
        return "actor"
    return None


def header_errors(kind: str, table: Table) -> list[RowError]:
    """A misspelt column would silently lose its data: every column must be one the exports
    write.  Said once at the header of a CSV/TSV (a JSON row is checked on its own)."""
    if not table.header_line:
        return []
    known = COLUMNS[kind]
    errors = [RowError(table.header_line, f"unknown column {c!r} for {kind}s" + did_you_mean(c, known))
              for c in table.columns if c not in known]
    twice = sorted({c for c in table.columns if table.columns.count(c) > 1})
    errors += [RowError(table.header_line, f"column {c!r} appears more than once") for c in twice]
    return errors


# ---------------------------------------------------------------- rows -> records


def restore_formula(value: str) -> str:
    """Undo the export's CSV-injection guard: "'=1+1" was "=1+1", and "''=1+1" was "'=1+1"."""
    if value.startswith("'") and value.lstrip("'").startswith(FORMULA_PREFIXES):
        return value[1:]
    return value


def split_list(value: str) -> list[str]:
    # The exports join with "; "; a hand edit may write "a;b" or "a ; b".
    return [item.strip() for item in value.split(";") if item.strip()]


def row_record(kind: str, row: Row, ledger: Ledger, *, restore: bool) -> tuple[dict | None, list[RowError]]:
    """One row -> a raw record.  `restore`: undo the CSV export's formula guard."""
    errors: list[RowError] = []
    values: dict = {}
    for column, cell in row.cells.items():
        if column in DERIVED[kind]:
            continue
        spec = FIELD_BY_NAME[kind].get(column)
        if spec is None:
            if column in COLUMNS[kind]:
                continue
            errors.append(RowError(row.line, f"unknown column {column!r} for {kind}s"
                                   + did_you_mean(column, COLUMNS[kind])))
            continue
        if spec.type == INT:
            value = _int_cell(column, cell)
        else:
            value = _cell_value(column, cell, spec.type == LIST, restore and column not in STRUCTURED)
        if isinstance(value, RowError):
            errors.append(RowError(row.line, value.message))
        else:
            values[column] = value
    if errors:
        return None, errors
    if kind == "claim":
        _drop_inherited_date(values, ledger)
    return make_record(kind, values), []


def _cell_value(column: str, cell, is_list: bool, restore: bool):
    if cell is None:
        return [] if is_list else ""
    if is_list and isinstance(cell, list):
        bad = [v for v in cell if not isinstance(v, str)]
        if bad:
            return RowError(0, f"column {column!r}: list items must be text, not {_json_type(bad[0])}")
        return [restore_formula(v) if restore else v for v in cell]
    if not isinstance(cell, str):
        expected = "text or a list of text" if is_list else "text"
        return RowError(0, f"column {column!r}: expected {expected}, not {_json_type(cell)}")
    if restore:
        cell = restore_formula(cell)
    return split_list(cell) if is_list else cell


def _int_cell(column: str, cell):
    """A whole number of 0 or more (a quote's position): JSON's number, or CSV's digits; empty is none."""
    if cell is None or cell == "":
        return None
    if type(cell) is int and cell >= 0:
        return cell
    if isinstance(cell, str) and cell.strip().isascii() and cell.strip().isdigit():
        return int(cell.strip())
    return RowError(0, f"column {column!r}: expected a whole number, not {one_line(str(cell))[:40]!r}")


def _drop_inherited_date(values: dict, ledger: Ledger) -> None:
    """The exports give every claim a date, its source's when it has none of its own: a date
    equal to the source's is read as "no date of its own", so export -> import round-trips."""
    source = ledger.get("source", values.get("source", ""))
    if source is not None and source.date is not None and values.get("date") == source.date.text:
        del values["date"]


def make_record(kind: str, values: dict) -> dict:
    """Fields in schema order; empty optional fields and blank list items are left out.  A required
    field is kept even when empty, so that the check says "is empty" rather than nothing at all."""
    record = {}
    for spec in FIELDS[kind]:
        value = values.get(spec.name)
        if spec.type == LIST and isinstance(value, list | tuple):
            value = [v for v in value if not isinstance(v, str) or v.strip()]  # `--tag ""` is no tag
        if value is None or value == "" or value == []:
            if not spec.required:
                continue
            value = [] if spec.type == LIST else ""
        record[spec.name] = list(value) if spec.type == LIST else value
    return record


def comparable(kind: str, record: dict, ledger: Ledger) -> dict:
    """A raw record as `--update` compares it: defaults and inherited dates do not count."""
    values = dict(record)
    if kind == "claim":
        if values.get("kind") == "quote":
            del values["kind"]
        _drop_inherited_date(values, ledger)
    return make_record(kind, values)


def record_values(kind: str, rec: Record) -> dict:
    """A loaded record back to raw values (a claim's date only when it is its own)."""
    values = {}
    for spec in FIELDS[kind]:
        value = getattr(rec, spec.name)
        if isinstance(value, edtf.EDTF):
            value = value.text if kind != "claim" or rec.own_date else ""
        values[spec.name] = list(value) if isinstance(value, tuple) else value
    return make_record(kind, values)


def differences(kind: str, record: dict, existing: Record, ledger: Ledger) -> list[str]:
    new, old = comparable(kind, record, ledger), comparable(kind, record_values(kind, existing), ledger)
    return [name for name in (s.name for s in FIELDS[kind]) if new.get(name) != old.get(name)]


# ---------------------------------------------------------------- ids

STOP_WORDS = frozenset("""
a an the of in on at to for from by with without and or nor but as is are was were be been being has have had
its it his her their them they he she we our this that these those into onto over under after before about
against between during through than then so not no new says said declares announces tells calls will would
i me my you your him
""".split())
MAX_WORDS = 3
MAX_ID = 60


def _words(text: str, *, split_hyphens: bool = False) -> list[str]:
    """Lower-case ASCII words: "Sadr's cease-fire" -> ["sadr", "ceasefire"] ("al-Sadr" stays one
    word unless split_hyphens, as a name's parts are words of their own)."""
    plain = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    if split_hyphens:
        plain = re.sub(r"[-‐‑‒–—]", " ", plain)
    words = []
    for token in plain.split():
        token = re.sub(r"['’]s$", "", token)
        word = re.sub(r"[^a-z0-9]", "", token)
        if word:
            words.append(word)
    return words


def _significant(text: str, n: int = MAX_WORDS) -> list[str]:
    return [w for w in _words(text) if w not in STOP_WORDS][:n]


def _date_prefix(text: str) -> str:
    """"2007-08~" -> "2007-08"; "2007" -> "2007"; an interval by its start: "1980/1988" -> "1980"."""
    try:
        date = edtf.parse(text)
    except edtf.EDTFError:
        return ""
    part = (date.start or date.end) if date.is_interval else date
    if part is None or part.earliest in (edtf.NEG_INF, edtf.POS_INF):
        return ""
    year, month, _ = edtf.civil_from_days(part.earliest)
    if year <= 0:
        return f"{1 - year}bce"
    return f"{year:04d}-{month:02d}" if part.precision in ("day", "month") else f"{year:04d}"


def _slug(parts: Iterable[str]) -> str:
    slug = "-".join(p for p in parts if p)
    return slug[:MAX_ID].rstrip("-")


def base_id(kind: str, record: dict) -> str:
    """An id from what the record says, after the ledger's own conventions:
    events `2007-08-sadr-ceasefire`, claims `c-sadr-more-control`, sources `nation-2008`,
    actors `muqtada-al-sadr`."""
    if kind == "event":
        slug = _slug([_date_prefix(record.get("date", "")), *_significant(record.get("title", ""))])
    elif kind == "claim":
        speaker = _words(record.get("speaker", ""), split_hyphens=True)  # an id, but perhaps not yet
        slug = _slug(["c", *speaker, *_significant(record.get("text", ""))])
    elif kind == "source":
        prefix = _date_prefix(record.get("date", ""))[:4]
        slug = _slug([*_significant(record.get("publisher", ""), 2), prefix])
    else:
        slug = _slug(_words(record.get("name", ""), split_hyphens=True)[:4])
    return slug if slug and slug != "c" else kind


def unique_id(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def with_id(kind: str, record: dict, taken: set[str]) -> dict:
    """The record with an id first: its own, else a new one not in `taken`."""
    if record.get("id"):
        return record
    rid = unique_id(base_id(kind, record), taken)
    return {"id": rid, **{k: v for k, v in record.items() if k != "id"}}


# ---------------------------------------------------------------- names


def resolve_actor(ledger: Ledger, name: str, option: str) -> str:
    """An actor id for an id, name or alias (any case), as the filters read them; ambiguity is an
    error here, since a stored reference must name exactly one actor.  Raises ValueError."""
    if ledger.get("actor", name) is not None:
        return name
    from iqtl.core.text import fold, suggestions

    folded = fold(name.strip())
    names, shown = actor_name_index(ledger)
    ids = sorted(names.get(folded, ()))
    if len(ids) == 1:
        return ids[0]
    if ids:
        raise ValueError(f"{option} {name!r} names {len(ids)} actors ({', '.join(ids)}): give the id")
    close = suggestions(folded, names, n=1)
    hint = f" (did you mean {shown[close[0]]!r}?)" if close else ""
    raise ValueError(f"{option} {name!r}: no actor has that id, name or alias{hint}")


# ---------------------------------------------------------------- add: option values -> one record


def resolve_names(kind: str, values: dict, ledger: Ledger) -> list[tuple[str, str, str]]:
    """Actor names to ids in place.  Returns (field, name, message) for each name that names no one
    (or several): the name is left as given, so the rest of the record is still checked."""
    unresolved: list[tuple[str, str, str]] = []
    fields = {"event": ("actors", "--actor"), "claim": ("speaker", "--speaker")}
    if kind not in fields:
        return unresolved
    name, option = fields[kind]
    given = values.get(name)
    resolved = []
    for value in [given] if isinstance(given, str) else given or []:
        try:
            resolved.append(resolve_actor(ledger, value, option))
        except ValueError as exc:
            unresolved.append((name, value, str(exc)))
            resolved.append(value)
    if given:
        values[name] = resolved[0] if isinstance(given, str) else list(dict.fromkeys(resolved))
    return unresolved


def echoes(message: str, code: str, unresolved: list[tuple[str, str, str]]) -> bool:
    """The check's "refers to unknown actor" for a name already reported, better, as unresolved."""
    return code == "unknown-reference" and any(
        f"{name} refers to unknown actor {value!r}" in message for name, value, _ in unresolved)


# ---------------------------------------------------------------- import: rows -> records, or reasons


_FIRST_AT = re.compile(r"\(first defined at line (\d+)\)")


@dataclass
class ImportPlan:
    """What an import would add, and what it has to say: (line, message) pairs, errors and notes."""

    kind: str
    pending: list[tuple[Row, dict]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)

    @property
    def records(self) -> list[tuple[str, dict]]:
        return [(self.kind, record) for _, record in self.pending]

    def place(self, findings, name: str, first_lines: list[int] | None = None) -> None:
        """The writer's findings about the planned records, each put on the line its row came from.
        `first_lines` (the line of the would-be ledger each record starts on) turns a line of the
        would-be ledger quoted in a message into the row it came from, or a line of the ledger."""
        import bisect

        def where(m: re.Match) -> str:
            at = int(m.group(1))
            if not first_lines or at < first_lines[0]:
                return f"(first defined at line {at} of the ledger)"
            row = self.pending[bisect.bisect_right(first_lines, at) - 1][0]
            return f"(first given on line {row.line} of {name})"

        for finding in findings:
            line = self.pending[finding.record][0].line if finding.record is not None else 0
            problem = finding.problem
            text = _FIRST_AT.sub(where, problem.message) if line else problem.message
            message = f"{name}:{line}: {problem.severity}: {text}" if line else str(problem)
            (self.errors if problem.severity == "error" else self.notes).append((line, message))


def plan_import(kind: str, table: Table, name: str, ledger: Ledger, *, update: bool, restore: bool) -> ImportPlan:
    """Every row checked on its own and against the ledger: new rows pending (with ids made for
    those given none), rows already in the ledger skipped, or with `update` an error when they
    differ: iqtl never overwrites."""
    plan = ImportPlan(kind, errors=[(e.line, e.render(name)) for e in table.errors])
    for row in table.rows:
        record, row_errors = row_record(kind, row, ledger, restore=restore)
        plan.errors += [(e.line, e.render(name)) for e in row_errors]
        if record is None:
            continue
        existing = ledger.get(kind, record["id"]) if record["id"] else None
        if existing is None:
            plan.pending.append((row, record))
            continue
        diff = differences(kind, record, existing, ledger)
        if diff and update:
            plan.errors.append((row.line, f"{name}:{row.line}: error: {kind} {record['id']!r} is already in the "
                                f"ledger with a different {', '.join(diff)}; iqtl never overwrites: edit the "
                                "ledger by hand"))
        else:
            differs = f" (it differs in {', '.join(diff)}; --update reports that as an error)" if diff else ""
            plan.notes.append((row.line, f"{name}:{row.line}: skipped: {kind} {record['id']!r} is already in the "
                               f"ledger{differs}"))
    taken = set(ledger.by_id(kind)) | {r["id"] for _, r in plan.pending if r["id"]}
    for i, (row, record) in enumerate(plan.pending):
        if not record["id"]:
            plan.pending[i] = (row, with_id(kind, record, taken))
            taken.add(plan.pending[i][1]["id"])
    return plan
