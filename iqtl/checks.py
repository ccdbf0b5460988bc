"""Checks over a whole ledger, each a small pure function yielding findings.

A finding names the record (table and position) and the key or list item at fault;
the loader turns that into a file position only when there is something to report.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, filterfalse
from operator import attrgetter

from iqtl.core.model import KINDS, Ledger
from iqtl.core.schema import FIELDS, LIST, STR
from iqtl.core.text import did_you_mean, fold, has_unsafe, one_line


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem found in a ledger, placed by record and key; the loader turns it into a located Problem."""

    severity: str
    code: str
    message: str
    kind: str | None = None  # table; None for the top level / whole file
    index: int = 0  # position of the record in its table
    key: str | None = None
    item: str | None = None  # a list item or value to point at
    offset: int = 0  # characters past the item's opening quote, e.g. a date's bad digit
    at_key: bool = False  # point at the key itself (an unknown key), not at its value
    first: int | None = None  # a duplicate's first record: its line is added to the message


def error(code: str, message: str, kind=None, index=0, key=None, item=None, offset=0, at_key=False,
          first=None) -> Finding:
    return Finding("error", code, message, kind, index, key, item, offset, at_key, first)


def warning(code: str, message: str, kind=None, index=0, key=None, item=None) -> Finding:
    return Finding("warning", code, message, kind, index, key, item)


def duplicate_ids(ledger: Ledger) -> Iterator[Finding]:
    for kind in KINDS:
        ids = list(map(attrgetter("id"), ledger.table(kind)))
        if len(set(ids)) == len(ids):  # the usual case, told in C: no id twice (not even an empty one)
            continue
        first: dict[str, int] = {}
        for i, rec in enumerate(ledger.table(kind)):
            if not rec.id:
                continue
            if rec.id in first:
                yield error("duplicate-id", f"duplicate {kind} id {rec.id!r}", kind, i, "id", first=first[rec.id])
            else:
                first[rec.id] = i


SUGGESTIONS = 50  # did-you-mean hints per check run: each compares with every id (4,000 dangling: 6 minutes)


def _all_known(ledger: Ledger, kind: str, refs) -> bool:
    """Every reference of the `kind` table names a record (or is empty): the usual case, told by
    set operations in C instead of a lookup per reference in Python."""
    records = ledger.table(kind)
    for f in refs:
        values = map(attrgetter(f.name), records)
        named = set(values) if f.type == STR else set(chain.from_iterable(values))
        named.discard("")
        if not named <= ledger.by_id(f.ref).keys():
            return False
    return True


def unknown_references(ledger: Ledger) -> Iterator[Finding]:
    hints: dict[tuple[str, str], str] = {}
    for kind, fields in FIELDS.items():
        refs = [f for f in fields if f.ref]
        if _all_known(ledger, kind, refs):
            continue
        for i, rec in enumerate(ledger.table(kind)):
            for f in refs:
                value = getattr(rec, f.name)
                targets = ledger.by_id(f.ref)
                for item in (value,) if isinstance(value, str) else value:
                    if item and item not in targets:
                        hint = hints.get((f.ref, item))
                        if hint is None:
                            hint = did_you_mean(item, targets) if len(hints) < SUGGESTIONS else ""
                            hints[(f.ref, item)] = hint
                        yield error("unknown-reference",
                                    f"{kind} {rec.id!r}: {f.name} refers to unknown {f.ref} {item!r}"
                                    + hint, kind, i, f.name, item)


def self_references(ledger: Ledger) -> Iterator[Finding]:
    for i, ev in enumerate(ledger.events):
        if ev.id and ev.id in ev.related:
            yield error("self-reference", f"event {ev.id!r} lists itself in related", "event", i, "related", ev.id)
    for i, cl in enumerate(ledger.claims):
        for key in ("supports", "disputes"):
            if cl.id and cl.id in getattr(cl, key):
                yield error("self-reference", f"claim {cl.id!r} {key} itself", "claim", i, key, cl.id)
        for both in sorted(set(cl.supports) & set(cl.disputes)):
            yield error("supports-and-disputes", f"claim {cl.id!r} both supports and disputes {both!r}",
                        "claim", i, "disputes", both)


