"""Semantic differences between two ledgers: records matched by kind and id, field by field.

A removed and an added record identical but for the id are a rename; a changed date says
how its bounds moved; long text says which words changed; lists say which items.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, fields

from iqtl.core.edtf import EDTF, NEG_INF, POS_INF, iso_day
from iqtl.core.model import KINDS, Actor, Claim, Event, Ledger, Record, Source
from iqtl.query import Query, claim_matches, event_matches
from iqtl.reports.rows import LIST_SEPARATOR


@dataclass(frozen=True, slots=True)
class Change:
    change: str  # "+" added, "-" removed, "~" changed (a rename is "~" on the field "id")
    kind: str
    id: str
    field: str = ""
    old: str = ""
    new: str = ""
    detail: str = ""  # words or items changed, bounds moved

    def as_dict(self) -> dict:
        return {"change": self.change, "kind": self.kind, "id": self.id, "field": self.field, "old": self.old,
                "new": self.new, "detail": self.detail}


# ---------------------------------------------------------------- field values


_CLASSES = {"source": Source, "actor": Actor, "event": Event, "claim": Claim}
# Fields compared, in their declared order; the id is the key, own_date is part of a claim's date.
COMPARED = {kind: [f.name for f in fields(cls) if f.name not in ("id", "own_date")] for kind, cls in _CLASSES.items()}


def field_value(record: Record, name: str):
    """The value as written in the ledger: a date's text; a claim's date only if its own."""
    value = getattr(record, name)
    if isinstance(record, Claim) and name == "date":
        return record.date.text if record.own_date and record.date else ""
    if isinstance(value, EDTF):
        return value.text
    if value is None:
        return ""
    return value


def _text(value) -> str:
    return LIST_SEPARATOR.join(value) if isinstance(value, tuple) else str(value)


def signature(record: Record, kind: str) -> tuple:
    return tuple(field_value(record, f) for f in COMPARED[kind])


# ---------------------------------------------------------------- details


WORD_DIFF_CELLS = 250_000  # words x words matched one by one at most (about 0.1 s)


def word_changes(old: str, new: str) -> str:
    """The words removed and added, for long text: `removed [a b] added [c d]`."""
    a, b = old.split(), new.split()
    # SequenceMatcher is quadratic at worst: the common ends are taken off first (linear), and a
    # middle too long to match word by word is shown as one replacement.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    a, b = a[head:len(a) - tail], b[head:len(b) - tail]
    if len(a) * len(b) > WORD_DIFF_CELLS:
        opcodes = [("replace" if a and b else "delete" if a else "insert", 0, len(a), 0, len(b))]
    else:
        opcodes = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    out = []
    for op, i1, i2, j1, j2 in opcodes:
        if op in ("delete", "replace"):
            out.append(f"removed [{' '.join(a[i1:i2])}]")
        if op in ("insert", "replace"):
            out.append(f"added [{' '.join(b[j1:j2])}]")
    return " ".join(out)


def item_changes(old: tuple, new: tuple) -> str:
    olds, news = set(old), set(new)  # a set each: long lists made this quadratic
    added = [x for x in new if x not in olds]
    removed = [x for x in old if x not in news]
    parts = ([f"added {LIST_SEPARATOR.join(added)}"] if added else []) + (
        [f"removed {LIST_SEPARATOR.join(removed)}"] if removed else [])
    if not parts and old != new:
        return "reordered"
    return "; ".join(parts)


def _day_shift(old: int, new: int) -> str:
    if old == new:
        return "unchanged"
    if old in (NEG_INF, POS_INF) or new in (NEG_INF, POS_INF):
        return f"{iso_day(old) or 'open'} → {iso_day(new) or 'open'}"
    delta = new - old
    return f"{iso_day(old)} → {iso_day(new)} ({'+' if delta > 0 else '−'}{abs(delta)} days)"


def bounds_moved(old: EDTF | None, new: EDTF | None) -> str:
    if old is None or new is None:
        return ""
    return f"start {_day_shift(old.earliest, new.earliest)}; end {_day_shift(old.latest, new.latest)}"


def field_change(kind: str, rid: str, name: str, old_rec: Record, new_rec: Record) -> Change | None:
    old, new = field_value(old_rec, name), field_value(new_rec, name)
    if old == new:
        return None
    if isinstance(old, tuple) or isinstance(new, tuple):
        detail = item_changes(tuple(old or ()), tuple(new or ()))
    elif name == "date":
        detail = bounds_moved(old_rec.date, new_rec.date)
    elif len(old) > 60 or len(new) > 60:
        detail = word_changes(old, new)
    else:
        detail = ""
    return Change("~", kind, rid, name, _text(old), _text(new), detail)


# ---------------------------------------------------------------- selection and diff


def _matching_ids(ledger: Ledger, kind: str, q: Query) -> set[str]:
    if kind == "event":
        spoken_of = {e for c in ledger.claims if c.speaker in q.speakers for e in c.about} if q.speakers else None
        return {r.id for r in ledger.events if event_matches(r, q, spoken_of)}
    if kind == "claim":
        return {r.id for r in ledger.claims if claim_matches(ledger, r, q)}
    return set()  # sources and actors are compared only when no filter is given


def _index(ledger: Ledger, kind: str, keep: set[str] | None) -> dict[str, Record]:
    out: dict[str, Record] = {}
    for r in ledger.table(kind):
        if keep is None or r.id in keep:
            out.setdefault(r.id, r)
    return out


def diff(old: Ledger, new: Ledger, q: Query | None = None) -> list[Change]:
    """Every change from `old` to `new`, in kind order then id order; `q` filters both sides alike."""
    changes: list[Change] = []
    for kind in KINDS:
        # A record is compared when it matches the filter on either side, so that a change
        # which makes it match (or stop matching) shows as a change, not an add or remove.
        keep = None if q is None else _matching_ids(old, kind, q) | _matching_ids(new, kind, q)
        a, b = _index(old, kind, keep), _index(new, kind, keep)
        removed = [i for i in a if i not in b]
        added = [i for i in b if i not in a]
        renamed: dict[str, str] = {}
        if removed and added:
            by_sig: dict[tuple, list[str]] = {}
            for i in added:
                by_sig.setdefault(signature(b[i], kind), []).append(i)
            for i in removed:
                candidates = by_sig.get(signature(a[i], kind))
                if candidates:
                    renamed[i] = candidates.pop(0)
        gone = set(renamed.values())
        kind_changes: list[tuple[str, Change]] = []
        for i in removed:
            if i in renamed:
                kind_changes.append((renamed[i], Change("~", kind, renamed[i], "id", i, renamed[i], "renamed")))
            else:
                kind_changes.append((i, Change("-", kind, i, "", "", "", record_label(a[i]))))
        for i in added:
            if i not in gone:
                kind_changes.append((i, Change("+", kind, i, "", "", "", record_label(b[i]))))
        for i in a:
            if i in b:
                for name in COMPARED[kind]:
                    ch = field_change(kind, i, name, a[i], b[i])
                    if ch:
                        kind_changes.append((i, ch))
        kind_changes.sort(key=lambda pair: pair[0])
        changes.extend(ch for _, ch in kind_changes)
    return changes


def record_label(record: Record) -> str:
    return getattr(record, "title", None) or getattr(record, "name", None) or getattr(record, "text", "")


def stat(changes: Iterable[Change]) -> dict[str, int]:
    counts = {"added": 0, "removed": 0, "renamed": 0, "changed": 0, "fields": 0}
    changed_records = set()
    for ch in changes:
        if ch.change == "+":
            counts["added"] += 1
        elif ch.change == "-":
            counts["removed"] += 1
        elif ch.field == "id":
            counts["renamed"] += 1
        else:
            counts["fields"] += 1
            changed_records.add((ch.kind, ch.id))
    counts["changed"] = len(changed_records)
    return counts


CHANGE_COLUMNS = ("change", "kind", "id", "field", "old", "new", "detail")


def query_for(old: Ledger, new: Ledger, filters) -> Query | None:
    """One query for both sides, or None when nothing is filtered.  Names are resolved against the
    new side, else the old (an actor that exists only on the old side).  Raises QueryError."""
    from iqtl.query import QueryError, build_query

    if not filters.filters_anything:
        return None
    try:
        return build_query(new, filters)
    except QueryError:
        return build_query(old, filters)
