"""Listing and removing sources together with everything crawled from them."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from ratsinfo.store.models import (
    AgendaItem,
    Body,
    Crawl,
    CrawlItem,
    IndexRemoval,
    Meeting,
    Organization,
    Paper,
    PaperSource,
    Person,
    RawResponse,
    Source,
)
from ratsinfo.store.papers import refresh_paper


def delete_source(session: Session, source_id: int) -> None:
    """Remove a source, its crawls and its records; papers other sources also show stay, re-merged."""
    paper_ids = set(session.scalars(select(PaperSource.paper_id).where(PaperSource.source_id == source_id)))
    session.execute(delete(PaperSource).where(PaperSource.source_id == source_id))
    for paper_id in paper_ids:
        paper = session.get(Paper, paper_id)
        if paper is None:
            continue
        if session.scalar(select(PaperSource.id).where(PaperSource.paper_id == paper_id).limit(1)) is None:
            session.delete(paper)
            if session.get(IndexRemoval, paper_id) is None:
                session.add(IndexRemoval(paper_id=paper_id))
        else:
            paper.content_hash = ""
            refresh_paper(session, paper)
    session.flush()
    crawl_ids = list(session.scalars(select(Crawl.id).where(Crawl.source_id == source_id)))
    if crawl_ids:
        session.execute(delete(CrawlItem).where(CrawlItem.crawl_id.in_(crawl_ids)))
        session.execute(update(RawResponse).where(RawResponse.crawl_id.in_(crawl_ids)).values(crawl_id=None))
        session.execute(delete(Crawl).where(Crawl.id.in_(crawl_ids)))
    body_ids = list(session.scalars(select(Body.id).where(Body.source_id == source_id)))
    if body_ids:
        meeting_ids = list(session.scalars(select(Meeting.id).where(Meeting.body_id.in_(body_ids))))
        if meeting_ids:
            session.execute(delete(AgendaItem).where(AgendaItem.meeting_id.in_(meeting_ids)))
        session.execute(delete(Meeting).where(Meeting.body_id.in_(body_ids)))
        session.execute(delete(Organization).where(Organization.body_id.in_(body_ids)))
        session.execute(delete(Person).where(Person.body_id.in_(body_ids)))
        remaining = set(session.scalars(select(Paper.body_id).where(Paper.body_id.in_(body_ids))))
        session.execute(delete(Body).where(Body.id.in_(set(body_ids) - remaining)))
    session.execute(delete(Source).where(Source.id == source_id))
