"""Beratungsfolge outcomes across the store: what which Gremium decided on which paper, when.

Each step with a result becomes a row with the outcome in the small vocabulary of
:mod:`ratsinfo.track.outcomes` and the RIS's own wording beside it. A query narrows the papers
through the search engine's own interface, so it speaks whatever query language the engine does.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratsinfo.core.config import Settings
from ratsinfo.store.models import ConsultationRow, Paper
from ratsinfo.track.links import chunks
from ratsinfo.track.outcomes import match_outcome, normalise_outcome
from ratsinfo.track.papers import PaperFilter, load_rows

SEARCH_PAGE = 10_000


def search_paper_ids(settings: Settings, query: str) -> set[int]:
    """Database ids of every paper the search engine finds for ``query`` (index synced first)."""
    from ratsinfo.index.base import SearchRequest, get_backend
    from ratsinfo.index.sync import sync_index

    backend = get_backend(settings)
    try:
        sync_index(settings, backend)
        limit = SEARCH_PAGE
        while True:
            results = _search(backend, SearchRequest(query, limit=limit, snippets=False))
            if len(results.hits) < limit:  # all of them (a total may be an estimate)
                return {hit.paper_id for hit in results.hits}
            limit = max(results.total, limit * 4)
    finally:
        backend.close()


def _search(backend: Any, request: Any) -> Any:
    """The engine's answer, through the interface this version of the index speaks: engines that
    answer a compiled query plan get one, older engines the request alone."""
    try:
        from ratsinfo.index.plan import compile_query
        from ratsinfo.index.query import parse_query
    except ImportError:
        return backend.search(request)
    plan = compile_query(parse_query(request.query), list(getattr(request, "filters", ()) or ()))
    return backend.search(plan, request)


def decisions(
    session: Session,
    *,
    paper_ids: Iterable[int] | None = None,
    since: date | None = None,
    until: date | None = None,
    gremium: str | None = None,
    result: str | None = None,
    paper_filter: PaperFilter | None = None,
) -> list[dict[str, Any]]:
    """Steps with a result, newest first. ``result`` is an outcome (``abgelehnt``, ``geändert``)
    or else a part of the RIS's wording; ``gremium`` a part of the Gremium's name."""
    query = select(
        ConsultationRow.paper_id,
        ConsultationRow.date,
        ConsultationRow.organization,
        ConsultationRow.meeting,
        ConsultationRow.role,
        ConsultationRow.result,
        ConsultationRow.position,
    ).where(ConsultationRow.result.is_not(None))
    query = query.join(Paper, Paper.id == ConsultationRow.paper_id).where(Paper.deleted.is_(False))
    if since:
        query = query.where(ConsultationRow.date >= since)
    if until:
        query = query.where(ConsultationRow.date <= until)
    if paper_ids is not None:
        steps = []
        for batch in chunks(sorted(set(paper_ids))):
            steps += session.execute(query.where(ConsultationRow.paper_id.in_(batch))).all()
    else:
        steps = session.execute(query).all()
    wanted_outcome = match_outcome(result) if result else None
    papers = load_rows(session, {s.paper_id for s in steps})
    rows: list[tuple[tuple[date, str, int], dict[str, Any]]] = []
    for s in steps:
        paper = papers.get(s.paper_id)
        if paper is None or (paper_filter and not paper_filter.accepts(paper)):
            continue
        if gremium and gremium.casefold() not in (s.organization or "").casefold():
            continue
        outcome = normalise_outcome(s.result)
        if result:
            if wanted_outcome and outcome != wanted_outcome:
                continue
            if not wanted_outcome and result.casefold() not in (s.result or "").casefold():
                continue
        order = (s.date or date.min, paper.reference or "", s.position)
        rows.append(
            (
                order,
                {
                    "date": s.date.isoformat() if s.date else None,
                    "gremium": s.organization,
                    "meeting": s.meeting,
                    "role": s.role,
                    "outcome": outcome,
                    "result": s.result,
                    "reference": paper.reference,
                    "paperType": paper.paper_type,
                    "name": paper.name,
                    "body": paper.body,
                    "web": paper.link,
                },
            )
        )
    rows.sort(key=lambda pair: pair[0], reverse=True)
    return [row for _, row in rows]
