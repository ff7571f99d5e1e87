"""Which vendor wrote a page, and the one entry point that parses any paper page.

The markup decides where it is conclusive (a page fetched from an odd URL is still what it
says it is); the URL decides for pages whose markup says too little, e.g. truncated ones.
"""

from __future__ import annotations

import re

from ratsinfo.core.errors import ParseError
from ratsinfo.core.record import Consultation, PaperRecord
from ratsinfo.ingest.parsers.allris import AllrisClassicParser, AllrisModernParser, allris_generation
from ratsinfo.ingest.parsers.base import PageParser, PaperList, guarded
from ratsinfo.ingest.parsers.html import Page
from ratsinfo.ingest.parsers.sessionnet import SessionNetParser, looks_sessionnet
from ratsinfo.ingest.parsers.sessionnet import parse_consultations as _sessionnet_consultations

PARSERS: tuple[PageParser, ...] = (AllrisClassicParser(), AllrisModernParser(), SessionNetParser())
VENDORS = ("allris", "sessionnet")
_SESSIONNET_URL = re.compile(r"/[a-z]{2}\d{4}[a-z]?\.(?:asp|php)\b", re.I)


def _pick(page: Page, vendor: str | None = None) -> PageParser | None:
    """The parser for a page: markup first, then URL; restricted to ``vendor`` when given
    (``allris``/``sessionnet``, or a flavour such as ``allris-classic``/``allris4``)."""
    wanted = _normalise_vendor(vendor)
    text = page.text
    generation = allris_generation(None, text)
    if generation is None and looks_sessionnet(text):
        found: PageParser | None = PARSERS[2]
    elif generation is not None:
        found = PARSERS[0] if generation == "classic" else PARSERS[1]
    elif page.url and _SESSIONNET_URL.search(page.url):
        found = PARSERS[2]
    else:
        url_generation = allris_generation(page.url, "")
        found = {"classic": PARSERS[0], "modern": PARSERS[1]}.get(url_generation or "")
    if wanted is None:
        return found
    vendor_name, flavour = wanted
    if found is not None and found.vendor == vendor_name and flavour in (None, found.flavour):
        return found
    candidates = [p for p in PARSERS if p.vendor == vendor_name and flavour in (None, p.flavour)]
    return candidates[0] if candidates else None


def _normalise_vendor(vendor: str | None) -> tuple[str, str | None] | None:
    if not vendor:
        return None
    v = vendor.strip().lower().replace("_", "-")
    aliases = {
        "allris": ("allris", None),
        "sessionnet": ("sessionnet", None),
        "allris-classic": ("allris", "classic"),
        "allris3": ("allris", "classic"),
        "allris-3": ("allris", "classic"),
        "allris-responsive": ("allris", "modern"),
        "allris3r": ("allris", "modern"),
        "allris4": ("allris", "modern"),
        "allris-4": ("allris", "modern"),
        "allris-modern": ("allris", "modern"),
        "somacos": ("sessionnet", None),
    }
    if v not in aliases:
        raise ParseError(f"unknown RIS vendor {vendor!r} (known: {', '.join(VENDORS)})")
    return aliases[v]


def detect_vendor(url: str | None, content: bytes | str | None) -> str | None:
    """``"allris"``, ``"sessionnet"`` or None for a page (its bytes or text) and/or its URL."""
    page = Page.from_bytes(content or b"", url)
    parser = _pick(page)
    return parser.vendor if parser else None


def _checked_page(content: bytes | str | None, url: str | None, content_type: str | None) -> Page:
    if content is None or not (content.strip() if isinstance(content, str | bytes) else content):
        raise ParseError(f"{url or 'page'} is empty, not a paper page")
    page = Page.from_bytes(content, url, content_type)
    if "<" not in page.text[:65536]:
        raise ParseError(f"{page.label} is not an HTML page, not a paper page")
    return page


def parse_page(
    content: bytes, url: str | None = None, vendor: str | None = None, content_type: str | None = None
) -> PaperRecord:
    """The paper record of any supported RIS paper page.

    Raises ParseError (one line) for empty input, pages of unknown vendors and pages that are
    not paper pages (agendas, rosters, lists, search pages); a truncated page still gives a
    record when its Betreff or number survived.
    """

    def run() -> PaperRecord:
        page = _checked_page(content, url, content_type)
        parser = _pick(page, vendor)
        if parser is None:
            raise ParseError(f"{page.label} is not from a known RIS vendor (ALLRIS, SessionNet)")
        return parser.parse_document(page)

    return guarded(run, url)


def parse_paper_list(
    content: bytes, url: str | None = None, vendor: str | None = None, content_type: str | None = None
) -> PaperList:
    """Entries and next-page links of an ALLRIS ``vo040`` or SessionNet ``vo0040`` list page."""

    def run() -> PaperList:
        page = _checked_page(content, url, content_type)
        parser = _pick(page, vendor)
        if parser is None:
            raise ParseError(f"{page.label} is not from a known RIS vendor (ALLRIS, SessionNet)")
        return parser.parse_list_document(page)

    return guarded(run, url)


def parse_consultations(
    content: bytes, url: str | None = None, content_type: str | None = None
) -> list[Consultation]:
    """The Beratungsfolge of a SessionNet Beratungen tab (``vo0053``)."""
    return _sessionnet_consultations(content, url, content_type)
