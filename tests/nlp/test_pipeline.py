"""The spaCy enrichment pipeline: lemmas and entities of every label on realistic sentences."""

from __future__ import annotations

import pytest

from ratsinfo.nlp.pipeline import enrich, enrich_many, get_nlp


def _ents(text: str) -> list[tuple[str, str, str, str | None]]:
    return [(e.label, e.text, e.value, e.kind) for e in enrich(text).entities]


def test_pipeline_is_built_once_and_blank_german() -> None:
    nlp = get_nlp()
    assert nlp is get_nlp()
    assert nlp.lang == "de"
    assert nlp.pipe_names == ["lemmatizer", "ratsinfo_rules", "entity_ruler", "ratsinfo_values"]
    assert not nlp.meta.get("vectors", {}).get("width")  # no model was loaded


def test_lemmas() -> None:
    assert enrich("Die Schulen beschlossen die Vorlagen.").lemmas == [
        "der",
        "schule",
        "beschliessen",
        "der",
        "vorlage",
    ]


def test_references_and_dates() -> None:
    ents = _ents(
        "Stellungnahme der Verwaltung (Drucksache Nr. 22-2362) zu 469/2026, VO/2026/181 "
        "und UV/0190/2026 vom 20.05.2026; Sitzung am 4. Mai 2021, Stand März 2020."
    )
    refs = [e[2] for e in ents if e[0] == "REFERENCE"]
    assert refs == ["22-2362", "469/2026", "VO/2026/181", "UV/0190/2026"]
    assert [(e[1], e[2]) for e in ents if e[0] == "DATE"] == [
        ("20.05.2026", "2026-05-20"),
        ("4. Mai 2021", "2021-05-04"),
        ("März 2020", "2020-03"),
    ]


def test_money() -> None:
    ents = _ents("Die Kosten von 1,5 Mio. € bzw. 250.000 Euro (EUR 12.345,67; 300 T€) trägt die Stadt.")
    assert [(e[1], e[2]) for e in ents if e[0] == "MONEY"] == [
        ("1,5 Mio. €", "1500000.00"),
        ("250.000 Euro", "250000.00"),
        ("EUR 12.345,67", "12345.67"),
        ("300 T€", "300000.00"),
    ]


def test_gremien() -> None:
    ents = _ents(
        "Der Bau- und Umweltausschuss empfiehlt dem Rat der Gemeinde Hürtgenwald, den "
        "Ausschuss für Jugend, Kultur und Vereine zu hören; der Ortschaftsrat Hohenwettersbach "
        "und der Stadtbezirksrat 112 sind beteiligt."
    )
    assert [(e[2], e[3]) for e in ents if e[0] == "GREMIUM"] == [
        ("Bau- und Umweltausschuss", "ausschuss"),
        ("Rat der Gemeinde Hürtgenwald", "rat"),
        ("Ausschuss für Jugend, Kultur und Vereine", "ausschuss"),
        ("Ortschaftsrat Hohenwettersbach", "ortsbeirat"),
        ("Stadtbezirksrat 112", "stadtbezirksrat"),
    ]


def test_offices() -> None:
    ents = _ents(
        "Federführend: 10 Fachbereich Zentrale Dienste; beteiligt: DEZERNAT II - Personal-, "
        "Digitalisierungs-, Rechts- und Ordnungsdezernat; das Amt für Informationstechnik und "
        "Digitalisierung, das Ordnungsamt, Referat 12 und die Stabsstelle Digitalisierung."
    )
    assert [(e[2], e[3]) for e in ents if e[0] == "OFFICE"] == [
        ("10 Fachbereich Zentrale Dienste", "fachbereich"),
        ("DEZERNAT II - Personal-, Digitalisierungs-, Rechts- und Ordnungsdezernat", "dezernat"),
        ("Amt für Informationstechnik und Digitalisierung", "amt"),
        ("Ordnungsamt", "amt"),
        ("Referat 12", "referat"),
        ("Stabsstelle Digitalisierung", "stabsstelle"),
    ]
    assert not [e for e in _ents("Sie ist seit 2019 im Amt.") if e[0] == "OFFICE"]


def test_persons() -> None:
    ents = _ents(
        "Oberbürgermeister Dr. Frank Mentrup und Stadträtin Doris Baitinger (SPD) sowie Frau "
        "Revierförsterin Boos-Kluß berichteten; Dr. Kornblum antwortete."
    )
    assert [(e[2], e[3]) for e in ents if e[0] == "PERSON"] == [
        ("Dr. Frank Mentrup", "oberbürgermeister"),
        ("Doris Baitinger", "stadträtin"),
        ("Boos-Kluß", "revierförsterin"),
        ("Dr. Kornblum", None),
    ]
    # a function without a name is no person
    assert not [e for e in _ents("STADT KARLSRUHE\nDer Oberbürgermeister\nANTRAG") if e[0] == "PERSON"]


def test_places() -> None:
    ents = _ents(
        "Ausbau der St.-Donatus-Straße im Ortsteil Straß; Spielplatz an der "
        "Pfarrer-Hegger-Straße 12; "
        "Breitbandausbau im Gewerbegebiet „Winterrot“; Sperrung der Gemeindestraße."
    )
    assert [(e[2], e[3]) for e in ents if e[0] == "PLACE"] == [
        ("St.-Donatus-Straße", "street"),
        ("Straß", "ortsteil"),
        ("Pfarrer-Hegger-Straße 12", "street"),
        ("Winterrot", "gewerbegebiet"),
    ]


def test_spans_point_into_the_text() -> None:
    text = "Vorlage 2013/0050 vom 20.05.2026."
    for e in enrich(text).entities:
        assert text[e.start : e.end] == e.text


def test_enrich_many_matches_enrich() -> None:
    texts = ["Vorlage 2013/0050", None, "Oberbürgermeister Dr. Frank Mentrup"]
    many = list(enrich_many(texts))
    assert len(many) == 3
    assert many[0].references == ["2013/0050"]
    assert many[1].entities == []
    assert many[2].values("PERSON") == ["Dr. Frank Mentrup"]
    assert enrich("").lemmas == []


@pytest.mark.corpus
def test_real_antrag(corpus_dir) -> None:
    text = (corpus_dir / "oparl/real/karlsruhe_session_digital/file-texts/143286.txt").read_text()
    e = enrich(text)
    assert "2013/0050" in e.references
    assert "2013-09-24" in e.values("DATE")
    persons = e.values("PERSON")
    assert "Doris Baitinger" in persons and "Hans Pfalzgraf" in persons
    assert any(g.startswith("Gemeinderat") for g in e.values("GREMIUM"))
