"""ALLRIS (CC e-gov) paper pages: ALLRIS net 3 classic (``vo020.asp``), ALLRIS 3 responsive
(``vo020_r.asp``) and ALLRIS 4 (``/public/vo020?VOLFDNR=``), plus their paper lists.

Classic pages are label/value tables (``td.kb1`` + ``td.text1..4``) with a two-row-per-step
Beratungsfolge, documents behind POST forms and the text sections as whole Aspose documents
embedded after ``<a name="allrisSV">`` anchors. Responsive and ALLRIS 4 pages share one layout:
``div.row`` label/value rows with ``vo*`` ids, a ``table.bfTable`` Beratungsfolge (again two rows
per step), ``a.doclink``/``a.attlink`` files and an ``attachmentTable``; ALLRIS 4 adds Apache
Wicket, whose ``?1-1.0-…`` listener links only work inside the session that rendered them.
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlencode, urlsplit

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
    page_text,
    require_paper,
    strip_size_suffix,
)
from ratsinfo.ingest.parsers.html import (
    Page,
    absolute,
    add_section,
    hidden_label,
    is_stable_link,
    label_field,
    make_soup,
    next_page_links,
    norm_label,
    query_param,
    text_lines,
    text_of,
    visible_or_hidden,
)

# --- detection ----------------------------------------------------------------------------

_URL_CLASSIC = re.compile(r"/[a-z]{2}\d{3}(?:_[a-z])?\.asp\b", re.I)
_URL_RESPONSIVE = re.compile(r"/[a-z]{2}\d{3}_r\.asp\b", re.I)
_URL_ALLRIS4 = re.compile(r"/public/[a-z]{2}\d{3}\b(?!\.)|/[a-z]{2}\d{3}\?[A-Z]{2,}LFDNR=", re.I)
_PAGE_KIND_JS = re.compile(r"getElementById\('allris'\)\.setAttribute\('class',\s*'([\w ]+)'")


def _looks_allris(text: str) -> bool:
    head = text[:6000]
    return "ALLRIS" in head or "allriscontainer" in text or "de.allris.net" in head


def allris_generation(url: str | None, text: str) -> str | None:
    """``"classic"``, ``"modern"`` (3 responsive / 4) or None, from the markup, else the URL."""
    if text:
        if 'id="allriscontainer"' in text or ('class="kb1"' in text and _looks_allris(text)):
            return "classic"
        if 'id="allris"' in text and (
            _looks_allris(text) or "bfTable" in text or 'aria-describedby="vo' in text
        ):
            return "modern"
        if _looks_allris(text):
            return "modern" if ("wicket" in text[:20000].lower() or "colEntry" in text) else "classic"
    if url:
        if _URL_RESPONSIVE.search(url) or _URL_ALLRIS4.search(url):
            return "modern"
        if _URL_CLASSIC.search(url):
            return "classic"
    return None


# --- shared helpers -----------------------------------------------------------------------

_DEFAULT_TITLES = {
    "SV": "Sachverhalt",
    "BV": "Beschlussvorschlag",
    "AN": "Anlage/n",
    "BE": "Begründung",
    "FA": "Finanzielle Auswirkungen",
    "BS": "Beschluss",
    "SN": "Stellungnahme",
    "AT": "Antrag",
    "AF": "Anfrage",
}
_ANCHOR = re.compile(r"<a\s+name=[\"']allris(\w+)[\"'][^>]*>\s*</a>", re.I)
_DOC_END = re.compile(r"</html\s*>|<!--\s*###", re.I)
_TITLE_SPLIT = re.compile(r"\s+[-–]\s+")
_REFERENCE_LIKE = re.compile(r"\d")


def split_title(title: str, paper_type: str | None) -> tuple[str | None, str | None]:
    """``"Drucksache - 22-2402"`` / ``"VO/2026/181 - öffentliche Beschlussvorlage"`` ->
    (reference, kind); ALLRIS puts the number on either side of the dash."""
    title = clean_text(title)
    parts = _TITLE_SPLIT.split(title, maxsplit=1)
    if len(parts) != 2:
        return (title if _REFERENCE_LIKE.search(title) else None), None
    left, right = (clean_text(p) for p in parts)
    kind = clean_text(paper_type).casefold()
    if kind and left.casefold() == kind:
        return right, left
    if kind and right.casefold() == kind:
        return left, right
    left_ref = bool(_REFERENCE_LIKE.search(left)) and left.count(" ") <= 2
    right_ref = bool(_REFERENCE_LIKE.search(right)) and right.count(" ") <= 2
    if right_ref and not left_ref:
        return right, left
    if left_ref and not right_ref:
        return left, right
    return right, left


def anchored_sections(page: Page, titles: dict[str, str]) -> dict[str, str]:
    """The text sections embedded after ``<a name="allrisXX">``, each read on its own.

    The page is cut at the anchors (and each embedded document at its ``</html>``), because the
    embedded Aspose documents nest ``<html><body>`` inside the page and parsers disagree about
    where they end.
    """
    text = page.text
    matches = list(_ANCHOR.finditer(text))
    sections: dict[str, str] = {}
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        chunk = text[m.end() : end]
        if stop := _DOC_END.search(chunk):
            chunk = chunk[: stop.start()]
        code = m.group(1).upper()
        title = titles.get(code) or _DEFAULT_TITLES.get(code) or code
        add_section(sections, title, text_lines(make_soup(chunk)))
    return sections


def section_titles(page: Page) -> dict[str, str]:
    """What the page's own menu calls each anchored section (``#allrisSV`` -> "Sachverhalt")."""
    out: dict[str, str] = {}
    for a in page.soup.find_all("a", href=re.compile(r"^#allris\w+$", re.I)):
        name = text_of(a)
        if name:
            out.setdefault(a["href"][len("#allris") :].upper(), name)
    return out


