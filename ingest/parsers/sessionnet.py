"""SessionNet (Somacos) pages: the paper page ``vo0050.asp|php?__kvonr=``, its Beratungen tab
``vo0053`` and the paper list ``vo0040``.

SessionNet 5.x renders label/value rows as ``div.smc-table-row`` (head cell ``.smc-cell-head``,
value cells classed ``vobetr``, ``voname``, ``vovaname`` …) and documents as ``getfile`` cards;
the Beratungsfolge lives on the separate Beratungen tab, an accordion of ``card`` panels whose
button reads "date Gremium TOP n öffentlich - role". SessionNet 4.x uses tables
(``#smctablevorgang``, ``smccontenttable``) for the same things and may show the Beratungen
inline; both are read here.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from ratsinfo.core.errors import ParseError
from ratsinfo.core.record import (
    Consultation,
    FileRef,
    PaperRecord,
    clean_text,
    normalise_mime,
    parse_date,
    parse_size,
)
from ratsinfo.ingest.parsers.base import (
    PageParser,
    PaperList,
    PaperListEntry,
    body_from_title,
    fingerprint,
    finish_record,
    guarded,
    merge_consultations,
    page_text,
    require_paper,
    strip_size_suffix,
)
from ratsinfo.ingest.parsers.html import (
    SECTION_WORDS,
    Page,
    absolute,
    add_section,
    hidden_label,
    is_stable_link,
    label_field,
    next_page_links,
    norm_label,
    query_param,
    text_lines,
    text_of,
)

_URL = re.compile(r"/[a-z]{2}\d{4}[a-z]?\.(?:asp|php)\b", re.I)
_PAGE_KIND = re.compile(r"smc_page_([a-z]{2}\d{4}[a-z]?)_(?:layout|contenttable)", re.I)
_KVONR = re.compile(r"vo0050\.(?:asp|php)\?__kvonr=(\d+)", re.I)
_CLASS_FIELDS = {
    "vobetr": "name",
    "voname": "reference",
    "voakz": "fileNumber",
    "vovaname": "paperType",
    "voart": "paperType",
    "vodat": "date",
    "vodatum": "date",
    "vofamt": "underDirectionOf",
    "voamt": "underDirectionOf",
    "vostatus": "status",
    "voverfasser": "originator",
    "vobearb": "responsible",
    "vobeteiligt": "participating",
}
_LIST_FIELDS = {
    "underDirectionOf": "under_direction_of",
    "participating": "participating",
    "responsible": "responsible",
    "originator": "originator",
}


def looks_sessionnet(text: str) -> bool:
    head = text[:8000]
    return (
        'name="sessionnet"' in head
        or "SessionNet" in head
        or "Somacos" in head
        or "smc_page_" in text
        or 'class="smc-body"' in head
    )


def page_kind(page: Page) -> str:
    """The SessionNet page id (``vo0050``, ``vo0053``, ``si0057`` …) from markup, else URL."""
    if m := _PAGE_KIND.search(page.text):
        return m.group(1).lower()
    if page.url and (m := _URL.search(page.url)):
        return m.group(0).strip("/").split(".")[0].lower()
    return ""


class SessionNetParser(PageParser):
    """SessionNet 4.x and 5.x (ASP and PHP installations)."""

    vendor = "sessionnet"
    flavour = "4/5"

    def detect(self, url: str | None, page: Page | BeautifulSoup | str) -> bool:
        text = page_text(page)
        if text and looks_sessionnet(text):
            return True
        return bool(url and _URL.search(url)) and "ALLRIS" not in text[:6000]

    def parse_document(self, page: Page) -> PaperRecord:
        kind = page_kind(page)
        if kind.startswith("vo0053"):
            raise ParseError(
                f"{page.label} is the SessionNet Beratungen tab (vo0053), not a paper page;"
                " read it with parse_consultations"
            )
        if kind and not kind.startswith("vo0050"):
            raise ParseError(f"{page.label} is not a paper page (SessionNet {kind} page)")
        soup = page.soup
        pairs = _pairs(soup)
        if not kind and not any(f == "name" for f, _ in pairs):
            raise ParseError(f"{page.label} is not a paper page (no SessionNet Vorlage found)")

        record = PaperRecord(source="sessionnet", web=page.url)
        kvonr = query_param(page.url, "__kvonr")
        if not kvonr and (m := _KVONR.search(page.text)):
            kvonr = m.group(1)
        record.id = kvonr
        for field, value in pairs:
            _set(record, field, value, page.url)
        heading = text_of(soup.find("h1", class_="smc_h1") or soup.find("h1"))
        record.name = record.name or heading
        record.body = _body_from_heading(heading, record.name)
        record.file = documents(soup, page.url)
        record.consultation = consultations_from(soup, page.url)
        record.text = _sections(soup)
        return finish_record(require_paper(record, page))

    def parse_list_document(self, page: Page) -> PaperList:
        return parse_vo0040(page)


def _pairs(soup: Tag) -> list[tuple[str, Tag]]:
    """(field, value element) from 5.x ``smc-table-row`` divs and 4.x label/value table rows."""
    out: list[tuple[str, Tag]] = []
    # the paper's own table; Beratungen cards on the same page have smc-table-rows of their own
    own = soup.find(id=re.compile(r"^smc_page_vo0050_contenttable\d*$"))
    for row in (own if isinstance(own, Tag) else soup).find_all(class_="smc-table-row"):
        cells = row.find_all(class_="smc-table-cell", recursive=False)
        head = next((c for c in cells if "smc-cell-head" in (c.get("class") or [])), None)
        values = [c for c in cells if c is not head]
        if not values:
            continue
        field = label_field(text_of(head)) if head is not None else None
        if not field:
            classes = [c for v in values for c in (v.get("class") or [])]
            field = next((f for c in classes for k, f in _CLASS_FIELDS.items() if c == k), None)
        if field:
            out.append((field, values[0]))
    if out:
        return out
    tables = soup.find_all("table", id="smctablevorgang") + soup.find_all(
        "table", class_=["smctablevorgang", "smccontenttable"]
    )
    for table in tables:
        for tr in table.find_all("tr"):
            cells = tr.find_all(["td", "th"], recursive=False)
            if len(cells) >= 2 and (field := label_field(text_of(cells[0]))):
                out.append((field, cells[1]))
    return out


def _set(record: PaperRecord, field: str, value: Tag, base: str | None) -> None:
    shown = text_of(value) or hidden_label(value)
    if not shown:
        return
    if field == "name":
        record.name = record.name or shown
    elif field == "reference":
        record.reference = record.reference or shown
    elif field == "paperType":
        record.paper_type = record.paper_type or shown
    elif field == "status":
        record.status = record.status or shown
    elif field == "date":
        record.date = record.date or parse_date(shown)
    elif field == "fileNumber":
        record.extra.setdefault("fileNumber", shown)
    elif field == "relatedPaper":
        links = [text_of(a) or absolute(str(a["href"]), base) for a in value.find_all("a", href=True)]
        record.related_paper.extend([x for x in links if x] or [shown])
    elif field in _LIST_FIELDS:
        items = [clean_text(p) for line in text_lines(value, numbering=False) for p in line.split(";")]
        getattr(record, _LIST_FIELDS[field]).extend(i for i in items if i)


def _body_from_heading(heading: str, name: str) -> str | None:
    """Koblenz writes "Bürgerinformationssystem der Stadt Koblenz - <Betreff>" as the headline."""
    if not heading or heading == name or " - " not in heading:
        return None
    prefix = heading.split(" - ", 1)[0]
    if name and not heading.endswith(name):
        return None
    return body_from_title(prefix)


_SIZE_CLASSES = re.compile(r"smcdosize|smc-doc-size|smc_field_dosize|filesize", re.I)


def documents(soup: Tag, base: str | None) -> list[FileRef]:
    """The ``getfile`` documents: one per link target; the download button and the named link of
    the same card are one file."""
    files: list[FileRef] = []
    for a in soup.find_all("a", href=re.compile(r"getfile\.(?:asp|php)\?", re.I)):
        href = str(a["href"])
        size = None
        name = text_of(a)
        size_el = a.find(class_=_SIZE_CLASSES)
        if isinstance(size_el, Tag):  # SessionNet 4.x: "Vorlage <span class=smcdosize>347 KB</span>"
            size = parse_size(text_of(size_el))
            name = clean_text(name.replace(text_of(size_el), ""))
        if not name:
            continue
        name, suffix_size = strip_size_suffix(name)
        hint = " ".join(str(a.get(k) or "") for k in ("title", "aria-label"))
        kind = m.group(1) if (m := re.search(r"Dateityp:\s*(\w+)", hint)) else None
        files.append(
            FileRef(
                name=name,
                access_url=absolute(href, base) if is_stable_link(href) else None,
                mime_type=normalise_mime(kind),
                size=size if size is not None else suffix_size,
            )
        )
    return files


def _sections(soup: Tag) -> dict[str, str]:
    """Text panels some installations show on the paper page (a card titled "Sachverhalt" …)."""
    sections: dict[str, str] = {}
    for card in soup.find_all(class_="card"):
        title_el = card.find(class_="card-header-title")
        body = card.find(class_="card-body")
        if not isinstance(title_el, Tag) or not isinstance(body, Tag):
            continue
        title = text_of(title_el)
        if label_field(title) or re.search(r"\bDokument", title) or body.find(class_="smc-table-row"):
            continue
        if norm_label(title) in SECTION_WORDS:
            add_section(sections, title, text_lines(body))
    return sections


# --- Beratungsfolge (vo0053 tab, or inline on 4.x pages) ----------------------------------

_CARD_TITLE = re.compile(r"^(?P<date>\d{1,2}\.\d{1,2}\.\d{2,4})\s+(?P<rest>.*?)(?:\s+-\s+(?P<role>[^-]+))?$")
_TOP = re.compile(r"\s+TOP\s+(?P<top>\S+(?:\s+\d[\w.]*)?)")
_PUBLIC = re.compile(r"\s+(?P<pub>nicht\s?öffentlich|öffentlich)\s*$", re.I)
_ROW_FIELDS = {
    "gremium": "organization",
    "sitzung": "meeting",
    "datum": "date",
    "sitzungsdatum": "date",
    "rolle": "role",
    "zuständigkeit": "role",
    "beratungsart": "role",
    "beratung": "role",
    "beschluss": "result",
    "beschlussart": "result",
    "ergebnis": "result",
    "status": "state",
    "top": "top",
    "tagesordnungspunkt": "top",
}


def consultations_from(soup: Tag, base: str | None) -> list[Consultation]:
    """Beratungen shown as accordion cards (5.x tab) or as a table (4.x, inline or tab)."""
    cards = [c for c in soup.find_all(class_="card") if _card_title(c)]
    if cards:
        return [_card_consultation(c, base) for c in cards]
    for table in soup.find_all("table"):
        summary = " ".join([str(table.get("summary") or ""), text_of(table.find("caption"))])
        heads = [norm_label(text_of(th)) for th in table.find_all("th")]
        if "Beratung" in summary or ("gremium" in heads and any(h in heads for h in ("datum", "sitzung"))):
            return _table_consultations(table, heads, base)
    return []


def _card_title(card: Tag) -> str:
    button = card.find("button", class_="btn-link") or card.find(class_="card-header-title")
    if not isinstance(button, Tag):
        return ""
    parts = [
        str(s)
        for s in button.find_all(string=True)
        if not any("smc-badges" in (p.get("class") or []) for p in s.parents if isinstance(p, Tag))
    ]
    title = clean_text("".join(parts))
    return title if _CARD_TITLE.match(title) else ""


def _card_consultation(card: Tag, base: str | None) -> Consultation:
    m = _CARD_TITLE.match(_card_title(card))
    if m is None:  # only cards with a dated title get here
        return Consultation()
    rest = m["rest"]
    public = None
    if pm := _PUBLIC.search(rest):
        public = pm["pub"]
        rest = rest[: pm.start()]
    top = None
    if tm := _TOP.search(rest):
        top = tm["top"]
        rest = rest[: tm.start()]
    step = Consultation(
        date=parse_date(m["date"]), organization=clean_text(rest) or None, role=clean_text(m["role"]) or None
    )
    if top:
        step.extra["agendaItemNumber"] = top
    if public:
        step.extra["public"] = not public.lower().startswith("nicht")
    body = card.find(class_="card-body") or card
    for row in body.find_all(class_="smc-table-row"):
        cells = row.find_all(class_="smc-table-cell", recursive=False)
        if len(cells) >= 2:
            _apply_row(step, norm_label(text_of(cells[0])), cells[1], base)
    for p in body.find_all("p", class_=re.compile(r"_beschluss\b")):
        strong = p.find("strong")
        value = text_of(p)[len(text_of(strong)) :] if isinstance(strong, Tag) else text_of(p)
        step.result = step.result or clean_text(value) or None
    _links(step, body, base)
    return step


def _apply_row(step: Consultation, label: str, cell: Tag, base: str | None) -> None:
    field = _ROW_FIELDS.get(label)
    value = text_of(cell) or hidden_label(cell)
    if not field or not value:
        return
    if field == "date":
        step.date = parse_date(value) or step.date
    elif field == "top":
        step.extra["agendaItemNumber"] = value
    elif field == "state":
        step.state = value
    else:
        setattr(step, field, value)
    _links(step, cell, base)


def _links(step: Consultation, el: Tag, base: str | None) -> None:
    for a in el.find_all("a", href=True):
        href = str(a["href"])
        if re.search(r"si00[45]\d\.(?:asp|php)", href, re.I):
            step.extra.setdefault("meetingUrl", absolute(href, base))
            title = str(a.get("title") or "")
            if not step.meeting and (tm := re.match(r"Details anzeigen:\s*(.+)", title)):
                step.meeting = clean_text(tm.group(1))
        elif re.search(r"to00[45]\d\.(?:asp|php)", href, re.I):
            step.extra.setdefault("agendaItemUrl", absolute(href, base))


def _table_consultations(table: Tag, heads: list[str], base: str | None) -> list[Consultation]:
    out = []
    for tr in table.find_all("tr"):
        cells = tr.find_all("td", recursive=False)
        if not cells:
            continue
        step = Consultation()
        for i, cell in enumerate(cells):
            if i < len(heads):
                _apply_row(step, heads[i], cell, base)
        _links(step, tr, base)
        if step.organization or step.date:
            out.append(step)
    return out


def parse_consultations(
    content: bytes, url: str | None = None, content_type: str | None = None
) -> list[Consultation]:
    """The Beratungsfolge of a SessionNet Beratungen tab (``vo0053.asp|php?__kvonr=``)."""

    def run() -> list[Consultation]:
        page = Page.from_bytes(content, url, content_type)
        kind = page_kind(page)
        if not looks_sessionnet(page.text) and not kind:
            raise ParseError(f"{page.label} is not a SessionNet page")
        if kind and not kind.startswith(("vo0053", "vo0050")):
            raise ParseError(f"{page.label} is not a SessionNet Beratungen tab (SessionNet {kind} page)")
        found = consultations_from(page.soup, page.url)
        if not found and not kind.startswith("vo0053"):
            raise ParseError(f"{page.label} shows no Beratungsfolge")
        return found

    return guarded(run, url)


def parse_paper_with_consultations(
    paper: bytes, tab: bytes, url: str | None = None, tab_url: str | None = None
) -> PaperRecord:
    """A SessionNet paper record completed with its Beratungen tab."""
    record = SessionNetParser().parse_paper(paper, url)
    return merge_consultations(record, parse_consultations(tab, tab_url))


# --- the paper list -----------------------------------------------------------------------


def parse_vo0040(page: Page) -> PaperList:
    """``vo0040``: result rows ``tr.smc-t-r-l`` linking ``vo0050?__kvonr=`` with the number as
    text and "Vorlage anzeigen: <Betreff>" as title; details (date, kind) in ``smc-detail-list``."""
    soup = page.soup
    kind = page_kind(page)
    if kind and not kind.startswith("vo004"):
        raise ParseError(f"{page.label} is not a SessionNet paper list (vo0040) but a SessionNet {kind} page")
    entries: list[PaperListEntry] = []
    seen: set[str] = set()
    for a in soup.find_all("a", href=_KVONR):
        href = str(a["href"])
        kvonr = query_param(href, "__kvonr")
        row = a.find_parent("tr") or a.find_parent(class_=re.compile(r"smc-table-row|smc-card"))
        if not isinstance(row, Tag) or not kvonr or kvonr in seen:
            continue
        seen.add(kvonr)
        title = clean_text(str(a.get("title") or ""))
        name = re.sub(r"^Vorlage anzeigen:\s*", "", title)
        betr = row.find(class_=re.compile(r"^vobetr$|smc-card-header-title"))
        if isinstance(betr, Tag) and text_of(betr):
            name = text_of(betr)
        details = [
            text_of(li) for ul in row.find_all("ul", class_="smc-detail-list") for li in ul.find_all("li")
        ]
        cells = [text_of(td) for td in row.find_all("td", recursive=False)]
        date = next((d for d in (parse_date(x) for x in details + cells) if d), None)
        kind_el = row.find(class_=re.compile(r"vovaname|^voart$"))
        kind = text_of(kind_el) if isinstance(kind_el, Tag) else None
        if not kind:
            kind = next((x for x in details if x and not parse_date(x) and x != text_of(a)), None)
        entry = PaperListEntry(
            url=page.link(href),
            id=kvonr,
            reference=text_of(a) or None,
            name=name,
            date=date,
            paper_type=kind or None,
        )
        docs = sorted(
            text_of(d) for d in row.find_all("a", href=re.compile(r"getfile\.", re.I)) if text_of(d)
        )
        entry.fingerprint = fingerprint(
            entry.reference, entry.name, entry.date, entry.paper_type, details, docs
        )
        entries.append(entry)
    if not entries and not kind:
        raise ParseError(f"{page.label} is not a SessionNet paper list (vo0040)")
    nexts = next_page_links(page, must_contain="vo0040")
    total = None
    if m := re.search(r"(\d[\d.]*)\s+(?:Treffer|Einträge|Vorlagen gefunden)", text_of(soup.find("body"))):
        total = int(m.group(1).replace(".", ""))
    return PaperList(entries=entries, next_urls=nexts, total=total)
