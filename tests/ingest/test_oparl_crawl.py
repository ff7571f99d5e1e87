"""Crawling the real Hürtgenwald OParl capture from a local server, end to end through the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from ratsinfo.cli import main
from ratsinfo.core.config import load_settings
from ratsinfo.demo.server import Fault, Response
from ratsinfo.store.db import get_engine, session_scope
from ratsinfo.store.models import File, Paper, PaperChange, PaperSource, RawResponse
from tests.conftest import HUERTGENWALD_ORIGIN, copy_data, huertgenwald_papers, huertgenwald_site

pytestmark = pytest.mark.slow


def _stored(database_url: str) -> dict[str, dict]:
    with session_scope(database_url) as session:
        rows = session.execute(
            select(
                PaperSource.external_id,
                Paper.reference,
                Paper.name,
                Paper.paper_type,
                Paper.date,
                Paper.deleted,
            ).join(Paper, Paper.id == PaperSource.paper_id)
        ).all()
    return {
        r.external_id: {
            "reference": r.reference,
            "name": r.name,
            "paperType": r.paper_type,
            "date": r.date.isoformat() if r.date else None,
            "deleted": r.deleted,
        }
        for r in rows
    }


@pytest.fixture
def crawled_copy(huertgenwald_crawled, tmp_path, monkeypatch):
    """A private copy of the session's crawl, as the current data dir."""
    data = copy_data(huertgenwald_crawled.data_dir, tmp_path / "data")
    monkeypatch.setenv("RATSINFO_HOME", str(data))
    monkeypatch.delenv("RATSINFO_DATABASE_URL", raising=False)
    return load_settings(data)


def test_every_paper_stored_as_the_source_has_it(huertgenwald_crawled, crawled_copy, corpus_dir):
    stored = _stored(crawled_copy.database_url)
    origin = huertgenwald_crawled.body_url.split("/rim4220")[0]
    source_papers = huertgenwald_papers(corpus_dir)
    assert len(source_papers) == 2115
    assert len(stored) == 2115
    for paper in source_papers:
        got = stored[paper["id"].replace(HUERTGENWALD_ORIGIN, origin)]
        if paper.get("deleted"):
            assert got["deleted"] is True
            continue
        assert got["reference"] == paper["reference"].strip()
        assert got["name"] == " ".join(paper["name"].split())
        assert got["paperType"] == paper["paperType"]
        assert got["date"] == paper.get("date")
    with session_scope(crawled_copy.database_url) as session:
        assert (
            session.scalar(select(func.count()).select_from(File).where(File.download_status == "ok")) == 4102
        )
        assert session.scalar(select(func.count()).select_from(Paper)) == 2115
    # the meeting list the capture lacks (404) is reported in the summary, not fatal
    assert "failed oparl:meetings" in huertgenwald_crawled.output


def test_second_crawl_asks_only_for_changes(huertgenwald_crawled, crawled_copy):
    site = huertgenwald_crawled.site
    before = len(site.requests)
    result = CliRunner().invoke(
        main, ["crawl", huertgenwald_crawled.body_url, "--delay", "0", "--no-extract"]
    )
    assert result.exit_code == 0, result.output
    second = site.requests[before:]
    assert len(second) <= 0.05 * huertgenwald_crawled.requests
    lists = [t for _, t in second if "/body/1/" in t and "/meeting" not in t]
    assert lists and all("modified_since=" in target for target in lists)
    # the meeting list failed in the first crawl: the second asks for it again, in full
    assert ("GET", "/rim4220/webservice/oparl/v1.0/body/1/meeting") in second
    assert len(_stored(crawled_copy.database_url)) == 2115


def test_changed_paper_is_updated_and_the_change_recorded(huertgenwald_crawled, crawled_copy):
    listing = huertgenwald_crawled.site.lists["/rim4220/webservice/oparl/v1.0/body/1/paper"]
    paper = next(p for p in listing.pages[40] if p.get("reference") == "145/2014")
    saved = dict(paper)
    paper["name"] = "Projekt RAD MACHT SCHULE: Zuschuss bewilligt"
    paper["modified"] = "2099-01-01T10:00:00+01:00"
    try:
        result = CliRunner().invoke(
            main, ["crawl", huertgenwald_crawled.body_url, "--delay", "0", "--no-extract"]
        )
    finally:
        paper.clear()
        paper.update(saved)
    assert result.exit_code == 0, result.output
    with session_scope(crawled_copy.database_url) as session:
        change = session.scalar(select(PaperChange).where(PaperChange.field == "name"))
        assert change is not None
        assert change.old == 'Projekt des Schulzentrums Hürtgenwald "RAD MACHT SCHULE - kids on bike"'
        assert change.new == "Projekt RAD MACHT SCHULE: Zuschuss bewilligt"
        assert change.seen_at is not None
    shown = json.loads(CliRunner().invoke(main, ["show", "145/2014", "--json"]).output)
    assert shown["name"] == "Projekt RAD MACHT SCHULE: Zuschuss bewilligt"


