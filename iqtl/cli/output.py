"""The one way output leaves a command: a listing in the chosen format, a Rich view on a terminal,
or a document written to stdout or replacing a file."""

from __future__ import annotations

import io
import os
import re
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import typer

from iqtl.cli.errors import ExitCode, fail, warn
from iqtl.cli.options import Color
from iqtl.core.model import Ledger
from iqtl.formats import Options, write
from iqtl.reports.listing import Listing


def open_ledger(path: Path | None, *, broken: ExitCode = ExitCode.DATA) -> Ledger:
    """Load the ledger, or print its errors and exit: reading a broken ledger would mislead."""
    from iqtl.ledgerfile.loader import load

    where = find_or_fail(path, broken)
    result = load(where)
    if result.errors:
        for problem in result.errors[:20]:
            typer.echo(str(problem), err=True)
        more = len(result.errors) - 20
        tail = f" ({more} more)" if more > 0 else ""
        fail(f"{len(result.errors)} error(s) in the ledger{tail}; run 'iqtl check' for the full list", broken)
    return result.ledger


def from_index(where: Path, fmt: str, answer: Callable, *, table: bool = False):
    """`answer(index)` from the cache's database of the ledger at `where` (iqtl.ledgerfile.index),
    when there is one that holds and the output reads no more than what `answer` takes from it:
    a format whose Format.whole_ledger is False (or the terminal's table, when `table` says its
    view needs no more).  None otherwise, and the caller loads the ledger."""
    from iqtl.formats import FORMATS

    chosen = FORMATS.get(fmt)
    if not (table and fmt == "table") and (chosen is None or chosen.whole_ledger):
        return None
    from iqtl.ledgerfile.index import MISSES, for_ledger

    index = for_ledger(where)
    if index is None:
        return None
    try:
        return answer(index)
    except MISSES:  # a row that does not check: as any cache miss, read the ledger itself
        return None
    finally:
        index.close()


def find_or_fail(path: Path | None, code: int = ExitCode.DATA) -> Path:
    """The ledger as every command finds it (see loader.locate_ledger), or exit with `code`.  When
    it is the bundled demo, a person at a terminal is told so, once, on stderr: reading the demo
    instead of their own ledger would otherwise pass silently."""
    from iqtl.ledgerfile.loader import LedgerNotFoundError, locate_ledger

    try:
        found = locate_ledger(path)
    except LedgerNotFoundError as exc:
        fail(str(exc), code)
    if found.bundled and sys.stderr is not None and sys.stderr.isatty():
        warn(f"no data/events.toml here or in any folder above: reading the demo ledger bundled with iqtl "
             f"({found.path}); 'iqtl ledger' explains", "note")
    return found.path


def console(color: Color | str, width: int | None = None):
    from iqtl.terminal.render import make_console  # Rich is imported only for output meant for people

    con = make_console(Color(color).value)
    if width is not None:
        con.width = width
    return con


_TRAILING = re.compile(r" +((?:\x1b\[[0-9;]*m)*)$", re.MULTILINE)


def print_rich(renderable, color: Color | str, width: int | None = None) -> None:
    """Draw for people: lines without trailing spaces, through a pager when longer than the screen."""
    con = console(color, width)
    with con.capture() as captured:
        con.print(renderable)
    page(_TRAILING.sub(r"\1", captured.get()), con.height)


def page(text: str, height: int) -> None:
    """Long text on a terminal goes through $IQTL_PAGER, else $PAGER, else `less -FRX` (LESS=FRX
    when unset, as git does); never in a pipe, never with --no-pager or a pager of `cat`."""
    import shlex

    root = sys.modules.get("iqtl.cli.app")  # the root's --no-pager, when a command line was parsed
    pager = os.environ.get("IQTL_PAGER", os.environ.get("PAGER", "less -FRX")).strip()
    if (getattr(root, "no_pager_given", False) or not pager or pager == "cat" or text.count("\n") < height - 1
            or not sys.stdout.isatty() or not sys.stdin.isatty()):
        sys.stdout.write(text)
        return
    import subprocess

    sys.stdout.flush()
    try:
        subprocess.run(shlex.split(pager), input=text.encode("utf-8", "replace"), check=False,
                       env={**os.environ, "LESS": os.environ.get("LESS", "FRX"), "LESSCHARSET": "utf-8"})
    except (OSError, ValueError):  # no such pager: the text itself, unpaged
        sys.stdout.write(text)


