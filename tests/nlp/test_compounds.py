"""Compound splitting: the issue's examples, council vocabulary, and words that must stay whole."""

from __future__ import annotations

import json

import pytest

from ratsinfo.nlp.compounds import head_start, parts, split


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("Glasfaserausbau", {"glasfaser", "ausbau", "glas", "faser"}),
        ("Digitalisierungsstrategie", {"digitalisierung", "strategie"}),  # Fugen-s
        ("Smart-City-Rahmenkonzept", {"smart", "city", "rahmenkonzept", "rahmen", "konzept"}),
        ("Bebauungsplan", {"bebauung", "plan"}),
        ("Verkehrsberuhigungsmaßnahmen", {"verkehrsberuhigung", "verkehr", "beruhigung", "maßnahmen"}),
        ("Haushaltssatzung", {"haushalt", "satzung"}),
        ("Feuerwehrgerätehaus", {"feuerwehr", "gerätehaus", "gerät", "haus"}),
        ("Breitbandausbau", {"breitband", "ausbau"}),
        ("Gemeinderatsfraktion", {"gemeinderat", "fraktion"}),
        ("Abwasserbeseitigungskonzept", {"abwasserbeseitigung", "abwasser", "konzept"}),
        ("Straßenbaumaßnahmen", {"straßenbau", "maßnahmen"}),
    ],
)
def test_splits(word: str, expected: set[str]) -> None:
    assert expected <= set(parts(word))


@pytest.mark.parametrize(
    ("word", "atom"),
    [
        ("Schulausschuss", "schule"),  # a lost -e restored: "Schul|ausschuss"
        ("Wohngebiet", "wohnen"),  # a verb stem: "Wohn|gebiet"
        ("Flüchtlingseinrichtungen", "flüchtling"),  # Fugen-s, not the genitive "flüchtlings"
        ("Ganztagsschule", "ganztag"),
        ("Familienzentren", "familie"),  # Fugen-n
        ("Landschaftsschutzgebiete", "landschaft"),
    ],
)
def test_linking_elements(word: str, atom: str) -> None:
    assert atom in split(word).atoms


def test_heads_are_the_coarse_reading() -> None:
    assert split("Glasfaserausbau").heads == ("glasfaser", "ausbau")
    assert split("Verkehrsberuhigungsmaßnahmen").heads == ("verkehrsberuhigung", "maßnahmen")
    assert split("Smart-City-Rahmenkonzept").heads == ("smart", "city", "rahmenkonzept")


@pytest.mark.parametrize(
    "word",
    [
        # lexicalised compounds: a search for "Bürger" or "Haus" does not mean these
        "Bürgermeister",
        "Oberbürgermeister",
        "Haushalt",
        "Feuerwehr",
        "Rathaus",
        "Gemeinderat",
        "Kindergarten",
        "Stadtverwaltung",
        "Innenstadt",
        # prefixes and function words are not parts
        "Ausbau",
        "Vorlage",
        "Anfrage",
        "Überprüfung",
        "Einrichtung",
        "Ausschuss",
        "Beratung",
        "Verwaltung",
        "Öffentlichkeit",
        "Digitalisierung",
        "Stellungnahme",
        # short words, acronyms, names and places
        "Bauamt",
        "Kita",
        "WLAN",
        "eAkte",
        "Karlsruhe",
        "Hürtgenwald",
        "Mentrup",
        "Baitinger",
        "Endgesfelder",
    ],
)
def test_stays_whole(word: str) -> None:
    assert split(word).parts == ()


def test_bürgermeister_is_a_unit_inside_longer_compounds() -> None:
    # "Bürger|meister|wahl" would let "Bürger" find mayoral elections; the frequent
    # "Bürgermeister" is joined again
    assert split("Bürgermeisterwahl").parts == ("bürgermeister", "wahl")


def test_hyphen_edges_and_case() -> None:
    assert split("KA-WLAN").parts == ("ka", "wlan")
    assert split("-Glasfaserausbau-").heads == ("glasfaser", "ausbau")
    assert split("GLASFASERAUSBAU").parts == ()  # capitals inside: an acronym, not a word
    assert split("glasfaserausbau").heads == ("glasfaser", "ausbau")


def test_head_start_looks_inside_lexicalised_words() -> None:
    # used to lemmatise the head: Kindergärten -> kinder + Garten
    assert head_start("Kindergärten") == len("kinder")
    assert head_start("Kita") == 0


@pytest.mark.corpus
def test_no_junk_parts_on_real_betreffs(corpus_dir) -> None:
    """Every part of every word in the Karlsruhe Betreffs is a word of three letters or more."""
    folder = corpus_dir / "oparl" / "real" / "karlsruhe_session_digital" / "papers"
    names = [json.loads(p.read_text())["name"] for p in sorted(folder.glob("*.json"))]
    assert len(names) > 50
    seen = 0
    for name in names:
        for word in name.replace("„", " ").replace("“", " ").split():
            word = word.strip(".,:;()\"'")
            for part in parts(word):
                seen += 1
                assert len(part) >= 2 or "-" in word, (word, part)  # "E-Akte" has the piece "e"
                assert part not in {"ung", "heit", "keit", "tung", "lung", "ion", "aus", "vor", "ein"}
    assert seen > 40
