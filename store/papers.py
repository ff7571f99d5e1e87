"""Saving parsed papers and reading them back as paper records.

Identity: a source's paper is known by (source, its id there). A paper seen for the first time
by one source joins the paper of another source kind with the same body and reference (the
OParl and HTML views of one council), otherwise it becomes a new paper. Every save recomputes
the merged view, records what changed, and flags the paper for the indexer in the same
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ratsinfo.core.record import PAPER_KEYS, PaperRecord, parse_date
from ratsinfo.store.db import utcnow
from ratsinfo.store.merge import content_hash, diff_records, merge_records
from ratsinfo.store.models import Body, ConsultationRow, File, Paper, PaperChange, PaperSource, Source


@dataclass(frozen=True)
class SaveResult:
    paper_id: int
    status: str  # new | changed | unchanged


def get_or_create_source(session: Session, kind: str, url: str, name: str | None = None) -> Source:
    source = session.scalar(select(Source).where(Source.url == url))
    if source is None:
        source = Source(kind=kind, url=url, name=name, created_at=utcnow(), state={})
        session.add(source)
        session.flush()
    return source


def save_paper(
    session: Session,
    source: Source,
    record: PaperRecord,
    *,
    external_id: str,
    raw_ids: list[int],
    body_id: int | None,
    source_modified: datetime | None = None,
    crawl_id: int | None = None,
    deleted: bool = False,
    kind: str | None = None,
) -> SaveResult:
    """Store one source's record of a paper and update the merged paper.

    ``kind`` is the record's source kind where it differs from the source's own, e.g. the
    ALLRIS page an OParl paper links to as its ``web`` page.
    """
    kind = kind or source.kind
    record_dict = record.normalised().to_dict()
    link = session.scalar(
        select(PaperSource).where(PaperSource.source_id == source.id, PaperSource.external_id == external_id)
    )
    if deleted:
        if link is not None and not record_dict.get("name") and not record_dict.get("reference"):
            # a deletion stub says only "deleted": keep what the paper was, marked deleted
            record_dict = {**link.record}
        record_dict["deleted"] = True
    now = utcnow()
    if link is None:
        paper = _matching_paper(session, body_id, record_dict.get("reference"), kind)
        if paper is None:
            paper = Paper(body_id=body_id, source=kind, name="", first_seen_at=now, updated_at=now)
            session.add(paper)
            session.flush()
        link = PaperSource(paper_id=paper.id, source_id=source.id, kind=kind, external_id=external_id)
        session.add(link)
    else:
        paper = session.get(Paper, link.paper_id)  # type: ignore[assignment]
    link.url = record_dict.get("web")
    link.record = record_dict
    link.raw_response_ids = list(raw_ids)
    link.source_modified = source_modified
    link.parsed_at = now
    link.error = None
    session.flush()
    return SaveResult(paper.id, refresh_paper(session, paper, crawl_id=crawl_id))


def refresh_paper(session: Session, paper: Paper, *, crawl_id: int | None = None) -> str:
    """Recompute the merged view of ``paper`` from its sources; record and flag what changed."""
    sources = session.scalars(select(PaperSource).where(PaperSource.paper_id == paper.id)).all()
    merged = merge_records([s.record for s in sources])
    merged["body"] = merged.get("body") or _body_name(session, paper.body_id)
    new_hash = content_hash(merged)
    if paper.content_hash == new_hash:
        return "unchanged"
    is_new = not paper.content_hash
    old = dict(paper.merged or {})
    now = utcnow()
    _apply(session, paper, merged, is_new)
    paper.content_hash = new_hash
    paper.merged = merged
    paper.updated_at = now
    paper.needs_index = True
    if is_new:
        session.add(
            PaperChange(
                paper_id=paper.id,
                crawl_id=crawl_id,
                seen_at=now,
                field="paper",
                kind="new",
                old=None,
                new=merged.get("reference") or merged.get("name"),
            )
        )
        return "new"
    if crawl_id is not None and _new_in_crawl(session, paper.id, crawl_id):
        return "new"  # still being assembled in the crawl that found it (e.g. OParl, then its web page)
    for field, kind, old_value, new_value in diff_records(old, merged):
        session.add(
            PaperChange(
                paper_id=paper.id,
                crawl_id=crawl_id,
                seen_at=now,
                field=field,
                kind=kind,
                old=old_value,
                new=new_value,
            )
        )
    return "changed"


def _new_in_crawl(session: Session, paper_id: int, crawl_id: int) -> bool:
    return (
        session.scalar(
            select(PaperChange.id)
            .where(
                PaperChange.paper_id == paper_id, PaperChange.crawl_id == crawl_id, PaperChange.kind == "new"
            )
            .limit(1)
        )
        is not None
    )


def paper_record(session: Session, paper: Paper, *, with_file_text: bool = True) -> dict[str, Any]:
    """The paper as the spec's record (the shape of ``show --json`` and exports)."""
    files = session.scalars(select(File).where(File.paper_id == paper.id).order_by(File.position)).all()
    steps = session.scalars(
        select(ConsultationRow).where(ConsultationRow.paper_id == paper.id).order_by(ConsultationRow.position)
    ).all()
    extra = dict(paper.extra or {})
    record = PaperRecord.from_dict(
        {
            "source": paper.source,
            "web": paper.web,
            "id": paper.external_id,
            "body": _body_name(session, paper.body_id),
            "reference": paper.reference,
            "name": paper.name,
            "paperType": paper.paper_type,
            "date": paper.date.isoformat() if paper.date else None,
            "status": paper.status,
            "underDirectionOf": paper.under_direction_of,
            "participating": paper.participating,
            "responsible": paper.responsible,
            "originator": paper.originator,
            "relatedPaper": paper.related_paper,
            "consultation": [
                {
                    "date": s.date.isoformat() if s.date else None,
                    "organization": s.organization,
                    "meeting": s.meeting,
                    "role": s.role,
                    "result": s.result,
                    "state": s.state,
                    "authoritative": s.authoritative,
                    **(s.extra or {}),
                }
                for s in steps
            ],
            "text": paper.text,
            "file": [_file_dict(f, with_file_text) for f in files],
        }
    ).to_dict()
    record.update(extra)
    if paper.deleted:
        record["deleted"] = True
    return record


