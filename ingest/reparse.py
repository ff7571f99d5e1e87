"""Re-running parsers over stored raw responses, offline.

Every source record links to the raw responses it was parsed from; after a parser improves,
``ratsinfo reparse`` turns the same bytes into records again and saves them like a crawl
would, so the change history shows what the better parser changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratsinfo.core.config import Settings
from ratsinfo.core.errors import RatsinfoError
from ratsinfo.core.record import PaperRecord
from ratsinfo.ingest.crawlers import oparl as oparl_crawler
from ratsinfo.ingest.crawlers.pages import reparse_html
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import Paper, PaperSource, Source
from ratsinfo.store.papers import find_papers, save_paper
from ratsinfo.store.raw import RawStore

Reparser = Callable[[Session, PaperSource, RawStore, dict[int, Any]], PaperRecord | None]
REPARSERS: dict[str, Reparser] = {
    "oparl": oparl_crawler.reparse_record,
    "allris": reparse_html,
    "sessionnet": reparse_html,
}


@dataclass
class ReparseSummary:
    papers: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "papers": self.papers,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "errors": self.errors[:50],
        }


def reparse(settings: Settings, references: tuple[str, ...] = (), kind: str | None = None) -> ReparseSummary:
    """Parse again every stored source record (or those of ``references``, or of one ``kind``)."""
    raw_store = RawStore(settings.raw_dir)
    summary = ReparseSummary()
    with session_scope(settings.database_url) as session:
        query = select(PaperSource.id).order_by(PaperSource.id)
        if kind:
            query = query.where(PaperSource.kind == kind)
        if references:
            paper_ids = [p.id for ref in references for p in find_papers(session, ref)]
            if not paper_ids:
                raise RatsinfoError(f"no paper with reference or id {', '.join(references)}")
            query = query.where(PaperSource.paper_id.in_(paper_ids))
        link_ids = list(session.scalars(query))
    cache: dict[int, Any] = {}
    for link_id in link_ids:
        with session_scope(settings.database_url) as session:
            ps = session.get(PaperSource, link_id)
            assert ps is not None
            reparser = REPARSERS.get(ps.kind)
            try:
                record = reparser(session, ps, raw_store, cache) if reparser else None
            except RatsinfoError as exc:
                record, error = None, str(exc)
            else:
                error = None if record else "its raw responses are missing or no longer hold it"
            summary.papers += 1
            if record is None:
                summary.failed += 1
                summary.errors.append(f"{ps.external_id}: {error}")
                continue
            source = session.get(Source, ps.source_id)
            paper = session.get(Paper, ps.paper_id)
            assert source is not None and paper is not None
            result = save_paper(
                session,
                source,
                record,
                external_id=ps.external_id,
                raw_ids=ps.raw_response_ids,
                body_id=paper.body_id,
                source_modified=ps.source_modified,
                deleted=bool(ps.record.get("deleted")),
                kind=ps.kind,
            )
            if result.status == "unchanged":
                summary.unchanged += 1
            else:
                summary.changed += 1
    return summary