def related_refs(el: Tag | None, base: str | None) -> list[str]:
    """Paper numbers a Bezüglich/Stammbaum cell links to (URLs where no number is shown)."""
    if el is None:
        return []
    out = []
    for a in el.find_all("a", href=True):
        label = text_of(a)
        if label and _REFERENCE_LIKE.search(label) and len(label) <= 40:
            out.append(label)
        elif link := absolute(a["href"], base):
            out.append(link)
    if not out and (value := text_of(el)):
        out.append(value)
    return out


def value_list(el: Tag | None) -> list[str]:
    """A value cell as a list: one entry per line (``<br>``) and per ``;``."""
    out: list[str] = []
    for line in text_lines(el, numbering=False):
        out.extend(v for v in (clean_text(p) for p in line.split(";")) if v)
    return out


def canonical_url(page: Page, path_hint: str) -> str | None:
    """The page's own address as its "Seite versenden" mail link states it (for ``parse FILE``)."""
    for a in page.soup.find_all("a", href=re.compile(r"^mailto:", re.I)):
        body = unquote(unquote(str(a["href"])))
        for m in re.finditer(r"https?://[^\s&\"'<>]+", body):
            candidate = m.group(0).rstrip(".,;")
            if path_hint in candidate.lower():
                return candidate
    return None


def _file_name(href: str | None) -> str | None:
    if not href:
        return None
    last = unquote(urlsplit(href).path.rsplit("/", 1)[-1])
    return (
        last
        if re.search(r"\.[A-Za-z0-9]{2,5}$", last)
        and not last.lower().endswith((".asp", ".php", ".aspx", ".jsp"))
        else None
    )


def _mime_hint(el: Tag) -> str | None:
    hint = " ".join(str(el.get(a) or "") for a in ("title", "data-simpletooltip-text", "aria-label"))
    classes = [c.lower() for c in el.get("class") or []]
    for known in ("pdf", "doc", "docx", "xls", "xlsx", "odt", "txt", "zip", "jpg", "png"):
        if known in classes:
            return known
    if re.search(r"\bPDF\b", hint, re.I):
        return "pdf"
    if m := re.search(r"Dateityp:\s*(\w+)", hint):
        return m.group(1).lower()
    return None


def link_file(a: Tag, base: str | None, name: str | None = None, size: int | None = None) -> FileRef:
    """A FileRef for a document or attachment link; the link is kept only where it is stable."""
    href = str(a.get("href") or "")
    shown, suffix_size = strip_size_suffix(name or text_of(a))
    title = str(a.get("title") or "")
    if size is None and (m := re.search(r"Größe:\s*([\d.,]+\s*\w+)", title)):
        size = parse_size(m.group(1))
    file_name = _file_name(href)
    return FileRef(
        name=shown,
        file_name=file_name,
        access_url=absolute(href, base) if is_stable_link(href) else None,
        mime_type=normalise_mime(_mime_hint(a), file_name),
        size=size if size is not None else suffix_size,
    )


