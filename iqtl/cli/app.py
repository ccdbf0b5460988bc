"""The iqtl program: a lazy table of commands, the root options, and the one place where failures
become an error line and an exit code.  Each command lives in its own module under commands/ and
is imported only when it runs (help and completion import them all)."""


import errno
import gc
import importlib
import os
import sys
from typing import Annotated

import typer
from typer.core import TyperGroup

from iqtl import __version__
from iqtl.cli.errors import ExitCode, fail

# name -> "module:callable" under iqtl.cli.commands; a Typer callable is a sub-command group.
COMMANDS: dict[str, str] = {
    "check": "check:check",
    "list": "listing:list_events",
    "claims": "listing:claims",
    "actors": "reference:actors",
    "sources": "reference:sources",
    "tags": "reference:tags",
    "show": "show:show",
    "diff": "diff:diff_command",
    "compare": "compare:compare_command",
    "chart": "chart:chart_command",
    "stats": "stats:stats_command",
    "export": "export:export_command",
    "add": "add:add_app",
    "import": "importing:import_command",
    "fmt": "fmt:fmt_command",
    "log": "log:log_command",
    "merge-driver": "merge:merge_driver",
    "git-setup": "merge:git_setup",
    "ledger": "ledger:ledger_command",
    "files": "ledger:ledger_command",
}
ENV_NO_CACHE = "IQTL_NO_CACHE"  # as iqtl.ledgerfile.cache, without importing it for --help
no_pager_given = False  # the root's --no-pager, read by cli.output.page