def emit(fmt: str, listing: Listing, *, color: Color | str = Color.auto, table: Callable[[], object] | None = None,
         options: Options = Options(), empty: str = "", width: int | None = None) -> None:
    """A listing to stdout: the terminal's table (built lazily by `table`), or any registered format.
    An empty result is said on stderr when a person is looking (a table, or any format on a terminal)."""
    if not listing.records and empty and (fmt == "table" or sys.stdout.isatty()):
        typer.echo(empty, err=True)
    if fmt == "table":
        if listing.records and table is not None:
            print_rich(table(), color, width)
        return
    for note in write(fmt, listing, sys.stdout, options):
        warn(note, "note")


def document(fmt: str, listing: Listing, output: Path | None, options: Options) -> None:
    """A whole document (an export) to stdout, or replacing FILE in one step."""
    if _file_only(fmt):
        return _database(fmt, listing, output, options)
    if output is None or str(output) == "-":
        # Straight to stdout: a page of 100,000 events held in memory first took 1.4 GB and a
        # third of the time.  (A file is written whole or not at all, below.)
        for note in write(fmt, listing, sys.stdout, options):
            warn(note, "note")
        return
    buf = io.StringIO(newline="")
    for note in write(fmt, listing, buf, options):
        warn(note, "note")
    text = buf.getvalue()
    from iqtl.ledgerfile.writer import WriteError, replace_file

    source = getattr(listing.ledger, "path", None)
    try:  # through symlinks and hard links: the ledger is read, never replaced by its own export
        if source and os.path.samefile(output, source):
            fail(f"will not write {output}: it is the ledger being read ({source})", ExitCode.USAGE)
    except OSError:
        pass  # no such output yet (or an unreadable one): not the ledger
    real = Path(os.path.realpath(output))  # a symlink stays a symlink, as for `add`
    try:
        special = not stat.S_ISREG(os.stat(real).st_mode)
    except OSError:
        special = False
    try:
        if special:  # a FIFO, a device, a terminal: written as a stream, never replaced by a file
            with open(real, "wb", buffering=0) as f:
                f.write(text.encode("utf-8"))
            return
        # A reader of the file sees the old one or the new one, never half of one.
        replace_file(real, text.encode("utf-8"), Path(output))
    except WriteError as exc:
        fail(str(exc), ExitCode.USAGE)
    except OSError as exc:
        fail(f"cannot write {output}: {exc.strerror}", ExitCode.USAGE)


def _file_only(fmt: str) -> bool:
    from iqtl.formats import FORMATS

    return FORMATS[fmt].file_only


def _database(fmt: str, listing: Listing, output: Path | None, options: Options) -> None:
    """A file-only format (a database): built in a temporary file beside FILE, then renamed over it,
    so that FILE is the old file or the whole new one, never half; never written over the ledger."""
    import time

    from iqtl.formats import write_file
    from iqtl.ledgerfile.writer import TMP_SUFFIX, _fsync_dir

    if output is None or str(output) == "-":
        fail(f"the {fmt} format writes a file, not stdout: give one with -o FILE", ExitCode.USAGE)
    target = _final_path(Path(output))
    if target is None:
        fail(f"cannot write the {fmt} export to {output}: not a regular file", ExitCode.USAGE)
    ledger = listing.ledger.path if listing.ledger is not None else None
    try:
        same = ledger is not None and target.exists() and os.path.samefile(target, ledger)
    except OSError:
        same = False
    if same:
        fail(f"refusing to write the {fmt} export over the ledger itself ({target})", ExitCode.USAGE)
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror}; nothing was changed", ExitCode.USAGE)
    if st is not None and not stat.S_ISREG(st.st_mode):
        # A device, a FIFO or a directory: renaming a database over it would replace the node itself.
        fail(f"cannot write the {fmt} export to {target}: not a regular file", ExitCode.USAGE)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}{TMP_SUFFIX}")
    try:
        notes = write_file(fmt, listing, tmp, options)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~umask)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        fail(f"cannot write {target}: {exc.strerror or exc}; nothing was changed", ExitCode.USAGE)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)
    for note in notes:
        warn(note, "note")


def _final_path(path: Path) -> Path | None:
    """The file a path names, its symlinks followed (the file is replaced, not the link); None when
    it is, or a link leads through, /dev or /proc: /dev/stdout is a link to /proc/self/fd/1, which
    can be a regular file, and renaming a database over any of them would replace the node itself."""

    for _hop in range(40):
        # Its directory resolved (a link to /proc/self/fd is a directory too), then its last part.
        path = Path(os.path.realpath(Path(os.path.abspath(path)).parent)) / path.name
        if path.parts[1:2] in (("dev",), ("proc",)):
            return None
        if not path.is_symlink():
            return path
        path = path.parent / os.readlink(path)
    return None  # a loop