def form_get_url(form: Tag, base: str | None) -> str | None:
    """The GET equivalent of an ALLRIS POST form (``do027.asp`` + hidden ``DOLFDNR`` …).

    ALLRIS reads its parameters from query or form alike; the responsive pages link the very
    same ``do027.asp?DOLFDNR=…&options=64`` by GET, so the address is stable.
    """
    action = str(form.get("action") or "")
    if not action:
        return None
    params = [
        (str(i.get("name")), str(i.get("value") or ""))
        for i in form.find_all("input")
        if i.get("type") == "hidden" and i.get("name")
    ]
    sep = "&" if "?" in action else "?"
    return absolute(action + (sep + urlencode(params) if params else ""), base)


# --- ALLRIS 3 classic ---------------------------------------------------------------------


class AllrisClassicParser(PageParser):
    """ALLRIS net 3.x classic pages (``vo020.asp``, lists ``vo040.asp``)."""

    vendor = "allris"
    flavour = "classic"

    def detect(self, url: str | None, page: Page | BeautifulSoup | str) -> bool:
        text = page_text(page)
        return allris_generation(url, text) == "classic"

    def parse_document(self, page: Page) -> PaperRecord:
        soup = page.soup
        container = soup.find(id="allriscontainer")
        kind = " ".join(container.get("class") or []) if isinstance(container, Tag) else ""
        if kind and not kind.startswith("vo020"):
            raise ParseError(f"{page.label} is not a paper page (ALLRIS {kind} page)")
        risname = soup.find(id="risname")
        heading = text_of(risname.find("h1") if isinstance(risname, Tag) else None)
        labels = [(td, text_of(td)) for td in soup.find_all("td", class_="kb1")]
        pairs = _label_pairs(labels)
        if not kind and "name" not in {label_field(lbl) for lbl, _ in pairs}:
            raise ParseError(f"{page.label} is not a paper page (no ALLRIS Vorlage found)")

        web = page.url or canonical_url(page, "vo020")
        base = web
        record = PaperRecord(source="allris", web=web)
        record.body = body_from_title(text_of(soup.find(class_="topHeadline")))
        meta_id = soup.find("meta", attrs={"name": "objectID"})
        record.id = (
            str(meta_id.get("content"))
            if isinstance(meta_id, Tag) and meta_id.get("content")
            else query_param(web, "VOLFDNR")
        )
        related: list[str] = []
        for label, value in pairs:
            field = label_field(label)
            if field == "relatedPaper":
                related.extend(related_refs(value, base))
            elif field:
                _set_field(record, field, value)
        record.reference, kind_shown = split_title(heading, record.paper_type)
        record.paper_type = record.paper_type or kind_shown
        record.related_paper = related + _stammbaum(labels, base)
        record.consultation = _classic_consultations(labels, base)
        record.file = _classic_files(soup, base)
        record.text = anchored_sections(page, section_titles(page))
        return finish_record(require_paper(record, page))

    def parse_list_document(self, page: Page) -> PaperList:
        return parse_classic_list(page)


def _label_pairs(labels: list[tuple[Tag, str]]) -> list[tuple[str, Tag]]:
    """(label, value cell) of the Grunddaten table: each ``td.kb1`` and the cell after it."""
    pairs = []
    for td, label in labels:
        if not label or norm_label(label) in ("beratungsfolge", "anlagen", "stammbaum"):
            continue
        value = td.find_next_sibling("td")
        if isinstance(value, Tag):
            pairs.append((label, value))
    return pairs


def _set_field(record: PaperRecord, field: str, value: Tag) -> None:
    if field == "name":
        record.name = record.name or text_of(value)
    elif field == "reference":
        record.reference = record.reference or text_of(value)
    elif field == "date":
        record.date = record.date or parse_date(text_of(value))
    elif field in ("status", "paperType"):
        attr = "status" if field == "status" else "paper_type"
        if not getattr(record, attr):
            setattr(record, attr, visible_or_hidden(value) or None)
    elif field in ("underDirectionOf", "participating", "responsible", "originator"):
        attr = {
            "underDirectionOf": "under_direction_of",
            "participating": "participating",
            "responsible": "responsible",
            "originator": "originator",
        }[field]
        getattr(record, attr).extend(_names(value, field))
    elif field == "fileNumber" and (shown := text_of(value)):
        record.extra.setdefault("fileNumber", shown)


