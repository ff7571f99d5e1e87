"""The paper record: the one shape every source becomes (see paper-record.md in the spec).

Parsers build a :class:`PaperRecord`; storage, search, tracking and every ``--json`` output
speak its :meth:`PaperRecord.to_dict` form, whose keys follow OParl 1.1 and never get renamed.
Attributes are snake_case in Python; :data:`PAPER_KEYS` maps them to the record's keys.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

SOURCES = ("oparl", "allris", "sessionnet")


@dataclass
class Consultation:
    """One step of the Beratungsfolge."""

    date: str | None = None
    organization: str | None = None
    meeting: str | None = None
    role: str | None = None
    result: str | None = None
    state: str | None = None
    authoritative: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "date": self.date,
            "organization": self.organization,
            "meeting": self.meeting,
            "role": self.role,
            "result": self.result,
            "state": self.state,
            "authoritative": self.authoritative,
        }
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Consultation:
        known = {f.name for f in fields(cls)} - {"extra"}
        return cls(
            **{k: data.get(k) for k in known},
            extra={k: v for k, v in data.items() if k not in known},
        )


@dataclass
class FileRef:
    """One attachment or document of a paper."""

    name: str
    file_name: str | None = None
    access_url: str | None = None
    mime_type: str | None = None
    size: int | None = None
    sha256: str | None = None
    text: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "name": self.name,
            "fileName": self.file_name,
            "accessUrl": self.access_url,
            "mimeType": self.mime_type,
            "size": self.size,
            "sha256": self.sha256,
            "text": self.text,
        }
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FileRef:
        mapping = {
            "name": "name",
            "fileName": "file_name",
            "accessUrl": "access_url",
            "mimeType": "mime_type",
            "size": "size",
            "sha256": "sha256",
            "text": "text",
        }
        return cls(
            **{attr: data.get(key) for key, attr in mapping.items() if key != "name"},
            name=data.get("name") or "",
            extra={k: v for k, v in data.items() if k not in mapping},
        )


# record key -> attribute, in the order of the spec
PAPER_KEYS: dict[str, str] = {
    "source": "source",
    "web": "web",
    "id": "id",
    "body": "body",
    "reference": "reference",
    "name": "name",
    "paperType": "paper_type",
    "date": "date",
    "status": "status",
    "underDirectionOf": "under_direction_of",
    "participating": "participating",
    "responsible": "responsible",
    "originator": "originator",
    "relatedPaper": "related_paper",
    "consultation": "consultation",
    "text": "text",
    "file": "file",
}
LIST_KEYS = ("underDirectionOf", "participating", "responsible", "originator", "relatedPaper")


@dataclass
class PaperRecord:
    """A council paper as one source shows it (or as several sources merged)."""

    source: str
    name: str = ""
    web: str | None = None
    id: str | None = None
    body: str | None = None
    reference: str | None = None
    paper_type: str | None = None
    date: str | None = None
    status: str | None = None
    under_direction_of: list[str] = field(default_factory=list)
    participating: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    originator: list[str] = field(default_factory=list)
    related_paper: list[str] = field(default_factory=list)
    consultation: list[Consultation] = field(default_factory=list)
    text: dict[str, str] = field(default_factory=dict)
    file: list[FileRef] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, attr in PAPER_KEYS.items():
            value = getattr(self, attr)
            if key == "consultation":
                value = [c.to_dict() for c in value]
            elif key == "file":
                value = [f.to_dict() for f in value]
            elif isinstance(value, list | dict):
                value = type(value)(value)
            out[key] = value
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PaperRecord:
        kwargs: dict[str, Any] = {}
        for key, attr in PAPER_KEYS.items():
            if key not in data:
                continue
            value = data[key]
            if key == "consultation":
                value = [Consultation.from_dict(c) for c in value or []]
            elif key == "file":
                value = [FileRef.from_dict(f) for f in value or []]
            elif key in LIST_KEYS:
                value = list(value or [])
            elif key == "text":
                value = dict(value or {})
            kwargs[attr] = value
        kwargs.setdefault("source", "oparl")
        kwargs["name"] = kwargs.get("name") or ""
        record = cls(**kwargs)
        record.extra = {k: v for k, v in data.items() if k not in PAPER_KEYS}
        return record

    def normalised(self) -> PaperRecord:
        """The record with the spec's value rules applied (NFC, no empty strings, deduplicated lists)."""
        d = self.to_dict()
        for key in ("web", "id", "body", "reference", "paperType", "status"):
            d[key] = clean_text(d[key]) or None
        d["name"] = clean_text(d["name"]) or ""
        for key in LIST_KEYS:
            d[key] = unique([clean_text(v) for v in d[key] if clean_text(v)])
        d["text"] = {clean_text(k): clean_paragraphs(v) for k, v in d["text"].items() if clean_paragraphs(v)}
        for c in d["consultation"]:
            for key in ("organization", "meeting", "role", "result"):
                c[key] = clean_text(c[key]) or None
            c["state"] = (clean_text(c["state"]) or "").lower() or None
        for f in d["file"]:
            f["name"] = clean_text(f["name"]) or (f.get("fileName") or "")
            f["mimeType"] = normalise_mime(f["mimeType"], f.get("fileName") or f.get("accessUrl"))
        return PaperRecord.from_dict(d)


