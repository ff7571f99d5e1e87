"""Crawling a SessionNet site (Somacos; ``.asp`` and ``.php`` installations).

The paper list is the Vorlagen-Recherche ``vo0040``: its search form is posted (``__sgo=Suchen``,
the date range as ``__axxdat_full``/``__exxdat_full`` in ISO form) and the result is paged with
the links the result page gives, which point into the search the session keeps. Each paper is
``vo0050?__kvonr=``, its Beratungsfolge the separate Beratungen tab ``vo0053?__kvonr=`` (fetched
with the page); documents are ``getfile?id=…&type=do`` links, lasting, downloaded as usual.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

from ratsinfo.ingest.crawlers.html import HtmlCrawler, ListRequest
from ratsinfo.ingest.http import FetchResult
from ratsinfo.ingest.parsers.html import Page

_LIST = re.compile(r"(?:^|/)vo0040\.(asp|php)$", re.I)
_SMC_LINKS = re.compile(r"""href=["'][^"']*(?:si0040|vo0040|info)\.(?:asp|php)""", re.I)


class SessionNetCrawler(HtmlCrawler):
    kind = "sessionnet"
    vendor = "sessionnet"

    @classmethod
    def recognise(cls, url: str, start: FetchResult | None) -> bool:
        if start is None:
            return False
        if super().recognise(url, start):
            return True
        text = Page.from_bytes(start.content, start.url, start.content_type).text
        return "ALLRIS" not in text[:6000] and "smc-" in text and bool(_SMC_LINKS.search(text))

    def site_plan(self, url: str, start: FetchResult | None) -> dict[str, Any]:
        page = Page.from_bytes(start.content, start.url, start.content_type) if start else Page("", url)
        where = start.url if start else url
        linked = next(
            (
                page.link(str(a["href"]))
                for a in page.soup.find_all("a", href=True)
                if _LIST.search(urlsplit(str(a["href"])).path)
            ),
            None,
        )
        ext = "php" if ".php" in where.lower() or re.search(r"\w\.php\b", page.text[:20000]) else "asp"
        list_url = (linked or urljoin(where, f"vo0040.{ext}")).split("?", 1)[0]
        return {"list": list_url}

    def list_request(self, plan: dict[str, Any], since: date | None, until: date | None) -> ListRequest:
        form = {
            "__swords": "",
            "__sao": "1",
            "__axxdat_full": since.isoformat() if since else "",
            "__exxdat_full": until.isoformat() if until else "",
            "__sgo": "Suchen",
        }
        return ListRequest(plan["list"], "POST", form)
