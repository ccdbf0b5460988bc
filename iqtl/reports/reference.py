"""The reference lists: actors, sources and tags, with how many events and claims each has."""

from __future__ import annotations

import re
from collections.abc import Sequence

from iqtl.core.model import Ledger
from iqtl.query import grep_pattern
from iqtl.reports import rows as cols
from iqtl.reports.listing import Listing, matches_text
from iqtl.reports.listing import rows as listing_of

KINDS = ("actor", "source", "tag")
# (every column, the columns of a table for people, the fields of a plain line)
_SHAPES = {
    "actor": (cols.ACTOR_COLUMNS, ("id", "name", "kind", "role", "events", "claims"),
              ("id", "name", "events", "claims")),
    "source": (cols.SOURCE_COLUMNS, ("id", "date", "title", "publisher", "events", "claims"), ("date", "id", "title")),
    "tag": (cols.TAG_COLUMNS, cols.TAG_COLUMNS, cols.TAG_COLUMNS),
}


def reference(ledger: Ledger, kind: str, grep: Sequence[str | re.Pattern] = (), usage: cols.Usage | None = None
              ) -> Listing:
    """Actors by id, sources by date, tags by name; `grep` keeps rows with a match of any of its
    patterns (text is read as every --grep is: iqtl.query.grep_pattern) in a cell.  `usage`: the
    counts, when they come from elsewhere than the ledger's records (then only its sources and
    actors are read)."""
    usage = usage or cols.Usage(ledger)
    if kind == "actor":
        rows = [cols.actor_row(a, usage) for a in sorted(ledger.actors, key=lambda a: a.id)]
    elif kind == "source":
        by_date = sorted(ledger.sources, key=lambda s: (s.date.sort_key() if s.date else (0, 0), s.id))
        rows = [cols.source_row(s, usage) for s in by_date]
    else:
        rows = cols.tag_rows(usage)
    if grep:
        patterns = [g if isinstance(g, re.Pattern) else grep_pattern(g) for g in grep]
        rows = [r for r in rows if matches_text(r, patterns)]
    columns, brief, plain = _SHAPES[kind]
    return listing_of(kind, rows, columns, plain, brief, ledger)