def event_without_source(ledger: Ledger) -> Iterator[Finding]:
    for i, ev in enumerate(ledger.events):
        if not ev.sources:
            yield error("no-source", f"event {ev.id!r} has no source (every event needs at least one)",
                        "event", i, "sources")


def event_without_actors(ledger: Ledger) -> Iterator[Finding]:
    for i, ev in enumerate(ledger.events):
        if not ev.actors:
            yield warning("no-actors", f"event {ev.id!r} has no actors", "event", i)


def claim_without_about(ledger: Ledger) -> Iterator[Finding]:
    for i, cl in enumerate(ledger.claims):
        if not cl.about:
            yield warning("no-about", f"claim {cl.id!r} is not linked to any event (about)", "claim", i)


def claim_after_its_source(ledger: Ledger) -> Iterator[Finding]:
    sources = ledger.by_id("source")
    for i, cl in enumerate(ledger.claims):
        src = sources.get(cl.source)
        if cl.own_date and cl.date and src and src.date and cl.date.earliest > src.date.latest:
            yield warning("claim-after-source",
                          f"claim {cl.id!r} is dated {cl.date.text} but its source {src.id!r} is dated {src.date.text}",
                          "claim", i, "date")


def ambiguous_actor_names(ledger: Ledger) -> Iterator[Finding]:
    """A name or alias shared by two actors makes `--actor NAME` ambiguous; so does one that only
    looks the same (NFC against NFD, full-width letters, an invisible character inside)."""
    import unicodedata

    seen: dict[str, str] = {}
    for i, actor in enumerate(ledger.actors):
        names = {fold(n): n for n in (actor.id, actor.name, *actor.aliases)}
        for key in list(names):  # look-alikes: compatibility forms and invisible characters
            if key.isascii():  # has neither (and is folded already): it is its own look-alike
                continue
            alike = unicodedata.normalize("NFKC", key.replace("\u00ad", "")).casefold()
            alike = "".join(c for c in alike if unicodedata.category(c) != "Cf")
            names.setdefault(alike, names[key])
        for name, spelled in names.items():
            other = seen.setdefault(name, actor.id)
            if name and other != actor.id:
                yield warning("ambiguous-name", f"actor {actor.id!r}: the name {one_line(spelled)!r} also names "
                              f"(or looks like a name of) actor {other!r}", "actor", i, "aliases")
                break


_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def is_sha256(value: str) -> bool:
    return _SHA256.fullmatch(value) is not None


def archive_path_ok(path: str) -> bool:
    """Relative, and inside the ledger's folder: a ledger from elsewhere cannot make `check` read (and
    quote closest passages from) files outside it."""
    parts = re.split(r"[\\/]", path)
    return not (os.path.isabs(path) or "://" in path or path.startswith("~") or ".." in parts or ":" in parts[0])


def archive_fields(ledger: Ledger) -> Iterator[Finding]:
    """What can be told of archives and quote selectors without reading a file (iqtl.verify reads them)."""
    archived = set()
    for i, src in enumerate(ledger.sources):
        if src.archive:
            archived.add(src.id)
            if not archive_path_ok(src.archive):
                yield error("archive-path", f"source {src.id!r}: archive must be a path inside the ledger's folder, "
                            f"relative to it (such as \"sources/{src.id}.txt\"), not {one_line(src.archive)!r}",
                            "source", i, "archive")
        elif src.archive_sha256:
            yield error("archive-sha256-alone", f"source {src.id!r}: archive_sha256 without an archive",
                        "source", i, "archive_sha256")
        if src.archive_sha256 and not is_sha256(src.archive_sha256):
            yield error("bad-sha256", f"source {src.id!r}: archive_sha256 must be 64 hexadecimal digits (a SHA-256), "
                        f"not {one_line(src.archive_sha256)[:80]!r}", "source", i, "archive_sha256")
    for i, cl in enumerate(ledger.claims):
        start, end = cl.quote_start, cl.quote_end
        has_selector = cl.quote_prefix or cl.quote_suffix or start is not None or end is not None
        if not has_selector:
            continue
        if (start is None) != (end is None):
            yield error("bad-selector", f"claim {cl.id!r}: quote_start and quote_end go together",
                        "claim", i, "quote_start" if start is not None else "quote_end")
        elif start is not None and start > end:
            yield error("bad-selector", f"claim {cl.id!r}: quote_start {start} is after quote_end {end}",
                        "claim", i, "quote_start")
        if cl.kind != "quote" or cl.source not in archived:
            what = "is not a quote" if cl.kind != "quote" else f"has a source ({cl.source!r}) with no archive"
            key = next(k for k in ("quote_prefix", "quote_suffix", "quote_start", "quote_end")
                       if getattr(cl, k) not in ("", None))
            yield warning("selector-unused", f"claim {cl.id!r} has a quote selector but {what}", "claim", i, key)


