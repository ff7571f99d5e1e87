"""The real council PDFs in ../shared/corpus/pdf: the text a reader sees on each page.

All ten files go through one isolated batch (as a crawl would run them); the phrases below were
read off the rendered pages.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from ratsinfo.ingest.documents import Extraction, extract_batch

from .conftest import OCR_MISSING, needs_ocr

pytestmark = pytest.mark.corpus

OCR_FILES = {
    "IMAGE-ONLY_Anhang_Massnahmenplan_2035.pdf",
    "2025-10-15_Einladung_oeffentlich_TOPs_not_extractable.pdf",
}


@pytest.fixture(scope="module")
def extracted(corpus_dir: Path) -> dict[str, Extraction]:
    files = sorted((corpus_dir / "pdf").rglob("*.pdf"))
    assert len(files) == 10
    return {Path(r.file).name: r for r in extract_batch(files, workers=2)}


def pages(extracted: dict[str, Extraction], name: str) -> list[str]:
    result = extracted[name]
    assert result.error is None, result.error
    return [p.text for p in result.pages]


def test_all_files_extracted_cleanly(extracted: dict[str, Extraction]) -> None:
    assert all(r.error is None for r in extracted.values())
    for name, result in extracted.items():
        text = result.text
        assert text.strip(), name
        assert not re.search("[\ufffe\ufffd\x00-\x08\ue000-\uf8ff]", text), name  # markers, PUA, controls
        assert not re.search("Ã[\u0080-\u00bf¤¶¼]|Ã¼|Ã¶", text), name  # UTF-8 read as Latin-1
        if name not in OCR_FILES or OCR_MISSING:
            assert {p.method for p in result.pages} == {"text"}, name
            assert all(p.confidence is None for p in result.pages)


def test_niederschrift_2020_hyphenation_and_bullets(extracted: dict[str, Extraction]) -> None:
    p1, p2, p3, p4 = pages(extracted, "2020-01-22_Niederschrift_1_Sitzung_STBR_Buechenbach.pdf")
    assert "Thema: 1. Sitzung des Stadtteilbeirates Büchenbach" in p1
    assert "Zweckverband StUB/Hr. Große-Verspohl, Hr. Gräf" in p1  # hyphen at a line end before a capital
    assert "• Brücke über die Bimbach: Wurde ins Arbeitsprogramm 2020 des Tiefbauamtes aufgenommen." in p2
    assert "Die Erweiterung des Untersuchungsgebietes wurde im UVPA beschlossen." in p2
    assert "(siehe Präsentation)" in p2
    assert "wie für die Sicherheit der Kinder gesorgt wird." in p3
    assert "Antwort: Es werden „Einfahrt verboten“-Schilder aufgestellt" in p3
    assert "Die StUB soll nicht durch die Lindnerstraße fahren" in p4
    assert not any(re.search(r"^Seite \d", p, re.MULTILINE) for p in (p2, p3, p4))  # running header gone


def test_niederschriften_with_logo_stay_text(extracted: dict[str, Extraction]) -> None:
    p1, p2, *_ = pages(extracted, "2023-06-15_Niederschrift_1_Sitzung_STBR_Buechenbach.pdf")
    assert "Thema: 1. öffentliche Sitzung Stadtteilbeirat Büchenbach" in p1
    assert "TOP 1: Stromversorgung in Büchenbach: Elektromobilität und Wärmepumpen" in p2
    n1, _, n3 = pages(extracted, "2025-06-03_Niederschrift_2_Sitzung_STBR_Buechenbach.pdf")
    assert "Fr. Graupner f. Hr. Schwandner" in n1
    assert "Das Projekt „pERspektiven“ ist Teil" in n3


def test_einladung_with_text_layer(extracted: dict[str, Extraction]) -> None:
    (text,) = pages(extracted, "2025-03-11_Einladung_1_Sitzung_STBR_Buechenbach.pdf")
    assert "1. Sitzung • Dienstag, 11.03.2025 • 18:30 Uhr • Mönauschule, Aula" in text
    assert "1. Städtische Jugendsozialarbeit\n2. Weitere Angebote für Jugendliche\n3. Sonstiges" in text


@needs_ocr
def test_einladung_whose_agenda_is_images(extracted: dict[str, Extraction]) -> None:
    result = extracted["2025-10-15_Einladung_oeffentlich_TOPs_not_extractable.pdf"]
    (page,) = result.pages
    assert page.method == "ocr" and page.confidence is not None and page.confidence > 80
    text = page.text
    # The text layer (header) and the OCR'd images (agenda and everything below), in reading order.
    order = [
        "Stadtteilbeirat Büchenbach",
        "Heinrich-Kirchner-Schule, Dompropststraße 6-8, Erlangen",
        "Öffentliche Tagesordnung - 18:30 Uhr",
        "Defibrillatoren retten Leben",
        "Vermüllung im öffentlichen Raum",
        "Sonstiges",
        "Ich darf Sie hiermit zu dieser Sitzung einladen.",
        "Erlangen, den 6. Oktober 2025",
        "gez. Günter Winkelmann",
        "www.ratsinfo.erlangen.de",
    ]
    positions = [text.find(phrase) for phrase in order]
    assert -1 not in positions, [p for p, i in zip(order, positions, strict=True) if i == -1]
    assert positions == sorted(positions)
    for phrase in ("Dompropststraße", "Öffentliche Tagesordnung", "Defibrillatoren"):
        assert text.count(phrase) == 1  # the text layer is never OCR'd a second time


@needs_ocr
def test_image_only_massnahmenplan(extracted: dict[str, Extraction]) -> None:
    result = extracted["IMAGE-ONLY_Anhang_Massnahmenplan_2035.pdf"]
    (page,) = result.pages
    assert page.method == "ocr" and page.confidence is not None and page.confidence > 70
    for phrase in (
        "Ziel- und Maßnahmenplan",
        "ISEK Büchenbach-Nord 2035",
        "Quartierskonzepte für integrierte Entwicklung von Nachbarschaften",
        "Städtebaulicher und ökologischer Umbau der Straße Am Europakanal",
        "Arbeitsgemeinschaft Regina Sonnabend",
    ):
        assert phrase in page.text


def test_heilbronn_schedule_row_by_row(extracted: dict[str, Extraction], corpus_dir: Path) -> None:
    (text,) = pages(extracted, "Sitzungsplan_2018_Stadt_Heilbronn.pdf")
    assert text.startswith("Stadt Heilbronn\nBürgermeisteramt\n")
    lines = text.split("\n")
    months = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"
    assert "\t" + months.replace(" ", "\t") in lines
    cells = "25.01.|23.02.|23.03.||03.05.|21.06.|25.07.||21.09.|04.10. 12.10. 25.10.|13.11.|17.12. 20.12."
    assert "Gemeinderat\t" + cells.replace("|", "\t") in lines
    # Every row as tabula read it (dumps/), cell by cell.
    with (corpus_dir / "dumps" / "heilbronn_sitzungsplan_2018_tabula.csv").open(encoding="utf-8") as fh:
        expected = ["\t".join(" ".join(c.split()) for c in row).rstrip("\t") for row in csv.reader(fh)]
    start = lines.index(expected[0])
    assert lines[start : start + len(expected)] == expected
    assert len(expected) == 15  # header and 14 committees


def test_satzung_headers_footers_and_hyphenation(extracted: dict[str, Extraction]) -> None:
    p1, p2, p3 = pages(extracted, "Satzung_Orts-und_Stadtteilbeiraete_2026.pdf")
    title = "Satzung der Stadt Erlangen über Orts- und Stadtteilbeiräte"
    assert p1.startswith(title + "\nInhaltsverzeichnis")  # the title stays where it is the title
    assert p2.startswith(title + "\nvom 20.02.2020")  # its copy as running header is gone
    assert title not in p3 and "Inkrafttreten: 01.05.2026" not in p2 + p3
    assert not re.search(r"Seite \d von 3", p1 + p2 + p3)
    assert "Tennenlohe besteht je ein Ortsbeirat." in p2
    assert "in dem als Anlage beigefügten Plan" in p2
    assert "§ 8 Inkrafttreten" in p3


def test_antrag_real_hyphens_stay(extracted: dict[str, Extraction]) -> None:
    p1, p2 = pages(extracted, "Antrag_STBR_StUB_Trasse_Rudeltplatz.pdf")
    assert "Antrag: Änderung der StUB Vorzugstrasse auf den Adenauerring anstelle durch die" in p1
    assert "sind es 18 An-/Abfahrten in einer Stunde" in p2
    assert "20-Minuten-Takt bei den Bussen und einem 10-Minuten-Takt bei der StUB" in p2
    assert "Frei verwendbar" not in p1 + p2  # classification footer on both pages


def test_stellungnahme(extracted: dict[str, Extraction]) -> None:
    (text,) = pages(extracted, "Stellungnahme_zu_Beschlussvorlage_613-1-67-2022_Umweltspur.pdf")
    assert 'Stellungnahme zur Beschlussvorlage 6131/67/2022 "Umweltspur" Am Europakanal' in text
    assert "Pop-Up-Radstreifen mit Verkehrszählung." in text
