"""Running a crawl: detect the system, start or resume, work the frontier, summarise.

A crawl of a URL whose last crawl did not finish resumes that crawl. A failed item (bad JSON,
404, timeout after retries, a page no parser understands) is recorded with its error and the
crawl goes on; the summary says how many items succeeded and failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, update

from ratsinfo.core.config import Settings
from ratsinfo.core.errors import FetchError, RatsinfoError
from ratsinfo.ingest import frontier
from ratsinfo.ingest.crawlers.allris import AllrisCrawler
from ratsinfo.ingest.crawlers.base import CrawlContext, Crawler, CrawlOptions
from ratsinfo.ingest.crawlers.oparl import OParlCrawler
from ratsinfo.ingest.crawlers.sessionnet import SessionNetCrawler
from ratsinfo.ingest.hostgate import DbHostGate
from ratsinfo.ingest.http import Fetcher, FetchResult, HostGate
from ratsinfo.store.db import as_utc, session_scope, utcnow
from ratsinfo.store.models import Crawl, CrawlItem, File, PaperChange, RawResponse, Source
from ratsinfo.store.papers import get_or_create_source
from ratsinfo.store.raw import RawStore

CRAWLERS: list[type[Crawler]] = [OParlCrawler, AllrisCrawler, SessionNetCrawler]

Progress = Callable[[int, int], None]  # (finished items, known items)


@dataclass
class CrawlSummary:
    """What one run of ``crawl`` did (a resumed crawl counts only this run's work)."""

    crawl_id: int
    url: str
    kind: str
    resumed: bool
    finished: bool
    requests: int
    items: dict[str, int]
    stats: dict[str, int]
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, url, error)
    seconds: float = 0.0

    @property
    def failed(self) -> int:
        return self.items.get("failed", 0)

    @property
    def succeeded(self) -> int:
        return self.items.get("done", 0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "crawl": self.crawl_id,
            "url": self.url,
            "kind": self.kind,
            "resumed": self.resumed,
            "finished": self.finished,
            "requests": self.requests,
            "succeeded": self.succeeded,
            "failed": self.failed,
            "stats": self.stats,
            "seconds": round(self.seconds, 2),
            "failures": [{"kind": k, "url": u, "error": e} for k, u, e in self.failures],
        }


def crawler_class(kind: str) -> type[Crawler]:
    for cls in CRAWLERS:
        if cls.kind == kind:
            return cls
    raise RatsinfoError(f"no crawler for sources of kind {kind!r}")


def detect(url: str, fetcher: Fetcher) -> tuple[type[Crawler], FetchResult | None]:
    """The crawler for ``url``: from the URL where that is enough, else from the start page."""
    for cls in CRAWLERS:
        if cls.recognise(url, None):
            return cls, None
    try:
        start = fetcher.fetch(url)
    except FetchError as exc:
        raise RatsinfoError(f"cannot crawl {url}: {exc}") from None
    for cls in CRAWLERS:
        if cls.recognise(url, start):
            return cls, start
    raise RatsinfoError(f"{url} is not an OParl System or Body, nor an ALLRIS or SessionNet site")


def crawl(
    settings: Settings, url: str, options: CrawlOptions | None = None, progress: Progress | None = None
) -> CrawlSummary:
    """Crawl ``url`` (new, incremental, or resuming an interrupted crawl of it).

    With ``options.workers`` > 1, that many processes work the crawl's frontier together
    (this one and ``workers - 1`` ``ratsinfo worker`` processes); politeness per host holds
    across all of them.
    """
    options = options or CrawlOptions()
    url = url.strip()
    if not url.lower().startswith(("http://", "https://")):
        raise RatsinfoError(f"{url!r} is not an http(s) URL")
    started, run_started = time.monotonic(), utcnow()
    crawl_id, kind, resumed, detection_requests = start_crawl(settings, url, options)
    before = _item_counts(settings, crawl_id)
    helpers = spawn_workers(settings, [crawl_id], options.workers - 1)
    try:
        work(settings, [crawl_id], progress=progress, shared=options.workers > 1)
    finally:
        for process in helpers:
            process.wait()
    finished = finish_crawl(settings, crawl_id)
    after = _item_counts(settings, crawl_id)
    items = {k: after.get(k, 0) - before.get(k, 0) for k in ("done", "failed")}
    return CrawlSummary(
        crawl_id=crawl_id,
        url=url,
        kind=kind,
        resumed=resumed,
        finished=finished,
        requests=detection_requests + _requests_since(settings, crawl_id, run_started),
        items=items,
        stats=crawl_stats(settings, crawl_id),
        failures=_failures(settings, crawl_id),
        seconds=time.monotonic() - started,
    )


