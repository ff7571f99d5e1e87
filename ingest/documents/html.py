"""HTML files (attachments saved as HTML, text versions of papers): the text a browser shows.

Blocks and ``<br>`` break lines, inline markup joins, table rows become tab-separated cells like
PDF tables do. lxml's HTML parser never fetches anything and copes with broken markup.
"""

from __future__ import annotations

import re

import lxml.etree
import lxml.html

from ratsinfo.ingest.documents.cleanup import clean_text
from ratsinfo.ingest.documents.model import Extraction, PageText
from ratsinfo.ingest.documents.plaintext import decode
from ratsinfo.ingest.documents.sniff import HTML

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

SKIP = frozenset(
    {"script", "style", "noscript", "template", "head", "title", "meta", "link", "iframe", "object",
     "svg", "select", "option", "textarea", "button", "map", "embed", "canvas"}
)  # fmt: skip
BLOCK = frozenset(
    {"p", "div", "li", "ul", "ol", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
     "article", "header", "footer", "blockquote", "pre", "dl", "dt", "dd", "hr", "form", "fieldset",
     "address", "main", "nav", "aside", "figure", "figcaption", "caption", "thead", "tbody", "tfoot",
     "center", "body", "html"}
)  # fmt: skip
CELLS = frozenset({"td", "th"})
_WS = re.compile(r"[ \t\r\n\f\v]+")


def declared_charset(data: bytes) -> str | None:
    head = data[:4096]
    match = _XML_ENCODING.search(head) or _CHARSET.search(head)
    return match.group(1).decode("ascii") if match else None


def html_to_text(markup: str) -> tuple[str, str | None]:
    """(visible text, title) of an HTML document."""
    markup = _XML_DECL.sub("", markup, count=1)
    if not markup.strip():
        return "", None
    try:
        root = lxml.html.document_fromstring(markup)
    except (lxml.etree.ParserError, ValueError):
        return "", None
    title_el = root.find(".//title")
    title = " ".join(title_el.text_content().split()) if title_el is not None else None

    out: list[str] = []
    skip_depth = 0
    pre_depth = 0
    cell_index: list[int] = []
    for event, el in lxml.etree.iterwalk(root, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if skip_depth or tag in SKIP or not tag:
                skip_depth += 1
                continue
            if tag == "pre":
                pre_depth += 1
            if tag in BLOCK:
                out.append("\n")
            if tag == "tr":
                cell_index.append(0)
            elif tag in CELLS and cell_index:
                if cell_index[-1]:
                    out.append("\t")
                cell_index[-1] += 1
            elif tag == "br":
                out.append("\n")
            if el.text:
                out.append(el.text if pre_depth else _WS.sub(" ", el.text))
        else:
            if skip_depth:
                skip_depth -= 1
                if skip_depth == 0 and el.tail:
                    out.append(_WS.sub(" ", el.tail))
                continue
            if tag == "pre":
                pre_depth -= 1
            if tag == "tr" and cell_index:
                cell_index.pop()
            if tag in BLOCK:
                out.append("\n")
            if el.tail:
                out.append(el.tail if pre_depth else _WS.sub(" ", el.tail))
    lines = []
    for line in "".join(out).split("\n"):
        cells = [" ".join(cell.split()) for cell in line.split("\t")]
        line = "\t".join(cells).rstrip("\t") if len(cells) > 1 else cells[0]
        if line.strip():  # block boundaries nest (tr in table in div): no blank lines from them
            lines.append(line)
    return "\n".join(lines), title


def extract_html_file(data: bytes, label: str) -> Extraction:
    text, title = html_to_text(decode(data, declared_charset(data)))
    text = clean_text(text)
    if not text and title:
        text = title
    return Extraction(file=label, pages=[PageText(1, text)], mime_type=HTML, page_count=1)
