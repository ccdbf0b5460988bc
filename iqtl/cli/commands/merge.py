"""iqtl merge-driver and iqtl git-setup: git's three-way merge of the ledger by record id and field."""

import subprocess
from pathlib import Path
from typing import Annotated, Optional

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.cli.options import LedgerOpt
from iqtl.cli.output import find_or_fail
from iqtl.core.text import one_line

DRIVER_NAME = "iqtl: three-way merge of ledger records by id and field"



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
    from iqtl.ledgerfile.loader import decode, load_text
    from iqtl.ledgerfile.merge import UnmergeableError, merge_file_in_place, merge_texts
    from iqtl.ledgerfile.writer import WriteError, replace_file

    label = path or str(ours)
    texts = []
    try:
        datas = [p.read_bytes() for p in (base, ours, theirs)]
    except OSError as exc:
        fail(f"{exc.filename}: cannot read: {exc.strerror}", ExitCode.USAGE)
    bom = datas[1].startswith(b"\xef\xbb\xbf")
    try:
        for data, side in zip(datas, ("the common ancestor", "ours", "theirs"), strict=True):
            text, problem = decode(data, label)
            if problem:
                raise UnmergeableError(f"{side}: {problem.message}")
            texts.append(text)
        result = merge_texts(*texts, path=label, part=_included(path))
    except UnmergeableError as exc:
        merge_file_in_place(base, ours, theirs)
        fail(f"{label}: cannot merge record by record: {exc}; merged line by line with git merge-file instead: "
              "look for conflict markers, then run 'iqtl check'", ExitCode.DATA)
    try:
        replace_file(ours, (b"\xef\xbb\xbf" if bom else b"") + result.text.encode("utf-8"), Path(label))
    except WriteError as exc:
        fail(str(exc), ExitCode.USAGE)
    if result.clean:
        raise typer.Exit(ExitCode.OK)
    shown = [p for p in load_text(result.text, label).errors if p.code == "merge-conflict"] + result.errors
    for problem in shown:
        typer.echo(one_line(str(problem)), err=True)
    for c in result.conflicts:
        if c.kind == "top":
            typer.echo(f"{one_line(label)}: error: {one_line(c.message())}", err=True)
    fail(f"{label}: {len(result.conflicts)} conflict(s), {len(result.errors)} new error(s) in the merged ledger; "
          "resolve them, run 'iqtl check', then 'git add'", ExitCode.DATA)





def _included(path: str | None) -> bool:
    """PATH is a file that the ledger here includes (git runs the driver at the top of the work tree)."""
    import os

    from iqtl.ledgerfile.loader import LedgerNotFoundError, load, locate_ledger

    try:
        main = locate_ledger(None, bundled=False).path
    except LedgerNotFoundError:
        return False
    real = os.path.realpath(path) if path else None
    return real is not None and any(os.path.realpath(i.path) == real for i in load(main).includes)


def git_setup(
    ledger: LedgerOpt = None,
    command: Annotated[str, typer.Option("--command", help="How git should run iqtl (a path, if iqtl is not on "
                                         "the PATH git sees).")] = "iqtl",
):
    """Install the merge driver in this repository: the .gitattributes line for the ledger and the
    `git config merge.iqtl.*` entries.  Idempotent: a second run changes nothing.

    .gitattributes is committed and shared; the config is per clone, so every clone runs this once."""
    from iqtl.ledgerfile.writer import WriteError, replace_file
    from iqtl.reports.history import HistoryError, locate

    path = find_or_fail(ledger, ExitCode.USAGE)
    try:
        root, rel = locate(path)
    except HistoryError as exc:
        fail(str(exc), ExitCode.USAGE)
    pattern = f'"{rel}"' if any(c.isspace() for c in rel) else rel
    line = f"{pattern} merge=iqtl"
    attrs = root / ".gitattributes"
    try:
        old = attrs.read_bytes() if attrs.exists() else b""
    except OSError as exc:
        fail(f"{attrs}: cannot read: {exc.strerror}", ExitCode.USAGE)
    have = any(ln.split()[:1] == [pattern] and "merge=iqtl" in ln.split()[1:]
               for ln in old.decode("utf-8", errors="replace").splitlines())
    if have:
        typer.echo(f".gitattributes: already has '{one_line(line)}'")
    else:
        sep = b"" if not old or old.endswith(b"\n") else b"\n"
        try:
            replace_file(attrs, old + sep + line.encode() + b"\n", expect=old if attrs.exists() else None)
        except WriteError as exc:
            fail(str(exc), ExitCode.USAGE)
        typer.echo(f".gitattributes: added '{one_line(line)}'")
    for key, value in (("merge.iqtl.name", DRIVER_NAME), ("merge.iqtl.driver", f"{command} merge-driver %O %A %B %P")):
        done = subprocess.run(["git", "config", key, value], cwd=root, capture_output=True)
        if done.returncode != 0:
            fail(f"git config {key} failed: {done.stderr.decode(errors='replace').strip()}", ExitCode.USAGE)
        typer.echo(f"git config {key} '{one_line(value)}'")