def start_crawl(settings: Settings, url: str, options: CrawlOptions) -> tuple[int, str, bool, int]:
    """Open a new crawl of ``url`` (detecting its system) or the unfinished one; returns
    (crawl id, kind, resumed, requests spent on detection)."""
    raw_store = RawStore(settings.raw_dir)
    with _fetcher(settings, raw_store, options, crawl_id=None) as fetcher:
        with session_scope(settings.database_url) as session:
            source = session.scalar(select(Source).where(Source.url == url))
            kind = source.kind if source else None
        start = None
        if kind is None:
            cls, start = detect(url, fetcher)
            kind = cls.kind
        crawl_id, resumed = _open_crawl(settings, kind, url, options)
        with session_scope(settings.database_url) as session:
            source = session.scalar(select(Source).where(Source.url == url))
            row = session.get(Crawl, crawl_id)
            assert source is not None and row is not None
            if resumed:
                frontier.release_dead_claims(session, [crawl_id])
                row.options = {**options.to_json()}
            else:
                crawler = crawler_class(kind)(_context(settings, fetcher, row, source, options))
                crawler.seed(session, row, source, start)
                _retry_failures_of_last_crawl(session, source.id, crawl_id)
                if start is not None:
                    session.execute(
                        update(RawResponse).where(RawResponse.id == start.raw_id).values(crawl_id=crawl_id)
                    )
        return crawl_id, kind, resumed, fetcher.requests_made


def spawn_workers(settings: Settings, crawl_ids: list[int], count: int) -> list[subprocess.Popen[bytes]]:
    """Start ``count`` ``ratsinfo worker`` processes on these crawls (same data dir and database)."""
    if count <= 0:
        return []
    env = {
        **os.environ,
        "RATSINFO_HOME": str(settings.data_dir),
        "RATSINFO_DATABASE_URL": settings.database_url,
    }
    cmd = [sys.executable, "-m", "ratsinfo", "-q", "worker"] + [f"--crawl={i}" for i in crawl_ids]
    return [
        subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, preexec_fn=_die_with_parent)
        for _ in range(count)
    ]


