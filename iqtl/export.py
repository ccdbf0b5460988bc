"""Rows -> CSV, TSV, JSON, JSON Lines and Markdown, for pipelines and readers."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Sequence
from typing import TextIO

from .edtf import year_label
from .model import Event, Ledger
from .rows import LIST_SEPARATOR, STRUCTURED
from .text import escape_invisible_json, for_terminal, neutralise_formula, one_line


def _text(value) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


def _safe_text(value) -> str:
    # A CSV is read by people too (cat, less, a spreadsheet): escape controls visibly.
    value = _text(value)
    return neutralise_formula(for_terminal(value)) if value else value


def write_delimited(rows: Iterable[dict], columns: Sequence[str], out: TextIO, *, delimiter: str = ",",
                    bom: bool = False, raw: bool = False) -> None:
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n" if delimiter == "," else "\n")
    writer.writerow(columns)
    cells = [(c, _text if raw or c in STRUCTURED else _safe_text) for c in columns]
    writer.writerows([convert(row.get(c)) for c, convert in cells] for row in rows)


def dumps(value, indent: int | None = None) -> str:
    """JSON that keeps non-ASCII text readable but escapes every control or invisible
    character (\\u escapes, so nothing is lost) that json.dumps would pass through."""
    return escape_invisible_json(json.dumps(value, ensure_ascii=False, indent=indent))


def write_json(rows: Iterable[dict], columns: Sequence[str], out: TextIO) -> None:
    out.write(dumps([{c: row.get(c) for c in columns} for row in rows], indent=2))
    out.write("\n")


def write_jsonl(rows: Iterable[dict], columns: Sequence[str], out: TextIO) -> None:
    for row in rows:
        out.write(dumps({c: row.get(c) for c in columns}))
        out.write("\n")


def write_rows(fmt: str, rows: Iterable[dict], columns: Sequence[str], out: TextIO, *, bom: bool = False,
               raw: bool = False) -> None:
    if fmt == "csv":
        write_delimited(rows, columns, out, bom=bom, raw=raw)
    elif fmt == "tsv":
        write_delimited(rows, columns, out, delimiter="\t", bom=bom, raw=raw)
    elif fmt == "json":
        write_json(rows, columns, out)
    elif fmt == "jsonl":
        write_jsonl(rows, columns, out)
    else:
        raise ValueError(fmt)


# ---------------------------------------------------------------- plain: one line a record, tab-separated


def plain_line(*fields: str) -> str:
    return "\t".join(one_line(f) for f in fields) + "\n"


def plain_event(ev: Event) -> str:
    return plain_line(ev.date.text if ev.date else "", ev.id, ev.title)


def plain_claim(cl) -> str:
    return plain_line(cl.date.text if cl.date else "", cl.id, cl.speaker, cl.text)


# ---------------------------------------------------------------- Markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def md_escape(value: str) -> str:
    """Ledger text in Markdown is text: no emphasis, links, HTML or headings from it."""
    return _MD_SPECIAL.sub(r"\\\1", one_line(value).replace("\\n", " ").replace("\\t", " "))


def write_markdown(ledger: Ledger, events: list[Event], out: TextIO, title: str = "Timeline") -> None:
    """A chronology grouped by year, each event's sources as footnotes."""
    out.write(f"# {md_escape(title)}\n")
    cited: dict[str, None] = {}
    year = None
    for ev in events:
        y = year_label(ev.date)
        if y != year:
            out.write(f"\n## {y}\n\n")
            year = y
        date = ev.date.display if ev.date else "undated"
        notes = "".join(f"[^{s}]" for s in ev.sources)
        cited.update(dict.fromkeys(ev.sources))
        out.write(f"- **{md_escape(date)}** — {md_escape(ev.title)} (`{ev.id}`){notes}")
        if ev.summary:
            out.write(f"  \n  {md_escape(ev.summary)}")
        out.write("\n")
    if cited:
        out.write("\n")
    for sid in cited:
        src = ledger.get("source", sid)
        if src is None:
            continue
        parts = [md_escape(src.title), md_escape(src.publisher)]
        if src.date:
            parts.append(md_escape(src.date.display))
        if src.url:
            parts.append(f"<{src.url}>" if re.fullmatch(r"https?://[^\s<>]+", src.url) else md_escape(src.url))
        out.write(f"[^{sid}]: {'. '.join(p for p in parts if p)}.\n")


def write_claims_markdown(ledger: Ledger, claims, out: TextIO) -> None:
    out.write("# Claims\n\n")
    for cl in claims:
        speaker = ledger.get("actor", cl.speaker)
        who = speaker.name if speaker else cl.speaker
        date = cl.date.display if cl.date else "undated"
        out.write(f"- **{md_escape(who)}**, {md_escape(date)} (`{cl.id}`)[^{cl.source}]: "
                  f"“{md_escape(cl.text)}”\n")
        for d in cl.disputes:
            out.write(f"  - disputes `{d}`\n")
        for s in cl.supports:
            out.write(f"  - supports `{s}`\n")
    out.write("\n")
    for sid in dict.fromkeys(c.source for c in claims):
        src = ledger.get("source", sid)
        if src:
            out.write(f"[^{sid}]: {md_escape(src.title)}. {md_escape(src.publisher)}.\n")
