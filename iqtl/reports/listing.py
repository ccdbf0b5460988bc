"""Listings: what a command selected, as records plus the way to turn each into a row.  Every
output format (iqtl.formats) and the terminal's tables take one; building them is the reports'
job, so the CLI only chooses and prints."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from iqtl.core.model import Claim, Event, Ledger
from iqtl.reports import rows as cols


@dataclass(frozen=True)
class Listing:
    """What a command selected, ready for any format.

    `row` turns a record into the flat dict of `columns` (the CSV/JSON interface); `plain` gives
    the few fields of the one-line plain form.  `whole` says the selection is the whole ledger
    (a CSL export then lists every source, not only the cited ones)."""

    kind: str  # "event", "claim", "actor", "source", "tag", "change", "comparison"
    records: Sequence[Any]
    columns: Sequence[str]
    row: Callable[[Any], dict]
    plain: Callable[[Any], Sequence[str]]
    ledger: Ledger | None = None
    whole: bool = False
    brief: Sequence[str] = ()  # the columns a table for people shows (Markdown); empty: all of them
    # The row as text cells in column order (lists joined, None as ""), made without the dict: what
    # CSV and TSV write.  None: taken from row().
    cells: Callable[[Any], list[str]] | None = None

    def rows(self) -> Iterable[dict]:
        return map(self.row, self.records)

    def text_cells(self) -> Iterable[list[str]]:
        """Each record's cells as text, in column order (see `cells`)."""
        if self.cells is not None:
            return map(self.cells, self.records)
        columns = self.columns
        return ([cols.cell_text(row.get(c)) for c in columns] for row in self.rows())


def _event_plain(ev: Event) -> tuple[str, str, str]:
    return (ev.date.text if ev.date else "", ev.id, ev.title)


def _claim_plain(cl: Claim) -> tuple[str, str, str, str]:
    return (cl.date.text if cl.date else "", cl.id, cl.speaker, cl.text)


def events(ledger: Ledger, selected: Sequence[Event], whole: bool = False) -> Listing:
    return Listing("event", selected, cols.EVENT_COLUMNS, cols.event_row, _event_plain, ledger, whole,
                   cells=cols.event_cells)


def claims(ledger: Ledger, selected: Sequence[Claim]) -> Listing:
    return Listing("claim", selected, cols.CLAIM_COLUMNS, lambda cl: cols.claim_row(ledger, cl), _claim_plain, ledger,
                   cells=lambda cl: cols.claim_cells(ledger, cl))


def _picker(columns: Sequence[str]) -> Callable[[dict], tuple]:
    return lambda row: tuple(row[c] for c in columns)


def rows(kind: str, rows_: Sequence[dict], columns: Sequence[str], plain: Sequence[str],
         brief: Sequence[str] = (), ledger: Ledger | None = None) -> Listing:
    """A listing of rows that are already dicts (reference lists, diff changes, comparisons)."""
    return Listing(kind, rows_, columns, dict, _picker(plain), ledger, brief=brief)


def matches_text(row: dict, patterns: Iterable[re.Pattern]) -> bool:
    """Any of the patterns (iqtl.query.grep_pattern, as every --grep) in a text cell of the row:
    values only, never the column names, so that `--grep aliases` does not match every actor."""
    cells = [v for v in row.values() if isinstance(v, str)]
    cells += [item for v in row.values() if isinstance(v, list) for item in v]
    blob = "\n".join(cells)
    return any(p.search(blob) for p in patterns)
