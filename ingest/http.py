"""A polite HTTP client that keeps every response it receives.

One request at a time per host with a delay between requests, robots.txt honoured (and its
Crawl-delay), 429 and 5xx retried with exponential backoff and Retry-After, timeouts, and a
User-Agent that names the tool. Every response (errors included) is written to the raw store
and the ``raw_response`` table before anything parses it.
"""

from __future__ import annotations

import email.utils
import threading
import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any
from urllib.parse import urlsplit

import httpx
from sqlalchemy import insert

from ratsinfo.core.errors import FetchError
from ratsinfo.store.db import session_scope, utcnow
from ratsinfo.store.models import RawResponse
from ratsinfo.store.raw import RawStore

try:
    __version__ = version("ratsinfo")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0"

USER_AGENT = f"ratsinfo/{__version__} (council paper search; +https://pypi.org/project/ratsinfo/)"
ROBOTS_AGENT = "ratsinfo"
RETRY_STATUS = {429, 500, 502, 503, 504}
DEFAULT_MAX_BYTES = 100 * 1024 * 1024


@dataclass
class FetchResult:
    """A stored response: its raw id links every record parsed from it back to the bytes."""

    url: str
    status: int
    raw_id: int
    sha256: str
    size: int
    content_type: str | None
    headers: dict[str, str]
    raw_store: RawStore = field(repr=False)

    @property
    def content(self) -> bytes:
        return self.raw_store.read(self.sha256)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


class HostGate:
    """In-process politeness: at most one request per host at a time, ``delay`` apart."""

    def __init__(self) -> None:
        self._next: dict[str, float] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def _lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(host, threading.Lock())

    def run(self, host: str, delay: float, request: Callable[[], Any]) -> Any:
        with self._lock(host):
            wait = self._next.get(host, 0.0) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            try:
                return request()
            finally:
                self._next[host] = time.monotonic() + delay


class Fetcher:
    """Fetch URLs politely and record every response in the raw store."""

    def __init__(
        self,
        database_url: str,
        raw_store: RawStore,
        *,
        crawl_id: int | None = None,
        delay: float = 0.5,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 120.0,
        respect_robots: bool = True,
        gate: HostGate | None = None,
        user_agent: str = USER_AGENT,
        transport: httpx.BaseTransport | None = None,
    ):
        self.database_url = database_url
        self.raw_store = raw_store
        self.crawl_id = crawl_id
        self.delay = delay
        self.retries = retries
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.respect_robots = respect_robots
        self.gate = gate or HostGate()
        self.requests_made = 0
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.client = httpx.Client(
            headers={"User-Agent": user_agent},
            timeout=httpx.Timeout(timeout),
            follow_redirects=True,
            transport=transport,
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- public -------------------------------------------------------------------------------

    def fetch(
        self,
        url: str,
        *,
        method: str = "GET",
        params: dict[str, Any] | None = None,
        data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        max_bytes: int | None = DEFAULT_MAX_BYTES,
        accept_status: tuple[int, ...] = (),
    ) -> FetchResult:
        """The stored response for ``url``; raises :class:`FetchError` once retries are spent.

        Statuses in ``accept_status`` (e.g. 304) are returned rather than raised.
        """
        if params:
            url = str(httpx.URL(url).copy_merge_params(params))
        if self.respect_robots and not self.allowed(url):
            raise FetchError(f"{url}: disallowed by robots.txt")
        host = urlsplit(url).netloc
        attempt = 0
        while True:
            attempt += 1
            try:
                result = self.gate.run(
                    host, self._host_delay(url), lambda: self._once(method, url, data, headers, max_bytes)
                )
            except httpx.TransportError as exc:
                if attempt > self.retries:
                    raise FetchError(f"{url}: {_describe(exc)} (after {attempt} attempts)") from None
                time.sleep(self._backoff(attempt, None))
                continue
            if result.ok or result.status in accept_status:
                return result
            if result.status in RETRY_STATUS and attempt <= self.retries:
                time.sleep(self._backoff(attempt, result.headers.get("retry-after")))
                continue
            raise FetchError(f"{url}: HTTP {result.status}", status=result.status)

    def allowed(self, url: str) -> bool:
        parser = self._robots_for(url)
        return True if parser is None else parser.can_fetch(ROBOTS_AGENT, url)

    # --- internals ----------------------------------------------------------------------------

    def _once(
        self,
        method: str,
        url: str,
        data: dict[str, Any] | None,
        headers: dict[str, str] | None,
        max_bytes: int | None,
    ) -> FetchResult:
        self.requests_made += 1
        with self.client.stream(method, url, data=data, headers=headers) as response:
            try:
                declared = int(response.headers.get("content-length") or 0)
            except ValueError:
                declared = 0
            if max_bytes is not None and declared > max_bytes:
                raise FetchError(f"{url}: {declared} bytes is larger than the limit of {max_bytes} bytes")
            try:
                sha, size = self.raw_store.put_stream(response.iter_bytes(), limit=max_bytes)
            except ValueError as exc:
                raise FetchError(f"{url}: {exc}") from None
            return self._record(url, method, data, response, sha, size)

    def _record(
        self,
        url: str,
        method: str,
        data: dict[str, Any] | None,
        response: httpx.Response,
        sha: str,
        size: int,
    ) -> FetchResult:
        headers = {k.lower(): v for k, v in response.headers.items()}
        values = dict(
            url=url,
            method=method,
            request_data=data,
            fetched_at=utcnow(),
            status=response.status_code,
            content_type=headers.get("content-type"),
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
            sha256=sha,
            size=size,
            crawl_id=self.crawl_id,
        )
        with session_scope(self.database_url) as session:
            raw_id = session.execute(
                insert(RawResponse).values(**values).returning(RawResponse.id)
            ).scalar_one()
        return FetchResult(
            url=str(response.url),
            status=response.status_code,
            raw_id=raw_id,
            sha256=sha,
            size=size,
            content_type=headers.get("content-type"),
            headers=headers,
            raw_store=self.raw_store,
        )

    def _backoff(self, attempt: int, retry_after: str | None) -> float:
        wait = self.backoff * 2 ** (attempt - 1)
        if retry_after:
            parsed = _retry_after_seconds(retry_after)
            if parsed is not None:
                wait = parsed
        return max(0.0, min(wait, self.max_backoff))

    def _host_delay(self, url: str) -> float:
        parser = self._robots.get(_origin(url))
        crawl_delay = parser.crawl_delay(ROBOTS_AGENT) if parser else None
        return max(self.delay, float(crawl_delay or 0))

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | None:
        origin = _origin(url)
        if origin in self._robots:
            return self._robots[origin]
        parser: urllib.robotparser.RobotFileParser | None = urllib.robotparser.RobotFileParser()
        try:
            result = self.gate.run(
                urlsplit(url).netloc,
                self.delay,
                lambda: self._once("GET", origin + "/robots.txt", None, None, 512 * 1024),
            )
        except (httpx.TransportError, FetchError):
            result = None
        if result is None or result.status >= 500:
            # RFC 9309: an unreachable robots.txt means "assume complete disallow"
            parser.parse(["User-agent: *", "Disallow: /"])  # type: ignore[union-attr]
        elif result.status >= 400:
            parser = None  # no robots.txt: everything is allowed
        else:
            parser.parse(result.content.decode("utf-8", "replace").splitlines())  # type: ignore[union-attr]
        self._robots[origin] = parser
        return parser


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _retry_after_seconds(value: str) -> float | None:
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _describe(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, httpx.ConnectError):
        return "connection failed"
    return exc.__class__.__name__
