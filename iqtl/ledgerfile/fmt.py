"""`iqtl fmt`: the ledger in one canonical layout, every value and every comment kept.

Layout: the file's top keys and header comment first; one blank line between tables; each
record's keys in the schema's order (unknown keys after, as they came); comments above a header
or a key stay above it, a trailing comment stays on its key's line; strings double-quoted with
escapes (invisible characters as \\uXXXX); arrays on one line when it fits in `width`, else one
item a line.  What the layout cannot express is kept as written: a table other than the four
kinds, a dotted key, a value other than a string, a list of strings or a number, an array with
comments inside it.

The printer is line-based over the tomli parse and iqtl.blocks (not tomlkit): the ledger has one
shape, and the result is checked before anything is written: the same parsed tables and the same
comments, or a FormatError and no change.
"""

from __future__ import annotations

import re

from iqtl.core import edtf
from iqtl.core.model import KINDS
from iqtl.core.schema import FIELDS
from iqtl.core.text import _UNSAFE
from iqtl.ledgerfile import blocks
from iqtl.ledgerfile.blocks import Block, Document, Entry

WIDTH = 100
SORTS = ("date", "id")
_ORDER = {kind: {f.name: i for i, f in enumerate(FIELDS[kind])} for kind in KINDS}
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]|' + _UNSAFE.pattern)
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class FormatError(Exception):
    """A ledger fmt cannot rewrite: it does not parse, or (a bug) the rewrite would change it."""


