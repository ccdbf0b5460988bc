"""Time iqtl against hledger on generated ledgers of 1,000 to 100,000 events, whole processes at a time.

Usage:

    python benchmarks/run.py [--sizes 1000,10000,100000] [--runs 5] [--out benchmarks/out]
    python benchmarks/run.py --quick          # 1,000 events, 3 runs, no hledger install: for CI

Run it with the Python of the environment iqtl is installed in (``.venv/bin/python``): the ``iqtl``
measured is the one beside ``sys.executable`` (or ``--iqtl PATH``).

What it does:

* installs hledger with ``apt-get install -y hledger`` when it is not on PATH (not with ``--quick``
  or ``--no-hledger``); without hledger the hledger columns are left empty;
* generates the ledgers with ``benchmarks/generate.py`` into ``OUT/ledgers/`` (kept between runs,
  made again when generate.py changes): ``events-N.toml``, ``events-N.journal`` and the 1% variant
  ``events-N-v1.toml``;
* checks each command once, untimed (exit status, output not empty, N rows from both tools);
* then, ``--runs`` times, runs each command with the tools alternating (iqtl cold, hledger, iqtl warm,
  ...), timing the whole process with ``time.perf_counter`` and taking its peak memory (ru_maxrss)
  from ``os.wait4``; reports the median;
* prints a Markdown table (also written to ``OUT/results.md``, raw numbers to ``OUT/results.json``)
  with each ratio against the project's targets.  Exit status 0 when every command ran, whether
  or not the targets are met; 1 when a command failed.

Cold and warm: iqtl caches the parsed ledger, keyed on the file's path, stat and bytes, and can
take the records of unchanged pieces from an earlier version's cache.  A *cold* run comes right
after the ledger's bytes changed (a comment appended) with the cache emptied; an *edited* run
right after one record changed, with the cache of the version before; a *warm* run
comes right after a run that read the same unchanged file.  The cache lives in ``OUT/cache``
(``XDG_CACHE_HOME``), emptied at the start of each benchmark run, never in the user's own.  hledger
has no cache: the same hledger runs are the reference for both.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED_LEDGER = ROOT / "data" / "events.toml"
GENERATOR = HERE / "generate.py"
SEED = 2007
BIG = 50_000  # from this many events on, --big-runs caps --runs

ADD_TITLE = "Benchmark event appended by iqtl add"
ADD_SUMMARY = ("An event appended by benchmarks/run.py to time iqtl add on a large ledger: the whole ledger is "
               "read and checked with the new record before the file grows.")

# Targets: the largest allowed ratio iqtl / reference, by size (None: no target at that size).
# issue 19's targets: ((cold 2007, cold all), (warm 2007, warm all)), ratios to hledger
LIST_TARGETS = {1000: ((None, None), (1.0, 1.0)), 10000: ((1.0, 0.7), (0.15, 0.12)),
                100000: ((0.7, 0.5), (0.05, 0.05))}
MEMORY_TARGET = {100000: 0.4}
DIFF_ADD_TARGET = {100000: 2.0}
STARTUP_TARGET = 4.0  # --version and --help
STARTUP_COLD_TARGET, STARTUP_WARM_TARGET = 3.2, 2.8  # `list` on the seed, cold and warm
HTML_TARGET = {10000: 2.0, 100000: 2.0}  # export html against export csv of the same events
SHOW_CLAIMS = 20_000  # claims about one event, for the show row
SHOW_SECONDS = 0.5  # the show row's target, an absolute time (its reference)


class CommandFailedError(Exception):
    pass


@dataclass
class Sample:
    seconds: float
    maxrss_kib: int


@dataclass
class Row:
    size: str  # "1000", ..., or "seed" for start-up
    measure: str  # short key, e.g. "list-all-cold"
    label: str  # as shown in the table
    unit: str  # "s" or "MiB"
    iqtl: list[float] = field(default_factory=list)
    reference: list[float] = field(default_factory=list)
    reference_name: str = ""
    target: float | None = None
    error: str = ""

    @property
    def iqtl_median(self) -> float | None:
        return statistics.median(self.iqtl) if self.iqtl else None

    @property
    def reference_median(self) -> float | None:
        return statistics.median(self.reference) if self.reference else None

    @property
    def ratio(self) -> float | None:
        a, b = self.iqtl_median, self.reference_median
        return a / b if a is not None and b else None

    @property
    def ok(self) -> bool | None:
        if self.target is None or self.ratio is None:
            return None
        return self.ratio <= self.target

    def as_dict(self) -> dict:
        return {**asdict(self), "iqtl_median": self.iqtl_median, "reference_median": self.reference_median,
                "ratio": self.ratio, "ok": self.ok}


# ---------------------------------------------------------------- processes


def run_once(cmd: list[str], env: dict, ok: tuple[int, ...] = (0,), stdout: Path | None = None) -> Sample:
    """Run cmd to completion: wall time from just before the fork to the reap, and the child's peak RSS."""
    with open(stdout or os.devnull, "wb") as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            err.seek(0)
            message = err.read().decode("utf-8", "replace").strip()[-1500:]
            raise CommandFailedError(f"`{shlex.join(cmd)}` exited {code} (expected {' or '.join(map(str, ok))})"
                                + (f": {message}" if message else ""))
    return Sample(seconds, usage.ru_maxrss)  # KiB on Linux


