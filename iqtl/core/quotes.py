"""Verify a claim's quote against the archived text of its source (issue 15).

Pure functions over strings: no file I/O, no terminal output, standard library only.
Offsets everywhere are Python string indices, i.e. Unicode code points, which is what
the W3C Web Annotation TextPositionSelector counts.

A quote is looked up in this order, and the first step that finds anything decides:

1. the whole quote, character for character;
2. the ledger's join rule: a quote stored as ``"part one … part two"`` (U+2026 with a
   space each side) means each part occurs in the text, in that order;
3. and 4. the same two steps after typographic normalisation (NFKC, curly and straight
   quotes, dashes, spaces, collapsed whitespace); the result then names each difference.

Typical use::

    archive = Archive(text)                 # reuse it for every quote of one source
    match = locate_quote(archive, claim_text, prefix=stored_prefix, suffix=stored_suffix)
    if match.outcome is Outcome.NOT_FOUND:
        match.closest                       # nearest passage and a 0–1 similarity
"""

from __future__ import annotations

import bisect
import difflib
import re
import unicodedata
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

__all__ = [
    "ANNO_CONTEXT",
    "DEFAULT_CONTEXT",
    "JOIN",
    "Archive",
    "Closest",
    "Difference",
    "Outcome",
    "QuoteContext",
    "QuoteMatch",
    "Span",
    "TextPositionSelector",
    "TextQuoteSelector",
    "Verbatim",
    "annotation",
    "found_elsewhere",
    "locate_quote",
    "normalise",
    "paraphrase_hints",
    "position_is_stale",
    "quote_context",
    "selectors_for",
    "sentence_spans",
    "sha256_hex",
    "split_parts",
]

JOIN = " \u2026 "
DEFAULT_CONTEXT = 32
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"


class Outcome(StrEnum):
    VERIFIED = "verified"
    NORMALISED = "normalised-only"
    AMBIGUOUS = "ambiguous"
    NOT_FOUND = "not-found"


@dataclass(frozen=True, order=True)
class Span:
    """Half-open [start, end) in code points of the archive text."""

    start: int
    end: int

    def of(self, text: str) -> str:
        return text[self.start : self.end]


@dataclass(frozen=True)
class Difference:
    """One place where the quote and the archive differ only typographically."""

    quote_offset: int  # in the whole quote string, joins included
    quote_chars: str
    archive_offset: int
    archive_chars: str

    def describe(self) -> str:
        return (
            f"{_show(self.archive_chars)} in the archive, {_show(self.quote_chars)} "
            f"in the quote at offset {self.quote_offset}"
        )


@dataclass(frozen=True)
class Closest:
    """The passage of the archive nearest to a quote that was not found."""

    span: Span
    text: str
    similarity: float  # 0–1, difflib ratio of the normalised strings
    part: int | None = None  # which part of a joined quote it is nearest to; None: the whole quote


@dataclass(frozen=True)
class QuoteMatch:
    """Where a quote was found in an archive (or why not), and how sure that is."""

    outcome: Outcome
    quote: str
    parts: tuple[str, ...]
    spans: tuple[Span, ...] = ()  # one per part, when found once
    differences: tuple[Difference, ...] = ()
    # For AMBIGUOUS: the occurrences of a one-part quote (the first 100; detail has the
    # count); for a joined quote the leftmost and the rightmost placement (there may be
    # more in between).
    candidates: tuple[tuple[Span, ...], ...] = ()
    closest: Closest | None = None
    position_stale: bool | None = None  # None: no stored position was given
    detail: str = ""

    @property
    def found(self) -> bool:
        return self.outcome in (Outcome.VERIFIED, Outcome.NORMALISED)

    @property
    def joined(self) -> bool:
        return len(self.spans) > 1

    def describe(self) -> str:
        """One plain line for `check`: the outcome and what a reader needs to act on it."""
        if self.outcome is Outcome.VERIFIED:
            return "verified" + (f" ({len(self.spans)} parts, in order)" if self.joined else "")
        if self.outcome is Outcome.NORMALISED:
            return "found only after normalisation: " + "; ".join(d.describe() for d in self.differences)
        if self.outcome is Outcome.AMBIGUOUS:
            return f"ambiguous: {self.detail}"
        out = f"not found: {self.detail}"
        if self.closest is not None:
            out += f"; closest passage ({self.closest.similarity:.0%} alike): {self.closest.text!r}"
        return out

    @property
    def envelope(self) -> Span | None:
        """From the first part's start to the last part's end (what a stored position covers)."""
        if not self.spans:
            return None
        return Span(self.spans[0].start, self.spans[-1].end)


