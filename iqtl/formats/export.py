"""Rows -> CSV, TSV, JSON, JSON Lines and Markdown, for pipelines and readers."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TextIO

from iqtl.core.edtf import year_label
from iqtl.core.model import Event, Ledger
from iqtl.core.text import (
    FORMULA_PREFIXES,
    escape_invisible_json,
    for_terminal,
    has_unsafe,
    neutralise_formula,
    one_line,
)
from iqtl.reports.rows import LIST_SEPARATOR, STRUCTURED


def _text(value) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


_RISKY_START = frozenset("'" + "".join(FORMULA_PREFIXES))


def write_delimited(rows: Iterable[dict], columns: Sequence[str], out: TextIO, *, delimiter: str = ",",
                    bom: bool = False, raw: bool = False) -> None:
    """CSV (RFC 4180, CRLF) or TSV, quoted as the csv module quotes (QUOTE_MINIMAL, doubled quotes;
    a cell holding CR or LF is always quoted).  Written here because csv.writer looks at every
    character of every cell: 1.0 s for 50 MB, where these joins take 0.2 s.  Free-text cells are
    made safe for people too (cat, less, a spreadsheet): controls escaped visibly, formulas
    neutralised; `raw` leaves them as stored."""
    end = "\r\n" if delimiter == "," else "\n"
    free = () if raw else tuple(i for i, c in enumerate(columns) if c not in STRUCTURED)

    def joined(cells: list[str]) -> str:
        text = delimiter.join(cells)
        # Most rows need no quotes, and one look at the whole row shows it.
        if text.count(delimiter) == len(cells) - 1 and '"' not in text and "\n" not in text and "\r" not in text:
            return text + end if text else '""' + end  # as csv: a lone empty cell is not an empty line
        return delimiter.join([v if not (delimiter in v or '"' in v or "\n" in v or "\r" in v)
                               else '"' + v.replace('"', '""') + '"' for v in cells]) + end

    def line(row: dict) -> str:
        cells = [v if type(v) is str else _text(v) for v in map(row.get, columns)]
        if free:
            whole = "".join(cells)  # one look at the row decides for all its cells; isprintable() is quick
            if not whole.isprintable() and has_unsafe(whole):
                for i in free:
                    cells[i] = for_terminal(cells[i])
            for i in free:
                v = cells[i]
                if v and v[0] in _RISKY_START:
                    cells[i] = neutralise_formula(v)
        return joined(cells)

    if bom:
        out.write("\ufeff")
    out.write(joined(list(columns)))
    out.writelines(map(line, rows))


def dumps(value, indent: int | None = None) -> str:
    """JSON that keeps non-ASCII text readable but escapes every control or invisible
    character (\\u escapes, so nothing is lost) that json.dumps would pass through."""
    import json  # here: `list -F plain` and csv need none of it (2 ms of start-up)

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
