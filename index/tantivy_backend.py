"""The fast embedded engine: a tantivy index (Rust, via the ``tantivy`` wheel) in the data dir.

Same fields and query semantics as the Whoosh backend: documents arrive analysed
(:mod:`ratsinfo.index.fields`) as space-joined terms and tantivy's whitespace tokenizer keeps
them as they are, with positions for phrases on the main fields (frequencies only on the
parts fields). Facet values are fast fields counted by tantivy's terms aggregation; the paper
id is a fast field too, so nothing is stored but what searching needs.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

import tantivy
from tantivy import Occur, Query

from ratsinfo.index import plan as p
from ratsinfo.index.base import (
    FACET_SIZE,
    Hit,
    IndexBusy,
    IndexOutdated,
    SearchBackend,
    SearchRequest,
    SearchResults,
)
from ratsinfo.index.fields import (
    AnalysedDoc,
    field_strings,
    main_string,
    parts_string,
    scope_fields,
    scoped_main,
    scoped_part,
)
from ratsinfo.nlp.analysis import PART_BOOST, format_key

SCHEMA_VERSION = "t1"
FORMAT_FILE = "RATSINFO_FORMAT"
TOKENIZER = "ratsinfo_ws"
# facet key -> fast field
FACET_FIELDS = {
    "paperType": "fa_type",
    "underDirectionOf": "fa_fed",
    "participating": "fa_bet",
    "gremium": "fa_gremium",
    "year": "year",
    "body": "fa_body",
    "topic": "topic",
}
_REGEX_SPECIAL = set(r"\.+*?()|[]{}^$#&-~")


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_integer_field("pid", stored=False, indexed=True, fast=True)
    for name in ("name", "meta", "text", "f"):
        sb.add_text_field(name, tokenizer_name=TOKENIZER, index_option="position")
    for name in ("name_p", "meta_p", "text_p", "fp"):
        sb.add_text_field(name, tokenizer_name=TOKENIZER, index_option="freq")
    sb.add_text_field("reference", tokenizer_name="raw", index_option="basic")
    sb.add_text_field("topic", tokenizer_name="raw", index_option="basic", fast=True)
    for name in ("fa_type", "fa_fed", "fa_bet", "fa_gremium", "fa_body"):
        sb.add_text_field(name, tokenizer_name="raw", index_option="basic", fast=True)
    sb.add_date_field("date", indexed=True, fast=True)
    sb.add_integer_field("year", indexed=False, fast=True)
    return sb.build()


def _format() -> str:
    return f"{SCHEMA_VERSION}-{format_key()}"


class TantivyBackend(SearchBackend):
    name = "tantivy"
    bulk_batch = 20_000

    def __init__(self, settings: Any, threads: int | None = None):
        super().__init__(settings)
        self.path = settings.index_dir
        self.threads = threads or min(os.cpu_count() or 1, 8)
        self._ix: tantivy.Index | None = None
        self._schema: tantivy.Schema | None = None
        self._bulk = False

    # --- opening ------------------------------------------------------------------------------

    def check(self) -> None:
        marker = self.path / FORMAT_FILE
        if (self.path / "meta.json").exists() and (
            not marker.exists() or marker.read_text().strip() != _format()
        ):
            raise IndexOutdated("the tantivy index was built by another version; run `ratsinfo reindex`")

    @property
    def ix(self) -> tantivy.Index:
        if self._ix is None:
            self.check()
            self.path.mkdir(parents=True, exist_ok=True)
            fresh = not (self.path / "meta.json").exists()
            self._schema = _schema()
            self._ix = tantivy.Index(self._schema, path=str(self.path), reuse=True)
            self._ix.register_tokenizer(
                TOKENIZER, tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()
            )
            if fresh:
                (self.path / FORMAT_FILE).write_text(_format())
        return self._ix

    @property
    def schema(self) -> tantivy.Schema:
        self.ix  # noqa: B018 - opens the index
        assert self._schema is not None
        return self._schema

    # --- writing ------------------------------------------------------------------------------

    @staticmethod
    def prepare(doc: AnalysedDoc) -> tuple[int, str]:
        """The paper id and the document as tantivy's JSON input (built in the analysis workers)."""
        f_main, f_parts = field_strings(doc.fields)
        out: dict[str, Any] = {
            "pid": doc.paper_id,
            "name": main_string(doc.name),
            "name_p": parts_string(doc.name),
            "meta": main_string(doc.meta),
            "meta_p": parts_string(doc.meta),
            "text": main_string(doc.text),
            "text_p": parts_string(doc.text),
            "f": f_main,
            "fp": f_parts,
            "topic": doc.topics,
            "fa_type": doc.facets.get("paperType", []),
            "fa_fed": doc.facets.get("underDirectionOf", []),
            "fa_bet": doc.facets.get("participating", []),
            "fa_gremium": doc.facets.get("gremium", []),
            "fa_body": doc.facets.get("body", []),
        }
        if doc.reference:
            out["reference"] = doc.reference
        if doc.date:
            out["date"] = f"{doc.date.isoformat()}T00:00:00Z"
            out["year"] = doc.date.year
        fields = {k: v for k, v in out.items() if v not in ("", [])}
        return doc.paper_id, json.dumps(fields, ensure_ascii=False)

    def write(self, docs: Iterable[tuple[int, str]], deleted: Iterable[int] = ()) -> int:
        docs = list(docs)
        deleted = list(deleted)
        if not docs and not deleted:
            return 0
        try:
            writer = self.ix.writer(
                heap_size=256_000_000 if len(docs) > 2_000 else 64_000_000,
                num_threads=self.threads if len(docs) > 2_000 else 1,
            )
        except ValueError as exc:
            raise IndexBusy(f"another process is writing the tantivy index ({exc})") from None
        try:
            for paper_id in deleted:
                writer.delete_documents_by_term("pid", paper_id)
            if not self._bulk:
                for paper_id, _ in docs:  # replace: delete the paper's old document first
                    writer.delete_documents_by_term("pid", paper_id)
            for _, raw in docs:
                writer.add_json(raw)
            writer.commit()
            writer.wait_merging_threads()
        except BaseException:
            writer.rollback()
            raise
        self.ix.reload()
        return len(docs)

    def clear(self) -> None:
        self.close()
        if self.path.exists():
            shutil.rmtree(self.path)

    def begin_bulk(self) -> None:
        self._bulk = True

    def end_bulk(self) -> None:
        self._bulk = False

    def count(self) -> int:
        self.ix.reload()
        return self.ix.searcher().num_docs

    def size_bytes(self) -> int:
        return sum(f.stat().st_size for f in self.path.glob("*") if f.is_file()) if self.path.exists() else 0

    def close(self) -> None:
        self._ix = None

    # --- searching ----------------------------------------------------------------------------

    def search(self, plan: p.PlanNode, request: SearchRequest) -> SearchResults:
        query = self.to_query(plan)
        self.ix.reload()
        searcher = self.ix.searcher()
        if request.sort == "date":
            result = searcher.search(
                query,
                request.limit,
                count=True,
                order_by_field="date",
                offset=request.offset,
                order=tantivy.Order.Desc,
            )
        else:
            result = searcher.search(query, request.limit, count=True, offset=request.offset)
        addresses = [address for _, address in result.hits]
        pids = searcher.fast_field_values("pid", addresses) if addresses else []
        scores = [float(score) if isinstance(score, int | float) else 0.0 for score, _ in result.hits]
        if request.sort == "date":
            scores = [0.0] * len(pids)
        hits = [Hit(int(pid), score) for pid, score in zip(pids, scores, strict=True) if pid is not None]
        facets = self._facets(searcher, query) if request.facets and result.count else {}
        return SearchResults(hits=hits, total=int(result.count or 0), facets=facets)

    @staticmethod
    def _facets(searcher: tantivy.Searcher, query: Query) -> dict[str, list[tuple[str, int]]]:
        aggs = {
            key: {"terms": {"field": fld, "size": FACET_SIZE, "segment_size": 100_000}}
            for key, fld in FACET_FIELDS.items()
        }
        raw = searcher.aggregate(query, aggs)
        out = {}
        for key in FACET_FIELDS:
            buckets = (raw.get(key) or {}).get("buckets") or []
            pairs = ((str(b["key"]), int(b["doc_count"])) for b in buckets)
            values = sorted(pairs, key=lambda kv: (-kv[1], kv[0]))
            if values:
                out[key] = values[:FACET_SIZE]
        return out

    # --- the plan as a tantivy query -------------------------------------------------------------

    def to_query(self, node: p.PlanNode) -> Query:
        schema = self.schema
        if isinstance(node, p.All):
            return Query.all_query()
        if isinstance(node, p.Nothing):
            return Query.empty_query()
        if isinstance(node, p.Match):
            fields = scope_fields(node.scope)
            if node.mode == "phrase":
                words = [scoped_main(node.scope, t) for t in node.terms]
                return _or(
                    [_boost(Query.phrase_query(schema, m, words), b * node.boost) for m, _, b in fields]
                )
            if node.mode == "all":
                return _and(
                    [
                        _or(
                            [
                                q
                                for m, pf, b in fields
                                for q in (
                                    _boost(
                                        Query.term_query(schema, m, scoped_main(node.scope, t)),
                                        b * node.boost,
                                    ),
                                    _boost(
                                        Query.term_query(schema, pf, scoped_part(node.scope, t)),
                                        b * node.boost,
                                    ),
                                )
                            ]
                        )
                        for t in node.terms
                    ]
                )
            term = node.terms[0]
            if node.where == "parts":
                return _or(
                    [
                        _boost(Query.term_query(schema, pf, scoped_part(node.scope, term)), b * node.boost)
                        for _, pf, b in fields
                    ]
                )
            return _or(
                [
                    _boost(Query.term_query(schema, m, scoped_main(node.scope, term)), b * node.boost)
                    for m, _, b in fields
                ]
            )
        if isinstance(node, p.PrefixMatch):
            fields = scope_fields(node.scope)
            return _or(
                [
                    q
                    for m, pf, b in fields
                    for q in (
                        _boost(
                            Query.regex_query(
                                schema, m, _escape(scoped_main(node.scope, node.prefix)) + ".*"
                            ),
                            b,
                        ),
                        _boost(
                            Query.regex_query(
                                schema, pf, _escape(scoped_part(node.scope, node.prefix)) + ".*"
                            ),
                            b * PART_BOOST,
                        ),
                    )
                ]
            )
        if isinstance(node, p.Keyword):
            if node.prefix:
                return Query.regex_query(schema, node.field, _escape(node.value) + ".*")
            return Query.term_query(schema, node.field, node.value)
        if isinstance(node, p.Dates):
            return Query.range_query(
                schema,
                "date",
                tantivy.FieldType.Date,
                _dt(node.start) if node.start else tantivy.MIN_DATETIME,
                _dt(node.end) if node.end else tantivy.MAX_DATETIME,
            )
        if isinstance(node, p.OrN):
            return _or([self.to_query(c) for c in node.children])
        if isinstance(node, p.AndN):
            clauses = [
                (Occur.MustNot, self.to_query(c.child))
                if isinstance(c, p.NotN)
                else (Occur.Must, self.to_query(c))
                for c in node.children
            ]
            if all(occur == Occur.MustNot for occur, _ in clauses):
                clauses.insert(0, (Occur.Must, Query.all_query()))
            return Query.boolean_query(clauses)
        if isinstance(node, p.NotN):
            return Query.boolean_query(
                [(Occur.Must, Query.all_query()), (Occur.MustNot, self.to_query(node.child))]
            )
        raise TypeError(f"unknown plan node {node!r}")


def _boost(query: Query, boost: float) -> Query:
    return query if boost == 1.0 else Query.boost_query(query, boost)


def _or(queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Should, q) for q in queries])


def _and(queries: list[Query]) -> Query:
    return queries[0] if len(queries) == 1 else Query.boolean_query([(Occur.Must, q) for q in queries])


def _escape(text: str) -> str:
    return "".join("\\" + ch if ch in _REGEX_SPECIAL else ch for ch in text)


def _dt(value: date) -> datetime:
    return datetime(value.year, value.month, value.day)
