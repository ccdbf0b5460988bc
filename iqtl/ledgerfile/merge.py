"""Three-way merge of ledger texts, record by record and field by field, for `iqtl merge-driver`.

The result is "ours" as written, with theirs' changes applied record by record: a record or a key
changed on one side only takes that side's text (its comments too); records added by theirs go
after everything else, in theirs' order; records deleted on one side and untouched on the other
go.  What both sides changed differently is a conflict, written so that the file still parses:
the record keeps ours, and gains

    iqtl-conflict = [
        { field = "date", ours = "2007-08~", theirs = "2007-08-29", base = "2007-08" },
    ]

which the loader reports as an error naming both values, so `iqtl check` lists every conflict,
with its line, and every other problem of the merged ledger in one run (git's <<<<<<< markers
would stop the parse at the first).  Nothing is lost: the value not kept is in the marker.

The merged text is loaded and checked; an error that ours did not have (a reference to a record the
other side renamed or deleted, an id both sides added, or one theirs brings) makes the merge a
conflict too.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from iqtl.ledgerfile import blocks
from iqtl.ledgerfile.blocks import Block, Document, Entry
from iqtl.ledgerfile.fmt import render, string

CONFLICT_KEY = "iqtl-conflict"
_ABSENT = object()


@dataclass
class Conflict:
    kind: str
    id: str
    field: str  # "" for the whole record (deleted on one side, changed on the other)
    ours: object = _ABSENT
    theirs: object = _ABSENT
    base: object = _ABSENT
    note: str = ""

    def marker(self) -> str:
        if not self.field:
            return "{ record = " + string(self.note) + " }"
        parts = [f"field = {string(self.field)}"]
        for name in ("ours", "theirs", "base"):
            value = getattr(self, name)
            if value is not _ABSENT:
                parts.append(f"{name} = {_inline(value)}")
        return "{ " + ", ".join(parts) + " }"

    def message(self) -> str:
        if self.kind == "top":
            return self.note
        if not self.field:
            return f"{self.kind} {self.id!r}: {self.note}"
        return f"{self.kind} {self.id!r}: {self.field}: ours {_show(self.ours)}, theirs {_show(self.theirs)}"


@dataclass
class MergeResult:
    text: str
    conflicts: list[Conflict] = field(default_factory=list)
    errors: list = field(default_factory=list)  # Problems of the merged ledger that ours had not

    @property
    def clean(self) -> bool:
        return not self.conflicts and not self.errors


class UnmergeableError(Exception):
    """A side that cannot be merged record by record (it does not parse, ids repeat, …)."""


# ---------------------------------------------------------------- what the loader says of a marker


def _show(value) -> str:
    if value is _ABSENT or value is None:
        return "(absent)"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    return f"“{value}”" if isinstance(value, str) else repr(value)


def describe(value) -> str:
    """The loader's message for an iqtl-conflict key: every conflicting field with both values."""
    parts = []
    for entry in value if isinstance(value, list) else [value]:
        if isinstance(entry, dict) and "field" in entry:
            part = (f"{entry['field']} is ours {_show(entry.get('ours', _ABSENT))}, "
                    f"theirs {_show(entry.get('theirs', _ABSENT))}")
            if "base" in entry:
                part += f" (base {_show(entry['base'])})"
            parts.append(part)
        elif isinstance(entry, dict) and "record" in entry:
            parts.append(str(entry["record"]))
        else:
            parts.append(_show(entry))
    return ("merge conflict: " + "; ".join(parts) + f"; keep one value and delete {CONFLICT_KEY}")