@dataclass(frozen=True)
class TextQuoteSelector:
    """The W3C Web Annotation selector of a quote by its text and the text either side."""

    exact: str
    prefix: str = ""
    suffix: str = ""

    def to_json(self) -> dict:
        out: dict = {"type": "TextQuoteSelector", "exact": self.exact}
        # The model makes prefix and suffix optional; an empty one says nothing, so leave it out.
        if self.prefix:
            out["prefix"] = self.prefix
        if self.suffix:
            out["suffix"] = self.suffix
        return out

    @classmethod
    def from_json(cls, data: Mapping) -> TextQuoteSelector:
        return cls(str(data["exact"]), str(data.get("prefix", "")), str(data.get("suffix", "")))


@dataclass(frozen=True)
class TextPositionSelector:
    """The W3C Web Annotation selector of a passage by its offsets, in code points."""

    start: int
    end: int

    def to_json(self) -> dict:
        return {"type": "TextPositionSelector", "start": self.start, "end": self.end}

    @classmethod
    def from_json(cls, data: Mapping) -> TextPositionSelector:
        return cls(int(data["start"]), int(data["end"]))


@dataclass(frozen=True)
class QuoteContext:
    """Offsets for `show`: the quote, its sentence, and the sentences either side."""

    quote: Span
    sentence: Span
    before: Span | None
    after: Span | None


@dataclass(frozen=True)
class Verbatim:
    """A stretch of a paraphrase that is word for word in the archive."""

    span: Span  # in the archive
    text: str  # the archive's words
    words: int
    whole_sentence: bool
    # Inside quotation marks in the archive: the article quotes these words, so the claim
    # is most likely a quote. Outside them the ledger is copying the article’s own reported speech,
    # which is what a paraphrase is allowed to do.
    quoted: bool = False


def sha256_hex(data: bytes) -> str:
    import hashlib  # here: importing it loads OpenSSL, 2.5 ms of a cold start that never calls this

    return hashlib.sha256(data).hexdigest()


def split_parts(quote: str) -> tuple[str, ...]:
    return tuple(quote.split(JOIN))


# ---------------------------------------------------------------------------
# Normalisation with a map back to the original offsets
# ---------------------------------------------------------------------------

_QUOTE_MAP = {
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4\u0060\u02bc", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d", "-"),
}
# Soft hyphen, zero-width characters, word joiner, BOM: invisible, so never a real difference.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


