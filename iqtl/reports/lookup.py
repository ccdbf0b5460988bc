"""Finding records by id, with suggestions when nothing has it."""

from __future__ import annotations

from iqtl.core.model import LOOKUP_ORDER, Ledger, Record
from iqtl.core.text import suggestions


def find(ledger: Ledger, record_id: str) -> list[tuple[str, Record]]:
    """Every record with this id, as (kind, record), events first: ids are unique within a kind only."""
    return [(kind, rec) for kind in LOOKUP_ORDER if (rec := ledger.get(kind, record_id)) is not None]


def similar_ids(ledger: Ledger, record_id: str, n: int = 3) -> list[str]:
    """Ids close to `record_id` (a typo), then ids that contain it, at most n."""
    every = [r.id for kind in LOOKUP_ORDER for r in ledger.table(kind)]
    close = suggestions(record_id, every, n=n, cutoff=0.5)
    folded = record_id.casefold()
    close += [i for i in every if folded in i and i not in close][: n - len(close)]
    return close
