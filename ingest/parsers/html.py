"""Shared HTML helpers for the RIS page parsers.

Real RIS pages lie about their encoding, split words with inline markup, embed whole Aspose
documents (with their own ``<?xml?>`` and DOCTYPE) in the middle of a page and show some values
only in ``title`` or ``aria-label`` attributes. Everything that copes with that lives here, so the
vendor modules only know where a vendor puts things.
"""

from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Iterable
from urllib.parse import parse_qs, urljoin, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.element import CData, Declaration, Doctype, ProcessingInstruction

try:  # bs4 >= 4.11
    from bs4 import XMLParsedAsHTMLWarning
except ImportError:  # pragma: no cover - older bs4
    XMLParsedAsHTMLWarning = UserWarning  # type: ignore[misc,assignment]

from ratsinfo.core.record import clean_text

# --- decoding -----------------------------------------------------------------------------

_UTF8_NAMES = {"utf-8", "utf8", "utf_8"}
_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH = re.compile(rb"[\x80-\xff]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.I)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.I)


def _single_byte(data: bytes) -> str:
    """cp1252 as browsers read "ISO-8859-1"; bytes cp1252 leaves undefined fall back to Latin-1."""
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return "".join(b.to_bytes(1, "big").decode("cp1252", "ignore") or chr(b) for b in data)


def _fallback_handler(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return _single_byte(err.object[err.start : err.end]), err.end


codecs.register_error("ratsinfo-cp1252", _fallback_handler)


def declared_charset(content: bytes, content_type: str | None = None) -> str | None:
    """The charset the server or the page claims (header first, then meta, then XML declaration)."""
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        return m.group(1).lower()
    head = content[:4096]
    for rx in (_META_CHARSET, _XML_ENCODING):
        if m := rx.search(head):
            return m.group(1).decode("ascii", "ignore").lower()
    return None


def decode_html(content: bytes | str, content_type: str | None = None) -> str:
    """Text of a page, decided by its bytes rather than by what it declares.

    Valid UTF-8 is UTF-8 whatever the label says (ISO-8859-1 meta over UTF-8 bytes); bytes that
    are not UTF-8 are read as the declared single-byte charset or cp1252 (a UTF-8 header over
    Latin-1 bytes); a page mixing both keeps its UTF-8 and reads the stray bytes as cp1252.
    Double-encoded UTF-8 ("GrÃ¼ne") is repaired afterwards.
    """
    if isinstance(content, str):
        return fix_mojibake(content)
    if not content:
        return ""
    if content.startswith(b"\xef\xbb\xbf"):
        content = content[3:]
    elif content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16", "replace")
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError:
        sequences = _MULTIBYTE.findall(content)
        valid = len(sequences)
        invalid = len(_HIGH.findall(content)) - sum(len(m) for m in sequences)
        declared = declared_charset(content, content_type)
        if valid > invalid:
            text = content.decode("utf-8", "ratsinfo-cp1252")
        elif declared and declared not in _UTF8_NAMES and _is_single_byte_codec(declared):
            text = _decode_declared(content, declared)
        else:
            text = _single_byte(content)
    return fix_mojibake(text)


def _is_single_byte_codec(name: str) -> bool:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return False
    return info.name.startswith(("iso8859", "cp125", "latin", "windows", "mac-")) or info.name == "ascii"


def _decode_declared(content: bytes, declared: str) -> str:
    name = codecs.lookup(declared).name
    if name in ("iso8859-1", "latin-1", "ascii"):
        return _single_byte(content)  # browsers treat ISO-8859-1 as windows-1252
    return content.decode(name, "replace")


_MOJIBAKE_HINT = re.compile(
    r"\u00c3[\u00a4\u00b6\u00bc\u0178\u201e\u2013\u0153\u00a9\u00a8\u00b3\u00a2]"
    r"|\u00e2\u20ac[\u017e\u0153\u201c\u2122\u2019\u02dc]"
)
_CONT = (
    r"[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    r"\u2018\u2019\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_MOJIBAKE_RUN = re.compile(f"[\u00c2-\u00df]{_CONT}|[\u00e0-\u00ef]{_CONT}{{2}}|[\u00f0-\u00f4]{_CONT}{{3}}")


def fix_mojibake(text: str) -> str:
    """Undo UTF-8 that was decoded as cp1252 once too often; leaves ordinary text alone."""
    if len(_MOJIBAKE_HINT.findall(text)) < 2:
        return text

    def repair(m: re.Match[str]) -> str:
        try:
            return m.group(0).encode("cp1252").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            return m.group(0)

    return _MOJIBAKE_RUN.sub(repair, text)


# --- parsing ------------------------------------------------------------------------------

_XML_DECL = re.compile(r"<\?xml[^>]*\?>", re.I)
_DOCTYPE = re.compile(r"<!DOCTYPE[^>]*>", re.I)


def strip_declarations(text: str) -> str:
    """Remove ``<?xml?>`` and DOCTYPE declarations wherever embedded documents left them."""
    return _DOCTYPE.sub("", _XML_DECL.sub("", text))


def make_soup(text: str) -> BeautifulSoup:
    """BeautifulSoup over lxml of a decoded page with embedded declarations removed.

    Pages that start with an ``<?xml?>`` declaration are still HTML; bs4's warning saying
    otherwise is silenced here rather than globally.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(strip_declarations(text), "lxml")


# --- text extraction ----------------------------------------------------------------------

_SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "head",
        "title",
        "meta",
        "link",
        "input",
        "select",
        "option",
        "textarea",
        "iframe",
        "object",
        "svg",
        "button",
        "img",
        "map",
    }
)
_BLOCK = frozenset(
    {
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "table",
        "tr",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "section",
        "article",
        "header",
        "footer",
        "blockquote",
        "pre",
        "dl",
        "dt",
        "dd",
        "hr",
        "form",
        "fieldset",
        "address",
        "main",
        "nav",
        "aside",
        "figure",
        "figcaption",
        "caption",
        "thead",
        "tbody",
        "tfoot",
        "center",
        "body",
        "html",
    }
)
_NON_TEXT = (Comment, Doctype, Declaration, ProcessingInstruction, CData)
_ROMAN = (
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
)


def _roman(n: int) -> str:
    out = []
    for value, sym in _ROMAN:
        while n >= value:
            out.append(sym)
            n -= value
    return "".join(out)


def _marker(kind: str, n: int) -> str:
    if kind == "I":
        return _roman(n) + "."
    if kind == "i":
        return _roman(n).lower() + "."
    if kind in ("a", "A") and 1 <= n <= 26:
        letter = chr(ord("a") + n - 1)
        return (letter.upper() if kind == "A" else letter) + "."
    return f"{n}."


def _int_attr(tag: Tag, name: str, default: int) -> int:
    try:
        return int(str(tag.get(name, default)).strip())
    except ValueError:
        return default


class _TextWalker:
    """Collects the lines a browser would show: inline markup joins, blocks and ``<br>`` break.

    Words that Aspose/Word exports split over several ``<span>`` elements come out whole because
    inline elements are concatenated without a separator; only whitespace that is really in the
    page separates words. Table rows become one line with cells joined by `` | `` (one-column
    layout tables stay plain blocks); ordered lists get the numbers the browser would draw.
    """

    def __init__(self, numbering: bool = True):
        self.lines: list[str] = []
        self.buf: list[str] = []
        self.numbering = numbering
        self.cell_depth = 0

    def flush(self) -> None:
        if self.buf:
            line = "".join(self.buf)
            if "\t" in line:
                cells = [clean_text(c) for c in line.split("\t")]
                line = " | ".join(c for c in cells if c)
            line = clean_text(line)
            if line:
                self.lines.append(line)
            self.buf = []

    def brk(self) -> None:
        """A block boundary: a new line, or a space while inside a table cell."""
        if self.cell_depth:
            self.buf.append(" ")
        else:
            self.flush()

    def walk(self, node: Tag | NavigableString) -> None:
        if isinstance(node, NavigableString):
            if not isinstance(node, _NON_TEXT):
                self.buf.append(str(node))
            return
        name = node.name
        if name in _SKIP:
            return
        if name == "br":
            self.brk()
            return
        if name == "table":
            self._table(node)
            return
        if name in ("ol", "ul"):
            self._list(node)
            return
        block = name in _BLOCK
        if block:
            self.brk()
        for child in node.children:
            self.walk(child)
        if block:
            self.brk()

    def _rows(self, table: Tag) -> list[Tag]:
        return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]

    def _table(self, table: Tag) -> None:
        rows = self._rows(table)
        cells_per_row = [
            sum(1 for c in tr.find_all(["td", "th"], recursive=False) if _has_text(c)) for tr in rows
        ]
        if self.cell_depth or max(cells_per_row, default=0) <= 1:
            # layout table (one column) or a table inside a cell: read it as plain blocks
            self.brk()
            for tr in rows:
                for cell in tr.find_all(["td", "th"], recursive=False):
                    for child in cell.children:
                        self.walk(child)
                    self.brk()
            return
        self.flush()
        for tr in rows:
            first = True
            for cell in tr.find_all(["td", "th"], recursive=False):
                if not first:
                    self.buf.append("\t")
                first = False
                self.cell_depth += 1
                for child in cell.children:
                    self.walk(child)
                self.cell_depth -= 1
            self.flush()

    def _list(self, lst: Tag) -> None:
        ordered = lst.name == "ol"
        kind = str(lst.get("type") or "1")
        n = _int_attr(lst, "start", 1)
        self.brk()
        for child in lst.children:
            if isinstance(child, Tag) and child.name == "li":
                self.brk()
                n = _int_attr(child, "value", n)
                if ordered and self.numbering:
                    self.buf.append(_marker(kind, n) + " ")
                for sub in child.children:
                    self.walk(sub)
                self.brk()
                n += 1
            else:
                self.walk(child)
        self.brk()


def _has_text(el: Tag) -> bool:
    return bool(clean_text(el.get_text()))


def text_lines(node: Tag | Iterable[Tag | NavigableString] | None, numbering: bool = True) -> list[str]:
    """The visible lines of an element (or of a run of sibling nodes), cleaned, empty ones dropped."""
    if node is None:
        return []
    walker = _TextWalker(numbering)
    nodes = [node] if isinstance(node, Tag | NavigableString) else list(node)
    for n in nodes:
        walker.walk(n)
    walker.flush()
    return walker.lines


def text_of(node: Tag | None) -> str:
    """One-line visible text of an element: lines joined by a space."""
    return clean_text(" ".join(text_lines(node, numbering=False)))


def hidden_label(node: Tag | None) -> str:
    """A value shown only as ``aria-label``, ``title`` or image ``alt`` (status icons and colour cells)."""
    if node is None:
        return ""
    for el in [node, *node.find_all(True)]:
        for attr in ("aria-label", "title", "alt", "data-original-title"):
            value = clean_text(str(el.get(attr) or ""))
            if value:
                return value
    return ""


def visible_or_hidden(node: Tag | None) -> str:
    """Visible text, else the icon's label."""
    return text_of(node) or hidden_label(node)


# --- labels -------------------------------------------------------------------------------

# normalised label -> record field; the field names are the record's keys
LABEL_FIELDS: dict[str, str] = {
    "betreff": "name",
    "titel": "name",
    "status": "status",
    "vorlageart": "paperType",
    "vorlage-art": "paperType",
    "vorlagenart": "paperType",
    "drucksache-art": "paperType",
    "drucksachenart": "paperType",
    "drucksachen-art": "paperType",
    "art": "paperType",
    "datum": "date",
    "vorlagedatum": "date",
    "vorlagendatum": "date",
    "drucksachendatum": "date",
    "federführend": "underDirectionOf",
    "federführung": "underDirectionOf",
    "federführendes amt": "underDirectionOf",
    "federführende dienststelle": "underDirectionOf",
    "federf. amt": "underDirectionOf",
    "amt": "underDirectionOf",
    "beteiligt": "participating",
    "beteiligte": "participating",
    "beteiligte ämter": "participating",
    "beteiligte dienststellen": "participating",
    "verantwortlich": "responsible",
    "bearbeiter/-in": "responsible",
    "bearbeiter/in": "responsible",
    "bearbeiter": "responsible",
    "bearbeiterin": "responsible",
    "sachbearbeiter/-in": "responsible",
    "sachbearbeiter": "responsible",
    "sachbearbeiterin": "responsible",
    "verfasser": "originator",
    "verfasserin": "originator",
    "verfasser/-in": "originator",
    "verfasser/in": "originator",
    "antragsteller": "originator",
    "antragstellerin": "originator",
    "antragsteller/-in": "originator",
    "antragsteller/in": "originator",
    "antragsteller*in": "originator",
    "einreicher": "originator",
    "1. berichterstattung": "originator",
    "berichterstattung": "originator",
    "vorstand": "originator",
    "bezüglich": "relatedPaper",
    "stammbaum": "relatedPaper",
    "referenzvorlage": "relatedPaper",
    "bezugsvorlage": "relatedPaper",
    "vorlage": "reference",
    "drucksache": "reference",
    "vorlagen-nr.": "reference",
    "vorlagennummer": "reference",
    "drucksachen-nr.": "reference",
    "drucksachennummer": "reference",
    "aktenzeichen": "fileNumber",
}

_LABEL_TAIL = re.compile(r"[\s:]+$")


def norm_label(label: str | None) -> str:
    """``"Federführend: "`` -> ``"federführend"``: lower case, NBSP and trailing colon gone."""
    return _LABEL_TAIL.sub("", clean_text(label).lower())


def label_field(label: str | None) -> str | None:
    """The record field a RIS label fills, whatever the installation calls it."""
    return LABEL_FIELDS.get(norm_label(label))


# --- links --------------------------------------------------------------------------------


def absolute(href: str | None, base: str | None) -> str | None:
    """``href`` resolved against ``base`` (kept relative when there is no base)."""
    if not href:
        return None
    href = href.strip()
    if href.startswith(("javascript:", "mailto:", "#")):
        return None
    return urljoin(base, href) if base else href


def query_param(url: str | None, *names: str) -> str | None:
    """The first of ``names`` present in the query of ``url`` (case-insensitive names)."""
    if not url:
        return None
    query = {k.lower(): v for k, v in parse_qs(urlsplit(url).query).items()}
    for name in names:
        if values := query.get(name.lower()):
            return values[0]
    return None


_WICKET_LISTENER = re.compile(r"\?\d*-[\d.]*-|\?\d+-|[?&]\d+-\d")


def is_stable_link(href: str | None) -> bool:
    """Whether a link can be fetched later: not a Wicket listener bound to a page instance, not a
    ``___tmp`` copy ALLRIS makes per request, not a script or anchor."""
    if not href:
        return False
    h = href.strip()
    if h.startswith(("javascript:", "#", "mailto:")):
        return False
    if "___tmp" in h or "/tmp/" in h:
        return False
    return not _WICKET_LISTENER.search(h)


# --- a decoded page -----------------------------------------------------------------------


class Page:
    """A page decoded once and parsed lazily, with the URL its relative links resolve against."""

    def __init__(self, text: str, url: str | None = None):
        self.text = text
        self.url = url
        self._soup: BeautifulSoup | None = None

    @classmethod
    def from_bytes(
        cls, content: bytes | str, url: str | None = None, content_type: str | None = None
    ) -> Page:
        return cls(decode_html(content, content_type), url)

    @property
    def soup(self) -> BeautifulSoup:
        if self._soup is None:
            self._soup = make_soup(self.text)
        return self._soup

    @property
    def label(self) -> str:
        """How error messages name the page."""
        return self.url or "page"

    def link(self, href: str | None) -> str | None:
        return absolute(href, self.url)


# --- text sections ------------------------------------------------------------------------

# words a text section's own heading is made of ("Petitum/Beschluss:", "Anlage/n:", …)
SECTION_WORDS = frozenset(
    {
        "sachverhalt",
        "sachdarstellung",
        "sachstand",
        "beschlussvorschlag",
        "beschlussvorschläge",
        "beschluss",
        "beschlüsse",
        "petitum",
        "begründung",
        "anlage",
        "anlagen",
        "anlage/n",
        "n",
        "finanzielle auswirkungen",
        "haushaltsmäßige auswirkungen",
        "kosten",
        "finanzierung",
        "stellungnahme",
        "stellungnahme der verwaltung",
        "antrag",
        "anfrage",
        "antwort",
        "beschlussempfehlung",
        "empfehlung",
        "mitteilung",
        "problembeschreibung",
        "problem",
        "lösung",
        "alternativen",
        "ergebnis",
        "erläuterung",
        "erläuterungen",
        "zusammenfassung",
        "auswirkungen",
        "klimarelevanz",
        "klimaauswirkungen",
        "anlass",
        "ziel",
        "ziele",
        "inhalt",
        "fragen",
        "hinweis",
        "hinweise",
        "vorbemerkung",
        "beratungsergebnis",
        "entscheidungsvorschlag",
        "begründung der dringlichkeit",
        "darstellung",
        "sachverhaltsdarstellung",
        "anlass und ziel",
    }
)
_HEADING = re.compile(r"^(?P<title>[A-ZÄÖÜ][\w\säöüÄÖÜß/.-]{0,60}?)\s*:\s*(?P<rest>.*)$")
_PLACEHOLDER = re.compile(r"^[\s\-–—_.*/]*$")


def _is_section_title(title: str) -> bool:
    parts = re.split(r"\s*/\s*|\s+und\s+|\s*,\s*", title.lower())
    return bool(parts) and all(p in SECTION_WORDS for p in parts if p)


def split_heading(lines: list[str]) -> tuple[str | None, list[str]]:
    """The section's own heading (``"Petitum/Beschluss:"`` on its first line) and the rest."""
    if not lines:
        return None, lines
    m = _HEADING.match(lines[0])
    if not m or not _is_section_title(m["title"]):
        return None, lines
    rest = [m["rest"]] if m["rest"].strip() else []
    return clean_text(m["title"]), rest + lines[1:]


def section_text(lines: list[str]) -> str:
    """Paragraphs joined by newlines; a section that only says "---" is empty."""
    kept = [line for line in lines if line]
    if all(_PLACEHOLDER.match(line) for line in kept):
        return ""
    return "\n".join(kept)


def add_section(sections: dict[str, str], title: str, lines: list[str]) -> None:
    """Store a text section under its own heading (else ``title``); repeated titles append."""
    own, body = split_heading(lines)
    key = own or title
    text = section_text(body)
    if not text:
        return
    sections[key] = f"{sections[key]}\n{text}" if key in sections else text


# --- pagination ---------------------------------------------------------------------------

_NEXT_STRONG = re.compile(r"nächste|naechste|\bnext\b|weiter", re.I)
_NEXT_WEAK = re.compile(r"^(?:»|›|>|&gt;)$")
_NOT_NEXT = re.compile(r"letzte|\blast\b|vorherige|zurück|\bprev", re.I)


def next_page_links(page: Page, within: Tag | None = None, must_contain: str | None = None) -> list[str]:
    """Links to the following list page: "nächste"/"next" by text, title, rel or class, else a
    lone "»"/">" arrow; never "letzte Seite" or "vorherige"."""
    root = within or page.soup
    strong: list[str] = []
    weak: list[str] = []
    for a in root.find_all("a", href=True):
        href = str(a["href"])
        if must_contain and must_contain not in href:
            continue
        parent = a.parent if isinstance(a.parent, Tag) else None
        classes = " ".join([*(a.get("class") or []), *((parent.get("class") or []) if parent else [])])
        rel = " ".join(a.get("rel") or [])
        label = " ".join([text_of(a), str(a.get("title") or ""), str(a.get("aria-label") or "")])
        if _NOT_NEXT.search(label) or re.search(r"\b(?:last|prev|first)\b", classes):
            continue
        link = page.link(href)
        if not link:
            continue
        if _NEXT_STRONG.search(label) or "next" in rel or re.search(r"\bnext\b", classes):
            strong.append(link)
        elif _NEXT_WEAK.match(text_of(a)):
            weak.append(link)
    return list(dict.fromkeys(strong or weak))
