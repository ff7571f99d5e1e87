"""Plain text files, and the byte decoding shared with HTML.

German council servers still serve Windows-1252/ISO-8859-1; UTF-8 is tried strictly first, so
umlauts come out right either way (ISO-8859-1 is read as Windows-1252, as browsers do).
"""

from __future__ import annotations

import codecs
import re

from ratsinfo.ingest.documents.cleanup import clean_text
from ratsinfo.ingest.documents.model import Extraction, PageText
from ratsinfo.ingest.documents.sniff import TEXT

_LATIN1_NAMES = {"iso-8859-1", "iso8859-1", "latin-1", "latin1", "l1", "us-ascii", "ascii", "iso_8859-1"}
# "Ã¤" and friends: UTF-8 bytes that were once decoded as Windows-1252.
_MOJIBAKE = re.compile("[ÃÂ][\u0080-\u00bf\u201a-\u203a\u0152-\u0178\u02c6-\u02dc]")


def decode(data: bytes, declared: str | None = None) -> str:
    """Bytes to text: BOM, then a declared charset, then strict UTF-8, then Windows-1252."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace")
    candidates = []
    if declared:
        name = declared.strip().lower()
        candidates.append("cp1252" if name in _LATIN1_NAMES else name)
    candidates += ["utf-8", "cp1252"]
    for name in candidates:
        try:
            codecs.lookup(name)
            text = data.decode(name, errors="strict")
        except (LookupError, UnicodeDecodeError):
            continue
        return repair_mojibake(text)
    return data.decode("cp1252", errors="replace")


def repair_mojibake(text: str) -> str:
    """Undo one round of UTF-8-read-as-Windows-1252 ("FÃ¼r" → "Für") when it is clearly that."""
    if not _MOJIBAKE.search(text):
        return text
    try:
        fixed = text.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text
    return fixed


def extract_text_file(data: bytes, label: str) -> Extraction:
    """One page per form feed (as pdftotext writes them), otherwise one page."""
    text = decode(data)
    parts = text.split("\f") if "\f" in text else [text]
    pages = [PageText(i + 1, clean_text(part)) for i, part in enumerate(parts)]
    if len(pages) > 1 and not pages[-1].text:
        pages.pop()
    return Extraction(file=label, pages=pages, mime_type=TEXT, page_count=len(pages))
