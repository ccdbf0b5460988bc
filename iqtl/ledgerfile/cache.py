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

import marshal
import os
import stat
import sys
import time
from dataclasses import fields
from functools import lru_cache
from operator import attrgetter
from pathlib import Path

from iqtl import __version__
from iqtl.core.edtf import EDTF
from iqtl.core.model import Actor, Claim, Event, Ledger, Problem, Source, maker
from iqtl.core.sha import SMALL, sha256

ENV_NO_CACHE = "IQTL_NO_CACHE"
FORMAT = 2  # 2: frames, the key first
MAGIC = b"iqtl-cache\x00" + bytes([FORMAT])

_CLASSES = {"source": Source, "actor": Actor, "event": Event, "claim": Claim}
_FIELDS = {kind: [f.name for f in fields(cls)] for kind, cls in _CLASSES.items()}
_GETTERS = {kind: attrgetter(*names) for kind, names in _FIELDS.items()}
_DATE_AT = {kind: next((i for i, f in enumerate(fields(cls)) if f.name == "date"), None)
            for kind, cls in _CLASSES.items()}
_EDTF_GET = attrgetter(*(f.name for f in fields(EDTF)))
_EDTF_START = [f.name for f in fields(EDTF)].index("start")


bypass = False  # set by `iqtl --no-cache`
# When the command line asks for it (iqtl.ledgerfile.BACKGROUND_CACHE), a big ledger's cache is
# written by a forked child while the command goes on to print (two cores do both at once: at
# 100,000 events the 2 s of writing the database overlap the 1 s of writing the CSV), and the
# command line waits for it before the process ends, so that the next command finds it.  Library
# callers write in the calling process.
_writers: list[int] = []


def wait_for_writers() -> None:
    """Wait until every cache writer forked by this process has finished.  Ctrl-C stops the
    waiting (the writer, in the same process group, is interrupted too and leaves no file)."""
    while _writers:
        try:
            os.waitpid(_writers.pop(), 0)
        except (ChildProcessError, InterruptedError):
            pass
        except KeyboardInterrupt:
            _writers.clear()


def enabled() -> bool:
    return not bypass and os.environ.get(ENV_NO_CACHE, "") in ("", "0")


def directory() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "iqtl"


def digest(data: bytes) -> bytes:
    return sha256(data).digest()


def hasher():
    """The running form of digest(): update() it with the bytes in order, then digest()."""
    return sha256()


def file_digest(f) -> bytes:
    """digest() of an open binary file's whole content, read in blocks, not held in memory (a
    small file is read whole: iqtl.core.sha hashes it without loading OpenSSL)."""
    f.seek(0)
    if os.fstat(f.fileno()).st_size <= SMALL:
        return sha256(f.read()).digest()
    import hashlib

    return hashlib.file_digest(f, "sha256").digest()


def entry_path(real: str, suffix: str = ".marshal") -> Path:
    """Where the entry for a ledger is kept: a marshal file, or a database (iqtl.ledgerfile.index)."""
    name = sha256(f"{real}\x00{sys.implementation.cache_tag}".encode("utf-8", "surrogateescape"))
    return directory() / f"{name.hexdigest()[:32]}{suffix}"


def _key(real: str, st: os.stat_result) -> tuple:
    return (real, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev, __version__, FORMAT,
            _code_stamp())




