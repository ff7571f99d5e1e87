"""The shared analysis: index terms, query alternatives, and that they meet."""

from __future__ import annotations

import re

import pytest

from ratsinfo.nlp.analysis import (
    Term,
    fold,
    index_strings,
    index_terms,
    lemma,
    main_terms,
    phrase_terms,
    prefix_term,
    query_terms,
)


def _main(text: str) -> list[str]:
    return [t.text for t in index_terms(text) if not t.part]


def _parts(text: str) -> set[str]:
    return {t.text for t in index_terms(text) if t.part}


def matches(query_word: str, text: str) -> float:
    """The best boost with which ``query_word`` matches ``text`` (0: no match), the way a
    backend evaluates :func:`query_terms`."""
    terms = index_terms(text)
    main = [t.text for t in terms if not t.part]
    parts = {t.text for t in terms if t.part}
    best = 0.0
    for alt in query_terms(query_word):
        if alt.mode == "phrase":
            hit = f" {' '.join(alt.terms)} " in f" {' '.join(main)} "
        elif alt.mode == "all":
            hit = all(t in main or t in parts for t in alt.terms)
        else:
            hit = alt.terms[0] in (parts if alt.where == "parts" else main)
        if hit:
            best = max(best, alt.boost)
    return best


def test_lemmas_umlauts_and_eszett() -> None:
    assert _main("Die Schulen beschlossen") == ["der", "schule", "beschliessen"]
    assert lemma("Städte") == "stadt"
    assert lemma("Bürger") == "bürger"  # umlauts stay: Snowball would give "burg" like Burg
    assert lemma("Beschlüsse") == lemma("Beschluss") == "beschluss"  # old and new spelling meet
    assert lemma("Meister") == "meister"  # not the table's sentence-initial "meist"
    assert fold("Straße") == "strasse"


def test_compound_heads_are_lemmatised() -> None:
    assert lemma("Bebauungspläne") == "bebauungsplan"
    assert lemma("Kindergärten") == "kindergarten"
    assert lemma("Stadtteilen") == "stadtteil"


def test_parts_share_their_token_position() -> None:
    terms = index_terms("Der Glasfaserausbau beginnt")
    assert Term("glasfaserausbau", 1, False, 4, 19) in terms
    assert {t.text for t in terms if t.part and t.pos == 1} == {"glasfaser", "ausbau", "glas", "faser"}
    assert [t.pos for t in terms if not t.part] == [0, 1, 2]


def test_hyphenated_words_are_words_plus_their_joined_spelling() -> None:
    terms = index_terms("Smart-City-Rahmenkonzept")
    assert [(t.text, t.pos) for t in terms if not t.part] == [("smart", 0), ("city", 1), ("rahmenkonzept", 2)]
    assert {(t.text, t.pos) for t in terms if t.part} == {
        ("smartcityrahmenkonzept", 0),
        ("smartcity", 0),
        ("cityrahmenkonzept", 1),
        ("rahmen", 2),
        ("konzept", 2),
    }


def test_codes_dates_and_line_breaks() -> None:
    assert _main("Vorlage 2013/0050, 21-15513-01 und VO/2026/181 vom 20.05.2026") == [
        "vorlage",
        "2013/0050",
        "21-15513-01",
        "und",
        "vo/2026/181",
        "vom",
        "20.05.2026",
    ]
    assert _main("In-\nnenstadt") == ["innenstadt"]
    assert _main("Handels- \nund Gewerbevereine") == ["handel", "und", "gewerbeverein"]
    assert _main("Ausbau/KA-WLAN") == ["ausbau", "ka", "wlan"]


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("Glasfaser Ausbau", "Konzept für den Glasfaserausbau"),
        ("Strategie Digitalisierung", "Digitalisierungsstrategie der Stadt"),
        ("Smart City", "Smart-City-Rahmenkonzept"),
        ("Glasfaserausbau", "Ausbau der Glasfaser in den Stadtteilen"),  # the whole finds its parts
        ("Digitalisierungsstrategie", "eine Strategie für die Digitalisierung"),
        ("Schulen", "Schule"),
        ("Bebauungsplan", "Bebauungspläne der Gemeinde"),
        ("Feuerwehr", "Neubau Feuerwehrgerätehaus Vossenack"),
        ("Breitband", "Breitbandausbau"),
        ("E-Government", "eGovernment in der Verwaltung"),
        ("eGovernment", "E-Government-Gesetz"),
        ("Smart-City", "Smart City Karlsruhe"),
    ],
)
def test_queries_meet_their_documents(query: str, text: str) -> None:
    assert all(matches(word, text) > 0 for word in query.split())


def test_parts_rank_below_exact_matches() -> None:
    assert matches("Glasfaser", "Glasfaser für Schulen") == 1.0
    assert 0 < matches("Glasfaser", "Glasfaserausbau") < 1.0
    assert (
        0
        < matches("Digitalisierungsstrategie", "Strategie zur Digitalisierung")
        < matches("Glasfaser", "Glasfaserausbau")
    )


def test_no_flooding_from_lexicalised_words() -> None:
    assert matches("Bürger", "Der Oberbürgermeister") == 0
    assert matches("Haus", "Haushaltssatzung 2007") == 0
    assert matches("Meister", "Bürgermeisterwahl") == 0


def test_query_side_details() -> None:
    assert query_terms("der") == []
    assert query_terms("und") == []
    assert query_terms("...") == []
    alts = query_terms("Glasfaserausbau")
    assert [(a.where, a.mode) for a in alts] == [("main", "term"), ("parts", "term"), ("any", "all")]
    assert alts[2].terms == ("glasfaser", "ausbau")
    assert phrase_terms("Rat der Stadt") == ("rat", "der", "stadt")
    assert prefix_term("Digital*") == "digital"
    assert prefix_term("Straß*") == "strass"


def test_index_strings_for_whitespace_backends() -> None:
    main, parts = index_strings("Glasfaserausbau an Schulen")
    assert main == "glasfaserausbau an schule"
    assert set(parts.split()) == {"glasfaser", "ausbau", "glas", "faser"}
    assert index_strings(None) == ("", "")
    assert main_terms("") == []


@pytest.mark.corpus
def test_real_file_text(corpus_dir) -> None:
    folder = corpus_dir / "oparl" / "real" / "karlsruhe_session_digital" / "file-texts"
    text = (folder / "143286.txt").read_text()
    terms = index_terms(text)
    main = [t.text for t in terms if not t.part]
    assert "innenstadt" in main  # "In-\nnenstadt" joined again
    assert "2013/0050" in main
    assert "wlan" in main
    assert all(re.fullmatch(r"[\w/.\-'’]+", t.text) for t in terms)
    # positions never go back, parts never start a position of their own
    positions = [t.pos for t in terms if not t.part]
    assert positions == sorted(positions) == list(range(len(positions)))
    assert {t.pos for t in terms if t.part} <= set(positions)
