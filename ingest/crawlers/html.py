"""Crawling an HTML-only RIS (ALLRIS, SessionNet) through its paper lists.

The list pages are walked (filtered by date where the vendor can, in any case by each row's
date); a paper page is fetched when its row is new or shows something else than last time
(the row's fingerprint), so a re-crawl costs the list pages plus what changed.

List paging is session state on these servers: ALLRIS classic pages with
``vo040.asp?shownext=true`` (the same URL for every page), ALLRIS 4 with Wicket listener links
of the rendered list, SessionNet with links into the search kept in the session. So each list
page is a frontier item "page n of this list"; the process that fetched page n-1 follows its
next link in the same session, and any other process (a resumed crawl, another worker, a
retried item) walks from page 1 again. Where the page says which rows it shows ("Ergebnisse
51-100"), that is checked, so a lost or doubled step of the session is noticed, not believed.
Vendor quirks (list URLs, date filters, session-bound attachments) live in the vendor modules.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise
from typing import Any, ClassVar
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ratsinfo.core.errors import ParseError, RatsinfoError
from ratsinfo.ingest.crawlers import files
from ratsinfo.ingest.crawlers.base import Crawler
from ratsinfo.ingest.crawlers.pages import FetchedPaper, fetch_paper, save_fetched
from ratsinfo.ingest.crawlers.session_files import download_now, unlinked_files
from ratsinfo.ingest.frontier import WorkItem
from ratsinfo.ingest.http import FetchResult
from ratsinfo.ingest.parsers.base import PaperList, PaperListEntry
from ratsinfo.ingest.parsers.detect import detect_vendor, parse_paper_list
from ratsinfo.ingest.parsers.html import decode_html
from ratsinfo.store.db import utcnow
from ratsinfo.store.entities import upsert_entity
from ratsinfo.store.models import Body, Crawl, CrawlItem, ListEntry, PaperSource, Source

log = logging.getLogger(__name__)

LIST_PRIORITY = 50
PAPER_PRIORITY = 40


@dataclass(frozen=True)
class ListRequest:
    """The request for the first page of a paper list (a form post where the vendor filters so)."""

    url: str
    method: str = "GET"
    data: dict[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"url": self.url, "method": self.method, "data": self.data}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> ListRequest:
        return cls(value["url"], value.get("method") or "GET", value.get("data"))

    @property
    def key(self) -> str:
        return json.dumps(self.to_json(), sort_keys=True)


@dataclass(frozen=True)
class _Chain:
    """Where this process's session stands in a list: page ``page`` was fetched last."""

    key: str
    page: int
    next_url: str | None
    rows: int  # rows shown on pages 1..page


