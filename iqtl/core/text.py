"""Ledger text is data: make it safe to show on a terminal or open in a spreadsheet."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

# C0 and C1 controls, DEL, bidi embeddings/overrides/isolates/marks, zero-width and other
# invisible format characters (soft hyphen, the Mongolian vowel separator, tag
# characters): anything that could move the cursor, recolour the terminal, open an OSC 8 link,
# or make text read differently from what it is.  Every one is non-printable (str.isprintable() is
# False): callers skip the regex for text that isprintable().
_ALWAYS = ("\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u061c\u180e\u200b\u200e\u200f\u2028\u2029"
           "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f")
# The zero-width non-joiner and joiner are spelling inside a word (Persian "خامنه‌ای", Indic
# conjuncts, emoji sequences 👩‍💻): kept between two characters that are neither ASCII nor space,
# escaped anywhere else (at an end of a word, next to Latin letters), where they only hide.
_WORD = f"[^\x00-\x7f\\s{_ALWAYS}\u200c\u200d]"  # a neighbour that puts a joiner inside a word
_JOINERS = "\u200c\u200d"
# One character class finds the candidates (as fast as before the joiners had a context); a joiner
# found is then judged by its two neighbours.  A lookaround alternation made every search 12x slower.
_CANDIDATE = f"[{_ALWAYS}{_JOINERS}]"  # compiled on first use (_candidate): a plain listing needs only
_CANDIDATE_LINE = re.compile(f"[{_ALWAYS}\t\n{_JOINERS}]")  # this one, and compiling both took 0.5 ms
# The same set as one pattern, for callers that build their own (ledgerfile.fmt); slower to search.
# It and _WORD are compiled when first used (module __getattr__, _word_pattern): their big
# character classes took 0.8 ms of every start, and most runs meet no joiner and format no file.
_UNSAFE_PATTERN = f"[{_ALWAYS}]|(?<!{_WORD})[{_JOINERS}]|[{_JOINERS}](?!{_WORD})"


def __getattr__(name: str):
    if name == "_UNSAFE":
        globals()[name] = compiled = re.compile(_UNSAFE_PATTERN)
        return compiled
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@lru_cache(maxsize=1)
def _word_pattern() -> re.Pattern:
    return re.compile(_WORD)


@lru_cache(maxsize=1)
def _candidate() -> re.Pattern:
    return re.compile(_CANDIDATE)


def _inside_word(value: str, at: int) -> bool:
    word = _word_pattern()
    return at > 0 and word.match(value, at - 1) is not None and word.match(value, at + 1) is not None


def _unsafe_at(match: re.Match) -> bool:
    return match.group() not in _JOINERS or not _inside_word(match.string, match.start())


def _escape(match: re.Match) -> str:
    ch = match.group()
    if ch in _JOINERS and _inside_word(match.string, match.start()):
        return ch
    named = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
    if ch in named:
        return named[ch]
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def has_unsafe(value: str) -> bool:
    return any(map(_unsafe_at, _candidate().finditer(value)))


def for_terminal(value: str) -> str:
    """Escape control and invisible characters visibly; newlines and tabs stay."""
    return _candidate().sub(_escape, value)


def one_line(value: str) -> str:
    """As for_terminal, and newlines and tabs too: one record, one line, tab-separated."""
    return _CANDIDATE_LINE.sub(_escape, value)


def escape_invisible_json(dumped: str) -> str:
    """In text from json.dumps, write the remaining unsafe characters as \\uXXXX escapes (a
    surrogate pair beyond the Basic Multilingual Plane, as JSON spells it)."""
    return _candidate().sub(_json_escape, dumped)


def _json_escape(match: re.Match) -> str:
    if not _unsafe_at(match):
        return match.group()
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xd800 + (code >> 10):04x}\\u{0xdc00 + (code & 0x3ff):04x}"


def escape_invisible_toml(dumped: str) -> str:
    """In TOML text, the unsafe characters inside strings as \\uXXXX or \\UXXXXXXXX escapes."""
    return _candidate().sub(lambda m: m.group() if not _unsafe_at(m) else f"\\u{ord(m.group()):04x}"
                            if ord(m.group()) < 0x10000 else f"\\U{ord(m.group()):08x}", dumped)


def fold(value: str) -> str:
    """A name as names are compared: NFC (a precomposed é and e + combining accent are one
    letter), then case-folded (and NFC again: folding can decompose)."""
    import unicodedata

    if value.isascii():
        return value.casefold()
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", value).casefold())


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
