"""The relational schema: one set of typed models for SQLite and PostgreSQL.

A paper may be seen by several sources (an OParl API and the RIS's HTML pages); each source's
own parsed record is kept in :class:`PaperSource` with links to the raw responses it came from,
and :class:`Paper` holds the merged view that search, tracking and exports read.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

JSONType = JSON().with_variant(JSONB(), "postgresql")

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSONType,
        list[Any]: JSONType,
        datetime: DateTime(timezone=True),
    }


class Source(Base):
    """A crawled system: one OParl API, ALLRIS or SessionNet site, identified by its start URL."""

    __tablename__ = "source"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    # start time of the last crawl that completed: the next crawl asks for what changed since
    last_complete_crawl_started_at: Mapped[datetime | None]
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)

    crawls: Mapped[list[Crawl]] = relationship(back_populates="source")


class Crawl(Base):
    """One run over a source; an unfinished one is resumed by the next ``crawl`` of that source."""

    __tablename__ = "crawl"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")  # running | done
    modified_since: Mapped[datetime | None]
    options: Mapped[dict[str, Any]] = mapped_column(default=dict)

    source: Mapped[Source] = relationship(back_populates="crawls")


class CrawlItem(Base):
    """The crawl frontier: one URL to fetch and how to handle it.

    Items are claimed with a lease, so a worker that dies loses its claim and the item is
    retried; handlers are idempotent, so a retried item changes nothing twice.
    """

    __tablename__ = "crawl_item"
    __table_args__ = (
        UniqueConstraint("crawl_id", "kind", "url", name="uq_crawl_item_key"),
        Index("ix_crawl_item_claim", "crawl_id", "status", "priority", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    crawl_id: Mapped[int] = mapped_column(ForeignKey("crawl.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    url: Mapped[str] = mapped_column(String(2000))
    host: Mapped[str] = mapped_column(String(255), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    priority: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|claimed|done|failed
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None]
    worker: Mapped[str | None] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class HostGate(Base):
    """Per-host politeness shared by every worker: the earliest time of the next request."""

    __tablename__ = "host_gate"

    host: Mapped[str] = mapped_column(String(255), primary_key=True)
    next_at: Mapped[float] = mapped_column(Float, default=0.0)
    # the worker ("hostname:pid") holding the slot for a request under way, so a slot held by a
    # process that died can be freed at once instead of when its hold runs out
    holder: Mapped[str | None] = mapped_column(String(100))


class RawResponse(Base):
    """An HTTP response as received; the body lives on disk, content-addressed by sha256."""

    __tablename__ = "raw_response"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), index=True)
    method: Mapped[str] = mapped_column(String(10), default="GET")
    request_data: Mapped[dict[str, Any] | None]
    fetched_at: Mapped[datetime]
    status: Mapped[int]
    content_type: Mapped[str | None] = mapped_column(String(200))
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(BigInteger)
    crawl_id: Mapped[int | None] = mapped_column(ForeignKey("crawl.id", ondelete="SET NULL"), index=True)


class Body(Base):
    """A council (Körperschaft): Stadt, Gemeinde, Bezirksversammlung."""

    __tablename__ = "body"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("source.id"))
    external_id: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    short_name: Mapped[str | None] = mapped_column(String(200))
    ags: Mapped[str | None] = mapped_column(String(20))
    web: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw_response_id: Mapped[int | None] = mapped_column(ForeignKey("raw_response.id"))


class Organization(Base):
    """A Gremium, Fraktion or office (Amt, Fachbereich)."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str | None] = mapped_column(String(1000))
    short_name: Mapped[str | None] = mapped_column(String(500))
    classification: Mapped[str | None] = mapped_column(String(200))
    organization_type: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw_response_id: Mapped[int | None] = mapped_column(ForeignKey("raw_response.id"))


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str | None] = mapped_column(String(500))
    family_name: Mapped[str | None] = mapped_column(String(200))
    given_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw_response_id: Mapped[int | None] = mapped_column(ForeignKey("raw_response.id"))


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(2000), unique=True)
    name: Mapped[str | None] = mapped_column(String(1000))
    start: Mapped[datetime | None]
    end: Mapped[datetime | None]
    location: Mapped[str | None] = mapped_column(String(1000))
    cancelled: Mapped[bool | None]
    organizations: Mapped[list[Any]] = mapped_column(default=list)
    web: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw_response_id: Mapped[int | None] = mapped_column(ForeignKey("raw_response.id"))