def _die_with_parent() -> None:
    """In a helper worker: get SIGTERM when the crawl that started it dies (Linux), so a killed
    crawl leaves no workers behind; its items go back to the queue on the next crawl."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def work(
    settings: Settings,
    crawl_ids: list[int] | None = None,
    *,
    progress: Progress | None = None,
    shared: bool = True,
    forever: bool = False,
    poll: float = 1.0,
) -> int:
    """Work frontier items of the given crawls (or of every running crawl) until none is left.

    ``shared`` makes politeness go through the database, for when other processes work the
    same hosts; ``forever`` keeps waiting for new crawls instead of returning when idle.
    """
    gate: HostGate | DbHostGate = HostGate()
    if shared or not settings.is_sqlite:
        gate = DbHostGate(settings.database_url)
    raw_store = RawStore(settings.raw_dir)
    workers: dict[int, tuple[CrawlContext, Crawler]] = {}
    name = frontier.worker_name()
    handled, last_report = 0, 0.0
    batch = 5 if shared else 20
    try:
        while True:
            with session_scope(settings.database_url) as session:
                ids = crawl_ids or [c.id for c in frontier.open_crawls(session)]
                items = frontier.claim(session, ids, name, limit=batch) if ids else []
                idle = not items and all(frontier.is_finished(session, i) for i in ids)
            if not items:
                if idle and not forever:
                    return handled
                if not idle:  # other workers hold the remaining items; take over those of dead ones
                    with session_scope(settings.database_url) as session:
                        frontier.release_dead_claims(session, ids)
                time.sleep(poll if idle else 0.5)
                continue
            for item in items:
                ctx, crawler = workers.get(item.crawl_id) or _worker_for(
                    settings, raw_store, gate, item.crawl_id
                )
                workers[item.crawl_id] = (ctx, crawler)
                _handle(ctx, crawler, item)
                handled += 1
                if progress and time.monotonic() - last_report > 0.3:
                    last_report = time.monotonic()
                    with session_scope(settings.database_url) as session:
                        c = frontier.counts(session, item.crawl_id)
                    progress(c.get("done", 0) + c.get("failed", 0), sum(c.values()))
    finally:
        for ctx, _ in workers.values():
            ctx.fetcher.close()


def _handle(ctx: CrawlContext, crawler: Crawler, item: frontier.WorkItem) -> None:
    try:
        crawler.handle(item)
        ctx.count("items_ok")
    except Exception as exc:  # one bad page never stops the crawl
        message = str(exc) if isinstance(exc, RatsinfoError) else _unexpected(exc)
        with ctx.session() as session:
            frontier.finish(session, item.id, error=message)
        ctx.count("items_failed")


def _worker_for(
    settings: Settings, raw_store: RawStore, gate: HostGate | DbHostGate, crawl_id: int
) -> tuple[CrawlContext, Crawler]:
    with session_scope(settings.database_url) as session:
        row = session.get(Crawl, crawl_id)
        assert row is not None
        source = session.get(Source, row.source_id)
        assert source is not None
        options = CrawlOptions.from_json(row.options or {})
        if isinstance(gate, DbHostGate):
            gate.hold = options.timeout + 5  # a dead holder's slot frees itself after this
            gate.per_host = max(1, options.per_host)
        fetcher = _fetcher(settings, raw_store, options, crawl_id=crawl_id, gate=gate)
        ctx = _context(settings, fetcher, row, source, options)
        return ctx, crawler_class(source.kind)(ctx)


def _context(
    settings: Settings, fetcher: Fetcher, row: Crawl, source: Source, options: CrawlOptions
) -> CrawlContext:
    return CrawlContext(
        settings=settings,
        fetcher=fetcher,
        crawl_id=row.id,
        source_id=source.id,
        source_url=source.url,
        options=options,
        modified_since=as_utc(row.modified_since),
    )


def finish_crawl(settings: Settings, crawl_id: int) -> bool:
    """Run the crawler's passes over the whole crawl and mark it done, once its frontier is empty."""
    with session_scope(settings.database_url) as session:
        if not frontier.is_finished(session, crawl_id):
            return False
    raw_store = RawStore(settings.raw_dir)
    ctx, crawler = _worker_for(settings, raw_store, HostGate(), crawl_id)
    try:
        crawler.finalize()
    finally:
        ctx.fetcher.close()
    with session_scope(settings.database_url) as session:
        row = session.get(Crawl, crawl_id)
        assert row is not None
        source = session.get(Source, row.source_id)
        assert source is not None
        if row.status != "done":
            row.status, row.finished_at = "done", utcnow()
            source.last_complete_crawl_started_at = row.started_at
    return True


