"""The commands for working on one ledger as a team: `merge-driver`, `git-setup`, `log`, `fmt`.

iqtl.cli registers them from TEAM_COMMANDS; this module imports iqtl.cli, never the other way
round at import time.
"""


import os
import subprocess
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer

from .cli import EXIT_DATA, EXIT_OK, EXIT_USAGE, Color, ColorOpt, LedgerOpt, _fail, print_rich, resolve_format
from .loader import LedgerNotFoundError, find_ledger
from .text import for_terminal, one_line

DRIVER_NAME = "iqtl: three-way merge of ledger records by id and field"


def _ledger_path(ledger: Path | None) -> Path:
    try:
        return find_ledger(ledger)
    except LedgerNotFoundError as exc:
        _fail(str(exc), EXIT_USAGE)


# ---------------------------------------------------------------- merge-driver


def merge_driver(
    base: Annotated[Path, typer.Argument(metavar="BASE", help="%O: the common ancestor's version.")],
    ours: Annotated[Path, typer.Argument(metavar="OURS", help="%A: our version; the result is written here.")],
    theirs: Annotated[Path, typer.Argument(metavar="THEIRS", help="%B: their version.")],
    path: Annotated[Optional[str], typer.Argument(metavar="PATH", help="%P: the ledger's path, for messages.",
                                                  show_default=False)] = None,
):
    """Git's merge driver for the ledger: merges record by record and field by field into OURS.

    Set up with `iqtl git-setup`.  Exit 0 on a clean merge; 1 on a conflict (a field both sides
    changed differently, a record deleted on one side and changed on the other, a merged ledger
    that `iqtl check` would fail), each reported with both values and left in the file for `iqtl
    check`; 1 too when a side does not parse and git's line merge (`git merge-file`) was used."""
    from .loader import decode, load_text
    from .merge import UnmergeableError, merge_file_in_place, merge_texts
    from .writer import WriteError, replace_file

    label = path or str(ours)
    texts = []
    try:
        datas = [p.read_bytes() for p in (base, ours, theirs)]
    except OSError as exc:
        _fail(f"{exc.filename}: cannot read: {exc.strerror}", EXIT_USAGE)
    bom = datas[1].startswith(b"\xef\xbb\xbf")
    try:
        for data, side in zip(datas, ("the common ancestor", "ours", "theirs"), strict=True):
            text, problem = decode(data, label)
            if problem:
                raise UnmergeableError(f"{side}: {problem.message}")
            texts.append(text)
        result = merge_texts(*texts, path=label)
    except UnmergeableError as exc:
        merge_file_in_place(base, ours, theirs)
        _fail(f"{label}: cannot merge record by record: {exc}; merged line by line with git merge-file instead: "
              "look for conflict markers, then run 'iqtl check'", EXIT_DATA)
    try:
        replace_file(ours, (b"\xef\xbb\xbf" if bom else b"") + result.text.encode("utf-8"), Path(label))
    except WriteError as exc:
        _fail(str(exc), EXIT_USAGE)
    if result.clean:
        raise typer.Exit(EXIT_OK)
    shown = [p for p in load_text(result.text, label).errors if p.code == "merge-conflict"] + result.errors
    for problem in shown:
        typer.echo(one_line(str(problem)), err=True)
    for c in result.conflicts:
        if c.kind == "top":
            typer.echo(f"{one_line(label)}: error: {one_line(c.message())}", err=True)
    _fail(f"{label}: {len(result.conflicts)} conflict(s), {len(result.errors)} new error(s) in the merged ledger; "
          "resolve them, run 'iqtl check', then 'git add'", EXIT_DATA)


# ---------------------------------------------------------------- git-setup


def git_setup(
    ledger: LedgerOpt = None,
    command: Annotated[str, typer.Option("--command", help="How git should run iqtl (a path, if iqtl is not on "
                                         "the PATH git sees).")] = "iqtl",
):
    """Install the merge driver in this repository: the .gitattributes line for the ledger and the
    `git config merge.iqtl.*` entries.  Idempotent: a second run changes nothing.

    .gitattributes is committed and shared; the config is per clone, so every clone runs this once."""
    from .history import HistoryError, locate
    from .writer import WriteError, replace_file

    path = _ledger_path(ledger)
    try:
        root, rel = locate(path)
    except HistoryError as exc:
        _fail(str(exc), EXIT_USAGE)
    pattern = f'"{rel}"' if any(c.isspace() for c in rel) else rel
    line = f"{pattern} merge=iqtl"
    attrs = root / ".gitattributes"
    try:
        old = attrs.read_bytes() if attrs.exists() else b""
    except OSError as exc:
        _fail(f"{attrs}: cannot read: {exc.strerror}", EXIT_USAGE)
    have = any(ln.split()[:1] == [pattern] and "merge=iqtl" in ln.split()[1:]
               for ln in old.decode("utf-8", errors="replace").splitlines())
    if have:
        typer.echo(f".gitattributes: already has '{one_line(line)}'")
    else:
        sep = b"" if not old or old.endswith(b"\n") else b"\n"
        try:
            replace_file(attrs, old + sep + line.encode() + b"\n")
        except WriteError as exc:
            _fail(str(exc), EXIT_USAGE)
        typer.echo(f".gitattributes: added '{one_line(line)}'")
    for key, value in (("merge.iqtl.name", DRIVER_NAME), ("merge.iqtl.driver", f"{command} merge-driver %O %A %B %P")):
        done = subprocess.run(["git", "config", key, value], cwd=root, capture_output=True)
        if done.returncode != 0:
            _fail(f"git config {key} failed: {done.stderr.decode(errors='replace').strip()}", EXIT_USAGE)
        typer.echo(f"git config {key} '{one_line(value)}'")


# ---------------------------------------------------------------- log