_GROUPS = re.compile(r"fraktion|gruppe|partei|\bSPD\b|\bCDU\b|\bFDP\b|\bAfD\b|grüne|linke|volt", re.I)


def _names(value: Tag, field: str) -> list[str]:
    """Names of a people/unit field; commas split only a list of groups ("CDU-Fraktion, FDP-
    Fraktion"), never a "Name, Vorname"."""
    out = []
    for item in value_list(value):
        parts = [clean_text(p) for p in item.split(",")]
        if field == "originator" and len(parts) > 1 and all(_GROUPS.search(p) for p in parts):
            out.extend(p for p in parts if p)
        else:
            out.append(item)
    return out


def _stammbaum(labels: list[tuple[Tag, str]], base: str | None) -> list[str]:
    out: list[str] = []
    for td, label in labels:
        if norm_label(label) != "stammbaum":
            continue
        table = td.find_parent("table")
        if not isinstance(table, Tag):
            continue
        for tr in table.find_all("tr"):
            first = tr.find("td")
            if isinstance(first, Tag) and first.find("a", href=True):
                out.extend(related_refs(first, base))
    return out


def _classic_consultations(labels: list[tuple[Tag, str]], base: str | None) -> list[Consultation]:
    """The Beratungsfolge: row A (state, Gremium, role) then row(s) B (date, meeting, result)."""
    label = next((td for td, text in labels if norm_label(text) == "beratungsfolge"), None)
    if label is None:
        return []
    row = label.find_parent("tr")
    holder = row.find_next_sibling("tr") if isinstance(row, Tag) else None
    table = holder.find("table") if isinstance(holder, Tag) else None
    if not isinstance(table, Tag):
        return []
    out: list[Consultation] = []
    current: Consultation | None = None
    used = False
    for tr in table.find_all("tr"):
        cells = tr.find_all("td", recursive=False)
        if len(cells) < 2:
            continue
        date_cell = next((c for c in cells if "text2" in (c.get("class") or [])), None)
        if date_cell is None and cells[1].get("colspan") and text_of(cells[1]):
            if current is not None and not used:
                out.append(current)
            current = Consultation(
                organization=text_of(cells[1]) or None,
                role=text_of(cells[2]) if len(cells) > 2 else None,
                state=hidden_label(cells[0]) or None,
            )
            used = False
        elif date_cell is not None:
            step = Consultation.from_dict(current.to_dict()) if current else Consultation()
            step.state = step.state or hidden_label(cells[0]) or None
            step.date = parse_date(text_of(date_cell))
            _classic_meeting(step, cells, base)
            out.append(step)
            used = True
    if current is not None and not used:
        out.append(current)
    return out


def _classic_meeting(step: Consultation, cells: list[Tag], base: str | None) -> None:
    meeting_link = next(
        (a for c in cells for a in c.find_all("a", href=re.compile(r"to010", re.I)) if text_of(a)), None
    )
    if meeting_link is not None:
        step.meeting = text_of(meeting_link)
        step.extra["meetingUrl"] = absolute(str(meeting_link["href"]), base)
    elif len(cells) > 3:
        step.meeting = text_of(cells[3]) or None
    result = next((c for c in cells if "text3" in (c.get("class") or [])), None)
    step.result = text_of(result) or None
    for form in (f for c in cells for f in c.find_all("form")):
        action = str(form.get("action") or "")
        if "to020" in action.lower():
            step.extra["agendaItemUrl"] = form_get_url(form, base)
        elif "to010" in action.lower() and "meetingUrl" not in step.extra:
            sil = form.find("input", attrs={"name": "SILFDNR"})
            if isinstance(sil, Tag):
                step.extra["meetingUrl"] = absolute(f"to010.asp?SILFDNR={sil.get('value')}", base)


def _classic_files(soup: Tag, base: str | None) -> list[FileRef]:
    files: list[FileRef] = []
    for form in soup.find_all("form", action=re.compile(r"do0\d\d\.asp", re.I)):
        submit = form.find("input", attrs={"type": "submit"})
        if not isinstance(submit, Tag):
            continue
        title = str(submit.get("title") or "")
        files.append(
            FileRef(
                name=clean_text(str(submit.get("value") or "")) or "Dokument",
                access_url=form_get_url(form, base),
                mime_type=normalise_mime("pdf" if re.search(r"PDF", title) else None),
            )
        )
    for a in soup.find_all("a", href=re.compile(r"___tmp/|do0\d\d\.asp\?|/doc\?", re.I)):
        if text_of(a):
            files.append(link_file(a, base))
    return files


