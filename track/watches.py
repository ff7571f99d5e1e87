"""Watches: saved queries whose new and changed papers ``watch run`` reports, like grep for cron.

A watch remembers the last change it reported (``PaperChange.id``), so each run reports what
crawls saw since, and the papers it matched, so a paper that disappears (and so leaves the
search index) is still reported once. Besides a watched paper's own changes, a run reports news
of its family: "your Anfrage got a Stellungnahme" when the answer arrives as a paper of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from ratsinfo.core.config import Settings
from ratsinfo.core.errors import RatsinfoError
from ratsinfo.store.db import as_utc, session_scope, utcnow
from ratsinfo.store.models import Paper, Watch, WatchMatch
from ratsinfo.track.changes import ChangeRow, changes_since, drop_wipes, last_change_id
from ratsinfo.track.decisions import search_paper_ids
from ratsinfo.track.kinds import answers
from ratsinfo.track.links import chunks, edges, update_links
from ratsinfo.track.papers import PaperFilter, PaperRow, all_rows, load_rows

EVERYTHING = ("", "*")
FEED_DAYS = 90  # a watch with this query looks at all papers (its filters still apply)


@dataclass
class WatchEvent:
    """What happened to one watched paper in one crawl."""

    paper: PaperRow
    seen_at: datetime
    crawl_id: int | None
    first_id: int
    kind: str  # new | changed | answered | related | removed
    lines: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return "; ".join(self.lines)

    def to_dict(self, watch: str) -> dict[str, Any]:
        return {
            "watch": watch,
            "seen": self.seen_at.isoformat(timespec="seconds"),
            "kind": self.kind,
            **self.paper.brief(),
            "what": self.summary,
            "changes": self.changes,
        }


@dataclass
class WatchReport:
    watch: str
    query: str
    since: datetime | None
    events: list[WatchEvent]


# --- managing ---------------------------------------------------------------------------------


def add_watch(settings: Settings, name: str, query: str, paper_filter: PaperFilter) -> Watch:
    """Save a watch; its first run reports what crawls see from now on."""
    name = name.strip()
    if not name:
        raise RatsinfoError("a watch needs a name")
    update_links(settings)
    with session_scope(settings.database_url) as session:
        if session.scalar(select(Watch.id).where(Watch.name == name)) is not None:
            raise RatsinfoError(f"there is already a watch named {name!r} (remove it first)")
    matched = matching_ids(settings, query, paper_filter)
    with session_scope(settings.database_url) as session:
        watch = Watch(
            name=name,
            query=query.strip(),
            filters=paper_filter.to_json(),
            created_at=utcnow(),
            last_change_id=last_change_id(session),
        )
        session.add(watch)
        session.flush()
        _store_matches(session, watch.id, matched)
        return watch


def remove_watch(settings: Settings, name: str) -> None:
    with session_scope(settings.database_url) as session:
        watch = _get(session, name)
        session.execute(delete(WatchMatch).where(WatchMatch.watch_id == watch.id))
        session.delete(watch)


def list_watches(settings: Settings) -> list[dict[str, Any]]:
    with session_scope(settings.database_url) as session:
        return [
            {
                "name": w.name,
                "query": w.query,
                "filters": PaperFilter.from_json(w.filters).describe(),
                "created": as_utc(w.created_at).isoformat(timespec="seconds"),  # type: ignore[union-attr]
                "lastRun": as_utc(w.last_run_at).isoformat(timespec="seconds") if w.last_run_at else None,  # type: ignore[union-attr]
            }
            for w in session.scalars(select(Watch).order_by(Watch.name))
        ]


def _get(session: Session, name: str) -> Watch:
    watch = session.scalar(select(Watch).where(Watch.name == name))
    if watch is None:
        known = ", ".join(session.scalars(select(Watch.name).order_by(Watch.name))) or "none yet"
        raise RatsinfoError(f"no watch named {name!r} (watches: {known})")
    return watch


def matching_ids(settings: Settings, query: str, paper_filter: PaperFilter) -> set[int]:
    """The live papers a watch's query and filters match now."""
    query = query.strip()
    with session_scope(settings.database_url) as session:
        if query in EVERYTHING:
            rows = all_rows(session, Paper.deleted.is_(False))
        else:
            rows = [
                r for r in load_rows(session, search_paper_ids(settings, query)).values() if not r.deleted
            ]
        return {r.id for r in rows if paper_filter.accepts(r)}


def _store_matches(session: Session, watch_id: int, ids: set[int]) -> None:
    stored = set(session.scalars(select(WatchMatch.paper_id).where(WatchMatch.watch_id == watch_id)))
    for batch in chunks(sorted(stored - ids)):
        session.execute(
            delete(WatchMatch).where(WatchMatch.watch_id == watch_id, WatchMatch.paper_id.in_(batch))
        )
    added = [{"watch_id": watch_id, "paper_id": pid} for pid in sorted(ids - stored)]
    for batch in chunks(added, 1000):
        session.execute(insert(WatchMatch.__table__), batch)