def _is_space(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Zs"


@dataclass
class _Normalised:
    """A text after typographic normalisation, with the way back to the original offsets."""

    text: str
    tok: list[int]  # normalised index -> token number
    tok_start: list[int]  # token number -> original start
    tok_end: list[int]  # token number -> original end
    tok_nend: list[int]  # token number -> end of its normalised characters

    def to_original(self, start: int, end: int) -> Span:
        return Span(self.tok_start[self.tok[start]], self.tok_end[self.tok[end - 1]])


def _normalise(text: str) -> _Normalised:
    # Tokens are [normalised string, original start, original end]. A whitespace run is
    # one " " token; spaces beside a dash and invisible characters are folded into a
    # neighbouring token, so "a — b" and "a—b" compare equal and the difference is named.
    # Parallel lists, not a list per token: a million small lists are tracked by the
    # garbage collector, whose full passes made this step grow faster than the text.
    t_str: list[str] = []
    t_start: list[int] = []
    t_end: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        j = i + 1
        if ch < "\x80":
            # ASCII is its own NFKC form; only a following combining mark needs the slow path.
            if j < n and text[j] >= "\u0300" and unicodedata.combining(text[j]):
                while j < n and unicodedata.combining(text[j]):
                    j += 1
                folded = unicodedata.normalize("NFKC", text[i:j])
            elif ch in " \t\n\r\f\v":
                folded = " "
            else:
                folded = ch
        else:
            while j < n and unicodedata.combining(text[j]):
                j += 1
            cluster = text[i:j]
            if cluster in _INVISIBLE:
                if t_str:
                    t_end[-1] = j
                else:
                    t_str.append("")
                    t_start.append(i)
                    t_end.append(j)
                i = j
                continue
            if _is_space(ch) and j == i + 1:
                folded = " "
            elif cluster in _QUOTE_MAP:
                # Before NFKC, which would turn an acute accent or a double prime into something else.
                folded = _QUOTE_MAP[cluster]
            else:
                folded = "".join(_QUOTE_MAP.get(c, c) for c in unicodedata.normalize("NFKC", cluster))
                if folded.isspace():
                    folded = " "
        if folded == " ":
            if t_str and t_str[-1] in (" ", "-"):
                t_end[-1] = j
            else:
                t_str.append(" ")
                t_start.append(i)
                t_end.append(j)
        elif folded == "-" and t_str and t_str[-1] == " ":
            t_str[-1] = "-"
            t_end[-1] = j
        else:
            t_str.append(folded)
            t_start.append(i)
            t_end.append(j)
        i = j
    tok: list[int] = []
    nends: list[int] = []
    pos = 0
    for k, s in enumerate(t_str):
        tok.extend([k] * len(s))
        pos += len(s)
        nends.append(pos)
    return _Normalised("".join(t_str), tok, t_start, t_end, nends)


def normalise(text: str) -> str:
    """The typographic normal form quotes are compared in when an exact match fails."""
    return _normalise(text).text


def _show(chars: str) -> str:
    if not chars:
        return "nothing"
    if all(not _is_space(c) and unicodedata.category(c)[0] != "C" for c in chars):
        return chars
    return " ".join(
        "space" if c == " " else c if not _is_space(c) and unicodedata.category(c)[0] != "C" else f"U+{ord(c):04X}"
        for c in chars
    )


def _differences(
    quote_text: str,
    quote_offset: int,
    qn: _Normalised,
    q: tuple[int, int],
    archive_text: str,
    an: _Normalised,
    a0: int,
) -> list[Difference]:
    """Name each group of original characters that normalise alike but are not equal.

    qn is the normalisation of quote_text; its slice q was found at normalised offset a0
    of the archive. A group runs until both sides finish a token at the same normalised
    position, so "…" against "..." is one difference, not three.
    """
    out: list[Difference] = []
    q0, n = q[0], q[1] - q[0]
    i = 0
    while i < n:
        tq0, ta0 = qn.tok[q0 + i], an.tok[a0 + i]
        end = max(qn.tok_nend[tq0] - q0, an.tok_nend[ta0] - a0)
        while end < n:
            grown = max(qn.tok_nend[qn.tok[q0 + end - 1]] - q0, an.tok_nend[an.tok[a0 + end - 1]] - a0)
            if grown == end:
                break
            end = grown
        end = min(end, n)
        tq1, ta1 = qn.tok[q0 + end - 1], an.tok[a0 + end - 1]
        q_s, q_e = qn.tok_start[tq0], qn.tok_end[tq1]
        a_s, a_e = an.tok_start[ta0], an.tok_end[ta1]
        if quote_text[q_s:q_e] != archive_text[a_s:a_e]:
            out.append(Difference(quote_offset + q_s, quote_text[q_s:q_e], a_s, archive_text[a_s:a_e]))
        i = end
    return out


# ---------------------------------------------------------------------------
# The archive, with what is derived from it computed once
# ---------------------------------------------------------------------------

_WORD = re.compile(r"\w+(?:'\w+)*")


class Archive:
    """An archived text; normalisation, words and sentences are computed once, on demand."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def norm(self) -> _Normalised:
        return _normalise(self.text)

    @cached_property
    def words(self) -> tuple[list[str], list[int], list[int]]:
        """Lower-cased normalised words, their starts and their ends in the original text."""
        nm = self.norm
        tok, t_start, t_end = nm.tok, nm.tok_start, nm.tok_end
        words: list[str] = []
        starts: list[int] = []
        ends: list[int] = []
        for m in _WORD.finditer(nm.text):
            words.append(m.group().lower())
            starts.append(t_start[tok[m.start()]])
            ends.append(t_end[tok[m.end() - 1]])
        return words, starts, ends

    @cached_property
    def word_index(self) -> dict[str, list[int]]:
        index: dict[str, list[int]] = {}
        for k, w in enumerate(self.words[0]):
            index.setdefault(w, []).append(k)
        return index

    @cached_property
    def sentences(self) -> tuple[Span, ...]:
        return sentence_spans(self.text)


def _as_archive(archive: str | Archive) -> Archive:
    return archive if isinstance(archive, Archive) else Archive(archive)


def _words_of(text: str) -> list[str]:
    return [m.group().lower() for m in _WORD.finditer(normalise(text))]


# ---------------------------------------------------------------------------
# Placing the parts of a quote
# ---------------------------------------------------------------------------

_Place = list[tuple[int, int]]


def _leftmost(hay: str, needles: Sequence[str], lo: int, hi: int) -> _Place | None:
    out: _Place = []
    for needle in needles:
        s = hay.find(needle, lo, hi)
        if s < 0:
            return None
        lo = s + len(needle)
        out.append((s, lo))
    return out


def _rightmost(hay: str, needles: Sequence[str], lo: int, hi: int) -> _Place | None:
    out: _Place = []
    for needle in reversed(needles):
        s = hay.rfind(needle, lo, hi)
        if s < 0:
            return None
        out.append((s, s + len(needle)))
        hi = s
    out.reverse()
    return out


def _starts(hay: str, needle: str, lo: int, hi: int) -> list[int]:
    """Every start of needle inside hay[lo:hi], overlapping ones included."""
    found = []
    s = hay.find(needle, lo, hi)
    while s >= 0:
        found.append(s)
        s = hay.find(needle, s + 1, hi)
    return found


def _common_suffix(a: str, b: str) -> int:
    k = 0
    for x, y in zip(reversed(a), reversed(b), strict=False):
        if x != y:
            break
        k += 1
    return k


def _common_prefix(a: str, b: str) -> int:
    k = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        k += 1
    return k


def _pick(scores: Sequence[int]) -> int | None:
    """Index of the single best positive score, or None when there is no clear winner."""
    if not scores:
        return None
    best = max(scores)
    if best <= 0 or scores.count(best) > 1:
        return None
    return scores.index(best)


# A quote found thousands of times needs a count, not thousands of spans.
_MAX_CANDIDATES = 100


@dataclass
class _Placed:
    """How the parts of a quote could be placed in the text: once, several ways, or not at all."""

    place: _Place | None  # hay spans when exactly one placement is left
    candidates: list[list[Span]] = field(default_factory=list)
    count: int = 0  # occurrences of a one-part quote, beyond the candidates kept


def _place(
    hay: str,
    needles: Sequence[str],
    to_orig,
    text: str,
    prefix: str | None,
    suffix: str | None,
    position: TextPositionSelector | None,
) -> _Placed | None:
    """Place needles in order in hay; None when they do not all occur in that order.

    A placement is unique exactly when the leftmost and the rightmost placements agree
    (each part's leftmost position is a lower bound, its rightmost an upper bound, over
    all placements), which keeps the check linear. Otherwise the stored position, then
    the prefix (on the first part) and the suffix (on the last) choose.
    """
    n = len(hay)
    left = _leftmost(hay, needles, 0, n)
    if left is None:
        return None
    right = _rightmost(hay, needles, 0, n)
    if left == right:
        return _Placed(left)

    def before_score(s: int) -> int:
        start = to_orig(s, s + len(needles[0])).start
        return _common_suffix(text[max(0, start - len(prefix)) : start], prefix) if prefix else 0

    def after_score(e: int) -> int:
        end = to_orig(e - len(needles[-1]), e).end
        return _common_prefix(text[end : end + len(suffix)], suffix) if suffix else 0

    def at_position(s: int | None, e: int | None) -> bool:
        if s is not None and to_orig(s, s + len(needles[0])).start != position.start:
            return False
        return e is None or to_orig(e - len(needles[-1]), e).end == position.end

    if len(needles) == 1:
        size = len(needles[0])
        starts = _starts(hay, needles[0], 0, n)
        candidates = [[to_orig(s, s + size)] for s in starts[:_MAX_CANDIDATES]]
        chosen = None
        if position is not None:
            chosen = next((k for k, s in enumerate(starts) if at_position(s, s + size)), None)
        if chosen is None and (prefix or suffix):
            chosen = _pick([before_score(s) + after_score(s + size) for s in starts])
        if chosen is None:
            return _Placed(None, candidates, len(starts))
        return _Placed([(starts[chosen], starts[chosen] + size)], candidates)

    candidates = [[to_orig(*p) for p in left], [to_orig(*p) for p in right]]
    first, last = needles[0], needles[-1]
    starts = _starts(hay, first, left[0][0], right[0][1])
    ends = [s + len(last) for s in _starts(hay, last, left[-1][0], right[-1][1])]
    s_pick = e_pick = None
    if position is not None:
        s_pick = next((s for s in starts if at_position(s, None)), None)
        e_pick = next((e for e in ends if at_position(None, e)), None)
    if s_pick is None and prefix:
        k = _pick([before_score(s) for s in starts])
        s_pick = None if k is None else starts[k]
    if e_pick is None and suffix:
        k = _pick([after_score(e) for e in ends])
        e_pick = None if k is None else ends[k]
    if s_pick is None and e_pick is None:
        return _Placed(None, candidates)
    head: _Place = []
    tail: _Place = []
    middle = list(needles)
    lo, hi = 0, n
    if s_pick is not None:
        head = [(s_pick, s_pick + len(first))]
        middle = middle[1:]
        lo = s_pick + len(first)
    if e_pick is not None:
        tail = [(e_pick - len(last), e_pick)]
        middle = middle[:-1]
        hi = e_pick - len(last)
    if lo > hi:
        return _Placed(None, candidates)
    inner_left = _leftmost(hay, middle, lo, hi)
    if inner_left is None or inner_left != _rightmost(hay, middle, lo, hi):
        return _Placed(None, candidates)
    return _Placed(head + inner_left + tail, candidates)


def _part_offsets(quote: str, parts: Sequence[str]) -> list[int]:
    offsets, pos = [], 0
    for part in parts:
        pos = quote.index(part, pos)
        offsets.append(pos)
        pos += len(part)
    return offsets


def locate_quote(
    archive: str | Archive,
    quote: str,
    *,
    prefix: str | None = None,
    suffix: str | None = None,
    position: TextPositionSelector | None = None,
    closest: bool = True,
) -> QuoteMatch:
    """Find quote in the archive: verified, normalised-only, ambiguous or not found.

    prefix and suffix are a stored TextQuoteSelector's context (before the first part,
    after the last); position a stored TextPositionSelector over the whole quote (first
    part's start to last part's end). They choose between occurrences; a position that
    no longer fits is reported in position_stale. closest=False skips the search for the
    nearest passage when a quote is not found (found_elsewhere does not need it).
    """
    arch = _as_archive(archive)
    text = arch.text
    parts = tuple(p for p in split_parts(quote) if p)
    if not parts:
        return QuoteMatch(Outcome.NOT_FOUND, quote, parts, detail="the quote is empty")
    identity = Span

    def finish(outcome: Outcome, spans: Sequence[Span], diffs: Sequence[Difference] = (), detail: str = ""):
        stale = None
        if position is not None:
            stale = (position.start, position.end) != (spans[0].start, spans[-1].end)
        return QuoteMatch(outcome, quote, parts, tuple(spans), tuple(diffs), position_stale=stale, detail=detail)

    def ambiguous(placed: _Placed, normalised: bool):
        stale = None
        if position is not None:
            stale = not any((c[0].start, c[-1].end) == (position.start, position.end) for c in placed.candidates)
        how = " after normalisation" if normalised else ""
        detail = (
            f"occurs {placed.count} times{how}; a prefix or suffix would tell them apart"
            if len(placed.candidates[0]) == 1
            else f"the parts can be placed in more than one way{how}"
        )
        cands = tuple(tuple(c) for c in placed.candidates)
        return QuoteMatch(Outcome.AMBIGUOUS, quote, parts, candidates=cands, position_stale=stale, detail=detail)

    levels: list[tuple[str, ...]] = [(quote,)]
    if len(parts) > 1:
        levels.append(parts)
    for needles in levels:
        placed = _place(text, needles, identity, text, prefix, suffix, position)
        if placed is None:
            continue
        if placed.place is None:
            return ambiguous(placed, False)
        return finish(Outcome.VERIFIED, [Span(s, e) for s, e in placed.place])

    nm = arch.norm
    for needles in levels:
        quote_norms = [_normalise(p) for p in needles]
        # Spaces at a quote's edges are dropped: in the archive a space may have been folded
        # into a dash that lies outside the quote, and an edge space proves nothing anyway.
        trims = [(len(q.text) - len(q.text.lstrip(" ")), len(q.text.rstrip(" "))) for q in quote_norms]
        hay_needles = [q.text[a:b] for q, (a, b) in zip(quote_norms, trims, strict=True)]
        if not all(hay_needles):
            continue
        placed = _place(nm.text, hay_needles, nm.to_original, text, prefix, suffix, position)
        if placed is None:
            continue
        if placed.place is None:
            return ambiguous(placed, True)
        offsets = _part_offsets(quote, needles)
        diffs: list[Difference] = []
        for qn, trim, needle, off, (s, _e) in zip(quote_norms, trims, needles, offsets, placed.place, strict=True):
            diffs.extend(_differences(needle, off, qn, trim, text, nm, s))
        spans = [nm.to_original(s, e) for s, e in placed.place]
        return finish(Outcome.NORMALISED if diffs else Outcome.VERIFIED, spans, diffs)

    return _not_found(arch, quote, parts, closest)


def _occurs(arch: Archive, part: str) -> bool:
    folded = normalise(part).strip(" ")
    return part in arch.text or (bool(folded) and folded in arch.norm.text)


def _not_found(arch: Archive, quote: str, parts: tuple[str, ...], want_closest: bool) -> QuoteMatch:
    missing = [k for k, p in enumerate(parts) if not _occurs(arch, p)]
    if len(parts) == 1:
        detail = "not in the archive, even after normalisation"
        target, which = quote, None
    elif missing:
        detail = f"part {missing[0] + 1} of {len(parts)} is not in the archive"
        target, which = parts[missing[0]], missing[0]
    else:
        detail = f"each of the {len(parts)} parts occurs, but not in this order"
        target, which = " ".join(parts), None
    near = _closest(arch, target, which) if want_closest else None
    return QuoteMatch(Outcome.NOT_FOUND, quote, parts, closest=near, detail=detail)


# ---------------------------------------------------------------------------
# The nearest passage to a quote that is not there
# ---------------------------------------------------------------------------

# A word n-gram found more often than this says little about where the quote is, and
# skipping it keeps the anchor search linear in the quote's length.
_ANCHOR_CAP = 24
_WINDOWS = 5


def _anchor_votes(arch: Archive, qwords: list[str]) -> Counter:
    """Votes for alignments (archive word index minus quote word index) from shared n-grams."""
    awords = arch.words[0]
    index = arch.word_index
    votes: Counter = Counter()
    for k in (3, 2, 1):
        if k > len(qwords):
            continue
        for i in range(len(qwords) - k + 1):
            gram = qwords[i : i + k]
            # Look the n-gram up through its rarest word; a common one would cost a long scan.
            rarest = min(range(k), key=lambda j, g=gram: len(index.get(g[j], ())))
            hits = index.get(gram[rarest], ())
            if not hits or len(hits) > _ANCHOR_CAP:
                continue
            for p in hits:
                start = p - rarest
                if start >= 0 and awords[start : start + k] == gram:
                    votes[start - i] += k
        if votes:
            break
    return votes


def _closest(arch: Archive, target: str, which: int | None) -> Closest | None:
    qwords = _words_of(target)
    if not qwords:
        return None
    votes = _anchor_votes(arch, qwords)
    if not votes:
        return None
    awords, astarts, aends = arch.words
    m = len(qwords)
    slack = max(3, m // 3)
    chosen: list[int] = []
    for offset, _v in votes.most_common():
        if all(abs(offset - c) > m // 2 for c in chosen):
            chosen.append(offset)
            if len(chosen) == _WINDOWS:
                break
    want = normalise(target)
    best: Closest | None = None
    for offset in chosen:
        w0 = max(0, offset - slack)
        w1 = min(len(awords), offset + m + slack) - 1
        if w1 < w0:
            continue
        base = astarts[w0]
        window = arch.text[base : aends[w1]]
        wn = _normalise(window)
        sm = difflib.SequenceMatcher(None, wn.text, want, autojunk=False)
        blocks = [b for b in sm.get_matching_blocks() if b.size]
        if not blocks:
            continue
        local = wn.to_original(blocks[0].a, blocks[-1].a + blocks[-1].size)
        s, e = _widen_to_words(window, local.start, local.end)
        passage = window[s:e]
        score = difflib.SequenceMatcher(None, normalise(passage), want, autojunk=False).ratio()
        if best is None or score > best.similarity:
            best = Closest(Span(base + s, base + e), passage, round(score, 4), which)
    return best


def _widen_to_words(text: str, s: int, e: int) -> tuple[int, int]:
    while s > 0 and text[s - 1].isalnum():
        s -= 1
    while e < len(text) and text[e].isalnum():
        e += 1
    return s, e


def found_elsewhere(quote: str, archives: Mapping[str, str | Archive]) -> tuple[tuple[str, QuoteMatch], ...]:
    """Which of the other archives hold a quote that its own source does not: misattributed?

    archives maps a source id to its text; pass every source but the claim's own.
    Returns (source id, match) for each archive where the quote is verified, found only
    after normalisation, or found more than once — in the mapping's order.
    """
    out = []
    for source_id, archive in archives.items():
        match = locate_quote(archive, quote, closest=False)
        if match.outcome is not Outcome.NOT_FOUND:
            out.append((source_id, match))
    return tuple(out)


# ---------------------------------------------------------------------------
# W3C Web Annotation selectors
# ---------------------------------------------------------------------------


def _spans_of(where: QuoteMatch | Span | Sequence[Span]) -> tuple[Span, ...]:
    if isinstance(where, QuoteMatch):
        if not where.spans:
            raise ValueError(f"the quote was not located once ({where.outcome}); pick one of its candidates")
        return where.spans
    if isinstance(where, Span):
        return (where,)
    return tuple(where)


def selectors_for(
    archive: str | Archive, where: QuoteMatch | Span | Sequence[Span], context: int = DEFAULT_CONTEXT
) -> tuple[tuple[TextQuoteSelector, TextPositionSelector], ...]:
    """A quote selector and a position selector for each part of a located quote.

    exact is the archive's own text (the model asks for a copy of the selected text),
    which differs from the ledger's quote when the match was normalised-only. Storing
    the first part's prefix and the last part's suffix lets locate_quote tell apart
    later occurrences of the same words.
    """
    text = _as_archive(archive).text
    out = []
    for span in _spans_of(where):
        tq = TextQuoteSelector(
            span.of(text), text[max(0, span.start - context) : span.start], text[span.end : span.end + context]
        )
        out.append((tq, TextPositionSelector(span.start, span.end)))
    return tuple(out)


def position_is_stale(archive: str | Archive, position: TextPositionSelector, exact: str) -> bool:
    """True when the stored position no longer selects exact (the archive or the quote changed)."""
    text = _as_archive(archive).text
    if not 0 <= position.start <= position.end <= len(text):
        return True
    return text[position.start : position.end] != exact


def annotation(
    archive: str | Archive,
    where: QuoteMatch | Span | Sequence[Span],
    source: str,
    *,
    annotation_id: str | None = None,
    body: str | None = None,
    context: int = DEFAULT_CONTEXT,
) -> dict:
    """The W3C Web Annotation (JSON-LD) for one located quote in the archive at IRI source.

    Each part is its own target: the selectors listed on one target are alternatives
    for the same segment, and the parts of a joined quote are different segments.
    Without annotation_id a stable urn:uuid is derived from the source and the spans.
    """
    spans = _spans_of(where)
    targets = [
        {"source": source, "selector": [tq.to_json(), tp.to_json()]}
        for tq, tp in selectors_for(archive, spans, context)
    ]
    if annotation_id is None:
        key = source + "#" + ",".join(f"{s.start}-{s.end}" for s in spans)
        annotation_id = uuid.uuid5(uuid.NAMESPACE_URL, key).urn
    out: dict = {"@context": ANNO_CONTEXT, "id": annotation_id, "type": "Annotation"}
    if body is not None:
        out["body"] = {"type": "TextualBody", "value": body, "format": "text/plain"}
        out["motivation"] = "commenting"
    else:
        out["motivation"] = "highlighting"
    out["target"] = targets[0] if len(targets) == 1 else targets
    return out


# ---------------------------------------------------------------------------
# Sentences around a quote
# ---------------------------------------------------------------------------

# Lower-cased words that take a full stop without ending a sentence in news prose.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr gen lt col sen rep gov st jr sr prof sgt capt maj adm rev hon no vs jan feb mar apr aug sept sep "
    "oct nov dec inc corp co ltd dept univ ft mt gens sens reps brig cmdr pres amb".split()
)
# After an initialism ("the U.S.") these words make a new sentence likely.
_STARTERS = frozenset(
    "the a an it he she they we i but and in this that there his her their its what when if on at for as so".split()
)
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["
_END = re.compile(r"[.!?…]+[\"'”’»)\]]*(?=\s)")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)*[A-Za-z]")


_NEXT_WORD = re.compile(r"\s*[\"'“‘«(\[]*(\w*)")


def _ends_sentence(line: str, m: re.Match) -> bool:
    # Indices, not slices of the rest of the line: a long line would make slicing quadratic.
    nxt_at = m.end()
    while nxt_at < len(line) and line[nxt_at].isspace():
        nxt_at += 1
    if nxt_at == len(line):
        return True
    nxt = line[nxt_at]
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS):
        return False
    if line[m.start()] != "." or m.end() - m.start() > 1:
        return True
    w = m.start()
    while w > 0 and not line[w - 1].isspace() and m.start() - w < 40:
        w -= 1
    word = line[w : m.start()].lstrip(_OPENERS)
    if word.lower() in _ABBREVIATIONS:
        return False
    if _INITIALISM.fullmatch(word):
        return _NEXT_WORD.match(line, m.end()).group(1).lower() in _STARTERS
    return True


def sentence_spans(text: str) -> tuple[Span, ...]:
    """Sentences of English news prose; a line break always ends one (archives keep a paragraph a line)."""
    out: list[Span] = []
    for line_m in re.finditer(r"[^\n]+", text):
        line, base = line_m.group(), line_m.start()
        start = 0
        for m in _END.finditer(line):
            if _ends_sentence(line, m):
                _add_sentence(out, line, base, start, m.end())
                start = m.end()
        _add_sentence(out, line, base, start, len(line))
    return tuple(out)


def _add_sentence(out: list[Span], line: str, base: int, s: int, e: int) -> None:
    while s < e and line[s].isspace():
        s += 1
    while e > s and line[e - 1].isspace():
        e -= 1
    if s < e:
        out.append(Span(base + s, base + e))


def quote_context(archive: str | Archive, where: QuoteMatch | Span) -> QuoteContext:
    """The quote's sentence (all of them, if it spans several) and the sentences either side."""
    arch = _as_archive(archive)
    spans = _spans_of(where)
    quote = Span(spans[0].start, spans[-1].end)
    sents = arch.sentences
    if not sents:
        return QuoteContext(quote, quote, None, None)
    starts = [s.start for s in sents]
    first = max(0, bisect.bisect_right(starts, quote.start) - 1)
    last = max(first, bisect.bisect_right(starts, max(quote.start, quote.end - 1)) - 1)
    sentence = Span(min(sents[first].start, quote.start), max(sents[last].end, quote.end))
    before = sents[first - 1] if first > 0 else None
    after = sents[last + 1] if last + 1 < len(sents) else None
    return QuoteContext(quote, sentence, before, after)


