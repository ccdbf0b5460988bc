"""A ledger in many files: `include = ["sources.toml", "events/*.toml"]` at the top of any file.

Rules (README, "Ledger format", "Includes"):
  * each name is a path relative to the folder of the file that names it; a name with *, ? or [
    is a glob pattern whose matches are taken sorted by path; a name or pattern matching nothing
    is an error at its line;
  * every file must lie in the main file's folder or below it (absolute paths, `~` and `..`
    leading out of it are refused): a ledger names only its own files;
  * the files are read depth first in the order named (a file, then what it includes, then the
    next name), and their records follow one another in that order, kind by kind;
  * a file is read once: naming it again is an error at the second name, and naming a file
    that is including it (a cycle) is an error at the name that closes the cycle;
  * an included file may leave out `schema`; when it has one, it must be the main file's.
Every problem is placed in the file and line of the record at fault; a duplicate id names the
file and line of the first.  This path is taken only by a ledger with `include`: a ledger in
one file is read as before (iqtl.ledgerfile.loader).
"""

from __future__ import annotations

import glob
import os
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from iqtl.checks import Finding, validate
from iqtl.core.model import KINDS, Problem
from iqtl.ledgerfile.loader import (
    BOM,
    INCLUDE,
    Included,
    LoadResult,
    _Builder,
    _parse,
    _tables,
    _top_level,
    _type_name,
    _without_echoes,
    decode,
    locate,
)

GLOB_CHARS = "*?["
Reader = Callable[[str], tuple[bytes, tuple]]


@dataclass
class _File:
    path: str
    text: str
    raw: dict
    by: str = ""
    line: int = 0
    stamp: tuple = ()
    _where: object = None

    def where(self):
        if self._where is None:
            from iqtl.ledgerfile.locate import Locator

            self._where = Locator(self.text)
        return self._where


def load_split(text: str, raw: dict, path: str, reader: Reader, tree: _Tree | None = None) -> LoadResult:
    """The ledger whose main file `path` has `text` (parsed: `raw`), with every file it includes
    read by `reader` (path -> bytes and stamp; OSError when it cannot); `tree`: the files are
    those of a git revision, not of the disk."""
    main = _File(path, text, raw)
    walk = _Walk(main, reader, tree)
    walk.run()
    files = walk.files

    builder = _Builder()
    starts: dict[str, list[int]] = {kind: [] for kind in KINDS}
    local: list[list[Finding]] = [[] for _ in files]
    for i, f in enumerate(files):
        found = _top_level(f.raw)
        if i:  # an included file may leave out `schema` (but not disagree)
            found = [x for x in found if not (x.code == "schema" and x.key is None)]
        tables = _tables(f.raw, found)
        local[i] = found
        for kind in KINDS:
            starts[kind].append(len(builder.tables[kind]))
            builder.add(kind, tables[kind])
    ledger, built = builder.result(path)
    found = _without_echoes(built, validate(ledger))

    archives_read: tuple | None = None if tree else ()  # a revision's archives are not read (as load_bytes)
    if tree is None and any(s.archive for s in ledger.sources):  # relative to the main file's folder
        from iqtl.ledgerfile import archives
        from iqtl.verify import verify

        texts, archives_read = archives.read(ledger, os.path.dirname(path) or ".")
        found += verify(ledger, texts)

    for f in found:
        i, moved = _placed(f, starts, files)
        local[i].append(moved)
    problems = list(walk.problems)
    for i, f in enumerate(files):
        if local[i]:
            problems += locate(local[i], f.text, f.path)
    order = walk.order
    problems.sort(key=lambda p: (order.get(p.path, len(order)), p.line, p.col))

    includes = []
    for i, f in enumerate(files[1:], 1):
        counts = tuple((starts[k][i + 1] if i + 1 < len(files) else len(ledger.table(k))) - starts[k][i]
                       for k in KINDS)
        includes.append(Included(f.path, f.by, f.line, counts, f.stamp))
    return LoadResult(ledger, problems, archives_read, tuple(includes), tuple(walk.globs))


def _placed(f: Finding, starts: dict[str, list[int]], files: list[_File]) -> tuple[int, Finding]:
    """(the file of the record at fault, the finding with its index in that file's table)."""
    if f.kind not in starts:
        return 0, f
    begins = starts[f.kind]
    i = bisect_right(begins, f.index) - 1
    moved = replace(f, index=f.index - begins[i])
    if f.first is not None:
        j = bisect_right(begins, f.first) - 1
        if j == i:
            moved = replace(moved, first=f.first - begins[i])
        else:
            line = files[j].where().record(f.kind, f.first - begins[j])[0]
            moved = replace(moved, first=None, message=f"{f.message} (first defined at {files[j].path}:{line})")
    return i, moved


