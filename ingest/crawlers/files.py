"""Downloading attachments, the same for every source.

A file is downloaded once per URL (a changed URL makes it pending again), with a size limit;
a failure is recorded on the file (``download_status``/``download_error``) and on the frontier
item, and never stops the crawl.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratsinfo.core.errors import FetchError
from ratsinfo.core.record import normalise_mime
from ratsinfo.ingest.crawlers.base import CrawlContext
from ratsinfo.ingest.frontier import WorkItem, finish
from ratsinfo.ingest.http import FetchResult
from ratsinfo.store.models import File

FILE_KIND = "file"
FILE_PRIORITY = 10


def enqueue_downloads(ctx: CrawlContext, session: Session, paper_id: int) -> None:
    """Queue the paper's files that still need downloading."""
    if not ctx.options.files:
        return
    rows = session.execute(
        select(File.id, File.download_url, File.access_url).where(
            File.paper_id == paper_id, File.download_status == "pending"
        )
    ).all()
    for file_id, download_url, access_url in rows:
        url = download_url or access_url
        if url:
            ctx.enqueue(session, FILE_KIND, url, {"file_id": file_id}, FILE_PRIORITY)


def download(ctx: CrawlContext, item: WorkItem) -> None:
    """Fetch one file into the raw store and link it to its File row."""
    file_id = item.payload.get("file_id")
    method = item.payload.get("method", "GET")
    data = item.payload.get("data")
    try:
        result = ctx.fetcher.fetch(item.url, method=method, data=data, max_bytes=ctx.options.max_file_bytes)
    except FetchError as exc:
        with ctx.session() as session:
            row = session.get(File, file_id)
            if row is not None:
                row.download_status, row.download_error = "failed", str(exc)
        ctx.count("files_failed")
        raise
    with ctx.session() as session:
        record_download(session, file_id, result)
        finish(session, item.id)
    ctx.count("files_downloaded")


def record_download(session: Session, file_id: int | None, result: FetchResult) -> None:
    """Link a downloaded file to its row and queue its text for extraction."""
    row = session.get(File, file_id) if file_id is not None else None
    if row is None:
        return
    row.sha256 = result.sha256
    row.size = result.size
    row.raw_response_id = result.raw_id
    row.download_status, row.download_error = "ok", None
    row.extract_status, row.extract_error = "pending", None
    served = normalise_mime(result.content_type)
    if not row.mime_type or row.mime_type == "application/octet-stream":
        row.mime_type = served or row.mime_type
