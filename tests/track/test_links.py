"""Families: links between papers, found in any crawl order, kept up to date incrementally, and
always the same as a full recomputation (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import select, update

from ratsinfo.core.record import PaperRecord
from ratsinfo.store.db import session_scope, utcnow
from ratsinfo.store.entities import upsert_entity
from ratsinfo.store.models import Body, File, Paper, PaperLink
from ratsinfo.store.papers import get_or_create_source, save_paper
from ratsinfo.track.links import family, update_links

API = "https://ris.example/oparl"


def _save(
    settings, reference: str, paper_type: str, *, body: str = "bs", number: int | None = None, **fields
) -> int:
    """Save an OParl paper of ``body``; returns its id."""
    number = number if number is not None else abs(hash((body, reference))) % 10**8
    with session_scope(settings.database_url) as session:
        source = get_or_create_source(session, "oparl", f"{API}/{body}/system")
        body_row = upsert_entity(session, Body, f"{API}/{body}/bodies/1", {"name": f"Stadt {body}"})
        record = PaperRecord(
            source="oparl",
            id=f"{API}/{body}/papers/{number}",
            reference=reference,
            name=fields.pop("name", f"Vorlage {reference}"),
            paper_type=paper_type,
            date=fields.pop("date", "2021-03-01"),
            **fields,
        )
        return save_paper(
            session, source, record, external_id=record.id, raw_ids=[], body_id=body_row.id
        ).paper_id


def _links(settings) -> set[tuple[int, str, str, int | None]]:
    with session_scope(settings.database_url) as session:
        return {
            (link.paper_id, link.kind, link.ref_key, link.target_id)
            for link in session.scalars(select(PaperLink))
        }


def _targets(settings, paper_id: int) -> dict[str, set[int | None]]:
    out: dict[str, set[int | None]] = {}
    for pid, kind, _, target in _links(settings):
        if pid == paper_id:
            out.setdefault(kind, set()).add(target)
    return out


def _family(settings, paper_id: int) -> set[int]:
    with session_scope(settings.database_url) as session:
        return set(family(session, paper_id))


def test_links_wait_for_papers_crawled_later(settings):
    answer = _save(settings, "21-15513-01", "Stellungnahme", related_paper=["21-15513"])
    update_links(settings)
    assert _targets(settings, answer) == {"supplement": {None}, "related": {None}}
    anfrage = _save(settings, "21-15513", "Anfrage", date="2021-02-09")
    stats = update_links(settings)
    assert stats.papers == 1 and stats.resolved == 2
    assert _targets(settings, answer) == {"supplement": {anfrage}, "related": {anfrage}}
    assert _family(settings, anfrage) == {anfrage, answer}
    assert update_links(settings).papers == 0  # nothing changed: nothing to do


def test_vendor_supplement_forms_and_urls(settings):
    base = _save(settings, "2013/0050", "Anfrage", number=1)
    slashed = _save(settings, "2013/0050/1", "Stellungnahme", number=2)
    dotted_base = _save(settings, "469/2026", "Antrag", number=3)
    dotted = _save(settings, "469/2026.01", "Stellungnahme", number=4)
    # OParl names a related paper by URL; it resolves by the paper's OParl id
    by_url = _save(settings, "470/2026", "Beschlussvorlage", number=5, related_paper=[f"{API}/bs/papers/3"])
    update_links(settings)
    assert _targets(settings, slashed) == {"supplement": {base}}
    assert _targets(settings, dotted) == {"supplement": {dotted_base}}
    assert _targets(settings, by_url) == {"related": {dotted_base}}
    assert _family(settings, dotted_base) == {dotted_base, dotted, by_url}


def test_references_in_text_and_files_stay_within_the_body(settings):
    antrag = _save(settings, "21-16410", "Antrag", date="2021-06-01")
    elsewhere = _save(settings, "21-16410", "Antrag", body="wob")  # same number, other council
    vorlage = _save(
        settings,
        "21-16744",
        "Beschlussvorlage",
        text={"Sachverhalt": "Mit dem Antrag 21-16410 hat der Rat die Verwaltung beauftragt …"},
    )
    update_links(settings)
    assert _targets(settings, vorlage) == {"mentions": {antrag}}
    assert elsewhere not in _family(settings, antrag)
    assert _family(settings, antrag) == {antrag, vorlage}  # one step over a mention

    # an attachment's text, once extracted, links too (extraction bumps updated_at)
    mitteilung = _save(settings, "21-17000", "Mitteilung")
    with session_scope(settings.database_url) as session:
        session.add(
            File(paper_id=mitteilung, name="Anlage", text="Bezug: Drucksache 21-16744", extract_status="ok")
        )
        session.execute(update(Paper).where(Paper.id == mitteilung).values(updated_at=utcnow()))
    assert update_links(settings).papers == 1
    assert _targets(settings, mitteilung) == {"mentions": {vorlage}}
    # mentions are followed one step only: the Mitteilung is not in the Antrag's family
    assert mitteilung not in _family(settings, antrag)


def test_unknown_supplement_falls_back_and_moves_when_it_arrives(settings):
    antrag = _save(settings, "21-16410", "Antrag")
    vorlage = _save(settings, "21-16800", "Beschlussvorlage", text={"Begründung": "siehe 21-16410-02"})
    update_links(settings)
    assert _targets(settings, vorlage) == {"mentions": {antrag}}
    second = _save(settings, "21-16410-02", "Stellungnahme")
    update_links(settings)
    assert _targets(settings, vorlage) == {"mentions": {second}}


def test_incremental_equals_full_after_changes(settings):
    anfrage = _save(settings, "22-17801", "Anfrage", number=1)
    answer = _save(settings, "22-17801-01", "Stellungnahme", number=2)
    other = _save(
        settings, "22-17900", "Beschlussvorlage", number=3, text={"Sachverhalt": "Anfrage 22-17801"}
    )
    update_links(settings)
    # the council renumbers the Anfrage: what named the old number no longer finds it
    _save(settings, "22-17802", "Anfrage", number=1)
    update_links(settings)
    assert _targets(settings, answer) == {"supplement": {None}}
    assert _targets(settings, other) == {"mentions": {None}}
    incremental = _links(settings)
    update_links(settings, full=True)
    assert _links(settings) == incremental
    assert _family(settings, anfrage) == {anfrage}
