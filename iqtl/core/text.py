"""Ledger text is data: make it safe to show on a terminal or open in a spreadsheet."""

from __future__ import annotations

import re
from collections.abc import Iterable

# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates, zero-width and other
# invisible format characters: anything that could move the cursor, recolour the
# terminal, open an OSC 8 link, or make text read differently from what it is.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb]"
)
_UNSAFE_LINE = re.compile(_UNSAFE.pattern[:-1] + "\t\n]")


def _escape(match: re.Match) -> str:
    ch = match.group()
    named = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
    if ch in named:
        return named[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def has_unsafe(value: str) -> bool:
    return _UNSAFE.search(value) is not None


def for_terminal(value: str) -> str:
    """Escape control and invisible characters visibly; newlines and tabs stay."""
    return _UNSAFE.sub(_escape, value)


def one_line(value: str) -> str:
    """As for_terminal, and newlines and tabs too: one record, one line, tab-separated."""
    return _UNSAFE_LINE.sub(_escape, value)


def escape_invisible_json(dumped: str) -> str:
    """In text from json.dumps, write the remaining unsafe characters as \\uXXXX escapes."""
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise_formula(value: str) -> str:
    """OWASP's rule against CSV injection: a cell a spreadsheet would run gets a leading '.  A cell
    whose leading quotes come before such a character gets one more quote, so that reading it back
    (ingest.restore_formula) takes exactly one off: `'=1` is written `''=1` and read as `'=1`."""
    return "'" + value if value.lstrip("'").startswith(FORMULA_PREFIXES) else value


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest option, or ''."""
    close = suggestions(word, options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def suggestions(word: str, options: Iterable[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    import difflib  # only when a word is wrong: it is slow to import

    return difflib.get_close_matches(word, list(options), n=n, cutoff=cutoff)
