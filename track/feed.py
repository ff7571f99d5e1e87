"""A watch as an Atom feed (RFC 4287), for feed readers and other people's tools.

Ids are ``urn:uuid`` values derived from the watch and the change, so a reader sees an entry
once however often the feed is written.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from ratsinfo.store.db import as_utc, utcnow
from ratsinfo.store.models import Watch
from ratsinfo.track.watches import WatchEvent

ATOM = "http://www.w3.org/2005/Atom"


def _id(*parts: object) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "ratsinfo:" + ":".join(str(p) for p in parts)).urn


def _stamp(value: datetime) -> str:
    return as_utc(value).isoformat(timespec="seconds")  # type: ignore[union-attr]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def feed_xml(watch: Watch, events: list[WatchEvent]) -> bytes:
    """The Atom document of ``watch`` with ``events`` (newest first)."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    watch_key = (watch.name, as_utc(watch.created_at).isoformat())  # type: ignore[union-attr]
    _sub(feed, "id", _id("watch", *watch_key))
    query = f" {watch.query!r}" if watch.query else ""
    _sub(feed, "title", f"ratsinfo watch {watch.name}:{query}")
    updated = (
        max((e.seen_at for e in events), default=None) or watch.last_run_at or watch.created_at or utcnow()
    )
    _sub(feed, "updated", _stamp(updated))
    author = _sub(feed, "author")
    _sub(author, "name", "ratsinfo")
    _sub(feed, "generator", "ratsinfo")
    for e in events:
        entry = _sub(feed, "entry")
        entry_id = _id("watch", *watch_key, "paper", e.paper.id, "change", e.first_id)
        _sub(entry, "id", entry_id)
        head = " ".join(x for x in (e.paper.reference, e.paper.paper_type) if x)
        _sub(entry, "title", f"{head}: {e.paper.name} — {e.lines[0] if e.lines else e.kind}")
        _sub(entry, "updated", _stamp(e.seen_at))
        _sub(entry, "link", href=e.paper.link or entry_id, rel="alternate")
        _sub(entry, "summary", "\n".join(e.lines) or e.kind)
        _sub(entry, "category", term=e.kind)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def write_feed(path: str | Path, watch: Watch, events: list[WatchEvent]) -> None:
    """Write the feed atomically (a reader never sees half a file)."""
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(feed_xml(watch, events))
    tmp.replace(target)
