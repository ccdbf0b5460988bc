"""A cache of loaded ledgers, so that reading an unchanged ledger again skips parsing and checking.

One file per ledger under $XDG_CACHE_HOME/iqtl (else ~/.cache/iqtl), owner-only, holding the
records and problems as marshal data (marshal builds values, never runs code).  An entry is used
only when everything agrees: the ledger's real path, size, mtime_ns, inode and device; iqtl's
version and this cache format; a checksum of the entry itself; and a SHA-256 of the ledger's
bytes, so that even an edit that keeps the size and puts the old mtime back is seen (hashing
costs about 30 ms for 40 MB, a fraction of parsing).  Any doubt is a miss and a re-parse,
never a wrong answer.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import sys
from dataclasses import fields
from operator import attrgetter
from pathlib import Path

from . import __version__
from .edtf import EDTF
from .model import Actor, Claim, Event, Ledger, Problem, Source

ENV_NO_CACHE = "IQTL_NO_CACHE"
FORMAT = 1
MAGIC = b"iqtl-cache\x00" + bytes([FORMAT])

_CLASSES = {"source": Source, "actor": Actor, "event": Event, "claim": Claim}
_GETTERS = {kind: attrgetter(*(f.name for f in fields(cls))) for kind, cls in _CLASSES.items()}
_DATE_AT = {kind: next((i for i, f in enumerate(fields(cls)) if f.name == "date"), None)
            for kind, cls in _CLASSES.items()}
_EDTF_GET = attrgetter(*(f.name for f in fields(EDTF)))
_EDTF_START = [f.name for f in fields(EDTF)].index("start")


bypass = False  # set by `iqtl --no-cache`


def enabled() -> bool:
    return not bypass and os.environ.get(ENV_NO_CACHE, "") in ("", "0")


def directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "iqtl"


def digest(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def file_digest(f) -> bytes:
    """digest() of an open binary file's whole content, read in blocks, not held in memory."""
    f.seek(0)
    return hashlib.file_digest(f, "sha256").digest()


def _entry_path(real: str) -> Path:
    name = hashlib.sha256(f"{real}\x00{sys.implementation.cache_tag}".encode("utf-8", "surrogateescape"))
    return directory() / f"{name.hexdigest()[:32]}.marshal"


def _key(real: str, st: os.stat_result) -> tuple:
    return (real, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, __version__, FORMAT)


# ---------------------------------------------------------------- reading


def fetch(path: str, st: os.stat_result, ledger_digest) -> tuple[Ledger, list[Problem]] | None:
    """The cached ledger for `path` whose stat is `st`, or None.  `ledger_digest()` gives the
    digest of the ledger's bytes, computed only once the entry's key matches."""
    try:
        real = os.path.realpath(path)
        blob = _read_private(_entry_path(real))
        if blob is None or not blob.startswith(MAGIC):
            return None
        check, payload = blob[len(MAGIC):len(MAGIC) + 32], blob[len(MAGIC) + 32:]
        if digest(payload) != check:
            return None
        entry = marshal.loads(payload)
        if entry["key"] != _key(real, st):
            return None
        if ledger_digest() != entry["data_digest"]:
            return None
        return _decode(entry, path)
    except Exception:  # a damaged or foreign entry is only a miss
        return None


def _read_private(entry: Path) -> bytes | None:
    """The entry's bytes, if it is a regular file of ours that nobody else can write."""
    try:
        fd = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not _private(st) or not _private(os.stat(entry.parent)):
            return None
        with os.fdopen(fd, "rb", closefd=False) as f:
            return f.read()
    finally:
        os.close(fd)


def _private(st: os.stat_result) -> bool:
    owner = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _decode(entry: dict, path: str) -> tuple[Ledger, list[Problem]]:
    dates: dict[str, EDTF] = {}

    def date(raw):
        if raw is None:
            return None
        known = dates.get(raw[0])
        if known is None:
            values = list(raw)
            values[_EDTF_START] = date(raw[_EDTF_START])
            values[_EDTF_START + 1] = date(raw[_EDTF_START + 1])
            known = dates[raw[0]] = EDTF(*values)
        return known

    tables = {}
    for kind, cls in _CLASSES.items():
        at = _DATE_AT[kind]
        if at is None:
            tables[kind] = tuple(cls(*row) for row in entry[kind])
            continue
        records = []
        for row in entry[kind]:
            row = list(row)
            row[at] = date(row[at])
            records.append(cls(*row))
        tables[kind] = tuple(records)
    ledger = Ledger(path, tables["source"], tables["actor"], tables["event"], tables["claim"])
    problems = [Problem(path, *p) for p in entry["problems"]]
    return ledger, problems


# ---------------------------------------------------------------- writing


def store(path: str, st: os.stat_result, data_digest: bytes, ledger: Ledger, problems: list[Problem]) -> None:
    """Remember a loaded ledger.  Failing to (no home, a full disk) costs only speed."""
    try:
        real = os.path.realpath(path)
        entry = {"key": _key(real, st), "data_digest": data_digest,
                 "problems": [(p.line, p.col, p.severity, p.message, p.code) for p in problems]}
        for kind in _CLASSES:
            entry[kind] = _encode(kind, ledger.table(kind))
        payload = marshal.dumps(entry)
        _write_private(_entry_path(real), MAGIC + digest(payload) + payload)
    except Exception:
        return


def _encode(kind: str, records: tuple) -> list[tuple]:
    get, at = _GETTERS[kind], _DATE_AT[kind]
    rows = []
    for record in records:
        row = get(record)
        if at is not None and row[at] is not None:
            row = (*row[:at], _encode_date(row[at]), *row[at + 1:])
        rows.append(row)
    return rows


def _encode_date(date: EDTF | None) -> tuple | None:
    if date is None:
        return None
    raw = list(_EDTF_GET(date))
    raw[_EDTF_START] = _encode_date(raw[_EDTF_START])
    raw[_EDTF_START + 1] = _encode_date(raw[_EDTF_START + 1])
    return tuple(raw)


def _write_private(entry: Path, blob: bytes) -> None:
    folder = entry.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private(os.stat(folder)):
        return  # a folder others can write to is no place for data we will trust
    import tempfile  # only when writing: it imports random, slow for a start-up

    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".marshal")  # mode 0600
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(blob)
        os.replace(tmp, entry)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

