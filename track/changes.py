"""The change history: listing what crawls saw change, and noticing papers that disappeared.

Saving a paper records what changed (:func:`ratsinfo.store.papers.refresh_paper`): fields,
Beratungsfolge steps, files, and OParl's ``deleted`` flag. A paper an HTML list stops showing
sends no such flag, so the crawl of a complete list calls :func:`mark_disappeared` with what
it saw.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratsinfo.core.errors import RatsinfoError
from ratsinfo.store.db import as_utc, utcnow
from ratsinfo.store.merge import content_hash, merge_records
from ratsinfo.store.models import Paper, PaperChange, PaperSource
from ratsinfo.track.describe import describe
from ratsinfo.track.links import chunks
from ratsinfo.track.papers import PaperFilter, load_rows

log = logging.getLogger(__name__)

DISAPPEARED = ("paper", "removed")  # (field, kind) of a paper gone from its source's list


def mark_disappeared(
    session: Session,
    source_id: int,
    seen_external_ids: Iterable[str],
    crawl_id: int | None,
    *,
    max_share: float = 0.5,
) -> list[int]:
    """Flag the papers of ``source_id`` that its complete list no longer shows; returns their ids.

    Call it only after a crawl that read the source's whole list (not one limited by dates).
    Each newly gone paper gets its source record marked ``deleted``, ``Paper.deleted`` set (the
    merged view says deleted as soon as one source does), the index flag set, and one change
    ``paper``/``removed`` with ``crawl_id``. A paper already flagged is left alone, so calling it
    twice records nothing twice. A paper that comes back is saved as usual and its change
    ``deleted`` true → false is recorded by the store.

    A list that lost more than ``max_share`` of the papers is more likely broken than emptied by
    the council: then nothing is marked and :class:`RatsinfoError` says so (pass ``max_share=1``
    to mark anyway).
    """
    seen = set(seen_external_ids)
    links = session.execute(
        select(PaperSource.id, PaperSource.paper_id, PaperSource.external_id).where(
            PaperSource.source_id == source_id
        )
    ).all()
    if not links:
        return []
    gone = [(ps_id, paper_id) for ps_id, paper_id, ext in links if ext not in seen]
    live_gone = []
    for ps_id, paper_id in gone:
        ps = session.get(PaperSource, ps_id)
        if ps is not None and not (ps.record or {}).get("deleted"):
            live_gone.append((ps, paper_id))
    live = len(links) - (len(gone) - len(live_gone))
    if live_gone and len(live_gone) > max_share * max(live, 1):
        raise RatsinfoError(
            f"source {source_id}: {len(live_gone)} of {live} papers are missing from its list; "
            "not marking them as disappeared (the list looks broken)"
        )
    now = utcnow()
    marked: list[int] = []
    for ps, paper_id in live_gone:
        ps.record = {**(ps.record or {}), "deleted": True}
        session.flush()
        paper = session.get(Paper, paper_id)
        if paper is None:
            continue
        merged = merge_records(
            list(session.scalars(select(PaperSource.record).where(PaperSource.paper_id == paper_id)))
        )
        merged["body"] = merged.get("body") or (paper.merged or {}).get("body")
        was_deleted = paper.deleted
        paper.merged = merged
        paper.content_hash = content_hash(merged)
        paper.deleted = bool(merged.get("deleted"))
        paper.updated_at = now
        paper.needs_index = True
        if paper.deleted and not was_deleted:
            session.add(
                PaperChange(
                    paper_id=paper_id,
                    crawl_id=crawl_id,
                    seen_at=now,
                    field=DISAPPEARED[0],
                    kind=DISAPPEARED[1],
                    old=paper.reference or paper.name,
                    new=None,
                )
            )
            marked.append(paper_id)
    if marked:
        log.info("source %s: %d papers disappeared from the list", source_id, len(marked))
    return marked


# --- listing ----------------------------------------------------------------------------------


@dataclass
class ChangeRow:
    id: int
    paper_id: int
    crawl_id: int | None
    seen_at: datetime
    field: str
    kind: str
    old: Any
    new: Any

    @property
    def what(self) -> str:
        return describe(self.field, self.kind, self.old, self.new)


def field_matches(field: str, wanted: str) -> bool:
    """``--field text`` matches ``text.Sachverhalt``; ``--field paper`` also matches ``deleted``."""
    w = wanted.strip()
    if w == "paper" and field == "deleted":
        return True
    return field == w or field.startswith(w + ".") or field.casefold() == w.casefold()


def start_of(day: date) -> datetime:
    """Midnight UTC of ``day`` (every stored time is UTC)."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def changes_since(
    session: Session,
    *,
    since: date | datetime | None = None,
    until: date | None = None,
    paper_ids: Iterable[int] | None = None,
    after_id: int | None = None,
    upto_id: int | None = None,
) -> list[ChangeRow]:
    """Recorded changes in seen order, narrowed by day, by papers, or by change ids."""
    query = select(PaperChange)
    if since is not None:
        query = query.where(
            PaperChange.seen_at >= (since if isinstance(since, datetime) else start_of(since))
        )
    if until is not None:
        query = query.where(PaperChange.seen_at < start_of(until + timedelta(days=1)))
    if after_id is not None:
        query = query.where(PaperChange.id > after_id)
    if upto_id is not None:
        query = query.where(PaperChange.id <= upto_id)
    out: list[ChangeRow] = []
    if paper_ids is not None:
        for batch in chunks(sorted(set(paper_ids))):
            out += _rows(session, query.where(PaperChange.paper_id.in_(batch)))
        out.sort(key=lambda c: c.id)
        return out
    return _rows(session, query)


