"""Crawling an OParl 1.0/1.1 API: System or Body URL in, bodies, lists and files out.

Lists are walked page by page (``links.next``); organizations and meetings come before papers
so a paper's Federführend, Gremien and meeting dates resolve to names on first save. A second
crawl asks each list with ``modified_since`` (the start of the last complete crawl) and so
fetches only what changed.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from ratsinfo.core.errors import ParseError
from ratsinfo.core.record import PaperRecord
from ratsinfo.ingest.crawlers import files
from ratsinfo.ingest.crawlers.base import Crawler
from ratsinfo.ingest.crawlers.pages import fetch_and_save, page_vendor
from ratsinfo.ingest.frontier import WorkItem
from ratsinfo.ingest.http import FetchResult
from ratsinfo.ingest.parsers import oparl
from ratsinfo.store.entities import upsert_entity
from ratsinfo.store.models import (
    AgendaItem,
    Body,
    Crawl,
    Meeting,
    Organization,
    Paper,
    PaperSource,
    Person,
    RawResponse,
    Source,
)
from ratsinfo.store.papers import save_paper
from ratsinfo.store.raw import RawStore

# list kind -> (body key, priority)
LISTS = {
    "organizations": ("organization", 80),
    "persons": ("person", 70),
    "meetings": ("meeting", 60),
    "papers": ("paper", 50),
}
# overlap between the last crawl's start and modified_since, for clock skew at the server
SKEW = timedelta(minutes=5)


def load_json(content: bytes, url: str) -> Any:
    try:
        return json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"{url}: not valid JSON ({exc})") from None


class OParlCrawler(Crawler):
    kind = "oparl"

    @classmethod
    def recognise(cls, url: str, start: FetchResult | None) -> bool:
        if start is None:
            return False
        try:
            doc = json.loads(start.content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return False
        if oparl.object_type(doc) in ("System", "Body"):
            return True
        data = doc.get("data") if isinstance(doc, dict) else None
        return bool(data) and isinstance(data, list) and oparl.object_type(data[0]) == "Body"

    def seed(self, session: Session, crawl: Crawl, source: Source, start: FetchResult | None) -> None:
        payload = {"raw_id": start.raw_id, "sha256": start.sha256} if start is not None else {}
        self.ctx.enqueue(session, "oparl:start", source.url, payload, priority=100)

    # --- dispatch -----------------------------------------------------------------------------

    def handle(self, item: WorkItem) -> None:
        if item.kind == files.FILE_KIND:
            files.download(self.ctx, item)
            return
        if item.kind == "html:paper":
            with self.ctx.session() as session:
                fetch_and_save(self.ctx, session, item.url, body_id=item.payload.get("body_id"))
                self.finish_item(session, item)
            return
        content, raw_id = self._content(item)
        doc = load_json(content, item.url)
        with self.ctx.session() as session:
            if item.kind == "oparl:start":
                self._start(session, doc, raw_id, item)
            elif item.kind == "oparl:bodies":
                self._bodies(session, doc, raw_id)
            elif item.kind.removeprefix("oparl:") in LISTS:
                self._list(session, item, doc, raw_id)
            elif item.kind == "oparl:object":
                self._objects(session, [doc], raw_id, item.payload)
            else:
                raise ParseError(f"unknown item kind {item.kind}")
            self.finish_item(session, item)

    def _content(self, item: WorkItem) -> tuple[bytes, int]:
        """The response for ``item``: fetched now, or the start response fetched at detection."""
        sha = item.payload.get("sha256")
        if sha and item.attempts == 1 and self.ctx.raw_store.exists(sha):
            return self.ctx.raw_store.read(sha), item.payload["raw_id"]
        result = self.ctx.fetcher.fetch(item.url)
        return result.content, result.raw_id

    # --- handlers -----------------------------------------------------------------------------

    def _start(self, session: Session, doc: Any, raw_id: int, item: WorkItem) -> None:
        kind = oparl.object_type(doc)
        if kind == "System":
            body_list = doc.get("body")
            if not isinstance(body_list, str):
                raise ParseError(f"{item.url}: OParl System without a body list")
            source = session.get(Source, self.ctx.source_id)
            if source is not None and not source.name:
                source.name = doc.get("name") or None
            self.ctx.enqueue(session, "oparl:bodies", body_list, {}, priority=90)
        elif kind == "Body":
            self._body(session, doc, raw_id)
        elif isinstance(doc, dict) and isinstance(doc.get("data"), list):
            self._bodies(session, doc, raw_id)
        else:
            raise ParseError(f"{item.url}: not an OParl System or Body")

    def _bodies(self, session: Session, doc: Any, raw_id: int) -> None:
        objects, next_url = oparl.list_page(doc)
        for obj in objects:
            if isinstance(obj, str):
                self.ctx.enqueue(session, "oparl:object", obj, {}, priority=90)
            elif oparl.object_type(obj) == "Body":
                self._body(session, obj, raw_id)
        if next_url:
            self.ctx.enqueue(session, "oparl:bodies", next_url, {}, priority=90)

    def _body(self, session: Session, obj: dict[str, Any], raw_id: int) -> Body:
        row = oparl.body_row(obj)
        body = upsert_entity(
            session,
            Body,
            row.external_id,
            {**row.values, "source_id": self.ctx.source_id, "raw_response_id": raw_id},
        )
        for kind, (key, priority) in LISTS.items():
            url = obj.get(key)
            if isinstance(url, str) and url:
                self.ctx.enqueue(session, f"oparl:{kind}", self._since(url), {"body_id": body.id}, priority)
        return body

    def _since(self, url: str) -> str:
        since = self.ctx.modified_since
        if since is None:
            return url
        stamp = (since - SKEW).replace(microsecond=0).isoformat()
        return str(httpx.URL(url).copy_merge_params({"modified_since": stamp}))

    def _list(self, session: Session, item: WorkItem, doc: Any, raw_id: int) -> None:
        objects, next_url = oparl.list_page(doc)
        self._objects(session, objects, raw_id, item.payload)
        priority = LISTS[item.kind[6:]][1]
        for url in [next_url, *oparl.later_pages(doc)]:
            if url:
                self.ctx.enqueue(session, item.kind, url, item.payload, priority)

    def _objects(self, session: Session, objects: list[Any], raw_id: int, payload: dict[str, Any]) -> None:
        resolver = StoreResolver(session)
        body_id = payload.get("body_id")
        source = self._source(session)
        for obj in objects:
            if isinstance(obj, str):  # referenced, not embedded: fetch it on its own
                self.ctx.enqueue(session, "oparl:object", obj, payload, priority=40)
                continue
            if not isinstance(obj, dict) or not obj.get("id"):
                self.ctx.count("objects_skipped")
                continue
            kind = oparl.object_type(obj) or ("Paper" if obj.get("deleted") else None)
            if kind == "Organization":
                upsert_entity(
                    session,
                    Organization,
                    obj["id"],
                    {**oparl.organization_row(obj).values, "body_id": body_id, "raw_response_id": raw_id},
                )
            elif kind == "Person":
                upsert_entity(
                    session,
                    Person,
                    obj["id"],
                    {**oparl.person_row(obj).values, "body_id": body_id, "raw_response_id": raw_id},
                )
            elif kind == "Meeting":
                self._meeting(session, obj, body_id, raw_id)
            elif kind == "Paper":
                self._paper(session, source, obj, body_id, raw_id, resolver)
            elif kind == "Body":
                self._body(session, obj, raw_id)
            else:
                self.ctx.count("objects_skipped")

    def _meeting(self, session: Session, obj: dict[str, Any], body_id: int | None, raw_id: int) -> None:
        meeting = upsert_entity(
            session,
            Meeting,
            obj["id"],
            {**oparl.meeting_row(obj).values, "body_id": body_id, "raw_response_id": raw_id},
        )
        for agenda in obj.get("agendaItem") or []:
            if isinstance(agenda, dict) and agenda.get("id"):
                upsert_entity(
                    session,
                    AgendaItem,
                    agenda["id"],
                    {**oparl.agenda_item_row(agenda).values, "meeting_id": meeting.id},
                )

    def _paper(
        self,
        session: Session,
        source: Source,
        obj: dict[str, Any],
        body_id: int | None,
        raw_id: int,
        resolver: StoreResolver,
    ) -> None:
        body_id = resolver.body_id(oparl.ref_url(obj.get("body"))) or body_id
        deleted = oparl.is_deleted_stub(obj)
        with session.no_autoflush:  # lookups of names need not write the previous paper first
            record = (
                PaperRecord(source="oparl", id=obj["id"])
                if deleted and not obj.get("name")
                else oparl.parse_paper(obj, resolver, body_name=resolver.body_name(body_id))
            )
        result = save_paper(
            session,
            source,
            record,
            external_id=obj["id"],
            raw_ids=[raw_id],
            body_id=body_id,
            source_modified=oparl.parse_datetime(obj.get("modified")),
            crawl_id=self.ctx.crawl_id,
            deleted=deleted,
        )
        self.ctx.count(f"papers_{result.status}")
        files.enqueue_downloads(self.ctx, session, result.paper_id)
        web = record.web
        if self.ctx.options.html and web and result.status != "unchanged" and page_vendor(web):
            self.ctx.enqueue(session, "html:paper", web, {"body_id": body_id}, priority=30)

    def _source(self, session: Session) -> Source:
        source = session.get(Source, self.ctx.source_id)
        assert source is not None
        return source

    # --- after the frontier is empty ----------------------------------------------------------

    def finalize(self) -> None:
        """Re-parse papers whose references stayed URLs because their targets came later."""
        with self.ctx.session() as session:
            crawl = session.get(Crawl, self.ctx.crawl_id)
            links = session.scalars(
                select(PaperSource).where(
                    PaperSource.source_id == self.ctx.source_id, PaperSource.parsed_at >= crawl.started_at
                )  # type: ignore[union-attr]
            ).all()
            resolver = StoreResolver(session)
            pending = [ps for ps in links if resolver.known(_unresolved(ps.record))]
            docs: dict[int, Any] = {}
            for ps in pending:
                record = reparse_record(session, ps, self.ctx.raw_store, docs)
                if record is not None and _unresolved_count(record.to_dict()) < _unresolved_count(ps.record):
                    paper = session.get(Paper, ps.paper_id)
                    save_paper(
                        session,
                        self._source(session),
                        record,
                        external_id=ps.external_id,
                        raw_ids=ps.raw_response_ids,
                        body_id=paper.body_id if paper else None,
                        source_modified=ps.source_modified,
                        crawl_id=self.ctx.crawl_id,
                        deleted=bool(ps.record.get("deleted")),
                    )
                    self.ctx.count("papers_resolved")


class StoreResolver:
    """Resolves OParl URLs to names from what the store already holds (cached per instance)."""

    def __init__(self, session: Session):
        self.session = session
        self._cache: dict[tuple[str, str], Any] = {}

    def _get(self, kind: str, url: str, query):  # type: ignore[no-untyped-def]
        key = (kind, url)
        if key not in self._cache:
            self._cache[key] = query()
        return self._cache[key]

    def body_id(self, url: str | None) -> int | None:
        if not url:
            return None
        return self._get(
            "body", url, lambda: self.session.scalar(select(Body.id).where(Body.external_id == url))
        )

    def body_name(self, body_id: int | None) -> str | None:
        if body_id is None:
            return None
        return self._get(
            "body-name",
            str(body_id),
            lambda: self.session.scalar(select(Body.name).where(Body.id == body_id)),
        )

    def known(self, urls: list[str]) -> bool:
        """Whether any of ``urls`` names an organization, person, meeting or paper the store has."""
        if not urls:
            return False
        for model, column in (
            (Organization, Organization.external_id),
            (Person, Person.external_id),
            (Meeting, Meeting.external_id),
            (PaperSource, PaperSource.external_id),
        ):
            if self.session.scalar(select(model.id).where(column.in_(urls)).limit(1)) is not None:
                return True
        return False

    def organization(self, url: str) -> str | None:
        return self._get(
            "org",
            url,
            lambda: self.session.scalar(select(Organization.name).where(Organization.external_id == url)),
        )

    def person(self, url: str) -> str | None:
        return self._get(
            "person", url, lambda: self.session.scalar(select(Person.name).where(Person.external_id == url))
        )

    def meeting(self, url: str) -> tuple[str | None, str | None]:
        def query() -> tuple[str | None, str | None]:
            row = self.session.execute(
                select(Meeting.name, Meeting.start).where(Meeting.external_id == url)
            ).first()
            if row is None:
                return None, None
            start: datetime | None = row.start
            return row.name, start.date().isoformat() if start else None

        return self._get("meeting", url, query)

    def agenda_result(self, url: str) -> str | None:
        return self._get(
            "agenda",
            url,
            lambda: self.session.scalar(select(AgendaItem.result).where(AgendaItem.external_id == url)),
        )

    def paper_reference(self, url: str) -> str | None:
        def query() -> str | None:
            paper_id = self.session.scalar(select(PaperSource.paper_id).where(PaperSource.external_id == url))
            return (
                self.session.scalar(select(Paper.reference).where(Paper.id == paper_id)) if paper_id else None
            )

        return self._get("paper", url, query)


def reparse_record(
    session: Session, ps: PaperSource, raw_store: RawStore, docs: dict[int, Any] | None = None
) -> PaperRecord | None:
    """Parse an OParl paper again from the raw responses it came from (no network).

    ``docs`` caches decoded responses across calls: one list page holds many papers.
    """
    docs = {} if docs is None else docs
    for raw_id in ps.raw_response_ids or []:
        if raw_id not in docs:
            raw = session.get(RawResponse, raw_id)
            if raw is None or not raw.sha256 or not raw_store.exists(raw.sha256):
                continue
            docs[raw_id] = load_json(raw_store.read(raw.sha256), raw.url)
        doc = docs[raw_id]
        candidates = doc.get("data") if isinstance(doc, dict) and isinstance(doc.get("data"), list) else [doc]
        for obj in candidates:
            if isinstance(obj, dict) and obj.get("id") == ps.external_id:
                if oparl.is_deleted_stub(obj) and not obj.get("name"):
                    return PaperRecord(source="oparl", id=obj["id"])
                paper = session.get(Paper, ps.paper_id)
                resolver = StoreResolver(session)
                body_name = resolver.body_name(paper.body_id if paper else None)
                return oparl.parse_paper(obj, resolver, body_name=body_name)
    return None


def _unresolved(record: dict[str, Any]) -> list[str]:
    """URLs a record still shows where a name should be (their targets were unknown when parsed)."""
    values = list(record.get("underDirectionOf") or []) + list(record.get("originator") or [])
    values += list(record.get("relatedPaper") or [])
    values += [c.get("organization") or "" for c in record.get("consultation") or []]
    urls = [v for v in values if "://" in str(v)]
    urls += [
        c["meetingUrl"] for c in record.get("consultation") or [] if c.get("meetingUrl") and not c.get("date")
    ]
    return urls


def _unresolved_count(record: dict[str, Any]) -> int:
    return len(_unresolved(record))
