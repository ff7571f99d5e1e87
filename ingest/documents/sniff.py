"""The real type of a file from its bytes, because servers mislabel (HTML login pages as PDF).

Raw-store files have no extension, so the claimed type comes from the server or the OParl
``mimeType``; :func:`claimed_type` normalises that claim and :func:`mislabelled` decides
whether a difference between claim and content is an error.
"""

from __future__ import annotations

import mimetypes
import os
import re
import zipfile

PDF = "application/pdf"
HTML = "text/html"
TEXT = "text/plain"
XML = "application/xml"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
DOC = "application/msword"
OLE = "application/x-ole-storage"
RTF = "application/rtf"
ZIP = "application/zip"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"
GIF = "image/gif"
UNKNOWN = "application/octet-stream"

#: Types whose claim we trust enough to call different content "mislabelled".
DOCUMENT_TYPES = {PDF, DOCX, ODT, DOC, XLSX, PPTX}

_HEAD = 8192
_HTML_RE = re.compile(rb"<(?:!doctype\s+html|html|head|body|title|meta|script|div|p|table)\b", re.IGNORECASE)
_ODF_PREFIX = "application/vnd.oasis.opendocument."

_ALIASES = {
    "pdf": PDF,
    "application/x-pdf": PDF,
    "application/acrobat": PDF,
    "text/pdf": PDF,
    "html": HTML,
    "application/xhtml+xml": HTML,
    "txt": TEXT,
    "docx": DOCX,
    "doc": DOC,
    "odt": ODT,
    "application/doc": DOC,
    "application/vnd.ms-word": DOC,
    "application/x-msword": DOC,
    "binary/octet-stream": UNKNOWN,
    "application/download": UNKNOWN,
    "application/force-download": UNKNOWN,
    "application/x-download": UNKNOWN,
}


def sniff_bytes(head: bytes) -> str:
    """Type from the first bytes alone (ZIP containers come back as ``application/zip``)."""
    # PDF readers accept the header anywhere in the first KiB (some servers prepend junk).
    if head.startswith(b"%PDF-") or b"%PDF-" in head[:1024]:
        return PDF
    if head.startswith(b"PK\x03\x04"):
        return ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"{\\rtf"):
        return RTF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    text = _as_text(head)
    if text is None:
        return UNKNOWN
    stripped = text.lstrip("\ufeff \t\r\n")
    if _HTML_RE.search(head[:4096]) and (stripped.startswith("<") or "<html" in stripped[:2048].lower()):
        return HTML
    if stripped.startswith("<?xml"):
        return HTML if re.search(r"<html\b", stripped[:4096], re.IGNORECASE) else XML
    return TEXT


def _as_text(head: bytes) -> str | None:
    """The head decoded if it looks like text (no NULs outside UTF-16, few control bytes)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte sequence cut at the end of the head is still UTF-8.
        text = (
            head[: exc.start].decode("utf-8")
            if exc.start >= len(head) - 3
            else head.decode("cp1252", "replace")
        )
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\r\n\f")
    return None if controls > max(2, len(text) // 100) else text


def _zip_type(path: str | os.PathLike[str]) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "mimetype" in names:
                declared = zf.read("mimetype")[:100].decode("ascii", "replace").strip()
                if declared.startswith(_ODF_PREFIX):
                    return declared
            if "word/document.xml" in names:
                return DOCX
            if "xl/workbook.xml" in names:
                return XLSX
            if "ppt/presentation.xml" in names:
                return PPTX
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        pass
    return ZIP


def sniff_file(path: str | os.PathLike[str]) -> str:
    """The type of the file's content; opens ZIP containers to tell DOCX/ODT/XLSX apart."""
    with open(path, "rb") as fh:
        head = fh.read(_HEAD)
    kind = sniff_bytes(head)
    if kind == ZIP:
        return _zip_type(path)
    if kind == OLE and os.fspath(path).lower().endswith(".doc"):
        return DOC
    return kind


def claimed_type(path: str | os.PathLike[str], mime_type: str | None = None) -> str | None:
    """What the server or the file name says the file is; ``None`` when nothing useful is said."""
    if mime_type:
        value = mime_type.split(";")[0].strip().lower()
        value = _ALIASES.get(value, value)
        if value and value != UNKNOWN:
            return value
    guessed, _ = mimetypes.guess_type(os.fspath(path))
    return _ALIASES.get(guessed, guessed) if guessed else None


def mislabelled(claimed: str | None, actual: str) -> bool:
    """True when a document type was promised and something else arrived (e.g. HTML as PDF)."""
    if claimed is None or claimed == actual or claimed not in DOCUMENT_TYPES:
        return False
    return not (claimed == DOC and actual == OLE)


def describe(mime: str) -> str:
    """A short human name for error messages."""
    names = {
        PDF: "PDF",
        HTML: "HTML",
        TEXT: "plain text",
        XML: "XML",
        DOCX: "Word document (DOCX)",
        ODT: "OpenDocument text (ODT)",
        DOC: "legacy Word document (DOC)",
        OLE: "OLE2 compound file (DOC/XLS/PPT/MSG)",
        XLSX: "Excel workbook (XLSX)",
        PPTX: "PowerPoint presentation (PPTX)",
        RTF: "RTF",
        ZIP: "ZIP archive",
        PNG: "PNG image",
        JPEG: "JPEG image",
        TIFF: "TIFF image",
        GIF: "GIF image",
    }
    return names.get(mime, mime)
