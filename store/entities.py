"""Upserting the entities around papers (bodies, organizations, persons, meetings, agenda items)."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratsinfo.store.models import Base

M = TypeVar("M", bound=Base)


def upsert_entity(session: Session, model: type[M], external_id: str, values: dict[str, Any]) -> M:
    """Insert or update the row of ``model`` known at the source as ``external_id``."""
    row = session.scalar(select(model).where(model.external_id == external_id))  # type: ignore[attr-defined]
    if row is None:
        row = model(external_id=external_id, **values)
        session.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    session.flush()
    return row