# ---------------------------------------------------------------------------
# A paraphrase that is really a quote
# ---------------------------------------------------------------------------


def _inside_quotes(text: str, span: Span) -> bool:
    """Whether span opens inside a quotation of its paragraph (curly marks counted, straight ones paired)."""
    line_start = text.rfind("\n", 0, span.start) + 1
    before = text[line_start : span.start]
    depth = before.count("\u201c") - before.count("\u201d")
    return depth > 0 or before.count('"') % 2 == 1


def paraphrase_hints(
    archive: str | Archive, paraphrase: str, *, min_words: int = 8, min_sentence_words: int = 4
) -> tuple[Verbatim, ...]:
    """Stretches of a paraphrase that are verbatim in the archive, longest first.

    A stretch counts when it is at least min_words words long or holds a whole sentence
    of the archive of at least min_sentence_words words; either way the claim should
    probably be a quote. Words are compared after normalisation and case folding.
    """
    arch = _as_archive(archive)
    awords, astarts, aends = arch.words
    pwords = _words_of(paraphrase)
    sents = arch.sentences
    sent_starts = [s.start for s in sents]

    def whole_sentence(w0: int, w1: int) -> bool:
        k = max(0, bisect.bisect_right(sent_starts, astarts[w0]) - 1)
        while k < len(sents) and sents[k].start <= astarts[w1 - 1]:
            first = bisect.bisect_left(astarts, sents[k].start)
            last = bisect.bisect_left(astarts, sents[k].end)
            if w0 <= first and last <= w1 and last - first >= min_sentence_words:
                return True
            k += 1
        return False

    # Maximal common runs, found from shared word n-grams of the shortest length that
    # could matter; one pass over the archive, each n-gram a dictionary look-up.
    k = max(1, min(min_words, min_sentence_words))
    grams: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(pwords) - k + 1):
        grams.setdefault(tuple(pwords[i : i + k]), []).append(i)
    out: list[Verbatim] = []
    for p in range(len(awords) - k + 1):
        for i in grams.get(tuple(awords[p : p + k]), ()):
            if p and i and awords[p - 1] == pwords[i - 1]:
                continue  # inside a run that started earlier
            n = k
            while p + n < len(awords) and i + n < len(pwords) and awords[p + n] == pwords[i + n]:
                n += 1
            whole = whole_sentence(p, p + n)
            if n >= min_words or whole:
                span = Span(astarts[p], aends[p + n - 1])
                out.append(Verbatim(span, span.of(arch.text), n, whole, _inside_quotes(arch.text, span)))
    return tuple(sorted(set(out), key=lambda v: (-v.words, v.span.start)))
