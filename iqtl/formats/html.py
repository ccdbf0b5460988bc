"""`iqtl export html`: the timeline as one self-contained, accessible web page.

No network, no CDN, no JavaScript: inline CSS only.  An overview draws the long intervals as bars
on a year scale; below it a vertical chronology, year by year, gives every event with its date,
summary, claims (speaker, quote, what it supports or disputes) and sources.

Every piece of ledger text goes through esc(): html.escape after for_terminal, so markup is shown
as text and control or bidi characters are shown as visible escapes.  Links to the outside are
made only from http(s) URLs; everything else links within the page.
"""

from __future__ import annotations

import heapq
import html
import re
from functools import lru_cache
from pathlib import Path
from typing import TextIO
from urllib.parse import quote, urlsplit

from iqtl import __version__
from iqtl.core.edtf import EDTF, NEG_INF, POS_INF, civil_from_days, days_from_civil, year_label
from iqtl.core.model import Claim, Event, Ledger, Source
from iqtl.core.text import for_terminal, has_unsafe
from iqtl.reports.citations import cited_sources
from iqtl.reports.timescale import Axis, drawn_span, make_axis, round_years, year_step

AXIS_UNITS = 1000  # the overview axis, in thousandths of its width
AXIS_GAP = 30  # the width of a break where empty years are left out
HIT_PX = 24  # the least size of a pointer target (WCAG 2.2, 2.5.8 Target Size (Minimum))
HIT_MIN_WIDTH = 240  # px: the overview on a 320 px wide phone is about 260 px wide


_SPACE = re.compile(r"\s")
_ESCAPED: dict[str, str] = {}  # short strings repeat on a page (names, roles, tags, places, titles)


def esc(value: str) -> str:
    if len(value) > 120:  # long text (a summary, a quote) is seldom repeated: not worth a cache entry
        return html.escape(value if value.isprintable() else for_terminal(value), quote=True)
    done = _ESCAPED.get(value)
    if done is None:
        # isprintable() is quick and False for every character for_terminal escapes (controls,
        # format characters, separators): most text skips the regex.
        done = html.escape(value if value.isprintable() else for_terminal(value), quote=True)
        if len(_ESCAPED) < 200_000:
            _ESCAPED[value] = done
    return done


@lru_cache(maxsize=4096)  # a source's URL is checked for every claim from it
def safe_url(url: str) -> str | None:
    """The URL if it is an absolute http(s) URL with nothing odd in it; else None."""
    url = (url or "").strip()
    if not url or has_unsafe(url) or _SPACE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def anchor(prefix: str, id_: str) -> str:
    """An element id for a record (escaped for an attribute)."""
    return esc(prefix + id_)


@lru_cache(maxsize=65536)  # ids are linked from many places: sources, related events, claims
def href(prefix: str, id_: str) -> str:
    return "#" + html.escape(quote(prefix + id_, safe="-_.~"), quote=True)


# ---------------------------------------------------------------- dates


def _datetime_attr(part: EDTF) -> str | None:
    """A valid HTML date string for a single date, to its precision; None when HTML has none
    (seasons, decades, years before 1 CE or after 9999)."""
    y, m, d = civil_from_days(part.earliest)
    if part.precision in ("season", "decade", "century") or not 1 <= y <= 9999:
        return None
    if part.precision == "day":
        return f"{y:04d}-{m:02d}-{d:02d}"
    if part.precision == "month":
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}"


def _time(part: EDTF) -> str:
    attr = _datetime_attr(part)
    text = esc(part.display)
    return f'<time datetime="{attr}">{text}</time>' if attr else f"<span>{text}</span>"


_DATE_HTML: dict[str, str] = {}  # by EDTF text, which decides all of it: a ledger repeats its dates


def date_html(date: EDTF | None) -> str:
    if date is None:
        return "<span>undated</span>"
    done = _DATE_HTML.get(date.text)
    if done is None:
        done = _DATE_HTML[date.text] = _date_html(date)
    return done


