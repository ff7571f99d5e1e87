"""Import health per source: is it still delivering, and do its pages and files still parse?

A source needs attention when

* its newest paper is older than its usual rhythm allows: the longest pause between paper
  dates in the year before its newest paper (summer breaks included) times 1.5, at least
  :data:`MIN_SILENCE_DAYS`; a parser that silently finds nothing shows up here too;
* the share of failed items of its last complete crawl jumped: at least 5 % and at least twice
  the share of the crawls before plus 5 points (a first crawl: at least :data:`FIRST_CRAWL_SHARE`);
* many of its files fail to download or extract;
* its last crawl has been unfinished for more than a day.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ratsinfo.store.db import as_utc, utcnow
from ratsinfo.store.models import Crawl, CrawlItem, File, Paper, PaperChange, PaperSource, Source

WEEKS = 8
MIN_SILENCE_DAYS = 14
RHYTHM_FACTOR = 1.5
RHYTHM_MIN_PAPERS = 5
FIRST_CRAWL_SHARE = 0.2
FILE_SHARE = 0.25
MIN_FAILURES = 3
STUCK = timedelta(days=1)


@dataclass
class CrawlFigures:
    id: int
    started: str
    finished: str | None
    status: str
    items: int
    failed: int

    @property
    def share(self) -> float:
        return self.failed / self.items if self.items else 0.0


@dataclass
class SourceHealth:
    source: str
    kind: str
    name: str | None
    papers: int = 0
    last_crawl: CrawlFigures | None = None
    previous_failure_share: float | None = None
    weekly_added: list[tuple[str, int]] = field(default_factory=list)  # (Monday, papers) oldest first
    newest_paper: date | None = None
    days_silent: int | None = None
    usual_gap_days: int | None = None
    files: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def attention(self) -> bool:
        return bool(self.warnings)

    def to_dict(self) -> dict[str, Any]:
        last = self.last_crawl
        return {
            "source": self.source,
            "kind": self.kind,
            "name": self.name,
            "papers": self.papers,
            "lastCrawl": {**asdict(last), "failureShare": round(last.share, 4)} if last else None,
            "previousFailureShare": (
                round(self.previous_failure_share, 4) if self.previous_failure_share is not None else None
            ),
            "addedPerWeek": [{"week": w, "added": n} for w, n in self.weekly_added],
            "newestPaper": self.newest_paper.isoformat() if self.newest_paper else None,
            "daysSilent": self.days_silent,
            "usualGapDays": self.usual_gap_days,
            "files": self.files,
            "warnings": self.warnings,
            "attention": self.attention,
        }


def health(session: Session, *, weeks: int = WEEKS, now: datetime | None = None) -> list[SourceHealth]:
    """The health of every source."""
    now = as_utc(now) or utcnow()
    sources = session.scalars(select(Source).order_by(Source.id))
    return [source_health(session, s, weeks=weeks, now=now) for s in sources]


def source_health(session: Session, source: Source, *, weeks: int, now: datetime) -> SourceHealth:
    out = SourceHealth(source=source.url, kind=source.kind, name=source.name)
    _crawls(session, source.id, out, now)
    _papers(session, source.id, out, now.date())
    _weekly(session, source.id, out, weeks, now)
    _files(session, source.id, out)
    return out


def _crawls(session: Session, source_id: int, out: SourceHealth, now: datetime) -> None:
    crawls = session.scalars(
        select(Crawl).where(Crawl.source_id == source_id).order_by(Crawl.id.desc()).limit(6)
    ).all()
    if not crawls:
        out.warnings.append("never crawled")
        return
    counts: dict[int, dict[str, int]] = {}
    for crawl_id, status, n in session.execute(
        select(CrawlItem.crawl_id, CrawlItem.status, func.count())
        .where(CrawlItem.crawl_id.in_([c.id for c in crawls]))
        .group_by(CrawlItem.crawl_id, CrawlItem.status)
    ):
        counts.setdefault(crawl_id, {})[status] = n
    figures = [
        CrawlFigures(
            id=c.id,
            started=as_utc(c.started_at).isoformat(timespec="seconds"),  # type: ignore[union-attr]
            finished=as_utc(c.finished_at).isoformat(timespec="seconds") if c.finished_at else None,  # type: ignore[union-attr]
            status=c.status,
            items=sum(counts.get(c.id, {}).values()),
            failed=counts.get(c.id, {}).get("failed", 0),
        )
        for c in crawls
    ]
    newest = crawls[0]
    if newest.status != "done" and now - as_utc(newest.started_at) > STUCK:  # type: ignore[operator]
        out.warnings.append(
            f"crawl {newest.id} started {figures[0].started[:10]} has not finished; "
            "run the crawl again to resume it"
        )
    done = [f for f in figures if f.status == "done"]
    if not done:
        out.last_crawl = figures[0]
        return
    last, before = done[0], done[1:]
    out.last_crawl = last
    out.previous_failure_share = sum(f.share for f in before) / len(before) if before else None
    share = last.share
    if last.failed < MIN_FAILURES and share < 0.5:
        return
    previous = out.previous_failure_share
    if previous is None:
        jumped = share >= FIRST_CRAWL_SHARE
    else:
        jumped = share >= 0.05 and share >= 2 * previous + 0.05
    if jumped:
        was = f" (before: {previous:.0%})" if previous is not None else ""
        failed = f"{last.failed} of {last.items} items failed in crawl {last.id}"
        out.warnings.append(f"{failed}: {share:.0%}{was}")


def _papers(session: Session, source_id: int, out: SourceHealth, today: date) -> None:
    dates = sorted(
        {
            d
            for (d,) in session.execute(
                select(Paper.date)
                .join(PaperSource, PaperSource.paper_id == Paper.id)
                .where(PaperSource.source_id == source_id, Paper.deleted.is_(False), Paper.date.is_not(None))
            )
            if d <= today
        }
    )
    out.papers = (
        session.scalar(
            select(func.count(func.distinct(Paper.id)))
            .select_from(PaperSource)
            .join(Paper, Paper.id == PaperSource.paper_id)
            .where(PaperSource.source_id == source_id, Paper.deleted.is_(False))
        )
        or 0
    )
    if not dates:
        return
    newest = dates[-1]
    out.newest_paper = newest
    out.days_silent = (today - newest).days
    year = [d for d in dates if d >= newest - timedelta(days=365)]
    if len(year) < RHYTHM_MIN_PAPERS:
        year = dates[-RHYTHM_MIN_PAPERS:]
    if len(year) < RHYTHM_MIN_PAPERS:
        return  # too few papers to know the source's rhythm
    usual = max((b - a).days for a, b in itertools.pairwise(year))
    out.usual_gap_days = usual
    allowed = max(MIN_SILENCE_DAYS, math.ceil(usual * RHYTHM_FACTOR))
    if out.days_silent > allowed:
        out.warnings.append(
            f"no new paper since {newest.isoformat()} ({out.days_silent} days; "
            f"usually at most {usual} days between papers)"
        )


def _weekly(session: Session, source_id: int, out: SourceHealth, weeks: int, now: datetime) -> None:
    monday = now.date() - timedelta(days=now.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    added = dict.fromkeys((first + timedelta(weeks=i) for i in range(weeks)), 0)
    for (seen,) in session.execute(
        select(PaperChange.seen_at)
        .join(Crawl, Crawl.id == PaperChange.crawl_id)
        .where(
            Crawl.source_id == source_id,
            PaperChange.kind == "new",
            PaperChange.seen_at >= datetime.combine(first, datetime.min.time(), tzinfo=now.tzinfo),
        )
    ):
        day = as_utc(seen).date()  # type: ignore[union-attr]
        week = day - timedelta(days=day.weekday())
        if week in added:
            added[week] += 1
    out.weekly_added = [(w.isoformat(), n) for w, n in added.items()]


def _files(session: Session, source_id: int, out: SourceHealth) -> None:
    counts: dict[str, int] = {}
    paper_ids = select(PaperSource.paper_id).where(PaperSource.source_id == source_id)
    for download, extract, n in session.execute(
        select(File.download_status, File.extract_status, func.count())
        .where(File.paper_id.in_(paper_ids))
        .group_by(File.download_status, File.extract_status)
    ):
        counts["total"] = counts.get("total", 0) + n
        counts[f"download_{download}"] = counts.get(f"download_{download}", 0) + n
        if download == "ok":
            counts[f"extract_{extract}"] = counts.get(f"extract_{extract}", 0) + n
    out.files = counts
    for step in ("download", "extract"):
        failed = counts.get(f"{step}_failed", 0)
        tried = failed + counts.get(f"{step}_ok", 0)
        if failed >= MIN_FAILURES and failed / tried >= FILE_SHARE:
            out.warnings.append(f"{failed} of {tried} files failed to {step} ({failed / tried:.0%})")
