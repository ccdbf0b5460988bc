"""Shared by the export tests: a ledger whose every text is markup or script, and an HTML page
parsed into what the tests look at (tags, attributes, links, text)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

SCRIPTED = """\
schema = 1

[[source]]
id = "s1"
title = "<script>alert('title')</script>"
publisher = "</cite><script src=\\"https://evil.example/x.js\\"></script>"
date = "2008~"
author = "<b>Bold</b> & Co"
url = "javascript:alert(1)"
note = "<!-- comment --> ]]> &amp;"

[[source]]
id = "s2"
title = "A fine source"
publisher = "Example & Sons"
date = "2009-21"
url = "https://example.org/a?b=1&c=\\"2\\"<x>"

[[actor]]
id = "a1"
name = "<img src=x onerror=alert(1)>"
role = "\\"><svg onload=alert(2)>"

[[event]]
id = "e1"
date = "2008-03?/2009"
title = "<script>alert('event')</script>"
summary = "<a href=\\"javascript:alert(3)\\">click</a> <style>body{background:url(https://evil.example/p.png)}</style>"
sources = ["s1", "s2"]
actors = ["a1"]
tags = ["<i>tag</i>"]
places = ["</li></ol><p>"]
date_note = "@import url(https://evil.example/s.css);"

[[event]]
id = "e2"
date = "2009-21"
title = "Second & last"
summary = "Fine."
sources = ["s2"]
related = ["e1"]

[[claim]]
id = "c1"
text = "</blockquote><script>alert('claim')</script>"
speaker = "a1"
source = "s1"
about = ["e1"]

[[claim]]
id = "c2"
text = "\\"quoted\\" & <em>emphasised</em>"
speaker = "a1"
source = "s2"
about = ["e1", "e2"]
disputes = ["c1"]
"""


class Page(HTMLParser):
    """What a test needs from a page: elements, attributes, text by element id, and order."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.ids: list[str] = []
        self.articles: list[str] = []
        self.text_of: dict[str, str] = {}
        self.styles: list[str] = []
        self._open: list[tuple[str, str | None]] = []
        self._in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(a["id"])
            self.text_of[a["id"]] = ""
        if tag == "article":
            self.articles.append(a.get("id", ""))
        self._in_style = tag == "style"
        if tag not in ("meta", "br", "img", "link", "input", "hr"):
            self._open.append((tag, a.get("id")))

    def handle_endtag(self, tag):
        self._in_style = False
        while self._open:
            t, _ = self._open.pop()
            if t == tag:
                break

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
        for _, ident in self._open:
            if ident:
                self.text_of[ident] += data

    def hrefs(self) -> list[str]:
        return [a["href"] for t, a in self.tags if "href" in a]

    def find(self, tag: str) -> list[dict]:
        return [a for t, a in self.tags if t == tag]


def check_self_contained(text: str, page: Page, allowed_urls: set[str]) -> None:
    """No request leaves the page: nothing loaded by src, no stylesheet links, no @import or url() in CSS,
    no script at all; the only absolute URLs are links to the ledger's own http(s) sources."""
    assert not page.find("script") and not page.find("link") and not page.find("iframe")
    assert not any("src" in a or "srcset" in a for _, a in page.tags)
    css = "".join(page.styles) + "".join(a.get("style", "") for _, a in page.tags)
    assert "@import" not in css and "url(" not in css
    for href in page.hrefs():
        if not href.startswith("#"):
            assert href in allowed_urls and re.match(r"https?://", href), href
    assert not any(k.startswith("on") for _, a in page.tags for k in a)


def check_links_intact(page: Page) -> None:
    ids = set(page.ids)
    assert len(page.ids) == len(ids), "duplicate ids"
    for href in page.hrefs():
        if href.startswith("#"):
            assert html.unescape(href[1:]) in ids, href