def _date_html(date: EDTF) -> str:
    if not date.is_interval:
        return _time(date)

    def side(part: EDTF | None, is_open: bool) -> str:
        if part is not None:
            return _time(part)
        return '<span title="open">…</span>' if is_open else '<span title="unknown">?</span>'

    return f"{side(date.start, date.open_start)} – {side(date.end, date.open_end)}"


def qualifier_badge(date: EDTF | None) -> str:
    if date is None or date.qualifier == "exact":
        return ""
    words = {"approximate": "approximate", "uncertain": "uncertain",
             "approximate+uncertain": "approximate and uncertain"}[date.qualifier]
    return f' <span class="badge">{words}</span>'


def _classes(date: EDTF | None) -> str:
    if date is None:
        return "undated"
    out = ["interval" if date.is_interval else "point"]
    if date.approximate or date.uncertain:
        out.append("fuzzy")
    return " ".join(out)


# ---------------------------------------------------------------- the overview axis


def _pct(axis: Axis, day: int, end: bool = False) -> float:
    """Where a day falls on the overview, in percent; `end` gives the right edge of its column."""
    return (axis.col(day) + (1 if end else 0)) * 100 / axis.width


_BARS: dict[tuple[Axis, str], str] = {}  # plain bars, by (axis, EDTF text)


def track_html(axis: Axis, date: EDTF) -> str:
    key = (axis, date.text)
    done = _BARS.get(key)
    if done is None:
        if len(_BARS) > 100_000:
            _BARS.clear()
        done = _BARS[key] = bar_html(axis, date)
    return done


def bar_html(axis: Axis, date: EDTF, tag: str = "span", attrs: str = "", inner: str = "") -> str:
    """A bar (or, for a single date, a tick) placed on the axis; `attrs` and `inner` are extra, already escaped."""
    lo, hi = drawn_span(date)
    left = _pct(axis, lo)
    right = _pct(axis, hi, end=True)
    classes = ["bar"]
    if date.is_interval:
        if date.unknown_start or (date.start is not None and (date.start.approximate or date.start.uncertain)):
            classes.append("fz-s")
        if date.unknown_end or (date.end is not None and (date.end.approximate or date.end.uncertain)):
            classes.append("fz-e")
        if lo == NEG_INF:
            classes.append("open-s")
        if hi == POS_INF:
            classes.append("open-e")
    else:
        classes.append("pt")
        if date.approximate or date.uncertain:
            classes.append("fz")
    style = f"left:{left:.2f}%;width:{max(right - left, 0.4):.2f}%"
    return f'<{tag}{attrs} class="{" ".join(classes)}" style="{style}">{inner}</{tag}>'


def _scale_html(axis: Axis) -> str:
    step = year_step(axis, 48)
    ticks = []
    for n, (lo, hi, _, c1) in enumerate(axis.segments):
        first, last = civil_from_days(lo)[0], civil_from_days(hi)[0]
        end = (c1 + 1) * 100 / axis.width if n < len(axis.segments) - 1 else 96
        years = round_years(first, last, step)
        if not years or (years[0] != first and _pct(axis, days_from_civil(years[0], 1, 1)) - _pct(axis, lo) >= 5):
            years.insert(0, first)
        for i, year in enumerate(years):
            pos = _pct(axis, days_from_civil(year, 1, 1))
            if pos + (4 if n < len(axis.segments) - 1 else 0) > end and year != first:
                continue
            minor = " minor" if i % 2 or (n < len(axis.segments) - 1 and pos + 8 > end) else ""
            ticks.append(f'<span class="tick{minor}" style="left:{pos:.2f}%">{year}</span>')
    for b, (a, z) in zip(axis.breaks, axis.gaps, strict=True):
        label = f"{a}–{z}" if a != z else str(a)
        ticks.append(f'<span class="gap" style="left:{b * 100 / axis.width:.2f}%" '
                     f'title="{label}: no events, left out">≈</span>')
    return f'<div class="scale">{"".join(ticks)}</div>'


