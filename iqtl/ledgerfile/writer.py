"""The one way iqtl changes a ledger: append records at the end, never touching a byte before.

    with Appender(path) as app:          # exclusive lock; read; refuse a broken ledger
        plan = app.plan(records)         # serialise with tomli-w; check the whole would-be file
        app.commit(plan)                 # temp file, fsync, rename, fsync dir, re-read

Everything between the lock and the commit sees one version of the file, so two `iqtl add`
runs cannot lose each other's records, and a reader (or a crash) sees the old file or the
new one, never half of either.
"""

from __future__ import annotations

import bisect
import errno
import fcntl
import os
import re
import stat
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import tomli_w

from iqtl.core.model import Ledger, Problem
from iqtl.core.text import escape_invisible_toml
from iqtl.ledgerfile import cache
from iqtl.ledgerfile.loader import LoadResult, extend, load_bytes, load_file

LOCK_TIMEOUT = 30.0  # seconds; a lock held this long belongs to a hung process, not a busy one
TMP_SUFFIX = ".iqtl-tmp"
MAX_LINE = 100  # as tomli-w's own limit


# Deterministic crash points for the fault tests: IQTL_CRASH_AT=<point> kills the process there, as a
# power cut or SIGKILL would, so that every step of a write is tested, not only those a random kill
# happens to hit.  Unset (always, outside tests) it costs one dict lookup a step.
CRASH_POINTS = ("read", "temp-written", "synced", "verified", "renamed", "committed")
_CRASH_AT = os.environ.get("IQTL_CRASH_AT")


def crash_point(name: str) -> None:
    if _CRASH_AT == name:
        os.kill(os.getpid(), 9)


WRITTEN: list[Path] = []  # files this process has replaced, for the message of a Ctrl-C after the rename


class WriteError(Exception):
    """A failure to read, lock or write, as one line for the user."""


class NotALedgerFileError(WriteError):
    """The file named to append to is neither the ledger nor a file it includes."""


class BrokenLedgerError(Exception):
    """The ledger has errors already: appending would hide them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} error(s) in the ledger")
        self.problems = problems


@dataclass
class Finding:
    """A problem of the would-be file; `record` indexes the records appended (None: elsewhere)."""

    problem: Problem
    record: int | None


@dataclass
class Plan:
    block: str  # the appended TOML, "\n" newlines (what --dry-run prints)
    data: bytes  # the whole new file
    findings: list[Finding] = field(default_factory=list)
    first_lines: list[int] = field(default_factory=list)  # the line of the new file each record starts on
    target: Path | None = None  # the file written, in a ledger in many files (else the ledger's own)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.problem.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.problem.severity == "warning"]


# ---------------------------------------------------------------- bytes


def newline_of(data: bytes) -> bytes:
    """The file's own newline: CRLF when most of its lines end so."""
    crlf = data.count(b"\r\n")
    return b"\r\n" if crlf and crlf >= data.count(b"\n") - crlf else b"\n"


def separator(data: bytes, nl: bytes) -> bytes:
    """What goes between the old bytes and the block: end the last line, then one blank line."""
    if not data.endswith(b"\n"):
        return nl + nl
    body = data.rstrip(b"\r\n")
    ends_blank = data[len(body):].count(b"\n") >= 2
    return b"" if ends_blank else nl


def serialise(records: list[tuple[str, dict]]) -> list[str]:
    """One `[[kind]]` table per record, keys in the record's order."""
    return [serialise_record(kind, record) for kind, record in records]


