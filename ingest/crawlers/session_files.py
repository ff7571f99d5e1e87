"""Attachments that only the visitor's HTTP session can fetch, and form-posted downloads.

ALLRIS classic lists Anlagen as temporary copies (``___tmp/tmp/…``) made for the visitor that
rendered the page, and serves its documents through a POST form to ``do027.asp`` that answers
with a redirect to such a copy; ALLRIS 4 links attachments through Wicket listeners
(``vo020?3--…-attachment-link``) that work only for the page instance in that session. None of
these links can be fetched later, so they are fetched right after the page, with the same
client (and so the same session cookie). A server that answers a document link with an HTML
page (an expired session, an error page) did not deliver the document: that is a failure,
never a stored "PDF".
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from ratsinfo.core.errors import FetchError
from ratsinfo.core.record import clean_text
from ratsinfo.ingest.crawlers.base import CrawlContext
from ratsinfo.ingest.crawlers.files import record_download
from ratsinfo.ingest.http import FetchResult
from ratsinfo.store.models import File


def name_key(name: str | None) -> str:
    """How a file's shown name is matched between the parsed record and the page's links."""
    return clean_text(name).casefold()


def form_request(url: str) -> tuple[str, dict[str, str]]:
    """``do027.asp?DOLFDNR=1&options=64`` -> (``do027.asp``, its fields): the POST the form sends."""
    parts = urlsplit(url)
    action = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return action, dict(parse_qsl(parts.query, keep_blank_values=True))


def fetch_document(
    ctx: CrawlContext, url: str, *, method: str = "GET", data: dict[str, Any] | None = None
) -> FetchResult:
    """Fetch a document; an HTML answer is an error page (or an expired session), not the file."""
    result = ctx.fetcher.fetch(url, method=method, data=data, max_bytes=ctx.options.max_file_bytes)
    served = (result.content_type or "").split(";")[0].strip().lower()
    if served in ("text/html", "application/xhtml+xml"):
        raise FetchError(f"{url}: the server answered with an HTML page, not the document")
    return result


def record_failure(session: Session, file_id: int | None, error: str, status: str = "failed") -> None:
    row = session.get(File, file_id) if file_id is not None else None
    if row is not None:
        row.download_status, row.download_error = status, error


def unlinked_files(session: Session, paper_id: int) -> list[tuple[int, str]]:
    """(id, name) of the paper's files still to download that have no lasting link."""
    rows = session.execute(
        select(File.id, File.name).where(
            File.paper_id == paper_id,
            File.download_status == "pending",
            File.access_url.is_(None),
            File.download_url.is_(None),
        )
    ).all()
    return [(file_id, name) for file_id, name in rows]


def download_now(ctx: CrawlContext, files: list[tuple[int, str]], links: dict[str, str]) -> list[str]:
    """Download files through the page's session links (name -> URL); returns the errors.

    A file the page shows without any link is marked ``skipped``: there is nothing to fetch.
    """
    errors: list[str] = []
    for file_id, name in files:
        url = links.get(name_key(name))
        if url is None:
            with ctx.session() as session:
                record_failure(session, file_id, "the page gives no link to this file", status="skipped")
            continue
        try:
            result = fetch_document(ctx, url)
        except FetchError as exc:
            with ctx.session() as session:
                record_failure(session, file_id, str(exc))
            ctx.count("files_failed")
            errors.append(f"{name}: {exc}")
            continue
        with ctx.session() as session:
            record_download(session, file_id, result)
        ctx.count("files_downloaded")
    return errors