def overview_html(axis: Axis, events: list[Event]) -> str:
    """Intervals as bars, packed into rows (each a link to its event); single dates as ticks in one row.

    Each link is a target of at least 24 x 24 px (WCAG 2.2, 2.5.8): it lies over its bar, centred, in
    a 24 px high row, and is at least 24 px wide.  Links in one row are packed so that their targets
    cannot overlap while the overview is HIT_MIN_WIDTH px wide or more."""
    # By where each bar is drawn: packing rows left to right needs the bars in that order.
    intervals = sorted((ev for ev in events if ev.date and ev.date.is_interval), key=lambda ev: drawn_span(ev.date))
    rows: list[list[str]] = []
    ends: list[tuple[float, int]] = []  # (where a row's last link ends, the row)
    for ev in intervals:
        lo, hi = drawn_span(ev.date)
        left, right = _pct(axis, lo), _pct(axis, hi, end=True)
        half = max(right - left, 0.4, HIT_PX * 100 / HIT_MIN_WIDTH) / 2
        centre = (left + right) / 2
        label = f"{ev.title} ({ev.date.display})"
        link = bar_html(axis, ev.date, inner=f'<a class="hit" href="{href("ev-", ev.id)}" title="{esc(label)}" '
                        f'aria-label="{esc(label)}"></a>')
        # The row that frees up first, from a heap: first-fit over every row was quadratic (hundreds
        # of rows at 100,000 events), and the earliest-ending row packs as tightly.
        if ends and ends[0][0] <= centre - half:
            _, i = heapq.heappop(ends)
            rows[i].append(link)
        else:
            i = len(rows)
            rows.append([link])
        heapq.heappush(ends, (centre + half, i))
    lines = [f'<div class="ov-row">{"".join(row)}</div>' for row in rows]
    points = [track_html(axis, ev.date) for ev in events if ev.date and not ev.date.is_interval]
    if points:
        lines.append(f'<div class="ov-row points" aria-hidden="true">{"".join(points)}</div>')
    return (
        '<figure class="overview" aria-labelledby="ov-cap">\n'
        f'<figcaption id="ov-cap">Overview: {len(intervals)} periods as bars (each links to its event), '
        f'and {len(points)} dated events as ticks. Faded ends are approximate or uncertain.</figcaption>\n'
        f"{_scale_html(axis)}\n" + "\n".join(lines) + "\n</figure>"
    )


# ---------------------------------------------------------------- records


def _speaker(ledger: Ledger, cl: Claim) -> tuple[str, str]:
    actor = ledger.get("actor", cl.speaker)
    return (actor.name, actor.role) if actor else (cl.speaker, "")


def _claim_ref(ledger: Ledger, cl: Claim | None, claim_id: str, on_page: set[str]) -> str:
    if cl is None:
        return f"<code>{esc(claim_id)}</code>"
    name, _ = _speaker(ledger, cl)
    text = cl.text if len(cl.text) <= 90 else cl.text[:87].rstrip() + "…"
    body = f"{esc(name)}: “{esc(text)}”" if cl.kind == "quote" else f"{esc(name)}: {esc(text)}"
    return f'<a href="{href("cl-", cl.id)}">{body}</a>' if cl.id in on_page else body