def parse_classic_list(page: Page) -> PaperList:
    """``vo040.asp``: rows link ``vo020.asp?VOLFDNR=`` as "number&nbsp;Betreff", then date and kind."""
    soup = page.soup
    container = soup.find(id="allriscontainer")
    kind = " ".join(container.get("class") or []) if isinstance(container, Tag) else ""
    if kind and not kind.startswith("vo040"):
        raise ParseError(f"{page.label} is not an ALLRIS paper list (vo040) but an ALLRIS {kind} page")
    entries: list[PaperListEntry] = []
    for a in soup.find_all("a", href=re.compile(r"vo020\.asp\?VOLFDNR=", re.I)):
        tr = a.find_parent("tr")
        if not isinstance(tr, Tag) or a.find_parent(id="navi_right") or not text_of(a):
            continue
        raw = a.get_text()
        number, _, subject = raw.replace("\u00a0", "\x00", 1).partition("\x00")
        if not subject:
            number, subject = "", raw
        cells = [text_of(td) for td in tr.find_all("td", class_="text2")]
        date = next((parse_date(c) for c in cells if parse_date(c)), None)
        kind = next((c for c in cells if c and not parse_date(c)), None)
        flags = sorted({hidden_label(i) for i in tr.find_all(["img", "input"]) if hidden_label(i)})
        entry = PaperListEntry(
            url=page.link(str(a["href"])),
            id=query_param(str(a["href"]), "VOLFDNR"),
            reference=clean_text(number) or None,
            name=clean_text(subject),
            date=date,
            paper_type=kind,
        )
        entry.fingerprint = fingerprint(entry.reference, entry.name, entry.date, entry.paper_type, flags)
        entry.extra["hasAttachments"] = any("anlage" in f.lower() for f in flags)
        entries.append(entry)
    if not entries and not kind:
        raise ParseError(f"{page.label} is not an ALLRIS paper list (vo040)")
    nexts = next_page_links(page, must_contain="vo040")
    total = None
    if m := re.search(r"von\s+(?:ungefähr\s+)?(\d[\d.]*)", text_of(soup.find(id="rismain"))):
        total = int(m.group(1).replace(".", ""))
    return PaperList(entries=entries, next_urls=nexts, total=total)


# --- ALLRIS 3 responsive and ALLRIS 4 -----------------------------------------------------

_ID_FIELDS = {
    "vobetreff": "name",
    "vostatus": "status",
    "voart": "paperType",
    "vofamt": "underDirectionOf",
    "voamt": "underDirectionOf",
    "voverfasser": "originator",
    "vobearbeiter": "responsible",
    "vodatum": "date",
    "vobeteiligt": "participating",
    "voverantwortlich": "responsible",
    "vobezug": "relatedPaper",
    "voname": "reference",
}


class AllrisModernParser(PageParser):
    """ALLRIS 3 responsive (``vo020_r.asp``) and ALLRIS 4 (``/public/vo020``), lists ``vo040``."""

    vendor = "allris"
    flavour = "modern"

    def detect(self, url: str | None, page: Page | BeautifulSoup | str) -> bool:
        text = page_text(page)
        return allris_generation(url, text) == "modern"

    def parse_document(self, page: Page) -> PaperRecord:
        soup = page.soup
        kind = _modern_page_kind(page)
        if kind and not kind.startswith("vo020"):
            raise ParseError(f"{page.label} is not a paper page (ALLRIS {kind} page)")
        rows = _modern_rows(soup)
        if not kind and not any(f == "name" for f, _ in rows):
            raise ParseError(f"{page.label} is not a paper page (no ALLRIS Vorlage found)")

        web = page.url or canonical_url(page, "vo020")
        base = web
        record = PaperRecord(source="allris", web=web)
        record.id = query_param(web, "VOLFDNR") or _wicket_id(page)
        related: list[str] = []
        for field, value in rows:
            if field == "relatedPaper":
                related.extend(related_refs(value, base))
            else:
                _set_field(record, field, value)
        heading = text_of(soup.find("h1", class_="title") or soup.find("h1"))
        record.reference, kind_shown = split_title(heading, record.paper_type)
        record.paper_type = record.paper_type or kind_shown
        record.related_paper = related
        record.consultation = bf_table_consultations(soup, base)
        record.file = _modern_files(soup, base)
        record.text = _modern_sections(page)
        return finish_record(require_paper(record, page))

    def parse_list_document(self, page: Page) -> PaperList:
        return parse_allris4_list(page)


