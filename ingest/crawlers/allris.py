"""Crawling an ALLRIS site: ALLRIS net 3 classic (``/bi/vo040.asp``) and ALLRIS 4 (``/public/vo040``).

Classic: the list is filtered by date the way its filter form does it (a POST of ``VO040FIL4``
"01.10.2026-31.10.2026" with ``filtdatum=filter``, kept in the ASP session) and paged with
``vo040.asp?shownext=true``; each page says which rows it shows ("Ergebnisse 51-100"), which the
walk checks. Paper pages are ``vo020.asp?VOLFDNR=``; their documents are POST forms to
``do027.asp`` (hidden ``DOLFDNR``, ``options=64``), recorded as the equivalent GET address and
downloaded with the POST the form sends (the server answers with a redirect to a temporary copy
of the PDF); Anlagen are temporary copies (``___tmp/…``) fetched right after the page.

ALLRIS 4 (Apache Wicket): the list ``/public/vo040`` has no date filter we can post outside the
browser, so rows are filtered by their date and paging stops once a whole (newest-first) page
is older than ``--since``; its pager links are Wicket listeners of the rendered page, followed in
the same session ("Zeige 11 bis 20 von …" is checked). Attachments behind Wicket listener links
are fetched right after their page; ``doc?DOCTYP=…&DOLFDNR=…`` and ``wicket/resource/…/doc….pdf``
links are lasting and downloaded as usual.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import Tag

from ratsinfo.core.errors import FetchError
from ratsinfo.core.record import clean_text
from ratsinfo.ingest.crawlers import files
from ratsinfo.ingest.crawlers.html import HtmlCrawler, ListRequest
from ratsinfo.ingest.crawlers.pages import FetchedPaper
from ratsinfo.ingest.crawlers.session_files import (
    fetch_document,
    form_request,
    name_key,
    record_failure,
)
from ratsinfo.ingest.frontier import WorkItem, finish
from ratsinfo.ingest.http import FetchResult
from ratsinfo.ingest.parsers.allris import allris_generation
from ratsinfo.ingest.parsers.base import body_from_title, strip_size_suffix
from ratsinfo.ingest.parsers.html import Page, is_stable_link, text_of

_DO027 = re.compile(r"/do0\d\d\.asp\?", re.I)
_CLASSIC_LIST = re.compile(r"(?:^|/)vo040(?:_r)?\.asp(?:$|\?)", re.I)
_MODERN_LIST = re.compile(r"(?:^|/)vo040(?:$|\?)", re.I)
_CLASSIC_ROWS = re.compile(r"Ergebnisse\s+(\d+)\s*-\s*\d+", re.I)
_MODERN_ROWS = re.compile(r"Zeige\s+(\d+)\s+bis\s+\d+", re.I)
_SESSION_FILE = re.compile(r"___tmp/|attachment-link|-link&|\?\d+-", re.I)


class AllrisCrawler(HtmlCrawler):
    kind = "allris"
    vendor = "allris"

    @classmethod
    def recognise(cls, url: str, start: FetchResult | None) -> bool:
        if start is None:
            return False
        if super().recognise(url, start):
            return True
        text = Page.from_bytes(start.content, start.url, start.content_type).text
        return "ALLRIS" in text and ("vo040" in text or "si010" in text)

    def site_plan(self, url: str, start: FetchResult | None) -> dict[str, Any]:
        page = Page.from_bytes(start.content, start.url, start.content_type) if start else Page("", url)
        where = start.url if start else url
        flavour = allris_generation(where, page.text) or allris_generation(url, "") or "classic"
        pattern = _CLASSIC_LIST if flavour == "classic" else _MODERN_LIST
        linked = next(
            (
                page.link(str(a["href"]))
                for a in page.soup.find_all("a", href=True)
                if pattern.search(urlsplit(str(a["href"])).path + "?")
            ),
            None,
        )
        if flavour == "classic":
            list_url = linked or urljoin(where, "vo040.asp")
        else:
            list_url = linked or _public_base(where) + "vo040"
        headline = page.soup.find(class_="topHeadline") or page.soup.find(id="headerTitle")
        body = body_from_title(text_of(headline)) if isinstance(headline, Tag) else None
        return {"list": _without_query(list_url or ""), "flavour": flavour, "body": body}

    def list_request(self, plan: dict[str, Any], since: date | None, until: date | None) -> ListRequest:
        if plan.get("flavour") != "classic" or (since is None and until is None):
            return ListRequest(plan["list"])
        span = f"{since.strftime('%d.%m.%Y') if since else ''}-{until.strftime('%d.%m.%Y') if until else ''}"
        # the filter form: a text field, a hidden marker and an image button (x/y)
        form = {"VO040FIL4": span, "filtdatum": "filter", "x": "0", "y": "0"}
        return ListRequest(plan["list"], "POST", form)

    def first_row(self, text: str) -> int | None:
        m = _CLASSIC_ROWS.search(text) or _MODERN_ROWS.search(text)
        return int(m.group(1)) if m else None

    def session_links(self, fetched: FetchedPaper) -> dict[str, str]:
        page = Page.from_bytes(fetched.page.content, fetched.page.url, fetched.page.content_type)
        links: dict[str, str] = {}
        for a in page.soup.find_all("a", href=True):
            href = str(a["href"])
            if is_stable_link(href) or not _SESSION_FILE.search(href):
                continue
            name, _ = strip_size_suffix(text_of(a))
            url = page.link(href)
            if name and url:
                links.setdefault(name_key(name), url)
        return links

    def download(self, item: WorkItem) -> None:
        """``do027.asp`` documents are fetched with the POST their form sends; others as usual."""
        if not _DO027.search(item.url):
            files.download(self.ctx, item)
            return
        file_id = item.payload.get("file_id")
        action, fields = form_request(item.url)
        try:
            result = fetch_document(self.ctx, action, method="POST", data=fields)
        except FetchError as exc:
            with self.ctx.session() as session:
                record_failure(session, file_id, str(exc))
            raise
        with self.ctx.session() as session:
            files.record_download(session, file_id, result)
            finish(session, item.id)


def _public_base(url: str) -> str:
    """``https://host/public/vo020?VOLFDNR=1`` -> ``https://host/public/``."""
    parts = urlsplit(url)
    path = parts.path
    i = path.find("/public/")
    base = path[: i + len("/public/")] if i >= 0 else path.rsplit("/", 1)[0] + "/"
    return f"{parts.scheme}://{parts.netloc}{base}"


def _without_query(url: str) -> str:
    return clean_text(url.split("?", 1)[0].split("#", 1)[0])
