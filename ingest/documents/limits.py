"""Limits and switches for one extraction; crawls fetch hostile files from the web.

The size and page limits are checked in-process before the expensive work starts; the time and
memory limits are enforced by the worker processes in :mod:`.sandbox` (a hang or a memory blow-up
inside PDFium cannot be interrupted from Python).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 200 * MiB
    max_pages: int = 3000
    timeout_s: float = 600.0
    """Wall-clock limit per file, OCR included (enforced in worker processes only). OCR runs at
    about 2-3 s per dense A4 page on one core, so the OCR budget below fits well inside."""
    memory_mb: int = 3072
    """Address-space limit of a worker process and its Tesseract children (RLIMIT_AS)."""
    ocr: bool = True
    ocr_languages: str = "deu"
    ocr_dpi: int = 300
    ocr_max_pixels: int = 25_000_000
    """Pages are rendered for OCR at ``ocr_dpi`` unless that exceeds this many pixels."""
    max_ocr_pages: int = 100
    """OCR budget per file (whole pages and image regions); further pages keep their text layer
    and the file gets a warning."""
    ocr_timeout_s: float = 120.0
    """Limit for one Tesseract run (also applies in-process)."""
    table_engine: Literal["pdfium", "pdfplumber", "none"] = "pdfium"
    """``pdfium``: ruling lines from PDFium page objects fed into pdfplumber's table finder
    (fast); ``pdfplumber``: pdfplumber parses the page itself (a table page costs about 90 ms
    instead of 2 ms; ten times slower overall on council papers)."""
    max_text_chars: int = 20_000_000
    """Upper bound on extracted characters per file (protects the store from text bombs)."""


DEFAULT_LIMITS = Limits()