class AgendaItem(Base):
    __tablename__ = "agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(2000), unique=True)
    number: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool | None]
    result: Mapped[str | None] = mapped_column(String(500))
    resolution_text: Mapped[str | None] = mapped_column(Text)
    consultation: Mapped[str | None] = mapped_column(String(2000))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Paper(Base):
    """A council paper (Vorlage, Drucksache), merged over every source that shows it."""

    __tablename__ = "paper"
    __table_args__ = (Index("ix_paper_body_reference", "body_id", "reference"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    body_id: Mapped[int | None] = mapped_column(ForeignKey("body.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str | None] = mapped_column(String(2000))
    web: Mapped[str | None] = mapped_column(String(2000))
    reference: Mapped[str | None] = mapped_column(String(200), index=True)
    name: Mapped[str] = mapped_column(Text, default="")
    paper_type: Mapped[str | None] = mapped_column(String(200))
    date: Mapped[date | None] = mapped_column(Date, index=True)
    status: Mapped[str | None] = mapped_column(String(500))
    under_direction_of: Mapped[list[Any]] = mapped_column(default=list)
    participating: Mapped[list[Any]] = mapped_column(default=list)
    responsible: Mapped[list[Any]] = mapped_column(default=list)
    originator: Mapped[list[Any]] = mapped_column(default=list)
    related_paper: Mapped[list[Any]] = mapped_column(default=list)
    text: Mapped[dict[str, Any]] = mapped_column(default=dict)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # topic ids (data/topics.toml), assigned by the enrichment that runs before indexing
    topics: Mapped[list[Any]] = mapped_column(default=list)
    # the merged record as last saved: what the next save is diffed against
    merged: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    first_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    # set in the same transaction as every change; the indexer clears it after its commit,
    # so the index is never ahead of the store
    needs_index: Mapped[bool] = mapped_column(Boolean, default=True, index=True)

    body: Mapped[Body | None] = relationship()
    sources: Mapped[list[PaperSource]] = relationship(back_populates="paper", cascade="all, delete-orphan")
    consultations: Mapped[list[ConsultationRow]] = relationship(
        back_populates="paper", cascade="all, delete-orphan", order_by="ConsultationRow.position"
    )
    files: Mapped[list[File]] = relationship(
        back_populates="paper", cascade="all, delete-orphan", order_by="File.position"
    )


class PaperSource(Base):
    """One source's own view of a paper, with the raw responses it was parsed from."""

    __tablename__ = "paper_source"
    __table_args__ = (UniqueConstraint("source_id", "external_id", name="uq_paper_source_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"))
    kind: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(2000))
    url: Mapped[str | None] = mapped_column(String(2000))
    record: Mapped[dict[str, Any]] = mapped_column(default=dict)
    raw_response_ids: Mapped[list[Any]] = mapped_column(default=list)
    source_modified: Mapped[datetime | None]
    parsed_at: Mapped[datetime]
    error: Mapped[str | None] = mapped_column(Text)

    paper: Mapped[Paper] = relationship(back_populates="sources")


class ConsultationRow(Base):
    """One Beratungsfolge step (OParl Consultation) of a paper."""

    __tablename__ = "consultation"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    date: Mapped[date | None] = mapped_column(Date, index=True)
    organization: Mapped[str | None] = mapped_column(String(1000))
    meeting: Mapped[str | None] = mapped_column(String(1000))
    role: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[str | None] = mapped_column(String(1000))
    state: Mapped[str | None] = mapped_column(String(100))
    authoritative: Mapped[bool | None]
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    paper: Mapped[Paper] = relationship(back_populates="consultations")


class File(Base):
    """An attachment; downloaded into the raw store and its text extracted page by page."""

    __tablename__ = "file"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    role: Mapped[str] = mapped_column(String(20), default="attachment")  # main | auxiliary | attachment
    external_id: Mapped[str | None] = mapped_column(String(2000))
    name: Mapped[str] = mapped_column(Text, default="")
    file_name: Mapped[str | None] = mapped_column(String(1000))
    access_url: Mapped[str | None] = mapped_column(String(2000))
    download_url: Mapped[str | None] = mapped_column(String(2000))
    mime_type: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    raw_response_id: Mapped[int | None] = mapped_column(ForeignKey("raw_response.id"))
    download_status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|ok|failed|skipped
    download_error: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str | None] = mapped_column(Text)
    extract_status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|ok|failed
    extract_error: Mapped[str | None] = mapped_column(Text)
    extracted_at: Mapped[datetime | None]
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)

    paper: Mapped[Paper | None] = relationship(back_populates="files")
    pages: Mapped[list[FilePage]] = relationship(
        back_populates="file", cascade="all, delete-orphan", order_by="FilePage.page"
    )


class FilePage(Base):
    """The text of one page of a file and how it was obtained (text layer or OCR)."""

    __tablename__ = "file_page"
    __table_args__ = (UniqueConstraint("file_id", "page", name="uq_file_page_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("file.id", ondelete="CASCADE"))
    page: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(String(10), default="text")
    confidence: Mapped[float | None]

    file: Mapped[File] = relationship(back_populates="pages")


class ListEntry(Base):
    """A row of an HTML source's paper list as last seen: an incremental crawl fetches a paper
    page again only when its row is new or shows something else (its fingerprint changed)."""

    __tablename__ = "list_entry"
    __table_args__ = (UniqueConstraint("source_id", "key", name="uq_list_entry_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(2000))
    url: Mapped[str | None] = mapped_column(String(2000))
    reference: Mapped[str | None] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(64), default="")
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_crawl_id: Mapped[int | None] = mapped_column(ForeignKey("crawl.id", ondelete="SET NULL"))
    # set once the paper page behind the row was parsed and saved with this fingerprint
    fetched_fingerprint: Mapped[str | None] = mapped_column(String(64))


class IndexRemoval(Base):
    """A paper removed from the store whose index entry the next index sync deletes."""

    __tablename__ = "index_removal"

    paper_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class PaperChange(Base):
    """A change of a paper seen by a crawl: which field, old and new value, when."""

    __tablename__ = "paper_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    crawl_id: Mapped[int | None] = mapped_column(ForeignKey("crawl.id", ondelete="SET NULL"))
    seen_at: Mapped[datetime] = mapped_column(index=True)
    field: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default="changed")  # new|changed|added|removed|deleted
    old: Mapped[Any | None] = mapped_column(JSONType)
    new: Mapped[Any | None] = mapped_column(JSONType)


# --- tracking (ratsinfo.track): families of papers and watches ----------------------------------


class PaperKey(Base):
    """A key a paper is known by, so links can find it: its normalised reference (within its body,
    ``body_key`` 0 without one) or one of its URLs (``body_key`` 0: URLs are global)."""

    __tablename__ = "paper_key"
    __table_args__ = (Index("ix_paper_key_lookup", "key", "body_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    body_key: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(String(2000))


class PaperLink(Base):
    """One paper naming another: as its supplement (``X-01`` → ``X``), in relatedPaper, or in text.

    A link whose target is not (yet) in the store keeps ``target_id`` empty and is resolved when a
    paper with that key arrives; ``alt_key`` is the paper a supplement number falls back to."""

    __tablename__ = "paper_link"
    __table_args__ = (
        UniqueConstraint("paper_id", "kind", "ref_key", name="uq_paper_link_key"),
        Index("ix_paper_link_ref", "ref_key", "body_key"),
        Index("ix_paper_link_alt", "alt_key", "body_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("paper.id", ondelete="CASCADE"), index=True)
    target_id: Mapped[int | None] = mapped_column(ForeignKey("paper.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # supplement | related | mentions
    via: Mapped[str] = mapped_column(String(20))  # reference | relatedPaper | text | file
    body_key: Mapped[int] = mapped_column(default=0)
    ref_key: Mapped[str] = mapped_column(String(2000))
    alt_key: Mapped[str | None] = mapped_column(String(200))


class PaperLinkState(Base):
    """The ``Paper.updated_at`` a paper's keys and links were computed from (stale when it differs)."""

    __tablename__ = "paper_link_state"

    paper_id: Mapped[int] = mapped_column(
        ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    stamp: Mapped[datetime]


class Watch(Base):
    """A saved query whose new and changed papers ``watch run`` reports."""

    __tablename__ = "watch"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    query: Mapped[str] = mapped_column(Text, default="")
    filters: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    last_run_at: Mapped[datetime | None]
    # the last PaperChange.id the previous run reported up to
    last_change_id: Mapped[int] = mapped_column(default=0)


class WatchMatch(Base):
    """The papers a watch matched at its last run, so a paper that disappears is still reported."""

    __tablename__ = "watch_match"

    watch_id: Mapped[int] = mapped_column(ForeignKey("watch.id", ondelete="CASCADE"), primary_key=True)
    paper_id: Mapped[int] = mapped_column(
        ForeignKey("paper.id", ondelete="CASCADE"), primary_key=True, index=True
    )
