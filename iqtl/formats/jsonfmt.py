"""JSON (one array of objects) and JSON Lines (one object a line), with the CSV's columns."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TextIO

from iqtl.core.text import escape_invisible_json


def dumps(value, indent: int | None = None) -> str:
    """JSON that keeps non-ASCII text readable but escapes every control or invisible
    character (\\u escapes, so nothing is lost) that json.dumps would pass through."""
    import json  # here: `list -F plain` and csv need none of it (2 ms of start-up)

    return escape_invisible_json(json.dumps(value, ensure_ascii=False, indent=indent))


def write_json_rows(rows: Iterable[dict], columns: Sequence[str], out: TextIO) -> None:
    out.write(dumps([{c: row.get(c) for c in columns} for row in rows], indent=2))
    out.write("\n")


def write_jsonl_rows(rows: Iterable[dict], columns: Sequence[str], out: TextIO) -> None:
    for row in rows:
        out.write(dumps({c: row.get(c) for c in columns}))
        out.write("\n")


def write_json(listing, out: TextIO, options) -> None:
    write_json_rows(listing.rows(), listing.columns, out)


def write_jsonl(listing, out: TextIO, options) -> None:
    write_jsonl_rows(listing.rows(), listing.columns, out)
