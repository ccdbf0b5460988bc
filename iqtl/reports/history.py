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
from dataclasses import dataclass
from pathlib import Path

from iqtl.core.model import KINDS, Ledger
from iqtl.reports.diff import COMPARED, Change, field_change, record_label, signature

LOG_COLUMNS = ("commit", "author", "date", "subject", "change", "kind", "id", "field", "old", "new", "detail")


class HistoryError(Exception):
    """Not a git repository, git missing, the ledger outside the repository."""


@dataclass(frozen=True, slots=True)
class Commit:
    hash: str
    parents: tuple[str, ...]
    author: str
    date: str  # ISO 8601, the author date
    subject: str
    path: str  # the ledger's path at this commit
    parent_path: str  # and at its parents (another when this commit renamed the file)


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
    """The commits that changed the file, children before parents, following renames of the file."""
    done = _git(root, "log", "--follow", "--topo-order", "--name-status",
                "--format=%x1e%H%x1f%P%x1f%an%x1f%aI%x1f%s", "--", rel)
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip().splitlines()
        if message and "does not have any commits" in message[0]:
            return []
        raise HistoryError(f"git log failed: {message[0] if message else done.returncode}")
    out: list[Commit] = []
    current = rel
    for chunk in done.stdout.decode("utf-8", errors="replace").split("\x1e")[1:]:
        head, _, names = chunk.partition("\n")
        fields = head.split("\x1f")
        if len(fields) != 5:
            continue
        path = before = current
        for line in names.split("\n"):
            parts = line.split("\t")
            if len(parts) == 3 and parts[0][:1] in "RC":  # renamed (or copied) in this commit
                before, path = parts[1], parts[2]
                break
            if len(parts) == 2:
                before = path = parts[1]
                break
        out.append(Commit(fields[0], tuple(fields[1].split()), fields[2], fields[3], fields[4], path, before))
        current = before
    return out


class _Reader:
    """Versions of the file through one `git cat-file --batch`, each blob parsed once while it is
    among the last few read (a commit's parent is almost always the commit read just before)."""

    def __init__(self, root: Path, keep: int = 8):
        self.proc = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.parsed: dict[bytes, Ledger | None] = {}
        self.keep = keep
        self.blobs = 0

    def read(self, rev: str, path: str) -> Ledger | None:
        proc = self.proc
        proc.stdin.write(f"{rev}:{path}\n".encode())
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) != 3 or header[1] != b"blob":
            return Ledger("absent")  # no such file at that revision: every record is absent
        sha, size = header[0], int(header[2])
        if sha in self.parsed:
            proc.stdout.read(size + 1)
            self.parsed[sha] = self.parsed.pop(sha)  # most recently used last
            return self.parsed[sha]
        data = proc.stdout.read(size)
        proc.stdout.read(1)
        self.blobs += 1
        version = _parse(data, f"{rev[:10]}:{path}")
        self.parsed[sha] = version
        if len(self.parsed) > self.keep:
            del self.parsed[next(iter(self.parsed))]
        return version

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.stdout.close()
        self.proc.wait()


def _parse(data: bytes, label: str) -> Ledger | None:
    """The version's records; None when it cannot be read (then the commit is passed over)."""
    from iqtl.ledgerfile.loader import load_bytes

    result = load_bytes(data, label)
    if any(p.code in ("toml", "encoding") for p in result.errors):
        return None
    return result.ledger


def _compare(older: Ledger, newer: Ledger, tracked: dict[str, set[str]]) -> tuple[list[Change], list[tuple]]:
    """What changed in the tracked records; and (kind, old id) for each record that was renamed."""
    out: list[Change] = []
    renamed: list[tuple] = []
    for kind in KINDS:
        for rid in sorted(tracked[kind]):
            new, old = newer.get(kind, rid), older.get(kind, rid)
            if new is not None and old is not None:
                out.extend(ch for name in COMPARED[kind] if (ch := field_change(kind, rid, name, old, new)))
            elif new is not None:
                sig = signature(new, kind)
                have = newer.by_id(kind)
                before = next((r.id for r in older.table(kind) if r.id not in have and signature(r, kind) == sig),
                              None)
                if before is not None:
                    out.append(Change("~", kind, rid, "id", before, rid, "renamed"))
                    renamed.append((kind, before))
                else:
                    out.append(Change("+", kind, rid, "", "", "", record_label(new)))
            elif old is not None:
                out.append(Change("-", kind, rid, "", "", "", record_label(old)))
    return out, renamed


@dataclass
class History:
    entries: list[Entry]
    commits: int  # commits that changed the file
    blobs: int  # versions parsed
    ids: set[str]  # every id seen, for a did-you-mean


def history(ledger: Path, rid: str) -> History:
    """A merge commit shows only what it changed against every parent (a conflict's resolution),
    as `git log --cc` does; every other commit, what it changed against its parent."""
    root, rel = locate(ledger)
    found = commits(root, rel)
    tracked = {kind: {rid} for kind in KINDS}
    entries: list[Entry] = []
    ids: set[str] = set()
    empty = Ledger("empty")
    reader = _Reader(root)
    try:
        for c in found:
            version = reader.read(c.hash, c.path)
            if version is None:
                continue
            if len(ids) < 1_000_000:
                for kind in KINDS:
                    ids.update(version.by_id(kind))
            results = []
            for parent in c.parents or ("",):
                older = reader.read(parent, c.parent_path) if parent else empty
                results.append(_compare(older if older is not None else empty, version, tracked))
            changes, renamed = results[0]
            if len(results) > 1:
                common = set.intersection(*({ch for ch in r[0]} for r in results))
                changes = [ch for ch in changes if ch in common]
                renamed = [r for r in renamed if any(ch.field == "id" and ch.old == r[1] for ch in changes)]
            for kind, old_id in renamed:
                tracked[kind].add(old_id)
            entries.extend(Entry(c, ch) for ch in changes)
    finally:
        reader.close()
    return History(entries, len(found), reader.blobs, ids)