def string(value: str) -> str:
    def escape(m: re.Match) -> str:
        ch = m.group()
        code = ord(ch)  # past the Basic Multilingual Plane TOML wants \UXXXXXXXX: \ue0000 is \ue000 and "0"
        return _ESCAPES.get(ch) or (f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")

    return '"' + _NEEDS_ESCAPE.sub(escape, value) + '"'


def _key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else string(key)


def _scalar(value) -> str | None:
    if isinstance(value, str):
        return string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return None


def render(key: str, value, comment: str = "", width: int = WIDTH) -> list[str] | None:
    """The canonical lines of `key = value` (no newlines), or None when it has none."""
    tail = f"  {comment}" if comment else ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        items = [string(v) for v in value]
        inline = f"{_key(key)} = [{', '.join(items)}]"
        if len(inline) <= width or not items:
            return [inline + tail]
        return [f"{_key(key)} = [", *(f"    {item}," for item in items), "]" + tail]
    literal = _scalar(value)
    return None if literal is None else [f"{_key(key)} = {literal}{tail}"]


def _lead(lines: list[str], blanks: bool) -> list[str]:
    """Comment lines unindented; blank lines dropped at the start, runs made one (or all dropped)."""
    out: list[str] = []
    blank = False
    for line in lines:
        text = line.strip()
        if not text:
            blank = bool(out)
            continue
        if blank and blanks:
            out.append("")
        blank = False
        out.append(text)
    if blank and blanks:
        out.append("")
    return out


def _verbatim(entry: Entry) -> list[str]:
    return [line.rstrip("\n") for line in entry.lines]


def _entries(entries: list[Entry], values: dict | None, order: dict[str, int], width: int,
             blanks: bool) -> list[str]:
    """Each key with the comments above it, in the schema's order when `order` is given."""
    ranked = sorted(enumerate(entries), key=lambda p: (order.get(p[1].key, len(order)), p[0])) if order else \
        list(enumerate(entries))
    out: list[str] = []
    for _, e in ranked:
        out.extend(_lead(e.lead, blanks))
        lines = None
        if values is not None and e.key is not None and not e.inner and e.key in values:
            lines = render(e.key, values[e.key], e.comment, width)
        out.extend(lines if lines is not None else _verbatim(e))
    return out


def _sort_key(how: str, block: Block, record: dict):
    kind = KINDS.index(block.kind)
    rid = record.get("id") if isinstance(record.get("id"), str) else ""
    if how == "id":
        return (kind, rid)
    date = record.get("date")
    try:
        parsed = edtf.parse(date) if isinstance(date, str) else None
    except edtf.EDTFError:
        parsed = None
    return (kind, 0, parsed.earliest, parsed.latest, rid) if parsed else (kind, 1, 0, 0, rid)


def format_text(text: str, *, sort: str | None = None, width: int = WIDTH, path: str = "ledger") -> str:
    from iqtl.ledgerfile.loader import _toml

    toml = _toml()
    crlf = "\r\n" in text
    try:
        raw = toml.loads(text)
    except toml.TOMLDecodeError as exc:
        from iqtl.ledgerfile.locate import toml_error_position

        line, col, msg = toml_error_position(exc)
        raise FormatError(f"{path}:{line}:{col}: TOML syntax: {msg} (fmt rewrites only a ledger that parses)") \
            from None
    source = text.replace("\r\n", "\n") if crlf else text
    try:
        doc = blocks.scan(source)
    except blocks.ScanError as exc:
        raise FormatError(f"{path}: {exc}") from None
    parsed: list[dict | None] = []
    for b in doc.blocks:
        try:
            alone = toml.loads(b.body()) if b.kind else None
        except toml.TOMLDecodeError:
            alone = None
        parsed.append(alone[b.kind][0] if alone and len(alone) == 1 and len(alone.get(b.kind, ())) == 1 else None)
    order = list(range(len(doc.blocks)))
    expected = raw
    if sort:
        foreign = next((b for b, rec in zip(doc.blocks, parsed, strict=True) if rec is None), None)
        if foreign is not None:
            raise FormatError(f"{path}:{foreign.line}:1: cannot sort: {foreign.header.strip()!r} is not one of the "
                              "record tables [[source]], [[actor]], [[event]], [[claim]] as fmt can move")
        if blocks.records(doc, raw) is None:
            raise FormatError(f"{path}: cannot sort: the records are not all plain [[kind]] tables")
        order.sort(key=lambda i: _sort_key(sort, doc.blocks[i], parsed[i]))
        expected = dict(raw)
        for kind in KINDS:
            if kind in raw:
                expected[kind] = [parsed[i] for i in order if doc.blocks[i].kind == kind]

    out: list[str] = []
    for e in doc.top:
        out.extend(_lead(e.lead, True))
        try:
            values = toml.loads("".join(e.lines)) if e.key is not None else None
        except toml.TOMLDecodeError:
            values = None
        out.extend(_entries([Entry([], e.lines, e.key, e.comment, e.inner)], values, {}, width, True))
    for i in order:
        b, record = doc.blocks[i], parsed[i]
        if out:
            out.append("")
        out.extend(_lead(b.lead, True))
        if record is None:
            out.append(b.header.rstrip())
            out.extend(_entries(b.entries, None, {}, width, False))
            continue
        comment = b.header_comment
        out.append(f"[[{b.kind}]]" + (f"  {comment}" if comment else ""))
        out.extend(_entries(b.entries, record, _ORDER[b.kind], width, False))
    end = _lead(doc.end, True)
    while end and not end[-1]:
        end.pop()
    if end:
        out.append("")
        out.extend(end)
    result = "\n".join(out) + "\n" if out else ""
    if crlf:
        result = result.replace("\n", "\r\n")
    _check(text, expected, result, doc, path)
    return result


def _check(before: str, raw: dict, after: str, doc: Document, path: str) -> None:
    """Refuse, never write, a rewrite that reads differently or has lost a comment."""
    from iqtl.ledgerfile.loader import _toml

    try:
        same = _toml().loads(after) == raw
    except _toml().TOMLDecodeError:
        same = False
    if not same:
        raise FormatError(f"{path}: cannot format this ledger without changing a value (a bug in iqtl fmt; "
                          "the file is left as it is)")
    if blocks.comments(blocks.scan(after.replace("\r\n", "\n"))) != blocks.comments(doc):
        raise FormatError(f"{path}: cannot format this ledger without moving a comment out of place (a bug in "
                          "iqtl fmt; the file is left as it is)")
