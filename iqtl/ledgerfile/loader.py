"""File -> Ledger, with every problem found (not only the first), each located in the file."""

from __future__ import annotations

import gc
import io
import os
import re
import stat
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from pathlib import Path

from iqtl.checks import Finding, error, validate
from iqtl.core import edtf
from iqtl.core.model import KIND, KINDS, SCHEMA_VERSION, Actor, Claim, Event, Ledger, Problem, Source, maker
from iqtl.core.schema import DATE, FIELDS, LIST, SLUG, STR, TOP_LEVEL, is_slug
from iqtl.core.text import did_you_mean
from iqtl.ledgerfile import cache

ENV_LEDGER = "IQTL_LEDGER"
BOM = b"\xef\xbb\xbf"
DEFAULT_LEDGER = Path("data") / "events.toml"


class LedgerNotFoundError(Exception):
    pass


@dataclass
class LoadResult:
    """A loaded ledger and every problem found in it (errors and warnings, located)."""

    ledger: Ledger
    problems: list[Problem]
    # What was read of the sources' archives (iqtl.ledgerfile.archives stamps), for the cache;
    # None when the archives were not read (a text without a folder: a git revision, a merge).
    archives: tuple | None = None
    # A ledger in many files (`include = [...]`): the files included, in load order (Included,
    # or the plain tuples the cache gives back), and the glob patterns expanded with their matches.
    includes: tuple = ()
    globs: tuple = ()
    # A ledger read in pieces: (SHA-256 of a piece's bytes, {kind: (first index, count)}) for each
    # piece after the first that built without a finding, so that the cache can give its records
    # back when the same bytes are read again (iqtl.ledgerfile.index.Previous).
    pieces: tuple = ()

    def __post_init__(self):
        if self.includes and not isinstance(self.includes[0], Included):
            self.includes = tuple(Included(*i) for i in self.includes)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def bundled_ledger() -> Path | None:
    """The demo ledger shipped with the package: inside a wheel, or the repo's data/ in a checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "data" / "events.toml", package.parent / DEFAULT_LEDGER):
        if candidate.is_file():
            return candidate
    return None


INCLUDE = "include"  # the top-level key naming other files of the ledger (iqtl.ledgerfile.includes)


@dataclass(frozen=True)
class Included:
    """A file of a ledger in many files, other than the main one."""

    path: str  # as shown: the include joined onto the including file's folder
    by: str  # the file whose `include` names it
    line: int  # the line of that name in `by`
    counts: tuple[int, ...]  # its records of each kind, in KINDS order
    stamp: tuple  # (real path, size, mtime_ns, inode, device, sha256 hex) as read, for the cache


def _read_from_disk(path: str) -> tuple[bytes, tuple]:
    """A file's bytes and its stamp (Included.stamp); OSError when it cannot be read."""
    with open(path, "rb") as f:
        st = os.fstat(f.fileno())
        data = f.read()
    real = os.path.realpath(path)
    return data, (real, st.st_size, st.st_mtime_ns, st.st_ino, st.st_dev, cache.digest(data).hex())


PROJECT_MARKER = "iqtl.toml"  # a folder holding it is a project: its `ledger = "PATH"` (default data/events.toml)


@dataclass(frozen=True)
class Found:
    """Which ledger, and why that one: `how` is "option", "env", "search" or "bundled"."""

    path: Path
    how: str
    why: str

    @property
    def bundled(self) -> bool:
        return self.how == "bundled"


def _marked_ledger(folder: Path) -> Path | None:
    """The ledger a project marker names (relative to its folder), or None when it names none."""
    try:
        text = (folder / PROJECT_MARKER).read_text(encoding="utf-8")
        value = _toml().loads(text).get("ledger")
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return folder / value if isinstance(value, str) and value else None


def locate_ledger(explicit: str | os.PathLike | None = None, *, bundled: bool = True,
                  start: Path | None = None) -> Found:
    """As git finds its repository: --ledger, else $IQTL_LEDGER, else the nearest folder from the
    current one upwards that holds data/events.toml or an iqtl.toml marker, else (when `bundled`)
    the demo ledger shipped with the package.  Paths found by the search are given relative to
    the current folder (`data/events.toml`, `../data/events.toml`)."""
    if explicit:
        return Found(Path(explicit), "option", "named by the caller")
    env = os.environ.get(ENV_LEDGER)
    if env:
        return Found(Path(env), "env", f"from ${ENV_LEDGER}")
    here = Path.cwd() if start is None else start
    up = Path()
    for folder in (here, *here.parents):
        marked = (folder / PROJECT_MARKER).is_file() and _marked_ledger(folder)
        if marked:
            return Found(up / marked.relative_to(folder), "search",
                         f"named by {up / PROJECT_MARKER}")
        if (folder / DEFAULT_LEDGER).is_file():
            where = "in the current folder" if folder == here else f"searching upwards from {here}"
            return Found(up / DEFAULT_LEDGER, "search", f"the nearest {DEFAULT_LEDGER}, found {where}")
        up = up / ".."
    demo = bundled_ledger() if bundled else None
    if demo is None:
        raise LedgerNotFoundError(f"no ledger: pass --ledger PATH or set {ENV_LEDGER} (no {DEFAULT_LEDGER} "
                                  f"in {here} or any folder above it)")
    return Found(demo, "bundled", f"no {DEFAULT_LEDGER} in {here} or above: the demo ledger bundled with iqtl")


