"""A ledger's text cut into its parts, every byte kept: top-level keys, then one block per table,
each with the comment lines above it, each key with the comment lines above it and its trailing
comment.  `fmt` reprints the parts and `merge` merges them record by record.

The cut is checked, never trusted: `records()` parses each block alone with tomli and compares
it with the parse of the whole file, so a text this scanner misreads is refused, not mangled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from iqtl.core.model import KINDS

_ARRAY_HEADER = re.compile(r"\[\[\s*([A-Za-z0-9_-]+)\s*\]\]\s*(#.*)?")
_BARE = r"[A-Za-z0-9_-]+"
_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_KEY = re.compile(rf"[ \t]*({_PART}(?:[ \t]*\.[ \t]*{_PART})*)[ \t]*=")
_BARE_RE, _PART_RE = re.compile(_BARE), re.compile(_PART)
# Outside a multi-line string: what opens a string, a comment, or a bracket.
_TOKEN = re.compile(r'"""|\'\'\'|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\'|#|[\[\]{}]')
_CLOSE = {'"""': re.compile(r'\\.|"""', re.DOTALL), "'''": re.compile(r"'''")}


class ScanError(Exception):
    """Text this scanner cannot cut (it will not parse as TOML either)."""


@dataclass
class Entry:
    lead: list[str]  # comment and blank lines above the key
    lines: list[str]  # the key's own lines, newlines kept
    key: str | None  # the key's name; None for a dotted key (kept as written)
    comment: str = ""  # the trailing comment after the value ("# …"), or ""
    inner: bool = False  # a comment inside the value (between array items): kept as written

    def text(self) -> str:
        return "".join(self.lead) + "".join(self.lines)


@dataclass
class Block:
    lead: list[str]  # comment and blank lines above the header
    header: str  # the header line
    kind: str | None  # a [[kind]] header of a ledger kind; None for any other table
    entries: list[Entry] = field(default_factory=list)
    line: int = 0  # of the header, from 1

    def body(self) -> str:
        return self.header + "".join(e.text() for e in self.entries)

    def text(self) -> str:
        return "".join(self.lead) + self.body()

    @property
    def header_comment(self) -> str:
        m = _ARRAY_HEADER.fullmatch(self.header.strip())
        return (m.group(2) or "") if m else ""


@dataclass
class Document:
    top: list[Entry]  # top-level keys (`schema = 1`), the file's header comment above the first
    blocks: list[Block]
    end: list[str]  # comment and blank lines after the last key

    def text(self) -> str:
        return "".join(e.text() for e in self.top) + "".join(b.text() for b in self.blocks) + "".join(self.end)


def split_lines(text: str) -> list[str]:
    """Lines with their newlines; only "\\n" ends a line (str.splitlines would also cut at U+2028,
    form feeds and more, which may sit inside strings)."""
    lines = [line + "\n" for line in text.split("\n")]
    lines[-1] = lines[-1][:-1]
    if not lines[-1]:
        lines.pop()
    return lines


def scan(text: str) -> Document:
    lines = split_lines(text)
    pending: list[str] = []
    top: list[Entry] = []
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            pending.append(lines[i])
            i += 1
        elif stripped.startswith("["):
            m = _ARRAY_HEADER.fullmatch(stripped)
            kind = m.group(1) if m and m.group(1) in KINDS else None
            blocks.append(Block(pending, lines[i], kind, line=i + 1))
            pending = []
            i += 1
        else:
            entry, i = _entry(lines, i)
            entry.lead, pending = pending, []
            (blocks[-1].entries if blocks else top).append(entry)
    return Document(top, blocks, pending)


def _entry(lines: list[str], i: int) -> tuple[Entry, int]:
    first = lines[i]
    m = _KEY.match(first)
    if not m:
        raise ScanError(f"line {i + 1}: expected `key = value`")
    raw_key = m.group(1)
    key: str | None
    if _BARE_RE.fullmatch(raw_key):
        key = raw_key
    elif _PART_RE.fullmatch(raw_key):
        key = _unquote(raw_key)
    else:
        key = None
    depth, closing, comment, inner = 0, None, "", False
    start, pos = i, m.end()
    while True:
        line = lines[i]
        while True:
            if closing is not None:  # inside a multi-line string
                end = _close(line, pos, closing)
                if end < 0:
                    break
                closing, pos = None, end
                continue
            t = _TOKEN.search(line, pos)
            if t is None:
                break
            token, pos = t.group(), t.end()
            if token in ('"""', "'''"):
                closing = token
            elif token == "#":
                if depth:
                    inner = True
                else:
                    comment = line[t.start():].rstrip("\r\n")
                break
            elif token in "[{":
                depth += 1
            elif token in "]}":
                depth -= 1
        i += 1
        if closing is None and depth <= 0:
            break
        if i >= len(lines):
            raise ScanError(f"line {start + 1}: a value that never ends")
        pos = 0
    return Entry([], lines[start:i], key, comment, inner), i


def _close(line: str, pos: int, closing: str) -> int:
    """Where a multi-line string closes on this line (past up to two quotes of content that
    touch the delimiter), or -1."""
    for m in _CLOSE[closing].finditer(line, pos):
        if m.group() == closing:
            end = m.end()
            extra = 0
            while end < len(line) and line[end] == closing[0] and extra < 2:
                end, extra = end + 1, extra + 1
            return end
    return -1


def _unquote(raw: str) -> str:
    from iqtl.ledgerfile.loader import _toml

    return next(iter(_toml().loads(f"{raw} = 0")))


def comments(doc: Document) -> list[str]:
    """Every comment's text, for checking that a rewrite kept them all."""
    out: list[str] = []

    def lead(lines: list[str]) -> None:
        out.extend(line.strip() for line in lines if line.strip())

    for e in doc.top:
        lead(e.lead)
        if e.comment:
            out.append(e.comment)
    for b in doc.blocks:
        lead(b.lead)
        if b.header_comment:
            out.append(b.header_comment)
        for e in b.entries:
            lead(e.lead)
            if e.comment:
                out.append(e.comment)
    lead(doc.end)
    return sorted(out)


def records(doc: Document, raw: dict) -> list[tuple[str, dict]] | None:
    """(kind, parsed record) for each block, in file order, when every block is a [[kind]] table
    of the ledger that parses alone exactly as it does in the whole file; else None."""
    from iqtl.ledgerfile.loader import _toml

    toml = _toml()
    seen = dict.fromkeys(KINDS, 0)
    out: list[tuple[str, dict]] = []
    for b in doc.blocks:
        if b.kind is None or any(e.key is None for e in b.entries):
            return None
        table = raw.get(b.kind)
        if not isinstance(table, list) or seen[b.kind] >= len(table):
            return None
        try:
            alone = toml.loads(b.body())
        except toml.TOMLDecodeError:
            return None
        if alone != {b.kind: [table[seen[b.kind]]]}:
            return None
        out.append((b.kind, table[seen[b.kind]]))
        seen[b.kind] += 1
    top = {k: v for k, v in raw.items() if k not in KINDS}
    try:
        if toml.loads("".join(e.text() for e in doc.top)) != top:
            return None
    except toml.TOMLDecodeError:
        return None
    if any(len(raw.get(k, [])) != seen[k] for k in KINDS if isinstance(raw.get(k, []), list)):
        return None
    return out
