"""Saving records: identity, merging sources, change history, index flags (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select

from ratsinfo.core.record import Consultation, FileRef, PaperRecord
from ratsinfo.store.db import get_engine, session_scope
from ratsinfo.store.entities import upsert_entity
from ratsinfo.store.models import Body, File, Paper, PaperChange
from ratsinfo.store.papers import find_papers, get_or_create_source, paper_record, save_paper


def _oparl_record(**changes) -> PaperRecord:
    record = PaperRecord(
        source="oparl",
        id="https://ris.example/oparl/papers/7",
        web="https://ris.example/public/vo020?VOLFDNR=7",
        reference="21-15513-01",
        name="Sachstand zur Umsetzung der Smart City Strategie",
        paper_type="Stellungnahme",
        date="2021-03-19",
        under_direction_of=["10 Fachbereich Zentrale Dienste"],
        consultation=[
            Consultation(date="2021-03-23", organization="Rat der Stadt Braunschweig", role="zur Kenntnis")
        ],
        file=[FileRef(name="Stellungnahme", access_url="https://ris.example/doc/1.pdf", mime_type="pdf")],
    )
    for key, value in changes.items():
        setattr(record, key, value)
    return record


def _html_record() -> PaperRecord:
    return PaperRecord(
        source="allris",
        id="7",
        web="https://ris.example/public/vo020?VOLFDNR=7",
        reference="21-15513-01",
        name="Sachstand zur Umsetzung der Smart City Strategie",
        paper_type="Stellungnahme",
        status="öffentlich (Vorlage freigegeben)",
        participating=["01 Fachbereich Zentrale Steuerung"],
        responsible=["Dr. Kornblum"],
        consultation=[
            Consultation(
                date="2021-03-23",
                organization="Rat der Stadt Braunschweig",
                role="zur Kenntnis",
                meeting="Sitzung des Rates",
                state="erledigt",
            )
        ],
        text={"Sachverhalt": "Der in der Anfrage geschilderte Sachverhalt …"},
    )


def _setup(session):
    oparl = get_or_create_source(session, "oparl", "https://ris.example/oparl/system")
    body = upsert_entity(session, Body, "https://ris.example/oparl/bodies/1", {"name": "Stadt Braunschweig"})
    return oparl, body


def test_new_changed_unchanged_and_history(database_url):
    get_engine(database_url)
    with session_scope(database_url) as session:
        source, body = _setup(session)
        first = save_paper(session, source, _oparl_record(), external_id="p7", raw_ids=[1], body_id=body.id)
        again = save_paper(session, source, _oparl_record(), external_id="p7", raw_ids=[2], body_id=body.id)
        assert (first.status, again.status) == ("new", "unchanged")
        paper = session.get(Paper, first.paper_id)
        paper.needs_index = False
        changed = save_paper(
            session,
            source,
            _oparl_record(
                name="Sachstand Smart City",
                consultation=[
                    Consultation(
                        date="2021-03-23",
                        organization="Rat der Stadt Braunschweig",
                        role="zur Kenntnis",
                        result="zur Kenntnis genommen",
                    )
                ],
            ),
            external_id="p7",
            raw_ids=[3],
            body_id=body.id,
        )
        assert changed.status == "changed"
        assert paper.needs_index is True
        changes = session.scalars(
            select(PaperChange).where(PaperChange.paper_id == paper.id).order_by(PaperChange.id)
        ).all()
        summary = [(c.field, c.kind) for c in changes]
        assert summary[0] == ("paper", "new")
        assert ("name", "changed") in summary
        assert ("consultation", "changed") in summary
        name_change = next(c for c in changes if c.field == "name")
        assert (name_change.old, name_change.new) == (
            "Sachstand zur Umsetzung der Smart City Strategie",
            "Sachstand Smart City",
        )
        assert len(session.scalars(select(Paper)).all()) == 1


def test_html_fills_what_oparl_lacks(database_url):
    get_engine(database_url)
    with session_scope(database_url) as session:
        oparl, body = _setup(session)
        html = get_or_create_source(session, "allris", "https://ris.example/public/")
        a = save_paper(session, oparl, _oparl_record(), external_id="p7", raw_ids=[1], body_id=body.id)
        b = save_paper(session, html, _html_record(), external_id="7", raw_ids=[2], body_id=body.id)
        assert a.paper_id == b.paper_id
        record = paper_record(session, session.get(Paper, a.paper_id))
    assert record["source"] == "allris"
    assert record["date"] == "2021-03-19"  # from OParl
    assert record["participating"] == ["01 Fachbereich Zentrale Steuerung"]  # from HTML
    assert record["responsible"] == ["Dr. Kornblum"]
    assert record["status"] == "öffentlich (Vorlage freigegeben)"
    assert record["consultation"][0]["state"] == "erledigt"
    assert record["text"]["Sachverhalt"].startswith("Der in der Anfrage")
    assert record["file"][0]["mimeType"] == "application/pdf"
    assert record["sources"] == ["allris", "oparl"]


def test_file_rows_survive_unrelated_changes(database_url):
    get_engine(database_url)
    with session_scope(database_url) as session:
        source, body = _setup(session)
        result = save_paper(session, source, _oparl_record(), external_id="p7", raw_ids=[1], body_id=body.id)
        row = session.scalar(select(File).where(File.paper_id == result.paper_id))
        row.sha256, row.download_status, row.text = "ab" * 32, "ok", "Text der Anlage"
        file_id = row.id
        save_paper(
            session,
            source,
            _oparl_record(name="Neuer Betreff"),
            external_id="p7",
            raw_ids=[2],
            body_id=body.id,
        )
        row = session.get(File, file_id)
        assert row is not None and row.text == "Text der Anlage" and row.download_status == "ok"
        gone = save_paper(
            session,
            source,
            _oparl_record(name="Neuer Betreff", file=[]),
            external_id="p7",
            raw_ids=[3],
            body_id=body.id,
        )
        assert gone.status == "changed"
        assert session.scalar(select(File).where(File.paper_id == result.paper_id)) is None
        removed = session.scalars(select(PaperChange).where(PaperChange.field == "file")).all()
        assert [c.kind for c in removed] == ["removed"]


def test_find_by_reference_or_id(database_url):
    get_engine(database_url)
    with session_scope(database_url) as session:
        source, body = _setup(session)
        result = save_paper(session, source, _oparl_record(), external_id="p7", raw_ids=[1], body_id=body.id)
        assert [p.id for p in find_papers(session, "21-15513-01")] == [result.paper_id]
        assert [p.id for p in find_papers(session, "https://ris.example/oparl/papers/7")] == [result.paper_id]
        assert find_papers(session, "99-99999") == []
