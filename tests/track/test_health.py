"""The rules of ``health`` on crawl histories written directly: failure shares that jump, crawls
stuck unfinished, files that fail (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

from ratsinfo.store.db import session_scope, utcnow
from ratsinfo.store.models import Crawl, CrawlItem, File, Paper, PaperSource, Source
from ratsinfo.track.health import health


def _source(session, url: str) -> Source:
    source = Source(kind="allris", url=url, name=url.split("//")[1], created_at=utcnow(), state={})
    session.add(source)
    session.flush()
    return source


def _crawl(session, source: Source, days_ago: int, items: int, failed: int, status: str = "done") -> None:
    started = utcnow() - timedelta(days=days_ago)
    crawl = Crawl(
        source_id=source.id,
        started_at=started,
        status=status,
        options={},
        finished_at=started + timedelta(minutes=20) if status == "done" else None,
    )
    session.add(crawl)
    session.flush()
    for i in range(items):
        session.add(
            CrawlItem(
                crawl_id=crawl.id,
                kind="html:paper",
                url=f"{source.url}/vo020?VOLFDNR={i}",
                status="failed" if i < failed else "done",
                created_at=started,
                error="HTTP 500" if i < failed else None,
            )
        )


def _by_url(settings) -> dict[str, list[str]]:
    with session_scope(settings.database_url) as session:
        return {h.source: h.warnings for h in health(session)}


def test_failure_share_that_jumped_is_flagged(settings):
    with session_scope(settings.database_url) as session:
        steady = _source(session, "https://steady.example/bi")
        for days in (21, 14, 7):
            _crawl(session, steady, days, items=40, failed=1)
        broken = _source(session, "https://broken.example/bi")
        _crawl(session, broken, 14, items=40, failed=1)
        _crawl(session, broken, 7, items=40, failed=1)
        _crawl(session, broken, 0, items=40, failed=12)
        stuck = _source(session, "https://stuck.example/bi")
        _crawl(session, stuck, 7, items=10, failed=0)
        _crawl(session, stuck, 3, items=10, failed=0, status="running")
    warnings = _by_url(settings)
    assert warnings["https://steady.example/bi"] == []
    assert warnings["https://broken.example/bi"] == ["12 of 40 items failed in crawl 6: 30% (before: 2%)"]
    assert len(warnings["https://stuck.example/bi"]) == 1
    assert "has not finished" in warnings["https://stuck.example/bi"][0]


def test_files_that_fail_are_flagged(settings):
    now = utcnow()
    with session_scope(settings.database_url) as session:
        source = _source(session, "https://files.example/bi")
        _crawl(session, source, 1, items=5, failed=0)
        paper = Paper(source="allris", name="Haushaltssatzung 2026", first_seen_at=now, updated_at=now)
        session.add(paper)
        session.flush()
        session.add(
            PaperSource(paper_id=paper.id, source_id=source.id, kind="allris", external_id="1", parsed_at=now)
        )
        for i in range(8):
            session.add(
                File(
                    paper_id=paper.id,
                    position=i,
                    name=f"Anlage {i}",
                    download_status="ok",
                    extract_status="failed" if i < 4 else "ok",
                )
            )
    with session_scope(settings.database_url) as session:
        (found,) = health(session)
        assert found.files == {"total": 8, "download_ok": 8, "extract_failed": 4, "extract_ok": 4}
        assert found.warnings == ["4 of 8 files failed to extract (50%)"]
        assert found.to_dict()["attention"] is True
