"""plain: one line a record, tab-separated fields, stable for cut and awk (the default in a pipe)."""

from __future__ import annotations

from typing import TextIO

from iqtl.core.text import one_line


def plain_line(*fields: str) -> str:
    return "\t".join(one_line(f) for f in fields) + "\n"


def write(listing, out: TextIO, options) -> None:
    out.writelines(plain_line(*("" if v is None else str(v) for v in listing.plain(r))) for r in listing.records)
