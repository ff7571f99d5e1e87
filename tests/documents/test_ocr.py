"""OCR only where the text is in pixels, never twice: generated image-only, mixed and sandwich pages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from ratsinfo.ingest.documents import Limits, extract_file
from ratsinfo.ingest.documents.pageobjects import ImageInfo, PageScan
from ratsinfo.ingest.documents.pdf import PdfExtractor
from ratsinfo.ingest.documents.pdfgen import Document

from .conftest import needs_ocr, text_as_pixels

WritePdf = Callable[..., Path]

AGENDA = ["1. Defibrillatoren retten Leben", "2. Vermüllung im öffentlichen Raum", "3. Sonstiges"]


def image_only_pdf() -> Document:
    pixels, w, h = text_as_pixels(
        ["Niederschrift über die Sitzung", "des Stadtteilbeirats Büchenbach", "Beginn 18:30 Uhr im Rathaus"],
        width=360,
    )
    doc = Document()
    page = doc.page(400, 200)
    page.image(20, 200 - 20 - h * 72 / 200, w * 72 / 200, h * 72 / 200, pixels, w, h)
    return doc


@needs_ocr
def test_image_only_page_is_ocrd(write_pdf: WritePdf) -> None:
    result = extract_file(write_pdf(image_only_pdf()))
    assert result.error is None
    page = result.pages[0]
    assert page.method == "ocr"
    assert page.confidence is not None and page.confidence > 80
    assert "Niederschrift über die Sitzung" in page.text
    assert "Stadtteilbeirats Büchenbach" in page.text
    assert "18:30 Uhr im Rathaus" in page.text


@needs_ocr
def test_images_carrying_text_on_a_text_page_are_ocrd_without_duplicates(write_pdf: WritePdf) -> None:
    doc = Document()
    page = doc.page(420, 300)
    page.text(20, 270, "Einladung zur 3. Sitzung", size=14)
    page.text(20, 245, "Öffentliche Tagesordnung - 18:30 Uhr", size=12)
    pixels, w, h = text_as_pixels(AGENDA, width=300, size=12)
    page.image(20, 230 - h * 72 / 200, w * 72 / 200, h * 72 / 200, pixels, w, h)
    page.text(20, 60, "Ich darf Sie hiermit zu dieser Sitzung einladen.", size=11)
    result = extract_file(write_pdf(doc))
    page_text = result.pages[0]
    assert page_text.method == "ocr" and page_text.confidence is not None and page_text.confidence > 80
    lines = page_text.text.split("\n")
    assert lines[:2] == ["Einladung zur 3. Sitzung", "Öffentliche Tagesordnung - 18:30 Uhr"]
    assert lines[-1] == "Ich darf Sie hiermit zu dieser Sitzung einladen."
    body = "\n".join(lines[2:-1])
    for phrase in ("Defibrillatoren retten Leben", "Vermüllung im öffentlichen Raum", "Sonstiges"):
        assert phrase in body
    for phrase in ("Einladung zur 3. Sitzung", "Tagesordnung", "hiermit"):
        assert page_text.text.count(phrase) == 1


@needs_ocr
def test_text_layer_over_a_scan_is_not_ocrd_again(write_pdf: WritePdf) -> None:
    """A scan with a text layer on top (as OCR'd scans come): the text layer wins, nothing twice."""
    lines = ["Bebauungsplan Nr. 42", "Öffentliche Auslegung"]
    pixels, w, h = text_as_pixels(lines, width=300, size=14)
    doc = Document()
    page = doc.page(340, 120)
    page.image(10, 10, w * 72 / 200, h * 72 / 200, pixels, w, h)
    page.lines(14, 10 + h * 72 / 200 - 16, lines, size=14, leading=1.5)
    result = extract_file(write_pdf(doc))
    assert result.pages[0].method == "text"
    assert result.pages[0].text == "Bebauungsplan Nr. 42\nÖffentliche Auslegung"


def test_ocr_disabled_leaves_a_warning(write_pdf: WritePdf) -> None:
    result = extract_file(write_pdf(image_only_pdf()), limits=Limits(ocr=False))
    assert result.error is None
    assert (result.pages[0].method, result.pages[0].text) == ("text", "")
    assert result.warnings == ["page 1 has no usable text layer but was not OCR'd: OCR is disabled"]


@needs_ocr
def test_image_file_is_ocrd(tmp_path: Path) -> None:
    from PIL import Image

    pixels, w, h = text_as_pixels(
        ["Bekanntmachung der Stadt", "über die Straßenreinigung"], width=300, dpi=300
    )
    path = tmp_path / "scan.png"
    Image.frombytes("L", (w, h), pixels).save(path, dpi=(300, 300))
    result = extract_file(path)
    assert result.error is None and result.mime_type == "image/png"
    assert result.pages[0].method == "ocr"
    assert "Bekanntmachung der Stadt" in result.pages[0].text
    assert "Straßenreinigung" in result.pages[0].text


def test_picture_bullets_do_not_start_ocr(write_pdf: WritePdf) -> None:
    """Small images (picture bullets, icons) on a text page are not worth an OCR run."""
    doc = Document()
    page = doc.page()
    dot = bytes([0] * 64)
    for i, item in enumerate(["Radwege ausbauen", "Bushaltestellen barrierefrei", "Grünflächen pflegen"]):
        y = 700 - 20 * i
        page.image(72, y, 6, 6, dot, 8, 8)
        page.text(84, y, item)
    result = extract_file(write_pdf(doc))
    assert result.warnings == []
    assert result.pages[0].method == "text"
    assert result.pages[0].text == "Radwege ausbauen\nBushaltestellen barrierefrei\nGrünflächen pflegen"


@needs_ocr
def test_ocr_budget_is_respected(write_pdf: WritePdf) -> None:
    result = extract_file(write_pdf(image_only_pdf()), limits=Limits(max_ocr_pages=0))
    assert result.pages[0].method == "text"
    assert result.warnings == [
        "page 1 has no usable text layer but was not OCR'd: the OCR budget of 0 pages per file is spent"
    ]


A2 = (0.0, 0.0, 1683.8, 1190.6)


def _scan(box: tuple[float, float, float, float], images: int = 0, paths: int = 0) -> PageScan:
    scan = PageScan(width=box[2], height=box[3])
    scan.images = [ImageInfo(box, 1600, 1131) for _ in range(images)]
    scan.paths = [(None, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))] * paths  # type: ignore[list-item]
    return scan


@pytest.mark.parametrize(
    ("raw", "scan", "expected"),
    [
        ("Ein ganz normaler Absatz mit genügend Buchstaben für eine Textebene. " * 3, _scan(A2, 1), False),
        ("0 50 100 150 200 250m", _scan(A2, 1), True),  # the Maßnahmenplan: a scale bar on a picture
        ("Bebauungsplan Nr. 42\r\nÖffentliche Auslegung", _scan((0, 0, 340, 120), 1), False),  # OCR layer
        ("\ufffd" * 40 + "Text", _scan(A2), True),  # a font without a usable Unicode mapping
        ("", _scan(A2), False),  # blank page
        ("Plan", _scan(A2, paths=400), True),  # text drawn as outlines
    ],
)
def test_which_pages_need_ocr(raw: str, scan: PageScan, expected: bool) -> None:
    box = (0.0, 0.0, scan.width, scan.height)
    assert PdfExtractor.needs_page_ocr(raw, scan, box) is expected