def _modern_page_kind(page: Page) -> str:
    el = page.soup.find(id="allris")
    classes = " ".join(el.get("class") or []) if isinstance(el, Tag) else ""
    if not classes and (m := _PAGE_KIND_JS.search(page.text)):
        classes = m.group(1)
    return classes.split(" ")[0] if classes else ""


def _modern_rows(soup: Tag) -> list[tuple[str, Tag]]:
    """(field, value element) of the Grunddaten rows, by label and, failing that, by ``vo*`` id."""
    out: list[tuple[str, Tag]] = []
    head = soup.find(id="headLeft") or soup.find(id="head") or soup
    for row in head.find_all(class_="row"):
        label_el = row.find("dt") or row.find(class_="label")
        value_el = row.find("dd") or row.find(class_=re.compile(r"^colEntry"))
        if not isinstance(label_el, Tag) or not isinstance(value_el, Tag):
            continue
        field = label_field(text_of(label_el))
        if not field:
            ref = label_el.find(attrs={"aria-describedby": True})
            target = str(ref.get("aria-describedby")) if isinstance(ref, Tag) else ""
            field = next((f for prefix, f in _ID_FIELDS.items() if target.startswith(prefix)), None)
        if field:
            out.append((field, value_el))
    return out


def _wicket_id(page: Page) -> str | None:
    if m := re.search(r"VOLFDNR=(\d+)", page.text[:20000]):
        return m.group(1)
    return None


def _column_index(table: Tag) -> dict[str, int]:
    heads = [norm_label(text_of(th)) for th in _head_cells(table)]
    names = {
        "status": "status",
        "datum": "date",
        "gremium": "organization",
        "beschluss": "result",
        "na": "na",
        "top": "na",
    }
    index = {names[h]: i for i, h in enumerate(heads) if h in names}
    for key, default in (("status", 0), ("date", 1), ("organization", 2), ("result", 3), ("na", 4)):
        index.setdefault(key, default)
    return index


def _head_cells(table: Tag) -> list[Tag]:
    thead = table.find("thead")
    return thead.find_all("th") if isinstance(thead, Tag) else []


def _cell(cells: list[Tag], i: int) -> Tag | None:
    return cells[i] if 0 <= i < len(cells) else None


def bf_table_consultations(soup: Tag, base: str | None) -> list[Consultation]:
    """``table.bfTable``: a step's first row holds state, Gremium and role, its second row the
    date, the meeting and (once decided) the result."""
    table = soup.find("table", class_="bfTable")
    if not isinstance(table, Tag):
        return []
    col = _column_index(table)
    body = table.find("tbody") or table
    out: list[Consultation] = []
    current: Consultation | None = None
    for tr in body.find_all("tr", recursive=False):
        cells = tr.find_all(["td", "th"], recursive=False)
        if not cells:
            continue
        date = parse_date(text_of(_cell(cells, col["date"])))
        if date is None:
            current = Consultation(
                state=_state(_cell(cells, col["status"])),
                organization=text_of(_cell(cells, col["organization"])) or None,
                role=text_of(_cell(cells, col["result"])) or None,
            )
            out.append(current)
            continue
        if current is None or current.date is not None:
            # a second session for the same step (postponed and scheduled again)
            current = (
                Consultation(state=current.state, organization=current.organization, role=current.role)
                if current
                else Consultation()
            )
            out.append(current)
        current.date = date
        _modern_meeting(current, cells, col, base)
    return out


def _state(cell: Tag | None) -> str | None:
    if cell is None:
        return None
    desc = cell.find(class_="wfcolorDesc")
    return (text_of(desc) if isinstance(desc, Tag) else "") or hidden_label(cell) or None


