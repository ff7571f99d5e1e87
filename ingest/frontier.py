"""The crawl frontier: a table of URLs to handle, claimed with a lease.

A crawl killed at any point resumes from this table: finished items stay finished, an item
that was in hand when the process died is claimed again (its lease ran out, or its worker
process on this machine is gone), and handlers are idempotent, so nothing is lost or doubled.
On PostgreSQL, claims use ``FOR UPDATE SKIP LOCKED`` so several workers share one frontier.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ratsinfo.store.db import utcnow
from ratsinfo.store.models import Crawl, CrawlItem

DEFAULT_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class WorkItem:
    """A claimed frontier item, detached from the session that claimed it."""

    id: int
    crawl_id: int
    kind: str
    url: str
    payload: dict[str, Any]
    attempts: int


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def enqueue(
    session: Session,
    crawl_id: int,
    kind: str,
    url: str,
    payload: dict[str, Any] | None = None,
    priority: int = 0,
) -> None:
    """Add an item unless the crawl already has it (same kind and URL)."""
    values = {
        "crawl_id": crawl_id,
        "kind": kind,
        "url": url,
        "host": urlsplit(url).netloc,
        "payload": payload or {},
        "priority": priority,
        "status": "pending",
        "attempts": 0,
        "created_at": utcnow(),
    }
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(CrawlItem).values(**values).on_conflict_do_nothing(index_elements=["crawl_id", "kind", "url"])
    )
    session.execute(stmt)


def claim(
    session: Session,
    crawl_ids: list[int],
    worker: str | None = None,
    lease: timedelta = DEFAULT_LEASE,
    limit: int = 1,
) -> list[WorkItem]:
    """Take up to ``limit`` pending items (or items whose lease ran out) and lease them to ``worker``.

    Pending items are taken by priority, then in the order they were found.
    """
    worker = worker or worker_name()
    now = utcnow()
    skip_locked = session.get_bind().dialect.name == "postgresql"
    ids: list[tuple[int, str]] = []
    for condition in (
        CrawlItem.status == "pending",
        and_(CrawlItem.status == "claimed", CrawlItem.lease_until < now),
    ):
        # only items of the highest waiting priority: lower ones may depend on what these enqueue
        top = session.scalar(
            select(func.max(CrawlItem.priority)).where(CrawlItem.crawl_id.in_(crawl_ids), condition)
        )
        if top is None:
            continue
        query = (
            select(CrawlItem.id, CrawlItem.status)
            .where(CrawlItem.crawl_id.in_(crawl_ids), condition, CrawlItem.priority == top)
            .order_by(CrawlItem.priority.desc(), CrawlItem.id)
            .limit(limit - len(ids))
        )
        if skip_locked:
            query = query.with_for_update(skip_locked=True)
        ids += [(row.id, row.status) for row in session.execute(query)]
        if len(ids) >= limit:
            break
    claimed: list[WorkItem] = []
    for item_id, status in ids:
        row = session.execute(
            update(CrawlItem)
            .where(CrawlItem.id == item_id, CrawlItem.status == status)
            .values(status="claimed", worker=worker, lease_until=now + lease, attempts=CrawlItem.attempts + 1)
            .returning(
                CrawlItem.id,
                CrawlItem.crawl_id,
                CrawlItem.kind,
                CrawlItem.url,
                CrawlItem.payload,
                CrawlItem.attempts,
            )
        ).first()
        if row is not None:  # else another worker was faster
            claimed.append(WorkItem(*row))
    return claimed


def release_dead_claims(session: Session, crawl_ids: list[int]) -> int:
    """Return to the queue the items held by worker processes on this host that no longer run.

    Their leases would run out anyway; this makes a crawl resumed right after a SIGKILL pick up
    at once instead of waiting for the lease.
    """
    host = socket.gethostname()
    rows = session.execute(
        select(CrawlItem.id, CrawlItem.worker).where(
            CrawlItem.crawl_id.in_(crawl_ids), CrawlItem.status == "claimed"
        )
    ).all()
    dead = [item_id for item_id, worker in rows if holder_is_dead(worker, host)]
    if dead:
        session.execute(
            update(CrawlItem).where(CrawlItem.id.in_(dead)).values(status="pending", lease_until=None)
        )
    return len(dead)


def holder_is_dead(worker: str | None, host: str | None = None) -> bool:
    """Whether ``worker`` ("hostname:pid") is a process of this machine that no longer runs."""
    name, _, pid = (worker or "").rpartition(":")
    return name == (host or socket.gethostname()) and pid.isdigit() and not _alive(int(pid))


def finish(session: Session, item_id: int, error: str | None = None) -> None:
    session.execute(
        update(CrawlItem)
        .where(CrawlItem.id == item_id)
        .values(status="failed" if error else "done", error=error, finished_at=utcnow(), lease_until=None)
    )


def counts(session: Session, crawl_id: int) -> dict[str, int]:
    rows = session.execute(
        select(CrawlItem.status, func.count())
        .where(CrawlItem.crawl_id == crawl_id)
        .group_by(CrawlItem.status)
    ).all()
    return {status: n for status, n in rows}


def is_finished(session: Session, crawl_id: int) -> bool:
    c = counts(session, crawl_id)
    return not c.get("pending") and not c.get("claimed")


def open_crawls(session: Session, source_id: int | None = None) -> list[Crawl]:
    query = select(Crawl).where(Crawl.status == "running").order_by(Crawl.id)
    if source_id is not None:
        query = query.where(Crawl.source_id == source_id)
    return list(session.scalars(query))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
