"""Shared fixtures: the real corpus, data dirs, the databases to test against, local RIS servers.

Store tests run on SQLite and, when PostgreSQL answers on 127.0.0.1:5432 (as in CI), on
PostgreSQL too: each such test gets a database of its own, dropped afterwards.
"""

from __future__ import annotations

import json
import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from ratsinfo.core.config import Settings, load_settings
from ratsinfo.demo.server import Response, Site, SiteServer, mirror_oparl_directory
from ratsinfo.store.db import reset_engines

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("RATSINFO_CORPUS", ROOT.parent / "shared" / "corpus"))
PG_ADMIN_URL = os.environ.get("RATSINFO_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
HUERTGENWALD_ORIGIN = "https://sdnetrim.kdvz-frechen.de"
HUERTGENWALD_BODY_PATH = "/rim4220/webservice/oparl/v1.0/body/1"


def _pg_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            return True
    except OSError:
        return False


PG_AVAILABLE = _pg_available()
DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real RIS corpus (../shared/corpus); tests that need it skip where it is absent."""
    if not CORPUS.is_dir():
        pytest.skip(f"real RIS corpus not found at {CORPUS} (set RATSINFO_CORPUS to its path)")
    return CORPUS


@pytest.fixture
def fixtures_dir() -> Path:
    return ROOT / "tests" / "fixtures"


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: SQLite in tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ratsinfo.db'}"
        reset_engines()
        return
    if not PG_AVAILABLE:
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    with fresh_pg_database() as url:
        yield url
        reset_engines()


@contextmanager
def fresh_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test (or module), dropped afterwards."""
    import psycopg

    name = f"ratsinfo_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        reset_engines()
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings with a data dir in tmp_path and the parametrised database (env set for subprocesses)."""
    data = tmp_path / "data"
    monkeypatch.setenv("RATSINFO_HOME", str(data))
    monkeypatch.setenv("RATSINFO_DATABASE_URL", database_url)
    return load_settings(data)


@pytest.fixture
def sqlite_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    """Settings on SQLite only, for tests about something other than the store."""
    data = tmp_path / "data"
    monkeypatch.setenv("RATSINFO_HOME", str(data))
    monkeypatch.delenv("RATSINFO_DATABASE_URL", raising=False)
    yield load_settings(data)
    reset_engines()


@pytest.fixture
def site() -> Iterator[tuple[Site, str]]:
    """An empty local site and its origin; tests add routes."""
    s = Site()
    server = SiteServer(s)
    origin = server.start()
    yield s, origin
    server.stop()


TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def huertgenwald_site(corpus: Path, site: Site, origin: str, paper_pages: int | None = None) -> str:
    """Serve the captured Hürtgenwald OParl crawl on ``origin``; returns the Body URL.

    Files the capture lists are served as a small PDF, like the server would send them.
    ``paper_pages`` serves only that many pages of the paper list (for quicker tests).
    """
    folder = corpus / "oparl" / "real" / "huertgenwald_sdnet_full"
    mirror_oparl_directory(site, folder, HUERTGENWALD_ORIGIN, origin, paper_pages)
    site.file_factory = lambda path: Response(200, TINY_PDF, "application/pdf") if "/files/" in path else None
    return origin + HUERTGENWALD_BODY_PATH


@pytest.fixture(scope="session")
def huertgenwald_crawled(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """The whole Hürtgenwald capture crawled once (files downloaded, not extracted) into a template
    data dir. Tests copy the data dir with :func:`copy_data` before changing anything."""
    from click.testing import CliRunner

    from ratsinfo.cli import main

    template = tmp_path_factory.mktemp("huertgenwald") / "data"
    site = Site()
    server = SiteServer(site)
    origin = server.start()
    body_url = huertgenwald_site(corpus_dir, site, origin)
    old = {k: os.environ.pop(k, None) for k in ("RATSINFO_DATABASE_URL", "RATSINFO_HOME")}
    try:
        result = CliRunner().invoke(
            main, ["--data-dir", str(template), "crawl", body_url, "--delay", "0", "--no-extract"]
        )
        assert result.exit_code == 0, result.output
    finally:
        reset_engines()
        for k, v in old.items():
            if v is not None:
                os.environ[k] = v
    yield Crawled(template, site.count(), site, body_url, result.output)
    server.stop()


@dataclass
class Crawled:
    """A crawl done once per test session; its server keeps running for incremental crawls."""

    data_dir: Path
    requests: int
    site: Site
    body_url: str
    output: str


def copy_data(template: Path, target: Path) -> Path:
    """A private copy of a crawled data dir (SQLite database, raw store and index)."""
    import shutil

    shutil.copytree(template, target)
    return target


def huertgenwald_papers(corpus: Path) -> list[dict]:
    folder = corpus / "oparl" / "real" / "huertgenwald_sdnet_full"
    papers = []
    for page in sorted(folder.glob("paper_page-*.json")):
        papers.extend(json.loads(page.read_text(encoding="utf-8"))["data"])
    return papers
