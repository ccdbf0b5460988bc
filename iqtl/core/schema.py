"""Ledger format version 1: the fields of each table, their types and which are required."""

from __future__ import annotations

import re
from dataclasses import dataclass

SLUG = re.compile(r"[a-z0-9][a-z0-9-]*")

STR, LIST, DATE, INT = "string", "list of strings", "date", "integer"


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a record kind: its type, whether it is required, what it refers to or may hold."""

    name: str
    type: str  # STR, LIST, DATE or INT
    required: bool = False
    ref: str = ""  # table the value(s) refer to
    choices: tuple[str, ...] = ()


FIELDS: dict[str, tuple[Field, ...]] = {
    "source": (
        Field("id", STR, True),
        Field("title", STR, True),
        Field("publisher", STR, True),
        Field("date", DATE, True),
        Field("author", STR),
        Field("url", STR),
        # The article's text as retrieved: a path relative to the ledger file, its SHA-256 (hex), the day.
        Field("archive", STR),
        Field("archive_sha256", STR),
        Field("retrieved", DATE),
        Field("type", STR),
        Field("note", STR),
    ),
    "actor": (
        Field("id", STR, True),
        Field("name", STR, True),
        Field("aliases", LIST),
        Field("kind", STR, choices=("person", "group", "state", "institution")),
        Field("role", STR),
        Field("note", STR),
    ),
    "event": (
        Field("id", STR, True),
        Field("date", DATE, True),
        Field("title", STR, True),
        Field("summary", STR, True),
        Field("sources", LIST, True, ref="source"),
        Field("date_note", STR),
        Field("actors", LIST, ref="actor"),
        Field("places", LIST),
        Field("tags", LIST),
        Field("related", LIST, ref="event"),
    ),
    "claim": (
        Field("id", STR, True),
        Field("text", STR, True),
        Field("speaker", STR, True, ref="actor"),
        Field("source", STR, True, ref="source"),
        Field("date", DATE),
        Field("date_note", STR),
        Field("kind", STR, choices=("quote", "paraphrase", "assessment")),
        Field("about", LIST, ref="event"),
        Field("supports", LIST, ref="claim"),
        Field("disputes", LIST, ref="claim"),
        Field("note", STR),
        # Where a quote is in its source's archive (W3C TextQuoteSelector prefix/suffix, TextPositionSelector
        # start/end in code points): what tells apart a quote the article prints more than once.
        Field("quote_prefix", STR),
        Field("quote_suffix", STR),
        Field("quote_start", INT),
        Field("quote_end", INT),
    ),
}

FIELD_BY_NAME = {kind: {f.name: f for f in fields} for kind, fields in FIELDS.items()}
TOP_LEVEL = ("schema", "source", "actor", "event", "claim")


def is_slug(value: str) -> bool:
    return SLUG.fullmatch(value) is not None
