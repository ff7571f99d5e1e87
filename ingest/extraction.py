"""Extracting the text of downloaded files into the store, page by page, in parallel.

Files are read from the raw store by isolated worker processes (a crash, hang or memory blow-up
of one file is recorded on that file and the batch goes on). Each page's text, how it was
obtained (``text`` or ``ocr``) and the OCR confidence are stored; the file's papers are flagged
for the indexer in the same transaction.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update

from ratsinfo.core.config import Settings
from ratsinfo.ingest.documents import DEFAULT_LIMITS, Extraction, ExtractionPool, Limits
from ratsinfo.store.db import session_scope, utcnow
from ratsinfo.store.models import File, FilePage, Paper
from ratsinfo.store.raw import RawStore

BATCH = 200


@dataclass
class ExtractSummary:
    extracted: int = 0
    failed: int = 0
    pages: int = 0
    ocr_pages: int = 0
    errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {
            "extracted": self.extracted,
            "extract_failed": self.failed,
            "pages": self.pages,
            "ocr_pages": self.ocr_pages,
            "extract_errors": self.errors[:50],
        }


def extract_pending(
    settings: Settings,
    *,
    workers: int | None = None,
    retry_failed: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    progress: Callable[[int, int], None] | None = None,
) -> ExtractSummary:
    """Extract every downloaded file without text yet (and, with ``retry_failed``, the failed ones)."""
    raw = RawStore(settings.raw_dir)
    summary = ExtractSummary()
    wanted = ["pending", "failed"] if retry_failed else ["pending"]
    with session_scope(settings.database_url) as session:
        todo = session.execute(
            select(File.id, File.sha256, File.mime_type, File.name)
            .where(File.download_status == "ok", File.extract_status.in_(wanted), File.sha256.is_not(None))
            .order_by(File.id)
        ).all()
    if not todo:
        return summary
    # identical content is stored once in the raw store, and extracted once
    files_by_path: dict[str, list[int]] = {}
    jobs: list[tuple[str, str | None]] = []
    for file_id, sha, mime, _ in todo:
        path = str(raw.path(sha))
        if path not in files_by_path:
            files_by_path[path] = []
            jobs.append((path, mime))
        files_by_path[path].append(file_id)
    done = 0
    buffer: list[tuple[int, Extraction]] = []
    with ExtractionPool(workers=workers or os.cpu_count() or 1, limits=limits) as pool:
        for result in pool.map(jobs):
            buffer += [(file_id, result) for file_id in files_by_path[result.file]]
            done += 1
            if len(buffer) >= BATCH:
                _store(settings, buffer, summary)
                buffer = []
            if progress:
                progress(done, len(jobs))
    _store(settings, buffer, summary)
    return summary


def _store(settings: Settings, results: list[tuple[int, Extraction]], summary: ExtractSummary) -> None:
    if not results:
        return
    now = utcnow()
    with session_scope(settings.database_url) as session:
        ids = [file_id for file_id, _ in results]
        session.execute(delete(FilePage).where(FilePage.file_id.in_(ids)))
        paper_ids: set[int] = set()
        for file_id, result in results:
            row = session.get(File, file_id)
            if row is None:  # the file disappeared from its paper meanwhile
                continue
            for page in result.pages:
                session.add(
                    FilePage(
                        file_id=file_id,
                        page=page.page,
                        text=page.text,
                        method=page.method,
                        confidence=page.confidence,
                    )
                )
            summary.pages += len(result.pages)
            summary.ocr_pages += sum(1 for p in result.pages if p.method == "ocr")
            row.text = result.text or None
            row.extracted_at = now
            if result.error and not result.pages:
                row.extract_status, row.extract_error = "failed", result.error
                summary.failed += 1
                summary.errors.append(f"{row.name or row.file_name}: {result.error}")
            else:  # partial text (a truncated file PDFium could still read) is kept with its error
                row.extract_status, row.extract_error = "ok", result.error
                summary.extracted += 1
            if row.paper_id is not None:
                paper_ids.add(row.paper_id)
        if paper_ids:
            flagged = update(Paper).where(Paper.id.in_(paper_ids)).values(needs_index=True, updated_at=now)
            session.execute(flagged)


def extraction_counts(settings: Settings) -> dict[str, int]:
    """How many downloaded files wait for extraction, and how many failed."""
    from sqlalchemy import func

    with session_scope(settings.database_url) as session:
        rows = session.execute(
            select(File.extract_status, func.count())
            .where(File.download_status == "ok")
            .group_by(File.extract_status)
        ).all()
    return {status: n for status, n in rows}
