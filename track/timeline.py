"""The timeline of a paper and its family: filed, Beratungsfolge steps, answers, and every change
seen between crawls.

Steps that several papers of the family share (an Anfrage and its Stellungnahme on the same
Rat meeting) are shown once with both references. A paper's first sighting is shown only when
it appeared between crawls, not in the first crawl of its source, where every paper is new; and
what the crawl that first saved a paper recorded while assembling it (its HTML page filling in
the OParl record) is not shown as a change.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratsinfo.store.models import ConsultationRow, Crawl
from ratsinfo.track.changes import changes_since, drop_wipes
from ratsinfo.track.kinds import answers, is_amendment
from ratsinfo.track.links import Edge, chunks, family
from ratsinfo.track.outcomes import normalise_outcome
from ratsinfo.track.papers import PaperRow, load_rows
from ratsinfo.track.status import find_answers, statuses_of

EVENT_ORDER = {"filed": 0, "answer": 1, "paper": 1, "consultation": 2, "change": 3}


def relation(root: PaperRow, other: PaperRow, direct: list[Edge], answer_ids: set[int]) -> str:
    """How ``other`` belongs to ``root``'s matter, in a word or two."""
    if other.id in answer_ids:
        return "answer"
    for e in sorted(direct, key=lambda e: ("supplement", "related", "mentions").index(e.kind)):
        if answers(e.kind, not e.incoming, root.paper_type) and not is_amendment(root.paper_type):
            return "request"  # root answers other
        if is_amendment(other.paper_type) and e.incoming:
            return "amendment"
        if is_amendment(root.paper_type) and not e.incoming:
            return "amended paper"
        if e.kind == "supplement":
            return "supplement" if e.incoming else "main paper"
        if e.kind == "related":
            return "related"
        return "mentions this" if e.incoming else "mentioned"
    return "family"


def track(session: Session, paper_id: int, *, as_of: date | None = None) -> dict[str, Any]:
    """The paper, its family with relations, its request status, and its timeline."""
    members = family(session, paper_id)
    rows = load_rows(session, members)
    root = rows[paper_id]
    answer_list = find_answers(session, {paper_id: root}).get(paper_id, [])
    answer_ids = {a.paper_id for a in answer_list if a.paper_id}
    direct: dict[int, list[Edge]] = {}
    for e in members.get(paper_id, []):
        direct.setdefault(e.other, []).append(e)
    relations = {
        pid: "this paper" if pid == paper_id else relation(root, row, direct.get(pid, []), answer_ids)
        for pid, row in rows.items()
    }
    order = sorted(rows.values(), key=lambda r: (r.date or date.max, r.reference or "", r.id))
    fam = [{**r.brief(), "relation": relations[r.id], "deleted": r.deleted} for r in order]
    status = statuses_of(session, {paper_id: root}, as_of=as_of)
    events = _paper_events(root, order, relations)
    events += _step_events(session, rows)
    events += _change_events(session, rows)
    events.sort(
        key=lambda e: (e["date"] is None, e["date"] or "", EVENT_ORDER[e["event"]], e["reference"] or "")
    )
    return {
        "paper": {**root.brief(), "deleted": root.deleted},
        "status": status[0].to_dict() if status else None,
        "family": fam,
        "timeline": events,
    }


def _paper_events(root: PaperRow, members: list[PaperRow], relations: dict[int, str]) -> list[dict[str, Any]]:
    events = []
    for r in members:
        rel = relations[r.id]
        if r.id == root.id:
            what = f"{r.paper_type or 'paper'} filed: {r.name}"
            event = "filed"
        elif rel == "answer":
            days = (r.date - root.date).days if r.date and root.date else None
            after = f" after {days} days" if days is not None else ""
            what = f"answered by {r.paper_type or 'paper'} {r.reference or ''}{after}: {r.name}"
            event = "answer"
        elif rel == "request":
            what = f"answers {r.paper_type or 'paper'} {r.reference or ''}: {r.name}"
            event = "paper"
        else:
            what = f"{rel}: {r.paper_type or 'paper'} {r.reference or ''}: {r.name}"
            event = "paper"
        events.append(
            {
                "date": r.date.isoformat() if r.date else None,
                "event": event,
                "reference": r.reference,
                "what": what,
            }
        )
    return events


def _step_events(session: Session, rows: dict[int, PaperRow]) -> list[dict[str, Any]]:
    grouped: dict[tuple[Any, ...], dict[str, Any]] = {}
    for batch in chunks(sorted(rows)):
        for s in session.scalars(
            select(ConsultationRow)
            .where(ConsultationRow.paper_id.in_(batch))
            .order_by(ConsultationRow.paper_id, ConsultationRow.position)
        ):
            key = (s.date, s.organization, s.meeting, s.role, s.result, s.state)
            ref = rows[s.paper_id].reference
            if key in grouped:
                if ref not in grouped[key]["references"]:
                    grouped[key]["references"].append(ref)
                continue
            outcome = normalise_outcome(s.result)
            shown = s.result or (s.state or "no result yet")
            grouped[key] = {
                "date": s.date.isoformat() if s.date else None,
                "event": "consultation",
                "references": [ref],
                "gremium": s.organization,
                "meeting": s.meeting,
                "role": s.role,
                "result": s.result,
                "outcome": outcome,
                "state": s.state,
                "what": f"{s.organization or 'Gremium'}" + (f" ({s.role})" if s.role else "") + f": {shown}",
            }
    events = list(grouped.values())
    for e in events:
        e["reference"] = ", ".join(r for r in e["references"] if r)
    return events


def _change_events(session: Session, rows: dict[int, PaperRow]) -> list[dict[str, Any]]:
    first_crawls = set(session.scalars(select(func.min(Crawl.id)).group_by(Crawl.source_id)))
    found = drop_wipes(changes_since(session, paper_ids=rows))
    # what one crawl assembled while first saving a paper (its OParl and HTML views) is no change
    born = {c.paper_id: c.crawl_id for c in found if c.kind == "new" and c.crawl_id is not None}
    events = []
    for c in found:
        if c.kind == "new" and (c.crawl_id is None or c.crawl_id in first_crawls):
            continue
        if c.kind != "new" and c.crawl_id is not None and born.get(c.paper_id) == c.crawl_id:
            continue
        events.append(
            {
                "date": c.seen_at.date().isoformat(),
                "event": "change",
                "reference": rows[c.paper_id].reference,
                "seen": c.seen_at.isoformat(timespec="seconds"),
                "crawl": c.crawl_id,
                "field": c.field,
                "kind": c.kind,
                "old": c.old,
                "new": c.new,
                "what": c.what,
            }
        )
    return events


def papers_once_numbered(session: Session, reference: str) -> list[int]:
    """Papers that showed ``reference`` before they lost it (an OParl deletion stub empties a
    paper), so ``track`` still finds a paper that disappeared."""
    from ratsinfo.store.models import Paper, PaperChange

    wanted = reference.strip()
    found = {
        pid
        for pid, old in session.execute(
            select(PaperChange.paper_id, PaperChange.old)
            .join(Paper, Paper.id == PaperChange.paper_id)
            .where(PaperChange.field == "reference", Paper.deleted.is_(True))
        )
        if old == wanted
    }
    return sorted(found)
