"""Keeping the search index in step with the store.

The store flags a paper ``needs_index`` in the same transaction as every change. Syncing reads
flagged papers, computes their topics, analyses them, writes them to the index, commits the
index, and only then clears the flags — in one transaction that also stores the topics, and
only where the paper was not changed again meanwhile (``updated_at`` as read). A crash at any
point leaves flags set, so the next sync redoes the work: the index is never ahead of the
store, only briefly behind it. Papers removed from the store leave an :class:`IndexRemoval`
tombstone; deleted papers stay flagged until the index has dropped them.

Analysis is the costly step (lemmas, compounds); with many papers to do it runs in worker
processes forked after the lexicon is loaded, so they share it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import load_only

from ratsinfo.core.config import Settings
from ratsinfo.index.base import IndexOutdated, SearchBackend, get_backend
from ratsinfo.index.documents import build_docs
from ratsinfo.index.fields import analyse_doc
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import IndexRemoval, Paper

BATCH = 500  # papers read from the store at once
POOL_MIN = 400  # fewer flagged papers than this are analysed in this process
_COLUMNS = (
    Paper.id,
    Paper.body_id,
    Paper.reference,
    Paper.name,
    Paper.paper_type,
    Paper.date,
    Paper.status,
    Paper.under_direction_of,
    Paper.participating,
    Paper.responsible,
    Paper.originator,
    Paper.text,
    Paper.deleted,
    Paper.updated_at,
)

_prepare: Callable[[Any], Any] | None = None


def _init_worker(prepare: Callable[[Any], Any]) -> None:
    global _prepare
    _prepare = prepare


def _work(doc: Any) -> tuple[int, list[str], Any]:
    analysed = analyse_doc(doc)
    assert _prepare is not None
    return analysed.paper_id, analysed.topics, _prepare(analysed)


def sync_index(
    settings: Settings,
    backend: SearchBackend | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> int:
    """Index every flagged paper; returns how many were written or removed."""
    own = backend is None
    backend = backend or get_backend(settings)
    try:
        try:
            backend.check()
            if backend.is_empty() and _indexed_elsewhere(settings):
                raise IndexOutdated("the index is empty but the store's papers were indexed")
        except IndexOutdated:
            return _rebuild(settings, backend, progress, workers)
        return _sync(settings, backend, progress, workers)
    finally:
        if own:
            backend.close()


def _indexed_elsewhere(settings: Settings) -> bool:
    """Whether live papers are marked indexed: by another engine, if this one's index is empty
    (the flags follow one index; a new ``RATSINFO_INDEX`` starts empty)."""
    with session_scope(settings.database_url) as session:
        return (
            session.scalar(
                select(Paper.id).where(Paper.needs_index.is_(False), Paper.deleted.is_(False)).limit(1)
            )
            is not None
        )


def reindex(
    settings: Settings, progress: Callable[[int], None] | None = None, workers: int | None = None
) -> int:
    """Rebuild the index from scratch from the store (also after switching ``RATSINFO_INDEX``)."""
    backend = get_backend(settings)
    try:
        return _rebuild(settings, backend, progress, workers)
    finally:
        backend.close()


def _rebuild(
    settings: Settings, backend: SearchBackend, progress: Callable[[int], None] | None, workers: int | None
) -> int:
    with session_scope(settings.database_url) as session:
        session.execute(update(Paper).values(needs_index=True))
        session.execute(delete(IndexRemoval))
    backend.clear()
    backend.begin_bulk()
    done = _sync(settings, backend, progress, workers)
    backend.end_bulk()
    return done


def _sync(
    settings: Settings, backend: SearchBackend, progress: Callable[[int], None] | None, workers: int | None
) -> int:
    done = _apply_removals(settings, backend)
    pending = pending_count(settings)
    if not pending:
        return done
    workers = workers or os.cpu_count() or 1
    pool = None
    if workers > 1 and pending >= POOL_MIN:
        analyse_doc_warm()  # load the lexicon once, before forking: the workers share it
        pool = multiprocessing.get_context("fork").Pool(workers, _init_worker, (backend.prepare,))
    else:
        _init_worker(backend.prepare)
    try:
        last_id = 0
        pending: tuple[Any, dict[int, datetime], list[int]] | None = None
        while True:
            # read and start analysing the next batch, then write the previous one: with a
            # pool, analysis and writing overlap
            stamps: dict[int, datetime] = {}
            deleted: list[int] = []
            docs = list(_flagged_docs(settings, last_id, backend.bulk_batch, stamps, deleted))
            job = None
            if stamps:
                last_id = max(stamps)
                job = pool.map_async(_work, docs, chunksize=16) if pool else [_work(d) for d in docs]
            if pending is not None:
                done += _finish(settings, backend, *pending)
                if progress:
                    progress(done)
            if job is None:
                break
            pending = (job, stamps, deleted)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    return done


def _finish(
    settings: Settings, backend: SearchBackend, job: Any, stamps: dict[int, datetime], deleted: list[int]
) -> int:
    """Write one analysed batch, then clear its flags (and store its topics)."""
    results = job.get() if hasattr(job, "get") else job
    backend.write([prepared for _, _, prepared in results], deleted)
    _clear_flags(settings, stamps, {pid: topics for pid, topics, _ in results})
    return len(stamps)


def _flagged_docs(
    settings: Settings, after: int, limit: int, stamps: dict[int, datetime], deleted: list[int]
) -> Iterator[Any]:
    """Index documents of up to ``limit`` flagged papers with ids above ``after``, read in
    batches; fills ``stamps`` (paper id → updated_at as read) and ``deleted`` as it goes."""
    last = after
    while len(stamps) < limit:
        with session_scope(settings.database_url) as session:
            papers = session.scalars(
                select(Paper)
                .options(load_only(*_COLUMNS))
                .where(Paper.needs_index.is_(True), Paper.id > last)
                .order_by(Paper.id)
                .limit(min(BATCH, limit - len(stamps)))
            ).all()
            if not papers:
                return
            last = papers[-1].id
            for paper in papers:
                stamps[paper.id] = paper.updated_at
            deleted.extend(paper.id for paper in papers if paper.deleted)
            docs = build_docs(session, [paper for paper in papers if not paper.deleted])
        yield from docs


def _clear_flags(settings: Settings, stamps: dict[int, datetime], topics: dict[int, list[str]]) -> None:
    """Store topics and clear flags, one transaction, only for papers not changed since read."""
    table = Paper.__table__
    with session_scope(settings.database_url) as session:
        with_topics = [
            {"b_id": pid, "b_stamp": stamp, "b_topics": topics[pid]}
            for pid, stamp in stamps.items()
            if pid in topics
        ]
        if with_topics:
            session.execute(
                table.update()
                .where(table.c.id == bindparam("b_id"), table.c.updated_at == bindparam("b_stamp"))
                .values(needs_index=False, topics=bindparam("b_topics", type_=table.c.topics.type)),
                with_topics,
            )
        others = [{"b_id": pid, "b_stamp": stamp} for pid, stamp in stamps.items() if pid not in topics]
        if others:
            session.execute(
                table.update()
                .where(table.c.id == bindparam("b_id"), table.c.updated_at == bindparam("b_stamp"))
                .values(needs_index=False),
                others,
            )


def _apply_removals(settings: Settings, backend: SearchBackend) -> int:
    with session_scope(settings.database_url) as session:
        removed = list(session.scalars(select(IndexRemoval.paper_id)))
    if not removed:
        return 0
    backend.write([], removed)
    with session_scope(settings.database_url) as session:
        session.execute(delete(IndexRemoval).where(IndexRemoval.paper_id.in_(removed)))
    return len(removed)


def analyse_doc_warm() -> None:
    """Load the lexicon and taxonomy now (one small analysis)."""
    from ratsinfo.index.base import IndexDoc

    analyse_doc(IndexDoc(paper_id=0, name="Glasfaserausbau an Schulen", text="Digitalisierung"))


def pending_count(settings: Settings) -> int:
    from sqlalchemy import func

    with session_scope(settings.database_url) as session:
        return session.scalar(select(func.count()).where(Paper.needs_index.is_(True))) or 0