class _Walk:
    """Reads the files of the ledger depth first, in the order named, each once."""

    def __init__(self, main: _File, reader: Reader, tree: _Tree | None = None):
        self.reader = reader
        # The disk, or the files of a git revision (names "REV:path", nothing to resolve).
        self.real = tree.real if tree else os.path.realpath
        self.abspath = tree.real if tree else os.path.abspath
        self.glob = tree.glob if tree else glob.glob
        self.files = [main]
        self.problems: list[Problem] = []
        self.globs: list[tuple[str, tuple[str, ...]]] = []  # (absolute pattern, its matches) for the cache
        self.order = {main.path: 0}  # path -> place, for sorting problems
        # The main file's folder as named (a symlinked main file still includes from beside its name).
        self.root = self.real(os.path.dirname(main.path) or ".")
        self.seen: dict[str, tuple[str, int]] = {self.real(main.path): ("", 0)}

    def run(self) -> None:
        main = self.files[0]
        stack = [(main, self._names(main))]
        chain = [self.real(main.path)]
        while stack:
            parent, names = stack[-1]
            nxt = next(names, None)
            if nxt is None:
                stack.pop()
                chain.pop()
                continue
            shown, name, line, col = nxt
            child = self._read(parent, shown, name, line, col, chain, [f.path for f, _ in stack])
            if child is not None:
                stack.append((child, self._names(child)))
                chain.append(self.real(child.path))

    def _bad(self, f: _File, line: int, col: int, message: str) -> None:
        self.problems.append(Problem(f.path, line, col, "error", message, "include"))

    def _names(self, f: _File):
        """(path as shown, name, line, col) of each file `f` includes; errors in its `include` reported."""
        value = f.raw.get(INCLUDE)
        if value is None:
            return
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            line, col = f.where().key(None, 0, INCLUDE)
            what = _type_name(value) if not isinstance(value, list) else "a list holding other things"
            self._bad(f, line, col, f"include must be a list of file names or glob patterns "
                                    f"(include = [\"sources.toml\", \"events/*.toml\"]), not {what}")
            return
        folder = os.path.dirname(f.path)
        for name in value:
            line, col = f.where().item(None, 0, INCLUDE, name)
            if not name.strip():
                self._bad(f, line, col, "include: an empty file name")
                continue
            if os.path.isabs(name) or name.startswith("~"):
                self._bad(f, line, col, f"include {name!r}: give a path relative to this file's folder")
                continue
            joined = os.path.normpath(os.path.join(folder, name))
            pattern = self.abspath(joined)
            if any(c in name for c in GLOB_CHARS):
                matches = sorted(self.glob(joined))
                self.globs.append((pattern, tuple(sorted(self.glob(pattern)))))
                if not matches:
                    self._bad(f, line, col, f"include {name!r} matches no file (in {folder or '.'})")
                    continue
            else:
                matches = [joined]
            for shown in matches:
                yield shown, name, line, col

    def _read(self, parent: _File, shown: str, name: str, line: int, col: int, chain: list[str],
              shown_chain: list[str]) -> _File | None:
        real = self.real(shown)
        self.order.setdefault(shown, len(self.order))
        if not _inside(real, self.root):
            self._bad(parent, line, col, f"include {name!r}: {shown} is outside the main ledger's folder "
                                         f"{self.root}; a ledger includes only files in or below its folder")
            return None
        if real in chain:
            cycle = " -> ".join([*shown_chain[chain.index(real):], shown])
            self._bad(parent, line, col, f"include {name!r}: an include cycle ({cycle})")
            return None
        if real in self.seen:
            by, at = self.seen[real]
            self._bad(parent, line, col, f"include {name!r}: {shown} is already included (by {by}:{at}); "
                                         "each file is read once")
            return None
        self.seen[real] = (parent.path, line)
        try:
            data, stamp = self.reader(shown)
        except FileNotFoundError:
            self.globs.append((self.abspath(shown), ()))  # its creation must be seen by the cache
            self._bad(parent, line, col, f"include {name!r}: no such file {shown}")
            return None
        except IsADirectoryError:
            self._bad(parent, line, col, f"include {name!r}: {shown} is a directory, not a ledger file")
            return None
        except OSError as exc:
            self._bad(parent, line, col, f"include {name!r}: cannot read {shown}: {exc.strerror}")
            return None
        child = _File(shown, "", {}, parent.path, line, stamp)
        self.files.append(child)
        if not data.removeprefix(BOM).strip():  # an empty file is a part with no records yet
            return child
        text, problem = decode(data, shown)
        if problem is not None:
            self.problems.append(problem)
            return child
        raw = _parse(text, shown)
        if isinstance(raw, Problem):
            self.problems.append(raw)
            return child
        child.text, child.raw = text, raw
        return child


