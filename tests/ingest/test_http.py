"""The polite fetcher: retries, Retry-After, robots.txt, timeouts, limits, and the raw store."""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest
from sqlalchemy import select

from ratsinfo.core.errors import FetchError
from ratsinfo.demo.server import Fault, Response
from ratsinfo.ingest.http import USER_AGENT, Fetcher, _retry_after_seconds
from ratsinfo.store.db import get_engine, session_scope
from ratsinfo.store.models import RawResponse
from ratsinfo.store.raw import RawStore


@pytest.fixture
def fetcher(sqlite_settings):
    get_engine(sqlite_settings.database_url)
    f = Fetcher(
        sqlite_settings.database_url,
        RawStore(sqlite_settings.raw_dir),
        delay=0,
        timeout=2,
        retries=3,
        backoff=0.01,
    )
    yield f
    f.close()


def test_response_is_kept_with_headers_and_hash(site, fetcher, sqlite_settings):
    s, origin = site
    body = "Öffentliche Sitzung".encode()
    s.add(
        origin + "/page",
        Response(
            200,
            body,
            "text/html; charset=utf-8",
            {"ETag": '"abc"', "Last-Modified": "Tue, 23 Mar 2021 10:00:00 GMT"},
        ),
    )
    result = fetcher.fetch(origin + "/page")
    assert result.content == body
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    with session_scope(sqlite_settings.database_url) as session:
        raw = session.get(RawResponse, result.raw_id)
        assert (raw.status, raw.etag, raw.last_modified) == (200, '"abc"', "Tue, 23 Mar 2021 10:00:00 GMT")
        assert raw.content_type == "text/html; charset=utf-8"
        assert raw.size == len(body)
    assert RawStore(sqlite_settings.raw_dir).read(result.sha256) == body
    assert s.user_agents == {USER_AGENT}
    assert USER_AGENT.startswith("ratsinfo/")


def test_server_errors_are_retried_and_every_response_kept(site, fetcher, sqlite_settings):
    s, origin = site
    s.add(origin + "/flaky", Response(200, b"{}"))
    s.fault(origin + "/flaky", Fault(Response(503, b"busy"), times=2))
    result = fetcher.fetch(origin + "/flaky")
    assert result.status == 200
    with session_scope(sqlite_settings.database_url) as session:
        statuses = session.scalars(
            select(RawResponse.status).where(RawResponse.url == origin + "/flaky")
        ).all()
    assert sorted(statuses) == [200, 503, 503]


def test_429_waits_as_retry_after_says(site, fetcher):
    s, origin = site
    s.add(origin + "/limited", Response(200, b"ok"))
    s.fault(origin + "/limited", Fault(Response(429, b"slow down", headers={"Retry-After": "1"}), times=1))
    started = time.monotonic()
    assert fetcher.fetch(origin + "/limited").content == b"ok"
    assert time.monotonic() - started >= 0.9


def test_retry_after_forms():
    assert _retry_after_seconds("120") == 120
    assert _retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past
    assert _retry_after_seconds("soon") is None


def test_errors_after_retries_are_fetch_errors(site, fetcher):
    s, origin = site
    s.fault(origin + "/down", Fault(Response(500, b"boom")))
    with pytest.raises(FetchError, match="HTTP 500"):
        fetcher.fetch(origin + "/down")
    assert s.count(lambda t: t == "/down") == 4  # first try and three retries
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher.fetch(origin + "/missing")
    assert s.count(lambda t: t == "/missing") == 1  # 404 is final


def test_timeouts_are_retried_then_reported(site, fetcher):
    s, origin = site
    s.add(origin + "/slow", Response(200, b"late"))
    s.fault(origin + "/slow", Fault(delay=1.5))
    fetcher.retries = 1
    fetcher.client.timeout = httpx.Timeout(0.5)
    with pytest.raises(FetchError, match="timed out"):
        fetcher.fetch(origin + "/slow")


def test_robots_txt_is_honoured(site, fetcher):
    s, origin = site
    s.add(origin + "/robots.txt", Response(200, b"User-agent: *\nDisallow: /intern/\n", "text/plain"))
    s.add(origin + "/intern/geheim", Response(200, b"no"))
    s.add(origin + "/public", Response(200, b"yes"))
    with pytest.raises(FetchError, match=r"robots\.txt"):
        fetcher.fetch(origin + "/intern/geheim")
    assert fetcher.fetch(origin + "/public").content == b"yes"
    assert s.count(lambda t: t.startswith("/intern")) == 0


def test_size_limit(site, fetcher):
    s, origin = site
    s.add(origin + "/big.pdf", Response(200, b"%PDF" + b"0" * 5000, "application/pdf"))
    with pytest.raises(FetchError, match="larger than the limit"):
        fetcher.fetch(origin + "/big.pdf", max_bytes=1000)


def test_delay_between_requests_to_one_host(site, sqlite_settings):
    s, origin = site
    s.add(origin + "/a", Response(200, b"a"))
    get_engine(sqlite_settings.database_url)
    with Fetcher(sqlite_settings.database_url, RawStore(sqlite_settings.raw_dir), delay=0.3) as polite:
        polite.fetch(origin + "/a")  # robots.txt and /a
        started = time.monotonic()
        polite.fetch(origin + "/a")
        assert time.monotonic() - started >= 0.25