class IqtlGroup(TyperGroup):
    """Turns every failure into one line on stderr and a documented exit code."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        args = hoist_global_options(sys.argv[1:] if args is None else list(args))
        try:
            rv = super().main(args, prog_name="iqtl", complete_var=complete_var, standalone_mode=False, **extra)
            if rv == ExitCode.INTERRUPTED:  # Typer turns Ctrl-C into this code, silently
                _interrupted()
            _flush_stdout()  # a full disk or a closed stdout is found here, not after exit, unreported
        except typer.Exit as exc:
            sys.exit(exc.exit_code)
        except typer.TyperException as exc:  # Typer's usage errors: bad option, bad value (exit 2)
            code = getattr(exc, "exit_code", ExitCode.USAGE)
            if not exc.format_message():  # `iqtl` alone: the help was printed, nothing to add
                sys.exit(code)
            if type(exc).__name__ == "NoArgsIsHelpError":  # the same, when help is plain text (a pipe)
                typer.echo(exc.format_message())
                sys.exit(code)
            ctx = getattr(exc, "ctx", None)
            hint = ""
            if code == ExitCode.USAGE:
                name = f"iqtl {ctx.info_name} " if ctx is not None and ctx.parent is not None else "iqtl "
                hint = f" (try '{name}--help')"
            _exit_with(f"{exc.format_message()}{hint}", code)
        except typer.Abort:
            _exit_with("aborted", ExitCode.DATA)
        except BrokenPipeError:
            _reader_left()
        except KeyboardInterrupt:
            _interrupted()
        except MemoryError:
            _exit_with("out of memory (a value too large: a width, a limit, a file?)", ExitCode.DATA)
        except UnicodeEncodeError as exc:
            if "surrogate" not in str(exc) or os.environ.get("IQTL_DEBUG"):
                raise
            # An argument or a file name that is not UTF-8 (Python keeps its bytes as lone surrogates).
            _exit_with("an argument or file name is not valid UTF-8: iqtl reads and writes UTF-8 text",
                       ExitCode.USAGE)
        except OSError as exc:
            if not _is_output_error(exc) or os.environ.get("IQTL_DEBUG"):
                raise
            _stdout_to_devnull()
            _exit_with(f"cannot write the output: {exc.strerror or exc}", ExitCode.DATA)
        except Exception as exc:  # never a traceback for a user; IQTL_DEBUG=1 shows it
            if os.environ.get("IQTL_DEBUG"):
                raise
            _exit_with(f"internal error: {type(exc).__name__}: {exc} (set IQTL_DEBUG=1 for details)",
                       ExitCode.INTERNAL)
        try:  # what is still buffered goes now: a reader gone by then is no error either
            sys.stdout.flush()
        except BrokenPipeError:
            _reader_left()
        except (AttributeError, ValueError):  # no stdout, or a closed one
            pass
        sys.exit(rv if isinstance(rv, int) else ExitCode.OK)

    def invoke(self, ctx):
        # click's own main turns a broken pipe into exit 1: catch it first.  `iqtl list | head`:
        # the reader left, which is not an error (exit 0, as ripgrep, so `set -o pipefail` works).
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            _reader_left()


def _reader_left():
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # the interpreter's last flush goes nowhere, quietly
    except (OSError, ValueError, AttributeError):
        pass
    sys.exit(ExitCode.OK)


# Options every command shares, accepted before or after the command name (git-style habits):
# the ledger and colour options belong to the commands and move after the name; the flags belong
# to the root and move before it.
COMMAND_VALUE_OPTIONS = ("-L", "--ledger", "--color")
ROOT_FLAGS = ("--no-cache", "--no-pager")


def hoist_global_options(args: list[str]) -> list[str]:
    """`iqtl -L f list` -> `iqtl list -L f`; `iqtl list --no-cache` -> `iqtl --no-cache list`."""
    if "_IQTL_COMPLETE" in os.environ:
        return args
    end = args.index("--") if "--" in args else len(args)
    head, tail = args[:end], args[end:]
    roots = [a for a in head if a in ROOT_FLAGS]
    head = [a for a in head if a not in ROOT_FLAGS]
    moved: list[str] = []
    i = 0
    while i < len(head) and head[i].startswith("-"):  # only what comes before the command name
        a = head[i]
        if a in COMMAND_VALUE_OPTIONS and i + 1 < len(head):
            moved += head[i:i + 2]
            del head[i:i + 2]
        elif any(a.startswith(o + "=") for o in COMMAND_VALUE_OPTIONS if o.startswith("--")):
            moved.append(head.pop(i))
        else:
            i += 1
    return roots + head + moved + tail


class _ClosedStream:
    """stdout when the shell closed it (`iqtl list >&-`): writing fails as writing to fd 1 would."""

    def write(self, text):
        if text:
            raise OSError(errno.EBADF, "standard output is closed")
        return 0

    def flush(self):
        pass

    def isatty(self):
        return False


def _flush_stdout() -> None:
    if sys.stdout is not None:
        sys.stdout.flush()


def _stdout_to_devnull() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, AttributeError, ValueError):
        pass


def _is_output_error(exc: OSError) -> bool:
    """Writing stdout failed: a full disk (ENOSPC, EDQUOT), a closed descriptor, an I/O error."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EBADF, errno.EIO, errno.EFBIG)


def _interrupted():
    """Ctrl-C: say whether the ledger was written, which is what the user needs to know."""
    writer = sys.modules.get("iqtl.ledgerfile.writer")
    written = getattr(writer, "WRITTEN", None)
    if written:
        _exit_with(f"interrupted after {written[-1]} was written: the change is complete (run 'iqtl check')",
                   ExitCode.INTERRUPTED)
    if writer is not None:
        _exit_with("interrupted; the ledger was not changed", ExitCode.INTERRUPTED)
    _exit_with("interrupted", ExitCode.INTERRUPTED)


def _exit_with(message: str, code: int):
    try:
        fail(message, code)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)


def _version(value: bool):
    if value:
        typer.echo(f"iqtl {__version__}")
        raise typer.Exit()


