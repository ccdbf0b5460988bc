"""`iqtl export csl`: the sources as CSL-JSON, for Zotero and other citation managers.

CSL-JSON (https://resource.citationstyles.org/schema/latest/input/json/csl-data.json) is a list of
items; each needs `id` and `type` (one of the CSL item types), and may have `title`,
`container-title` or `publisher`, `author` (names), `issued` (a date: `date-parts`, a list of one or two
[year, month, day] lists cut to the known precision, plus `season` and `circa`), `URL` and `note`.
"""

from __future__ import annotations

import re

from iqtl.core.edtf import EDTF, civil_from_days
from iqtl.core.model import Source
from iqtl.formats.html import safe_url

# Our free-text `type` -> a CSL item type.  A ledger "article" is a press article; CSL's own
# "article" means a preprint or working paper (Zotero imports it as a Preprint).
TYPES = {
    "article": "article-newspaper", "news": "article-newspaper", "newspaper": "article-newspaper",
    "news-article": "article-newspaper", "article-newspaper": "article-newspaper",
    "magazine": "article-magazine", "article-magazine": "article-magazine",
    "journal": "article-journal", "journal-article": "article-journal", "paper": "article-journal",
    "article-journal": "article-journal",
    "blog": "post-weblog", "blog-post": "post-weblog", "weblog": "post-weblog", "post-weblog": "post-weblog",
    "post": "post", "web-page": "webpage", "webpage": "webpage", "website": "webpage",
    "report": "report", "book": "book", "chapter": "chapter", "speech": "speech", "interview": "interview",
    "broadcast": "broadcast", "dataset": "dataset", "document": "document", "letter": "personal_communication",
    "thesis": "thesis", "legislation": "legislation", "bill": "bill", "treaty": "treaty", "hearing": "hearing",
}
DEFAULT_TYPE = "document"
# Where a ledger's `publisher` goes: for periodicals and web items the outlet is the container (CSL's
# `container-title`: the newspaper, the blog, the site); for everything else it is the `publisher`,
# which styles print as such (APA prints a container as "In Press." for a book or report).
CONTAINER_TYPES = {"article-newspaper", "article-magazine", "article-journal", "post-weblog", "post", "webpage",
                   "interview"}
# CSL's season numbers: 1 spring, 2 summer, 3 autumn, 4 winter; EDTF's are 21-24.
SEASONS = {3: 1, 6: 2, 9: 3, 12: 4}
# Words a ledger writes where it has no value: a processor would print them as a name or a title.
PLACEHOLDER = re.compile(r"(unknown|not known|not named|unnamed|n/a|none|no (publisher|author))\b|na$")


def csl_type(value: str) -> str:
    return TYPES.get(value.strip().casefold().replace(" ", "-").replace("_", "-"), DEFAULT_TYPE)


def is_placeholder(value: str) -> bool:
    """True for "unknown (not named in the article)", "[unknown]", "n/a", "?" and the like."""
    text = value.strip().lstrip("([").strip().casefold()
    return not text.strip("?-–—.") or PLACEHOLDER.match(text) is not None


def csl_year(year: int) -> int:
    """EDTF years are astronomical (0000 is 1 BCE, -0044 is 45 BCE); CSL has no year 0 and counts
    years before 1 CE as negative numbers, -1 being 1 BC (a 0 reads as "no date")."""
    return year if year > 0 else year - 1


def date_parts(part: EDTF, side: str = "start") -> list[int]:
    """[year], [year, month] or [year, month, day]: as much as the date gives."""
    y, m, d = civil_from_days(part.earliest if side == "start" else part.latest)
    y = csl_year(y)
    if part.precision == "day":
        return [y, m, d]
    if part.precision == "month":
        return [y, m]
    return [y]


def _range(first: list[int], last: list[int]) -> list[list[int]]:
    # citeproc-js rejects a range whose ends differ in length ("element mismatch in date range
    # input"): both are cut to the coarser one's precision.
    n = min(len(first), len(last))
    return [first[:n], last[:n]]


def issued(date: EDTF) -> dict:
    """A CSL date variable for an EDTF date: one date-parts list, or two for a range."""
    out: dict = {}
    if date.is_interval:
        if date.start is not None and date.end is not None:
            out["date-parts"] = _range(date_parts(date.start, "start"), date_parts(date.end, "end"))
        elif date.start is not None:
            # An open or unknown end: CSL's open range, a start year and an end of 0 ("2010–"); with a
            # month too, citeproc-js prints "2012–, May–".
            out["date-parts"] = [date_parts(date.start, "start")[:1], [0]]
        elif date.end is not None:
            # CSL has no open start (citeproc-js drops a [0] start, and the date with it): the known end.
            out["date-parts"] = [date_parts(date.end, "end")]
        parts = [p for p in (date.start, date.end) if p is not None]
        if any(p.approximate or p.uncertain for p in parts):
            out["circa"] = True
    elif date.precision in ("decade", "century"):
        out["date-parts"] = [date_parts(date, "start"), date_parts(date, "end")]
    else:
        out["date-parts"] = [date_parts(date)]
        if date.precision == "season":
            out["season"] = SEASONS[civil_from_days(date.earliest)[1]]
    if date.approximate or date.uncertain:
        out["circa"] = True
    return out


def csl_item(src: Source) -> dict:
    item_type = csl_type(src.type)
    item: dict = {"id": src.id, "type": item_type, "title": src.title}
    if src.publisher and not is_placeholder(src.publisher):
        item["container-title" if item_type in CONTAINER_TYPES else "publisher"] = src.publisher
    if src.author and not is_placeholder(src.author):
        item["author"] = [{"literal": src.author}]
    if src.date is not None:
        item["issued"] = issued(src.date)
    url = safe_url(src.url)
    if url:
        item["URL"] = url
    if src.note:
        item["note"] = src.note
    return item


def csl_items(sources: list[Source]) -> list[dict]:
    return [csl_item(src) for src in sources]


def write(listing, out, options) -> None:
    from iqtl.formats.jsonfmt import dumps
    from iqtl.reports.citations import sources_for

    sources = sources_for(listing.ledger, list(listing.records), listing.whole)
    out.write(dumps(csl_items(sources), indent=2) + "\n")
