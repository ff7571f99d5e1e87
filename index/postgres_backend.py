"""PostgreSQL full-text search in the store's own database.

The index is a derived table, ``search_doc``, created by this backend (``CREATE TABLE IF NOT
EXISTS``) and rebuilt by ``ratsinfo reindex``; nothing in the store's schema depends on it.
Its vectors hold exactly the terms the other engines index (:mod:`ratsinfo.index.fields`),
written as ``tsvector`` literals with explicit positions and weights, so PostgreSQL's own
parser and dictionaries never touch them:

* ``tsv`` — free text: A the Betreff, B the meta fields (reference, Vorlageart, Gremien …)
  and the compound parts of Betreff and meta fields, C the text, D the text's parts. Parts
  carry a ``~`` prefix, so a phrase never runs through a part and ``text:`` queries can use
  the weights C/D alone.
* ``fsv`` — field queries: the Betreff and each meta field's terms prefixed with the field
  key (``gremium:rat``, ``gremium~ausschuss``), positions per field for phrases.
* keyword columns (normalised reference, topic ids), the date, and facet values as arrays.

One GIN index holds both vectors, so words and field conditions are one index scan whose keys
skip to each other, the rarest leading (two indexes would each build a whole bitmap first).

Ranking is ``ts_rank`` with weights {D 0.1, C 0.2, B 0.4, A 1.0} and length normalisation,
summed over the query's alternatives with their boosts, over ``rsv``: a small vector kept in
the row with the Betreff, the meta fields and only the text's most frequent terms (ranking over
``tsv`` would read and decompress kilobytes per matching row). Searches run with the sequential
scan switched off and a large ``work_mem``, so the GIN index answers the match without reading
the text vectors (phrases and ``text:`` queries excepted: their positions and weights must be
rechecked).

Every row costs a few microseconds to rank, count or facet, so a common word in a million papers
would take seconds. Each search therefore first counts its candidates in a sample of about
PROBE_ROWS papers (sample lexemes in the text vector, see :mod:`ratsinfo.index.pg_vectors`, let one
GIN scan skip to them). Up to about EXACT_UP_TO candidates it is answered exactly: every match
ranked, counted by SQL, faceted. Beyond, it is *broad*: the total and the facets are estimated
from a sample of at least FACET_SAMPLE matches (``SearchResults.exact`` is False, the CLI says
"about"); newest-first walks the date index, which finds the newest matches of a common word
after a few rows; by relevance, the papers with a ranked word in the Betreff are ranked first,
then the rest, each tier over a sample of about RANK_POOL candidates, grown until it yields the
hits asked for — so asking for more hits than the samples hold returns every match, with an
exact total. Phrases are checked on ranked candidates, best first, until enough are found.

PostgreSQL caps positions at 16,383 and a ``tsvector`` at 1 MB: phrases deep inside very long
texts are not found by this backend, and the text of a paper beyond about 1 MB of distinct
terms is not indexed here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ratsinfo.core.errors import RatsinfoError
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
from ratsinfo.index.fields import AnalysedDoc
from ratsinfo.index.pg_query import SqlBuilder, betreff_query, rank_queries
from ratsinfo.index.pg_vectors import BUCKETS, field_vector, free_vector, rank_vector
from ratsinfo.nlp.analysis import format_key

SCHEMA_VERSION = "p5"
TABLE = "search_doc"
META_TABLE = "search_meta"
LOCK_KEY = 0x5241_5453  # advisory lock held while writing search_doc
RANK_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A
RANK_NORMALISATION = 1  # divide by 1 + log(document length)
# facet key -> column
FACET_COLUMNS = {
    "paperType": "fa_type",
    "underDirectionOf": "fa_fed",
    "participating": "fa_bet",
    "gremium": "fa_gremium",
    "year": "year",
    "body": "fa_body",
    "topic": "topics",
}
COLUMNS = (
    "paper_id",
    "date",
    "year",
    "reference",
    "topics",
    "fa_type",
    "fa_fed",
    "fa_bet",
    "fa_gremium",
    "fa_body",
    "tsv",
    "fsv",
    "rsv",
)
SEARCH_WORK_MEM = "64MB"
# Broad queries (many candidate matches in a large table) are answered from samples of the
# papers (the sample buckets of :mod:`ratsinfo.index.pg_vectors`).
EXACT_UP_TO = 10_000  # candidates answered exactly (ranked, counted, faceted)
PROBE_ROWS = 4_000  # papers in the sample that tells a broad query from a narrow one
FACET_SAMPLE = 2_000  # matches facets and the total are estimated from, at least
RANK_POOL = 2_000  # papers of a tier ranked, at least

_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    paper_id integer PRIMARY KEY,
    date date,
    year smallint,
    reference text,
    topics text[] NOT NULL DEFAULT '{{}}',
    fa_type text[] NOT NULL DEFAULT '{{}}',
    fa_fed text[] NOT NULL DEFAULT '{{}}',
    fa_bet text[] NOT NULL DEFAULT '{{}}',
    fa_gremium text[] NOT NULL DEFAULT '{{}}',
    fa_body text[] NOT NULL DEFAULT '{{}}',
    tsv tsvector NOT NULL,
    fsv tsvector NOT NULL,
    rsv tsvector NOT NULL
);
ALTER TABLE {TABLE} ALTER COLUMN rsv SET STORAGE MAIN, ALTER COLUMN topics SET STORAGE MAIN,
    ALTER COLUMN fa_type SET STORAGE MAIN, ALTER COLUMN fa_fed SET STORAGE MAIN,
    ALTER COLUMN fa_bet SET STORAGE MAIN, ALTER COLUMN fa_gremium SET STORAGE MAIN,
    ALTER COLUMN fa_body SET STORAGE MAIN;
CREATE TABLE IF NOT EXISTS {META_TABLE} (key text PRIMARY KEY, value text NOT NULL);
"""
_INDEXES = (
    # one GIN index over both vectors: a query on both is one index scan whose keys skip to
    # each other (the rare part leads), where two indexes would each build a whole bitmap
    f"CREATE INDEX IF NOT EXISTS {TABLE}_vectors ON {TABLE} USING gin (tsv, fsv)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_topics ON {TABLE} USING gin (topics)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_date ON {TABLE} (date DESC NULLS LAST, paper_id DESC)",
    f"CREATE INDEX IF NOT EXISTS {TABLE}_reference ON {TABLE} (reference text_pattern_ops)",
)