def serialise_record(kind: str, record: dict) -> str:
    """tomli-w writes every value, but not the table header: given `{kind: [record]}` it writes a
    short record as an inline `kind = [{…}]`, which at the end of a file would land inside the
    last table.  Arrays stay on one line, as people write them, when the line is short.  tomli-w
    escapes newlines inside strings, so every newline here is structural and can take the file's
    style."""
    lines = [f"[[{kind}]]"]
    for key, value in record.items():
        if isinstance(value, list) and value:
            inline = f"{_key(key)} = [{', '.join(_literal(v) for v in value)}]"
            if len(inline) <= MAX_LINE:
                lines.append(inline)
                continue
        lines.append(tomli_w.dumps({key: value}).rstrip("\n"))
    # Keys are schema names, so unsafe characters can only be inside strings, where \uXXXX means
    # the same: a bidi override or zero-width space in the file would deceive the next editor.
    text = escape_invisible_toml("\n".join(lines) + "\n")
    if tomllib.loads(text) != {kind: [record]}:  # never append what would not read back the same
        raise ValueError(f"cannot serialise the {kind} faithfully")
    return text


def _literal(value) -> str:
    return tomli_w.dumps({"v": value})[len("v = "):-1]


def _key(key: str) -> str:
    return tomli_w.dumps({key: 0})[: -len(" = 0\n")]


# ---------------------------------------------------------------- the appender


