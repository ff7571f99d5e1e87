"""The seed fixture (Braunschweig's Stellungnahme 21-15513-01) gives the spec's seed record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ratsinfo.ingest.parsers.detect import parse_page

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "samples" / "allris4" / "vo020-21-15513-01.html"
ANFRAGE = ROOT / "data" / "samples" / "allris4" / "vo020-21-15513.html"
SPEC = ROOT.parent / "shared" / "spec"
URL = "https://www.ratsinfo.braunschweig.sitzung-online.de/public/vo020?VOLFDNR=1017623"

# the seed example of paper-record.md, with the one abridged text given in full below
SEED = {
    "source": "allris",
    "reference": "21-15513-01",
    "name": "Sachstand zur Umsetzung der Smart City Strategie",
    "paperType": "Stellungnahme",
    "status": "öffentlich (Vorlage freigegeben)",
    "underDirectionOf": ["10 Fachbereich Zentrale Dienste"],
    "participating": [
        "01 Fachbereich Zentrale Steuerung",
        "DEZERNAT II - Personal-, Digitalisierungs-, Rechts- und Ordnungsdezernat",
    ],
    "responsible": ["Dr. Kornblum"],
    "relatedPaper": ["21-15513"],
}
SEED_CONSULTATION = {
    "date": "2021-03-23",
    "organization": "Rat der Stadt Braunschweig",
    "role": "zur Kenntnis",
    "state": "erledigt",
}


@pytest.fixture(scope="module")
def seed() -> dict:
    return parse_page(SAMPLE.read_bytes(), URL).to_dict()


def test_seed_fields_are_the_spec_seed_example(seed: dict) -> None:
    assert {k: seed[k] for k in SEED} == SEED
    assert len(seed["consultation"]) == 1
    step = seed["consultation"][0]
    assert {k: step[k] for k in SEED_CONSULTATION} == SEED_CONSULTATION
    assert seed["text"]["Sachverhalt"].startswith(
        "Der in der Anfrage geschilderte Sachverhalt entspricht dem Stand von März 2020. "
    )
    assert list(seed["text"]) == ["Sachverhalt"]


def test_seed_fills_what_the_seed_text_lost(seed: dict) -> None:
    """The second Beratungsfolge row (meeting, result) and the attachment's name and link."""
    step = seed["consultation"][0]
    assert step["meeting"] == "Sitzung des Rates"
    assert step["result"] == "zur Kenntnis genommen"
    assert seed["body"] == "Rat der Stadt Braunschweig"
    [attachment] = seed["file"]
    assert attachment["size"] == 122675  # "119,8 kB"
    assert attachment["name"] == "Sachstandsbericht Interne Digitalisierung der Verwaltung"
    assert attachment["mimeType"] == "application/pdf"
    assert attachment["accessUrl"] == (
        "https://www.ratsinfo.braunschweig.sitzung-online.de/public/doc?DOCTYP=1&DOLFDNR=1103455&OTYP=41"
    )


def test_seed_text_is_word_for_word_the_seed_page(seed: dict) -> None:
    """The Sachverhalt paragraphs are exactly those of seed-stellungnahme.txt."""
    spec_text = SPEC / "seed-stellungnahme.txt"
    if not spec_text.is_file():
        pytest.skip(f"spec not found at {spec_text}")
    raw = spec_text.read_text(encoding="utf-8")
    section = raw.split("Sachverhalt:\n", 1)[1].split("\nAnlagen\n", 1)[0]
    expected = [line.strip() for line in section.splitlines() if line.strip()]
    assert seed["text"]["Sachverhalt"].split("\n") == expected


def test_seed_page_is_our_own_file() -> None:
    """The fixture is written for the project, not a copy of the Trier page it is modelled on."""
    text = SAMPLE.read_text(encoding="utf-8")
    assert "Trier" not in text and "21-15513-01" in text
    assert re.search(r'class="[^"]*bfTable', text) and "attachmentTable" in text


def test_anfrage_is_what_the_stellungnahme_answers(seed: dict) -> None:
    anfrage = parse_page(ANFRAGE.read_bytes()).to_dict()
    assert anfrage["reference"] == seed["relatedPaper"][0] == "21-15513"
    assert anfrage["paperType"] == "Anfrage"
    assert anfrage["date"].startswith("2021-02")
    assert anfrage["originator"] == ["CDU-Fraktion im Rat der Stadt"]
    [step] = anfrage["consultation"]
    assert (step["date"], step["organization"]) == ("2021-03-23", "Rat der Stadt Braunschweig")
    questions = [line for line in anfrage["text"]["Sachverhalt"].split("\n") if re.match(r"\d\. ", line)]
    answers = re.findall(r"^zu (\d)\)$", seed["text"]["Sachverhalt"], re.M)
    assert [q[0] for q in questions] == answers == ["1", "2", "3"]
