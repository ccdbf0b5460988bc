"""`iqtl export csl`: the sources as CSL-JSON, for Zotero and other citation managers.

CSL-JSON (https://resource.citationstyles.org/schema/latest/input/json/csl-data.json) is a list of
items; each needs `id` and `type` (one of the CSL item types), and may have `title`,
`container-title`, `author` (names), `issued` (a date: `date-parts`, a list of one or two
[year, month, day] lists cut to the known precision, plus `season` and `circa`), `URL` and `note`.
"""

from __future__ import annotations

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
# CSL's season numbers: 1 spring, 2 summer, 3 autumn, 4 winter; EDTF's are 21-24.
SEASONS = {3: 1, 6: 2, 9: 3, 12: 4}


def csl_type(value: str) -> str:
    return TYPES.get(value.strip().casefold().replace(" ", "-").replace("_", "-"), DEFAULT_TYPE)


def date_parts(part: EDTF, side: str = "start") -> list[int]:
    """[year], [year, month] or [year, month, day]: as much as the date gives."""
    y, m, d = civil_from_days(part.earliest if side == "start" else part.latest)
    if part.precision == "day":
        return [y, m, d]
    if part.precision == "month":
        return [y, m]
    return [y]


def issued(date: EDTF) -> dict:
    """A CSL date variable for an EDTF date: one date-parts list, or two for a range."""
    out: dict = {}
    if date.is_interval:
        ends = [date_parts(date.start, "start")] if date.start else []
        if date.end:
            ends.append(date_parts(date.end, "end"))
        out["date-parts"] = ends
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
    item: dict = {"id": src.id, "type": csl_type(src.type), "title": src.title}
    if src.publisher:
        item["container-title"] = src.publisher
    if src.author:
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