def drop_wipes(changes: list[ChangeRow]) -> list[ChangeRow]:
    """Without the fields an OParl deletion stub emptied: a deleted paper arrives as nothing but
    ``deleted: true``, so the store records every field going to nothing in the same crawl; the
    deletion itself says it all."""
    deleted = {(c.paper_id, c.crawl_id) for c in changes if c.field == "deleted" and c.new}
    if not deleted:
        return changes
    return [
        c
        for c in changes
        if not (
            (c.paper_id, c.crawl_id) in deleted
            and c.field not in ("deleted", "paper")
            and c.new in (None, "", [], {})
        )
    ]


def _rows(session: Session, query: Any) -> list[ChangeRow]:
    return [
        ChangeRow(c.id, c.paper_id, c.crawl_id, as_utc(c.seen_at), c.field, c.kind, c.old, c.new)  # type: ignore[arg-type]
        for c in session.scalars(query.order_by(PaperChange.id))
    ]


def list_changes(
    session: Session,
    *,
    since: date | None,
    until: date | None = None,
    field: str | None = None,
    paper_filter: PaperFilter | None = None,
) -> list[dict[str, Any]]:
    """Changes as output rows: when seen, which paper, what changed (old and new kept in full)."""
    changes = drop_wipes(changes_since(session, since=since, until=until))
    if field:
        changes = [c for c in changes if field_matches(c.field, field)]
    papers = load_rows(session, {c.paper_id for c in changes})
    rows = []
    for c in changes:
        p = papers.get(c.paper_id)
        if p is None or (paper_filter and not paper_filter.accepts(p)):
            continue
        rows.append(
            {
                "seen": c.seen_at.isoformat(timespec="seconds"),
                "crawl": c.crawl_id,
                "reference": p.reference,
                "paperType": p.paper_type,
                "name": p.name,
                "body": p.body,
                "field": c.field,
                "kind": c.kind,
                "what": c.what,
                "old": c.old,
                "new": c.new,
                "web": p.link,
            }
        )
    return rows


def last_change_id(session: Session) -> int:
    return session.scalar(select(func.max(PaperChange.id))) or 0
