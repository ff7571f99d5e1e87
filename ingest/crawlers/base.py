"""The small interface every source's crawler implements, and what they share.

A crawler seeds the frontier with its start URL and handles one frontier item at a time:
fetch (through the polite, recording :class:`~ratsinfo.ingest.http.Fetcher`), parse, save,
enqueue what the response links to. The runner owns the loop, failures and resumption, so a
crawler only knows its vendor's formats and quirks.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from ratsinfo.core.config import Settings
from ratsinfo.ingest import frontier
from ratsinfo.ingest.frontier import WorkItem
from ratsinfo.ingest.http import Fetcher, FetchResult
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import Crawl, Source
from ratsinfo.store.raw import RawStore

DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass
class CrawlOptions:
    """What the user asked of one crawl."""

    delay: float = 0.5
    timeout: float = 30.0
    retries: int = 3
    since: date | None = None
    until: date | None = None
    files: bool = True
    extract: bool = True
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    workers: int = 1  # processes working the frontier together
    per_host: int = 1  # requests to one host at the same time, across all workers
    extract_workers: int | None = None  # processes extracting files (default: ``workers``)
    full: bool = False  # ignore the incremental watermark
    html: bool = True  # an OParl paper's ALLRIS/SessionNet page fills what OParl lacks
    body: str | None = None  # the body (council) an HTML-only source's papers belong to

    def to_json(self) -> dict[str, Any]:
        return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.__dict__.items()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CrawlOptions:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        for key in ("since", "until"):
            if known.get(key):
                known[key] = date.fromisoformat(known[key])
        return cls(**known)


@dataclass
class CrawlContext:
    """Everything a handler needs: settings, the fetcher, the crawl it works for."""

    settings: Settings
    fetcher: Fetcher
    crawl_id: int
    source_id: int
    source_url: str
    options: CrawlOptions
    modified_since: datetime | None = None
    stats: dict[str, int] = field(default_factory=dict)

    @property
    def raw_store(self) -> RawStore:
        return self.fetcher.raw_store

    @contextmanager
    def session(self) -> Iterator[Session]:
        with session_scope(self.settings.database_url) as session:
            yield session

    def count(self, key: str, n: int = 1) -> None:
        self.stats[key] = self.stats.get(key, 0) + n

    def enqueue(
        self, session: Session, kind: str, url: str, payload: dict[str, Any] | None = None, priority: int = 0
    ) -> None:
        frontier.enqueue(session, self.crawl_id, kind, url, payload, priority)


class Crawler(ABC):
    """One source system's crawler (OParl, ALLRIS, SessionNet)."""

    kind: ClassVar[str]

    def __init__(self, ctx: CrawlContext):
        self.ctx = ctx

    @classmethod
    @abstractmethod
    def recognise(cls, url: str, start: FetchResult | None) -> bool:
        """Whether ``url`` (and the already fetched start response) belongs to this system."""

    @abstractmethod
    def seed(self, session: Session, crawl: Crawl, source: Source, start: FetchResult | None) -> None:
        """Put the first items of a new crawl into the frontier."""

    @abstractmethod
    def handle(self, item: WorkItem) -> None:
        """Process one item, mark it finished in the same transaction as its results; raise on failure."""

    def finalize(self) -> None:  # noqa: B027 - optional hook
        """Passes over the whole crawl once the frontier is empty (e.g. resolving references)."""

    def finish_item(self, session: Session, item: WorkItem) -> None:
        frontier.finish(session, item.id)
