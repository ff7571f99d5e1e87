"""OParl 1.0/1.1 objects to paper records and entity rows.

Real servers deviate from the spec, and the quirks are handled here: ``mimeType: "pdf"``,
placeholder timestamps ``2000-01-01T00:00:00+01:00`` (read as unknown), empty ``created``
strings, GeoJSON points with latitude and longitude swapped, papers without a date, deleted
stubs that carry nothing but ``id`` and ``deleted``, and references given as URL strings where
other servers embed the object.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ratsinfo.core.errors import ParseError
from ratsinfo.core.record import Consultation, FileRef, PaperRecord, clean_text, parse_date, parse_datetime
from ratsinfo.core.references import parent_reference

OPARL_TYPES = (
    "System",
    "Body",
    "Organization",
    "Person",
    "Meeting",
    "AgendaItem",
    "Paper",
    "File",
    "Consultation",
    "Location",
    "LegislativeTerm",
    "Membership",
)


class Resolver(Protocol):
    """Looks up names of objects that a paper only references by URL."""

    def organization(self, url: str) -> str | None: ...
    def person(self, url: str) -> str | None: ...
    def meeting(self, url: str) -> tuple[str | None, str | None]: ...  # (name, ISO date)
    def agenda_result(self, url: str) -> str | None: ...
    def paper_reference(self, url: str) -> str | None: ...


class NullResolver:
    """Resolves nothing: references stay URLs (used where no store is at hand)."""

    def organization(self, url: str) -> str | None:
        return None

    def person(self, url: str) -> str | None:
        return None

    def meeting(self, url: str) -> tuple[str | None, str | None]:
        return None, None

    def agenda_result(self, url: str) -> str | None:
        return None

    def paper_reference(self, url: str) -> str | None:
        return None


def object_type(obj: Any) -> str | None:
    """``Paper`` for ``https://schema.oparl.org/1.1/Paper``; None for anything that is not OParl."""
    if not isinstance(obj, dict):
        return None
    t = obj.get("type")
    if not isinstance(t, str) or "oparl" not in t.lower():
        return None
    name = t.rstrip("/").rsplit("/", 1)[-1]
    return name if name in OPARL_TYPES else None


def is_deleted_stub(obj: dict[str, Any]) -> bool:
    return bool(obj.get("deleted"))


def list_page(document: Any) -> tuple[list[Any], str | None]:
    """The objects of a list response and the URL of its next page."""
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise ParseError("not an OParl list response (no 'data' array)")
    links = document.get("links") or {}
    next_url = links.get("next") if isinstance(links, dict) else None
    return document["data"], next_url if isinstance(next_url, str) and next_url else None


def later_pages(document: dict[str, Any]) -> list[str]:
    """From a list's first page, the URLs of all later pages where the server numbers them with ``page=``.

    Following ``next`` alone stops at the first broken page; enumerating up to ``links.last``
    lets one bad page cost only its own objects. Only the first page enumerates, so a list of
    n pages costs n enqueues, not n²/2.
    """
    links = document.get("links") if isinstance(document, dict) else None
    if not isinstance(links, dict):
        return []
    self_url, last_url = links.get("self"), links.get("last")
    if not isinstance(self_url, str) or not isinstance(last_url, str):
        return []
    current = _page_number(self_url)
    last = _page_number(last_url)
    if current != 1 or last is None or last > 100_000:
        return []
    return [_with_page(last_url, n) for n in range(current + 1, last + 1)]


def _page_number(url: str) -> int | None:
    value = dict(parse_qsl(urlsplit(url).query)).get("page")
    return int(value) if value and value.isdigit() else None


