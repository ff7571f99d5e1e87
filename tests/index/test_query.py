"""The query language: every feature, the AST it yields, and errors that say where."""

from __future__ import annotations

from datetime import date

import pytest

from ratsinfo.core.errors import RatsinfoError
from ratsinfo.index.query import (
    FIELD_KINDS,
    And,
    DateRange,
    MatchAll,
    Not,
    Or,
    Phrase,
    Prefix,
    QuerySyntaxError,
    Term,
    and_filters,
    field_key,
    filter_node,
    filters_from_options,
    parse_query,
    walk,
)


def t(text: str, field: str | None = None) -> Term:
    return Term(field, text)


def test_words_default_to_and() -> None:
    assert parse_query("Glasfaser Ausbau") == And((t("Glasfaser"), t("Ausbau")))
    assert parse_query("Glasfaser") == t("Glasfaser")


def test_empty_and_star_match_all() -> None:
    assert parse_query("") == MatchAll()
    assert parse_query("   ") == MatchAll()
    assert parse_query("*") == MatchAll()


def test_phrases() -> None:
    assert parse_query('"Smart City"') == Phrase(None, ("Smart", "City"))
    assert parse_query("„Smart City“") == Phrase(None, ("Smart", "City"))  # German quotes
    assert parse_query('"Glasfaser"') == t("Glasfaser")


def test_operators_and_precedence() -> None:
    assert parse_query("a OR b") == Or((t("a"), t("b")))
    assert parse_query("a ODER b") == parse_query("a | b") == parse_query("a || b") == Or((t("a"), t("b")))
    assert parse_query("a UND b") == parse_query("a && b") == parse_query("a AND b") == And((t("a"), t("b")))
    # AND binds tighter than OR
    assert parse_query("a b OR c") == Or((And((t("a"), t("b"))), t("c")))
    assert parse_query("a AND b OR c AND d") == Or((And((t("a"), t("b"))), And((t("c"), t("d")))))
    assert parse_query("a (b OR c)") == And((t("a"), Or((t("b"), t("c")))))
    # lower-case "or"/"and" are words
    assert parse_query("rock and roll") == And((t("rock"), t("and"), t("roll")))


def test_negation() -> None:
    assert parse_query("Glasfaser -Antrag") == And((t("Glasfaser"), Not(t("Antrag"))))
    assert parse_query("Glasfaser NOT Antrag") == parse_query("Glasfaser NICHT Antrag")
    assert parse_query("Glasfaser !Antrag") == And((t("Glasfaser"), Not(t("Antrag"))))
    # a NOT alone subtracts from everything
    assert parse_query("-WLAN") == And((MatchAll(), Not(t("WLAN"))))
    assert parse_query("a OR -b") == Or((t("a"), And((MatchAll(), Not(t("b"))))))
    # a hyphen inside a word is part of it
    assert parse_query("E-Akte KA-WLAN") == And((t("E-Akte"), t("KA-WLAN")))
    assert parse_query("-(a OR b)") == And((MatchAll(), Not(Or((t("a"), t("b"))))))


def test_prefix() -> None:
    assert parse_query("digital*") == Prefix(None, "digital")
    assert parse_query("betreff:Glas*") == Prefix("name", "Glas")


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("betreff", "name"),
        ("art", "paperType"),
        ("typ", "paperType"),
        ("vorlageart", "paperType"),
        ("nummer", "reference"),
        ("referenz", "reference"),
        ("reference", "reference"),
        ("federfuehrend", "underDirectionOf"),
        ("federführend", "underDirectionOf"),
        ("beteiligt", "participating"),
        ("verantwortlich", "responsible"),
        ("gremium", "gremium"),
        ("body", "body"),
        ("topic", "topic"),
        ("thema", "topic"),
        ("status", "status"),
        ("ergebnis", "result"),
        ("datum", "date"),
        ("date", "date"),
        ("BETREFF", "name"),
        ("koerperschaft", "body"),
        ("text", "text"),
        ("verfasser", "originator"),
    ],
)
def test_field_aliases(typed: str, key: str) -> None:
    assert field_key(typed) == key
    assert key in FIELD_KINDS


def test_fields() -> None:
    assert parse_query("betreff:Glasfaser") == t("Glasfaser", "name")
    assert parse_query('gremium:"Rat der Stadt"') == Phrase("gremium", ("Rat", "der", "Stadt"))
    assert parse_query("nummer:21-15513-01") == t("21-15513-01", "reference")
    assert parse_query('nummer:"VO/2026/181"') == t("VO/2026/181", "reference")
    assert parse_query("topic:(smartcity OR schule)") == Or((t("smartcity", "topic"), t("schule", "topic")))
    assert parse_query("art:Anfrage -status:nichtöffentlich") == And(
        (t("Anfrage", "paperType"), Not(t("nichtöffentlich", "status")))
    )
    # "hier:" followed by a space and URLs are plain words, not fields
    assert parse_query("hier: Neuverteilung") == And((t("hier:"), t("Neuverteilung")))
    assert parse_query("https://ris.example") == t("https://ris.example")