class Appender:
    def __init__(self, path: str | os.PathLike, *, lock: bool = True, to: str | os.PathLike | None = None):
        self.path = Path(path)
        self.to = to  # the file to append to: the ledger or a file it includes (None: the default rule)
        self.files: list[str] = []  # a ledger in many files: its files, main first (else empty)
        self._loaded: LoadResult | None = None
        self._target_lock: int | None = None
        # A symlinked ledger stays a symlink: everything happens beside its target.
        self.target = Path(os.path.realpath(self.path))
        self.lock = lock
        self._lock_fd: int | None = None
        self.old = b""
        self.ledger: Ledger | None = None
        self._result: LoadResult | None = None  # of the would-be file, once planned

    def __enter__(self) -> Appender:
        if self.lock:
            self._lock_fd = acquire_lock(self.target)
        try:
            self._read()
        except BaseException:
            self._release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self._release()

    def _release(self) -> None:
        if self._target_lock is not None:
            os.close(self._target_lock)
            self._target_lock = None
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor releases the flock
            self._lock_fd = None

    def _read(self) -> None:
        # Under the lock, the cache is as good as a parse; a miss is not stored (1.5 s at 100,000
        # events): the file is about to change, and commit() stores the new one.
        result, data = load_file(self.path, store=False)
        if data is None:
            raise WriteError(f"cannot read {self.path}: {result.errors[0].message}")
        self.old = data
        if result.errors:
            raise BrokenLedgerError(result.errors)
        self.ledger = result.ledger
        if result.includes:
            self.files, self._loaded = [str(self.path), *(i.path for i in result.includes)], result
        if self.to is not None:
            self.to = self._file_of_ledger(self.to)
        crash_point("read")

    def _file_of_ledger(self, to: str | os.PathLike) -> str | None:
        """The ledger's own name for the file `to` (None: the ledger is one file, appended to as always)."""
        real = os.path.realpath(to)
        for shown in self.files or [str(self.path)]:
            if os.path.realpath(shown) == real:
                return shown if self.files else None
        files = ", ".join(self.files) if self.files else f"{self.path} (it includes no other file)"
        raise NotALedgerFileError(f"{to} is not a file of the ledger: give one of {files}")

    def _plan_split(self, records: list[tuple[str, dict]]) -> Plan:
        """plan() for a ledger in many files: the block goes at the end of one of them (`to`, else
        includes.default_file), and the whole ledger is checked as it would then read."""
        from iqtl.ledgerfile.includes import default_file, load_replaced

        shown = self.to or default_file(self._loaded, records[0][0])
        target = os.path.realpath(shown)
        if self.lock and target != str(self.target) and self._target_lock is None:
            self._target_lock = acquire_lock(Path(target))  # as `iqtl fmt` of that file takes it
        try:
            old = Path(target).read_bytes()
        except OSError as exc:
            raise WriteError(f"cannot read {shown}: {exc.strerror}") from None
        self._split_old = old  # what the file held when planned: commit checks it still does
        nl = newline_of(old)
        chunks = serialise(records)
        prefix = old + separator(old, nl)
        data = prefix + "\n".join(chunks).encode("utf-8").replace(b"\n", nl)
        first_lines, line = [], prefix.count(b"\n") + 1
        for chunk in chunks:
            first_lines.append(line)
            line += chunk.count("\n") + 1
        result = load_replaced(str(self.path), {target: data})
        self._result = None  # the cache is left to the next read, which stamps every file
        findings = []
        for problem in result.problems:
            here = os.path.realpath(problem.path) == target
            index = bisect.bisect_right(first_lines, problem.line) - 1 if here else -1
            if index >= 0 or problem.severity == "error":
                findings.append(Finding(problem, index if index >= 0 else None))
        return Plan("\n".join(chunks), data, findings, first_lines, Path(shown))

    def plan(self, records: list[tuple[str, dict]]) -> Plan:
        """The new file and what a full check of it finds, attributed to the appended records."""
        if self.files:
            return self._plan_split(records)
        nl = newline_of(self.old)
        chunks = serialise(records)
        block = "\n".join(chunks)
        sep = separator(self.old, nl)
        data = self.old + sep + block.encode("utf-8").replace(b"\n", nl)
        first_lines, line = [], self.old.count(b"\n") + sep.count(b"\n") + 1
        for chunk in chunks:
            first_lines.append(line)
            line += chunk.count("\n") + 1
        kinds = {kind for kind, _ in records}
        # One copy of the text at a time (at 100,000 events each is 240 MB): the old text to look
        # at, then the new one only if a problem is to be placed in it.
        only_adds = appending_only_adds(self.old.decode("utf-8-sig"), kinds, self.ledger)
        if only_adds:
            result = extend(self.ledger, records, lambda: data.decode("utf-8-sig"))
        else:
            result = load_bytes(data, str(self.path))
            clash = any(p.code == "toml" for p in result.errors)
            if clash and (inline := top_level_kinds(self.old.decode("utf-8-sig"), kinds)):  # in the user's terms
                kind, line = min(inline.items(), key=lambda item: item[1])
                result = LoadResult(result.ledger, [Problem(
                    str(self.path), line, 1, "error",
                    f"this ledger writes its {kind} records as `{kind} = [...]` (line {line}), and TOML allows no "
                    f"[[{kind}]] table after that, which is how iqtl appends: write them as [[{kind}]] tables first",
                    "inline-table")])
        self._result = result
        findings = []
        for problem in result.problems:
            index = bisect.bisect_right(first_lines, problem.line) - 1
            index = index if index >= 0 else None
            # Old warnings are not news; an old error cannot be here (a broken ledger is refused).
            if index is not None or problem.severity == "error":
                findings.append(Finding(problem, index))
        return Plan(block, data, findings, first_lines)

    def commit(self, plan: Plan) -> None:
        if plan.errors:
            raise ValueError("refusing to commit a plan with errors")
        if not self.lock:
            raise ValueError("an unlocked appender only plans")
        if plan.target is not None:
            return self._commit_to(plan)
        _check_writable(self.path, self.target)
        _remove_stale_temps(self.target)
        # The lock keeps out other iqtl runs, not an editor: the file must still be the one read.
        replace_file(self.target, plan.data, self.path, expect=self.old)
        try:
            written = self.target.read_bytes()
        except OSError as exc:
            raise WriteError(f"wrote {self.path} but cannot read it back: {exc.strerror}") from None
        if written != plan.data:
            raise WriteError(f"{self.path} changed while it was written (an editor saving it?): "
                             "run 'iqtl check' and look at its end")
        if self._result is not None and cache.enabled():  # the next read of the new file is a hit
            cache.store(str(self.path), os.stat(self.target), cache.digest(written), self._result.ledger,
                        self._result.problems, self._result.archives)
        crash_point("committed")

    def _commit_to(self, plan: Plan) -> None:
        """commit() of a plan for one file of a ledger in many files: only that file is written."""
        shown, target = plan.target, Path(os.path.realpath(plan.target))
        _check_writable(shown, target)
        _remove_stale_temps(target)
        # As commit(): an editor's save of this file since it was read must not be overwritten.
        replace_file(target, plan.data, shown, expect=getattr(self, "_split_old", None))
        try:
            written = target.read_bytes()
        except OSError as exc:
            raise WriteError(f"wrote {shown} but cannot read it back: {exc.strerror}") from None
        if written != plan.data:
            raise WriteError(f"{shown} changed while it was written (an editor saving it?): "
                             "run 'iqtl check' and look at its end")
        crash_point("committed")