def _inside(real: str, root: str) -> bool:
    try:
        return os.path.commonpath([root, real]) == root
    except ValueError:  # one absolute, one not
        return False


class _Tree:
    """The files of a git revision, named as `iqtl diff` names them ("REV:path/in/repo")."""

    def __init__(self, rev: str, root: str, names: list[str]):
        self.rev, self.root = rev, root
        self.names = [f"{rev}:{name}" for name in names]

    def real(self, shown: str) -> str:
        rev, _, rest = shown.partition(":")
        return f"{rev}:{os.path.normpath(rest)}" if rest else shown

    def glob(self, pattern: str) -> list[str]:
        """As glob.glob: `*` and `?` stay within one path segment; no dot files unless asked."""
        from fnmatch import fnmatchcase

        parts = self.real(pattern).split("/")
        return [n for n in self.names if len(n.split("/")) == len(parts) and all(
            fnmatchcase(seg, pat) and (pat.startswith(".") or not seg.startswith("."))
            for seg, pat in zip(n.split("/"), parts, strict=True))]

    def read(self, shown: str) -> tuple[bytes, tuple]:
        from iqtl.ledgerfile.revisions import _git

        done = _git(self.root, "cat-file", "blob", self.real(shown))
        if done.returncode != 0:
            raise FileNotFoundError(shown)
        return done.stdout, ()


def load_revision(data: bytes, label: str, current: os.PathLike) -> LoadResult:
    """The ledger at a git revision, as iqtl.ledgerfile.revisions.read_side gave it (`label` is
    "REV:path"), with the files it includes read at that revision too."""
    from iqtl.ledgerfile.loader import _INCLUDE_LINE, _collector_paused, load_bytes
    from iqtl.ledgerfile.revisions import _git

    text, problem = decode(data, label)
    if problem is not None or not _INCLUDE_LINE.search(text):
        return load_bytes(data, label)
    rev, _, _ = label.partition(":")
    top = _git(Path(os.path.realpath(current)).parent, "rev-parse", "--show-toplevel")
    listed = _git(Path(top.stdout.decode().strip()), "ls-tree", "-r", "--name-only", "-z", rev)
    if top.returncode != 0 or listed.returncode != 0:
        return load_bytes(data, label)
    tree = _Tree(rev, top.stdout.decode().strip(), [n for n in listed.stdout.decode().split("\0") if n])
    raw = _parse(text, label)
    if isinstance(raw, Problem):
        return load_bytes(data, label)
    with _collector_paused():
        return load_split(text, raw, label, tree.read, tree)


def load_replaced(path: str, replaced: dict[str, bytes]) -> LoadResult:
    """The ledger in many files at `path` as it would read were the files in `replaced` (real path
    -> bytes) to hold those bytes: what the appender checks before writing one of them.  Never
    cached; the other files are read from disk."""
    from iqtl.core.model import Ledger
    from iqtl.ledgerfile.loader import _collector_paused, _load_text, _read_from_disk

    def reader(shown: str) -> tuple[bytes, tuple]:
        real = os.path.realpath(shown)
        return (replaced[real], ()) if real in replaced else _read_from_disk(shown)

    try:
        data, _ = reader(path)
    except OSError as exc:
        return LoadResult(Ledger(path), [Problem(path, 0, 0, "error", f"cannot read: {exc.strerror}", "io")])
    text, problem = decode(data, path)
    if problem is not None:
        return LoadResult(Ledger(path), [problem])
    with _collector_paused():
        return _load_text(text, path, reader)


def default_file(result: LoadResult, kind: str) -> str:
    """Where `iqtl add` puts a record of `kind` when not told: the file that holds the most records
    of that kind; on a tie the main file if it is one of them, else the first in load order."""
    at = KINDS.index(kind)
    main = len(result.ledger.table(kind)) - sum(i.counts[at] for i in result.includes)
    best, most = result.ledger.path, main
    for i in result.includes:
        if i.counts[at] > most:
            best, most = i.path, i.counts[at]
    return best