@pytest.mark.parametrize(
    ("query", "start", "end"),
    [
        ("datum:2020-01-01..2021-06-30", date(2020, 1, 1), date(2021, 6, 30)),
        ("datum:2020", date(2020, 1, 1), date(2020, 12, 31)),
        ("datum:2020-02", date(2020, 2, 1), date(2020, 2, 29)),
        ("datum:2020..2021", date(2020, 1, 1), date(2021, 12, 31)),
        ("datum:2020..", date(2020, 1, 1), None),
        ("datum:..2021-06", None, date(2021, 6, 30)),
        ("date:31.03.2020", date(2020, 3, 31), date(2020, 3, 31)),
        ('datum:"2020"', date(2020, 1, 1), date(2020, 12, 31)),
    ],
)
def test_dates(query: str, start: date | None, end: date | None) -> None:
    assert parse_query(query) == DateRange(start, end)


def test_str_round_trip() -> None:
    for q in [
        'betreff:Glasfaser ("Smart City" OR digital*) -Antrag datum:2020..',
        "topic:smartcity",
        'gremium:"Rat der Stadt" nummer:2013/0050',
    ]:
        node = parse_query(q)
        assert parse_query(str(node)) == node


@pytest.mark.parametrize(
    ("query", "position", "reason"),
    [
        ("(Glasfaser OR Breitband", 0, "'(' is never closed"),
        ("Glasfaser)", 9, "')' without a matching '('"),
        ('"Smart City', 0, "unclosed quotation mark"),
        ("foo:bar", 0, "unknown field 'foo'"),
        ("betreff:", 8, "'betreff:' needs a value right after the colon"),
        ("betreff: Glasfaser", 8, "needs a value right after the colon"),
        ("Glasfaser AND", 13, "'AND' needs a term after it"),
        ("Glasfaser OR OR Breitband", 13, "'OR' needs a term after it"),
        ("OR Breitband", 0, "'OR' needs a term before it"),
        ("NOT", 3, "'NOT' needs a term after it"),
        ("Glasfaser -", 10, "'-' needs a term right after it"),
        ("gla*ser", 3, "wildcards go at the end"),
        ("*glas", 0, "wildcards go at the end"),
        ("glas?", 4, "wildcards go at the end"),
        ("datum:2020-13-01", 6, "not a valid date"),
        ("datum:gestern", 6, "not a date: 'gestern'"),
        ("datum:2021..2020", 6, "the range starts after it ends"),
        ("datum:..", 6, "a date range needs at least one end"),
        ("datum:2020..2021-02-30", 12, "not a valid date"),
        ("()", 0, "empty parentheses"),
        ('""', 0, "empty phrase"),
        ("topic:(a topic:b)", 9, "a field inside a field group"),
    ],
)
def test_errors_say_where(query: str, position: int, reason: str) -> None:
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(query)
    err = info.value
    assert isinstance(err, RatsinfoError)
    assert err.position == position
    assert reason in err.reason
    lines = str(err).splitlines()
    assert lines[0].startswith(f"query syntax error at position {position + 1}: ")
    assert lines[1] == f"  {query}"
    assert lines[2] == "  " + " " * position + "^"


def test_filters_from_options() -> None:
    base = parse_query("Glasfaser")
    filters = filters_from_options(
        type="Anfrage",
        body="Karlsruhe",
        since="2020",
        until="2021-06",
        topic="smartcity",
        federfuehrend="Fachbereich 10",
    )
    assert and_filters(base, filters) == And(
        (
            t("Glasfaser"),
            t("Anfrage", "paperType"),
            t("Karlsruhe", "body"),
            DateRange(date(2020, 1, 1), date(2021, 6, 30)),
            t("smartcity", "topic"),
            Phrase("underDirectionOf", ("Fachbereich", "10")),
        )
    )
    assert filters_from_options() == []
    assert and_filters(base, []) is base


def test_and_filters_flattens_and_keeps_match_all_for_negations() -> None:
    assert and_filters(parse_query(""), [filter_node("topic", "schule")]) == t("schule", "topic")
    assert and_filters(parse_query("a b"), [filter_node("art", "Antrag")]) == And(
        (t("a"), t("b"), t("Antrag", "paperType"))
    )
    assert and_filters(MatchAll(), [Not(t("x"))]) == And((MatchAll(), Not(t("x"))))
    assert filters_from_options(since="2020-03")[0] == DateRange(date(2020, 3, 1), None)
    with pytest.raises(QuerySyntaxError):
        filters_from_options(until="morgen")
    with pytest.raises(QuerySyntaxError):
        filter_node("nosuchfield", "x")


def test_walk() -> None:
    node = parse_query("a (b OR -c) datum:2020")
    kinds = [type(n).__name__ for n in walk(node)]
    assert kinds == ["And", "Term", "Or", "Term", "And", "MatchAll", "Not", "Term", "DateRange"]