def claim_html(ledger: Ledger, cl: Claim, on_page: set[str], first: bool) -> str:
    name, role = _speaker(ledger, cl)
    src = ledger.get("source", cl.source)
    url = safe_url(src.url) if src else None
    cite = f' cite="{html.escape(url, quote=True)}"' if url else ""
    ident = f' id="{anchor("cl-", cl.id)}"' if first else ""
    relations = []
    for mark, cls, word, others in (
        ("✓", "supports", "supports", [(ledger.get("claim", c), c) for c in cl.supports]),
        ("✓", "supports", "supported by", [(c, c.id) for c in ledger.supported_by(cl.id)]),
        ("✗", "disputes", "disputes", [(ledger.get("claim", c), c) for c in cl.disputes]),
        ("✗", "disputes", "disputed by", [(c, c.id) for c in ledger.disputed_by(cl.id)]),
    ):
        for other, other_id in others:
            relations.append(f'<li class="{cls}"><span aria-hidden="true">{mark}</span> {word} '
                             f"{_claim_ref(ledger, other, other_id, on_page)}</li>")
    kinds = {"quote": "", "paraphrase": " (paraphrase)", "assessment": " (assessment)"}
    if cl.kind == "quote":
        body = f"<blockquote{cite}><p>{esc(cl.text)}</p></blockquote>"
    else:
        body = f'<p class="reported">{esc(cl.text)}</p>'
    source = (f'<cite><a href="{href("src-", src.id)}">{esc(src.title)}</a></cite>' if src
              else f"<cite>{esc(cl.source)}</cite>")
    who = f"<strong>{esc(name)}</strong>" + (f", {esc(role)}" if role else "")
    contested = " contested" if any(r.startswith('<li class="disputes"') for r in relations) else ""
    parts = [
        f'<figure class="claim {esc(cl.kind)}{contested}"{ident}>',
        body,
        f"<figcaption>— {who}{kinds.get(cl.kind, '')} · {source} · {date_html(cl.date)}",
    ]
    if cl.note:
        parts.append(f'<span class="note">{esc(cl.note)}</span>')
    if relations:
        parts.append(f'<ul class="relations">{"".join(relations)}</ul>')
    parts.append("</figcaption></figure>")
    return "\n".join(parts)


def _names(ledger: Ledger, ids) -> str:
    out = []
    for i in ids:
        actor = ledger.get("actor", i)
        out.append(esc(actor.name if actor else i))
    return ", ".join(out)


def event_html(ledger: Ledger, ev: Event, axis: Axis | None, on_page_events: set[str], on_page_claims: set[str],
               placed: set[str]) -> str:
    aid = anchor("ev-", ev.id)
    parts = [f'<article class="event {_classes(ev.date)}" id="{aid}" aria-labelledby="{aid}-h">',
             f'<p class="when">{date_html(ev.date)}{qualifier_badge(ev.date)}</p>',
             f'<h3 id="{aid}-h">{esc(ev.title)}</h3>']
    if axis is not None and ev.date is not None:
        parts.append(f'<div class="track" aria-hidden="true">{track_html(axis, ev.date)}</div>')
    if ev.summary:
        parts.append(f'<p class="summary">{esc(ev.summary)}</p>')
    if ev.date_note:
        parts.append(f'<p class="date-note"><span class="label">On the date:</span> {esc(ev.date_note)}</p>')
    meta = []
    if ev.actors:
        meta.append(f"<dt>Actors</dt><dd>{_names(ledger, ev.actors)}</dd>")
    if ev.places:
        meta.append(f"<dt>Places</dt><dd>{', '.join(esc(p) for p in ev.places)}</dd>")
    if ev.tags:
        meta.append(f"<dt>Tags</dt><dd>{', '.join(esc(t) for t in ev.tags)}</dd>")
    if meta:
        parts.append(f'<dl class="meta">{"".join(meta)}</dl>')
    claims = ledger.claims_about(ev.id)
    if claims:
        # Each claims section is a region landmark: its name, "Claims (2) <event title>", tells it apart.
        parts.append(f'<section class="claims" aria-labelledby="{aid}-cl {aid}-h">'
                     f'<h4 id="{aid}-cl">Claims <span class="count">({len(claims)})</span></h4>')
        for cl in claims:
            parts.append(claim_html(ledger, cl, on_page_claims, cl.id not in placed))
            placed.add(cl.id)
        parts.append("</section>")
    sources = []
    for sid in ev.sources:
        src = ledger.get("source", sid)
        sources.append(f'<a href="{href("src-", sid)}">{esc(src.title if src else sid)}</a>')
    if sources:
        parts.append(f'<p class="sources"><span class="label">Sources:</span> {"; ".join(sources)}</p>')
    related = []
    for rid in ev.related:
        other = ledger.get("event", rid)
        label = esc(other.title if other else rid)
        related.append(f'<a href="{href("ev-", rid)}">{label}</a>' if rid in on_page_events else label)
    if related:
        parts.append(f'<p class="related"><span class="label">Related:</span> {"; ".join(related)}</p>')
    parts.append(f'<p class="id">id <code>{esc(ev.id)}</code></p>')
    parts.append("</article>")
    return "\n".join(parts)


