"""Papers an HTML list stops showing: recorded once as gone, flagged deleted, and back when they
return (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ratsinfo.core.errors import RatsinfoError
from ratsinfo.core.record import Consultation, PaperRecord
from ratsinfo.store.db import session_scope, utcnow
from ratsinfo.store.entities import upsert_entity
from ratsinfo.store.models import Body, Crawl, Paper, PaperChange, PaperSource, Source
from ratsinfo.store.papers import get_or_create_source, save_paper
from ratsinfo.track.changes import mark_disappeared

SITE = "https://ratsinfo.example/bi"
PAPERS = [
    ("1017208", "21-15513", "Anfrage", "Sachstand zur Umsetzung der Smart City Strategie"),
    ("1017623", "21-15513-01", "Stellungnahme", "Sachstand zur Umsetzung der Smart City Strategie"),
    ("1018001", "21-16020", "Beschlussvorlage", "Einrichtung der Stabsstelle 0110 Digitalisierung"),
    ("1018400", "21-16410", "Antrag", "Kostenloses WLAN in der Innenstadt"),
]


def _record(volfdnr: str, reference: str, paper_type: str, name: str) -> PaperRecord:
    return PaperRecord(
        source="allris",
        id=volfdnr,
        web=f"{SITE}/vo020.asp?VOLFDNR={volfdnr}",
        reference=reference,
        name=name,
        paper_type=paper_type,
        date="2021-03-19",
        consultation=[
            Consultation(date="2021-03-23", organization="Rat der Stadt Braunschweig", state="erledigt")
        ],
    )


def _crawl(session, source_id: int) -> int:
    crawl = Crawl(source_id=source_id, started_at=utcnow(), status="running", options={})
    session.add(crawl)
    session.flush()
    return crawl.id


@pytest.fixture
def listed(settings):
    """An ALLRIS source whose list showed four papers."""
    with session_scope(settings.database_url) as session:
        source = get_or_create_source(session, "allris", f"{SITE}/allris.net.asp")
        body = upsert_entity(session, Body, f"{SITE}#body", {"name": "Stadt Braunschweig"})
        crawl_id = _crawl(session, source.id)
        for volfdnr, *rest in PAPERS:
            save_paper(
                session,
                source,
                _record(volfdnr, *rest),
                external_id=volfdnr,
                raw_ids=[],
                body_id=body.id,
                crawl_id=crawl_id,
            )
        return source.id, body.id


def _paper(session, reference: str) -> Paper:
    return session.scalar(select(Paper).where(Paper.reference == reference))


def test_a_paper_gone_from_the_list_is_recorded_once(settings, listed):
    source_id, _ = listed
    seen = [p[0] for p in PAPERS if p[1] != "21-16020"]
    with session_scope(settings.database_url) as session:
        crawl_id = _crawl(session, source_id)
        marked = mark_disappeared(session, source_id, seen, crawl_id)
        gone = _paper(session, "21-16020")
        assert marked == [gone.id]
    with session_scope(settings.database_url) as session:
        gone = _paper(session, "21-16020")
        assert gone.deleted and gone.needs_index
        assert gone.reference == "21-16020" and gone.name  # the paper keeps what it showed
        changes = session.execute(
            select(PaperChange.field, PaperChange.kind, PaperChange.old, PaperChange.crawl_id).where(
                PaperChange.paper_id == gone.id, PaperChange.kind != "new"
            )
        ).all()
        assert changes == [("paper", "removed", "21-16020", crawl_id)]
        assert not _paper(session, "21-15513").deleted
        # the next complete crawl sees the same list: nothing is recorded twice
        assert mark_disappeared(session, source_id, seen, _crawl(session, source_id)) == []
    with session_scope(settings.database_url) as session:
        assert len(session.scalars(select(PaperChange.id).where(PaperChange.kind == "removed")).all()) == 1


def test_a_paper_that_comes_back_is_restored(settings, listed):
    source_id, body_id = listed
    with session_scope(settings.database_url) as session:
        mark_disappeared(session, source_id, [p[0] for p in PAPERS[:3]], None)
    with session_scope(settings.database_url) as session:
        link = session.scalar(select(PaperSource).where(PaperSource.external_id == "1018400"))
        assert link.record["deleted"] is True
        source = session.get(Source, source_id)
        result = save_paper(
            session, source, _record(*PAPERS[3]), external_id="1018400", raw_ids=[], body_id=body_id
        )
        assert result.status == "changed"
    with session_scope(settings.database_url) as session:
        paper = _paper(session, "21-16410")
        assert not paper.deleted
        last = session.scalars(
            select(PaperChange).where(PaperChange.paper_id == paper.id).order_by(PaperChange.id.desc())
        ).first()
        assert (last.field, last.old, last.new) == ("deleted", True, False)


def test_a_list_that_lost_most_papers_is_not_believed(settings, listed):
    source_id, _ = listed
    with session_scope(settings.database_url) as session:
        with pytest.raises(RatsinfoError, match="looks broken"):
            mark_disappeared(session, source_id, [PAPERS[0][0]], None)
        assert not any(p.deleted for p in session.scalars(select(Paper)))
        # the caller may insist (a council that really cleared its list)
        assert len(mark_disappeared(session, source_id, [], None, max_share=1.0)) == 4