def find_ledger(explicit: str | os.PathLike | None = None) -> Path:
    """--ledger, else $IQTL_LEDGER, else the nearest data/events.toml upwards, else the bundled copy."""
    return locate_ledger(explicit).path


def decode(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Bytes -> text, refusing what is not UTF-8 with a line saying what it looks like."""
    def fail(msg: str, line: int = 0, col: int = 0) -> tuple[None, Problem]:
        return None, Problem(path, line, col, "error", msg, "encoding")

    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return fail("the ledger is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8")
    data = data.removeprefix(BOM)  # a UTF-8 BOM is harmless; editors on Windows add it
    if not data.strip():
        return fail("the ledger is empty (expected `schema = 1` and [[event]] tables)")
    if _looks_utf16(data):  # UTF-16 of ASCII text is valid UTF-8, NULs and all: say what it is
        return fail("the ledger is UTF-16 without a byte-order mark (every other byte is NUL); save it as UTF-8")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        guess = "UTF-16 without a byte-order mark" if _looks_utf16(data) else "Latin-1 or Windows-1252"
        return fail(f"the ledger is not UTF-8 (byte 0x{data[exc.start]:02x}; it looks like {guess}); "
                    "save it as UTF-8", line, col)
    return text, None


def _looks_utf16(data: bytes) -> bool:
    """A quarter of the bytes or more are NUL, all at even or all at odd offsets (TOML allows no NUL)."""
    nuls = data.count(0)
    return nuls > len(data) // 4 and (data[0::2].count(0) == nuls or data[1::2].count(0) == nuls)


def load(path: str | os.PathLike, *, use_cache: bool | None = None) -> LoadResult:
    """Read and check a ledger.  Never raises for bad input: problems are returned.

    An unchanged ledger read before comes from the cache (see iqtl.cache) unless `use_cache`
    is False or $IQTL_NO_CACHE is set."""
    return load_file(path, use_cache=use_cache, keep_bytes=False)[0]


def load_file(path: str | os.PathLike, *, use_cache: bool | None = None, keep_bytes: bool = True,
              store: bool = True) -> tuple[LoadResult, bytes | None]:
    """As load, and the bytes it read (None when the file could not be read, or when the cache
    answered and `keep_bytes` is False: then the file is only hashed, never held in memory).
    `store=False` reads through the cache but does not fill it: for a file about to change."""
    spath = str(path)
    empty = Ledger(spath)
    use_cache = cache.enabled() if use_cache is None else use_cache
    try:
        with open(path, "rb") as f:
            st = os.fstat(f.fileno())
            data: bytes | None = None

            def digest() -> bytes:
                nonlocal data
                if not keep_bytes:
                    return cache.file_digest(f)
                data = f.read()
                return cache.digest(data)

            regular = stat.S_ISREG(st.st_mode)
            if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):  # /dev/zero would be read for ever
                return LoadResult(empty, [Problem(spath, 0, 0, "error", "is a device, not a ledger file", "io")]), None
            cacheable = use_cache and regular
            if cacheable:
                with _collector_paused():
                    hit = cache.fetch(spath, st, digest)
                if hit is not None:
                    return LoadResult(*hit), data
            if st.st_size >= PIECEWISE_FROM and regular:
                # A caller that wants the bytes (the appender) gets them, and the pieces are cut from
                # them: parsing 120 MB of TOML whole took 1.9 GB and 2.5 s, in pieces 0.4 GB and 1 s.
                if keep_bytes and data is None:
                    f.seek(0)
                    data = f.read()
                summed = cache.hasher()
                previous = _previous(spath) if cacheable else None
                try:
                    result = _load_in_pieces(io.BytesIO(data) if keep_bytes else f, spath, summed, previous)
                finally:
                    if previous is not None:
                        previous.close()
                # Read over seconds, not in one read(): a file changed meanwhile is read again whole.
                if result is not None and _same_file(st, os.fstat(f.fileno())):
                    if cacheable and store:
                        cache.store(spath, st, summed.digest(), result.ledger, result.problems, result.archives,
                                    pieces=result.pieces)
                    return result, data
            if data is None:
                if regular:
                    f.seek(0)
                data = f.read() if regular else f.read(MAX_STREAM + 1)  # a FIFO (`-L <(…)`) may not end
                if len(data) > MAX_STREAM:
                    return LoadResult(empty, [Problem(spath, 0, 0, "error", f"more than {MAX_STREAM >> 30} GiB "
                                                      "from a pipe: not a ledger", "io")]), None
            unchanged = _same_file(st, os.fstat(f.fileno()))
    except FileNotFoundError:
        return LoadResult(empty, [Problem(spath, 0, 0, "error", "no such file", "io")]), None
    except IsADirectoryError:
        return LoadResult(empty, [Problem(spath, 0, 0, "error", "is a directory, not a ledger file", "io")]), None
    except OSError as exc:
        return LoadResult(empty, [Problem(spath, 0, 0, "error", f"cannot read: {exc.strerror}", "io")]), None
    data_digest = cache.digest(data) if cacheable and unchanged and store else None
    text, problem = decode(data, spath)
    if not keep_bytes:
        data = None  # from here the text is enough: 120 MB less at the peak of a 100,000-event parse
    result = LoadResult(empty, [problem]) if problem else _with_archives(_read_text(text, spath), text, spath)
    del text
    if data_digest is not None:
        cache.store(spath, st, data_digest, result.ledger, result.problems, result.archives,
                    result.includes, result.globs)
    return result, data


MAX_STREAM = 1 << 30  # bytes read from a pipe at most
PIECE = 1 << 20  # bytes read at a time by the piecewise parse (1 MB: 20 MB less peak than 4 MB at 100k)
PIECEWISE_FROM = 1 << 23  # files this big are parsed a piece at a time when their bytes are not wanted


def _previous(path: str):
    """What the cache kept of an earlier version of this ledger, to take unchanged pieces from."""
    from iqtl.ledgerfile import index

    return index.previous(path)


def _load_in_pieces(f, path: str, summed, previous=None) -> LoadResult | None:
    """The ledger in the open file `f`, parsed a piece at a time: each piece ends just before a
    [[kind]] header, and its raw tables become records before the next is read.  The whole text
    and tomli's tree of it are never in memory at once (at 100,000 events they were 240 MB and
    290 MB of a 734 MiB peak).  Only for a ledger of the usual shape (locate.plain_piece); None for
    any other, or for a piece that does not decode or parse: the caller then reads the file whole,
    which also places any error.  `summed` is fed every byte.

    `previous` (iqtl.ledgerfile.index.Previous): records built by this same code from pieces of
    an earlier version of the file, by the SHA-256 of the piece's bytes.  A piece with the same
    bytes gives the same records (a claim's inherited date is set again by _Builder.result), so
    after a one-record edit only the pieces that changed are parsed.  Then the whole ledger is
    checked, as always."""
    import hashlib

    from iqtl.ledgerfile.locate import plain_piece

    toml = _toml()

    f.seek(0)
    builder, top, blank, pieces = _Builder(), None, True, []
    with _collector_paused():
        for piece in _pieces(f, summed):
            blank = blank and not piece.removeprefix(BOM).strip()
            # The first piece holds the top-level keys: never taken from elsewhere.
            digest = hashlib.sha256(piece).digest() if top is not None else None
            if digest is not None and previous is not None:
                kept = previous.records(digest)
                if kept is not None:
                    pieces.append((digest, builder.reuse(kept)))
                    continue
            try:
                text = piece.decode("utf-8" if top is not None else "utf-8-sig")
                if not plain_piece(text, first=top is None):
                    return None
                raw = toml.loads(text)
                if top is None:
                    head = text[: text.find("\n[[") + 1] if "\n[[" in text else text
                    if set(toml.loads(head)) & set(KINDS):  # `event = [...]` above the [[event]] tables
                        return None
                    if INCLUDE in raw:  # a ledger in many files is read whole, file by file
                        return None
                    top = {k: v for k, v in raw.items() if k not in KINDS}
            except (UnicodeDecodeError, toml.TOMLDecodeError, RecursionError, ValueError):
                return None
            before = builder.sizes()
            for kind in KINDS:
                if kind in raw:
                    builder.add(kind, raw[kind])
            if digest is not None and not builder.found_since(before):
                pieces.append((digest, builder.added_since(before)))
            del raw, text
        if top is None or blank:  # an empty ledger gets decode()'s own message
            return None
        ledger, built = builder.result(path)

        def text() -> str:  # only when there is a problem to place
            f.seek(0)  # had the file changed since, the caller sees it and reads it again whole
            return f.read().decode("utf-8-sig", errors="replace")

        result = _with_archives(_checked(ledger, _top_level(top) + built, text, path), text, path)
        result.pieces = tuple(pieces)
        return result


def _pieces(f, summed):
    rest = b""
    while block := f.read(PIECE):
        summed.update(block)
        buf = rest + block
        cut = buf.rfind(b"\n[[")
        if cut < 0:
            rest = buf
            continue
        yield buf[: cut + 1]
        rest = buf[cut + 1:]
    if rest:
        yield rest


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    return ((a.st_size, a.st_mtime_ns, a.st_ctime_ns, a.st_ino, a.st_dev)
            == (b.st_size, b.st_mtime_ns, b.st_ctime_ns, b.st_ino, b.st_dev))


def load_bytes(data: bytes, path: str) -> LoadResult:
    text, problem = decode(data, path)
    if problem:
        return LoadResult(Ledger(path), [problem])
    return load_text(text, path)


@contextmanager
def _collector_paused():
    # Loading makes millions of objects and no cycles: the collector would only rescan them.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # What was made meanwhile counts as old, not young: re-enabled as it was, the first
            # young collection scanned every record and tuple just made (0.2 s at 100,000 events,
            # a third of a warm load), to find nothing.  Moved to the oldest generation (freeze
            # then unfreeze: two list splices), not frozen: garbage among it is still collected.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def load_text(text: str, path: str) -> LoadResult:
    """The ledger in `text`, checked; its sources' archives are not read (a text from a git
    revision or a merge has no folder of its own): load() and extend() read them.  Its
    `include`s are not read either: load() reads them (_read_text)."""
    with _collector_paused():
        return _load_text(text, path)


_INCLUDE_LINE = re.compile(r"""^[ \t]*["']?include["']?[ \t]*[=.]""", re.MULTILINE)


def _read_text(text: str, path: str) -> LoadResult:
    """load_text, and the files a ledger on disk includes.  `include` is a top-level key, so it
    comes before the first table: only the text above that is searched."""
    cut = text.find("\n[")
    if not _INCLUDE_LINE.search(text if cut < 0 else text[:cut]):
        return load_text(text, path)
    with _collector_paused():
        return _load_text(text, path, _read_from_disk)


def _toml():
    """The TOML parser: iqtl.ledgerfile.tomlparse (toml-rs, refereed by tomli), with `loads` and
    `TOMLDecodeError` as tomli has them.  Imported when a ledger is parsed: a run answered by the
    cache needs none of it (start-up)."""
    from iqtl.ledgerfile import tomlparse

    return tomlparse


def _load_text(text: str, path: str, reader=None) -> LoadResult:
    raw = _parse(text, path)
    if isinstance(raw, Problem):
        return LoadResult(Ledger(path), [raw])
    if reader is not None and INCLUDE in raw:
        from iqtl.ledgerfile.includes import load_split

        return load_split(text, raw, path, reader)
    ledger, findings = build(raw, path)
    del raw  # the records hold what they need of it
    return _checked(ledger, findings, text, path)


def _parse(text: str, path: str) -> dict | Problem:
    """The TOML tables of `text`, or the syntax error located."""
    toml = _toml()
    try:
        return toml.loads(text)
    except RecursionError:  # the parser recurses once per nesting level
        line, col = _too_deep(text)
        return Problem(path, line, col, "error", "TOML syntax: arrays or tables nested too deeply", "toml")
    except toml.TOMLDecodeError as exc:
        from iqtl.ledgerfile.locate import toml_error_position

        line, col, msg = toml_error_position(exc)
        if not line:  # "at end of document"
            lines = text.splitlines() or [""]
            line, col = len(lines), len(lines[-1]) + 1
        if "Illegal character '\\n'" in msg:
            msg += " (a string left unclosed on this line?)"
        return Problem(path, line, col, "error", f"TOML syntax: {msg}", "toml")
    except ValueError as exc:  # an integer of over 4,300 digits (Python's guard against slow conversions)
        import re

        m = re.search(r"[+-]?[0-9][0-9_]{4299,}", text)
        line = text.count("\n", 0, m.start()) + 1 if m else 1
        col = m.start() - text.rfind("\n", 0, m.start()) if m else 1
        return Problem(path, line, col, "error", f"TOML: a number too long to read ({str(exc).split(':')[0]})",
                       "toml")


def _too_deep(text: str, limit: int = 100) -> tuple[int, int]:
    """Where bracket nesting first passes `limit` (strings are not skipped: this only places an
    error the parser already found)."""
    depth = 0
    for lineno, line in enumerate(text.split("\n"), 1):
        for col, ch in enumerate(line, 1):
            if ch in "[{":
                depth += 1
                if depth > limit:
                    return lineno, col
            elif ch in "]}":
                depth -= 1
    return 1, 1


def _checked(ledger: Ledger, findings: list[Finding], text: str | Callable[[], str], path: str) -> LoadResult:
    findings = _without_echoes(findings, validate(ledger))
    if not findings:
        return LoadResult(ledger, [])
    return LoadResult(ledger, locate(findings, text if isinstance(text, str) else text(), path))


def _with_archives(result: LoadResult, text: str | Callable[[], str], path: str) -> LoadResult:
    """The result, with the sources' archives (paths relative to the ledger's folder) read and every
    quote checked against them (iqtl.verify); `archives` records what was read, for the cache."""
    if result.archives is not None:  # read already: a ledger with includes (load_split)
        return result
    ledger = result.ledger
    if not any(s.archive for s in ledger.sources):  # the usual ledger: nothing to read, nothing imported
        return LoadResult(ledger, result.problems, ())
    from iqtl.ledgerfile import archives
    from iqtl.verify import verify

    texts, stamps = archives.read(ledger, os.path.dirname(path) or ".")
    findings = verify(ledger, texts)
    if not findings:
        return LoadResult(ledger, result.problems, stamps)
    found = locate(findings, text if isinstance(text, str) else text(), path)
    return LoadResult(ledger, sorted(result.problems + found, key=lambda p: (p.line, p.col)), stamps)


def extend(ledger: Ledger, records: list[tuple[str, dict]], text: str | Callable[[], str]) -> LoadResult:
    """What load_text(text) gives when `text` is the text of `ledger` (which has no errors) with
    `records` appended as [[kind]] tables, without parsing that text again: the new records
    are built as build() would build them at the end of their tables, and the whole is checked.
    The caller vouches that appending cannot change how the old text reads (iqtl.writer).
    `text` may be a function giving it: it is needed only to place a problem."""
    with _collector_paused():
        builder = _Builder(ledger)
        for kind in KINDS:
            builder.add(kind, [raw for k, raw in records if k == kind])
        grown, findings = builder.result(ledger.path)
        return _with_archives(_checked(grown, findings, text, ledger.path), text, ledger.path)


def locate(findings: list[Finding], text: str, path: str) -> list[Problem]:
    from iqtl.ledgerfile.locate import Locator

    where = Locator(text)
    problems = []
    for f in findings:
        if f.kind is None:
            line, col = where.key(None, 0, f.key, f.at_key) if f.key else (1, 1)
        elif f.item is not None and f.key:
            line, col = where.item(f.kind, f.index, f.key, f.item)
            col += f.offset
        elif f.key:
            line, col = where.key(f.kind, f.index, f.key, f.at_key)
        else:
            line, col = where.record(f.kind, f.index)
        message = f.message
        if f.first is not None:
            message += f" (first defined at line {where.record(f.kind, f.first)[0]})"
        problems.append(Problem(path, line, col, f.severity, message, f.code))
    problems.sort(key=lambda p: (p.line, p.col))
    return problems


def _without_echoes(structural: list[Finding], checks: list[Finding]) -> list[Finding]:
    """A missing or mistyped key already reported is not reported again by a whole-ledger check."""
    faulty = {(f.kind, f.index, f.key) for f in structural if f.severity == "error"}
    return structural + [f for f in checks if (f.kind, f.index, f.key) not in faulty]


# ---------------------------------------------------------------- raw dicts -> records


def _type_name(value: object) -> str:
    return {str: "a string", list: "a list", dict: "a table", bool: "a boolean", int: "an integer",
            float: "a number"}.get(type(value), type(value).__name__)


def build(raw: dict, path: str) -> tuple[Ledger, list[Finding]]:
    findings = _top_level(raw)
    tables = _tables(raw, findings)
    builder = _Builder()
    for kind in KINDS:
        builder.add(kind, tables[kind])
    ledger, built = builder.result(path)
    return ledger, findings + built


def _tables(raw: dict, findings: list[Finding]) -> dict[str, list[dict]]:
    """kind -> its raw tables; a kind not written as an array of tables is reported and empty."""
    tables: dict[str, list[dict]] = {}
    for kind in KINDS:
        value = raw.get(kind, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            is_table = isinstance(value, dict)
            findings.append(error("not-a-table-array",
                                  f"{kind} must be an array of tables written [[{kind}]], not {_type_name(value)}",
                                  kind=kind if is_table else None, key=None if is_table else kind))
            value = []
        tables[kind] = value
    return tables


def _top_level(raw: dict) -> list[Finding]:
    findings: list[Finding] = []
    schema = raw.get("schema")
    if schema is None:
        findings.append(error("schema", f"missing `schema = {SCHEMA_VERSION}` at the top of the ledger"))
    elif schema != SCHEMA_VERSION or type(schema) is not int:  # not True, not 1.0
        findings.append(error("schema", f"unsupported schema {schema!r} (this iqtl reads schema = {SCHEMA_VERSION})",
                              key="schema"))
    for key in raw:
        if key not in TOP_LEVEL and key != INCLUDE:  # include: iqtl.ledgerfile.includes
            is_table = isinstance(raw[key], list | dict)
            findings.append(error("unknown-key", f"unknown top-level key {key!r}" + did_you_mean(key, TOP_LEVEL[1:]),
                                  kind=key if is_table else None, key=None if is_table else key, at_key=True))
    return findings


class _Builder:
    """Records from raw tables, given a table or a part of one at a time in file order; the
    findings come out kind by kind, as if each table had been built whole."""

    def __init__(self, ledger: Ledger | None = None):
        self.tables = {kind: list(ledger.table(kind)) if ledger else [] for kind in KINDS}
        self.findings: dict[str, list[Finding]] = {kind: [] for kind in KINDS}
        self.source_dates = {s.id: s.date for s in self.tables["source"]}

    def sizes(self) -> dict[str, tuple[int, int]]:
        """How many records and findings each table has so far."""
        return {kind: (len(self.tables[kind]), len(self.findings[kind])) for kind in KINDS}

    def found_since(self, sizes: dict[str, tuple[int, int]]) -> bool:
        return any(len(self.findings[kind]) != sizes[kind][1] for kind in KINDS)

    def added_since(self, sizes: dict[str, tuple[int, int]]) -> dict[str, tuple[int, int]]:
        """{kind: (first index, count)} of the records built since `sizes` was taken."""
        return {kind: (sizes[kind][0], len(self.tables[kind]) - sizes[kind][0]) for kind in KINDS
                if len(self.tables[kind]) > sizes[kind][0]}

    def reuse(self, records: dict[str, list]) -> dict[str, tuple[int, int]]:
        """Take records already built (from the same bytes, by the same code) as the next of each
        table; returns where they went, as added_since."""
        before = self.sizes()
        for kind in KINDS:
            if records.get(kind):
                self.tables[kind].extend(records[kind])
                if kind == "source":
                    self.source_dates.update((s.id, s.date) for s in records[kind])
        return self.added_since(before)

    def add(self, kind: str, raws: list[dict]) -> None:
        records, findings, dates = self.tables[kind], self.findings[kind], self.source_dates
        start = len(records)
        raws = raws if type(raws) is list else list(raws)
        for at in range(0, len(raws), _CLEAN_BATCH):
            batch = raws[at:at + _CLEAN_BATCH]
            clean = _clean_records(kind, batch, dates)
            if clean is not None:  # the usual case
                records.extend(clean)
            elif kind == "claim":
                records.extend(_claim(r, len(records), findings, dates) for r in batch)
            else:
                make = _source if kind == "source" else _actor if kind == "actor" else _event
                records.extend(make(r, len(records), findings) for r in batch)
        if kind == "source":
            self.source_dates.update((s.id, s.date) for s in records[start:])

    def result(self, path: str) -> tuple[Ledger, list[Finding]]:
        claims = self.tables["claim"]
        for i, cl in enumerate(claims):  # a claim read before its source takes the source's date now
            # `is` first: the date is most often the very object (EDTF's == is a Python call)
            if not cl.own_date and cl.date is not (date := self.source_dates.get(cl.source)) and cl.date != date:
                claims[i] = replace(cl, date=date)
        ledger = Ledger(path, *(tuple(self.tables[kind]) for kind in KINDS))
        return ledger, [f for kind in KINDS for f in self.findings[kind]]


_SPECS = {kind: {f.name: f for f in FIELDS[kind]} for kind in KINDS}
_REQUIRED = {kind: [f.name for f in FIELDS[kind] if f.required] for kind in KINDS}
# Strings that need no check beyond their type (no choices, not an id, may be empty).
_FREE_TEXT = {kind: {f.name for f in FIELDS[kind] if not (f.required or f.choices or f.name == "id")}
              for kind in KINDS}
_parse_date = lru_cache(maxsize=None)(edtf.parse)  # ledgers repeat dates; EDTF values are immutable


class _Fields:
    """Typed access to one raw record, recording a finding for each fault."""

    __slots__ = ("kind", "index", "raw", "findings", "spec")

    def __init__(self, kind: str, index: int, raw: dict, findings: list[Finding]):
        self.kind, self.index, self.raw, self.findings = kind, index, raw, findings
        self.spec = spec = _SPECS[kind]
        if not spec.keys() >= raw.keys():
            for key in raw:
                if key == "iqtl-conflict":  # left by `iqtl merge-driver`: name both sides' values
                    from .merge import describe

                    self.findings.append(error("merge-conflict", f"{self.label}: {describe(raw[key])}", kind, index,
                                               key, at_key=True))
                elif key not in spec:
                    message = f"{self.label}: unknown key {key!r}" + did_you_mean(key, spec)
                    self.findings.append(error("unknown-key", message, kind, index, key, at_key=True))
        for name in _REQUIRED[kind]:
            if name not in raw:
                self.err("missing-key", f"{self.label}: missing required key {name!r}", name)

    @property
    def label(self) -> str:
        rid = self.raw.get("id")
        return f"{self.kind} {rid!r}" if isinstance(rid, str) and rid else f"{self.kind} #{self.index + 1}"

    def err(self, code: str, message: str, key: str | None, item: str | None = None) -> None:
        self.findings.append(error(code, message, self.kind, self.index, key, item))

    def str(self, name: str) -> str:
        value = self.raw.get(name, "")
        if type(value) is str and name in _FREE_TEXT[self.kind]:
            return value
        f = self.spec[name]
        if not isinstance(value, str):
            self.err("wrong-type", f"{self.label}: {name} must be a string, not {_type_name(value)}", name)
            return ""
        if f.required and name in self.raw and not value.strip():
            self.err("empty", f"{self.label}: {name} is empty", name)
        if f.choices and value and value not in f.choices:
            self.err("bad-choice", f"{self.label}: {name} must be one of {', '.join(f.choices)}, not {value!r}"
                     + did_you_mean(value, f.choices), name)
        if name == "id" and value and not is_slug(value):
            self.err("bad-id", f"{self.label}: id must be a slug of a-z, 0-9 and '-' starting with a letter or digit",
                     name)
        return value

    def list(self, name: str) -> tuple[str, ...]:
        value = self.raw.get(name, ())
        if type(value) is list and all(type(v) is str for v in value):
            return tuple(value)
        if value == ():
            return ()
        if not isinstance(value, list):
            self.err("wrong-type", f"{self.label}: {name} must be a list of strings, not {_type_name(value)}", name)
            return ()
        bad = [v for v in value if not isinstance(v, str)]
        if bad:
            self.err("wrong-type", f"{self.label}: {name} must hold only strings, not {_type_name(bad[0])}", name)
        return tuple(v for v in value if isinstance(v, str))

    def int(self, name: str) -> int | None:
        if name not in self.raw:
            return None
        value = self.raw[name]
        if type(value) is not int:  # not a bool, not 1.0
            self.err("wrong-type", f"{self.label}: {name} must be an integer, not {_type_name(value)}", name)
            return None
        if value < 0:
            self.err("negative", f"{self.label}: {name} must be 0 or more, not {value}", name)
            return None
        return value

    def date(self, name: str) -> edtf.EDTF | None:
        if name not in self.raw:
            return None
        value = self.raw[name]
        if not isinstance(value, str):
            self.err("wrong-type", f"{self.label}: {name} must be an EDTF string such as \"2007-08~\", "
                     f"not {_type_name(value)}", name)
            return None
        try:
            return _parse_date(value)
        except edtf.EDTFError as exc:
            self.findings.append(error("bad-date", f"{self.label}: bad {name} {value!r}: {exc.message}",
                                       self.kind, self.index, name, value, offset=1 + exc.pos))
            return None


def _source(raw: dict, i: int, findings: list[Finding]) -> Source:
    f = _Fields("source", i, raw, findings)
    retrieved = f.date("retrieved")
    return Source(f.str("id"), f.str("title"), f.str("publisher"), f.date("date"),
                  f.str("author"), f.str("url"), f.str("type"), f.str("note"),
                  f.str("archive"), f.str("archive_sha256"), retrieved.text if retrieved else "")


def _actor(raw: dict, i: int, findings: list[Finding]) -> Actor:
    f = _Fields("actor", i, raw, findings)
    return Actor(f.str("id"), f.str("name"), f.list("aliases"), f.str("kind"), f.str("role"), f.str("note"))


def _event(raw: dict, i: int, findings: list[Finding]) -> Event:
    f = _Fields("event", i, raw, findings)
    return Event(f.str("id"), f.date("date"), f.str("title"), f.str("summary"), f.list("sources"),
                 f.str("date_note"), f.list("actors"), f.list("places"), f.list("tags"), f.list("related"))


def _claim(raw: dict, i: int, findings: list[Finding], source_dates: dict) -> Claim:
    f = _Fields("claim", i, raw, findings)
    own = f.date("date")
    source = f.str("source")
    return Claim(f.str("id"), f.str("text"), f.str("speaker"), source,
                 own if own else source_dates.get(source), own is not None,
                 f.str("date_note"), f.str("kind") or "quote", f.list("about"), f.list("supports"),
                 f.list("disputes"), f.str("note"),
                 f.str("quote_prefix"), f.str("quote_suffix"), f.int("quote_start"), f.int("quote_end"))


# ---------------------------------------------------------------- clean tables, fast

# Records checked and built a batch at a time: a batch with any fault is built again by _Fields,
# record by record, which finds and words the faults; a smaller batch redoes less work for one fault.
_CLEAN_BATCH = 512
_ABSENT_LIST: list = []  # an absent list of strings (never changed: only read, then made a tuple)


class _Absent:
    """An absent date or integer, told apart from a None given (which is a fault)."""


_ABSENT = _Absent()


def _clean_records(kind: str, raws: list, source_dates: dict) -> list | None:
    """The records _source/_actor/_event/_claim make of `raws`, when not one of them has a fault
    (each key known, of its type, required ones present and not blank, ids slugs, choices among
    the choices, dates that parse, integers 0 or more), or None: then _Fields builds them again
    and reports what is wrong.  Checked a field at a time over the whole batch, in passes that run
    in C (map, set, all), instead of a dozen Python calls a record: 0.35 s instead of 0.85 s for
    the 150,000 records of the 100k benchmark (parsing their 27,000 dates aside).  Exact types
    only (a subclass, a tuple for a list, a bool for an integer all take the slow path, which
    knows what to make of them)."""
    if not raws:
        return []
    if set(map(type, raws)) != {dict} or not set().union(*raws) <= _ALLOWED[kind]:
        return None
    values: dict[str, list] = {}
    for f in FIELDS[kind]:
        name = f.name
        if f.required:
            try:
                column = list(map(itemgetter(name), raws))
            except KeyError:
                return None
        elif f.type == LIST:
            column = [r.get(name, _ABSENT_LIST) for r in raws]
        elif f.type == STR:
            column = [r.get(name, "") for r in raws]
        else:  # a date or an integer: absent is None, and a None given is a fault (of its type)
            column = [r.get(name, _ABSENT) for r in raws]
        types = set(map(type, column))
        types.discard(_Absent)
        if f.type == STR:
            if types != {str}:
                return None
            if f.required and not all(map(str.strip, column)):
                return None
            if f.choices and not set(column) <= _CHOICES[kind][name]:
                return None
            if name == "id" and not all(map(_SLUG_MATCH, column)):
                return None
        elif f.type == LIST:
            if types != {list} or not set(map(type, chain.from_iterable(column))) <= {str}:
                return None
            column = list(map(tuple, column))
        elif f.type == DATE:
            if not types <= {str}:
                return None
            try:
                column = [None if v is _ABSENT else _parse_date(v) for v in column]
            except edtf.EDTFError:
                return None
        else:  # INT
            if not types <= {int}:
                return None
            column = [None if v is _ABSENT else v for v in column]
            given = [v for v in column if v is not None]
            if given and min(given) < 0:
                return None
        values[name] = column
    if kind == "source":
        values["retrieved"] = [d.text if d else "" for d in values["retrieved"]]
    elif kind == "claim":
        own = values["date"]
        values["own_date"] = [d is not None for d in own]
        values["date"] = [d if d else source_dates.get(s) for d, s in zip(own, values["source"], strict=True)]
        values["kind"] = [k or "quote" for k in values["kind"]]
    return list(map(maker(KIND[kind].cls, len(raws)), *(values[name] for name in _RECORD_FIELDS[kind])))


_ALLOWED = {kind: frozenset(f.name for f in FIELDS[kind]) for kind in KINDS}
_CHOICES = {kind: {f.name: frozenset((*f.choices, "")) for f in FIELDS[kind] if f.choices} for kind in KINDS}
_SLUG_MATCH = SLUG.fullmatch
_RECORD_FIELDS = {kind: [f.name for f in fields(KIND[kind].cls)] for kind in KINDS}