def source_html(src: Source) -> str:
    bits = [f"<cite>{esc(src.title)}</cite>"]
    if src.author:
        bits.append(esc(src.author))
    if src.publisher:
        bits.append(esc(src.publisher))
    if src.date:
        bits.append(date_html(src.date) + qualifier_badge(src.date))
    line = ". ".join(bits) + "."
    url = safe_url(src.url)
    if url:
        line += f' <a class="out" href="{html.escape(url, quote=True)}" rel="noreferrer">{esc(url)}</a>'
    elif src.url:
        line += f' <span class="url">{esc(src.url)}</span>'
    note = f'<p class="note">{esc(src.note)}</p>' if src.note else ""
    return f'<li id="{anchor("src-", src.id)}">{line} <span class="id">[<code>{esc(src.id)}</code>]</span>{note}</li>'


# ---------------------------------------------------------------- the page

CSS = """
:root{--fg:#1b1b1b;--muted:#4d4d4d;--bg:#fff;--card:#f6f6f3;--line:#cfcfc8;--link:#0b51a3;--bar:#2463a6;
--fuzzy:#9a4d00;--support:#1d6b35;--dispute:#a3151a;--focus:#c25400;color-scheme:light dark}
@media (prefers-color-scheme:dark){:root{--fg:#ececec;--muted:#b9b9b9;--bg:#141414;--card:#1f1f1f;
--line:#444;--link:#8cc4ff;--bar:#6aa5e8;--fuzzy:#f0a45a;--support:#7fd39a;--dispute:#ff8f8f;--focus:#ffb066}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,
"Helvetica Neue",Arial,sans-serif}
a{color:var(--link)}
a:focus-visible,:focus-visible{outline:3px solid var(--focus);outline-offset:2px;border-radius:2px}
.skip{position:absolute;left:-100vw;top:0;background:var(--bg);padding:.5rem 1rem;z-index:2}
.skip:focus{left:1rem;top:1rem}
.page{max-width:62rem;margin:0 auto;padding:0 1rem}
.page>header{padding:1.5rem 0 .5rem}
h1{font-size:1.75rem;line-height:1.2;margin:0 0 .5rem}
.lede,.legend{color:var(--muted);margin:.25rem 0}
.legend .bar{position:relative;display:inline-block;width:2.5rem;height:.7rem;vertical-align:middle}
nav.years ul{list-style:none;margin:.75rem 0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem .75rem}
figure{margin:0}
.overview{margin:1rem 0 1.5rem;padding:.75rem;border:1px solid var(--line);border-radius:6px;background:var(--card)}
.overview figcaption{font-size:.9rem;color:var(--muted);margin-bottom:.5rem}
.scale{position:relative;height:1.4rem;border-bottom:1px solid var(--line);margin-bottom:.35rem;font-size:.8rem}
.tick{position:absolute;bottom:0;padding-left:3px;border-left:1px solid var(--muted);color:var(--muted);
font-variant-numeric:tabular-nums}
.gap{position:absolute;bottom:0;transform:translateX(-50%);color:var(--muted);font-weight:bold}
.ov-row{position:relative;height:max(1.5rem,24px);margin:.1rem 0}
.ov-row.points{height:.9rem;margin:.2rem 0}
.bar{position:absolute;top:0;height:100%;min-width:3px;border-radius:2px;background:var(--bar);
-webkit-print-color-adjust:exact;print-color-adjust:exact}
.ov-row>.bar:has(>.hit){top:calc(50% - .45rem);height:.9rem}
.ov-row>.bar:hover{filter:brightness(1.25)}
.hit{position:absolute;left:50%;top:50%;width:100%;min-width:max(1.5rem,24px);height:max(1.5rem,24px);
transform:translate(-50%,-50%)}
[id]{scroll-margin-top:.75rem}
.bar.fz-s{background:linear-gradient(to right,transparent,var(--bar) 45%)}
.bar.fz-e{background:linear-gradient(to right,var(--bar) 55%,transparent)}
.bar.fz-s.fz-e{background:linear-gradient(to right,transparent,var(--bar) 30%,var(--bar) 70%,transparent)}
.bar.pt{background:color-mix(in srgb,var(--bar) 22%,transparent)}
.bar.pt::after{content:"";position:absolute;left:calc(50% - 1px);top:-2px;bottom:-2px;width:2px;background:var(--fg)}
.bar.pt.fz{background:repeating-linear-gradient(90deg,color-mix(in srgb,var(--fuzzy) 45%,transparent) 0 2px,
transparent 2px 4px)}
.bar.pt.fz::after{background:var(--fuzzy)}
.year{display:grid;grid-template-columns:5.5rem minmax(0,1fr);gap:0 1rem;border-top:1px solid var(--line)}
.year>h2{margin:0;padding:.9rem 0;font-size:1.4rem;font-variant-numeric:tabular-nums;align-self:start;
position:sticky;top:0}
.events{list-style:none;margin:0;padding:0 0 0 1.1rem;border-left:3px solid var(--line)}
.events>li{position:relative;margin:1rem 0 1.25rem}
.events>li::before{content:"";position:absolute;left:calc(-1.1rem - 9px);top:.45rem;width:12px;height:12px;
border-radius:50%;background:var(--bar);border:2px solid var(--bg)}
.events>li:has(.fuzzy)::before{background:var(--bg);border:2px dashed var(--fuzzy)}
.event{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:.75rem 1rem}
.event.fuzzy{border-style:dashed;border-color:var(--fuzzy)}
.event h3{font-size:1.15rem;line-height:1.3;margin:.1rem 0 .4rem}
.when{margin:0;font-weight:600;color:var(--muted);font-variant-numeric:tabular-nums}
.badge{display:inline-block;font-size:.75rem;font-weight:600;padding:0 .4rem;border:1px dashed var(--fuzzy);
border-radius:3px;color:var(--fuzzy);vertical-align:1px}
.track{position:relative;height:.55rem;margin:.35rem 0 .6rem;background:linear-gradient(var(--line),var(--line))
center/100% 1px no-repeat}
.summary{margin:.4rem 0}
.date-note,.related,.sources,.id,.meta{font-size:.9rem;color:var(--muted);margin:.35rem 0}
.label{font-weight:600}
.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:0 .6rem}
.meta dt{font-weight:600}
.meta dd{margin:0}
.claims{margin:.6rem 0;border-top:1px solid var(--line)}
.claims h4{margin:.5rem 0 .25rem;font-size:1rem}
.count{color:var(--muted);font-weight:normal}
.claim{margin:.5rem 0 .75rem;padding-left:.75rem;border-left:3px solid var(--line)}
.claim.contested{border-left-color:var(--dispute)}
.claim blockquote{margin:0;font-style:italic}
.claim blockquote p::before{content:"“"}
.claim blockquote p::after{content:"”"}
.claim blockquote p,.claim .reported{margin:0}
.claim figcaption{font-size:.9rem;color:var(--muted)}
.claim .note{display:block}
.relations{list-style:none;margin:.2rem 0 0;padding:0}
.relations .supports{color:var(--support)}
.relations .disputes{color:var(--dispute)}
.relations a{color:inherit}
code{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.85em}
.sources-list li{margin:.5rem 0}
.sources-list .note{font-size:.9rem;color:var(--muted);margin:.2rem 0}
.page>footer{color:var(--muted);font-size:.85rem;border-top:1px solid var(--line);margin-top:2rem;padding:1rem 0 2rem}
.empty{padding:2rem 0;color:var(--muted)}
@media (max-width:40rem){
.year{grid-template-columns:minmax(0,1fr)}
.year>h2{background:var(--bg);z-index:1;padding:.5rem 0}
.year [id]{scroll-margin-top:4rem}
.events{padding-left:.8rem}
.events>li::before{left:calc(-.8rem - 8px)}
.event{padding:.6rem .7rem}
.tick.minor{display:none}
h1{font-size:1.4rem}}
@media print{
:root{--fg:#000;--muted:#333;--bg:#fff;--card:#fff;--line:#999;--link:#000}
body{font-size:10.5pt}
.skip,nav.years{display:none}
.page{max-width:none;padding:0}
.year>h2{position:static}
.event,.claim,.overview{break-inside:avoid}
a.out::after{content:" <" attr(href) ">"}
a{text-decoration:none}}
@media (prefers-reduced-motion:reduce){*{scroll-behavior:auto}}
"""