Condition = tuple[str, list[Any]]  # SQL and its parameters


@dataclass(frozen=True)
class _Probe:
    buckets: int  # the sample: papers in buckets below this
    candidates: int  # loose matches in the sample
    matches: int  # exact matches in the sample
    betreff_candidates: int  # loose matches in the sample with a ranked word in the Betreff
    betreff: str | None  # the tsquery on fsv for those


def _grow(buckets: int, seen: int, wanted: int) -> int:
    """Buckets for a sample of about ``wanted`` rows where ``buckets`` held ``seen``."""
    if seen <= 0:
        return BUCKETS
    return max(buckets, min(BUCKETS, math.ceil(buckets * wanted / seen)))


def _tier_pool(tier: tuple[str, bool] | None, buckets: int) -> int:
    """A Betreff tier's sample of more than a quarter of the papers is all of them (its many
    sample lexemes would cost more to skip through than the tier's rows)."""
    if tier is not None and not tier[1] and buckets > BUCKETS // 4:
        return BUCKETS
    return buckets


def _estimate(value: float, buckets: int) -> int:
    """A count scaled up from a sample, to two significant digits (exact for a full sample)."""
    if buckets >= BUCKETS or value < 100:
        return round(value)
    digits = len(str(int(value))) - 2
    return int(round(value, -digits))