@lru_cache(maxsize=1)
def _code_stamp() -> tuple:
    """The size and mtime of the modules that make a ledger (core, checks, ledgerfile): a checkout
    edited or reinstalled without a new version number must not be answered by what older code
    made of the ledger.  About 0.1 ms."""
    package = os.path.dirname(os.path.dirname(__file__))
    stamp = []
    for folder in (package, os.path.join(package, "core"), os.path.join(package, "ledgerfile")):
        with os.scandir(folder) as entries:
            stamp.extend((folder[len(package):], e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in entries
                         if e.name.endswith(".py"))
    return tuple(sorted(stamp))


# ---------------------------------------------------------------- reading


def fetch(path: str, st: os.stat_result, ledger_digest) -> tuple | None:
    """The cached ledger for `path` whose stat is `st`, its problems, its archives' stamps, and the
    files it includes and patterns it expanded (iqtl.ledgerfile.includes), or None.
    `ledger_digest()` gives the digest of the ledger's bytes, computed only once the entry's
    key matches; the archives the entry was checked against must be unchanged too (read and hashed)."""
    try:
        real = os.path.realpath(path)
        entry = entry_path(real)
        f = open_private(entry)
        if f is None:
            return _fetch_database(path, real, st, ledger_digest)
        with f:
            if f.read(len(MAGIC)) != MAGIC:
                return None
            frames = _Frames(f)
            # Values are used only once the checksum at the end agrees; until then a damaged
            # frame can only fail to match or fail to load (marshal builds values, runs nothing).
            head = marshal.loads(frames.next())
            if not head_holds(head, real, st, ledger_digest):
                return None
            stamps, includes, globs = head.get("archives", ()), head.get("includes", ()), head.get("globs", ())
            decoded = Decoded(path)
            while part := frames.next():
                decoded.add(*marshal.loads(part))  # a part at a time: the entry is never all in memory
            if not frames.checksum_agrees():
                return None
        touch(entry)  # last used now: the size cap drops the least recently used first
        includes = tuple((_unrel(i[0], path), _unrel(i[1], path), *i[2:]) for i in includes)
        return decoded.ledger(), decoded.problems, stamps, includes, globs
    except Exception:  # a damaged or foreign entry is only a miss
        return None


def _fetch_database(path: str, real: str, st: os.stat_result, ledger_digest) -> tuple | None:
    """fetch() for a big ledger, kept as a database (iqtl.ledgerfile.index)."""
    from iqtl.ledgerfile import index

    entry = entry_path(real, index.INDEX_SUFFIX)
    found = index.open_entry(entry, path, real, st, ledger_digest)
    if found is None:
        return None
    try:
        ledger = found.whole()
    finally:
        found.close()
    decoded = Decoded(path)
    decoded.add("problems", found.problems)
    touch(entry)
    head = found.head
    includes = tuple((_unrel(i[0], path), _unrel(i[1], path), *i[2:]) for i in head.get("includes", ()))
    return ledger, decoded.problems, head.get("archives", ()), includes, head.get("globs", ())


def made_here(head: dict, real: str) -> bool:
    """Whether an entry was made for this path by this iqtl (version, cache format, code), from
    whatever version of the file: its records are what this code makes of the same bytes."""
    key = head["key"]
    return key[0] == real and key[-3:] == (__version__, FORMAT, _code_stamp())


def head_holds(head: dict, real: str, st: os.stat_result, ledger_digest) -> bool:
    """Whether what an entry (or the index beside it) was made from is what is there now."""
    if head["key"] != _key(real, st):
        return False
    # The bytes are always hashed: a stat can stay the same through an edit (a second write to a
    # page already written through mmap moves neither mtime nor ctime), the SHA-256 cannot.
    if ledger_digest() != head["data_digest"]:
        return False
    stamps = head.get("archives", ())
    if stamps and not _archives_unchanged(stamps):
        return False
    includes, globs = head.get("includes", ()), head.get("globs", ())
    return not (includes or globs) or _includes_unchanged(includes, globs)


def touch(entry: Path) -> None:
    try:
        os.utime(entry)
    except OSError:
        pass


def _includes_unchanged(includes, globs) -> bool:
    """Every file a ledger in many files included is as it was (path, size, mtime, inode, device
    and SHA-256, as an archive), and every pattern or missing name still matches the same files."""
    import glob

    if not all(len(i[4]) == 6 for i in includes) or not _archives_unchanged(tuple(i[4] for i in includes)):
        return False
    return all(tuple(sorted(glob.glob(pattern))) == tuple(matches) for pattern, matches in globs)


class _Frames:
    """Reads an entry's frames (8-byte little-endian size, then that many bytes), summing them."""

    def __init__(self, f):
        self.f, self.left = f, os.fstat(f.fileno()).st_size - f.tell()
        self.summed = sha256(size=self.left)

    def next(self) -> bytes:
        size_bytes = self.f.read(8)
        size = int.from_bytes(size_bytes, "little")
        if len(size_bytes) != 8 or size > self.left - 8:
            raise ValueError("truncated cache entry")
        data = self.f.read(size)
        self.left -= 8 + size
        self.summed.update(size_bytes)
        self.summed.update(data)
        return data

    def checksum_agrees(self) -> bool:
        return self.f.read() == self.summed.digest()


def open_private(entry: Path):
    """The entry opened for reading, if it is a regular file of ours that nobody else can write."""
    try:
        fd = os.open(entry, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if stat.S_ISREG(st.st_mode) and _private(st) and _private(os.stat(entry.parent)):
            return os.fdopen(fd, "rb")
    except OSError:
        pass
    os.close(fd)
    return None


def _private(st: os.stat_result) -> bool:
    owner = not hasattr(os, "getuid") or st.st_uid == os.getuid()
    return owner and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class Decoded:
    """Records rebuilt from the parts of an entry, as they are read."""

    def __init__(self, path: str):
        self.path = path
        self.tables: dict[str, list] = {kind: [] for kind in _CLASSES}
        self.problems: list[Problem] = []
        self.dates: dict[str, EDTF] = {}
        self.make_date = EDTF

    def date(self, raw):
        if raw is None:
            return None
        known = self.dates.get(raw[0])
        if known is None:
            values = list(raw)
            values[_EDTF_START] = self.date(raw[_EDTF_START])
            values[_EDTF_START + 1] = self.date(raw[_EDTF_START + 1])
            known = self.dates[raw[0]] = self.make_date(*values)
        return known

    def add(self, kind: str, rows: list) -> None:
        if kind == "problems":
            self.problems.extend(Problem(self.path, *p) if len(p) == 5 else Problem(_unrel(p[0], self.path), *p[1:])
                                 for p in rows)
            return
        if not rows:
            return
        # Rows turned into columns by zip (in C), and the columns into records by one map over the
        # fast constructor: no Python call per record but for its date (a dict lookup, by text).
        columns, at = list(zip(*rows, strict=True)), _DATE_AT[kind]  # strict: rows of other lengths are damage
        if len(columns) != len(_FIELDS[kind]):
            raise ValueError("rows of the wrong length")
        if at is not None:
            self.make_date = maker(EDTF, len(rows))
            dates, date = self.dates, self.date
            columns[at] = [None if raw is None else dates.get(raw[0]) or date(raw) for raw in columns[at]]
        self.tables[kind].extend(map(maker(_CLASSES[kind], len(rows)), *columns))

    def ledger(self) -> Ledger:
        return Ledger(self.path, *(tuple(self.tables[kind]) for kind in _CLASSES))


# ---------------------------------------------------------------- writing


PART = 10_000  # records in a part: reading one part at a time keeps a warm run's peak memory low


def _archives_unchanged(stamps) -> bool:
    from iqtl.ledgerfile.archives import unchanged

    return unchanged(tuple(stamps))


def store(path: str, st: os.stat_result, data_digest: bytes, ledger: Ledger, problems: list[Problem],
          archives: tuple | None = None, includes: tuple = (), globs: tuple = (), pieces: tuple = ()) -> None:
    """Remember a loaded ledger.  Failing to (no home, a full disk) costs only speed.  `archives`:
    the stamps of the sources' archives it was checked against; a ledger naming archives that were
    not read (None) is not stored, since its quotes were never checked.
    `pieces`: what records each piece of a ledger read in pieces made (LoadResult.pieces)."""
    if archives is None and any(s.archive for s in ledger.sources):
        return
    try:
        real = os.path.realpath(path)
        head = {"key": _key(real, st), "data_digest": data_digest, "archives": tuple(archives or ())}
        if includes or globs:  # a ledger in many files: the entry holds while each of them is unchanged
            head["includes"] = tuple((_rel(i.path, path), _rel(i.by, path), i.line, i.counts, i.stamp)
                                     for i in includes)
            head["globs"] = tuple(globs)
        from iqtl import ledgerfile

        if ledgerfile.BACKGROUND_CACHE and hasattr(os, "fork") and _big(ledger):
            pid = os.fork()
            if pid == 0:  # the writer: store, then leave without running anything of the parent's
                try:
                    _store(path, real, head, ledger, problems, st.st_size, pieces)
                    prune_now_and_then()
                finally:
                    os._exit(0)
            _writers.append(pid)
            return
        _store(path, real, head, ledger, problems, st.st_size, pieces)
    except Exception:
        return
    prune_now_and_then()


def _big(ledger: Ledger) -> bool:
    from iqtl.ledgerfile import index

    return len(ledger.events) + len(ledger.claims) >= index.threshold()


def _store(path: str, real: str, head: dict, ledger: Ledger, problems: list[Problem], size: int,
           pieces: tuple = ()) -> None:
    from iqtl.ledgerfile import index

    # A big ledger is kept as a database that lookups can read in part (a marshal entry when that
    # fails); the other form, made for an older version of the ledger, would only be a miss: it goes.
    entry, database = entry_path(real), entry_path(real, index.INDEX_SUFFIX)
    if index.wanted(ledger, problems):
        try:
            index.store(database, head, ledger, _problem_rows(problems, path), pieces)
            _unlink(entry)
            return
        except Exception:  # a full disk, a value the database cannot hold: the marshal form instead
            pass
    _unlink(database)
    _unlink(index.records_path(database))
    # An entry is smaller than its ledger's text: that size chooses how its checksum is made.
    _write_private(entry, pack(head, _parts(ledger, problems, path), size=size))


# ---------------------------------------------------------------- staying bounded

ENV_MAX_MB = "IQTL_CACHE_MAX_MB"
DEFAULT_MAX_MB = 512
STALE_TEMP = 3600  # seconds: a temp file this old belongs to a run that was killed
PRUNE_EVERY = 3600  # seconds between prunings (a stamp file's mtime says when the last one was)


def max_bytes() -> int:
    try:
        return max(0, int(os.environ.get(ENV_MAX_MB, DEFAULT_MAX_MB))) << 20
    except ValueError:
        return DEFAULT_MAX_MB << 20


def prune_now_and_then() -> None:
    """Prune when the last pruning is an hour old (one stat a store otherwise)."""
    stamp = directory() / ".pruned"
    try:
        if time.time() - os.stat(stamp).st_mtime < PRUNE_EVERY:
            return
    except OSError:
        pass
    try:
        stamp.touch()
    except OSError:
        return
    prune()


def prune(now: float | None = None) -> dict[str, int]:
    """Remove temp files of killed runs, entries whose ledger is gone (or of another cache format),
    then the least recently used entries until the whole is under the size cap.  Only files of
    ours (by name, owner and a private folder) are touched.  Returns what was removed, by reason."""
    now = time.time() if now is None else now
    removed = {"temp": 0, "missing": 0, "size": 0}
    folder = directory()
    try:
        if not _private(os.stat(folder)):
            return removed
        listing = list(os.scandir(folder))
    except OSError:
        return removed
    kept, companions = [], {}
    for e in listing:
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode) or not _private(st) or not e.name.endswith(_SUFFIXES):
            continue
        if e.name.startswith(".tmp-"):
            if now - st.st_mtime > STALE_TEMP and _unlink(e.path):
                removed["temp"] += 1
            continue
        if e.name.endswith(".records"):  # a database's records go with it
            companions[e.path[: -len(".records")] + ".sqlite"] = (e.path, st.st_size)
            continue
        ledger = _ledger_of(Path(e.path))
        if ledger is None or not os.path.exists(ledger):
            if _unlink(e.path):
                removed["missing"] += 1
            continue
        kept.append((st.st_mtime, st.st_size, e.path))
    entries = {path for _, _, path in kept}
    for entry, (records, _size) in companions.items():
        if entry not in entries:  # its index is gone (and counted): records alone answer nothing
            _unlink(records)
    kept = [(mtime, size + (companions[path][1] if path in companions else 0), path) for mtime, size, path in kept]
    total, cap = sum(size for _, size, _ in kept), max_bytes()
    for _, size, path in sorted(kept):  # the least recently used first
        if total <= cap:
            break
        if _unlink(path):
            if path in companions:
                _unlink(companions[path][0])
            total -= size
            removed["size"] += 1
    return removed


# An entry, or a big ledger's database and its records (iqtl.ledgerfile.index).
_SUFFIXES = (".marshal", ".sqlite", ".records")


def _ledger_of(entry: Path) -> str | None:
    """The real path of the ledger an entry is for, from its head; None for a foreign or damaged entry."""
    if entry.suffix != ".marshal":
        from iqtl.ledgerfile import index

        return index.ledger_of(entry)
    try:
        with open(entry, "rb") as f:
            if f.read(len(MAGIC)) != MAGIC:
                return None
            head = marshal.loads(_Frames(f).next())
        real = head["key"][0]
        return real if isinstance(real, str) else None
    except Exception:
        return None


def _unlink(path) -> bool:
    try:
        os.unlink(path)
        return True
    except OSError:
        return False


def _rel(shown: str, main: str) -> str | None:
    """A file of the ledger as the entry keeps it: relative to the main file's folder (None: the
    main file), so that the entry serves the ledger however its path is spelt."""
    return None if shown == main else os.path.relpath(shown, os.path.dirname(main) or ".")


def _unrel(rel: str | None, main: str) -> str:
    return main if rel is None else os.path.normpath(os.path.join(os.path.dirname(main), rel))


def _problem_rows(problems: list[Problem], path: str) -> list[tuple]:
    # A problem in an included file keeps its file (relative, as _rel) in front.
    return [(p.line, p.col, p.severity, p.message, p.code) if p.path == path else
            (_rel(p.path, path), p.line, p.col, p.severity, p.message, p.code) for p in problems]


def _parts(ledger: Ledger, problems: list[Problem], path: str):
    yield "problems", _problem_rows(problems, path)
    for kind in _CLASSES:
        records = ledger.table(kind)
        for at in range(0, len(records), PART):
            yield kind, _encode(kind, records[at:at + PART])


def pack(head: dict, parts, size: int | None = None):
    """An entry, as the byte strings to write one after another: MAGIC, then frames (8-byte size,
    bytes) of the head (the key and the ledger's digest: a stale entry is known without reading
    further) and of each (kind, rows) part, an empty frame, and the SHA-256 of all frames.
    `size`: about how many bytes the frames will hold, if known (iqtl.core.sha: speed only)."""
    summed = sha256(size=size)
    yield MAGIC
    for value in (head, *parts, None):
        data = b"" if value is None else marshal.dumps(value)
        size = len(data).to_bytes(8, "little")
        summed.update(size)
        summed.update(data)
        yield size
        yield data
    yield summed.digest()


def _encode(kind: str, records: tuple) -> list[tuple]:
    """The records as rows of plain values, a date as nested tuples (Decoded.add makes them again).
    Read a field at a time by C and zipped into rows; a date is encoded once (by its text, which
    decides the rest) and the same tuple given to every record with that date: encoding it again
    for each record was 0.54 s of a 100k store, and marshal writes a repeated tuple as a reference."""
    at = _DATE_AT[kind]
    if at is None:
        return list(map(_GETTERS[kind], records))
    columns = [tuple(map(attrgetter(name), records)) for name in _FIELDS[kind]]
    known: dict[str, tuple] = {}
    columns[at] = [None if d is None else known.get(d.text) or known.setdefault(d.text, _encode_date(d))
                   for d in columns[at]]
    return list(zip(*columns, strict=True))


encode_rows = _encode


def _encode_date(date: EDTF | None) -> tuple | None:
    if date is None:
        return None
    raw = list(_EDTF_GET(date))
    raw[_EDTF_START] = _encode_date(raw[_EDTF_START])
    raw[_EDTF_START + 1] = _encode_date(raw[_EDTF_START + 1])
    return tuple(raw)


def _write_private(entry: Path, parts) -> None:
    def fill(tmp: Path, fd: int) -> None:
        with os.fdopen(fd, "wb") as f:
            f.writelines(parts)  # made as written: the whole entry is never in memory

    write_private(entry, fill)


def write_private(entry: Path, fill) -> None:
    """Make `entry` in the cache folder by `fill(temporary path, its open fd)`, then rename it into
    place: a reader sees the old file or the whole new one.  `fill` owns (closes) the fd."""
    write_private_files([entry], lambda made: fill(*made[0]))


def write_private_files(entries: list[Path], fill) -> None:
    """write_private for files that go together: `fill` gets [(temporary path, fd)] in the order of
    `entries`, and they are renamed into place in that order (a reader that sees one new and one
    old file must be able to tell: iqtl.ledgerfile.index keeps a token in both)."""
    folder = entries[0].parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if not _private(os.stat(folder)):
        return  # a folder others can write to is no place for data we will trust
    made: list[tuple[Path, int]] = []
    try:
        for entry in entries:
            # As tempfile.mkstemp (mode 0600, a name nobody else holds), whose import costs 3 ms of start-up.
            tmp = folder / f".tmp-{os.getpid()}-{os.urandom(8).hex()}{entry.suffix}"
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
            made.append((tmp, os.open(tmp, flags, 0o600)))
        fill(made)
        for (tmp, _fd), entry in zip(made, entries, strict=True):
            os.replace(tmp, entry)
    except BaseException:
        for tmp, fd in made:
            try:
                os.close(fd)  # fill may have closed it already
            except OSError:
                pass
            _unlink(tmp)
        raise