def _modern_meeting(step: Consultation, cells: list[Tag], col: dict[str, int], base: str | None) -> None:
    meeting = _cell(cells, col["organization"])
    step.meeting = text_of(meeting) or None
    link = meeting.find("a", href=True) if meeting is not None else None
    if isinstance(link, Tag):
        step.extra["meetingUrl"] = absolute(str(link["href"]), base)
    result = _cell(cells, col["result"])
    step.result = text_of(result) or None
    for cell in (_cell(cells, col["na"]), result):
        a = cell.find("a", href=re.compile(r"to020", re.I)) if cell is not None else None
        if isinstance(a, Tag):
            step.extra.setdefault("agendaItemUrl", absolute(str(a["href"]), base))


def _modern_files(soup: Tag, base: str | None) -> list[FileRef]:
    files = [link_file(a, base) for a in soup.find_all("a", class_="doclink") if text_of(a)]
    for table in soup.find_all("table", class_="attachmentTable"):
        heads = [norm_label(text_of(th)) for th in _head_cells(table)]
        size_col = next((i for i, h in enumerate(heads) if h in ("größe", "dateigröße")), None)
        for tr in (table.find("tbody") or table).find_all("tr", recursive=False):
            cells = tr.find_all("td", recursive=False)
            a = tr.find("a", href=True)
            if not isinstance(a, Tag) or not text_of(a):
                continue
            size_cell = _cell(cells, size_col) if size_col is not None else tr.find(class_="fileSize")
            files.append(link_file(a, base, size=parse_size(text_of(size_cell)) if size_cell else None))
    files.extend(
        link_file(a, base)
        for a in soup.find_all("a", class_="attlink")
        if text_of(a) and not a.find_parent("table", class_="attachmentTable")
    )
    return files


def _modern_sections(page: Page) -> dict[str, str]:
    sections: dict[str, str] = {}
    for part in page.soup.find_all(class_="docPart"):
        heading = part.find_previous_sibling(["h2", "h3"]) or part.find_previous(["h2", "h3"])
        title = text_of(heading) if isinstance(heading, Tag) else "Text"
        add_section(sections, title, text_lines(part))
    for title, text in anchored_sections(page, section_titles(page)).items():
        sections[title] = f"{sections[title]}\n{text}" if title in sections else text
    return sections


def parse_allris4_list(page: Page) -> PaperList:
    """ALLRIS 4 ``vo040``: a Wicket ``dataTable`` whose rows link ``vo020?VOLFDNR=``; the pager's
    links are Wicket listeners, valid only in the session that rendered the list."""
    soup = page.soup
    kind = _modern_page_kind(page)
    if kind and not kind.startswith("vo040"):
        raise ParseError(f"{page.label} is not an ALLRIS 4 paper list (vo040) but an ALLRIS {kind} page")
    table = next(
        (
            t
            for t in soup.find_all("table", class_="dataTable")
            if t.find("a", href=re.compile(r"vo020\?VOLFDNR=", re.I))
        ),
        None,
    )
    if not isinstance(table, Tag):
        raise ParseError(f"{page.label} is not an ALLRIS 4 paper list (vo040)")
    heads = [norm_label(text_of(th)) for th in _head_cells(table)]
    entries = []
    for tr in (table.find("tbody") or table).find_all("tr", recursive=False):
        cells = tr.find_all("td", recursive=False)
        a = tr.find("a", href=re.compile(r"vo020\?VOLFDNR=", re.I))
        if not isinstance(a, Tag):
            continue
        values = {heads[i] if i < len(heads) else str(i): text_of(c) for i, c in enumerate(cells)}
        fields = {label_field(k) or k: v for k, v in values.items()}
        entry = PaperListEntry(
            url=page.link(str(a["href"])),
            id=query_param(str(a["href"]), "VOLFDNR"),
            reference=fields.get("reference") or text_of(a) or None,
            name=fields.get("name") or "",
            date=parse_date(fields.get("date")),
            paper_type=fields.get("paperType") or None,
        )
        flags = sorted({hidden_label(i) for i in tr.find_all(["img", "span"]) if hidden_label(i)})
        entry.fingerprint = fingerprint(
            entry.reference, entry.name, entry.date, entry.paper_type, sorted(values.items()), flags
        )
        entries.append(entry)
    nexts = next_page_links(page, must_contain="vo040")
    total = None
    if m := re.search(r"(\d[\d.]*)\s+(?:Einträge|Treffer|Vorlagen)", text_of(soup.find("main") or soup)):
        total = int(m.group(1).replace(".", ""))
    return PaperList(entries=entries, next_urls=nexts, total=total)
