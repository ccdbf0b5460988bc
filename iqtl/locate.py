"""Where things are in a TOML ledger: line and column of each record, key and list item.

tomllib returns plain dicts with no positions, so this scanner walks the text once,
tracking strings, comments and brackets well enough to find `[[table]]` headers and
`key =` lines.  It runs only when there is a problem to report, never on the happy path.
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
    keys: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # key -> (line, key col, value col)


class Locator:
    def __init__(self, text: str):
        # TOML ends lines with LF (or CRLF) only; str.splitlines would also split at U+2028, U+0085,
        # form feeds and more inside strings, and every line after would be reported too far down.
        self.lines = [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]
        self.top: dict[str, tuple[int, int, int]] = {}
        self.tables: dict[str, list[RecordPos]] = {}
        self._scan()

    def _scan(self) -> None:
        current: RecordPos | None = None
        state = ""  # "", '"""' or "'''": inside a multi-line string
        depth = 0  # open [ and { of multi-line values
        for lineno, line in enumerate(self.lines, 1):
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
            found = recs[index].keys.get(key)
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


def _skip(line: str, i: int, depth: int) -> tuple[str, int]:
    """Scan the rest of a line; return the multi-line string state it ends in and bracket depth."""
    n = len(line)
    while i < n:
        c = line[i]
        if c == "#":
            break
        if c in "\"'":
            triple = c * 3
            if line.startswith(triple, i):
                end = line.find(triple, i + 3)
                if end < 0:
                    return triple, depth
                i = end + 3
                while i < n and line[i] == c:  # up to two quotes may close a ml string
                    i += 1
                continue
            j = i + 1
            while j < n and line[j] != c:
                j += 2 if (c == '"' and line[j] == "\\") else 1
            i = j + 1
            continue
        if c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return "", depth


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