# ---------------------------------------------------------------- appending without re-parsing

# Headers are lines starting with "[".  Searched for after a newline, which re finds quickly (a
# pattern starting with ^ tries every place: 0.7 s against 0.14 s on a 120 MB ledger); line 1 apart.
_HEADER_AT_START = re.compile(r"[ \t]*\[(.*)")
_HEADER_AFTER_NEWLINE = re.compile(r"\n[ \t]*\[(.*)")
_TOP_KEY = re.compile(r"^[ \t]*[\"']?([A-Za-z0-9_-]+)[\"']?[ \t]*[.=]", re.MULTILINE)
_HEADER_NAME = re.compile(r"\[?[ \t]*[\"']?([^\]\"'.\s]*)")  # after the first "["
_ARRAY_HEADER = re.compile(r"\[[ \t]*([A-Za-z0-9_-]+)[ \t]*\]\][ \t]*(#.*)?\r?")  # after the first "["


def _headers(text: str):
    """(where the line starts, what follows its "[") for each line that starts with "["."""
    first = _HEADER_AT_START.match(text)
    if first:
        yield 0, first.group(1)
    for m in _HEADER_AFTER_NEWLINE.finditer(text):
        yield m.start() + 1, m.group(1)


def top_level_kinds(text: str, kinds: set[str]) -> dict[str, int]:
    """The kinds among `kinds` given a value above the first table header (`event = [...]`,
    `event.x = 1`), with the line of each."""
    at, _ = next(_headers(text), (len(text), ""))
    top = text[:at]
    found: dict[str, int] = {}
    for m in _TOP_KEY.finditer(top):
        if m.group(1) in kinds:
            found.setdefault(m.group(1), top.count("\n", 0, m.start()) + 1)
    return found


def appending_only_adds(text: str, kinds: set[str], ledger: Ledger) -> bool:
    """True when appending `[[kind]]` tables to `text` (a ledger without errors) can only add
    records, so the old text need not be parsed again.  Conservative: anything unusual (a
    multi-line string, a header with an escape, `kind` written another way) answers False,
    and the whole new file is parsed."""
    if '"""' in text or "'''" in text or top_level_kinds(text, kinds):  # `event = [...]` at the top level
        return False
    # The regex knows plain spellings only: `"\u0065vent" = []` is `event` too.  What is above the
    # first header is small; its keys, as TOML reads them, settle it.
    at, _ = next(_headers(text), (len(text), ""))
    try:
        if set(tomllib.loads(text[:at])) & kinds:
            return False
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        return False
    arrays = dict.fromkeys(kinds, 0)
    for _, rest in _headers(text):
        if "\\" in rest:
            return False
        name = _HEADER_NAME.match(rest).group(1)
        if name not in kinds:
            continue
        array = _ARRAY_HEADER.fullmatch(rest)
        if not array or array.group(1) != name:  # [event], [event.x], [[event.x]]
            return False
        arrays[name] += 1
    return all(arrays[kind] == len(ledger.table(kind)) for kind in kinds)


# ---------------------------------------------------------------- the file system


def _lock_path(target: Path) -> Path:
    return target.with_name(f".{target.name}.lock")