def _inline(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_inline(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{string(k)} = {_inline(v)}" for k, v in value.items()) + " }"
    line = render("v", value)
    return line[0][len("v = "):] if line else string(str(value))


# ---------------------------------------------------------------- one side


@dataclass
class _Side:
    doc: Document
    index: dict[tuple[str, str], tuple[Block, dict]]
    order: list[tuple[str, str]]


def _side(text: str, label: str) -> _Side:
    from iqtl.ledgerfile.loader import _toml

    toml = _toml()
    try:
        raw = toml.loads(text)
        doc = blocks.scan(text)
    except (toml.TOMLDecodeError, blocks.ScanError) as exc:
        raise UnmergeableError(f"{label} does not parse ({exc})") from None
    recs = blocks.records(doc, raw)
    if recs is None:
        raise UnmergeableError(f"{label} holds tables other than [[source]], [[actor]], [[event]], [[claim]] "
                          "or keys iqtl cannot place")
    index: dict[tuple[str, str], tuple[Block, dict]] = {}
    order = []
    for b, (kind, rec) in zip(doc.blocks, recs, strict=True):
        rid = rec.get("id")
        if not isinstance(rid, str) or not rid:
            raise UnmergeableError(f"{label}: a {kind} at line {b.line} has no id")
        if (kind, rid) in index:
            raise UnmergeableError(f"{label}: two {kind} records have the id {rid!r}")
        index[(kind, rid)] = (b, rec)
        order.append((kind, rid))
    return _Side(doc, index, order)


# ---------------------------------------------------------------- merging


def _pick(base: str | None, ours: str | None, theirs: str | None) -> tuple[bool, str | None]:
    """(decided, text) by the three-way rule on whole texts."""
    if ours == theirs or theirs == base:
        return True, ours
    if ours == base:
        return True, theirs
    return False, None


def _union(ours: list[str], theirs: list[str]) -> list[str]:
    """Both sides changed some comment lines: ours, then theirs' lines ours lacks (none is lost)."""
    have = set(ours)
    return ours + [line for line in theirs if line not in have]


def _entry_map(b: Block | None) -> dict[str, Entry]:
    return {e.key: e for e in b.entries} if b else {}


def _merge_block(kind: str, rid: str, bo: Block | None, ro: dict | None, ba: Block, ra: dict, bb: Block,
                 rb: dict, conflicts: list[Conflict]) -> str:
    decided, text = _pick(bo.text() if bo else None, ba.text(), bb.text())
    if decided:
        return text
    base_lead = bo.lead if bo else []
    lead = ba.lead if bb.lead == base_lead else bb.lead if ba.lead == base_lead else _union(ba.lead, bb.lead)
    decided, header = _pick(bo.header if bo else ba.header, ba.header, bb.header)
    if not decided:  # both changed the header's comment: ours on the line, theirs above it
        header = ba.header
        lead = lead + [bb.header_comment + "\n"] if bb.header_comment else lead
    eo, ea, eb = _entry_map(bo), _entry_map(ba), _entry_map(bb)
    ro = ro or {}
    keys = [e.key for e in ba.entries] + [e.key for e in bb.entries if e.key not in ea]
    out: list[str] = []
    mine: list[Conflict] = []
    for key in keys:
        vo, va, vb = ro.get(key, _ABSENT), ra.get(key, _ABSENT), rb.get(key, _ABSENT)
        to, ta, tb = (eo[key].text() if key in eo else None), (ea[key].text() if key in ea else None), \
            (eb[key].text() if key in eb else None)
        if va == vb:
            decided, chosen = _pick(to, ta, tb)
            if not decided:  # same value, both sides changed its comments
                chosen = "".join(_union(ea[key].lead, eb[key].lead)) + "".join(ea[key].lines)
        elif va == vo:
            chosen = tb
        elif vb == vo:
            chosen = ta
        else:
            mine.append(Conflict(kind, rid, key, va, vb, vo))
            chosen = ta  # the record keeps ours; theirs is in the marker
        if chosen:
            out.append(chosen)
    conflicts.extend(mine)
    return "".join(lead) + header + _with_marker(out, ea, mine)


def _with_marker(entries: list[str], ours: dict[str, Entry], found: list[Conflict]) -> str:
    """The entries' text, with an iqtl-conflict key after the id when there were conflicts."""
    if not found:
        return "".join(entries)
    marker = f"{CONFLICT_KEY} = [\n" + "".join(f"    {c.marker()},\n" for c in found) + "]\n"
    at = 1 if entries and entries[0].lstrip().startswith("id") else 0
    return "".join(entries[:at]) + marker + "".join(entries[at:])


def _whole_record_conflict(kind: str, rid: str, kept: Block, note: str, conflicts: list[Conflict]) -> str:
    c = Conflict(kind, rid, "", note=note)
    conflicts.append(c)
    return "".join(kept.lead) + kept.header + _with_marker([e.text() for e in kept.entries], {}, [c])


def _append(out: list[str], block: str) -> None:
    """A record from theirs after the rest: end the last line, and one blank line before it."""
    text = "".join(out[-2:])
    if text and not text.endswith("\n"):
        out.append("\n")
        text += "\n"
    if text and not text.endswith("\n\n") and not block.startswith(("\n", "\r\n")):
        out.append("\n")
    out.append(block)


def merge_texts(base: str, ours: str, theirs: str, path: str = "ledger", part: bool = False) -> MergeResult:
    """Raises UnmergeableError when a side cannot be merged record-wise.  `part`: the file is one a
    ledger includes, whose references may point into its other files (left to `iqtl check`)."""
    crlf = "\r\n" in ours
    base, ours, theirs = (t.replace("\r\n", "\n") for t in (base, ours, theirs))
    so, sa, sb = _side(base, "the common ancestor"), _side(ours, "ours"), _side(theirs, "theirs")
    conflicts: list[Conflict] = []
    out: list[str] = []

    top = [("".join(e.text() for e in s.doc.top)) for s in (so, sa, sb)]
    decided, text = _pick(*top)
    if not decided:
        merged_top = _merge_file(*top)
        if merged_top is None:
            raise UnmergeableError("both sides changed the top of the file (above the first record) differently")
        text, clashes = merged_top
        if clashes:
            conflicts.append(Conflict("top", "", "", note="both sides changed the lines above the first record: "
                                      "git's conflict markers are there"))
    out.append(text)

    for key in sa.order:
        kind, rid = key
        ba, ra = sa.index[key]
        if key in so.index:
            bo, ro = so.index[key]
            if key in sb.index:
                bb, rb = sb.index[key]
                out.append(_merge_block(kind, rid, bo, ro, ba, ra, bb, rb, conflicts))
            elif ba.text() != bo.text():
                out.append(_whole_record_conflict(kind, rid, ba, "deleted on theirs, changed on ours", conflicts))
            # else: deleted on theirs, untouched on ours: it goes
        elif key in sb.index:  # added on both sides
            bb, rb = sb.index[key]
            out.append(_merge_block(kind, rid, None, None, ba, ra, bb, rb, conflicts))
        else:
            out.append(ba.text())
    for key in sb.order:
        if key in sa.index:
            continue
        kind, rid = key
        bb, _ = sb.index[key]
        if key in so.index:
            if bb.text() != so.index[key][0].text():
                _append(out, _whole_record_conflict(kind, rid, bb, "deleted on ours, changed on theirs", conflicts))
        else:
            _append(out, bb.text())

    ends = ["".join(s.doc.end) for s in (so, sa, sb)]
    decided, end = _pick(*ends)
    if not decided:
        end = "".join(_union(sa.doc.end, sb.doc.end))
    if end and out and not "".join(out[-1:]).endswith("\n"):
        out.append("\n")
    out.append(end)
    merged = "".join(out)
    errors = _new_errors(merged, ours, theirs, path)
    if part:
        errors = [p for p in errors if p.code != "unknown-reference"]
    if crlf:
        merged = merged.replace("\n", "\r\n")
    return MergeResult(merged, conflicts, errors)


def _new_errors(merged: str, ours: str, theirs: str, path: str) -> list:
    """Errors of the merged ledger that ours did not have (markers are counted as conflicts).
    An error theirs had counts too: the merge would bring it into a branch that was clean of it."""
    from iqtl.ledgerfile.loader import load_text

    def known(text: str) -> set[tuple[str, str]]:
        return {(p.code, p.message) for p in load_text(text, path).errors}

    problems = [p for p in load_text(merged, path).errors if p.code != "merge-conflict"]
    if not problems:
        return []
    had = known(ours)
    return [p for p in problems if (p.code, p.message) not in had]


def _merge_file(base: str, ours: str, theirs: str) -> tuple[str, int] | None:
    """git's own line merge of two texts, markers and all, and how many conflicts (None when git fails)."""
    with tempfile.TemporaryDirectory(prefix="iqtl-merge-") as tmp:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            p = Path(tmp) / name
            p.write_text(text, encoding="utf-8", newline="")
            paths.append(str(p))
        try:
            done = subprocess.run(["git", "merge-file", "-p", "-L", "ours", "-L", "base", "-L", "theirs", *paths],
                                  capture_output=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode < 0 or done.returncode > 127:
            return None
        return done.stdout.decode("utf-8"), done.returncode


def merge_file_in_place(base: Path, ours: Path, theirs: Path) -> int:
    """Fall back to `git merge-file` on the whole files (result in `ours`); its exit status."""
    try:
        done = subprocess.run(["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs", str(ours), str(base),
                               str(theirs)], capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UnmergeableError(f"git merge-file failed: {exc}") from None
    return done.returncode
