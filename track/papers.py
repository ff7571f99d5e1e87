"""Light paper rows and the filters the tracking commands share (type, body, originator, topic, date).

The rows carry no text or merged record, so commands can read many papers cheaply; filters that
need case folding of German words (``Änderungsantrag``) run in Python, where SQLite's ``lower``
would not fold them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ratsinfo.store.models import Body, Paper, PaperChange
from ratsinfo.track.links import chunks

TOPICS_PATH = Path(__file__).resolve().parents[1] / "data" / "topics.toml"


@dataclass
class PaperRow:
    id: int
    reference: str | None
    name: str
    paper_type: str | None
    date: date | None
    body: str | None
    originator: list[str]
    topics: list[str]
    deleted: bool
    web: str | None
    external_id: str | None

    @property
    def link(self) -> str | None:
        """Where a person can open the paper: its RIS page, else its OParl URL."""
        if self.web:
            return self.web
        return self.external_id if self.external_id and "://" in self.external_id else None

    def brief(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "paperType": self.paper_type,
            "date": self.date.isoformat() if self.date else None,
            "name": self.name,
            "body": self.body,
            "web": self.link,
        }


def _select() -> Select[Any]:
    return select(
        Paper.id,
        Paper.reference,
        Paper.name,
        Paper.paper_type,
        Paper.date,
        Body.name,
        Paper.originator,
        Paper.topics,
        Paper.deleted,
        Paper.web,
        Paper.external_id,
    ).outerjoin(Body, Body.id == Paper.body_id)


def _row(r: Any) -> PaperRow:
    return PaperRow(
        id=r[0],
        reference=r[1],
        name=r[2] or "",
        paper_type=r[3],
        date=r[4],
        body=r[5],
        originator=list(r[6] or []),
        topics=list(r[7] or []),
        deleted=bool(r[8]),
        web=r[9],
        external_id=r[10],
    )


def load_rows(session: Session, ids: Iterable[int]) -> dict[int, PaperRow]:
    """Light rows of the papers ``ids``, by id (deleted papers with what they showed last)."""
    out: dict[int, PaperRow] = {}
    for batch in chunks(sorted(set(ids))):
        for r in session.execute(_select().where(Paper.id.in_(batch))):
            row = _row(r)
            out[row.id] = row
    _recall(session, [r for r in out.values() if r.deleted and not r.reference and not r.name])
    return out


RECALLED = {"reference": "reference", "name": "name", "paperType": "paper_type", "date": "date"}


def _recall(session: Session, rows: list[PaperRow]) -> None:
    """Fill in what a deleted paper showed before an OParl deletion stub emptied it, from the
    recorded changes, so lists can still say which paper went."""
    by_id = {r.id: r for r in rows}
    for batch in chunks(sorted(by_id)):
        for pid, fld, old in session.execute(
            select(PaperChange.paper_id, PaperChange.field, PaperChange.old)
            .where(PaperChange.paper_id.in_(batch), PaperChange.field.in_(list(RECALLED)))
            .order_by(PaperChange.id)
        ):
            row = by_id[pid]
            attr = RECALLED[fld]
            if old in (None, "") or getattr(row, attr):
                continue
            value = date.fromisoformat(old) if attr == "date" and isinstance(old, str) else old
            setattr(row, attr, value)


def all_rows(session: Session, *where: Any) -> list[PaperRow]:
    """Light rows of every paper (matching the SQL conditions ``where``), by date then id."""
    query = _select()
    for condition in where:
        query = query.where(condition)
    return [_row(r) for r in session.execute(query.order_by(Paper.date, Paper.id))]


@lru_cache(maxsize=1)
def topic_labels() -> dict[str, str]:
    """Topic id → label from the taxonomy file (read directly: no language models needed)."""
    try:
        data = tomllib.loads(TOPICS_PATH.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {t["id"]: t.get("label", t["id"]) for t in data.get("topic", []) if "id" in t}


def topic_ids(value: str) -> set[str]:
    """The topic ids (case-folded) ``value`` names: an id, or a part of a label (``Verkehr``)."""
    v = value.strip().casefold()
    labels = topic_labels()
    found = {tid.casefold() for tid, label in labels.items() if tid.casefold() == v or v in label.casefold()}
    return found or {v}


@dataclass
class PaperFilter:
    """Which papers a command or watch looks at; empty fields match everything."""

    paper_type: str | None = None  # case-insensitive prefix of the paper type
    body: str | None = None  # part of the body's name
    originator: str | None = None  # part of an originator (Fraktion, person)
    topic: str | None = None  # topic id or part of its label
    since: date | None = None  # paper date from
    until: date | None = None  # paper date up to

    def accepts(self, row: PaperRow) -> bool:
        if self.paper_type and not (row.paper_type or "").casefold().startswith(self.paper_type.casefold()):
            return False
        if self.body and self.body.casefold() not in (row.body or "").casefold():
            return False
        if self.originator:
            wanted = self.originator.casefold()
            if not any(wanted in o.casefold() for o in row.originator):
                return False
        if self.topic and not topic_ids(self.topic) & {t.casefold() for t in row.topics}:
            return False
        if self.since and (row.date is None or row.date < self.since):
            return False
        return not (self.until and (row.date is None or row.date > self.until))

    def to_json(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if v is not None}
        return {k: v.isoformat() if isinstance(v, date) else v for k, v in out.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> PaperFilter:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in (data or {}).items() if k in known}
        for key in ("since", "until"):
            if isinstance(values.get(key), str):
                values[key] = date.fromisoformat(values[key])
        return cls(**values)

    def describe(self) -> str:
        return ", ".join(f"{k}={v}" for k, v in self.to_json().items())
