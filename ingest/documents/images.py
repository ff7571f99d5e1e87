"""Image files (scans attached as JPEG/PNG/TIFF): every frame is an OCR'd page."""

from __future__ import annotations

import math

from PIL import Image, ImageSequence

from ratsinfo.ingest.documents.cleanup import clean_text
from ratsinfo.ingest.documents.limits import Limits
from ratsinfo.ingest.documents.model import Extraction, ExtractionError, PageText
from ratsinfo.ingest.documents.ocr import (
    drop_noise,
    group_lines,
    lines_to_text,
    mean_confidence,
    ocr_unavailable_reason,
    run_tesseract,
)

MIN_WORD_CONF = 10.0


def extract_image_file(path: str, label: str, mime_type: str, limits: Limits) -> Extraction:
    if not limits.ocr:
        raise ExtractionError("image file and OCR is disabled")
    reason = ocr_unavailable_reason(limits.ocr_languages)
    if reason:
        raise ExtractionError(f"image file needs OCR, but {reason}")
    Image.MAX_IMAGE_PIXELS = None  # our own pixel limit applies below
    try:
        img = Image.open(path)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise ExtractionError(f"corrupt image: {exc}") from exc
    pages: list[PageText] = []
    with img:
        for index, frame in enumerate(ImageSequence.Iterator(img)):
            if index >= min(limits.max_pages, limits.max_ocr_pages):
                break
            width, height = frame.size
            if width * height > limits.ocr_max_pixels * 4:
                shrink = math.sqrt(limits.ocr_max_pixels / (width * height))
                frame = frame.resize((max(1, int(width * shrink)), max(1, int(height * shrink))))
            try:
                gray = frame.convert("L")
            except (OSError, ValueError) as exc:
                raise ExtractionError(f"corrupt image: {exc}") from exc
            try:
                dpi = int(min(max(float(frame.info.get("dpi", (300, 300))[0]), 70.0), 1200.0))
            except (TypeError, ValueError, IndexError):
                dpi = 300
            words = drop_noise(
                run_tesseract(gray, languages=limits.ocr_languages, dpi=dpi, timeout=limits.ocr_timeout_s),
                MIN_WORD_CONF,
            )
            text = clean_text(lines_to_text(group_lines(words)))
            pages.append(PageText(index + 1, text, "ocr", mean_confidence(words)))
    return Extraction(file=label, pages=pages, mime_type=mime_type, page_count=len(pages))
