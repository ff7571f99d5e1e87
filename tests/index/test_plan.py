"""Compiling parsed queries into analysed plans, once for every backend."""

from __future__ import annotations

from datetime import date

from ratsinfo.index.base import IndexDoc
from ratsinfo.index.fields import analyse_doc
from ratsinfo.index.pg_query import SqlBuilder, rank_queries
from ratsinfo.index.pg_vectors import field_vector, free_vector
from ratsinfo.index.plan import (
    All,
    AndN,
    Dates,
    Keyword,
    Match,
    Nothing,
    NotN,
    OrN,
    PrefixMatch,
    compile_query,
    scores,
)
from ratsinfo.index.query import filters_from_options, parse_query


def plan(text: str):
    return compile_query(parse_query(text))


def test_a_word_becomes_its_alternatives() -> None:
    word = plan("Glasfaserausbau")
    assert isinstance(word, OrN) and word.word
    assert [(m.where, m.mode, m.terms, m.boost) for m in word.children] == [
        ("main", "term", ("glasfaserausbau",), 1.0),
        ("parts", "term", ("glasfaserausbau",), 0.5),
        ("any", "all", ("glasfaser", "ausbau"), 0.3),
    ]
    assert plan("Schulen").children[0].terms == ("schule",)  # lemmas
    assert plan("betreff:Schulen").children[0].scope == "name"


def test_phrases_prefixes_keywords_and_dates() -> None:
    assert plan('"Rat der Stadt"') == Match(None, plan('"Rat der Stadt"').alt)
    assert plan('"Rat der Stadt"').terms == ("rat", "der", "stadt")
    assert plan('gremium:"Rat der Stadt"').scope == "gremium"
    assert plan("Digital*") == PrefixMatch(None, "digital")
    assert plan("nummer:21-15513") == Keyword("reference", "21-15513")
    assert plan("nummer:vo/2026/1*") == Keyword("reference", "VO/2026/1", prefix=True)
    assert plan("topic:SmartCity") == Keyword("topic", "smartcity")
    assert plan("datum:2020") == Dates(date(2020, 1, 1), date(2020, 12, 31))


def test_function_words_and_negation() -> None:
    assert plan("der die das") == Nothing()
    assert plan("der Glasfaser") == plan("Glasfaser")
    negated = plan("-WLAN")
    assert (
        isinstance(negated, AndN) and negated.children[0] == All() and isinstance(negated.children[1], NotN)
    )
    assert plan("*") == All() and not scores(plan("*"))
    assert not scores(plan("topic:smartcity datum:2020")) and scores(plan("topic:smartcity WLAN"))
    filtered = compile_query(parse_query(""), filters_from_options(topic="schule", since="2020"))
    assert filtered == AndN((Dates(date(2020, 1, 1), None), Keyword("topic", "schule")))


def test_postgres_sql_merges_tsqueries_per_vector() -> None:
    where, params = SqlBuilder().condition(plan("WLAN -Breitband"))
    assert where == "tsv @@ %s::tsquery"
    assert params[0].startswith("(('wlan') | ('~wlan')) & !(")
    where, params = SqlBuilder().condition(plan('gremium:"Rat der Stadt" datum:2020..2021 text:Glasfaser*'))
    assert where == "(date BETWEEN %s AND %s AND fsv @@ %s::tsquery AND tsv @@ %s::tsquery)"
    assert params[2] == "('gremium:rat' <-> 'gremium:der' <-> 'gremium:stadt')"
    assert params[3] == "('glasfaser':*C | '~glasfaser':*D)"
    where, _ = SqlBuilder().condition(plan("-WLAN"))
    assert where == "(TRUE AND NOT (tsv @@ %s::tsquery))"
    assert rank_queries(plan("Glasfaserausbau")) == [
        (1.0, "'glasfaserausbau'"),
        (0.5, "'~glasfaserausbau'"),
        (0.3, "'glasfaser' | '~glasfaser' | 'ausbau' | '~ausbau'"),
    ]


def test_postgres_vectors_hold_the_same_terms() -> None:
    doc = analyse_doc(
        IndexDoc(
            paper_id=1,
            reference="21-15513",
            name="Glasfaserausbau",
            gremium=["Rat der Stadt"],
            text="Die Schulen",
        )
    )
    free = free_vector(doc)
    assert "'glasfaserausbau':1A" in free and "'~glasfaser':1B" in free and "'21-15513':3B" in free
    assert "'schule':" in free and "C" in free.split("'schule':")[1].split(" ")[0]
    fields = field_vector(doc)
    assert (
        "'name:glasfaserausbau':1" in fields and "'gremium:rat':1" in fields and "'gremium:stadt':3" in fields
    )