# --- value normalisers shared by all parsers ------------------------------------------------

_WS = re.compile(r"[\s\u00a0\u2007\u202f\u200b\ufeff]+")


def clean_text(value: str | None) -> str:
    """NFC, NBSP as space, whitespace collapsed, trimmed; None becomes ''."""
    if not value:
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFC", str(value))).strip()


def clean_paragraphs(value: str | None) -> str:
    """Like :func:`clean_text` within each paragraph, keeping paragraph breaks as ``\\n``."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\r\n", "\n").replace("\r", "\n")
    lines = [clean_text(line) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def unique(values: list[str]) -> list[str]:
    """Deduplicate keeping the first occurrence's order."""
    seen: set[str] = set()
    out = []
    for v in values:
        if v not in seen:
            seen.add(v)
            out.append(v)
    return out


_MIME_BY_NAME = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "txt": "text/plain",
    "htm": "text/html",
    "html": "text/html",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tif": "image/tiff",
    "tiff": "image/tiff",
    "zip": "application/zip",
}


def normalise_mime(value: str | None, name_hint: str | None = None) -> str | None:
    """A proper MIME type: ``pdf`` becomes ``application/pdf``; unknown falls back to the file name."""
    v = clean_text(value).lower().split(";")[0].strip()
    if v and "/" in v:
        return v
    if v in _MIME_BY_NAME:
        return _MIME_BY_NAME[v]
    if name_hint:
        ext = name_hint.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower()
        if ext in _MIME_BY_NAME and "." in name_hint:
            return _MIME_BY_NAME[ext]
    return v or None


_SIZE = re.compile(r"(?P<num>\d[\d.,]*)\s*(?P<unit>[kKmMgG]?i?[bB](?:ytes?)?|Bytes?)?")
_UNITS = {
    "": 1,
    "b": 1,
    "byte": 1,
    "bytes": 1,
    "kb": 1024,
    "kib": 1024,
    "mb": 1024**2,
    "mib": 1024**2,
    "gb": 1024**3,
    "gib": 1024**3,
}


def parse_size(value: str | int | None) -> int | None:
    """Bytes from a shown size: ``"119,8 kB"`` becomes 122675 (German decimal comma, kB = 1024)."""
    if value is None:
        return None
    if isinstance(value, int):
        return value
    m = _SIZE.search(clean_text(value))
    if not m:
        return None
    num = m.group("num")
    if "," in num:
        num = num.replace(".", "").replace(",", ".")
    elif num.count(".") == 1 and len(num.split(".")[1]) == 3 and not m.group("unit"):
        num = num.replace(".", "")  # "1.234" bytes as a thousands separator
    unit = (m.group("unit") or "").lower()
    try:
        return int(float(num) * _UNITS.get(unit, 1))
    except ValueError:
        return None


_MONTHS = {
    "jan": 1,
    "januar": 1,
    "feb": 2,
    "februar": 2,
    "mär": 3,
    "mar": 3,
    "märz": 3,
    "maerz": 3,
    "apr": 4,
    "april": 4,
    "mai": 5,
    "may": 5,
    "jun": 6,
    "juni": 6,
    "jul": 7,
    "juli": 7,
    "aug": 8,
    "august": 8,
    "sep": 9,
    "sept": 9,
    "september": 9,
    "okt": 10,
    "oct": 10,
    "oktober": 10,
    "nov": 11,
    "november": 11,
    "dez": 12,
    "dec": 12,
    "dezember": 12,
}
_D_DMY = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{2,4})\b")
_D_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_D_NAMED = re.compile(r"\b(\d{1,2})\.?\s+([A-Za-zäÄ]{3,9})\.?\s+(\d{4})\b")  # 4. Mai 2021
_D_YMON = re.compile(r"\b(\d{4})\s+([A-Za-zäÄ]{3,9})\.?\s+(\d{1,2})\b")  # 2026 Oct 21


def parse_date(value: str | None) -> str | None:
    """ISO date from the forms RIS pages use; ``None`` where there is no real date.

    OParl servers write ``2000-01-01`` (and times on it) as a placeholder for "unknown",
    which is read as no date.
    """
    text = clean_text(value)
    if not text:
        return None
    found: date | None = None
    if m := _D_ISO.search(text):
        found = _mk(int(m[1]), int(m[2]), int(m[3]))
    elif m := _D_DMY.search(text):
        year = int(m[3])
        year = year + 2000 if year < 70 else year + 1900 if year < 100 else year
        found = _mk(year, int(m[2]), int(m[1]))
    elif m := _D_NAMED.search(text):
        month = _MONTHS.get(m[2].lower())
        found = _mk(int(m[3]), month, int(m[1])) if month else None
    elif m := _D_YMON.search(text):
        month = _MONTHS.get(m[2].lower())
        found = _mk(int(m[1]), month, int(m[3])) if month else None
    if found is None or found == date(2000, 1, 1):
        return None
    return found.isoformat()


def parse_datetime(value: str | None) -> datetime | None:
    """A timezone-aware datetime from an ISO timestamp; placeholders and garbage become None."""
    text = clean_text(value)
    if not text or text.startswith("2000-01-01"):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _mk(year: int, month: int | None, day: int) -> date | None:
    try:
        return date(year, month or 0, day)
    except ValueError:
        return None
