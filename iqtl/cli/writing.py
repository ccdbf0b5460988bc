"""What the writing commands (add, import) share: which ledger they write, how the writer's
refusals become messages and exit codes."""

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from iqtl.cli.errors import ExitCode, fail
from iqtl.core.model import Problem
from iqtl.core.text import one_line
from iqtl.ledgerfile.loader import DEFAULT_LEDGER, ENV_LEDGER

if TYPE_CHECKING:  # the writer loads only when a command writes: start-up stays quick
    from iqtl.ledgerfile.writer import Appender, Plan

# Not cli.LedgerOpt: writing never falls back to the bundled ledger.
LedgerOpt = Annotated[Optional[Path], typer.Option(
    "--ledger", "-L", help="Ledger to append to. Default: $IQTL_LEDGER, else the nearest data/events.toml "
    "from here upwards.",
    show_default=False)]
IdOpt = Annotated[Optional[str], typer.Option("--id", help="Id of the new record. Default: made from its date "
                                              "and title, made unique with -2, -3…", show_default=False)]
ToOpt = Annotated[Optional[Path], typer.Option(
    "--to", help="For a ledger in many files (include = [...]): the file to append to, the main one or one it "
    "includes. Default: the file holding the most records of that kind (a tie: the main file).",
    show_default=False)]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Print the TOML that would be appended; "
                                         "write nothing.")]
Text = Annotated[Optional[str], typer.Option(show_default=False)]
Texts = Annotated[Optional[list[str]], typer.Option(show_default=False)]


def ledger_to_write(option: Path | None) -> Path:
    """--ledger, else $IQTL_LEDGER, else the nearest data/events.toml: as find_ledger, without the bundled
    copy, which belongs to the installed package and is no one's working file."""
    from iqtl.ledgerfile.loader import LedgerNotFoundError, locate_ledger

    try:
        path = locate_ledger(option, bundled=False).path  # the nearest data/events.toml upwards, as reading
    except LedgerNotFoundError:
        fail(f"no ledger to write to: pass --ledger PATH or set {ENV_LEDGER} (no {DEFAULT_LEDGER} here or above)")
    # A mistyped path must not become a new ledger, nor a lock file in some other directory.
    if not path.is_file():
        fail(f"no ledger at {path}" + (" (it is a directory)" if path.is_dir() else "")
              + ": iqtl appends to an existing ledger (one starting `schema = 1`)")
    return path


def refuse_broken(problems: list[Problem], path: Path):
    for problem in problems[:20]:
        typer.echo(str(problem), err=True)
    more = f" ({len(problems) - 20} more)" if len(problems) > 20 else ""
    fail(f"{len(problems)} error(s) in {path}{more}: fix them first (run 'iqtl check'); adding to a broken "
          "ledger would hide them")


@dataclass
class Session:
    """Opens the ledger for appending, turning the writer's failures into messages and exit codes."""

    path: Path
    dry_run: bool
    to: Path | None = None  # --to: the file of a ledger in many files to append to

    def __enter__(self) -> "Appender":
        from iqtl.ledgerfile.writer import Appender, BrokenLedgerError, NotALedgerFileError, WriteError

        if self.to is not None and not self.to.is_file():  # a mistyped --to must not become a lock file
            fail(f"--to {self.to}: no such file" + (" (it is a directory)" if self.to.is_dir() else ""),
                 ExitCode.USAGE)
        # A dry run changes nothing: no lock.
        self._appender = Appender(self.path, lock=not self.dry_run, to=self.to)
        try:
            return self._appender.__enter__()
        except BrokenLedgerError as exc:
            refuse_broken(exc.problems, self.path)
        except NotALedgerFileError as exc:
            fail(f"--to {exc}", ExitCode.USAGE)
        except WriteError as exc:
            fail(str(exc))

    def __exit__(self, *exc) -> None:
        self._appender.__exit__(*exc)

    def commit(self, plan: "Plan") -> None:
        from iqtl.ledgerfile.writer import WriteError

        try:
            self._appender.commit(plan)
        except WriteError as exc:
            fail(str(exc))




def report(lines: list[tuple[int, str]]) -> None:
    for _, message in sorted(lines, key=lambda x: x[0]):
        typer.echo(one_line(message), err=True)  # ids and cells from the file are data: keep them inert
