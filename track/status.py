"""The state of every Anfrage and Antrag: answered (by which paper, when, after how many days),
decided, open, or overdue.

An answer is a paper of the request's family that answers it (see
:func:`ratsinfo.track.kinds.answers`: a Stellungnahme numbered ``X-01``, a related paper of an
answer type, or an answer naming the request in its text), or a Beratungsfolge step whose
result says the Anfrage was answered in the meeting ("mündlich beantwortet"). An Antrag is
decided once a step has a final outcome (beschlossen, abgelehnt, zurückgezogen …).
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ratsinfo.store.models import ConsultationRow, Paper
from ratsinfo.track.kinds import answers, request_kind
from ratsinfo.track.links import chunks, edges
from ratsinfo.track.outcomes import FINAL, normalise_outcome
from ratsinfo.track.papers import PaperFilter, PaperRow, all_rows, load_rows

STATES = ("answered", "decided", "open", "overdue")
DEFAULT_DUE_DAYS = 30


@dataclass
class Answer:
    """What answered a request: a paper, or a meeting where it was answered."""

    date: date | None
    reference: str | None = None
    paper_type: str | None = None
    paper_id: int | None = None
    meeting: str | None = None  # the Gremium, for an answer given in a meeting

    @property
    def label(self) -> str:
        if self.reference or self.paper_type:
            return " ".join(
                x for x in (self.reference, f"({self.paper_type})" if self.paper_type else "") if x
            )
        return f"in der Sitzung: {self.meeting}" if self.meeting else "in der Sitzung"

    def to_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "paperType": self.paper_type,
            "date": self.date.isoformat() if self.date else None,
            "meeting": self.meeting,
        }


@dataclass
class RequestStatus:
    paper: PaperRow
    kind: str  # Anfrage | Antrag
    state: str  # one of STATES
    days: int | None  # to the answer or decision, or waiting so far
    answers: list[Answer] = field(default_factory=list)
    decision: str | None = None  # normalised outcome of the final step
    decision_result: str | None = None  # the RIS's wording
    decision_date: date | None = None

    @property
    def answer(self) -> Answer | None:
        return self.answers[0] if self.answers else None

    @property
    def answer_days(self) -> int | None:
        a = self.answer
        if a is None or a.date is None or self.paper.date is None:
            return None
        return (a.date - self.paper.date).days

    def to_dict(self) -> dict[str, Any]:
        a = self.answer
        return {
            **self.paper.brief(),
            "kind": self.kind,
            "originator": self.paper.originator,
            "state": self.state,
            "days": self.days,
            "answeredBy": a.reference if a and a.reference else (a.label if a else None),
            "answerType": a.paper_type if a else None,
            "answerDate": a.date.isoformat() if a and a.date else None,
            "daysToAnswer": self.answer_days,
            "answers": [x.to_dict() for x in self.answers],
            "decision": self.decision,
            "decisionResult": self.decision_result,
            "decisionDate": self.decision_date.isoformat() if self.decision_date else None,
        }


def request_statuses(
    session: Session,
    *,
    kind: str | None = None,
    paper_filter: PaperFilter | None = None,
    as_of: date | None = None,
    due: int = DEFAULT_DUE_DAYS,
) -> list[RequestStatus]:
    """Every Anfrage and Antrag (or only ``kind``) that passes the filter, with its state as it
    stood on ``as_of`` (default today: papers, answers and decisions dated later do not count)."""
    as_of = as_of or date.today()
    paper_filter = paper_filter or PaperFilter()
    rows = all_rows(
        session,
        Paper.deleted.is_(False),
        or_(Paper.paper_type.ilike("%anfrage%"), Paper.paper_type.ilike("%antrag%")),
    )
    requests = {
        r.id: (k, r)
        for r in rows
        if (k := request_kind(r.paper_type))
        and (kind is None or k.casefold() == kind.casefold())
        and paper_filter.accepts(r)
        and (r.date is None or r.date <= as_of)
    }
    out = statuses_of(session, {pid: r for pid, (_, r) in requests.items()}, as_of=as_of, due=due)
    out.sort(key=lambda s: (s.paper.date or date.min, s.paper.reference or "", s.paper.id))
    return out


def statuses_of(
    session: Session, requests: dict[int, PaperRow], *, as_of: date | None = None, due: int = DEFAULT_DUE_DAYS
) -> list[RequestStatus]:
    """The state of each of ``requests`` (papers that are an Anfrage or Antrag; others are skipped)."""
    as_of = as_of or date.today()
    found = find_answers(session, requests, as_of=as_of)
    steps = _steps(session, list(requests))
    out = []
    for pid, row in requests.items():
        k = request_kind(row.paper_type)
        if k is None:
            continue
        status = RequestStatus(paper=row, kind=k, state="open", days=None, answers=found.get(pid, []))
        for step in steps.get(pid, []):
            if step.date and step.date > as_of:
                continue
            outcome = normalise_outcome(step.result)
            if k == "Anfrage" and step.result and "beantwortet" in step.result.casefold():
                status.answers.append(Answer(date=step.date, meeting=step.organization))
            if is_final(step, outcome):
                status.decision, status.decision_result, status.decision_date = (
                    outcome,
                    step.result,
                    step.date,
                )
        status.answers.sort(key=lambda a: (a.date is None, a.date or date.max))
        if k == "Antrag" and status.decision:
            status.state = "decided"
            status.days = _days(row.date, status.decision_date)
        elif status.answers:
            status.state = "answered"
            status.days = status.answer_days
        else:
            status.days = _days(row.date, as_of)
            if status.days is not None and status.days > due:
                status.state = "overdue"
        out.append(status)
    return out


def find_answers(
    session: Session, requests: dict[int, PaperRow], *, as_of: date | None = None
) -> dict[int, list[Answer]]:
    """The papers answering each of ``requests`` (earliest first), from the links between papers;
    with ``as_of``, only answers dated by then."""
    links = edges(session, requests)
    others = load_rows(session, {e.other for es in links.values() for e in es})
    out: dict[int, list[Answer]] = {}
    for pid, es in links.items():
        request = requests[pid]
        seen: set[int] = set()
        for e in es:
            other = others.get(e.other)
            if other is None or other.deleted or other.id in seen:
                continue
            if not answers(e.kind, e.incoming, other.paper_type):
                continue
            if request.date and other.date and other.date < request.date:
                continue  # an answer does not predate the question
            if as_of and other.date and other.date > as_of:
                continue
            seen.add(other.id)
            out.setdefault(pid, []).append(
                Answer(
                    date=other.date, reference=other.reference, paper_type=other.paper_type, paper_id=other.id
                )
            )
    return out


def _steps(session: Session, ids: list[int]) -> dict[int, list[Any]]:
    out: dict[int, list[Any]] = {}
    for batch in chunks(ids):
        for step in session.execute(
            select(
                ConsultationRow.paper_id,
                ConsultationRow.date,
                ConsultationRow.organization,
                ConsultationRow.role,
                ConsultationRow.authoritative,
                ConsultationRow.result,
            )
            .where(ConsultationRow.paper_id.in_(batch), ConsultationRow.result.is_not(None))
            .order_by(ConsultationRow.paper_id, ConsultationRow.position)
        ):
            out.setdefault(step.paper_id, []).append(step)
    return out


def is_final(step: Any, outcome: str | None) -> bool:
    """Whether a step with ``outcome`` settles the paper: a withdrawal or "erledigt" anywhere; a
    decision (beschlossen, abgelehnt) only where the step decides, not where a committee only
    advises (Vorberatung): authoritative, a role saying Entscheidung/Beschluss, or no role at all."""
    if outcome in ("zurückgezogen", "erledigt"):
        return True
    if outcome not in FINAL:
        return False
    role = (step.role or "").casefold()
    if step.authoritative or "entscheid" in role or "beschl" in role:
        return True
    return not role and step.authoritative is None


def _days(start: date | None, end: date | None) -> int | None:
    return (end - start).days if start and end else None


def summarise(statuses: list[RequestStatus]) -> dict[str, Any]:
    """Counts per state and the median days from request to first answer."""
    counts = {s: sum(1 for x in statuses if x.state == s) for s in STATES}
    days = [d for x in statuses if (d := x.answer_days) is not None]
    return {
        "total": len(statuses),
        **counts,
        "medianDaysToAnswer": statistics.median(days) if days else None,
    }


def summary_line(summary: dict[str, Any]) -> str:
    median = summary["medianDaysToAnswer"]
    parts = [f"{summary[s]} {s}" for s in STATES if summary[s] or s in ("answered", "open")]
    line = f"{summary['total']} Anfragen/Anträge: " + ", ".join(parts)
    if median is not None:
        line += f"; median {median:g} days to answer"
    return line
