"""Markdown: events as a chronology by year, claims as a list, anything else as a table; sources
as footnotes.  Ledger text is escaped so that it can never become a heading, a list, a link or HTML."""

from __future__ import annotations

import re
from typing import TextIO

from iqtl.core.edtf import year_label
from iqtl.core.model import Event, Ledger
from iqtl.core.text import one_line

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~&])")
# What makes a block of a line's start: a list (`1. x`, `2) x`, `- x`, `+ x`), a quote (`>`), a
# heading underline or a rule (`===`, `---`); a summary is written on a line of its own.
_MD_LINE_START = re.compile(r"^(\s*)(\d{1,9})([.)])|^(\s*)([-+=>])")


def md_escape(value: str) -> str:
    """Ledger text in Markdown is text: no emphasis, links, HTML, entities, headings or lists from it."""
    text = _MD_SPECIAL.sub(r"\\\1", one_line(value).replace("\\n", " ").replace("\\t", " "))
    return _MD_LINE_START.sub(lambda m: f"{m[1]}{m[2]}\\{m[3]}" if m[2] else f"{m[4]}\\{m[5]}", text)


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
        # each link says which way it runs, and whose claim is at the other end
        claim = ledger.by_id("claim")
        for verb, others in (("supports", [claim.get(i) or i for i in cl.supports]),
                             ("supported by", ledger.supported_by(cl.id)),
                             ("disputes", [claim.get(i) or i for i in cl.disputes]),
                             ("disputed by", ledger.disputed_by(cl.id))):
            for other in others:
                if isinstance(other, str):
                    out.write(f"  - {verb} `{other}`\n")
                else:
                    out.write(f"  - {verb} {md_escape(ledger.actor_name(other.speaker))} (`{other.id}`)\n")
    out.write("\n")
    for sid in dict.fromkeys(c.source for c in claims):
        src = ledger.get("source", sid)
        if src:
            out.write(f"[^{sid}]: {md_escape(src.title)}. {md_escape(src.publisher)}.\n")


def write_table(columns, rows, out: TextIO) -> None:
    out.write("| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n")
    for r in rows:
        out.write("| " + " | ".join(md_escape(_cell(r.get(c))) for c in columns) + " |\n")


def _cell(value) -> str:
    if value is None:
        return ""
    return "; ".join(value) if isinstance(value, list) else str(value)


def write(listing, out: TextIO, options) -> None:
    if listing.kind == "event":
        write_markdown(listing.ledger, list(listing.records), out, title=options.title)
    elif listing.kind == "claim":
        write_claims_markdown(listing.ledger, listing.records, out)
    else:
        write_table(listing.brief or listing.columns, listing.rows(), out)
