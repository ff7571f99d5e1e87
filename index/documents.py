"""Building index documents from the store, in batches (consultations and files in bulk)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratsinfo.index.base import IndexDoc
from ratsinfo.store.models import Body, ConsultationRow, File, Paper

MAX_TEXT_CHARS = 2_000_000  # a paper's text in the index; beyond that it is cut


def build_docs(session: Session, papers: Sequence[Paper]) -> list[IndexDoc]:
    """The index documents of ``papers`` (consultations and file texts loaded in three queries)."""
    ids = [p.id for p in papers]
    steps: dict[int, list[ConsultationRow]] = defaultdict(list)
    for step in session.scalars(select(ConsultationRow).where(ConsultationRow.paper_id.in_(ids))):
        steps[step.paper_id].append(step)
    texts: dict[int, list[str]] = defaultdict(list)
    names: dict[int, list[str]] = defaultdict(list)
    for paper_id, name, text in session.execute(
        select(File.paper_id, File.name, File.text).where(File.paper_id.in_(ids)).order_by(File.position)
    ):
        if name:
            names[paper_id].append(name)
        if text:
            texts[paper_id].append(text)
    body_ids = {p.body_id for p in papers if p.body_id is not None}
    bodies = (
        dict(session.execute(select(Body.id, Body.name).where(Body.id.in_(body_ids))).all())
        if body_ids
        else {}
    )
    docs = []
    for p in papers:
        sections = p.text or {}
        # the topic evidence (as nlp.topics.paper_texts reads a record), then what is only searchable
        full = "\n\n".join(b for b in [*sections.values(), *texts[p.id]] if b)[:MAX_TEXT_CHARS]
        docs.append(
            IndexDoc(
                paper_id=p.id,
                reference=p.reference or "",
                name=p.name or "",
                paper_type=p.paper_type or "",
                body=bodies.get(p.body_id, "") if p.body_id else "",
                date=p.date,
                status=p.status or "",
                under_direction_of=list(p.under_direction_of or []),
                participating=list(p.participating or []),
                responsible=list(p.responsible or []),
                originator=list(p.originator or []),
                gremium=sorted({s.organization for s in steps[p.id] if s.organization}),
                result=sorted({s.result for s in steps[p.id] if s.result}),
                text=full,
                extra=[*sections.keys(), *names[p.id]],
            )
        )
    return docs