def acquire_lock(target: Path) -> int:
    """An exclusive flock on a sidecar file.  The kernel drops it when the holder dies, so a
    lock file left behind is harmless; it is never deleted (deleting races with waiters)."""
    path = _lock_path(target)
    try:
        # Never through a symlink: one planted in a shared folder would make iqtl create (as whoever
        # runs it) a file wherever it points.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o666)
    except PermissionError as denied:
        try:  # a lock file made by another user: a read-only descriptor locks as well
            fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
        except OSError:
            raise WriteError(_no_lock(target, path, denied)) from None
    except OSError as exc:
        raise WriteError(_no_lock(target, path, exc)) from None
    deadline = time.monotonic() + LOCK_TIMEOUT
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise WriteError(f"{target} is locked by another iqtl for over {LOCK_TIMEOUT:.0f}s "
                                 f"(lock file {path})") from None
            time.sleep(0.005)
        except OSError as exc:
            os.close(fd)
            raise WriteError(f"cannot lock {target}: {exc.strerror}") from None


def _no_lock(target: Path, path: Path, exc: OSError) -> str:
    return f"cannot write {target}: cannot create the lock file {path.name} in {path.parent}: {exc.strerror}"


def _check_writable(path: Path, target: Path) -> None:
    # Root may write anything: a file with no write bit at all is still a "do not touch".
    mode = target.stat().st_mode
    if not os.access(target, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WriteError(f"cannot write {path}: the file is read-only (mode {stat.S_IMODE(mode):04o})")


def _remove_stale_temps(target: Path) -> None:
    """Temp files are only made under the lock we hold: any found now are from a killed run."""
    for stale in target.parent.glob(f".{target.name}.*{TMP_SUFFIX}"):
        try:
            stale.unlink()
        except OSError:
            pass


class ChangedError(WriteError):
    """The file changed between our read and our rename: writing would lose that change."""


def replace_file(target: Path, data: bytes, shown: Path | None = None, *, expect: bytes | None = None) -> None:
    """Write a sibling temp file with the target's owner, group, mode and extended attributes
    (ACLs among them), fsync it, rename it over the target, fsync the directory.  On any failure
    the temp file goes and the target is untouched.  A target that does not exist yet gets the
    mode a new file would (0666 less the umask).  `expect`: the bytes the target must still hold
    just before the rename (what the caller read), else ChangedError and nothing is written.
    A target with other hard links is refused: a rename would split it from them silently."""
    shown = shown or target
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    if st is not None and st.st_nlink > 1:
        raise WriteError(f"cannot write {shown}: it has {st.st_nlink} hard links, and replacing it would leave "
                         "the other names holding the old text; nothing was changed (copy it to break the link)")
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}{TMP_SUFFIX}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: cannot create a file in {target.parent}: {exc.strerror}; "
                         "nothing was changed") from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            crash_point("temp-written")
            if st is None:
                umask = os.umask(0)
                os.umask(umask)
                os.fchmod(fd, 0o666 & ~umask)
            else:
                _keep_identity(fd, target, st, shown)
            os.fsync(fd)
            crash_point("synced")
        finally:
            os.close(fd)
        old = _confirm_unchanged(target, expect, shown) if expect is not None else None
        crash_point("verified")
        try:
            os.replace(tmp, target)
            WRITTEN.append(shown)  # from here an interrupt must say the change is made (cli.app)
            crash_point("renamed")
            if old is not None:
                _kept_if_changed(old, target, shown)
        finally:
            if old is not None:
                old[0].close()
    except OSError as exc:
        _unlink_quietly(tmp)
        reason = "the disk is full" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror
        raise WriteError(f"cannot write {shown}: {reason}; nothing was changed") from None
    except BaseException:
        _unlink_quietly(tmp)
        raise
    _fsync_dir(target.parent)