class LogFormat(StrEnum):
    table = "table"
    plain = "plain"
    json = "json"
    csv = "csv"


def log_command(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="A record id (event, claim, source or actor).")],
    ledger: LedgerOpt = None,
    fmt: Annotated[Optional[LogFormat], typer.Option("--format", "-F", help="Output format. Default: table on a "
                                                     "terminal, plain in a pipe.", show_default=False)] = None,
    color: ColorOpt = Color.auto,
):
    """The commits that changed one record, newest first: hash, author, date, subject and the change,
    field by field.  Follows renames of the ledger file and re-identifications of the record (a
    record renamed whole is followed under its old id).

    Exit 0 when the record has a history, 1 when no version of the ledger has that id, 2 when the
    ledger is not in a git repository."""
    from .history import LOG_COLUMNS, HistoryError, history

    path = _ledger_path(ledger)
    try:
        found = history(path, record_id)
    except HistoryError as exc:
        _fail(str(exc), EXIT_USAGE)
    if not found.entries:
        from .validate import did_you_mean

        near = sorted(i for i in found.ids if record_id in i)[:3]
        hint = f" (did you mean {', '.join(map(repr, near))}?)" if near else did_you_mean(record_id, found.ids)
        _fail(f"no record {record_id!r} in any of the {found.commits} commit(s) of {path}" + hint, EXIT_DATA)
    value = resolve_format(fmt)
    rows = [e.as_dict() for e in found.entries]
    if value in ("json", "csv"):
        from .export import write_rows

        write_rows(value, rows, LOG_COLUMNS, sys.stdout)
    elif value == "plain":
        from .export import plain_line

        sys.stdout.writelines(plain_line(r["commit"][:12], r["date"], r["author"], r["change"], r["kind"], r["id"],
                                         r["field"], r["old"], r["new"], r["subject"]) for r in rows)
    else:
        print_rich(_log_table(found.entries, record_id), color)
    raise typer.Exit(EXIT_OK)


def _log_table(entries, record_id: str):
    from rich.table import Table
    from rich.text import Text

    table = Table(title=for_terminal(f"history of {record_id}"), header_style="bold", pad_edge=False)
    for name in ("Commit", "Date", "Author", "Subject", "Change"):
        table.add_column(name, no_wrap=name in ("Commit", "Date"), ratio=2 if name == "Change" else None)
    for e in entries:
        ch = e.change
        if ch.change == "+":
            body = Text(one_line(f"added {ch.kind} {ch.id}"), "green")
        elif ch.change == "-":
            body = Text(one_line(f"removed {ch.kind} {ch.id}"), "red")
        elif ch.field == "id":
            body = Text(one_line(f"renamed {ch.old} → {ch.new}"), "yellow")
        else:
            body = Text.assemble(f"{ch.field}: ", (one_line(ch.old or "∅"), "red"), " → ",
                                 (one_line(ch.new or "∅"), "green"))
            if ch.detail:
                body.append("\n")
                body.append(one_line(ch.detail), "dim")
        c = e.commit
        table.add_row(c.hash[:10], c.date[:10], one_line(c.author), one_line(c.subject), body)
    return table


# ---------------------------------------------------------------- fmt


class SortBy(StrEnum):
    date = "date"
    id = "id"


def fmt_command(
    ledger: LedgerOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Write nothing; exit 1 and print a unified diff when the "
                                        "file is not formatted.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print what would change as a unified diff; write "
                                       "nothing.")] = False,
    sort: Annotated[Optional[SortBy], typer.Option("--sort", help="Also reorder the records: by kind, then "
                                                   "date or id.", show_default=False)] = None,
    width: Annotated[int, typer.Option("--width", min=20, help="Wrap arrays longer than this.")] = 100,
):
    """Rewrite the ledger in the canonical layout, keeping every value and every comment.

    Keys in the schema's order, one blank line between records, one quoting style, long arrays
    wrapped; records stay in their order unless --sort.  Exit 0 when done (or already formatted),
    1 with --check when the file is not formatted or when the ledger does not parse."""
    import difflib

    from .fmt import FormatError, format_text
    from .loader import BOM, decode
    from .writer import WriteError, _acquire, replace_file

    path = _ledger_path(ledger)
    target = Path(os.path.realpath(path))
    writing = not (check or diff)
    try:
        lock = _acquire(target) if writing else None
    except WriteError as exc:
        _fail(str(exc), EXIT_USAGE)
    try:
        try:
            data = target.read_bytes()
        except OSError as exc:
            _fail(f"{path}: cannot read: {exc.strerror}", EXIT_DATA)
        text, problem = decode(data, str(path))
        if problem:
            _fail(str(problem), EXIT_DATA)
        try:
            new = format_text(text, sort=sort.value if sort else None, width=width, path=str(path))
        except FormatError as exc:
            _fail(str(exc), EXIT_DATA)
        if new == text:
            raise typer.Exit(EXIT_OK)
        if not writing:
            lines = difflib.unified_diff(text.splitlines(keepends=True), new.splitlines(keepends=True),
                                         fromfile=str(path), tofile=f"{path} (formatted)")
            sys.stdout.writelines(for_terminal(line if line.endswith("\n") else line + "\n") for line in lines)
            raise typer.Exit(EXIT_DATA if check else EXIT_OK)
        try:
            replace_file(target, (BOM if data.startswith(BOM) else b"") + new.encode("utf-8"), path)
        except WriteError as exc:
            _fail(str(exc), EXIT_USAGE)
        typer.echo(f"formatted {one_line(str(path))}", err=True)
    finally:
        if lock is not None:
            os.close(lock)


TEAM_COMMANDS = (("merge-driver", merge_driver), ("git-setup", git_setup), ("log", log_command), ("fmt", fmt_command))