def _order(plan: p.PlanNode, ranked: bool) -> tuple[str, str, list[str]]:
    """ORDER BY, the score expression and its parameters."""
    if not ranked:
        return "date DESC NULLS LAST, paper_id DESC", "0.0", []
    ranks = rank_queries(plan)
    score = " + ".join(
        f"{boost:g} * ts_rank('{RANK_WEIGHTS}', rsv, %s::tsquery, {RANK_NORMALISATION})" for boost, _ in ranks
    )
    return "score DESC, paper_id", score, [query for _, query in ranks]


def _format() -> str:
    return f"{SCHEMA_VERSION}-{format_key()}"


def _conninfo(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql+psycopg2://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


def _compress_lz4(conn: Any) -> None:
    """Phrases and ``text:`` queries read the text vectors back; lz4 (PostgreSQL 14+, where
    built with it) decompresses several times faster than the default pglz."""
    import psycopg

    try:
        with conn.transaction():
            conn.execute(
                f"ALTER TABLE {TABLE} ALTER COLUMN tsv SET COMPRESSION lz4, "
                "ALTER COLUMN fsv SET COMPRESSION lz4"
            )
    except psycopg.Error:
        pass  # older server or no lz4: pglz it is


class PostgresBackend(SearchBackend):
    name = "postgres"
    bulk_batch = 10_000

    def __init__(self, settings: Any):
        super().__init__(settings)
        if not settings.database_url.startswith(("postgresql", "postgres:")):
            raise RatsinfoError(
                "RATSINFO_INDEX=postgres keeps the search index in the store's PostgreSQL database, "
                "but the store is not PostgreSQL (set RATSINFO_DATABASE_URL=postgresql://…, or use "
                "RATSINFO_INDEX=whoosh or tantivy)"
            )
        self.url = _conninfo(settings.database_url)
        self._conn: Any = None
        self._bulk = False

    # --- connection and schema ------------------------------------------------------------------

    @property
    def conn(self) -> Any:
        if self._conn is None:
            import psycopg

            try:
                self._conn = psycopg.connect(self.url)
            except psycopg.OperationalError as exc:
                raise RatsinfoError(f"cannot connect to PostgreSQL for search: {exc}") from None
            self._ensure()
        return self._conn

    def _ensure(self) -> None:
        """Create the table (and its indexes) if missing; record the format of a new table."""
        conn = self._conn
        with conn.transaction():
            exists = conn.execute("SELECT to_regclass(%s)", (TABLE,)).fetchone()[0] is not None
            conn.execute(_CREATE)
            if not exists:
                _compress_lz4(conn)
                conn.execute(
                    f"INSERT INTO {META_TABLE} (key, value) VALUES ('format', %s) "
                    "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                    (_format(),),
                )
            if not self._bulk:
                for statement in _INDEXES:
                    conn.execute(statement)

    def check(self) -> None:
        row = self.conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'format'").fetchone()
        self.conn.commit()
        if row is None or row[0] != _format():
            raise IndexOutdated(
                "the PostgreSQL search table was built by another version; run `ratsinfo reindex`"
            )

    # --- writing ------------------------------------------------------------------------------

    @staticmethod
    def prepare(doc: AnalysedDoc) -> tuple[Any, ...]:
        """One row of ``search_doc`` (vectors as literals), built in the analysis workers."""
        return (
            doc.paper_id,
            doc.date,
            doc.date.year if doc.date else None,
            doc.reference or None,
            doc.topics,
            doc.facets.get("paperType", []),
            doc.facets.get("underDirectionOf", []),
            doc.facets.get("participating", []),
            doc.facets.get("gremium", []),
            doc.facets.get("body", []),
            free_vector(doc),
            field_vector(doc),
            rank_vector(doc),
        )

    def write(self, docs: Iterable[tuple[Any, ...]], deleted: Iterable[int] = ()) -> int:
        rows = list(docs)
        deleted = list(deleted)
        if not rows and not deleted:
            return 0
        conn = self.conn
        with conn.transaction():
            if not conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (LOCK_KEY,)).fetchone()[0]:
                raise IndexBusy("another process is writing the PostgreSQL search table")
            gone = deleted + ([] if self._bulk else [row[0] for row in rows])
            if gone:
                conn.execute(f"DELETE FROM {TABLE} WHERE paper_id = ANY(%s)", (gone,))
            if rows:
                with conn.cursor().copy(f"COPY {TABLE} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        return len(rows)

    def clear(self) -> None:
        conn = self.conn
        with conn.transaction():
            conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
            conn.execute(f"DELETE FROM {META_TABLE}")
        self._ensure_fresh()

    def _ensure_fresh(self) -> None:
        conn = self.conn
        with conn.transaction():
            conn.execute(_CREATE)
            _compress_lz4(conn)
            conn.execute(f"INSERT INTO {META_TABLE} (key, value) VALUES ('format', %s)", (_format(),))
            if not self._bulk:
                for statement in _INDEXES:
                    conn.execute(statement)

    def begin_bulk(self) -> None:
        """Load without indexes (building a GIN index once is far quicker than upkeep)."""
        self._bulk = True
        conn = self.conn
        with conn.transaction():
            for name in ("vectors", "topics", "date", "reference"):
                conn.execute(f"DROP INDEX IF EXISTS {TABLE}_{name}")

    def end_bulk(self) -> None:
        self._bulk = False
        conn = self.conn
        conn.execute("SET maintenance_work_mem = '512MB'")
        with conn.transaction():
            for statement in _INDEXES:
                conn.execute(statement)
        conn.execute("RESET maintenance_work_mem")
        conn.commit()
        autocommit = conn.autocommit
        conn.autocommit = True
        try:
            conn.execute(f"VACUUM ANALYZE {TABLE}")
        finally:
            conn.autocommit = autocommit

    def count(self) -> int:
        n = self.conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0]
        self.conn.commit()
        return int(n)

    def is_empty(self) -> bool:
        row = self.conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {TABLE})").fetchone()
        self.conn.commit()
        return bool(row[0])

    def size_bytes(self) -> int:
        n = self.conn.execute("SELECT pg_total_relation_size(%s)", (TABLE,)).fetchone()[0]
        self.conn.commit()
        return int(n or 0)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    # --- searching ----------------------------------------------------------------------------

    def search(self, plan: p.PlanNode, request: SearchRequest) -> SearchResults:
        ranked = request.sort != "date" and bool(rank_queries(plan))
        conn = self.conn
        # the GIN indexes answer the match (the planner would read every row's text vector for
        # a common word); a large work_mem keeps their bitmaps exact, so no row is rechecked
        conn.execute("SET LOCAL enable_seqscan = off")
        conn.execute(f"SET LOCAL work_mem = '{SEARCH_WORK_MEM}'")
        exact = SqlBuilder().condition(plan)
        try:
            probe = self._probe(plan, exact)
            if probe is None:
                results = self._search_exact(plan, exact, request, ranked)
            else:
                results = self._search_broad(plan, exact, request, ranked, probe)
        except BaseException:
            conn.rollback()
            raise
        conn.commit()
        return results

    def _table_rows(self) -> float:
        sql = "SELECT reltuples FROM pg_class WHERE oid = %s::regclass"
        row = self.conn.execute(sql, (TABLE,)).fetchone()
        return float(row[0]) if row else 0.0

    def _probe(self, plan: p.PlanNode, exact_condition: Condition) -> _Probe | None:
        """Counts in a sample of about PROBE_ROWS papers; None when the query is narrow enough
        (about EXACT_UP_TO candidates at most) to be answered exactly."""
        rows = self._table_rows()
        if rows <= EXACT_UP_TO:
            return None
        buckets = max(1, min(BUCKETS, math.ceil(BUCKETS * PROBE_ROWS / rows)))
        loose, loose_params = SqlBuilder(loose=True).condition(plan, sample=buckets)
        exact, exact_params = exact_condition
        betreff = betreff_query(plan)
        if SqlBuilder(loose=True).condition(plan) == exact_condition:
            counts, params = ["count(*)", "count(*)"], []
        else:  # phrases: checked on the sample's candidates only
            counts, params = ["count(*)", f"count(*) FILTER (WHERE {exact})"], exact_params
        if betreff:
            counts.append("count(*) FILTER (WHERE fsv @@ %s::tsquery)")
            params = [*params, betreff]
        row = self.conn.execute(
            f"SELECT {', '.join(counts)} FROM {TABLE} WHERE {loose}", [*params, *loose_params]
        ).fetchone()
        probe = _Probe(buckets, int(row[0]), int(row[1]), int(row[2]) if betreff else 0, betreff)
        if probe.candidates * BUCKETS / buckets <= EXACT_UP_TO:
            return None
        return probe

    def _search_exact(
        self, plan: p.PlanNode, exact: Condition, request: SearchRequest, ranked: bool
    ) -> SearchResults:
        """Rank, count and facet every match."""
        order, score, score_params = _order(plan, ranked)
        hits, total, facets = self._matches(
            exact, (order, score, score_params), request.limit, request.offset, request.facets
        )
        return SearchResults(hits, total, facets)

    def _matches(
        self,
        condition: Condition,
        ranking: tuple[str, str, list[str]],
        limit: int,
        offset: int,
        with_facets: bool,
    ) -> tuple[list[Hit], int, dict[str, list[tuple[str, int]]]]:
        """One page of the matches, their count and (``with_facets``) their facets, in one
        statement, so that the index scans run once. ``ranking``: see :func:`_order`."""
        where, params = condition
        order, score, score_params = ranking
        cols = ["paper_id", "date", f"{score} AS score"]
        parts = [
            f"(SELECT 'hit', paper_id::text, score, row_number() OVER (ORDER BY {order}) FROM "
            f"(SELECT * FROM m ORDER BY {order} LIMIT %s OFFSET %s) AS h)",
            "(SELECT '_total', NULL, NULL, count(*) FROM m)",
        ]
        if with_facets:
            cols += sorted(set(FACET_COLUMNS.values()) - {"date"})
            parts += _facet_parts()
        sql = f"WITH m AS MATERIALIZED (SELECT {', '.join(cols)} FROM {TABLE} WHERE {where}) "
        rows = self.conn.execute(
            sql + " UNION ALL ".join(parts), [*score_params, *params, limit, offset]
        ).fetchall()
        hits = sorted((n, Hit(int(value), float(s))) for key, value, s, n in rows if key == "hit")
        total, facets = _read_facets((key, value, n) for key, value, _, n in rows if key != "hit")
        return [hit for _, hit in hits], total, facets

    def _search_broad(
        self, plan: p.PlanNode, exact: Condition, request: SearchRequest, ranked: bool, probe: _Probe
    ) -> SearchResults:
        """A query with many candidates in a large table: the total and the facets estimated
        from a sample; newest first by walking the date index; by relevance, the papers with a
        ranked word in the Betreff first (the Betreff weighs most), then the rest, each tier
        ranked over a sample of about RANK_POOL candidates when larger."""
        buckets = probe.buckets
        total = probe.matches * BUCKETS / buckets
        facets: dict[str, list[tuple[str, int]]] = {}
        if request.facets:
            buckets = _grow(buckets, probe.matches, FACET_SAMPLE)
            sampled = SqlBuilder().condition(plan, sample=buckets)
            _, n, raw = self._matches(sampled, _order(plan, False), 0, 0, with_facets=True)
            scale = BUCKETS / buckets
            total = n * scale
            facets = {k: [(v, _estimate(c * scale, buckets)) for v, c in vs] for k, vs in raw.items()}
        need = request.offset + request.limit
        if ranked:
            rows = self._ranked_tiers(plan, exact, probe, need)
        else:
            rows = self._newest(exact, need)
        hits = [Hit(int(pid), float(s)) for pid, s in rows[request.offset : need]]
        full = buckets >= BUCKETS  # the sample was everything
        if len(rows) < need:  # every match was found
            return SearchResults(hits, len(rows), facets, exact=full or not request.facets)
        return SearchResults(hits, max(_estimate(total, buckets), len(rows)), facets, exact=full)

    def _newest(self, exact: Condition, n: int) -> list[tuple[int, float]]:
        """The newest ``n`` matches, walking the date index (many papers match: few are read)."""
        where, params = exact
        self.conn.execute("SET LOCAL enable_bitmapscan = off")
        try:
            return self.conn.execute(
                f"SELECT paper_id, 0.0 FROM {TABLE} WHERE {where} "
                "ORDER BY date DESC NULLS LAST, paper_id DESC LIMIT %s",
                [*params, n],
            ).fetchall()
        finally:
            self.conn.execute("SET LOCAL enable_bitmapscan = on")

    def _ranked_tiers(
        self, plan: p.PlanNode, exact: Condition, probe: _Probe, n: int
    ) -> list[tuple[int, float]]:
        tiers: list[tuple[tuple[str, bool] | None, int]] = [(None, probe.candidates)]
        if probe.betreff:
            rest = probe.candidates - probe.betreff_candidates
            tiers = [((probe.betreff, False), probe.betreff_candidates), ((probe.betreff, True), rest)]
        rows: list[tuple[int, float]] = []
        for tier, in_probe in tiers:
            wanted = n - len(rows)
            pool = _tier_pool(tier, _grow(probe.buckets, in_probe, max(RANK_POOL, 2 * wanted)))
            found = self._rank_tier(plan, exact, tier, pool, wanted)
            while len(found) < wanted and pool < BUCKETS:  # a sample too small: take more
                pool = _tier_pool(tier, min(BUCKETS, pool * 4))
                found = self._rank_tier(plan, exact, tier, pool, wanted)
            rows += found  # fewer than wanted: the whole tier
            if len(rows) >= n:
                break
        return rows

    def _rank_tier(
        self, plan: p.PlanNode, exact: Condition, tier: tuple[str, bool] | None, buckets: int, n: int
    ) -> list[tuple[int, float]]:
        """The best ``n`` matches of a tier among its papers in the first ``buckets`` sample
        buckets: the candidates (the loose match, from the GIN indexes alone) are ranked, then
        checked against the exact condition best first, so that a phrase is checked on only
        as many papers as it takes."""
        order, score, score_params = _order(plan, True)
        loose, loose_params = SqlBuilder(loose=True).condition(plan, sample=buckets, tier=tier)
        cols = "paper_id, date, year, reference, topics, tsv, fsv"
        return self.conn.execute(
            f"SELECT paper_id, score FROM (SELECT {cols}, {score} AS score FROM {TABLE} "
            f"WHERE {loose} ORDER BY {order} OFFSET 0) AS c WHERE {exact[0]} LIMIT %s",
            [*score_params, *loose_params, *exact[1], n],
        ).fetchall()


def _facet_parts() -> list[str]:
    """SELECTs over the matches ``m``: (facet key, value, NULL, count) for the top values."""
    parts = []
    for key in FACETS:
        col = FACET_COLUMNS[key]
        if col == "year":
            parts.append(
                f"(SELECT '{key}', year::text, NULL::float8, count(*) AS n FROM m WHERE year IS NOT NULL "
                f"GROUP BY year ORDER BY n DESC, year LIMIT {FACET_SIZE})"
            )
        else:
            parts.append(
                f"(SELECT '{key}', v, NULL::float8, count(*) AS n FROM m, unnest(m.{col}) v "
                f"GROUP BY v ORDER BY n DESC, v LIMIT {FACET_SIZE})"
            )
    return parts


def _read_facets(rows: Iterable[tuple[str, Any, Any]]) -> tuple[int, dict[str, list[tuple[str, int]]]]:
    """The total and the facets from (key, value, count) rows."""
    total = 0
    out: dict[str, list[tuple[str, int]]] = {}
    for key, value, n in rows:
        if key == "_total":
            total = int(n)
        else:
            out.setdefault(key, []).append((value, int(n)))
    return total, out
