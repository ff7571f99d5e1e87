"""Streaming every paper record out of the store (for ``ratsinfo export``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from ratsinfo.core.config import Settings
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import Paper
from ratsinfo.store.papers import paper_record

BATCH = 500


def iter_records(
    settings: Settings, *, with_file_text: bool = True, include_deleted: bool = False
) -> Iterator[dict[str, Any]]:
    """Every paper record in id order, read in batches so memory stays flat."""
    last_id = 0
    while True:
        with session_scope(settings.database_url) as session:
            query = select(Paper).where(Paper.id > last_id).order_by(Paper.id).limit(BATCH)
            if not include_deleted:
                query = query.where(Paper.deleted.is_(False))
            papers = session.scalars(query).all()
            if not papers:
                return
            records = [paper_record(session, p, with_file_text=with_file_text) for p in papers]
            last_id = papers[-1].id
        yield from records
