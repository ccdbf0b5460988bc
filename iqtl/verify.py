"""Quotes checked against the archived text of their sources (issue 15): pure, given the texts.

The loader reads each source's `archive` file (iqtl.ledgerfile.archives) and hands the texts
here; every `kind = "quote"` claim of an archived source is located in its text by
iqtl.core.quotes (character for character, the " … " joins, then typographic normalisation),
using the W3C selector the claim may store (`quote_prefix`, `quote_suffix`, `quote_start`,
`quote_end`).  Each archive becomes one `Archive` (normalised once), so the work is linear in
quotes × archive length.  Findings are located by the loader like any other check's.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from iqtl.checks import Finding, error, is_sha256, warning
from iqtl.core.model import Claim, Ledger, Source
from iqtl.core.quotes import (
    Archive,
    Outcome,
    QuoteContext,
    QuoteMatch,
    Span,
    TextPositionSelector,
    found_elsewhere,
    locate_quote,
    paraphrase_hints,
    quote_context,
    selectors_for,
)

MISATTRIBUTED = "misattributed"  # a status beyond quotes.Outcome: not in its own source, found in another
STATUSES = ("verified", "normalised-only", "ambiguous", "not-found", MISATTRIBUTED)


@dataclass(frozen=True)
class ArchiveText:
    """One source's archive as read from disk (by iqtl.ledgerfile.archives)."""

    path: str  # as the ledger writes it
    text: str | None  # None when it could not be read
    sha256: str = ""  # of the bytes read
    problem: str = ""  # why it could not be read
    missing: bool = False  # the file does not exist (rather than unreadable)


@dataclass(frozen=True)
class QuoteCheck:
    """One quote claim located in its source's archive."""

    index: int  # the claim's position in ledger.claims
    claim: Claim
    match: QuoteMatch
    elsewhere: tuple[str, ...] = ()  # other sources whose archive holds a quote its own does not

    @property
    def status(self) -> str:
        if self.match.outcome is Outcome.NOT_FOUND and self.elsewhere:
            return MISATTRIBUTED
        return str(self.match.outcome)


def stored_position(claim: Claim) -> TextPositionSelector | None:
    if claim.quote_start is None or claim.quote_end is None:
        return None
    return TextPositionSelector(claim.quote_start, claim.quote_end)


def locate_claim(claim: Claim, archive: Archive, *, closest: bool = True) -> QuoteMatch:
    """The claim's quote in the archive, its stored selector choosing between occurrences."""
    return locate_quote(archive, claim.text, prefix=claim.quote_prefix or None, suffix=claim.quote_suffix or None,
                        position=stored_position(claim), closest=closest)


def selector_fields(archive: Archive, spans: tuple[Span, ...] | list[Span]) -> dict:
    """The claim fields that pin a quote to these spans: the first part's prefix, the last part's
    suffix and the position from the first part's start to the last part's end."""
    pairs = selectors_for(archive, tuple(spans))
    prefix, suffix = pairs[0][0].prefix, pairs[-1][0].suffix
    # Whole words read better in a hand-edited ledger: cut the context at a space where there is one.
    if " " in prefix.strip():
        prefix = prefix[prefix.index(" ", 1 if prefix[0] == " " else 0) + 1:]
    if " " in suffix.strip():
        suffix = suffix[: suffix.rindex(" ", 0, len(suffix) - 1 if suffix[-1] == " " else len(suffix))]
    return {"quote_prefix": prefix, "quote_suffix": suffix,
            "quote_start": pairs[0][1].start, "quote_end": pairs[-1][1].end}


def readable(archives: Mapping[str, ArchiveText]) -> dict[str, Archive]:
    """source id -> Archive for each archive that could be read: built once, reused by every quote."""
    return {sid: Archive(a.text) for sid, a in archives.items() if a.text is not None}


