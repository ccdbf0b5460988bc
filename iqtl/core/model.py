"""Plain records of a ledger: frozen dataclasses, no behaviour beyond lookups and the indexes that
keep every command linear (claims about an event, who disputes a claim: built once, never scanned
per record)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields

from iqtl.core.edtf import EDTF
from iqtl.core.text import one_line

SCHEMA_VERSION = 1


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
    archive: str = ""  # the archived text: a path relative to the ledger file
    archive_sha256: str = ""
    retrieved: str = ""  # an EDTF day, checked by the loader; kept as text (the cache stores one date a record)


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
    # A stored W3C selector of the quote in its source's archive (iqtl.verify): context and code points.
    quote_prefix: str = ""
    quote_suffix: str = ""
    quote_start: int | None = None
    quote_end: int | None = None


Record = Source | Actor | Event | Claim


def constructor(cls: type) -> Callable:
    """A function that makes `cls(*values)` (every field, positionally, in declared order) 4 to 5
    times faster than the frozen dataclass's own __init__, which stores each field through
    object.__setattr__ (about 1 us an event, 1.5 us a claim): a slotted twin of the same layout is
    filled by plain attribute stores, then becomes a `cls`.  What comes out is an ordinary `cls`,
    equal, hashed and immutable as any other.  For the loader and the cache, which make hundreds of
    thousands of records; made on first use, so start-up does not pay for it."""
    make = _CONSTRUCTORS.get(cls)
    if make is None:
        names = [f.name for f in fields(cls)]
        # The same slots in the same order: CPython lets an object change class only between
        # layouts that agree, and raises TypeError otherwise (a layout changed later fails loudly).
        twin = type(f"_{cls.__name__}Twin", (), {"__slots__": cls.__slots__})
        stores = "".join(f"    o.{name} = {name}\n" for name in names)
        namespace = {"new": object.__new__, "twin": twin, "cls": cls}
        exec(f"def make({', '.join(names)}):\n    o = new(twin)\n{stores}    o.__class__ = cls\n    return o\n",
             namespace)
        make = _CONSTRUCTORS[cls] = namespace["make"]
    return make


_CONSTRUCTORS: dict[type, Callable] = {}
CONSTRUCTOR_FROM = 256  # records: making a constructor costs ~0.12 ms (an exec), which ~160 records repay


def maker(cls: type, count: int) -> Callable:
    """What makes `count` records of `cls` from positional values soonest: its constructor() for
    many, the class itself for a few (a small ledger's start-up does not pay for the exec)."""
    return constructor(cls) if count >= CONSTRUCTOR_FROM else cls


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of record: everything else (loader, cache, diff, CLI choices, lookups) reads this table."""

    name: str  # the TOML table name, [[event]]
    table: str  # the Ledger attribute, "events"
    cls: type


# In the order a ledger is read and printed: sources and actors are what events and claims refer to.
KIND_TABLE: tuple[Kind, ...] = (
    Kind("source", "sources", Source),
    Kind("actor", "actors", Actor),
    Kind("event", "events", Event),
    Kind("claim", "claims", Claim),
)
KINDS = tuple(k.name for k in KIND_TABLE)
KIND = {k.name: k for k in KIND_TABLE}
# The order `show` and lookups try when an id is given without its kind.
LOOKUP_ORDER = ("event", "claim", "source", "actor")


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
        return getattr(self, KIND[kind].table)

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

    # ------------------------------------------------------------ reverse indexes

    def _reverse(self, name: str, field_name: str) -> dict[str, tuple[Claim, ...]]:
        """target id -> the claims whose `field_name` names it, in ledger order; built on first use."""
        if name not in self._index:
            index: dict[str, list[Claim]] = {}
            for cl in self.claims:
                value = getattr(cl, field_name)
                for target in (value,) if isinstance(value, str) else dict.fromkeys(value):
                    index.setdefault(target, []).append(cl)
            self._index[name] = {k: tuple(v) for k, v in index.items()}
        return self._index[name]

    def claims_about(self, event_id: str) -> tuple[Claim, ...]:
        return self._reverse("claims_about", "about").get(event_id, ())

    def disputed_by(self, claim_id: str) -> tuple[Claim, ...]:
        """The claims that dispute `claim_id` (the other direction is the claim's own `disputes`)."""
        return self._reverse("disputed_by", "disputes").get(claim_id, ())

    def supported_by(self, claim_id: str) -> tuple[Claim, ...]:
        return self._reverse("supported_by", "supports").get(claim_id, ())

    def claims_from(self, source_id: str) -> tuple[Claim, ...]:
        return self._reverse("claims_from", "source").get(source_id, ())

    def claims_by(self, actor_id: str) -> tuple[Claim, ...]:
        return self._reverse("claims_by", "speaker").get(actor_id, ())

    def actor_name(self, actor_id: str) -> str:
        """An actor's name, or the id itself when no actor has it (a broken reference is still shown)."""
        actor = self.by_id("actor").get(actor_id)
        return actor.name if actor else actor_id


def event_text(ev: Event) -> str:
    """The text --grep searches in an event: one field a line, so that ^ and $ anchor to a field."""
    return "\n".join((ev.id, ev.title, ev.summary, ev.date_note, *ev.tags))


def claim_text(cl: Claim) -> str:
    """The text --grep searches in a claim, as event_text."""
    return "\n".join((cl.id, cl.text, cl.note, cl.date_note))