# --- running ----------------------------------------------------------------------------------


def run_watches(settings: Settings, name: str | None = None) -> list[WatchReport]:
    """Report each watch's news since its last run (or only watch ``name``) and move it on."""
    update_links(settings)
    with session_scope(settings.database_url) as session:
        upto = last_change_id(session)
        watches = [_get(session, name)] if name else list(session.scalars(select(Watch).order_by(Watch.name)))
        plan = [(w.id, w.name, w.query, PaperFilter.from_json(w.filters)) for w in watches]
    reports = []
    for watch_id, watch_name, query, paper_filter in plan:
        now_matched = matching_ids(settings, query, paper_filter)
        with session_scope(settings.database_url) as session:
            watch = session.get(Watch, watch_id)
            if watch is None:  # removed meanwhile
                continue
            stored = set(session.scalars(select(WatchMatch.paper_id).where(WatchMatch.watch_id == watch_id)))
            events = watch_events(session, now_matched | stored, watch.last_change_id, upto)
            reports.append(WatchReport(watch_name, query, as_utc(watch.last_run_at), events))
            _store_matches(session, watch_id, now_matched)
            watch.last_change_id = max(upto, watch.last_change_id)
            watch.last_run_at = utcnow()
    return reports


def feed_events(
    settings: Settings, name: str, limit: int = 50, days: int = FEED_DAYS
) -> tuple[Watch, list[WatchEvent]]:
    """The newest events of a watch over the last ``days`` (a feed is read by others, so it does
    not move the watch on)."""
    update_links(settings)
    with session_scope(settings.database_url) as session:
        watch = _get(session, name)
        paper_filter = PaperFilter.from_json(watch.filters)
    matched = matching_ids(settings, watch.query, paper_filter)
    with session_scope(settings.database_url) as session:
        stored = set(session.scalars(select(WatchMatch.paper_id).where(WatchMatch.watch_id == watch.id)))
        since = utcnow() - timedelta(days=days)
        events = watch_events(session, matched | stored, 0, None, since=since)
    events.sort(key=lambda e: e.first_id, reverse=True)
    return watch, events[:limit]


def watch_events(
    session: Session, watched: set[int], after_id: int, upto_id: int | None, since: datetime | None = None
) -> list[WatchEvent]:
    """Events of the ``watched`` papers from the changes after ``after_id`` up to ``upto_id``
    (and seen ``since``): their own changes, and new papers of their families (answers first)."""
    window = drop_wipes(changes_since(session, since=since, after_id=after_id, upto_id=upto_id))
    own = [c for c in window if c.paper_id in watched]
    new_papers = {c.paper_id: c for c in window if c.kind == "new" and c.field == "paper"}
    neighbours = edges(session, new_papers)
    rows = load_rows(
        session,
        {c.paper_id for c in own} | set(new_papers) | {e.other for es in neighbours.values() for e in es},
    )
    events: dict[tuple[int, Any], WatchEvent] = {}

    def event(pid: int, c: ChangeRow) -> WatchEvent:
        key = (pid, c.crawl_id if c.crawl_id is not None else c.seen_at.date())
        if key not in events:
            events[key] = WatchEvent(rows[pid], c.seen_at, c.crawl_id, c.id, "changed")
        return events[key]

    for c in own:
        e = event(c.paper_id, c)
        e.lines.append(c.what)
        e.changes.append({"field": c.field, "kind": c.kind, "old": c.old, "new": c.new, "what": c.what})
        if c.kind == "new":
            e.kind = "new"
        elif (c.field, c.kind) == ("paper", "removed") or (c.field == "deleted" and c.new):
            e.kind = "removed"
    for new_id, c in new_papers.items():
        new_row = rows.get(new_id)
        if new_row is None:
            continue
        for link in neighbours.get(new_id, []):
            if link.other not in watched or link.other == new_id or link.other not in rows:
                continue
            # the new paper names the watched one when the link is not incoming to it
            is_answer = answers(link.kind, not link.incoming, new_row.paper_type)
            label = f"{new_row.paper_type or 'paper'} {new_row.reference or ''}".strip()
            dated = f" ({new_row.date.isoformat()})" if new_row.date else ""
            line = f"got a {label}{dated}" if is_answer else f"new related paper: {label}: {new_row.name}"
            e = event(link.other, c)
            if line not in e.lines:
                e.lines.insert(0 if is_answer else len(e.lines), line)
                e.changes.append(
                    {"field": "family", "kind": "added", "old": None, "new": new_row.brief(), "what": line}
                )
            if is_answer and e.kind != "new":
                e.kind = "answered"
            elif e.kind == "changed" and not any(ch["field"] != "family" for ch in e.changes):
                e.kind = "related"
    return sorted(events.values(), key=lambda e: (e.first_id, e.paper.id))