def quote_checks(ledger: Ledger, archives: Mapping[str, ArchiveText],
                 built: Mapping[str, Archive] | None = None) -> list[QuoteCheck]:
    """Every quote claim whose source's archive could be read, located in it; a quote not found
    is looked for in the other archives too (misattributed?)."""
    built = readable(archives) if built is None else built
    out = []
    for i, cl in enumerate(ledger.claims):
        arch = built.get(cl.source)
        if cl.kind != "quote" or arch is None:
            continue
        match = locate_claim(cl, arch)
        elsewhere: tuple[str, ...] = ()
        if match.outcome is Outcome.NOT_FOUND:
            others = {sid: a for sid, a in built.items() if sid != cl.source}
            elsewhere = tuple(sid for sid, _m in found_elsewhere(cl.text, others))
        out.append(QuoteCheck(i, cl, match, elsewhere))
    return out


def _where(span: Span) -> str:
    return f"{span.start}–{span.end}"


def _short(text: str, limit: int = 100) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote_findings(ledger: Ledger, archives: Mapping[str, ArchiveText], checks: list[QuoteCheck]) -> Iterator[Finding]:
    """One finding per quote that is not plainly verified, on the claim's text (or position) line."""
    for qc in checks:
        cl, m = qc.claim, qc.match
        label, path = f"claim {cl.id!r}", archives[cl.source].path
        if qc.status == MISATTRIBUTED:
            where = ", ".join(repr(s) for s in qc.elsewhere)
            yield error("quote-misattributed", f"{label}: quote not in the archive of its source {cl.source!r} "
                        f"({path}) but found in the archive of {where}: misattributed?", "claim", qc.index, "text")
        elif m.outcome is Outcome.NOT_FOUND:
            message = f"{label}: quote not found in the archive of {cl.source!r} ({path}): {m.detail}"
            if m.closest is not None:
                message += (f"; closest passage ({m.closest.similarity:.0%} alike, at {_where(m.closest.span)}): "
                            f"{_short(m.closest.text)!r}")
            yield error("quote-not-found", message, "claim", qc.index, "text")
        elif m.outcome is Outcome.AMBIGUOUS:
            at = ", ".join(_where(Span(c[0].start, c[-1].end)) for c in m.candidates[:5])
            how = m.detail.split(";")[0]  # "occurs N times" or "the parts can be placed in more than one way"
            yield warning("quote-ambiguous", f"{label}: quote is ambiguous in {path}: it {how} (at {at}); store "
                          "quote_prefix/quote_suffix or quote_start/quote_end to say which", "claim", qc.index, "text")
        elif m.outcome is Outcome.NORMALISED:
            yield warning("quote-normalised", f"{label}: quote found in {path} only after normalisation: "
                          + "; ".join(d.describe() for d in m.differences[:5]), "claim", qc.index, "text")
        if m.position_stale:
            now = f"; it is at {_where(m.envelope)} now" if m.envelope else ""
            yield warning("quote-position-stale", f"{label}: stored position {cl.quote_start}–{cl.quote_end} "
                          f"no longer selects the quote in {path}{now}", "claim", qc.index, "quote_start")


def archive_findings(ledger: Ledger, archives: Mapping[str, ArchiveText]) -> Iterator[Finding]:
    """Archives missing, unreadable, changed since pinned, or never pinned; on the source's lines."""
    quotes: dict[str, int] = {}
    for cl in ledger.claims:
        if cl.kind == "quote":
            quotes[cl.source] = quotes.get(cl.source, 0) + 1
    for i, src in enumerate(ledger.sources):
        a = archives.get(src.id)
        if a is None or not src.archive:
            continue
        label, n = f"source {src.id!r}", quotes.get(src.id, 0)
        if a.text is None:
            code = "archive-missing" if a.missing else "archive-unreadable"
            yield error(code, f"{label}: archive {a.path!r} {'is missing' if a.missing else 'cannot be read'} "
                        f"({a.problem}); its {n} quote(s) are not verified", "source", i, "archive")
            continue
        if is_sha256(src.archive_sha256) and a.sha256 and src.archive_sha256.lower() != a.sha256:
            yield error("archive-changed", f"{label}: archive {a.path!r} has changed since it was pinned: its "
                        f"SHA-256 is {a.sha256}, archive_sha256 says {src.archive_sha256}", "source", i,
                        "archive_sha256")
        elif not src.archive_sha256:
            yield warning("archive-not-pinned", f"{label}: archive {a.path!r} has no archive_sha256, so a change "
                          f"to it would go unseen (its SHA-256 is {a.sha256})", "source", i, "archive")


