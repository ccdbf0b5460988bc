"""Where things are in a TOML ledger: line and column of each record, key and list item.

tomllib returns plain dicts with no positions, so this scanner finds them in the text.  In a
ledger of the usual shape (only `[[kind]]` lines start with "[", no multi-line strings) one
regex pass finds the headers, and a record's lines are read only when one of its keys is asked
for.  Otherwise it walks every line, tracking strings, comments and brackets well enough to
find `[[table]]` headers and `key =` lines.  It runs only when there is a problem to report,
never on the happy path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KEY = re.compile(r"""\s*(?P<key>[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')\s*=\s*""")
_DOTTED = re.compile(r"""\s*(?P<key>[A-Za-z0-9_-]+|"[^"\\]*"|'[^']*')\s*\.""")
_HEADER = re.compile(r"""\s*(?P<open>\[\[?)\s*(?P<name>[^\]]*?)\s*\]\]?""")


@dataclass
class RecordPos:
    line: int  # line of the [[header]]
    keys: dict[str, tuple[int, int, int]] | None = field(default_factory=dict)  # key -> (line, key col, value col)
    end: int = 0  # last line of the record, when its keys are still to be found (keys is None)


# A ledger in the usual shape: every line that starts with "[" is a [[kind]] header, and no string
# spans lines.  Then headers can be found without reading the lines between them.  The patterns
# start with a newline, which re looks for quickly (a pattern starting with ^ tries every place).
_KIND_HEADER = r"\[\[(source|actor|event|claim)\]\][ \t]*(?:#[^\n]*)?\r?(?=\n|\Z)"
_PLAIN_HEADER = re.compile(r"\n" + _KIND_HEADER)
_PIECE_START = re.compile(_KIND_HEADER)
_OTHER_BRACKET_LINE = re.compile(r"\n(?:[ \t]+\[|(?!" + _KIND_HEADER + r")\[)")


def plain_piece(text: str, first: bool) -> bool:
    """A piece of a ledger cut just before a line that starts with "[[" is of the usual shape: no
    multi-line string, no line but a [[kind]] header starting with "[", and (after the first
    piece) it starts with such a header.  Pieces of that shape parse as the whole would."""
    if '"""' in text or "'''" in text or _OTHER_BRACKET_LINE.search(text):
        return False
    return not text.lstrip(" \t").startswith("[") if first else _PIECE_START.match(text) is not None


class _Lines:
    """The lines of a text, as text.split("\n") would give them (a CR before the LF dropped), made
    one at a time from an array of where each starts: the list of a 120 MB ledger's 1.5 million
    lines took most of a gigabyte to place one warning."""

    def __init__(self, text: str):
        self.text, self.count, self.cr = text, text.count("\n") + 1, "\r" in text
        self._starts = None
        # Known (line index, where it starts), in order: the headers of a ledger of the usual shape.
        # A line near one is found from it, and the array of every line's start is never made.
        self.anchors: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return self.count

    def _start(self, i: int) -> int:
        if self.anchors:
            import bisect

            line, pos = self.anchors[bisect.bisect_right(self.anchors, (i, len(self.text) + 1)) - 1] \
                if self.anchors[0][0] <= i else (0, 0)
            if i - line <= 200:  # a record is a dozen lines: walk from its header
                for _ in range(i - line):
                    pos = self.text.index("\n", pos) + 1
                return pos
        if self._starts is None:
            from array import array

            self._starts = array("q", [0])
            self._starts.extend(m.end() for m in re.finditer("\n", self.text))
        return self._starts[i]

    def __getitem__(self, i: int) -> str:
        if i < 0:
            i += self.count
        if not 0 <= i < self.count:
            raise IndexError(i)
        start = self._start(i)
        end = self.text.find("\n", start)
        line = self.text[start:] if end < 0 else self.text[start:end]
        return line[:-1] if self.cr and line.endswith("\r") else line


class Locator:
    def __init__(self, text: str):
        # TOML ends lines with LF (or CRLF) only; str.splitlines would also split at U+2028, U+0085,
        # form feeds and more inside strings, and every line after would be reported too far down.
        self.lines = _Lines(text)
        self.top: dict[str, tuple[int, int, int]] = {}
        self.tables: dict[str, list[RecordPos]] = {}
        if not plain_piece(text, first=True):  # the whole text is the first and only piece
            self._scan(1, len(self.lines), None)
            return
        # The usual shape: one regex pass finds the headers, and a record's own lines are read
        # only when one of its keys is asked for.  Scanning every line of a 120 MB ledger for one
        # warning took 15 s.
        heads, line, pos = [], 1, 0
        for m in _PLAIN_HEADER.finditer(text):  # m starts at the newline before the header
            line += text.count("\n", pos, m.start() + 1)
            pos = m.start() + 1
            heads.append((line, m.group(1)))
            self.lines.anchors.append((line - 1, pos))
        ends = [h for h, _ in heads[1:]] + [len(self.lines) + 1] if heads else []
        for (line, kind), nxt in zip(heads, ends, strict=True):
            self.tables.setdefault(kind, []).append(RecordPos(line, None, nxt - 1))
        self._scan(1, heads[0][0] - 1 if heads else len(self.lines), None)

    def _scan(self, first: int, last: int, current: RecordPos | None) -> None:
        """Read lines first..last (1-based, inclusive), `current` the record they start in."""
        state = ""  # "", '"""' or "'''": inside a multi-line string
        depth = 0  # open [ and { of multi-line values
        for lineno in range(first, last + 1):
            line = self.lines[lineno - 1]
            start = 0
            if state:
                end = line.find(state)
                if end < 0:
                    continue
                start = end + 3
            elif depth == 0:
                m = _HEADER.match(line)
                if m and not line.lstrip().startswith("#"):
                    # [table] and [[table]] both start a record: a stray [event]
                    # must still be locatable for the "not an array" error.
                    current = RecordPos(lineno)
                    self.tables.setdefault(m.group("name").strip("\"'"), []).append(current)
                    continue
                m = _KEY.match(line)
                if m:
                    key = m.group("key").strip("\"'")
                    target = current.keys if current else self.top
                    key_col = len(line) - len(line.lstrip()) + 1
                    target.setdefault(key, (lineno, key_col, m.end() + 1))
                    start = m.end()
                else:
                    m = _DOTTED.match(line)  # `a.b = 1` defines the table a: locate a there
                    if m:
                        key = m.group("key").strip("\"'")
                        target = current.keys if current else self.top
                        key_col = len(line) - len(line.lstrip()) + 1
                        target.setdefault(key, (lineno, key_col, key_col))
            state, depth = _skip(line, start, depth)

    def _keys(self, rec: RecordPos) -> dict[str, tuple[int, int, int]]:
        if rec.keys is None:
            rec.keys = {}
            self._scan(rec.line + 1, rec.end, rec)
        return rec.keys

    def record(self, kind: str, index: int) -> tuple[int, int]:
        recs = self.tables.get(kind, [])
        if index < len(recs):
            return recs[index].line, 1
        return self._elsewhere(kind)

    def _elsewhere(self, kind: str) -> tuple[int, int]:
        """A table not written as [[kind]] headers: an inline array (`kind = [{…}]`), a key of
        another type (`kind = ["x"]`, `kind.x = 1`) or a dotted header ([kind.x]): where it is."""
        if kind in self.top:
            line, key_col, _ = self.top[kind]
            return line, key_col
        for name, recs in self.tables.items():
            if name.split(".", 1)[0].strip().strip("\"'") == kind:
                return recs[0].line, 1
        return 0, 0

    def key(self, kind: str | None, index: int, key: str, at_key: bool = False) -> tuple[int, int]:
        """Position of a key's value (or of the key itself); the record's header if the key is absent."""
        if kind is None:
            found = self.top.get(key)
            fallback = (1, 1)
        else:
            recs = self.tables.get(kind, [])
            if index >= len(recs):
                return self._elsewhere(kind)
            found = self._keys(recs[index]).get(key)
            fallback = (recs[index].line, 1)
        if found is None:
            return fallback
        line, key_col, value_col = found
        return line, key_col if at_key else value_col

    def item(self, kind: str, index: int, key: str, item: str) -> tuple[int, int]:
        """Position of a quoted list item (or scalar value) of a key, e.g. a bad reference."""
        line, col = self.key(kind, index, key)
        if not line:
            return line, col
        for quoted in (f'"{item}"', f"'{item}'"):
            for ln in range(line, min(line + 50, len(self.lines) + 1)):
                text = self.lines[ln - 1]
                pos = text.find(quoted, col - 1 if ln == line else 0)
                if pos >= 0:
                    return ln, pos + 1
        return line, col


_NEXT_SPECIAL = re.compile(r"[#\"'\[\]{}]")
_BASIC_REST = re.compile(r'(?:[^"\\]|\\.)*"?')  # the rest of a basic string, after its opening quote


def _skip(line: str, i: int, depth: int) -> tuple[str, int]:
    """Scan the rest of a line; return the multi-line string state it ends in and bracket depth.
    It jumps from one special character to the next: a ledger's lines are mostly long strings."""
    while True:
        m = _NEXT_SPECIAL.search(line, i)
        if m is None:
            return "", depth
        i = m.start()
        c = line[i]
        if c == "#":
            return "", depth
        if c in "\"'":
            triple = c * 3
            if line.startswith(triple, i):
                end = line.find(triple, i + 3)
                if end < 0:
                    return triple, depth
                i = end + 3
                while i < len(line) and line[i] == c:  # up to two quotes may close a ml string
                    i += 1
                continue
            if c == '"':
                i = _BASIC_REST.match(line, i + 1).end()
            else:
                end = line.find("'", i + 1)
                i = len(line) if end < 0 else end + 1
            continue
        depth = depth + 1 if c in "[{" else max(0, depth - 1)
        i += 1


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_error_position(exc: Exception) -> tuple[int, int, str]:
    """(line, col, message without the position) of a tomllib.TOMLDecodeError."""
    msg = str(exc)
    line, col = getattr(exc, "lineno", None), getattr(exc, "colno", None)
    m = _TOML_POS.search(msg)
    if m:
        msg = msg[: m.start()].rstrip()
        if line is None:
            line, col = int(m.group(1)), int(m.group(2))
    msg = msg.replace(" (at end of document)", "")
    if hasattr(exc, "msg"):
        msg = exc.msg
    return line or 0, col or 0, msg