_EDITS = [0]


def touch(path: Path) -> None:
    """Change the file's bytes (a comment appended at its end) and move its mtime on: a cold run
    parses a ledger no cache has seen, whatever the cache is keyed on (path and stamp, or content)."""
    _EDITS[0] += 1
    with open(path, "ab") as f:
        f.write(f"# benchmark edit {_EDITS[0]}\n".encode())
    ns = max(time.time_ns(), path.stat().st_mtime_ns + 1_000_000)
    os.utime(path, ns=(ns, ns))


def edit_one_record(path: Path) -> None:
    """Change one event in the middle of the file (a letter put in front of its title): the "edited"
    row, where a cache keyed by content could still know every other record."""
    data = path.read_bytes()
    at = data.find(b'\ntitle = "', len(data) // 2)
    if at < 0:
        raise CommandFailedError(f"no title to edit in the second half of {path}")
    at += len(b'\ntitle = "')
    path.write_bytes(data[:at] + b"E" + data[at:])


def fresh_copy(src: Path, dst: Path) -> None:
    dst.unlink(missing_ok=True)
    shutil.copyfile(src, dst)
    touch(dst)


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- setup


def ensure_hledger(install: bool) -> tuple[str | None, str]:
    """The hledger executable (installing it with apt-get if allowed), and a note for the report."""
    found = shutil.which("hledger")
    if found:
        return found, ""
    if not install:
        return None, "hledger is not installed: the hledger columns are empty"
    if not shutil.which("apt-get"):
        return None, "hledger is not installed and there is no apt-get to install it: the hledger columns are empty"
    prefix: list[str] = []
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            return None, "hledger is not installed and installing it needs root: the hledger columns are empty"
        prefix = ["sudo", "-n"]
    log("note: hledger is not on PATH; installing it with `apt-get install -y hledger`")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install_cmd = [*prefix, "apt-get", "install", "-y", "-q", "hledger"]
    result = subprocess.run(install_cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:  # perhaps the package lists are missing or old
        subprocess.run([*prefix, "apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
        result = subprocess.run(install_cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found = shutil.which("hledger")
    if not found:
        tail = result.stderr.strip().splitlines()[-1:] or ["no message"]
        return None, f"could not install hledger ({tail[0]}): the hledger columns are empty"
    return found, ""


def generator_stamp() -> str:
    return f"{hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:16]} seed={SEED}"


def ensure_ledgers(size: int, folder: Path) -> tuple[Path, Path, Path]:
    """events-N.toml, events-N.journal and events-N-v1.toml, made again when generate.py changed."""
    folder.mkdir(parents=True, exist_ok=True)
    ledger, journal, variant = (folder / f"events-{size}.toml", folder / f"events-{size}.journal",
                                folder / f"events-{size}-v1.toml")
    stamp_file = folder / f"events-{size}.stamp"
    stamp = generator_stamp()
    current = stamp_file.is_file() and stamp_file.read_text() == stamp
    if not (current and ledger.is_file() and journal.is_file() and variant.is_file()):
        log(f"generating {size:,} events in {folder} ...")
        base = [sys.executable, str(GENERATOR), str(size), str(folder), "--seed", str(SEED)]
        subprocess.run(base, check=True)
        subprocess.run([*base, "--variant", "1", "--no-journal"], check=True)
        stamp_file.write_text(stamp)
    return ledger, journal, variant


def first_source_id(ledger: Path) -> str:
    with ledger.open(encoding="utf-8") as f:
        head = f.read(1 << 16)
    match = re.search(r'^\[\[source\]\]\s*\nid = "([^"]+)"', head, re.MULTILINE)
    if not match:
        raise CommandFailedError(f"no [[source]] id near the top of {ledger}")
    return match.group(1)


def machine_facts(iqtl: str, hledger: str | None, env: dict) -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass

    def version(cmd: list[str]) -> str:
        try:
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
            return (out.stdout.strip() or out.stderr.strip()).splitlines()[0]
        except (OSError, subprocess.SubprocessError, IndexError):
            return "unknown"

    memory = ""
    try:
        kib = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return {
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "nproc": os.cpu_count(),
        "cpu": cpu or platform.processor() or "unknown",
        "memory": memory,
        "os": platform.platform(),
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),  # other work on the machine skews the figures
        "python": platform.python_version(),
        "iqtl": version([iqtl, "--version"]),
        "hledger": version([hledger, "--version"]) if hledger else "not installed",
    }


# ---------------------------------------------------------------- the benchmark


class Bench:
    def __init__(self, args: argparse.Namespace, iqtl: str, hledger: str | None, env: dict):
        self.args, self.iqtl, self.hledger, self.env = args, iqtl, hledger, env
        self.out: Path = args.out
        self.tmp = self.out / "tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        self.rows: list[Row] = []
        self.notes: list[str] = []
        self.failed = False

    def row(self, size: str, measure: str, label: str, unit: str = "s", reference_name: str = "",
            target: float | None = None) -> Row:
        row = Row(size, measure, label, unit, reference_name=reference_name, target=target)
        self.rows.append(row)
        return row

    def forget(self) -> None:
        """Empty iqtl's cache: a cold run then finds nothing of an earlier version of the ledger
        either (its cache takes the records of unchanged pieces from one)."""
        shutil.rmtree(Path(self.env["XDG_CACHE_HOME"]) / "iqtl", ignore_errors=True)

    def fail(self, rows: list[Row], exc: CommandFailedError) -> None:
        self.failed = True
        log(f"error: {exc}")
        for row in rows:
            row.error = str(exc)

    # ------------------------------------------------------------ checks, untimed

    def verify(self, size: int, ledger: Path, journal: Path, variant: Path) -> dict[str, CommandFailedError]:
        """Each command once: exit status, output not empty, and both tools see all N events.

        Returns the failures by group ("list-2007", "list-all", "check", "diff"): those are not timed."""
        iq, hl, env = self.iqtl, self.hledger, self.env
        out = self.tmp / "verify.out"
        broken: dict[str, CommandFailedError] = {}

        def count_rows(column: str | None = None) -> int:
            with out.open(encoding="utf-8", newline="") as f:
                reader = csv.reader(f)
                header = next(reader, [])
                if column is None:
                    return sum(1 for _ in reader)
                i = header.index(column) if column in header else 0
                return len({r[i] for r in reader if r})

        def attempt(group: str, cmd: list[str], ok: tuple[int, ...] = (0,)) -> bool:
            try:
                run_once(cmd, env, ok=ok, stdout=out)
            except CommandFailedError as exc:
                broken.setdefault(group, exc)
                return False
            if out.stat().st_size == 0 and group != "check":
                self.notes.append(f"{size:,}: `{shlex.join(cmd[1:])}` printed nothing")
            return True

        lpath, jpath = str(ledger), str(journal)
        if attempt("list-all", [iq, "list", "--ledger", lpath, "--format", "csv"]) and count_rows() != size:
            self.notes.append(f"{size:,}: iqtl list printed {count_rows():,} rows, expected {size:,}")
        attempt("list-2007", [iq, "list", "--ledger", lpath, "--from", "2007", "--to", "2007", "--format", "csv"])
        attempt("check", [iq, "check", "--ledger", lpath])
        attempt("diff", [iq, "diff", lpath, str(variant), "--format", "plain"], ok=(1,))
        if hl:
            if attempt("list-all", [hl, "-f", jpath, "print", "-O", "csv"]):
                transactions = count_rows("txnidx")
                if transactions != size:
                    self.notes.append(f"{size:,}: hledger print showed {transactions:,} transactions, "
                                      f"expected {size:,}")
            attempt("list-2007", [hl, "-f", jpath, "print", "date:2007", "-O", "csv"])
        out.unlink(missing_ok=True)
        return broken

    # ------------------------------------------------------------ one size

    def size(self, size: int) -> None:
        runs = self.args.runs if size < BIG else min(self.args.runs, self.args.big_runs)
        iq, hl, env = self.iqtl, self.hledger, self.env
        ledger, journal, variant = ensure_ledgers(size, self.out / "ledgers")
        s = str(size)
        (cold_2007, cold_all), (warm_2007, warm_all) = LIST_TARGETS.get(size, ((None, None), (None, None)))
        href = "hledger" if hl else ""
        rows = {
            "list-2007-cold": self.row(s, "list-2007-cold", "`list --from 2007 --to 2007 -F csv`, cold", "s", href,
                                       cold_2007),
            "list-2007-warm": self.row(s, "list-2007-warm", "`list --from 2007 --to 2007 -F csv`, warm", "s", href,
                                       warm_2007),
            "list-all-cold": self.row(s, "list-all-cold", "`list -F csv` (all), cold", "s", href, cold_all),
            "list-all-warm": self.row(s, "list-all-warm", "`list -F csv` (all), warm", "s", href, warm_all),
            "rss-cold": self.row(s, "rss-cold", "peak memory, `list -F csv` (all), cold", "MiB", href,
                                 MEMORY_TARGET.get(size)),
            "rss-warm": self.row(s, "rss-warm", "peak memory, `list -F csv` (all), warm", "MiB", href,
                                 MEMORY_TARGET.get(size)),
            "list-all-edited": self.row(s, "list-all-edited", "`list -F csv` (all), after a one-record edit", "s",
                                        "iqtl list all, cold"),
            "check-cold": self.row(s, "check-cold", "`check`, cold"),
            "check-warm": self.row(s, "check-warm", "`check`, warm"),
            "diff-cold": self.row(s, "diff-cold", "`diff L L-1% -F plain`, cold", "s", "iqtl list all, cold",
                                  DIFF_ADD_TARGET.get(size)),
            "diff-warm": self.row(s, "diff-warm", "`diff L L-1% -F plain`, warm", "s", "iqtl list all, warm",
                                  DIFF_ADD_TARGET.get(size)),
            "add": self.row(s, "add", "`add event` (to a fresh copy)", "s", "iqtl list all, cold",
                            DIFF_ADD_TARGET.get(size)),
            "html": self.row(s, "html", "`export html`, warm", "s", "iqtl export csv, warm", HTML_TARGET.get(size)),
        }
        log(f"[{size:,}] checking the commands once ...")
        broken = self.verify(size, ledger, journal, variant)

        lpath, jpath = str(ledger), str(journal)
        list_2007 = [iq, "list", "--ledger", lpath, "--from", "2007", "--to", "2007", "--format", "csv"]
        list_all = [iq, "list", "--ledger", lpath, "--format", "csv"]
        h_2007 = [hl, "-f", jpath, "print", "date:2007", "-O", "csv"] if hl else None
        h_all = [hl, "-f", jpath, "print", "-O", "csv"] if hl else None

        def pair(key: str, iqtl_cmd: list[str], hledger_cmd: list[str] | None, rss: bool = False) -> None:
            cold, warm = rows[f"{key}-cold"], rows[f"{key}-warm"]
            if key in broken:
                self.fail([cold, warm] + ([rows["rss-cold"], rows["rss-warm"]] if rss else []), broken[key])
                return
            try:
                for i in range(runs):
                    log(f"[{size:,}] {key} run {i + 1}/{runs}")
                    touch(ledger)
                    self.forget()
                    a = run_once(iqtl_cmd, env)
                    b = run_once(hledger_cmd, env) if hledger_cmd else None
                    c = run_once(iqtl_cmd, env)
                    cold.iqtl.append(a.seconds)
                    warm.iqtl.append(c.seconds)
                    if b:
                        cold.reference.append(b.seconds)
                        warm.reference.append(b.seconds)
                    if rss:
                        rows["rss-cold"].iqtl.append(a.maxrss_kib / 1024)
                        rows["rss-warm"].iqtl.append(c.maxrss_kib / 1024)
                        if b:
                            rows["rss-cold"].reference.append(b.maxrss_kib / 1024)
                            rows["rss-warm"].reference.append(b.maxrss_kib / 1024)
            except CommandFailedError as exc:
                self.fail([cold, warm] + ([rows["rss-cold"], rows["rss-warm"]] if rss else []), exc)

        pair("list-2007", list_2007, h_2007)
        pair("list-all", list_all, h_all, rss=True)

        try:
            if "list-all" in broken:
                raise broken["list-all"]
            for i in range(runs):
                log(f"[{size:,}] list-all after an edit, run {i + 1}/{runs}")
                run_once(list_all, env)  # the cache holds the ledger as it is
                edit_one_record(ledger)
                rows["list-all-edited"].iqtl.append(run_once(list_all, env).seconds)
        except CommandFailedError as exc:
            self.fail([rows["list-all-edited"]], exc)
        rows["list-all-edited"].reference = rows["list-all-cold"].iqtl

        check = [iq, "check", "--ledger", lpath]
        diff = [iq, "diff", lpath, str(variant), "--format", "plain"]
        try:
            if "check" in broken:
                raise broken["check"]
            for i in range(runs):
                log(f"[{size:,}] check run {i + 1}/{runs}")
                touch(ledger)
                self.forget()
                rows["check-cold"].iqtl.append(run_once(check, env).seconds)
                rows["check-warm"].iqtl.append(run_once(check, env).seconds)
        except CommandFailedError as exc:
            self.fail([rows["check-cold"], rows["check-warm"]], exc)
        try:
            if "diff" in broken:
                raise broken["diff"]
            for i in range(runs):
                log(f"[{size:,}] diff run {i + 1}/{runs}")
                touch(ledger)
                touch(variant)
                self.forget()
                rows["diff-cold"].iqtl.append(run_once(diff, env, ok=(1,)).seconds)
                rows["diff-warm"].iqtl.append(run_once(diff, env, ok=(1,)).seconds)
        except CommandFailedError as exc:
            self.fail([rows["diff-cold"], rows["diff-warm"]], exc)
        rows["diff-cold"].reference = rows["list-all-cold"].iqtl
        rows["diff-warm"].reference = rows["list-all-warm"].iqtl

        copy = self.tmp / f"add-{size}.toml"
        try:
            add = [iq, "add", "event", "--ledger", str(copy), "--date", "2007-08", "--title", ADD_TITLE,
                   "--summary", ADD_SUMMARY, "--source", first_source_id(ledger)]
            for i in range(runs):
                log(f"[{size:,}] add run {i + 1}/{runs}")
                fresh_copy(ledger, copy)  # untimed
                rows["add"].iqtl.append(run_once(add, env).seconds)
        except CommandFailedError as exc:
            self.fail([rows["add"]], exc)
        finally:
            copy.unlink(missing_ok=True)
        rows["add"].reference = rows["list-all-cold"].iqtl

        # The HTML page against the CSV of the same events, both from the cache: what the format
        # costs.  Claims about each event come from the Ledger's index, not a scan per event.
        html = [iq, "export", "html", "--ledger", lpath]
        csv_ = [iq, "export", "csv", "--ledger", lpath]
        try:
            run_once(csv_, env)  # fills the cache
            for i in range(runs):
                log(f"[{size:,}] export html run {i + 1}/{runs}")
                rows["html"].iqtl.append(run_once(html, env).seconds)
                rows["html"].reference.append(run_once(csv_, env).seconds)
        except CommandFailedError as exc:
            self.fail([rows["html"]], exc)

    # ------------------------------------------------------------ show

    def show(self) -> None:
        """`show` of one event with 20,000 claims about it (a page lists the first of each group)."""
        runs, iq, env = self.args.runs, self.iqtl, self.env
        ledger = self.tmp / "show-20k.toml"
        lines = ['schema = 1', '[[source]]', 'id = "s"', 'title = "S"', 'publisher = "P"', 'date = "2007"',
                 '[[actor]]', 'id = "a"', 'name = "A"', '[[event]]', 'id = "e"', 'date = "2007"', 'title = "E"',
                 'summary = "One event that many claims are about."', 'sources = ["s"]', 'actors = ["a"]']
        for i in range(SHOW_CLAIMS):
            lines += ['[[claim]]', f'id = "c{i}"', f'text = "Claim {i} says something about the event."',
                      'speaker = "a"', 'source = "s"', 'about = ["e"]']
            if i % 10 == 1:
                lines.append(f'disputes = ["c{i - 1}"]')
            elif i % 10 == 2:
                lines.append(f'supports = ["c{i - 2}"]')
        ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
        row = self.row("20,000 claims", "show", "`show EVENT` of an event with 20,000 claims, warm", "s",
                       f"{SHOW_SECONDS} s", 1.0)
        cmd = [iq, "show", "e", "--ledger", str(ledger), "--format", "plain"]
        try:
            run_once(cmd, env)  # fills the cache
            for i in range(runs):
                log(f"[show] run {i + 1}/{runs}")
                row.iqtl.append(run_once(cmd, env).seconds)
                row.reference.append(SHOW_SECONDS)
        except CommandFailedError as exc:
            self.fail([row], exc)

    # ------------------------------------------------------------ start-up

    def startup(self) -> None:
        runs, iq, env = self.args.startup_runs, self.iqtl, self.env
        seed = self.tmp / "seed-events.toml"  # a copy: touching it must not touch the repository's file
        fresh_copy(SEED_LEDGER, seed)
        shutil.copytree(SEED_LEDGER.parent / "sources", self.tmp / "sources", dirs_exist_ok=True)  # its archives
        ref = f"`{Path(sys.executable).name} -c 'import tomllib'`"
        rows = [
            self.row("seed", "seed-list-cold", "`list -F plain` on the seed ledger, cold", "s", ref,
                     STARTUP_COLD_TARGET),
            self.row("seed", "seed-list-warm", "`list -F plain` on the seed ledger, warm", "s", ref,
                     STARTUP_WARM_TARGET),
            self.row("seed", "version", "`--version`", "s", ref, STARTUP_TARGET),
            self.row("seed", "help", "`--help`", "s", ref, STARTUP_TARGET),
        ]
        baseline = [sys.executable, "-c", "import tomllib"]
        listing = [iq, "list", "--ledger", str(seed), "--format", "plain"]
        try:
            run_once(listing, env)  # once untimed: byte-compiled files written, page cache warm
            run_once(baseline, env)
            for i in range(runs):
                log(f"[start-up] run {i + 1}/{runs}")
                base = run_once(baseline, env).seconds
                touch(seed)
                rows[0].iqtl.append(run_once(listing, env).seconds)
                rows[1].iqtl.append(run_once(listing, env).seconds)
                rows[2].iqtl.append(run_once([iq, "--version"], env).seconds)
                rows[3].iqtl.append(run_once([iq, "--help"], env).seconds)
                for row in rows:
                    row.reference.append(base)
        except CommandFailedError as exc:
            self.fail(rows, exc)


# ---------------------------------------------------------------- the report


def fmt_value(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "MiB":
        return f"{value:,.0f} MiB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def markdown(rows: list[Row], facts: dict, settings: dict, notes: list[str]) -> str:
    big = ""
    if any(size >= BIG for size in settings["sizes"]) and settings["big_runs"] < settings["runs"]:
        big = f"{settings['big_runs']} from {BIG:,} events, "
    lines = [
        f"Measured {facts['date']} on {facts['nproc']} CPU(s), {facts['cpu']}, {facts['memory']} RAM, "
        f"{facts['os']} (load average {facts['load']} at the start); Python {facts['python']}, {facts['iqtl']}, "
        f"{facts['hledger']}.",
        f"Median of {settings['runs']} runs ({big}{settings['startup_runs']} for start-up); whole processes, output "
        "to /dev/null.  Ratio = iqtl / reference; target = the largest ratio allowed.",
        "",
        "| size | command | iqtl | reference | ratio | target |",
        "| ---: | --- | ---: | --- | ---: | --- |",
    ]
    for row in rows:
        size = f"{int(row.size):,}" if row.size.isdigit() else row.size
        if row.error:
            lines.append(f"| {size} | {row.label} | error | — | — | see below |")
            continue
        ref = row.reference_median
        reference = f"{fmt_value(ref, row.unit)} ({row.reference_name})" if ref is not None else "—"
        ratio = f"{row.ratio:.2f}×" if row.ratio is not None else "—"
        verdict = {True: "✓", False: "✗", None: "(no reference)"}[row.ok]
        target = "—" if row.target is None else f"≤ {row.target:g}× {verdict}"
        lines.append(f"| {size} | {row.label} | {fmt_value(row.iqtl_median, row.unit)} | {reference} | {ratio} "
                     f"| {target} |")
    errors = sorted({row.error for row in rows if row.error})
    if notes or errors:
        lines.append("")
        lines.extend(f"* {note}" for note in notes + errors)
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000", help="event counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each command (median reported)")
    parser.add_argument("--big-runs", type=int, default=3,
                        help=f"at most this many runs for sizes of {BIG:,} events and more (default %(default)s)")
    parser.add_argument("--startup-runs", type=int, default=10, help="timed runs of the start-up commands")
    parser.add_argument("--out", type=Path, default=HERE / "out",
                        help="ledgers, cache and results (default %(default)s)")
    parser.add_argument("--iqtl", help="the iqtl executable (default: the one beside this Python)")
    parser.add_argument("--no-hledger", action="store_true", help="do not install or run hledger")
    parser.add_argument("--quick", action="store_true",
                        help="1,000 events, 3 runs, hledger only if already installed: a check for CI")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.runs, args.startup_runs = "1000", 3, 3
    try:
        sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: not a comma-separated list of numbers: {args.sizes!r}")
    if min(args.runs, args.big_runs, args.startup_runs) < 1 or any(s < 1 for s in sizes):
        parser.error("sizes and runs must be at least 1")

    iqtl = args.iqtl or str(Path(sys.executable).parent / "iqtl")
    if not Path(iqtl).is_file():
        found = shutil.which("iqtl")
        if not found:
            parser.error(f"no iqtl beside {sys.executable}: run with the Python of iqtl's environment, or --iqtl PATH")
        log(f"note: no iqtl beside {sys.executable}; measuring {found}")
        iqtl = found
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)

    notes: list[str] = []
    hledger, note = (None, "hledger not used (--no-hledger)") if args.no_hledger else ensure_hledger(not args.quick)
    if note:
        log(f"note: {note}")
        notes.append(note)

    cache = args.out / "cache"  # this run's own: emptied first, never the user's
    shutil.rmtree(cache, ignore_errors=True)
    # PYTHONDONTWRITEBYTECODE (set in some sandboxes) would make every start compile iqtl from source,
    # which no installed copy does; PYTHONUNBUFFERED is not how a user runs it either.
    unusual = ("IQTL_LEDGER", "IQTL_NO_CACHE", "IQTL_DEBUG", "IQTL_INDEX_FROM", "PYTHONDONTWRITEBYTECODE",
               "PYTHONUNBUFFERED")
    env = {k: v for k, v in os.environ.items() if k not in unusual}
    env.update(XDG_CACHE_HOME=str(cache), NO_COLOR="1", LC_ALL="C.UTF-8", LANG="C.UTF-8")

    facts = machine_facts(iqtl, hledger, env)
    bench = Bench(args, iqtl, hledger, env)
    bench.notes = notes
    started = time.perf_counter()
    bench.startup()
    bench.show()
    for size in sizes:
        bench.size(size)
    settings = {"sizes": sizes, "runs": args.runs, "big_runs": min(args.runs, args.big_runs),
                "startup_runs": args.startup_runs, "seed": SEED,
                "iqtl": iqtl, "hledger": hledger, "seconds": round(time.perf_counter() - started, 1)}

    table = markdown(bench.rows, facts, settings, bench.notes)
    (args.out / "results.md").write_text(table, encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(
        {"machine": facts, "settings": settings, "notes": bench.notes, "rows": [r.as_dict() for r in bench.rows]},
        indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(table)
    log(f"wrote {args.out / 'results.md'} and {args.out / 'results.json'} in {settings['seconds']:.0f} s")
    return 1 if bench.failed else 0


if __name__ == "__main__":
    sys.exit(main())