def write_html(ledger: Ledger, events: list[Event], out: TextIO, title: str = "Timeline") -> None:
    dated = [ev for ev in events if ev.date]
    axis = make_axis(dated, AXIS_UNITS, cut_gaps=True, gap=AXIS_GAP) if dated else None
    on_page_events = {ev.id for ev in events}
    on_page_claims = {cl.id for ev in events for cl in ledger.claims_about(ev.id)}
    sources = cited_sources(ledger, events)
    years = list(dict.fromkeys(year_label(ev.date) for ev in events))

    w = out.write
    w("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      f"<meta name=\"generator\" content=\"iqtl {esc(__version__)}\">\n"
      f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
      "<a class=\"skip\" href=\"#timeline\">Skip to the timeline</a>\n<div class=\"page\">\n<header>\n"
      f"<h1>{esc(title)}</h1>\n")
    if axis is not None:
        span = (f"{axis.first_year}–{axis.last_year}" if axis.first_year != axis.last_year
                else str(axis.first_year))
        w(f'<p class="lede">{len(events)} events, {span}; {len(on_page_claims)} claims from '
          f"{len(sources)} sources.</p>\n")
    w('<p class="legend"><span class="bar" aria-hidden="true"></span> a period &nbsp; '
      '<span class="bar fz-s fz-e" aria-hidden="true"></span> a period with approximate or uncertain ends &nbsp; '
      '<span class="badge">approximate</span> <span class="badge">uncertain</span> dates are marked so, with a '
      "dashed outline.</p>\n")
    if years:
        links = "".join(f'<li><a href="#{_year_id(y)}">{esc(y)}</a></li>' for y in years)
        w(f'<nav class="years" aria-label="Years"><ul>{links}</ul></nav>\n')
    if axis is not None:
        w(overview_html(axis, dated) + "\n")
    w("</header>\n<main id=\"timeline\">\n")
    if not events:
        w('<p class="empty">No events match.</p>\n')
    placed: set[str] = set()
    year = None
    for ev in events:
        y = year_label(ev.date)
        if y != year:
            if year is not None:
                w("</ol>\n</section>\n")
            w(f'<section class="year" aria-labelledby="{_year_id(y)}">\n'
              f'<h2 id="{_year_id(y)}">{esc(y)}</h2>\n<ol class="events">\n')
            year = y
        w("<li>\n" + event_html(ledger, ev, axis, on_page_events, on_page_claims, placed) + "\n</li>\n")
    if year is not None:
        w("</ol>\n</section>\n")
    if sources:
        w('<section id="sources" aria-labelledby="sources-h">\n<h2 id="sources-h">Sources</h2>\n'
          '<ol class="sources-list">\n')
        w("\n".join(source_html(src) for src in sources))
        w("\n</ol>\n</section>\n")
    w("</main>\n<footer>\n")
    w(f"<p>Made by iqtl {esc(__version__)} from the ledger <code>{esc(Path(ledger.path).name)}</code>. "
      "Dates are EDTF: “~” approximate, “?” uncertain; a period’s faded end is an approximate or uncertain "
      "one.</p>\n</footer>\n</div>\n</body>\n</html>\n")


def _year_id(label: str) -> str:
    return "y-" + esc("".join(c if c.isalnum() else "-" for c in label.lower()))


def write(listing, out: TextIO, options) -> None:
    write_html(listing.ledger, list(listing.records), out, title=options.title)
