"""Reading search results and the store's truth side by side."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from ratsinfo.core.config import Settings
from ratsinfo.index.base import SearchRequest
from ratsinfo.index.service import SearchPage, search
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import Body, ConsultationRow, File, Paper


def run(settings: Settings, query: str, limit: int = 5_000, **kwargs: Any) -> SearchPage:
    kwargs.setdefault("snippets", False)
    return search(settings, SearchRequest(query, limit=limit, **kwargs))


def ids(settings: Settings, query: str, **kwargs: Any) -> list[str]:
    return [row["id"] for row in run(settings, query, **kwargs).rows]


def names(settings: Settings, query: str, **kwargs: Any) -> list[str]:
    return [row["name"] for row in run(settings, query, **kwargs).rows]


@dataclass
class StoredPaper:
    id: str
    reference: str | None
    name: str
    paper_type: str | None
    date: date | None
    body: str | None
    under_direction_of: list[str]
    participating: list[str]
    responsible: list[str]
    originator: list[str]
    status: str | None
    topics: list[str]
    gremium: set[str] = field(default_factory=set)
    results: set[str] = field(default_factory=set)
    text: str = ""  # text sections (titles too), file names and file texts


def stored(settings: Settings) -> list[StoredPaper]:
    """Every live paper of the store, with its Gremien and results."""
    with session_scope(settings.database_url) as session:
        bodies = dict(session.execute(select(Body.id, Body.name)).all())
        papers = {
            p.id: StoredPaper(
                p.external_id or str(p.id),
                p.reference,
                p.name,
                p.paper_type,
                p.date,
                bodies.get(p.body_id),
                list(p.under_direction_of or []),
                list(p.participating or []),
                list(p.responsible or []),
                list(p.originator or []),
                p.status,
                list(p.topics or []),
                text=" ".join([*(p.text or {}).keys(), *(p.text or {}).values()]),
            )
            for p in session.scalars(select(Paper).where(Paper.deleted.is_(False)))
        }
        for paper_id, name, text in session.execute(select(File.paper_id, File.name, File.text)):
            if paper_id in papers:
                papers[paper_id].text += f" {name or ''} {text or ''}"
        for paper_id, org, result in session.execute(
            select(ConsultationRow.paper_id, ConsultationRow.organization, ConsultationRow.result)
        ):
            if paper_id in papers:
                if org:
                    papers[paper_id].gremium.add(org)
                if result:
                    papers[paper_id].results.add(result)
    return list(papers.values())
