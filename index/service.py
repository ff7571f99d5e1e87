"""Search as the CLI (and later a web page) uses it: query in, result rows out.

The query is parsed (:mod:`ratsinfo.index.query`) and compiled once (:mod:`ratsinfo.index.plan`)
whatever the backend. This layer syncs the index first (so a search never misses what the
store has), asks the backend for ids, scores, the total and facets, loads the papers from the
store, and adds snippets (:mod:`ratsinfo.index.highlight`).
"""

from __future__ import annotations

import contextlib
import tomllib
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from sqlalchemy import select

from ratsinfo.core.config import Settings
from ratsinfo.index import query as q
from ratsinfo.index.base import FACETS, IndexBusy, SearchRequest, get_backend
from ratsinfo.index.plan import PlanNode, compile_query, scores
from ratsinfo.index.sync import sync_index
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import Body, File, Paper

SNIPPET_SOURCE_CHARS = 200_000


@dataclass
class SearchPage:
    rows: list[dict[str, Any]]
    total: int
    facets: dict[str, list[dict[str, Any]]]  # facet key -> [{"value", "count"(, "label")}]
    exact: bool = True  # False: total and facet counts are estimates

    @property
    def total_text(self) -> str:
        return f"{self.total}" if self.exact else f"about {self.total}"


def parse_request(request: SearchRequest) -> PlanNode:
    """The compiled query of ``request`` (query text or AST, and its filters)."""
    node = request.query if isinstance(request.query, q.Node) else q.parse_query(str(request.query or ""))
    return compile_query(node, list(request.filters))


def search(settings: Settings, request: SearchRequest) -> SearchPage:
    plan = parse_request(request)  # a syntax error stops here, before any work
    if not scores(plan):
        request = replace(request, sort="date")  # nothing to rank by: newest first
    backend = get_backend(settings)
    try:
        with contextlib.suppress(IndexBusy):  # another process is indexing: search what is there
            sync_index(settings, backend)
        results = backend.search(plan, request)
    finally:
        backend.close()
    rows = _rows(settings, [h.paper_id for h in results.hits], with_text=request.snippets)
    by_id = {h.paper_id: h for h in results.hits}
    highlighter = None
    if request.snippets:
        from ratsinfo.index.highlight import Highlighter

        highlighter = Highlighter.for_plan(plan)
    for row in rows:
        hit = by_id[row.pop("_paper_id")]
        text = row.pop("_text", "")
        row["score"] = round(hit.score, 4)
        row["snippet"] = hit.snippet or (highlighter.snippet(text) if highlighter and text else None)
    return SearchPage(rows=rows, total=results.total, facets=_facets(results.facets), exact=results.exact)


def _facets(raw: dict[str, list[tuple[str, int]]]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for key in FACETS:
        if key not in raw:
            continue
        values = []
        for value, count in raw[key]:
            item: dict[str, Any] = {"value": value, "count": count}
            if key == "topic":
                item["label"] = topic_labels().get(value, value)
            values.append(item)
        out[key] = values
    return out


@lru_cache(maxsize=1)
def topic_labels() -> dict[str, str]:
    """Topic id -> label, read straight from the taxonomy file (no analysis needed)."""
    from ratsinfo.nlp.topics import TAXONOMY_PATH

    with TAXONOMY_PATH.open("rb") as fh:
        return {t["id"]: t["label"] for t in tomllib.load(fh).get("topic", [])}


def _rows(settings: Settings, ids: list[int], with_text: bool = True) -> list[dict[str, Any]]:
    if not ids:
        return []
    with session_scope(settings.database_url) as session:
        papers = {p.id: p for p in session.scalars(select(Paper).where(Paper.id.in_(ids)))}
        body_ids = {p.body_id for p in papers.values() if p.body_id}
        bodies = dict(session.execute(select(Body.id, Body.name).where(Body.id.in_(body_ids))).all())
        file_texts: dict[int, list[str]] = {}
        if with_text:
            for paper_id, text in session.execute(
                select(File.paper_id, File.text)
                .where(File.paper_id.in_(ids), File.text.is_not(None))
                .order_by(File.paper_id, File.position)
            ):
                file_texts.setdefault(paper_id, []).append(text)
        rows = []
        for pid in ids:
            p = papers.get(pid)
            if p is None:  # removed from the store since the index was read
                continue
            # the Betreff is shown anyway: snippets come from the paper's text and its files
            text = "\n".join([*(p.text or {}).values(), *file_texts.get(pid, [])]) if with_text else ""
            rows.append(
                {
                    "id": p.external_id or str(p.id),
                    "reference": p.reference,
                    "name": p.name,
                    "paperType": p.paper_type,
                    "date": p.date.isoformat() if p.date else None,
                    "body": bodies.get(p.body_id) if p.body_id else None,
                    "web": p.web,
                    "_paper_id": pid,
                    "_text": text[:SNIPPET_SOURCE_CHARS],
                }
            )
        return rows
