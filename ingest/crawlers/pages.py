"""Fetching, parsing and saving one HTML paper page, for every crawler that meets one.

The ALLRIS and SessionNet crawlers reach paper pages through their lists; the OParl crawler
reaches them through a paper's ``web`` link, where the page fills what OParl lacks
(Beteiligt, Verantwortlich, states of the Beratungsfolge, the Sachverhalt).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from ratsinfo.core.record import PaperRecord
from ratsinfo.ingest.crawlers import files
from ratsinfo.ingest.crawlers.base import CrawlContext
from ratsinfo.ingest.http import FetchResult
from ratsinfo.ingest.parsers.base import merge_consultations
from ratsinfo.ingest.parsers.detect import detect_vendor, parse_consultations, parse_page
from ratsinfo.store.models import RawResponse, Source
from ratsinfo.store.papers import SaveResult, save_paper
from ratsinfo.store.raw import RawStore

_SESSIONNET_PAPER = re.compile(r"(vo0050\.(?:asp|php))\?(?:.*&)?__kvonr=(\d+)", re.I)


def page_vendor(url: str | None) -> str | None:
    """The vendor of a paper page judged by its URL alone (before fetching it)."""
    if not url:
        return None
    return detect_vendor(url, b"")


def tab_urls(vendor: str, url: str) -> list[str]:
    """Further pages that belong to a paper page: SessionNet keeps the Beratungsfolge on ``vo0053``."""
    if vendor != "sessionnet":
        return []
    m = _SESSIONNET_PAPER.search(url)
    if not m:
        return []
    tab = m.group(1).replace("0050", "0053")
    return [url[: m.start()] + f"{tab}?__kvonr={m.group(2)}"]


def parse_fetched(vendor: str | None, page: FetchResult, tabs: list[FetchResult]) -> PaperRecord:
    """The record of a fetched paper page and its tabs."""
    record = parse_page(page.content, page.url, vendor=vendor, content_type=page.content_type)
    for tab in tabs:
        record = merge_consultations(record, parse_consultations(tab.content, tab.url, tab.content_type))
    return record


@dataclass
class FetchedPaper:
    """A paper page as fetched (with its tabs) and parsed, before it is saved."""

    vendor: str | None
    page: FetchResult
    tabs: list[FetchResult]
    record: PaperRecord


def fetch_paper(ctx: CrawlContext, url: str) -> FetchedPaper:
    """Fetch and parse a paper page and its tabs; raises FetchError/ParseError for that page."""
    page = ctx.fetcher.fetch(url)
    vendor = detect_vendor(page.url, page.content) or page_vendor(url)
    tabs = [ctx.fetcher.fetch(tab) for tab in tab_urls(vendor or "", page.url)]
    return FetchedPaper(vendor, page, tabs, parse_fetched(vendor, page, tabs))


def save_fetched(
    ctx: CrawlContext,
    session: Session,
    fetched: FetchedPaper,
    *,
    body_id: int | Callable[[PaperRecord], int] | None,
    extra: dict[str, Any] | None = None,
) -> SaveResult:
    """Save a fetched paper's record under the crawl's source and queue its downloadable files."""
    record = fetched.record
    record.extra.update(extra or {})
    source = session.get(Source, ctx.source_id)
    assert source is not None
    result = save_paper(
        session,
        source,
        record,
        external_id=record.id or fetched.page.url,
        raw_ids=[fetched.page.raw_id] + [t.raw_id for t in fetched.tabs],
        body_id=body_id(record) if callable(body_id) else body_id,
        crawl_id=ctx.crawl_id,
        kind=record.source,
    )
    ctx.count(f"papers_{result.status}")
    files.enqueue_downloads(ctx, session, result.paper_id)
    return result


def fetch_and_save(
    ctx: CrawlContext,
    session: Session,
    url: str,
    *,
    body_id: int | Callable[[PaperRecord], int] | None,
    extra: dict[str, Any] | None = None,
) -> tuple[PaperRecord, SaveResult]:
    """Fetch a paper page (and its tabs), save its record under the crawl's source, queue its files.

    ``body_id`` may be a function of the parsed record (an HTML site names its council on its pages).
    """
    fetched = fetch_paper(ctx, url)
    result = save_fetched(ctx, session, fetched, body_id=body_id, extra=extra)
    return fetched.record, result


def reparse_html(session: Session, link, raw_store: RawStore, _cache: dict[int, Any]) -> PaperRecord | None:  # type: ignore[no-untyped-def]
    """Parse an HTML paper page again from its stored responses (the page, then its tabs)."""
    fetched = []
    for raw_id in link.raw_response_ids or []:
        raw = session.get(RawResponse, raw_id)
        if raw is None or not raw.sha256 or not raw_store.exists(raw.sha256):
            return None
        fetched.append(
            FetchResult(
                url=raw.url,
                status=raw.status,
                raw_id=raw.id,
                sha256=raw.sha256,
                size=raw.size or 0,
                content_type=raw.content_type,
                headers={},
                raw_store=raw_store,
            )
        )
    if not fetched:
        return None
    return parse_fetched(link.kind, fetched[0], fetched[1:])
