"""The pure-Python embedded engine: a Whoosh index in the data dir.

Documents arrive analysed (:mod:`ratsinfo.index.fields`): the German analysis runs once, in
worker processes, and every engine holds the same terms. The workers go one step further for
Whoosh and encode each field's postings (term, frequency, positions) the way Whoosh's own
formats do (:class:`PreAnalysedText`), so the writer only files them: Whoosh's per-token Python
work, its bottleneck, runs in parallel. Only the paper id is stored; facet values sit in one
byte column per document, and snippets are made from the text in the store
(:mod:`ratsinfo.index.highlight`), which keeps the index small and quick to build. A rebuild
writes with several processes and large commits.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, time
from typing import Any

from whoosh import index
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import COLUMN, DATETIME, ID, KEYWORD, TEXT, Schema
from whoosh.formats import Positions
from whoosh.matching import AndNotMatcher
from whoosh.scoring import BM25F
from whoosh.system import pack_uint

from ratsinfo.index import plan as p
from ratsinfo.index.base import (
    FACET_SIZE,
    FACETS,
    Hit,
    IndexBusy,
    IndexOutdated,
    SearchBackend,
    SearchRequest,
    SearchResults,
)
from ratsinfo.index.fields import (
    SEP,
    AnalysedDoc,
    field_strings,
    scope_fields,
    scoped_main,
    scoped_part,
)
from ratsinfo.nlp.analysis import PART_BOOST, format_key

SCHEMA_VERSION = "w3"
FORMAT_FILE = "RATSINFO_FORMAT"
FACET_KEYS = tuple(FACETS)
_RS, _US = "\x1e", "\x1f"  # facet column: record and unit separators


class _AndNotMatcher(AndNotMatcher):
    """Whoosh's AndNot checks its first candidate against the excluded postings only when both
    start on the same document, so a paper could slip through when the excluded word's postings
    began earlier in the segment (whoosh #419): skip the excluded postings to it first."""

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class _AndNot(wq.AndNot):
    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        return _AndNotMatcher(scored, self.b.matcher(searcher, searcher.boolean_context()))


class Postings(list):
    """A field's postings computed in advance: ``(term bytes, freq, weight, value bytes)``."""


class PreAnalysedText(TEXT):
    """A TEXT field that also takes :class:`Postings` made by :func:`postings` (which encodes
    exactly as Whoosh's ``Positions``/``Frequency`` formats do); plain text still goes through
    the analyzer."""

    def index(self, value: Any, **kwargs: Any) -> Any:
        if isinstance(value, Postings):
            return iter(value)
        return super().index(value, **kwargs)


_POSITIONS = Positions()


def postings(terms: list[str], positions: bool) -> Postings:
    """What Whoosh's format would compute from these terms (``|`` separators keep a position)."""
    if positions:
        where: dict[str, list[int]] = {}
        for i, term in enumerate(terms):
            if term != SEP:
                where.setdefault(term, []).append(i)
        return Postings(
            (t.encode("utf-8"), len(ps), float(len(ps)), _POSITIONS.encode(ps)) for t, ps in where.items()
        )
    counts = Counter(t for t in terms if t != SEP)
    return Postings((t.encode("utf-8"), n, float(n), pack_uint(n)) for t, n in counts.items())


def _schema() -> Schema:
    words = SpaceSeparatedTokenizer()
    return Schema(
        id=ID(stored=True, unique=True),
        name=PreAnalysedText(analyzer=words, phrase=True),
        name_p=PreAnalysedText(analyzer=words, phrase=False),
        meta=PreAnalysedText(analyzer=words, phrase=True),
        meta_p=PreAnalysedText(analyzer=words, phrase=False),
        text=PreAnalysedText(analyzer=words, phrase=True),
        text_p=PreAnalysedText(analyzer=words, phrase=False),
        f=PreAnalysedText(analyzer=words, phrase=True),
        fp=PreAnalysedText(analyzer=words, phrase=False),
        reference=ID,
        topic=KEYWORD(scorable=False),
        date=DATETIME(sortable=True),
        facets=COLUMN(),
    )


def _format() -> str:
    return f"{SCHEMA_VERSION}-{format_key()}"


class WhooshBackend(SearchBackend):
    name = "whoosh"
    bulk_batch = 25_000

    def __init__(self, settings: Any, procs: int | None = None):
        super().__init__(settings)
        self.path = settings.index_dir
        self.procs = procs or os.cpu_count() or 1
        self._ix: index.Index | None = None
        self._bulk = False

    # --- opening ------------------------------------------------------------------------------

    def check(self) -> None:
        marker = self.path / FORMAT_FILE
        if index.exists_in(str(self.path)) and (
            not marker.exists() or marker.read_text().strip() != _format()
        ):
            raise IndexOutdated("the Whoosh index was built by another version; run `ratsinfo reindex`")

    @property
    def ix(self) -> index.Index:
        if self._ix is None:
            self.check()
            self.path.mkdir(parents=True, exist_ok=True)
            if index.exists_in(str(self.path)):
                self._ix = index.open_dir(str(self.path))
            else:
                self._ix = index.create_in(str(self.path), _schema())
                (self.path / FORMAT_FILE).write_text(_format())
        return self._ix

    # --- writing ------------------------------------------------------------------------------

    @staticmethod
    def prepare(doc: AnalysedDoc) -> dict[str, Any]:
        f_main, f_parts = field_strings(doc.fields)
        facet_values = [_US.join(doc.facets.get(k, [])) if k != "year" else "" for k in FACET_KEYS]
        if doc.date:
            facet_values[FACET_KEYS.index("year")] = str(doc.date.year)
        fields: dict[str, Any] = {
            "id": str(doc.paper_id),
            "name": postings(doc.name[0], True),
            "name_p": postings([p for _, p in doc.name[1]], False),
            "meta": postings(doc.meta[0], True),
            "meta_p": postings([p for _, p in doc.meta[1]], False),
            "text": postings(doc.text[0], True),
            "text_p": postings([p for _, p in doc.text[1]], False),
            "f": postings(f_main.split(" ") if f_main else [], True),
            "fp": postings(f_parts.split(" ") if f_parts else [], False),
            "reference": doc.reference,
            "topic": " ".join(doc.topics),
            "facets": _RS.join(facet_values).encode("utf-8"),
        }
        if doc.date:
            fields["date"] = datetime.combine(doc.date, time())
        return {k: v for k, v in fields.items() if v not in ("", None, [])}

    def write(self, docs: Iterable[dict[str, Any]], deleted: Iterable[int] = ()) -> int:
        docs = list(docs)
        deleted = list(deleted)
        if not docs and not deleted:
            return 0
        ix = self.ix
        fresh = self._bulk or ix.doc_count_all() == 0
        parallel = fresh and len(docs) >= 2_000 and self.procs > 1
        try:
            if parallel:
                writer = ix.writer(procs=self.procs, multisegment=True, limitmb=256, timeout=10.0)
            else:
                writer = ix.writer(limitmb=256, timeout=10.0)
        except index.LockError:
            raise IndexBusy("another process is writing the Whoosh index") from None
        try:
            for paper_id in deleted:
                writer.delete_by_term("id", str(paper_id))
            for fields in docs:
                if fresh:
                    writer.add_document(**fields)
                else:
                    writer.update_document(**fields)
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        return len(docs)

    def clear(self) -> None:
        self.close()
        if self.path.exists():
            shutil.rmtree(self.path)

    def begin_bulk(self) -> None:
        self._bulk = True

    def end_bulk(self) -> None:
        """The segments the parallel writers left stay as they are: merging them costs Whoosh
        more (about 7 ms per paper) than searching a few segments does."""
        self._bulk = False

    def count(self) -> int:
        return self.ix.doc_count()

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.glob("*") if f.is_file()) if self.path.exists() else 0

    def close(self) -> None:
        if self._ix is not None:
            self._ix.close()
            self._ix = None

    # --- searching ----------------------------------------------------------------------------

    def search(self, plan: p.PlanNode, request: SearchRequest) -> SearchResults:
        query = to_whoosh(plan)
        with self.ix.searcher(weighting=BM25F()) as searcher:
            # scoring every match in one pass is quicker here than Whoosh's top-k path followed
            # by the second pass a total needs (measured: 38 ms against 48 + 17 ms)
            kwargs: dict[str, Any] = {"limit": None}
            if request.sort == "date":
                kwargs.update(sortedby="date", reverse=True)
            results = searcher.search(query, **kwargs)
            total = len(results)
            window = results[request.offset : request.offset + request.limit]
            hits = [Hit(int(r["id"]), float(r.score or 0.0)) for r in window]
            facets = self._facets(searcher, results.docs()) if request.facets and total else {}
        return SearchResults(hits=hits, total=total, facets=facets)

    @staticmethod
    def _facets(searcher: Any, docnums: Iterable[int]) -> dict[str, list[tuple[str, int]]]:
        column = searcher.reader().column_reader("facets")
        counters = [Counter() for _ in FACET_KEYS]
        for docnum in docnums:
            raw = column[docnum]
            if not raw:
                continue
            for counter, values in zip(counters, raw.decode("utf-8").split(_RS), strict=False):
                if values:
                    counter.update(values.split(_US))
        return {
            key: sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))[:FACET_SIZE]
            for key, c in zip(FACET_KEYS, counters, strict=True)
            if c
        }