# A cheap test before paraphrase_hints, which compares each paraphrase with every word of the
# archive: a paraphrase can hold a whole sentence of the article only if it holds that sentence's
# word tokens in a row.  Tokens are \w+ runs after NFKC, lower case and without the invisible
# characters quotes' normalisation drops, so a sentence quotes.py finds is never missed (its
# normalised words only ever split into more tokens, at apostrophes).
_TOKEN = re.compile(r"\w+")
_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_MIN_SENTENCE = 4  # paraphrase_hints' min_sentence_words


_DROPPED = tuple(map(chr, _DROP))


def _tokens(text: str) -> list[str]:
    # The same tokens, cheaper (a cold start builds every archive's sentence index: 3.3 -> 1.5 ms
    # on the seed): ASCII text has nothing to drop or normalise, and str.translate with a dict
    # costs more than the six membership tests that show it has nothing to do.
    if not text.isascii():
        if any(ch in text for ch in _DROPPED):
            text = text.translate(_DROP)
        text = unicodedata.normalize("NFKC", text)
    return _TOKEN.findall(text.lower())


def _sentence_index(arch: Archive) -> dict[tuple[str, ...], list[tuple[str, ...]]]:
    """The archive's sentences of four tokens or more, as token tuples, by their first four tokens."""
    index: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for span in arch.sentences:
        toks = tuple(_tokens(span.of(arch.text)))
        if len(toks) >= _MIN_SENTENCE:
            index.setdefault(toks[:_MIN_SENTENCE], []).append(toks)
    return index


def _may_hold_a_sentence(paraphrase: str, index: dict) -> bool:
    toks = _tokens(paraphrase)
    for i in range(len(toks) - _MIN_SENTENCE + 1):
        for sentence in index.get(tuple(toks[i : i + _MIN_SENTENCE]), ()):
            if tuple(toks[i : i + len(sentence)]) == sentence:
                return True
    return False


def paraphrase_findings(ledger: Ledger, built: Mapping[str, Archive]) -> Iterator[Finding]:
    """A paraphrase that is word for word a whole sentence the article quotes is most likely a quote.
    A long stretch of quoted words inside a paraphrase of another sentence is ordinary reuse, and a
    stretch of the article's own reported speech is what a paraphrase is; neither is flagged."""
    indexes: dict[str, dict] = {}
    for i, cl in enumerate(ledger.claims):
        arch = built.get(cl.source)
        if cl.kind != "paraphrase" or arch is None:
            continue
        if cl.source not in indexes:
            indexes[cl.source] = _sentence_index(arch)
        if not _may_hold_a_sentence(cl.text, indexes[cl.source]):
            continue
        hint = next((h for h in paraphrase_hints(arch, cl.text, min_sentence_words=_MIN_SENTENCE)
                     if h.quoted and h.whole_sentence), None)
        if hint is not None:
            yield warning("paraphrase-is-quote", f"claim {cl.id!r}: this paraphrase is word for word a sentence "
                          f"the article quotes ({hint.words} words at {_where(hint.span)}: {_short(hint.text)!r}); "
                          "should it be kind = \"quote\"?", "claim", i, "kind")


def verify(ledger: Ledger, archives: Mapping[str, ArchiveText]) -> list[Finding]:
    """Everything `check` says about archives and quotes, given the archives' texts."""
    if not archives:
        return []
    built = readable(archives)
    checks = quote_checks(ledger, archives, built)
    return [*archive_findings(ledger, archives), *quote_findings(ledger, archives, checks),
            *paraphrase_findings(ledger, built)]


@dataclass
class SourceTally:
    """One source's archive and how many of its quotes came out each way."""

    source: Source
    archive: ArchiveText | None
    counts: dict[str, int]


def tally(ledger: Ledger, archives: Mapping[str, ArchiveText], checks: list[QuoteCheck]) -> list[SourceTally]:
    """Per source: how many of its quotes are verified, normalised-only, ambiguous, not found, misattributed."""
    out = {s.id: SourceTally(s, archives.get(s.id), dict.fromkeys(STATUSES, 0)) for s in ledger.sources}
    for qc in checks:
        if qc.claim.source in out:
            out[qc.claim.source].counts[qc.status] += 1
    return list(out.values())


