"""The small interface every RIS page parser implements, and the vendor-neutral finishing steps.

A parser knows one vendor's markup (``vendor`` is the record's ``source``: ``allris`` or
``sessionnet``; ``flavour`` tells the generations apart). It turns a paper page into a
:class:`PaperRecord` and a paper list page into a :class:`PaperList` that crawlers page through.
Rules that hold whatever the vendor (supplement references, duplicate attachments, the body of
a paper) are applied once here, in :func:`finish_record`.
"""

from __future__ import annotations

import hashlib
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from bs4 import BeautifulSoup

from ratsinfo.core.errors import ParseError
from ratsinfo.core.record import Consultation, FileRef, PaperRecord, clean_text, parse_size, unique
from ratsinfo.core.references import parent_reference
from ratsinfo.ingest.parsers.html import Page

T = TypeVar("T")

# --- list pages ---------------------------------------------------------------------------


@dataclass
class PaperListEntry:
    """One row of a paper list (ALLRIS ``vo040``, SessionNet ``vo0040``)."""

    url: str | None
    reference: str | None = None
    name: str = ""
    date: str | None = None
    paper_type: str | None = None
    id: str | None = None
    fingerprint: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out = {
            "url": self.url,
            "id": self.id,
            "reference": self.reference,
            "name": self.name,
            "date": self.date,
            "paperType": self.paper_type,
            "fingerprint": self.fingerprint,
        }
        out.update(self.extra)
        return out


@dataclass
class PaperList:
    """A page of a paper list: its entries and where the following page is."""

    entries: list[PaperListEntry] = field(default_factory=list)
    next_urls: list[str] = field(default_factory=list)
    total: int | None = None

    @property
    def next_url(self) -> str | None:
        return self.next_urls[0] if self.next_urls else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "entries": [e.to_dict() for e in self.entries],
            "nextUrls": list(self.next_urls),
            "total": self.total,
        }


def fingerprint(*parts: Any) -> str:
    """A short stable hash of what a list row shows, so a crawler can tell that the row changed.

    Only visible values go in (text, icon labels), never session-bound links, which differ on
    every visit to an ALLRIS 4 page.
    """
    blob = json.dumps(parts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]


# --- the interface ------------------------------------------------------------------------


class PageParser(ABC):
    """One vendor (generation) of RIS pages."""

    vendor: ClassVar[str]
    flavour: ClassVar[str]

    @abstractmethod
    def detect(self, url: str | None, page: Page | BeautifulSoup | str) -> bool:
        """Whether the page (or, failing conclusive markup, the URL) is this vendor's."""

    @abstractmethod
    def parse_document(self, page: Page) -> PaperRecord:
        """The paper record of a decoded paper page; ParseError when it is not one."""

    def parse_paper(
        self, content: bytes, url: str | None = None, content_type: str | None = None
    ) -> PaperRecord:
        """The paper record of a paper page's raw bytes."""
        return guarded(lambda: self.parse_document(Page.from_bytes(content, url, content_type)), url)

    def parse_list_document(self, page: Page) -> PaperList:
        raise ParseError(f"{page.label} is not a paper list page of {self.vendor}")

    def parse_paper_list(
        self, content: bytes, url: str | None = None, content_type: str | None = None
    ) -> PaperList:
        """Entries and next-page links of a paper list page."""
        return guarded(lambda: self.parse_list_document(Page.from_bytes(content, url, content_type)), url)


def page_text(page: Page | BeautifulSoup | str) -> str:
    """The markup of whatever a caller holds: a decoded Page, a soup or the text itself."""
    if isinstance(page, Page):
        return page.text
    return page if isinstance(page, str) else str(page)


def guarded(fn: Callable[[], T], url: str | None) -> T:
    """Run a parse step so that garbage input surfaces as a one-line ParseError, never a traceback."""
    try:
        return fn()
    except ParseError:
        raise
    except RecursionError:
        raise ParseError(f"{url or 'page'}: markup nested too deeply to parse") from None
    except Exception as exc:  # a broken page must not crash the caller with anything else
        raise ParseError(
            f"{url or 'page'}: could not parse the page ({type(exc).__name__}: {exc})".splitlines()[0]
        ) from exc


# --- finishing a record -------------------------------------------------------------------

_SIZE_SUFFIX = re.compile(r"\s*\((?:ca\.\s*)?\d[\d.,]*\s*(?:[kKmMgG]i?[bB]|Bytes?)\)\s*$")
_PLENARY = re.compile(
    r"^(?:Rat|Stadtrat|Gemeinderat|Kreistag|Bezirksversammlung|Stadtverordnetenversammlung|"
    r"Gemeindevertretung|Stadtvertretung|Bürgerschaft|Regionsversammlung|Verbandsversammlung|"
    r"Ortsgemeinderat|Verbandsgemeinderat|Samtgemeinderat|Marktgemeinderat|Bezirkstag|"
    r"Landschaftsversammlung)\b",
    re.I,
)