def test_search_finds_inflected_forms_of_betreff_words(crawled_copy):
    runner = CliRunner()

    def names(query: str) -> list[str]:
        result = runner.invoke(main, ["search", query, "--json", "--limit", "100"])
        assert result.exit_code == 0, result.output
        return [hit["name"] for hit in json.loads(result.output)]

    assert "Umbesetzungen im Bauausschuss" in names("Umbesetzung")
    assert any(n.startswith("Umbesetzung im Rechnungsprüfungsausschuss") for n in names("Umbesetzungen"))
    assert any("Schulzentrum" in n for n in names("Schulzentrums"))
    hits = json.loads(runner.invoke(main, ["search", "Bauausschuss", "--json"]).output)
    assert set(hits[0]) == {"id", "reference", "name", "paperType", "date", "body", "web", "score", "snippet"}
    assert hits[0]["body"] == "Gemeinde Hürtgenwald"


@pytest.mark.parametrize(
    "database_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_sigkill_mid_crawl_then_resume_gives_every_paper_once(corpus_dir, site, settings):
    s, origin = site
    body_url = huertgenwald_site(corpus_dir, s, origin)
    for page in range(1, 86):  # slow pages, so there is time to kill the crawl half way
        s.fault(f"{body_url}/paper?page={page}", Fault(delay=0.05))
    get_engine(settings.database_url)
    env = {
        **os.environ,
        "RATSINFO_HOME": str(settings.data_dir),
        "RATSINFO_DATABASE_URL": settings.database_url,
    }
    cmd = [sys.executable, "-m", "ratsinfo", "crawl", body_url, "--delay", "0", "--no-files"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    count = 0
    while time.monotonic() < deadline:
        with session_scope(settings.database_url) as session:
            count = session.scalar(select(func.count()).select_from(Paper)) or 0
        if count >= 600:
            break
        time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < count < 2115, "the crawl should have been killed half way"

    resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resumed" in resumed.stderr
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Paper)) == 2115
        assert session.scalar(select(func.count(func.distinct(PaperSource.external_id)))) == 2115
        assert session.scalar(select(func.count()).select_from(PaperSource)) == 2115
        assert (
            session.scalar(select(func.count()).select_from(RawResponse)) >= 88
        )  # both runs' responses kept


def test_bad_pages_are_recorded_and_the_crawl_goes_on(corpus_dir, site, sqlite_settings):
    s, origin = site
    body_url = huertgenwald_site(corpus_dir, s, origin, paper_pages=12)
    s.fault(f"{body_url}/paper?page=2", Fault(Response(200, b'{"data": [ {"id": broken')))  # malformed JSON
    s.fault(f"{body_url}/paper?page=3", Fault(Response(500, b"Internal Server Error")))
    runner = CliRunner()
    result = runner.invoke(
        main, ["crawl", body_url, "--delay", "0", "--no-files", "--retries", "1", "--json"]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output[result.output.index("{") : result.output.rindex("}") + 1])
    errors = {f["url"].rsplit("?", 1)[-1]: f["error"] for f in summary["failures"]}
    assert "not valid JSON" in errors["page=2"]
    assert "HTTP 500" in errors["page=3"]
    assert summary["failed"] == 3  # the two pages and the meeting list the capture lacks
    assert (
        len(_stored(sqlite_settings.database_url)) == 12 * 25 - 50
    )  # only the broken pages' papers are missing
    # once the server is healthy, the next (incremental) crawl fetches again what failed
    s.faults.clear()
    again = runner.invoke(main, ["crawl", body_url, "--delay", "0", "--no-files"])
    assert again.exit_code == 0, again.output
    assert len(_stored(sqlite_settings.database_url)) == 12 * 25


def test_clear_errors_for_bad_input(site, sqlite_settings):
    s, origin = site
    s.add_html(origin + "/index.html", b"<html><body>Willkommen</body></html>")
    runner = CliRunner()
    not_oparl = runner.invoke(main, ["crawl", origin + "/index.html", "--delay", "0"])
    assert not_oparl.exit_code == 1
    assert "is not an OParl System or Body" in not_oparl.output
    assert "Traceback" not in not_oparl.output
    missing = runner.invoke(main, ["crawl", origin + "/nothing-here", "--delay", "0", "--retries", "0"])
    assert missing.exit_code == 1 and "HTTP 404" in missing.output
    not_url = runner.invoke(main, ["crawl", "ratsinfo.braunschweig.de"])
    assert not_url.exit_code == 1 and "not an http(s) URL" in not_url.output
    unknown = runner.invoke(main, ["show", "99-99999"])
    assert unknown.exit_code == 1 and "no paper with reference or id '99-99999'" in unknown.output
