"""Topic assignment from the shipped taxonomy, on real Betreffs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ratsinfo.core.record import FileRef, PaperRecord
from ratsinfo.nlp.topics import (
    TAXONOMY_PATH,
    Taxonomy,
    assign_topics,
    load_taxonomy,
    paper_topics,
    score_topics,
)

IDS = [
    "smartcity",
    "breitband",
    "egovernment",
    "schuldigital",
    "mobilitaet-digital",
    "notfall",
    "bauen",
    "haushalt",
    "schule",
    "verkehr",
    "umwelt",
    "ordnung",
    "soziales",
    "personal",
]


def test_taxonomy_ids_labels_and_parents() -> None:
    tax = load_taxonomy()
    assert tax.ids == IDS
    assert tax.label("smartcity") == "Smart City & Digitalisierung"
    assert all(tax.topics[t].parent == "smartcity" for t in ("breitband", "egovernment", "schuldigital"))
    assert all(t.rules for t in tax.topics.values())


def test_unknown_parent_is_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "t.toml"
    bad.write_text('[[topic]]\nid = "a"\nlabel = "A"\nparent = "b"\nterms = ["x"]\n')
    with pytest.raises(ValueError, match="unknown parent"):
        Taxonomy.from_toml(bad)
    assert TAXONOMY_PATH.is_file()


@pytest.mark.parametrize(
    ("betreff", "expected"),
    [
        ("Breitband in Karlsruhe - Konzept für den Glasfaserausbau", {"smartcity", "breitband"}),
        ("Kostenloses WLAN auf Karlsruher Plätzen", {"smartcity", "breitband"}),
        (
            "IT-moderne Schule: Konzept zur Digitalisierung der Karlsruher Schulen",
            {"smartcity", "schuldigital", "schule"},
        ),
        ("Umsetzung der Digitalisierung in Form der E-Akte", {"smartcity", "egovernment"}),
        ("Einführung von Handyparken in der Innenstadt", {"smartcity", "mobilitaet-digital", "verkehr"}),
        ("Sachstand zur Umsetzung der Smart City Strategie", {"smartcity"}),
        ("Bebauungsplan Nr. K 12 „Germeter“ im Ortsteil Vossenack; hier: Satzungsbeschluss", {"bauen"}),
        (
            "Verabschiedung der Haushaltssatzung 2007 einschließlich des Stellenplanes",
            {"haushalt", "personal"},
        ),
        ("Weiterführung der Offenen Ganztagsschulen an den Grundschulen in Straß und Vossenack", {"schule"}),
        ("Verkehrsberuhigungsmaßnahmen in der Ortsdurchfahrt", {"verkehr"}),
        ("Forstwirtschaftsplan 2008", {"umwelt"}),
        ("Neubau Feuerwehrgerätehaus Vossenack", {"bauen", "ordnung"}),
        ("Kostengünstiges WLAN in Pflegeheimen", {"smartcity", "breitband", "soziales"}),
        ("Einrichtung eines Telenotarzt-Systems im Rettungsdienst", {"notfall"}),
        ("Bestellung eines Verhinderungsvertreters", set()),
    ],
)
def test_betreff_topics(betreff: str, expected: set[str]) -> None:
    assert set(assign_topics(betreff)) == expected


def test_betreff_weighs_more_than_body() -> None:
    # one mention in the Betreff assigns a topic; one in the body does not
    assert "breitband" in assign_topics("Glasfaserausbau")
    assert "breitband" not in assign_topics("Bericht", "Im Übrigen wurde auch Glasfaser verlegt.")
    # but a body that keeps talking about it does
    body = " ".join(["Der Glasfaserausbau und das WLAN in den Schulen."] * 10)
    assert {"breitband", "schuldigital"} <= set(assign_topics("Sachstandsbericht", body))


def test_explanations() -> None:
    hits = score_topics("Breitbandausbau im Gewerbegebiet")
    assert hits[0].id == "breitband"
    assert "Breitband" in hits[0].matched
    assert hits[0].score == hits[0].betreff_score == 3.0


def test_paper_record() -> None:
    rec = PaperRecord(
        source="oparl",
        name="Antrag: Freies WLAN im Städtischen Klinikum",
        text={"Begründung": "Patienten brauchen Internet."},
        file=[FileRef(name="Antrag", text="WLAN für alle Stationen.")],
    )
    assert paper_topics(rec) == ["smartcity", "breitband"]
    assert paper_topics(rec.to_dict()) == ["smartcity", "breitband"]


@pytest.mark.corpus
def test_karlsruhe_digital_papers_are_smartcity(corpus_dir) -> None:
    """The Karlsruhe sample was selected as digital-agenda papers: nearly all must be smartcity."""
    folder = corpus_dir / "oparl" / "real" / "karlsruhe_session_digital" / "papers"
    names = [json.loads(p.read_text())["name"] for p in folder.glob("*.json")]
    tagged = [n for n in names if "smartcity" in assign_topics(n)]
    assert len(tagged) / len(names) > 0.9, sorted(set(names) - set(tagged))


@pytest.mark.corpus
def test_huertgenwald_topics_are_plausible(corpus_dir) -> None:
    folder = corpus_dir / "oparl" / "real" / "huertgenwald_sdnet_full"
    papers = [p for f in sorted(folder.glob("paper_page-*.json")) for p in json.loads(f.read_text())["data"]]
    by_name = {p["name"]: assign_topics(p["name"]) for p in papers if p.get("name")}
    bplan = [n for n in by_name if n.startswith("Bebauungsplan")]
    assert bplan and all("bauen" in by_name[n] for n in bplan)
    budget = [n for n in by_name if n.startswith("Haushaltssatzung")]
    assert budget and all("haushalt" in by_name[n] for n in budget)
    with_topic = sum(bool(t) for t in by_name.values())
    assert with_topic / len(by_name) > 0.6