def strip_size_suffix(name: str) -> tuple[str, int | None]:
    """``"Plan (460 KB)"`` -> ``("Plan", 471040)``: some lists append the size to the name."""
    m = _SIZE_SUFFIX.search(name)
    if not m:
        return name, None
    return name[: m.start()].rstrip(), parse_size(m.group(0).strip(" ()"))


def _same_file(a: FileRef, b: FileRef) -> bool:
    if a.access_url and b.access_url:
        return a.access_url == b.access_url
    if a.size is not None and b.size is not None and a.size != b.size:
        return False
    if a.file_name and b.file_name and a.file_name != b.file_name:
        return False
    return clean_text(a.name).casefold() == clean_text(b.name).casefold()


def merge_files(files: list[FileRef]) -> list[FileRef]:
    """One entry per file: the same attachment listed twice (header box and table) is merged,
    keeping whatever each listing knew (size from one, stable link from the other)."""
    out: list[FileRef] = []
    for f in files:
        for known in out:
            if _same_file(known, f):
                known.access_url = known.access_url or f.access_url
                known.file_name = known.file_name or f.file_name
                known.mime_type = known.mime_type or f.mime_type
                known.size = known.size if known.size is not None else f.size
                for k, v in f.extra.items():
                    known.extra.setdefault(k, v)
                break
        else:
            out.append(f)
    return out


def body_from_consultations(consultations: list[Consultation]) -> str | None:
    """The council a paper belongs to when the page names no body: the plenary of its
    Beratungsfolge (e.g. "Rat der Stadt Braunschweig", "Kreistag des Landkreises Osnabrück")."""
    for c in reversed(consultations):
        if c.organization and _PLENARY.match(c.organization.strip()):
            return clean_text(c.organization)
    return None


_RIS_TITLE = re.compile(
    r"informationssystem|ratsinfo|bürgerinfo|sitzungsdienst|allris|sessionnet|"
    r"gremieninfo|ratsportal|mandatos",
    re.I,
)
_BODY_IN_TITLE = re.compile(
    r"\b(?:der|des)\s+((?:Stadt|Gemeinde|Verbandsgemeinde|Samtgemeinde|"
    r"Ortsgemeinde|Hansestadt|Landeshauptstadt)\b.+)$"
)


def body_from_title(title: str | None) -> str | None:
    """The body a page headline names: "Bezirksversammlung Hamburg-Nord" as is, "Bürgerinformations-
    system der Stadt Koblenz" -> "Stadt Koblenz"; a bare RIS title ("Bürgerinfo Winnweiler") is none."""
    title = clean_text(title)
    if not title:
        return None
    if not _RIS_TITLE.search(title):
        return title
    m = _BODY_IN_TITLE.search(title)
    return clean_text(m.group(1)) if m else None


def finish_record(record: PaperRecord) -> PaperRecord:
    """Apply the vendor-neutral rules and the spec's value rules to a freshly parsed record.

    A Stellungnahme ``X-NN`` answers ``X`` (relatedPaper); a paper never relates to itself;
    duplicate attachments merge; a body missing from the page comes from the Beratungsfolge.
    """
    related = list(record.related_paper)
    if parent := parent_reference(record.reference):
        related.insert(0, parent)
    own = clean_text(record.reference)
    record.related_paper = unique([r for r in (clean_text(x) for x in related) if r and r != own])
    record.file = merge_files(record.file)
    if not record.body:
        record.body = body_from_consultations(record.consultation)
    return record.normalised()


def merge_consultations(record: PaperRecord, consultations: list[Consultation]) -> PaperRecord:
    """The record with the Beratungsfolge from a separate tab (SessionNet ``vo0053``) merged in.

    Steps the record already has (same date and Gremium) are completed, new ones appended; the
    record's own values win where both know one.
    """
    merged = [Consultation.from_dict(c.to_dict()) for c in record.consultation]
    for new in consultations:
        for old in merged:
            if (
                old.date == new.date
                and clean_text(old.organization).casefold() == clean_text(new.organization).casefold()
            ):
                for attr in ("meeting", "role", "result", "state", "authoritative"):
                    if getattr(old, attr) is None:
                        setattr(old, attr, getattr(new, attr))
                for k, v in new.extra.items():
                    old.extra.setdefault(k, v)
                break
        else:
            merged.append(Consultation.from_dict(new.to_dict()))
    out = PaperRecord.from_dict(record.to_dict())
    out.consultation = merged
    if not out.body:
        out.body = body_from_consultations(merged)
    return out.normalised()


def require_paper(record: PaperRecord, page: Page) -> PaperRecord:
    """A partial record is fine, an empty one is not: a paper needs a Betreff or a number."""
    if not clean_text(record.name) and not clean_text(record.reference):
        raise ParseError(f"{page.label} is not a paper page (no Betreff and no paper number found)")
    return record
