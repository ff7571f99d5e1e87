"""Fixtures for the extraction tests: generated PDFs (text, tables, text as pixels) and OCR checks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from ratsinfo.ingest.documents.ocr import ocr_unavailable_reason
from ratsinfo.ingest.documents.pdfgen import Document

OCR_MISSING = ocr_unavailable_reason("deu")
needs_ocr = pytest.mark.skipif(OCR_MISSING is not None, reason=f"OCR tests need Tesseract: {OCR_MISSING}")


@pytest.fixture
def write_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Write a :class:`Document` (or raw bytes) to ``tmp_path/name`` and return the path."""

    def write(doc: Document | bytes, name: str = "doc.pdf", **build: object) -> Path:
        path = tmp_path / name
        path.write_bytes(doc if isinstance(doc, bytes) else doc.build(**build))  # type: ignore[arg-type]
        return path

    return write


def text_as_pixels(
    lines: list[str], *, width: float, size: float = 14, dpi: int = 200
) -> tuple[bytes, int, int]:
    """Render lines of text to greyscale pixels (via a throwaway PDF), for image-only pages."""
    leading = size * 1.5
    height = leading * len(lines) + size
    doc = Document()
    page = doc.page(width, height)
    page.lines(4, height - size - 2, lines, size=size, leading=1.5)
    pdf = pdfium.PdfDocument(doc.build())
    image = pdf[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    pdf.close()
    return image.tobytes(), image.size[0], image.size[1]