def _with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, str(page) if k == "page" else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def ref_url(value: Any) -> str | None:
    """The URL of a referenced object, whether embedded (dict with id) or given as a string."""
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def ref_urls(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    return [u for u in (ref_url(v) for v in items) if u]


def parse_paper(
    obj: dict[str, Any], resolver: Resolver | None = None, body_name: str | None = None
) -> PaperRecord:
    """The paper record of an OParl Paper object."""
    if not isinstance(obj, dict) or not obj.get("id"):
        raise ParseError("not an OParl Paper (no id)")
    resolver = resolver or NullResolver()
    reference = clean_text(obj.get("reference")) or None
    related = [
        _resolve(resolver.paper_reference, u)
        for u in ref_urls(obj.get("relatedPaper"))
        + ref_urls(obj.get("superordinatedPaper"))
        + ref_urls(obj.get("subordinatedPaper"))
    ]
    parent = parent_reference(reference)
    if parent:
        related.insert(0, parent)
    record = PaperRecord(
        source="oparl",
        web=obj.get("web") or None,
        id=obj["id"],
        body=body_name,
        reference=reference,
        name=clean_text(obj.get("name")),
        paper_type=clean_text(obj.get("paperType")) or None,
        date=parse_date(obj.get("date")),
        under_direction_of=[
            _resolve(resolver.organization, u) for u in ref_urls(obj.get("underDirectionOf"))
        ],
        originator=[_resolve(resolver.person, u) for u in ref_urls(obj.get("originatorPerson"))]
        + [_resolve(resolver.organization, u) for u in ref_urls(obj.get("originatorOrganization"))],
        related_paper=related,
        consultation=[_consultation(c, resolver) for c in obj.get("consultation") or [] if c],
        file=_files(obj),
    )
    modified = parse_datetime(obj.get("modified"))
    if modified:
        record.extra["modified"] = modified.isoformat()
    return record.normalised()


def _consultation(value: Any, resolver: Resolver) -> Consultation:
    obj = value if isinstance(value, dict) else {"id": value}
    orgs = [_resolve(resolver.organization, u) for u in ref_urls(obj.get("organization"))]
    meeting_url = ref_url(obj.get("meeting"))
    meeting_name, meeting_date = resolver.meeting(meeting_url) if meeting_url else (None, None)
    if isinstance(obj.get("meeting"), dict):
        meeting_name = meeting_name or clean_text(obj["meeting"].get("name")) or None
        meeting_date = meeting_date or parse_date(obj["meeting"].get("start"))
    agenda_url = ref_url(obj.get("agendaItem"))
    result = resolver.agenda_result(agenda_url) if agenda_url else None
    if isinstance(obj.get("agendaItem"), dict):
        result = result or clean_text(obj["agendaItem"].get("result")) or None
    extra = {
        k: v
        for k, v in (("id", obj.get("id")), ("meetingUrl", meeting_url), ("agendaItemUrl", agenda_url))
        if v
    }
    return Consultation(
        date=meeting_date,
        organization="; ".join(o for o in orgs if o) or None,
        meeting=meeting_name,
        role=clean_text(obj.get("role")) or None,
        result=result,
        state=None,
        authoritative=obj.get("authoritative") if isinstance(obj.get("authoritative"), bool) else None,
        extra=extra,
    )


def _files(obj: dict[str, Any]) -> list[FileRef]:
    out: list[FileRef] = []
    seen: set[str] = set()
    main = obj.get("mainFile")
    items = ([("main", main)] if main else []) + [("auxiliary", f) for f in obj.get("auxiliaryFile") or []]
    for role, f in items:
        ref = file_ref(f, role)
        key = ref.extra.get("id") or ref.access_url or ref.name
        if ref and key not in seen:
            seen.add(key)
            out.append(ref)
    return out


def file_ref(value: Any, role: str = "attachment") -> FileRef:
    """A FileRef from an embedded File object (or a bare File URL)."""
    f = value if isinstance(value, dict) else {"id": value}
    size = f.get("size")
    extra: dict[str, Any] = {"role": role}
    for key in ("id", "downloadUrl"):
        if f.get(key):
            extra[key] = f[key]
    if parse_date(f.get("date")):
        extra["date"] = parse_date(f.get("date"))
    return FileRef(
        name=clean_text(f.get("name")) or clean_text(f.get("fileName")) or "",
        file_name=clean_text(f.get("fileName")) or None,
        access_url=f.get("accessUrl") or None,
        mime_type=f.get("mimeType"),
        size=size if isinstance(size, int) and size >= 0 else None,
        extra=extra,
    )


def _resolve(lookup, url: str) -> str:  # type: ignore[no-untyped-def]
    return lookup(url) or url


# --- entity rows -----------------------------------------------------------------------------


@dataclass
class EntityRow:
    """Column values for one stored OParl entity."""

    external_id: str
    values: dict[str, Any]


def body_row(obj: dict[str, Any]) -> EntityRow:
    location = obj.get("location") if isinstance(obj.get("location"), dict) else None
    data: dict[str, Any] = {
        k: obj.get(k)
        for k in ("organization", "person", "meeting", "paper", "legislativeTerm", "system")
        if obj.get(k)
    }
    if location:
        data["location"] = fix_location(location)
    return EntityRow(
        obj["id"],
        {
            "name": clean_text(obj.get("name")) or clean_text(obj.get("shortName")) or obj["id"],
            "short_name": clean_text(obj.get("shortName")) or None,
            "ags": clean_text(obj.get("ags")) or None,
            "web": obj.get("website") or obj.get("web") or None,
            "data": data,
        },
    )


def organization_row(obj: dict[str, Any]) -> EntityRow:
    return EntityRow(
        obj["id"],
        {
            "name": clean_text(obj.get("name")) or None,
            "short_name": clean_text(obj.get("shortName")) or None,
            "classification": clean_text(obj.get("classification")) or None,
            "organization_type": clean_text(obj.get("organizationType")) or None,
            "data": {k: obj[k] for k in ("startDate", "endDate", "web") if obj.get(k)},
        },
    )


def person_row(obj: dict[str, Any]) -> EntityRow:
    title = obj.get("title")
    if isinstance(title, list):
        title = " ".join(str(t) for t in title)
    name = clean_text(obj.get("name")) or clean_text(
        " ".join(str(obj.get(k) or "") for k in ("formOfAddress", "givenName", "familyName"))
    )
    return EntityRow(
        obj["id"],
        {
            "name": name or None,
            "family_name": clean_text(obj.get("familyName")) or None,
            "given_name": clean_text(obj.get("givenName")) or None,
            "title": clean_text(title) or None,
            "data": {},
        },
    )


def meeting_row(obj: dict[str, Any]) -> EntityRow:
    location = obj.get("location")
    if isinstance(location, dict):
        location = clean_text(location.get("description")) or clean_text(
            " ".join(str(location.get(k) or "") for k in ("streetAddress", "postalCode", "locality"))
        )
    return EntityRow(
        obj["id"],
        {
            "name": clean_text(obj.get("name")) or None,
            "start": _dt(obj.get("start")),
            "end": _dt(obj.get("end")),
            "location": clean_text(location) or None if isinstance(location, str) else None,
            "cancelled": obj.get("cancelled") if isinstance(obj.get("cancelled"), bool) else None,
            "organizations": ref_urls(obj.get("organization")),
            "web": obj.get("web") or None,
            "data": {},
        },
    )


def agenda_item_row(obj: dict[str, Any]) -> EntityRow:
    return EntityRow(
        obj["id"],
        {
            "number": clean_text(str(obj.get("number") or "")) or None,
            "name": clean_text(obj.get("name")) or None,
            "public": obj.get("public") if isinstance(obj.get("public"), bool) else None,
            "result": clean_text(obj.get("result")) or None,
            "resolution_text": clean_text(obj.get("resolutionText")) or None,
            "consultation": ref_url(obj.get("consultation")),
            "data": {},
        },
    )


def fix_location(location: dict[str, Any]) -> dict[str, Any]:
    """Swap GeoJSON point coordinates written as [lat, lon] (GeoJSON wants [lon, lat]).

    German latitudes lie between 47 and 56, longitudes between 5 and 16, so a point whose first
    value is a German latitude and whose second is a German longitude is swapped.
    """
    out = dict(location)
    geo = out.get("geojson")
    try:
        coords = geo["geometry"]["coordinates"]  # type: ignore[index]
        lon, lat = float(coords[0]), float(coords[1])
    except (KeyError, TypeError, ValueError, IndexError):
        return out
    if 47 <= lon <= 56 and 5 <= lat <= 16:
        fixed = {**geo, "geometry": {**geo["geometry"], "coordinates": [lat, lon]}}  # type: ignore[dict-item]
        out["geojson"] = fixed
        out["coordinatesSwapped"] = True
    return out


def _dt(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None
