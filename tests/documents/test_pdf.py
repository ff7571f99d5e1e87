"""PDF text layer and tables on generated PDFs, and broken PDFs as recorded errors (in-process)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ratsinfo.ingest.documents import Limits, extract_file
from ratsinfo.ingest.documents.pdfgen import Document

WritePdf = Callable[..., Path]


def council_paper() -> Document:
    doc = Document()
    page = doc.page()
    page.text(72, 780, "Beschlussvorlage 2025/0815", size=14, bold=True)
    y = page.lines(
        72,
        750,
        [
            "Betreff: Fortschreibung der Smart-City-",
            "Strategie und Digitali-",
            "sierung der Bürgerdienste",
            "Die Bau- und Umweltausschuss-Mitglieder beraten über An-/Abfahrten",
            "am Rathausplatz. Größere Änderungen: „Öffentliche Beteiligung“ für 12.000 €.",
        ],
    )
    page.text(72, y - 10, "Beratungsfolge:", bold=True)
    bottom = page.table(
        72,
        y - 20,
        [170, 70, 150],
        [
            ["Gremium", "Datum", "Zuständigkeit"],
            ["Bau- und Umweltausschuss", "12.03.2025", "Vorberatung"],
            ["Stadtrat", "27.03.2025", "Entscheidung\nöffentlich"],
        ],
    )
    page.text(72, bottom - 30, "Sachverhalt: Die Verwaltung schlägt vor, den Plan zu beschließen.")
    return doc


def test_text_layer_hyphenation_umlauts_and_table_rows(write_pdf: WritePdf) -> None:
    result = extract_file(write_pdf(council_paper()))
    assert result.error is None and result.mime_type == "application/pdf" and result.page_count == 1
    page = result.pages[0]
    assert (page.page, page.method, page.confidence) == (1, "text", None)
    assert page.text == (
        "Beschlussvorlage 2025/0815\n"
        "Betreff: Fortschreibung der Smart-City-Strategie und Digitalisierung der Bürgerdienste\n"
        "Die Bau- und Umweltausschuss-Mitglieder beraten über An-/Abfahrten\n"
        "am Rathausplatz. Größere Änderungen: „Öffentliche Beteiligung“ für 12.000 €.\n"
        "Beratungsfolge:\n"
        "Gremium\tDatum\tZuständigkeit\n"
        "Bau- und Umweltausschuss\t12.03.2025\tVorberatung\n"
        "Stadtrat\t27.03.2025\tEntscheidung öffentlich\n"
        "Sachverhalt: Die Verwaltung schlägt vor, den Plan zu beschließen."
    )


def test_to_dict_is_exactly_the_cli_json(write_pdf: WritePdf) -> None:
    path = write_pdf(council_paper())
    data = extract_file(path).to_dict()
    assert list(data) == ["file", "pages", "error"]
    assert data["file"] == str(path) and data["error"] is None
    assert list(data["pages"][0]) == ["page", "text", "method", "confidence"]


def test_pdfplumber_engine_reads_the_same_table(write_pdf: WritePdf) -> None:
    path = write_pdf(council_paper())
    fast = extract_file(path).pages[0].text
    plumber = extract_file(path, limits=Limits(table_engine="pdfplumber")).pages[0].text
    assert plumber == fast
    flat = extract_file(path, limits=Limits(table_engine="none")).pages[0].text
    assert "Gremium\tDatum" not in flat and "Bau- und Umweltausschuss 12.03.2025 Vorberatung" in flat


def test_boxes_that_are_not_tables_stay_text(write_pdf: WritePdf) -> None:
    doc = Document()
    page = doc.page()
    page.rect(60, 690, 300, 40, fill_gray=0.85)  # a shaded box behind a heading
    page.rect(60, 600, 300, 60)  # a frame around a paragraph
    page.text(72, 705, "Stadtteilbeirat Büchenbach", size=16)
    page.lines(72, 640, ["Gerahmter Hinweis: Die Sitzung ist öffentlich.", "Zweite Zeile im Rahmen."])
    text = extract_file(write_pdf(doc)).pages[0].text
    assert text.split("\n") == [
        "Stadtteilbeirat Büchenbach",
        "Gerahmter Hinweis: Die Sitzung ist öffentlich.",
        "Zweite Zeile im Rahmen.",
    ]


def test_repeated_headers_and_footers_are_removed(write_pdf: WritePdf) -> None:
    doc = Document()
    for n in range(1, 4):
        page = doc.page()
        page.text(72, 810, "Stadt Musterhausen – Niederschrift Stadtrat", size=9)
        page.text(72, 700, f"TOP {n}: Beratung über Punkt {n}")
        page.text(72, 680, "Der Stadtrat beschließt einstimmig.")
        page.text(280, 30, f"Seite {n} von 3", size=9)
    result = extract_file(write_pdf(doc))
    assert [p.text for p in result.pages] == [
        f"TOP {n}: Beratung über Punkt {n}\nDer Stadtrat beschließt einstimmig." for n in range(1, 4)
    ]


def test_blank_page_is_empty_text_not_ocr(write_pdf: WritePdf) -> None:
    doc = Document()
    doc.page().text(72, 700, "Erste Seite mit genügend Text für eine Textebene.")
    doc.page()
    result = extract_file(write_pdf(doc))
    assert [(p.page, p.method, p.text) for p in result.pages][1] == (2, "text", "")


def test_encrypted_pdf_is_an_error(write_pdf: WritePdf) -> None:
    result = extract_file(write_pdf(council_paper(), "geheim.pdf", user_password="geheim"))
    assert result.error == "encrypted PDF: a password is required to open it"
    assert result.pages == []


def test_pdf_protected_only_by_an_owner_password_is_read(write_pdf: WritePdf) -> None:
    path = write_pdf(council_paper(), "geschuetzt.pdf", user_password="")
    assert b"/Encrypt" in path.read_bytes()
    result = extract_file(path)
    assert result.error is None
    assert "Bau- und Umweltausschuss\t12.03.2025\tVorberatung" in result.pages[0].text


def test_truncated_pdf_is_an_error(write_pdf: WritePdf) -> None:
    data = council_paper().build()
    result = extract_file(write_pdf(data[: len(data) // 2], "abgebrochen.pdf"))
    assert result.error is not None and result.error.startswith("truncated")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n" + b"\x00garbage" * 100, b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"],
)
def test_corrupt_pdf_is_an_error(write_pdf: WritePdf, data: bytes) -> None:
    result = extract_file(write_pdf(data, "kaputt.pdf"))
    assert result.error is not None and ("corrupt" in result.error or "truncated" in result.error)
    assert result.pages == []


def test_html_named_pdf_is_an_error(write_pdf: WritePdf) -> None:
    path = write_pdf(b"<!DOCTYPE html><html><head><title>Sitzung abgelaufen</title></head></html>", "x.pdf")
    result = extract_file(path)
    assert result.error == "mislabelled file: announced as PDF but the content is HTML"
