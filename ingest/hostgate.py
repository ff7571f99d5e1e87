"""Politeness across processes and machines: per-host request slots in the database.

Every worker of a crawl asks the ``host_gate`` table before it sends a request to a host. A slot
(``host#0``, ``host#1`` … up to the allowed concurrency per host, 1 by default) is taken with a
conditional UPDATE that only succeeds when the slot is free, which is atomic on SQLite and
PostgreSQL alike; it is marked busy until the request ends (or, if the worker dies, until its
timeout ran out) and then free again after the delay.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ratsinfo.ingest.frontier import holder_is_dead, worker_name
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import HostGate


class DbHostGate:
    """Same interface as :class:`ratsinfo.ingest.http.HostGate`, shared through the database."""

    def __init__(self, database_url: str, per_host: int = 1, hold: float = 35.0):
        self.database_url = database_url
        self.per_host = max(1, per_host)
        # how long a taken slot counts as busy if its worker dies holding it: one request attempt
        # never takes longer than the fetch timeout, so the crawl sets this to timeout + 5 s
        self.hold = hold
        self.me = worker_name()
        self._known: set[str] = set()

    def run(self, host: str, delay: float, request: Callable[[], Any]) -> Any:
        key = self._acquire(host)
        try:
            return request()
        finally:
            with session_scope(self.database_url) as session:
                session.execute(
                    update(HostGate).where(HostGate.host == key).values(next_at=time.time() + delay)
                )

    def _acquire(self, host: str) -> str:
        keys = [f"{host}#{slot}" for slot in range(self.per_host)]
        self._ensure(keys)
        while True:
            now = time.time()
            with session_scope(self.database_url) as session:
                for key in keys:
                    taken = session.execute(
                        update(HostGate)
                        .where(HostGate.host == key, HostGate.next_at <= now)
                        .values(next_at=now + self.hold)
                    ).rowcount
                    if taken:
                        return key
                soonest = session.scalar(select(func.min(HostGate.next_at)).where(HostGate.host.in_(keys)))
            time.sleep(min(max((soonest or now) - now, 0.01), 0.25))

    def _free_dead_holders(self, session, keys: list[str]) -> None:  # type: ignore[no-untyped-def]
        """Slots held by worker processes of this machine that no longer run are free again."""
        for key, holder in session.execute(
            select(HostGate.host, HostGate.holder).where(
                HostGate.host.in_(keys), HostGate.holder.is_not(None)
            )
        ).all():
            if holder_is_dead(holder):
                session.execute(
                    update(HostGate)
                    .where(HostGate.host == key, HostGate.holder == holder)
                    .values(next_at=0.0, holder=None)
                )

    def _ensure(self, keys: list[str]) -> None:
        missing = [k for k in keys if k not in self._known]
        if not missing:
            return
        with session_scope(self.database_url) as session:
            insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
            for key in missing:
                session.execute(insert(HostGate).values(host=key, next_at=0.0).on_conflict_do_nothing())
        self._known.update(missing)