def crawl_stats(settings: Settings, crawl_id: int) -> dict[str, int]:
    """What a crawl did, counted in the store (right however many workers took part)."""
    with session_scope(settings.database_url) as session:
        new = (
            session.scalar(
                select(func.count()).where(PaperChange.crawl_id == crawl_id, PaperChange.kind == "new")
            )
            or 0
        )
        changed = (
            session.scalar(
                select(func.count(func.distinct(PaperChange.paper_id))).where(
                    PaperChange.crawl_id == crawl_id, PaperChange.kind != "new"
                )
            )
            or 0
        )
        files = (  # downloads through frontier items and right after their page alike
            session.scalar(
                select(func.count())
                .select_from(File)
                .join(RawResponse, RawResponse.id == File.raw_response_id)
                .where(RawResponse.crawl_id == crawl_id)
            )
            or 0
        )
    return {"papers_new": new, "papers_changed": changed, "files_downloaded": files}


def _requests_since(settings: Settings, crawl_id: int, since) -> int:  # type: ignore[no-untyped-def]
    with session_scope(settings.database_url) as session:
        return (
            session.scalar(
                select(func.count()).where(RawResponse.crawl_id == crawl_id, RawResponse.fetched_at >= since)
            )
            or 0
        )


def _open_crawl(settings: Settings, kind: str, url: str, options: CrawlOptions) -> tuple[int, bool]:
    with session_scope(settings.database_url) as session:
        source = get_or_create_source(session, kind, url)
        running = frontier.open_crawls(session, source.id)
        if running:
            return running[-1].id, True
        since = None if options.full else as_utc(source.last_complete_crawl_started_at)
        row = Crawl(
            source_id=source.id,
            started_at=utcnow(),
            status="running",
            modified_since=since,
            options=options.to_json(),
        )
        session.add(row)
        session.flush()
        return row.id, False


def _retry_failures_of_last_crawl(session, source_id: int, crawl_id: int) -> None:  # type: ignore[no-untyped-def]
    """Put what failed in the previous crawl into this one, so no page stays lost.

    Without this an incremental crawl would never see again what a failed list page held,
    since ``modified_since`` only asks for what changed after the previous crawl.
    """
    previous = session.scalar(
        select(Crawl.id)
        .where(Crawl.source_id == source_id, Crawl.id < crawl_id)
        .order_by(Crawl.id.desc())
        .limit(1)
    )
    if previous is None:
        return
    failed = session.execute(
        select(CrawlItem.kind, CrawlItem.url, CrawlItem.payload, CrawlItem.priority).where(
            CrawlItem.crawl_id == previous, CrawlItem.status == "failed"
        )
    ).all()
    for kind, url, payload, priority in failed:
        frontier.enqueue(session, crawl_id, kind, url, payload, priority)


def _item_counts(settings: Settings, crawl_id: int) -> dict[str, int]:
    with session_scope(settings.database_url) as session:
        return frontier.counts(session, crawl_id)


def _failures(settings: Settings, crawl_id: int, limit: int = 50) -> list[tuple[str, str, str]]:
    with session_scope(settings.database_url) as session:
        rows = session.execute(
            select(CrawlItem.kind, CrawlItem.url, CrawlItem.error)
            .where(CrawlItem.crawl_id == crawl_id, CrawlItem.status == "failed")
            .order_by(CrawlItem.id)
            .limit(limit)
        ).all()
    return [(k, u, e or "") for k, u, e in rows]


def failure_count(settings: Settings, crawl_id: int) -> int:
    with session_scope(settings.database_url) as session:
        return (
            session.scalar(
                select(func.count()).where(CrawlItem.crawl_id == crawl_id, CrawlItem.status == "failed")
            )
            or 0
        )


def _fetcher(
    settings: Settings,
    raw_store: RawStore,
    options: CrawlOptions,
    crawl_id: int | None,
    gate: HostGate | DbHostGate | None = None,
) -> Fetcher:
    return Fetcher(
        settings.database_url,
        raw_store,
        crawl_id=crawl_id,
        delay=options.delay,
        timeout=options.timeout,
        retries=options.retries,
        gate=gate,
    )  # type: ignore[arg-type]


def _unexpected(exc: Exception) -> str:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    where = f" at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno}" if frame else ""
    return f"{exc.__class__.__name__}: {exc}{where}"