class HtmlCrawler(Crawler):
    """What ALLRIS and SessionNet crawls share; subclasses say where lists are and how to filter them."""

    vendor: ClassVar[str]

    def __init__(self, ctx):  # type: ignore[no-untyped-def]
        super().__init__(ctx)
        self._chain: _Chain | None = None

    # --- what a vendor says ---------------------------------------------------------------

    @classmethod
    def recognise(cls, url: str, start: FetchResult | None) -> bool:
        """A site is recognised from its start page, whatever page of the site that is."""
        if start is None:
            return False
        return detect_vendor(start.url, start.content) == cls.vendor

    def site_plan(self, url: str, start: FetchResult | None) -> dict[str, Any]:
        """Where the site's paper list is (``{"list": URL, …}``), from the start URL and page."""
        raise NotImplementedError

    def list_request(self, plan: dict[str, Any], since: date | None, until: date | None) -> ListRequest:
        """The request for the first list page, filtered by date where the vendor can."""
        return ListRequest(plan["list"])

    def first_row(self, text: str) -> int | None:
        """The number of the first row a list page says it shows ("Ergebnisse 51-100" -> 51)."""
        return None

    def session_links(self, fetched: FetchedPaper) -> dict[str, str]:
        """Attachment links of a paper page that work only in this session (name key -> URL)."""
        return {}

    def download(self, item: WorkItem) -> None:
        files.download(self.ctx, item)

    # --- seeding --------------------------------------------------------------------------

    def seed(self, session: Session, crawl: Crawl, source: Source, start: FetchResult | None) -> None:
        plan = self._plan(source, start)
        request = self.list_request(plan, self.ctx.options.since, self.ctx.options.until)
        self._enqueue_list_page(session, request, 1)

    def _plan(self, source: Source, start: FetchResult | None) -> dict[str, Any]:
        """The site plan, worked out once (from the start page) and kept with the source."""
        state = dict(source.state or {})
        plan = state.get("html")
        if start is not None or not isinstance(plan, dict) or not plan.get("list"):
            if start is None:
                start = self.ctx.fetcher.fetch(source.url)
            plan = self.site_plan(source.url, start)
            state["html"] = plan
            source.state = state
            if not source.name and plan.get("body"):
                source.name = plan["body"]
        return plan

    def _enqueue_list_page(self, session: Session, request: ListRequest, page: int) -> None:
        url = f"{request.url}#page={page}"  # one item per page, though ALLRIS repeats the URL
        payload = {"request": request.to_json(), "page": page}
        self.ctx.enqueue(session, f"{self.kind}:list", url, payload, LIST_PRIORITY)

    # --- dispatch -------------------------------------------------------------------------

    def handle(self, item: WorkItem) -> None:
        if item.kind == files.FILE_KIND:
            self.download(item)
        elif item.kind == f"{self.kind}:list":
            self._list(item)
        elif item.kind == f"{self.kind}:paper":
            self._paper(item)
        else:
            raise ParseError(f"unknown item kind {item.kind}")

    # --- list pages -----------------------------------------------------------------------

    def _list(self, item: WorkItem) -> None:
        request = ListRequest.from_json(item.payload["request"])
        page = int(item.payload.get("page") or 1)
        listing, rows_before = self._list_page(request, page)
        self._chain = _Chain(request.key, page, listing.next_url, rows_before + len(listing.entries))
        since, until = self.ctx.options.since, self.ctx.options.until
        now = utcnow()
        with self.ctx.session() as session:
            for entry in listing.entries:
                if not entry.url or not _in_range(entry, since, until):
                    continue
                row = self._remember(session, entry, now)
                if self.ctx.options.full or row.fetched_fingerprint != entry.fingerprint:
                    payload = {
                        "fingerprint": entry.fingerprint,
                        "entry_id": row.id,
                        "date": entry.date,
                        "paperType": entry.paper_type,
                    }
                    self.ctx.enqueue(session, f"{self.kind}:paper", entry.url, payload, PAPER_PRIORITY)
            if listing.next_url and not _past_range(listing, since):
                self._enqueue_list_page(session, request, page + 1)
            self.finish_item(session, item)

    def _list_page(self, request: ListRequest, page: int) -> tuple[PaperList, int]:
        """Page ``page`` of the list and the number of rows before it: the next step of this
        process's session where it stands on page ``page - 1``, else a walk from page 1."""
        chain = self._chain
        if page > 1 and chain and chain.key == request.key and chain.page == page - 1 and chain.next_url:
            result = self.ctx.fetcher.fetch(chain.next_url)
            listing = self._parse_list(result)
            if self._at_row(result, chain.rows + 1):
                return listing, chain.rows
            log.info("%s: the list session is not on page %d; walking from page 1", request.url, page)
        result, listing, rows = self._walk(request, page)
        if not self._at_row(result, rows + 1):
            raise ParseError(f"{request.url}: page {page} of the list does not start at row {rows + 1}")
        return listing, rows

    def _walk(self, request: ListRequest, page: int) -> tuple[FetchResult, PaperList, int]:
        result = self.ctx.fetcher.fetch(request.url, method=request.method, data=request.data)
        listing = self._parse_list(result)
        rows = 0
        for n in range(2, page + 1):
            if not listing.next_url:
                raise ParseError(f"{request.url}: the list has {n - 1} pages now, not {page}")
            rows += len(listing.entries)
            result = self.ctx.fetcher.fetch(listing.next_url)
            listing = self._parse_list(result)
        return result, listing, rows

    def _parse_list(self, result: FetchResult) -> PaperList:
        require_complete(result)
        return parse_paper_list(
            result.content, result.url, vendor=self.vendor, content_type=result.content_type
        )

    def _at_row(self, result: FetchResult, expected: int) -> bool:
        shown = self.first_row(decode_html(result.content, result.content_type))
        return shown is None or shown == expected

    def _remember(self, session: Session, entry: PaperListEntry, now: datetime) -> ListEntry:
        key = entry.id or entry.url or ""
        row = session.scalar(
            select(ListEntry).where(ListEntry.source_id == self.ctx.source_id, ListEntry.key == key)
        )
        if row is None:
            row = ListEntry(source_id=self.ctx.source_id, key=key, first_seen_at=now)
            session.add(row)
        row.url, row.reference, row.fingerprint = entry.url, entry.reference, entry.fingerprint
        row.last_seen_at, row.last_crawl_id = now, self.ctx.crawl_id
        session.flush()
        return row

    # --- paper pages ----------------------------------------------------------------------

    def _paper(self, item: WorkItem) -> None:
        """Fetch, parse and save a paper page; then fetch at once the attachments only this
        session can fetch. A failed attachment fails the item, so the next crawl retries it."""
        fetched = fetch_paper(self.ctx, item.url)
        for result in (fetched.page, *fetched.tabs):
            require_complete(result)
        record = fetched.record  # what the page lacks, its list row may show
        record.date = record.date or item.payload.get("date")
        record.paper_type = record.paper_type or item.payload.get("paperType")
        with self.ctx.session() as session:
            saved = save_fetched(
                self.ctx, session, fetched, body_id=lambda record: self._body_id(session, record.body)
            )
            pending = unlinked_files(session, saved.paper_id) if self.ctx.options.files else []
            if not pending:
                self._fetched(session, item)
                self.finish_item(session, item)
                return
        errors = download_now(self.ctx, pending, self.session_links(fetched))
        if errors:
            missing = "; ".join(errors)
            raise RatsinfoError(f"{item.url}: {len(errors)} attachment(s) not downloaded: {missing}")
        with self.ctx.session() as session:
            self._fetched(session, item)
            self.finish_item(session, item)

    def _fetched(self, session: Session, item: WorkItem) -> None:
        entry = session.get(ListEntry, item.payload.get("entry_id"))
        if entry is not None:
            entry.fetched_fingerprint = item.payload.get("fingerprint")

    def _body_id(self, session: Session, named: str | None) -> int:
        """The body this source's papers belong to: one named by ``--body`` (which lets an HTML
        source join the OParl papers of the same council), else one per site, named once (by
        the site's headline or the first paper's page) so that it does not change per paper."""
        wanted = self.ctx.options.body
        if wanted:
            found = session.scalar(select(Body.id).where(Body.name == wanted).order_by(Body.id).limit(1))
            if found is not None:
                return found
        source = session.get(Source, self.ctx.source_id)
        assert source is not None
        existing = session.scalar(select(Body).where(Body.external_id == source.url))
        if existing is not None and not wanted:
            return existing.id
        name = wanted or source.name or named or urlsplit(source.url).netloc
        if not source.name:
            source.name = name
        return upsert_entity(session, Body, source.url, {"name": name, "source_id": source.id}).id

    # --- after the crawl ------------------------------------------------------------------

    def finalize(self) -> None:
        """After a complete list walk (no date limit, no list page failed), papers the list no
        longer shows are marked as disappeared."""
        if self.ctx.options.since or self.ctx.options.until:
            return
        from ratsinfo.track.changes import mark_disappeared

        with self.ctx.session() as session:
            statuses = set(
                session.scalars(
                    select(CrawlItem.status).where(
                        CrawlItem.crawl_id == self.ctx.crawl_id, CrawlItem.kind == f"{self.kind}:list"
                    )
                )
            )
            if statuses != {"done"}:
                return  # some list page failed: what is missing may only be unseen
            seen = set(
                session.scalars(
                    select(ListEntry.key).where(
                        ListEntry.source_id == self.ctx.source_id,
                        ListEntry.last_crawl_id == self.ctx.crawl_id,
                    )
                )
            )
            try:
                marked = mark_disappeared(session, self.ctx.source_id, seen, self.ctx.crawl_id)
            except RatsinfoError as exc:
                log.warning("%s", exc)
                return
            if marked:  # a paper that comes back must be fetched again, whatever its row shows
                gone = session.scalars(
                    select(PaperSource.external_id).where(
                        PaperSource.source_id == self.ctx.source_id, PaperSource.paper_id.in_(marked)
                    )
                ).all()
                session.execute(
                    update(ListEntry)
                    .where(ListEntry.source_id == self.ctx.source_id, ListEntry.key.in_(list(gone)))
                    .values(fetched_fingerprint=None)
                )


def require_complete(result: FetchResult) -> None:
    """A page cut short (no ``</html>`` at its end) is an error, not a record with gaps: saving it
    would blank fields of a good record."""
    tail = result.content[-4096:].lower()
    if b"</html" not in tail and b"</body" not in tail:
        raise ParseError(f"{result.url}: the page is truncated (it does not end with </html>)")


def _in_range(entry: PaperListEntry, since: date | None, until: date | None) -> bool:
    if not entry.date or (since is None and until is None):
        return True
    day = date.fromisoformat(entry.date)
    return (since is None or day >= since) and (until is None or day <= until)


def _past_range(listing: PaperList, since: date | None) -> bool:
    """Whether a newest-first list has gone past ``since``: every row of the page is older, in
    descending order. Lists without a server-side date filter (ALLRIS 4) stop paging there."""
    if since is None or not listing.entries:
        return False
    days = [e.date for e in listing.entries]
    if any(d is None for d in days):
        return False
    ordered = all(a >= b for a, b in pairwise(days))  # type: ignore[operator]
    return ordered and all(date.fromisoformat(d) < since for d in days if d)