def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
    no_cache: Annotated[bool, typer.Option("--no-cache", help="Parse the ledger afresh, neither using nor "
                                           f"updating the cache of parsed ledgers (also: {ENV_NO_CACHE}=1).")]
        = False,
    no_pager: Annotated[bool, typer.Option("--no-pager", help="Never page long output on a terminal "
                                           "(also: PAGER=cat). Pipes are never paged.")] = False,
):
    global no_pager_given
    no_pager_given = no_pager  # read by cli.output.page; set on every run (tests run many in one process)
    if no_cache or "iqtl.ledgerfile.cache" in sys.modules:  # a run that reads no ledger never imports it
        from iqtl.ledgerfile import cache

        cache.bypass = no_cache


HELP = ("Timeline and sourced-claim tracker for US–Iran–Iraq relations, from a TOML ledger.\n\n"
        "Filters: repeating an option ORs its values (--tag a --tag b: either tag); different options AND "
        "(--tag a --actor sadr: both).\n\n"
        "Global options may come before or after the command: -L/--ledger PATH, --color, --no-cache, "
        "--no-pager.  'iqtl ledger' says which ledger is in use and why.\n\n"
        "Exit codes: 0 ok (an empty result too; a reader that closes the pipe early too), 1 a ledger problem, "
        "2 a usage error; diff and compare: 0 same, 1 different, 2 trouble.")


def command_target(name: str):
    module, _, attr = COMMANDS[name].partition(":")
    return getattr(importlib.import_module(f"iqtl.cli.commands.{module}"), attr)


def build_app(names=None, *, rich_help: bool = True) -> typer.Typer:
    """The Typer app with the commands of `names` (default: all of them)."""
    app = typer.Typer(
        cls=IqtlGroup,
        help=HELP,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode="markdown" if rich_help else None,  # help text is ours, never ledger text
        add_completion=True,
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(_root)
    for name in COMMANDS if names is None else names:
        target = command_target(name)
        if isinstance(target, typer.Typer):
            app.add_typer(target, name=name)
        else:
            app.command(name)(target)
    return app


def _names_for(args: list[str]) -> list[str] | None:
    """The commands a run needs: only the one it names (building the click parameters of every
    command costs 12 ms of each start), none for --version, all for help and completion."""
    rest = hoist_global_options(list(args))
    while rest and rest[0] in ROOT_FLAGS:  # the root options that go on to a command
        rest.pop(0)
    if not rest or "_IQTL_COMPLETE" in os.environ:
        return None
    if rest[0] == "--version" and not {"-h", "--help"} & set(rest):  # answered before any command
        return []
    return [rest[0]] if rest[0] in COMMANDS else None


def main() -> None:
    # A run is short and its data (records, rows) holds no cycles: the collector would only rescan
    # the loaded ledger (rows for a 100,000-event CSV: 2.2 s with it, 0.3 s without).  Exit frees all.
    gc.disable()
    if sys.stdout is None:  # `iqtl check >&-`: a run that prints nothing still works
        sys.stdout = _ClosedStream()
    # UTF-8 whatever the locale (a Latin-1 terminal would make text an internal error); a file name
    # that is not UTF-8 goes out as its own bytes on stdout and as escapes in messages.
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors=errors)
    tty = sys.stdout.isatty()
    import iqtl.ledgerfile  # the package alone: the cache module is loaded only by commands that read

    iqtl.ledgerfile.BACKGROUND_CACHE = True  # a big ledger's cache is written beside the output (cache.store)
    # Help is drawn with Rich on a terminal only: into a pipe it is click's plain text.
    try:
        build_app(_names_for(sys.argv[1:]), rich_help=tty)()
        code = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        if (cache := sys.modules.get("iqtl.ledgerfile.cache")) is not None:
            cache.wait_for_writers()  # the next command finds the cache written
    # Leave without tearing the interpreter down: freeing every record of a loaded ledger one by one
    # is 14 ms of a run on the seed and 100 ms at 100,000 events, and nothing is left to do once the
    # output is flushed.  A flush that fails is the ordinary exit's business.
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        sys.exit(code)
    os._exit(code if isinstance(code, int) else (0 if code is None else 1))


def __getattr__(name: str):
    # `iqtl.cli.app.app`: the whole app, for tests and for embedding (built on first use).
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(name)