def _keep_identity(fd: int, target: Path, st: os.stat_result, shown: Path) -> None:
    """Give the temp file the target's owner, group, mode and extended attributes, or refuse
    (WriteError) naming what cannot be kept.  The owner first: chown clears set-id bits."""
    if (st.st_uid, st.st_gid) != (os.fstat(fd).st_uid, os.fstat(fd).st_gid):
        try:
            os.fchown(fd, st.st_uid, st.st_gid)
        except PermissionError:
            try:  # a member of the file's group may give it that group, and that is what others rely on
                os.fchown(fd, -1, st.st_gid)
            except PermissionError:
                raise WriteError(f"cannot write {shown}: cannot keep its group (gid {st.st_gid}); nothing was "
                                 "changed") from None
            # Only root can give a file away.  A member of a group that may write the file shares it
            # by that group, which is kept (with the mode, ACLs, attributes), so the owner loses no
            # access; anyone else would take the file from its owner: refused.
            if st.st_uid != os.fstat(fd).st_uid and not st.st_mode & stat.S_IWGRP:
                raise WriteError(f"cannot write {shown}: it belongs to another user (uid {st.st_uid}) and its "
                                 "group may not write it, so a replacement would take it from them; nothing was "
                                 "changed") from None
    os.fchmod(fd, stat.S_IMODE(st.st_mode))
    try:
        names = os.listxattr(target)
    except OSError:  # a file system without extended attributes: nothing to keep
        return
    for name in names:
        try:
            value = os.getxattr(target, name)
        except OSError:
            continue  # gone meanwhile, or not readable to us (trusted.*): not ours to copy
        try:
            if os.getxattr(fd, name) == value:
                continue
        except OSError:
            pass
        try:
            os.setxattr(fd, name, value)
        except OSError as exc:
            raise WriteError(f"cannot write {shown}: cannot keep its extended attribute {name} "
                             f"({exc.strerror}); nothing was changed") from None
    try:  # a default ACL of the folder gives the new file an ACL the old one did not have
        extra = set(os.listxattr(fd)) - set(names)
    except OSError:
        extra = set()
    if "system.posix_acl_access" in extra:
        os.removexattr(fd, "system.posix_acl_access")
        os.fchmod(fd, stat.S_IMODE(st.st_mode))


def _confirm_unchanged(target: Path, expect: bytes, shown: Path):
    """The target still holds `expect`, byte for byte: an editor's save, a `>>` append or an
    in-place rewrite since our read would otherwise be lost to the rename.  Returns the target
    open, with its stat, for _kept_if_changed."""
    try:
        f = open(target, "rb")
    except OSError:
        f = None
    try:
        st = os.fstat(f.fileno()) if f else None
        same = st is not None and st.st_size == len(expect) and _holds(f, expect)
    except OSError:
        same = False
    if not same:
        if f:
            f.close()
        raise ChangedError(f"{shown} changed while iqtl was writing it (saved by an editor or another "
                           "program?); nothing was written: run the command again")
    return f, st


def _holds(f, expect: bytes, block: int = 1 << 20) -> bool:
    """The open file holds exactly `expect`, compared a block at a time (a second copy of a 120 MB
    ledger in memory would raise the peak of an add by as much)."""
    view, at = memoryview(expect), 0
    while chunk := f.read(block):
        if view[at:at + len(chunk)] != chunk:
            return False
        at += len(chunk)
    return at == len(expect)


def _kept_if_changed(old, target: Path, shown: Path) -> None:
    """A write into the old file in the instant between the check and the rename (a `>>`, an
    in-place save) went to a file no longer named: keep it under a name beside the ledger, and say so."""
    f, st = old
    try:
        now = os.fstat(f.fileno())
    except OSError:  # the rename is done: this check must not report it as undone
        return
    if (now.st_size, now.st_mtime_ns) == (st.st_size, st.st_mtime_ns):
        return
    kept = target.with_name(f"{target.name}.changed-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}")
    f.seek(0)
    try:
        with open(kept, "xb") as out:
            out.write(f.read())
    except OSError as exc:
        raise WriteError(f"{shown} was changed by another program at the moment iqtl replaced it, and its "
                         f"version could not be kept ({exc.strerror}): compare the ledger with what you "
                         "saved") from None
    raise WriteError(f"{shown} was changed by another program at the moment iqtl replaced it: its version is "
                     f"kept as {kept.name} (the ledger has iqtl's change): merge the two")


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems cannot fsync a directory; the rename is done either way
    finally:
        os.close(fd)


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass
