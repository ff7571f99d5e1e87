"""One store with three real councils, indexed by every backend, for the search tests.

``search_template`` (once per session, SQLite): the Hürtgenwald capture crawled from a local
server (2,115 papers, names and metadata), the Karlsruhe capture (56 papers with their file
texts) and the demo council (Braunschweig, with PDFs), each crawled by the project's crawler.
``searched`` copies it for each backend — whoosh, tantivy and, where PostgreSQL answers,
postgres (the rows copied into a fresh PostgreSQL database, the store that backend needs) —
and rebuilds the index there with ``reindex``. Tests only read it; tests that change the
store build their own small one (``small`` in test_index_sync.py).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update

from ratsinfo.core.config import Settings
from ratsinfo.demo.server import Site, SiteServer
from ratsinfo.store.db import reset_engines, session_scope
from ratsinfo.store.models import File
from tests.conftest import PG_ADMIN_URL, PG_AVAILABLE, copy_data
from tests.search.corpora import copy_store, karlsruhe_site

BACKENDS = ["whoosh", "tantivy", pytest.param("postgres", marks=pytest.mark.postgres)]


def sqlite_url(data: Path) -> str:
    return f"sqlite:///{data / 'ratsinfo.db'}"


@pytest.fixture(scope="session")
def search_template(huertgenwald_crawled, corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from ratsinfo.demo.run import run_demo
    from ratsinfo.ingest.crawlers.base import CrawlOptions
    from ratsinfo.ingest.pipeline import after_crawl
    from ratsinfo.ingest.runner import crawl

    data = copy_data(huertgenwald_crawled.data_dir, tmp_path_factory.mktemp("search") / "data")
    settings = Settings(data_dir=data, database_url=sqlite_url(data), index_backend="whoosh")
    try:
        with session_scope(settings.database_url) as session:  # its tiny PDFs hold no text
            session.execute(update(File).values(extract_status="failed", extract_error="not extracted here"))
        site = Site()
        server = SiteServer(site)
        origin = server.start()
        try:
            options = CrawlOptions(delay=0, workers=2)
            summary = crawl(settings, karlsruhe_site(corpus_dir, site, origin), options)
            assert summary.finished and not summary.failed, summary.failures
            after_crawl(settings, options)
        finally:
            server.stop()
        run_demo(settings, lambda _: None, workers=2)
    finally:
        reset_engines()
    return data


@pytest.fixture
def pg_database() -> Iterator[str]:
    """A fresh PostgreSQL database URL (skips where PostgreSQL does not answer)."""
    yield from _pg_database()


def _pg_database() -> Iterator[str]:
    if not PG_AVAILABLE:
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    import psycopg

    name = f"ratsinfo_search_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        reset_engines()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session", params=BACKENDS)
def searched(
    request: pytest.FixtureRequest, search_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Settings]:
    """The three councils indexed by one backend (the store is SQLite, or PostgreSQL for postgres)."""
    from ratsinfo.index.sync import reindex

    backend = request.param
    data = copy_data(search_template, tmp_path_factory.mktemp(backend) / "data")
    if backend != "postgres":
        settings = Settings(data_dir=data, database_url=sqlite_url(data), index_backend=backend)
        reindex(settings)
        yield settings
        reset_engines()
        return
    for url in _pg_database():
        copy_store(sqlite_url(data), url)
        settings = Settings(data_dir=data, database_url=url, index_backend=backend)
        reindex(settings)
        yield settings


@pytest.fixture
def cli_env(searched: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The environment that makes ``ratsinfo`` use ``searched``."""
    monkeypatch.setenv("RATSINFO_HOME", str(searched.data_dir))
    monkeypatch.setenv("RATSINFO_DATABASE_URL", searched.database_url)
    monkeypatch.setenv("RATSINFO_INDEX", searched.index_backend)
    return searched