# --- the plan as a Whoosh query ---------------------------------------------------------------


def _or(queries: list[wq.Query]) -> wq.Query:
    return queries[0] if len(queries) == 1 else wq.Or(queries)


def to_whoosh(node: p.PlanNode) -> wq.Query:
    if isinstance(node, p.All):
        return wq.Every()
    if isinstance(node, p.Nothing):
        return wq.NullQuery
    if isinstance(node, p.Match):
        fields = scope_fields(node.scope)
        if node.mode == "phrase":
            return _or(
                [
                    wq.Phrase(m, [scoped_main(node.scope, t) for t in node.terms], boost=b * node.boost)
                    for m, _, b in fields
                ]
            )
        if node.mode == "all":
            return wq.And(
                [
                    _or(
                        [
                            q
                            for m, pf, b in fields
                            for q in (
                                wq.Term(m, scoped_main(node.scope, t), boost=b * node.boost),
                                wq.Term(pf, scoped_part(node.scope, t), boost=b * node.boost),
                            )
                        ]
                    )
                    for t in node.terms
                ]
            )
        term = node.terms[0]
        if node.where == "parts":
            return _or(
                [wq.Term(pf, scoped_part(node.scope, term), boost=b * node.boost) for _, pf, b in fields]
            )
        return _or([wq.Term(m, scoped_main(node.scope, term), boost=b * node.boost) for m, _, b in fields])
    if isinstance(node, p.PrefixMatch):
        fields = scope_fields(node.scope)
        return _or(
            [
                q
                for m, pf, b in fields
                for q in (
                    wq.Prefix(m, scoped_main(node.scope, node.prefix), boost=b),
                    wq.Prefix(pf, scoped_part(node.scope, node.prefix), boost=b * PART_BOOST),
                )
            ]
        )
    if isinstance(node, p.Keyword):
        return (wq.Prefix if node.prefix else wq.Term)(node.field, node.value)
    if isinstance(node, p.Dates):
        start = datetime.combine(node.start, time()) if node.start else None
        end = datetime.combine(node.end, time()) if node.end else None
        return wq.DateRange("date", start or datetime(1, 1, 1), end or datetime(9999, 12, 31))
    if isinstance(node, p.OrN):
        return wq.Or([to_whoosh(c) for c in node.children])
    if isinstance(node, p.AndN):
        positive = [to_whoosh(c) for c in node.children if not isinstance(c, p.NotN)]
        negative = [to_whoosh(c.child) for c in node.children if isinstance(c, p.NotN)]
        base = positive[0] if len(positive) == 1 else wq.And(positive) if positive else wq.Every()
        return _AndNot(base, _or(negative)) if negative else base
    if isinstance(node, p.NotN):
        return _AndNot(wq.Every(), to_whoosh(node.child))
    raise TypeError(f"unknown plan node {node!r}")
