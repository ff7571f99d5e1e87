"""Parsing one page given on the command line: a saved file or a URL, any supported vendor."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ratsinfo.core.config import Settings
from ratsinfo.core.errors import ParseError, RatsinfoError
from ratsinfo.ingest.parsers import oparl
from ratsinfo.ingest.parsers.detect import parse_page


def parse_one(
    file_or_url: str, vendor: str | None = None, settings: Settings | None = None
) -> dict[str, Any]:
    """The paper record of a page; a URL is fetched politely (and its response kept in the raw store)."""
    if "://" in file_or_url:
        if settings is None:
            raise RatsinfoError("fetching a URL needs settings")
        from ratsinfo.ingest.http import Fetcher
        from ratsinfo.store.db import get_engine
        from ratsinfo.store.raw import RawStore

        get_engine(settings.database_url)
        with Fetcher(settings.database_url, RawStore(settings.raw_dir), delay=0) as fetcher:
            result = fetcher.fetch(file_or_url)
        content, url, content_type = result.content, result.url, result.content_type
    else:
        path = Path(file_or_url)
        if not path.is_file():
            raise RatsinfoError(f"{file_or_url}: no such file")
        content, url, content_type = path.read_bytes(), None, None
    if vendor == "oparl" or (vendor is None and content.lstrip()[:1] in (b"{", b"[")):
        return _oparl(content, url or file_or_url)
    record = parse_page(content, url or file_or_url, vendor=vendor, content_type=content_type).to_dict()
    if url is None:  # a saved file: its path helps detection but is no web link
        record["web"] = None
    return record


def _oparl(content: bytes, label: str) -> dict[str, Any]:
    try:
        doc = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ParseError(f"{label}: not valid JSON ({exc})") from None
    if oparl.object_type(doc) != "Paper":
        raise ParseError(f"{label} is not an OParl Paper")
    return oparl.parse_paper(doc).to_dict()