# ---------------------------------------------------------------------------- one claim's evidence


@dataclass(frozen=True)
class Evidence:
    """What `show` tells of one quote: where it is in its archive, and the sentences around it."""

    source: str
    path: str  # the archive, as the ledger writes it
    status: str  # a STATUSES value, or "unreadable" when the archive could not be read
    detail: str
    text: str = ""  # the archive's text
    spans: tuple[Span, ...] = ()  # the quote's parts; for an ambiguous quote its first occurrence
    shown: str = ""  # what spans show: "quote", "first occurrence", "closest passage"
    context: QuoteContext | None = None
    elsewhere: tuple[str, ...] = ()
    selector: dict | None = None  # the claim fields that would pin the quote where it was found

    def part(self, span: Span | None) -> str:
        return span.of(self.text) if span is not None else ""

    def as_dict(self) -> dict:
        out: dict = {"source": self.source, "archive": self.path, "status": self.status, "detail": self.detail,
                     "spans": [[s.start, s.end] for s in self.spans], "shown": self.shown,
                     "found_in": list(self.elsewhere), "selector": self.selector, "context": None}
        if self.context is not None:
            c = self.context
            out["context"] = {"before": self.part(c.before), "sentence": self.part(c.sentence),
                              "quote": self.part(c.quote), "after": self.part(c.after),
                              "start": c.sentence.start, "end": c.sentence.end}
        return out


def evidence(ledger: Ledger, claim: Claim, archives: Mapping[str, ArchiveText]) -> Evidence | None:
    """The evidence for a quote claim whose source has an archive; None for any other claim."""
    a = archives.get(claim.source)
    if claim.kind != "quote" or a is None:
        return None
    if a.text is None:
        return Evidence(claim.source, a.path, "unreadable", a.problem)
    arch = Archive(a.text)
    qc = QuoteCheck(0, claim, locate_claim(claim, arch))
    if qc.match.outcome is Outcome.NOT_FOUND:
        others = readable({k: v for k, v in archives.items() if k != claim.source})
        qc = QuoteCheck(0, claim, qc.match, tuple(sid for sid, _m in found_elsewhere(claim.text, others)))
    m = qc.match
    spans, shown = m.spans, "quote"
    if not spans and m.candidates:
        spans, shown = m.candidates[0], "first occurrence"
    elif not spans and m.closest is not None:
        spans, shown = (m.closest.span,), "closest passage"
    context = quote_context(arch, spans) if spans else None
    selector = selector_fields(arch, spans) if spans and shown != "closest passage" else None
    return Evidence(claim.source, a.path, qc.status, m.describe(), a.text, tuple(spans), shown if spans else "",
                    context, qc.elsewhere, selector)


# ---------------------------------------------------------------------------- `iqtl sources --verify`

# The findings that say a quote or an archive failed verification (a ledger with only these can still be tallied).
FAILURES = frozenset({"quote-not-found", "quote-misattributed", "archive-missing", "archive-unreadable",
                      "archive-changed"})
TALLY_COLUMNS = ("id", "archive", "archive_status", "quotes", "verified", "normalised_only", "ambiguous",
                 "not_found", "misattributed")


def tally_rows(tallies: list[SourceTally]) -> list[dict]:
    """One row per source: its archive's state (ok, changed, missing, unreadable, not pinned, none) and
    how many of its quotes came out each way."""
    rows = []
    for t in tallies:
        a, src = t.archive, t.source
        if not src.archive:
            state = "none"
        elif a is None:
            state = "not read"  # an absolute path or URL, refused by check
        elif a.text is None:
            state = "missing" if a.missing else "unreadable"
        elif not src.archive_sha256:
            state = "not pinned"
        elif src.archive_sha256.lower() != a.sha256:
            state = "changed"
        else:
            state = "ok"
        counts = {k.replace("-", "_"): v for k, v in t.counts.items()}
        rows.append({"id": src.id, "archive": src.archive, "archive_status": state,
                     "quotes": sum(t.counts.values()), **counts})
    return rows


def row_failed(row: dict) -> bool:
    return row["archive_status"] in ("missing", "unreadable", "changed", "not read") or any(
        row[k] for k in ("ambiguous", "not_found", "misattributed"))
