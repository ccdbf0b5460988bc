"""Output formats: one registry, name -> the function that writes it, imported only when used.

Every format writes a `Listing` (records of one kind, with the columns of their rows) to a text
stream.  Adding a format is one module with a `write`-style function and one `register()` line
below; the CLI's choices and help, the README's table and the hostile-text sweep all read
`FORMATS`.  Nothing here imports Rich: the terminal's tables live in iqtl.terminal.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from iqtl.reports.listing import Listing


@dataclass(frozen=True)
class Options:
    """What a command passes to every format; each format reads the options it has."""

    title: str = "Timeline"  # documents: the page or document title
    bom: bool = False  # CSV/TSV: a UTF-8 byte-order mark first, for Excel
    raw: bool = False  # CSV/TSV: leave cells that look like formulas as they are
    group_by: str | None = None  # TimelineJS: group the busiest actors' or tags' events ("actor", "tag")


Writer = Callable[[Listing, TextIO, Options], "list[str] | None"]  # returns notes for the user, if any


@dataclass(frozen=True)
class Format:
    """One registered output format: its name, where its writer lives, and where it is offered."""

    name: str
    target: str  # "module:function", imported when the format is used
    help: str
    listing: bool = True  # offered by every listing command's --format
    export: bool = True  # offered by `iqtl export`
    kinds: frozenset[str] = field(default_factory=frozenset)  # the listings it can write; empty: all
    # Writes a file (a database), not a text stream: its function takes a path, the CLI needs -o.
    file_only: bool = False
    # Reads more of the ledger than the listed records and every source and actor (claims about an
    # event, who disputes a claim): False lets a listing be answered from the warm index.
    whole_ledger: bool = True

    def writer(self) -> Writer:
        module, _, name = self.target.partition(":")
        return getattr(importlib.import_module(module), name)

    def accepts(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds


FORMATS: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    FORMATS[fmt.name] = fmt
    return fmt


def listing_formats() -> list[str]:
    return [f.name for f in FORMATS.values() if f.listing]


def export_formats() -> list[str]:
    return [f.name for f in FORMATS.values() if f.export]


def write(name: str, listing: Listing, out: TextIO, options: Options = Options()) -> list[str]:
    """Write `listing` as format `name`; returns notes for the user (events left out, ...)."""
    fmt = FORMATS[name]
    if fmt.file_only:
        raise ValueError(f"the {name} format writes a file, not a stream")
    if not fmt.accepts(listing.kind):
        raise ValueError(f"the {name} format cannot write {listing.kind} records")
    return fmt.writer()(listing, out, options) or []


def write_file(name: str, listing: Listing, path, options: Options = Options()) -> list[str]:
    """Write `listing` as the file-only format `name` to the new file `path`; returns notes."""
    fmt = FORMATS[name]
    if not fmt.accepts(listing.kind):
        raise ValueError(f"the {name} format cannot write {listing.kind} records")
    return fmt.writer()(listing, path, options) or []


EVENTS = frozenset({"event"})

register(Format("plain", "iqtl.formats.plain:write", "one line a record, tab-separated (the default in a pipe)",
                export=False, whole_ledger=False))
register(Format("csv", "iqtl.formats.delimited:write_csv", "comma-separated, a header row, RFC 4180",
                whole_ledger=False))
register(Format("tsv", "iqtl.formats.delimited:write_tsv", "tab-separated, a header row", whole_ledger=False))
register(Format("json", "iqtl.formats.jsonfmt:write_json", "one array of objects", whole_ledger=False))
register(Format("jsonl", "iqtl.formats.jsonfmt:write_jsonl", "JSON Lines: one object a line", whole_ledger=False))
register(Format("md", "iqtl.formats.markdown:write", "Markdown: a chronology by year, sources as footnotes"))
register(Format("html", "iqtl.formats.html:write", "one self-contained web page", listing=False, kinds=EVENTS))
register(Format("timelinejs", "iqtl.formats.timelinejs:write", "TimelineJS3 JSON", listing=False, kinds=EVENTS))
register(Format("csl", "iqtl.formats.csl:write", "the cited sources as CSL-JSON, for citation managers",
                listing=False, kinds=EVENTS))
register(Format("annotations", "iqtl.formats.annotations:write", "the verified quotes as W3C Web Annotations "
                "(JSON-LD)", listing=False, kinds=EVENTS))
register(Format("sqlite", "iqtl.formats.sqlite:write", "a SQLite database: a table per kind, link tables, "
                "full-text search (needs -o FILE)", listing=False, kinds=EVENTS, file_only=True))
