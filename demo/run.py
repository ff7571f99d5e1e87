"""``ratsinfo demo``: serve the sample council on loopback, crawl it, and search it.

Everything runs offline. The server prefers a fixed port so the sample keeps the same URLs
from run to run; data of an earlier demo served elsewhere is removed first, so running the
demo twice never doubles its papers.
"""

from __future__ import annotations

import errno
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from ratsinfo.core.config import Settings
from ratsinfo.demo.sample import SampleCouncil
from ratsinfo.demo.server import Site, SiteServer
from ratsinfo.ingest.crawlers.base import CrawlOptions
from ratsinfo.ingest.pipeline import after_crawl
from ratsinfo.ingest.runner import CrawlSummary, crawl
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import Source
from ratsinfo.store.sources import delete_source

DEMO_PORT = 8642


@dataclass
class Demo:
    url: str
    summary: CrawlSummary
    post: dict[str, object]


def start_server(port: int = DEMO_PORT) -> tuple[SiteServer, SampleCouncil]:
    site = Site()
    try:
        server = SiteServer(site, port=port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        server = SiteServer(site, port=0)
    council = SampleCouncil(server.origin)
    council.install(site)
    server.start()
    return server, council


def run_demo(
    settings: Settings,
    say: Callable[[str], None],
    workers: int = 2,
    progress: Callable[[int, int], None] | None = None,
) -> Demo:
    server, council = start_server()
    try:
        url = council.system_url
        say(
            f"Serving the sample council (Stadt Braunschweig, {len(council.council['papers'])} papers) \n"
            f"at {url}"
        )
        _forget_other_demos(settings, url)
        options = CrawlOptions(delay=0, workers=1, extract_workers=workers)  # a small site: one crawler
        summary = crawl(settings, url, options, progress=progress)
        with session_scope(settings.database_url) as session:
            source = session.scalar(select(Source).where(Source.url == url))
            if source is not None:
                source.state = {**(source.state or {}), "demo": True}
        post = after_crawl(settings, options, say=say)
        return Demo(url=url, summary=summary, post=post)
    finally:
        server.stop()


def _forget_other_demos(settings: Settings, url: str) -> None:
    with session_scope(settings.database_url) as session:
        for source in session.scalars(select(Source)).all():
            if (source.state or {}).get("demo") and source.url != url:
                delete_source(session, source.id)
