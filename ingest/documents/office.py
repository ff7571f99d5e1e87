"""Word processor files: DOCX and ODT are read directly from their XML, DOC is recorded as unsupported.

DOCX and ODT are ZIP archives of XML; reading ``word/document.xml`` / ``content.xml`` with lxml
(already a dependency) gives paragraphs and tables without another library. The XML is parsed
without entity resolution or network access, and archive members are size-checked before reading
(a ZIP bomb expands only up to ``limits.max_file_bytes * 10``).
Legacy binary Word (.doc) would need antiword/catdoc or LibreOffice; it is reported, not guessed at.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable

import lxml.etree

from ratsinfo.ingest.documents.cleanup import clean_cell, clean_text
from ratsinfo.ingest.documents.limits import Limits
from ratsinfo.ingest.documents.model import Extraction, ExtractionError, PageText
from ratsinfo.ingest.documents.sniff import DOCX, ODT

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_NS = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"

_PARSER = lxml.etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


def _read_member(path: str, name: str, limits: Limits) -> lxml.etree._Element:
    try:
        with zipfile.ZipFile(path) as zf:
            try:
                info = zf.getinfo(name)
            except KeyError as exc:
                raise ExtractionError(f"corrupt document: {name} is missing from the archive") from exc
            if info.file_size > limits.max_file_bytes * 10:
                raise ExtractionError(f"document XML too large when unpacked ({info.file_size} bytes)")
            data = zf.read(info)
    except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError) as exc:
        raise ExtractionError(f"corrupt document archive: {exc}") from exc
    try:
        return lxml.etree.fromstring(data, _PARSER)
    except lxml.etree.XMLSyntaxError as exc:
        raise ExtractionError(f"corrupt document XML in {name}: {exc}") from exc


# --- DOCX ------------------------------------------------------------------------------------


def _docx_paragraph(p: lxml.etree._Element) -> str:
    parts: list[str] = []
    for el in p.iter(f"{W}t", f"{W}tab", f"{W}br", f"{W}cr", f"{W}noBreakHyphen", f"{W}sym"):
        tag = el.tag
        if tag == f"{W}t":
            parts.append(el.text or "")
        elif tag == f"{W}tab":
            parts.append(" ")
        elif tag in (f"{W}br", f"{W}cr"):
            parts.append("\n")
        elif tag == f"{W}noBreakHyphen":
            parts.append("-")
    return "".join(parts)


def _docx_blocks(body: lxml.etree._Element, out: list[str]) -> None:
    for child in body:
        if child.tag == f"{W}p":
            out.append(_docx_paragraph(child))
        elif child.tag == f"{W}tbl":
            for row in child.iter(f"{W}tr"):
                cells = []
                for cell in row.findall(f"{W}tc"):
                    cells.append(clean_cell(" ".join(_docx_paragraph(p) for p in cell.iter(f"{W}p"))))
                out.append("\t".join(cells).rstrip("\t"))
        elif child.tag in (f"{W}sdt", f"{W}sdtContent", f"{W}customXml", f"{W}smartTag"):
            _docx_blocks(child, out)


def extract_docx(path: str, label: str, limits: Limits) -> Extraction:
    return _extract_xml(path, label, limits, "word/document.xml", f"{W}body", _docx_blocks, DOCX)


# --- ODT -------------------------------------------------------------------------------------


def _odt_inline(el: lxml.etree._Element, parts: list[str]) -> None:
    if el.text:
        parts.append(el.text)
    for child in el:
        tag = child.tag
        if tag == f"{TEXT_NS}s":
            parts.append(" " * int(child.get(f"{TEXT_NS}c", "1") or 1))
        elif tag == f"{TEXT_NS}tab":
            parts.append(" ")
        elif tag == f"{TEXT_NS}line-break":
            parts.append("\n")
        elif tag in (f"{TEXT_NS}note", f"{OFFICE_NS}annotation", f"{TEXT_NS}tracked-changes"):
            pass
        else:
            _odt_inline(child, parts)
        if child.tail:
            parts.append(child.tail)


def _odt_blocks(el: lxml.etree._Element, out: list[str]) -> None:
    for child in el:
        tag = child.tag
        if tag in (f"{TEXT_NS}p", f"{TEXT_NS}h"):
            parts: list[str] = []
            _odt_inline(child, parts)
            out.append("".join(parts))
        elif tag == f"{TABLE_NS}table":
            for row in child.iter(f"{TABLE_NS}table-row"):
                cells = []
                for cell in row:
                    if cell.tag not in (f"{TABLE_NS}table-cell", f"{TABLE_NS}covered-table-cell"):
                        continue
                    inner: list[str] = []
                    _odt_blocks(cell, inner)
                    cells.append(clean_cell(" ".join(inner)))
                out.append("\t".join(cells).rstrip("\t"))
        elif tag == f"{TEXT_NS}tracked-changes":
            continue
        else:
            _odt_blocks(child, out)


def extract_odt(path: str, label: str, limits: Limits) -> Extraction:
    return _extract_xml(path, label, limits, "content.xml", f"{OFFICE_NS}body", _odt_blocks, ODT)


def _extract_xml(
    path: str,
    label: str,
    limits: Limits,
    member: str,
    body_tag: str,
    blocks: Callable[[lxml.etree._Element, list[str]], None],
    mime_type: str,
) -> Extraction:
    """The text of an office document's XML body, one page (neither format knows pages)."""
    body = _read_member(path, member, limits).find(body_tag)
    out: list[str] = []
    if body is not None:
        blocks(body, out)
    return Extraction(
        file=label, pages=[PageText(1, clean_text("\n".join(out)))], mime_type=mime_type, page_count=1
    )