def _texts_of(records, fields) -> Iterator[str]:
    """Every text of the records, field by field: read by C (map, chain), no Python call per text."""
    return chain.from_iterable(map(attrgetter(f.name), records) if f.type == STR else
                               chain.from_iterable(map(attrgetter(f.name), records))
                               for f in fields if f.type in (STR, LIST))


def _all_clean(texts: Iterator[str]) -> bool:
    """No text has an unsafe character.  Every unsafe character is unprintable, so only the texts
    that are not isprintable() (a newline in a summary, a no-break space) are searched, and those
    are picked out by C (filterfalse).  (Joining the texts first was slower: at 100,000 events the
    join copies 100 MB, and isprintable() failed on the first newline anyway.)"""
    return not any(map(has_unsafe, filterfalse(str.isprintable, texts)))


def invisible_characters(ledger: Ledger) -> Iterator[Finding]:
    """Control, bidi and zero-width characters are almost always pasted by accident (or planted);
    iqtl shows them escaped, so a ledger that has them does not export byte for byte."""
    for kind, fields in FIELDS.items():
        texts = [f.name for f in fields if f.type in (STR, LIST)]
        records = ledger.table(kind)
        if _all_clean(_texts_of(records, fields)):  # the usual case
            continue
        for i, rec in enumerate(records):
            for name in texts:
                value = getattr(rec, name)
                for v in (value,) if isinstance(value, str) else value:
                    if has_unsafe(v):
                        yield warning("invisible-character",
                                      f"{kind} {rec.id!r}: {name} contains a control or invisible character "
                                      f"({one_line(v)[:60]})", kind, i, name)
                        break


_SHELL_SPECIAL = frozenset("$`;|&<>(){}[]\\\"*?!")
_SHELL_SPECIAL_RE = re.compile(f"[{re.escape(''.join(sorted(_SHELL_SPECIAL)))}]")


def shell_special_names(ledger: Ledger) -> Iterator[Finding]:
    """Tags and places are typed on command lines and offered by shell completion: one holding shell
    metacharacters (`$(…)`, backquotes, `;`) or a control character is a trap, planted or pasted.
    (Ids are slugs, checked as such.)  An apostrophe is left alone: place names need it."""
    names = chain.from_iterable(map(attrgetter("tags", "places"), ledger.events))
    joined = " ".join(chain.from_iterable(names))  # a space: printable and not special, as the names should be
    if joined.isprintable() and not _SHELL_SPECIAL_RE.search(joined):  # the usual case: every name is fine
        return
    for i, ev in enumerate(ledger.events):
        for key in ("tags", "places"):
            for value in getattr(ev, key):
                if not _SHELL_SPECIAL.isdisjoint(value) or not value.isprintable():
                    yield warning("shell-special", f"event {ev.id!r}: {key[:-1]} {one_line(value)[:60]!r} holds shell "
                                  "metacharacters or control characters (it is typed in shells and completed "
                                  "by them)", "event", i, key, value)


CHECKS: tuple[Callable[[Ledger], Iterable[Finding]], ...] = (
    duplicate_ids,
    unknown_references,
    self_references,
    event_without_source,
    event_without_actors,
    claim_without_about,
    claim_after_its_source,
    ambiguous_actor_names,
    invisible_characters,
    archive_fields,
    shell_special_names,
)


def validate(ledger: Ledger) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(ledger)]
