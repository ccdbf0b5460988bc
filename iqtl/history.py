"""`iqtl log ID`: the commits that changed one record, newest first, with the field-level change.

The ledger file's history comes from one `git log --follow --name-only` (the file's name at each
commit, through renames of the file); each version is read once through one `git cat-file
--batch` and parsed once, and only two versions are held at a time.  Each version is compared
with the one before it for the record alone, and when the record appears under an id that the
older version lacks, the diff's rename detection (a removed record identical but for its id)
says which id it had before: older commits are then followed under that id.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .diff import COMPARED, Change, _field_change, _label, _signature
from .model import KINDS, Ledger

LOG_COLUMNS = ("commit", "author", "date", "subject", "change", "kind", "id", "field", "old", "new", "detail")


class HistoryError(Exception):
    """Not a git repository, git missing, the ledger outside the repository."""


@dataclass(frozen=True, slots=True)
class Commit:
    hash: str
    author: str
    date: str  # ISO 8601, the author date
    subject: str
    path: str  # the ledger's path at this commit


@dataclass(frozen=True, slots=True)
class Entry:
    commit: Commit
    change: Change

    def as_dict(self) -> dict:
        c = self.commit
        return {"commit": c.hash, "author": c.author, "date": c.date, "subject": c.subject,
                **{k: v for k, v in self.change.as_dict().items() if k != "change"}, "change": self.change.change}


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", "-c", "core.quotePath=false", *args], cwd=cwd, capture_output=True, timeout=600)
    except FileNotFoundError as exc:
        raise HistoryError("git is not installed") from exc


def locate(ledger: Path) -> tuple[Path, str]:
    """(repository root, the ledger's path in it)."""
    where = ledger.resolve().parent
    if not where.is_dir():
        raise HistoryError(f"{ledger}: no such directory")
    top = _git(where, "rev-parse", "--show-toplevel")
    if top.returncode != 0:
        raise HistoryError(f"{where} is not in a git repository")
    root = Path(top.stdout.decode().strip())
    try:
        rel = ledger.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        raise HistoryError(f"the ledger {ledger} is outside the repository {root}") from None
    return root, rel


def commits(root: Path, rel: str) -> list[Commit]:
    """The commits that changed the file, newest first, following renames of the file."""
    done = _git(root, "log", "--follow", "--name-only", "--format=%x1e%H%x1f%an%x1f%aI%x1f%s", "--", rel)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        if message and "does not have any commits" in message[0]:
            return []
        raise HistoryError(f"git log failed: {message[0] if message else done.returncode}")
    out: list[Commit] = []
    path = rel
    for chunk in done.stdout.decode("utf-8", errors="replace").split("\x1e")[1:]:
        head, _, names = chunk.partition("\n")
        fields = head.split("\x1f")
        if len(fields) != 4:
            continue
        named = [n for n in names.split("\n") if n.strip()]
        path = named[0] if named else path
        out.append(Commit(fields[0], fields[1], fields[2], fields[3], path))
    return out


def _versions(root: Path, found: list[Commit]) -> Iterator[bytes | None]:
    """Each commit's version of the file, in order, through one `git cat-file --batch`."""
    if not found:
        return
    proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        for c in found:
            proc.stdin.write(f"{c.hash}:{c.path}\n".encode())
            proc.stdin.flush()
            header = proc.stdout.readline().split()
            if len(header) != 3 or header[1] != b"blob":
                yield None  # the file is absent at this commit (a deletion)
                continue
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)
            yield data
    finally:
        proc.stdin.close()
        proc.stdout.close()
        proc.wait()


def _parse(data: bytes | None, label: str) -> Ledger | None:
    """The version's records; None when it cannot be read (then it is compared across)."""
    from .loader import load_bytes

    if data is None:
        return Ledger(label)
    result = load_bytes(data, label)
    if any(p.code in ("toml", "encoding") for p in result.errors):
        return None
    return result.ledger


def _compare(older: Ledger, newer: Ledger, tracked: dict[str, str]) -> list[Change]:
    """What changed in the tracked record of each kind; renames update `tracked` to the old id."""
    out: list[Change] = []
    for kind in KINDS:
        rid = tracked.get(kind)
        if rid is None:
            continue
        new, old = newer.get(kind, rid), older.get(kind, rid)
        if new is not None and old is not None:
            out.extend(ch for name in COMPARED[kind] if (ch := _field_change(kind, rid, name, old, new)))
        elif new is not None:
            sig = _signature(new, kind)
            have = newer.by_id(kind)
            before = next((r.id for r in older.table(kind) if r.id not in have and _signature(r, kind) == sig), None)
            if before is not None:
                out.append(Change("~", kind, rid, "id", before, rid, "renamed"))
                tracked[kind] = before
            else:
                out.append(Change("+", kind, rid, "", "", "", _label(new)))
        elif old is not None:
            out.append(Change("-", kind, rid, "", "", "", _label(old)))
    return out


@dataclass
class History:
    entries: list[Entry]
    commits: int  # versions read
    ids: set[str]  # every id seen, for a did-you-mean


def history(ledger: Path, rid: str) -> History:
    root, rel = locate(ledger)
    found = commits(root, rel)
    tracked = dict.fromkeys(KINDS, rid)
    entries: list[Entry] = []
    ids: set[str] = set()
    newer: Ledger | None = None
    newer_commit: Commit | None = None
    read = 0
    for c, data in zip(found, _versions(root, found), strict=False):
        read += 1
        version = _parse(data, f"{c.hash[:10]}:{c.path}")
        if version is None:
            continue
        if read <= 1 or len(ids) < 100_000:
            for kind in KINDS:
                ids.update(r.id for r in version.table(kind))
        if newer is not None and newer_commit is not None:
            entries.extend(Entry(newer_commit, ch) for ch in _compare(version, newer, tracked))
        newer, newer_commit = version, c
    if newer is not None and newer_commit is not None:  # the oldest readable version: what it added
        entries.extend(Entry(newer_commit, ch) for ch in _compare(Ledger("empty"), newer, tracked))
    return History(entries, read, ids)