def _file_dict(f: File, with_text: bool) -> dict[str, Any]:
    return {
        "name": f.name,
        "fileName": f.file_name,
        "accessUrl": f.access_url,
        "mimeType": f.mime_type,
        "size": f.size,
        "sha256": f.sha256,
        "text": f.text if with_text else None,
        **(f.extra or {}),
    }


def _apply(session: Session, paper: Paper, merged: dict[str, Any], is_new: bool) -> None:
    known = {*PAPER_KEYS, "deleted"}
    paper.source = merged.get("source") or paper.source
    paper.web = merged.get("web")
    paper.external_id = merged.get("id")
    paper.reference = merged.get("reference")
    paper.name = merged.get("name") or ""
    paper.paper_type = merged.get("paperType")
    paper.date = _to_date(merged.get("date"))
    paper.status = merged.get("status")
    paper.under_direction_of = merged.get("underDirectionOf") or []
    paper.participating = merged.get("participating") or []
    paper.responsible = merged.get("responsible") or []
    paper.originator = merged.get("originator") or []
    paper.related_paper = merged.get("relatedPaper") or []
    paper.text = merged.get("text") or {}
    paper.deleted = bool(merged.get("deleted"))
    paper.extra = {k: v for k, v in merged.items() if k not in known}

    if not is_new:
        session.execute(delete(ConsultationRow).where(ConsultationRow.paper_id == paper.id))
    step_known = {"date", "organization", "meeting", "role", "result", "state", "authoritative"}
    for i, step in enumerate(merged.get("consultation") or []):
        session.add(
            ConsultationRow(
                paper_id=paper.id,
                position=i,
                date=_to_date(step.get("date")),
                organization=step.get("organization"),
                meeting=step.get("meeting"),
                role=step.get("role"),
                result=step.get("result"),
                state=step.get("state"),
                authoritative=step.get("authoritative"),
                extra={k: v for k, v in step.items() if k not in step_known},
            )
        )
    _apply_files(session, paper, merged.get("file") or [], is_new)


def _apply_files(session: Session, paper: Paper, files: list[dict[str, Any]], is_new: bool) -> None:
    """Keep file rows that are still listed (with their downloads and texts), add new, drop gone."""
    existing = [] if is_new else session.scalars(select(File).where(File.paper_id == paper.id)).all()
    by_key = {_file_key(f.external_id, f.access_url, f.name): f for f in existing}
    seen: set[int] = set()
    file_known = {
        "name",
        "fileName",
        "accessUrl",
        "mimeType",
        "size",
        "sha256",
        "text",
        "id",
        "downloadUrl",
        "role",
    }
    for i, item in enumerate(files):
        key = _file_key(item.get("id"), item.get("accessUrl"), item.get("name"))
        row = by_key.get(key)
        if row is None:
            row = File(paper_id=paper.id, download_status="pending", extract_status="pending")
            session.add(row)
        row.position = i
        row.role = item.get("role") or "attachment"
        row.external_id = item.get("id")
        row.name = item.get("name") or ""
        row.file_name = item.get("fileName")
        if row.access_url != item.get("accessUrl") and row.download_status != "pending":
            row.download_status, row.extract_status = "pending", "pending"
        row.access_url = item.get("accessUrl")
        row.download_url = item.get("downloadUrl")
        row.mime_type = item.get("mimeType")
        row.size = item.get("size") if item.get("size") is not None else row.size
        row.extra = {k: v for k, v in item.items() if k not in file_known}
        seen.add(id(row))
    for row in existing:
        if id(row) not in seen:
            session.delete(row)


def _file_key(external_id: str | None, access_url: str | None, name: str | None) -> str:
    return external_id or access_url or name or ""


def _matching_paper(session: Session, body_id: int | None, reference: str | None, kind: str) -> Paper | None:
    """The paper another kind of source already has for this body and reference."""
    if not reference or body_id is None:
        return None
    candidates = session.scalars(
        select(Paper).where(Paper.body_id == body_id, Paper.reference == reference)
    ).all()
    for paper in candidates:
        kinds = set(session.scalars(select(PaperSource.kind).where(PaperSource.paper_id == paper.id)))
        if kind not in kinds:
            return paper
    return None


def _body_name(session: Session, body_id: int | None) -> str | None:
    if body_id is None:
        return None
    body = session.get(Body, body_id)
    return body.name if body else None


def _to_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    iso = parse_date(value) if value else None
    return date.fromisoformat(iso) if iso else None


def find_papers(session: Session, key: str) -> list[Paper]:
    """Papers whose reference, source id or database id is ``key``."""
    papers = list(session.scalars(select(Paper).where(Paper.reference == key).order_by(Paper.id)))
    if not papers:
        papers = list(session.scalars(select(Paper).where(Paper.external_id == key)))
    if not papers:
        linked = session.scalars(select(PaperSource.paper_id).where(PaperSource.external_id == key)).all()
        papers = [p for pid in linked if (p := session.get(Paper, pid))]
    if not papers and key.isdigit():
        paper = session.get(Paper, int(key))
        papers = [paper] if paper else []
    return papers
