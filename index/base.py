"""The small interface every search engine implements: Whoosh, tantivy and PostgreSQL.

Backends index :class:`IndexDoc` values built from the store (analysed once by
:mod:`ratsinfo.index.fields`, so every engine holds the same terms) and answer a compiled
query (:mod:`ratsinfo.index.plan`) with paper ids, scores, a total and facet counts. Loading
papers, snippets and output formats stay outside them (:mod:`ratsinfo.index.service`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ratsinfo.core.config import Settings
from ratsinfo.core.errors import RatsinfoError

# facet key -> label shown in tables; the keys are what --json prints
FACETS: dict[str, str] = {
    "paperType": "Vorlageart",
    "underDirectionOf": "Federführend",
    "participating": "Beteiligt",
    "gremium": "Gremium",
    "year": "Jahr",
    "body": "Körperschaft",
    "topic": "Thema",
}
FACET_SIZE = 10  # values per facet, most frequent first


@dataclass
class IndexDoc:
    """One paper as the index sees it: every searchable field, text already gathered."""

    paper_id: int
    reference: str = ""
    name: str = ""
    paper_type: str = ""
    body: str = ""
    date: date | None = None
    status: str = ""
    under_direction_of: list[str] = field(default_factory=list)
    participating: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    originator: list[str] = field(default_factory=list)
    gremium: list[str] = field(default_factory=list)
    result: list[str] = field(default_factory=list)
    # the paper's text sections and the text of its files: what topics are computed from
    text: str = ""
    # searchable in the text field but not topic evidence: section titles, file names
    extra: list[str] = field(default_factory=list)
    # topic ids; None: computed from name and text when the document is analysed
    topic: list[str] | None = None


@dataclass
class Hit:
    paper_id: int
    score: float
    snippet: str | None = None  # matching words wrapped in <mark>…</mark>


@dataclass
class SearchResults:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # False: ``total`` and the facet counts are estimates from a sample of the matches (the
    # PostgreSQL engine on broad queries over large stores)
    exact: bool = True


@dataclass
class SearchRequest:
    """A query and how to answer it. ``query`` is text in the query language
    (:mod:`ratsinfo.index.query`) or an already parsed AST node; ``filters`` are AST nodes
    (see :func:`ratsinfo.index.query.filters_from_options`) ANDed to it."""

    query: Any
    limit: int = 20
    offset: int = 0
    sort: str = "relevance"  # relevance | date (newest first)
    facets: bool = False
    snippets: bool = True
    filters: Sequence[Any] = ()


class IndexBusy(RatsinfoError):
    """Another process holds the index writer; the caller may search what is there."""


class IndexOutdated(RatsinfoError):
    """The index was built with another schema or analysis; it must be rebuilt."""


class SearchBackend(ABC):
    """One engine. ``write`` is durable when it returns (the sync clears flags after it)."""

    name: str
    # how many documents the indexer hands to one write() (one commit) when rebuilding
    bulk_batch: int = 5_000

    def __init__(self, settings: Settings):
        self.settings = settings

    @abstractmethod
    def write(self, docs: Iterable[Any], deleted: Iterable[int] = ()) -> int:
        """Add or replace ``docs`` (prepared by :meth:`prepare`) and remove ``deleted`` paper
        ids, durably; returns the number of docs written."""

    @staticmethod
    @abstractmethod
    def prepare(doc: Any) -> Any:
        """An :class:`ratsinfo.index.fields.AnalysedDoc` as this engine's input. A static
        method, so that worker processes can run it next to the analysis."""

    @abstractmethod
    def clear(self) -> None:
        """Remove everything (before a full reindex)."""

    @abstractmethod
    def search(self, plan: Any, request: SearchRequest) -> SearchResults:
        """Answer a compiled query (:func:`ratsinfo.index.plan.compile_query`)."""

    @abstractmethod
    def count(self) -> int: ...

    def is_empty(self) -> bool:
        return self.count() == 0

    def check(self) -> None:  # noqa: B027 - optional
        """Raise :class:`IndexOutdated` when the index was built by another format."""

    def begin_bulk(self) -> None:  # noqa: B027 - optional
        """A full rebuild starts (after :meth:`clear`): engines may defer index upkeep."""

    def end_bulk(self) -> None:  # noqa: B027 - optional
        """A full rebuild ended: build what :meth:`begin_bulk` deferred."""

    def size_bytes(self) -> int:
        """Bytes the index takes on disk (for benchmarks)."""
        return 0

    def close(self) -> None:  # noqa: B027 - optional
        pass


def get_backend(settings: Settings) -> SearchBackend:
    """The backend ``RATSINFO_INDEX`` chose."""
    if settings.index_backend == "whoosh":
        from ratsinfo.index.whoosh_backend import WhooshBackend

        return WhooshBackend(settings)
    if settings.index_backend == "tantivy":
        from ratsinfo.index.tantivy_backend import TantivyBackend

        return TantivyBackend(settings)
    if settings.index_backend == "postgres":
        from ratsinfo.index.postgres_backend import PostgresBackend

        return PostgresBackend(settings)
    raise RatsinfoError(f"unknown search backend {settings.index_backend!r}")
