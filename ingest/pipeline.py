"""What follows a crawl: extracting downloaded files, then bringing the index up to date."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ratsinfo.core.config import Settings
from ratsinfo.index.sync import sync_index
from ratsinfo.ingest.crawlers.base import CrawlOptions
from ratsinfo.ingest.extraction import extract_pending
from ratsinfo.track.links import update_links


def after_crawl(
    settings: Settings, options: CrawlOptions, say: Callable[[str], None] = lambda _: None
) -> dict[str, Any]:
    """Extract pending files (unless disabled) and sync the index; returns counts for the summary."""
    out: dict[str, Any] = {}
    if options.extract and options.files:
        summary = extract_pending(settings, workers=options.extract_workers or options.workers)
        out.update(summary.to_dict())
        if summary.failed:
            say(f"{summary.failed} files could not be extracted (see `ratsinfo extract --pending`)")
    out["links"] = update_links(settings).to_dict()  # families: Anfrage ↔ Stellungnahme, references
    indexed = sync_index(settings)
    out["indexed"] = indexed
    return out
