"""Plain records of a ledger: frozen dataclasses, no behaviour beyond lookups."""

from __future__ import annotations

from dataclasses import dataclass, field

from iqtl.core.edtf import EDTF
from iqtl.core.text import one_line

SCHEMA_VERSION = 1
KINDS = ("source", "actor", "event", "claim")


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    publisher: str
    date: EDTF | None
    author: str = ""
    url: str = ""
    type: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = ""
    role: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    date: EDTF | None
    title: str
    summary: str
    sources: tuple[str, ...] = ()
    date_note: str = ""
    actors: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    related: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Claim:
    id: str
    text: str
    speaker: str
    source: str
    # The date the claim was made: its own `date`, else its source's.
    date: EDTF | None = None
    # True when the ledger gives the claim a date of its own (kept for faithful export).
    own_date: bool = False
    date_note: str = ""
    kind: str = "quote"
    about: tuple[str, ...] = ()
    supports: tuple[str, ...] = ()
    disputes: tuple[str, ...] = ()
    note: str = ""


Record = Source | Actor | Event | Claim


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding of the loader or a validation.  line/col are 1-based; 0 when unknown."""

    path: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    message: str
    code: str = ""

    def __str__(self) -> str:
        # Messages quote ledger text: escape it, and keep one problem on one line.
        where = f"{self.path}:{self.line}:{self.col}" if self.line else self.path
        return one_line(f"{where}: {self.severity}: {self.message}")

    def as_dict(self) -> dict:
        return {
            "path": self.path, "line": self.line, "col": self.col,
            "severity": self.severity, "code": self.code, "message": self.message,
        }


@dataclass(frozen=True)
class Ledger:
    path: str
    sources: tuple[Source, ...] = ()
    actors: tuple[Actor, ...] = ()
    events: tuple[Event, ...] = ()
    claims: tuple[Claim, ...] = ()
    schema: int = SCHEMA_VERSION
    _index: dict = field(default_factory=dict, repr=False, compare=False)

    def table(self, kind: str) -> tuple:
        return {"source": self.sources, "actor": self.actors, "event": self.events, "claim": self.claims}[kind]

    def by_id(self, kind: str) -> dict[str, Record]:
        """id -> record for one table (first record wins on duplicate ids)."""
        if kind not in self._index:
            index: dict[str, Record] = {}
            for rec in self.table(kind):
                index.setdefault(rec.id, rec)
            self._index[kind] = index
        return self._index[kind]

    def get(self, kind: str, id_: str) -> Record | None:
        return self.by_id(kind).get(id_)
