"""The PostgreSQL engine's answers to broad queries (many candidates in a large table): totals
and facets estimated from a sample, the Betreff tier ranked first, phrases checked on the
ranked candidates. The thresholds are lowered so the three councils' ~2,200 papers count as
large; each answer is compared with the exact one the same engine gives without sampling."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from ratsinfo.cli import main
from ratsinfo.core.config import Settings
from ratsinfo.index import postgres_backend as pg
from ratsinfo.index.base import SearchRequest, SearchResults, get_backend
from ratsinfo.index.pg_vectors import BUCKETS, sample_bucket, sample_query
from ratsinfo.index.plan import compile_query
from ratsinfo.index.query import parse_query
from tests.search.helpers import run, stored

pytestmark = pytest.mark.parametrize(
    "searched", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)

BROAD = ["Bebauungsplan", "Gemeinde", "Haushalt OR Satzung", "Antrag", "Hürtgenwald", "Gemeinde*"]
NEGATED = ['Gemeinde NOT "im Ortsteil"']
PHRASES = ['"Gemeinde Hürtgenwald"', '"im Ortsteil"']


@pytest.fixture
def backend(searched: Settings) -> Iterator[Any]:
    engine = get_backend(searched)
    yield engine
    engine.close()


def answer(engine: Any, query: str, **kwargs: Any) -> SearchResults:
    plan = compile_query(parse_query(query))
    return engine.search(plan, SearchRequest(query, **kwargs))


def exact_answer(engine: Any, query: str, **kwargs: Any) -> SearchResults:
    """The answer without sampling (every candidate ranked, counted, faceted)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(pg, "EXACT_UP_TO", 1_000_000)
        return answer(engine, query, **kwargs)


def exact_ids(engine: Any, query: str) -> set[int]:
    return {h.paper_id for h in exact_answer(engine, query, limit=10_000).hits}


@pytest.fixture
def sampled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Broad above 100 candidates; a probe of ~400 papers (about a fifth of the store)."""
    monkeypatch.setattr(pg, "EXACT_UP_TO", 100)
    monkeypatch.setattr(pg, "PROBE_ROWS", 400)
    monkeypatch.setattr(pg, "FACET_SAMPLE", 100)
    monkeypatch.setattr(pg, "RANK_POOL", 100)


@pytest.fixture
def full_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """The broad path, but with samples that hold every paper."""
    monkeypatch.setattr(pg, "EXACT_UP_TO", 100)
    monkeypatch.setattr(pg, "PROBE_ROWS", 1_000_000)


def test_sample_lexemes_select_exactly_the_papers_of_the_first_buckets(backend) -> None:
    conn = backend.conn
    ids = [row[0] for row in conn.execute(f"SELECT paper_id FROM {pg.TABLE}").fetchall()]
    assert len(ids) > 2_000
    for buckets in (1, 5, 31, 32, 33, 100, 500, BUCKETS):
        want = {i for i in ids if sample_bucket(i) < buckets}
        got = conn.execute(
            f"SELECT paper_id FROM {pg.TABLE} WHERE tsv @@ %s::tsquery", (sample_query(buckets),)
        ).fetchall()
        assert {row[0] for row in got} == want, buckets
    conn.commit()
    share = sum(sample_bucket(i) < 205 for i in ids) / len(ids)
    assert 0.15 < share < 0.25  # a fifth of the buckets holds about a fifth of the papers


@pytest.mark.parametrize("query", ["art:Beschlussvorlage Straße", "betreff:Breitband Versorgung"])
def test_words_and_field_conditions_are_one_scan_of_one_index(backend, query: str) -> None:
    """Text and field conditions go to the one GIN index over both vectors together, so its
    scan skips between them instead of building a bitmap per vector and intersecting them."""
    from ratsinfo.index.pg_query import SqlBuilder

    where, params = SqlBuilder().condition(compile_query(parse_query(query)))
    conn = backend.conn
    conn.execute("SET LOCAL enable_seqscan = off")
    (plan,) = conn.execute(
        f"EXPLAIN (FORMAT JSON) SELECT paper_id FROM {pg.TABLE} WHERE {where}", params
    ).fetchone()
    conn.rollback()

    def scans(node: dict[str, Any]) -> list[dict[str, Any]]:
        own = [node] if "Index Name" in node else []
        return own + [s for child in node.get("Plans", []) for s in scans(child)]

    (scan,) = scans(plan[0]["Plan"])
    assert scan["Index Name"] == f"{pg.TABLE}_vectors"
    assert "tsv @@" in scan["Index Cond"] and "fsv @@" in scan["Index Cond"]
    assert exact_ids(backend, query)  # and the query finds papers in this store


@pytest.mark.parametrize("query", BROAD + PHRASES + NEGATED)
def test_broad_queries_estimate_the_total_and_find_true_matches(backend, sampled, query: str) -> None:
    truth = exact_ids(backend, query)
    assert len(truth) > 100, "not a broad query in this store"
    got = answer(backend, query, limit=20)
    assert not got.exact
    assert 0.6 * len(truth) <= got.total <= 1.4 * len(truth)
    assert len(got.hits) == 20
    assert {h.paper_id for h in got.hits} <= truth
    everything = answer(backend, query, limit=10_000)  # more than the samples hold: all of them
    assert everything.exact and everything.total == len(everything.hits) == len(truth)
    assert {h.paper_id for h in everything.hits} == truth


@pytest.mark.parametrize("query", BROAD + PHRASES + NEGATED)
def test_broad_answers_with_a_full_sample_equal_the_exact_ones(backend, full_sample, query: str) -> None:
    exact = exact_answer(backend, query, limit=10_000, facets=True)
    got = answer(backend, query, limit=10_000, facets=True)
    assert got.exact and got.total == exact.total == len(exact.hits)
    assert {h.paper_id for h in got.hits} == {h.paper_id for h in exact.hits}
    assert got.facets == exact.facets
    newest = answer(backend, query, limit=30, sort="date")
    assert newest.hits == exact_answer(backend, query, limit=30, sort="date").hits


def test_broad_ranking_puts_betreff_matches_first(searched, backend, sampled) -> None:
    names = {p.id: p.name for p in stored(searched)}
    page = run(searched, "Bebauungsplan", limit=20)
    assert not page.exact and page.total_text.startswith("about ")
    assert all("bebauungsplan" in names[row["id"]].lower() for row in page.rows)
    scores = [row["score"] for row in page.rows]
    assert scores == sorted(scores, reverse=True)


def test_broad_facets_are_scaled_estimates(searched, backend, sampled) -> None:
    truth = exact_answer(backend, "Gemeinde", limit=1, facets=True)
    got = answer(backend, "Gemeinde", limit=1, facets=True)
    assert truth.exact and not got.exact
    true_types = dict(truth.facets["paperType"])
    for value, count in got.facets["paperType"][:3]:
        assert 0.5 * true_types[value] <= count <= 1.5 * true_types[value], value


def test_the_cli_says_when_a_total_is_an_estimate(cli_env, sampled) -> None:
    result = CliRunner().invoke(main, ["search", "Gemeinde", "--facets", "--json", "--limit", "3"])
    assert result.exit_code == 0, result.output
    page = json.loads(result.stdout)
    assert page["total_exact"] is False and page["total"] > 100 and len(page["hits"]) == 3
    result = CliRunner().invoke(main, ["search", "Gemeinde", "--limit", "3"])
    assert result.exit_code == 0, result.output
    assert re.search(r"about \d+ hits for 'Gemeinde'", result.stdout)
