"""The bundled sample council (data/demo) as an OParl 1.1 API with files and ALLRIS pages.

``council.json`` describes the council in a compact form; this module turns it into the OParl
objects a real server would send (System, Body, lists of organizations, persons, meetings with
agenda items, papers with consultations and files) on whatever origin the server listens on.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ratsinfo.demo.server import Response, Site

OPARL = "https://schema.oparl.org/1.1/"
MODIFIED = "2026-11-01T09:00:00+01:00"


def data_dir() -> Path:
    """The package's data directory (works from a source tree and after ``pip install``)."""
    return Path(__file__).resolve().parents[1] / "data"


def load_council() -> dict[str, Any]:
    return json.loads((data_dir() / "demo" / "council.json").read_text(encoding="utf-8"))


class SampleCouncil:
    """Builds the OParl documents of the sample council for one server origin."""

    def __init__(self, origin: str, council: dict[str, Any] | None = None):
        self.origin = origin
        self.council = council or load_council()
        self.api = f"{origin}/oparl/v1.1"
        self.body_url = f"{self.api}/bodies/1"
        self.meetings = {m["key"]: m for m in self.council["meetings"]}
        self.agenda: dict[str, list[dict[str, Any]]] = {m["key"]: [] for m in self.council["meetings"]}

    @property
    def system_url(self) -> str:
        return f"{self.api}/system"

    def _org(self, key: str) -> str:
        return f"{self.body_url}/organizations/{key}"

    def system(self) -> dict[str, Any]:
        return {
            "id": self.system_url,
            "type": OPARL + "System",
            "oparlVersion": OPARL,
            "name": self.council["system"]["name"],
            "body": f"{self.api}/bodies",
            "vendor": "https://github.com/ratsinfo",
            "created": MODIFIED,
            "modified": MODIFIED,
        }

    def body(self) -> dict[str, Any]:
        b = self.council["body"]
        return {
            "id": self.body_url,
            "type": OPARL + "Body",
            "system": self.system_url,
            "name": b["name"],
            "shortName": b["shortName"],
            "ags": b["ags"],
            "website": b["website"],
            "organization": f"{self.body_url}/organizations",
            "person": f"{self.body_url}/persons",
            "meeting": f"{self.body_url}/meetings",
            "paper": f"{self.body_url}/papers",
            "created": MODIFIED,
            "modified": MODIFIED,
        }

    def organizations(self) -> list[dict[str, Any]]:
        return [
            {
                "id": self._org(o["key"]),
                "type": OPARL + "Organization",
                "body": self.body_url,
                "name": o["name"],
                **({"shortName": o["shortName"]} if o.get("shortName") else {}),
                "organizationType": o["organizationType"],
                "classification": o["classification"],
                "created": MODIFIED,
                "modified": MODIFIED,
            }
            for o in self.council["organizations"]
        ]

    def persons(self) -> list[dict[str, Any]]:
        return [
            {
                "id": f"{self.body_url}/persons/{p['key']}",
                "type": OPARL + "Person",
                "body": self.body_url,
                "name": p["name"],
                "givenName": p.get("givenName"),
                "familyName": p.get("familyName"),
                **({"title": p["title"]} if p.get("title") else {}),
                "created": MODIFIED,
                "modified": MODIFIED,
            }
            for p in self.council["persons"]
        ]

    def papers(self) -> tuple[list[dict[str, Any]], dict[str, bytes]]:
        """The Paper objects and the files they name (path -> bytes)."""
        files_dir = data_dir() / "demo" / "files"
        out, files = [], {}
        for number, p in enumerate(self.council["papers"], start=1):
            paper_url = f"{self.body_url}/papers/{number}"
            paper: dict[str, Any] = {
                "id": paper_url,
                "type": OPARL + "Paper",
                "body": self.body_url,
                "name": p["name"],
                "reference": p["reference"],
                "date": p["date"],
                "paperType": p["paperType"],
                "underDirectionOf": [self._org(k) for k in p.get("underDirectionOf", [])],
                "created": f"{p['date']}T08:00:00+01:00",
                "modified": MODIFIED,
            }
            if p.get("originatorOrganization"):
                paper["originatorOrganization"] = [self._org(k) for k in p["originatorOrganization"]]
            if p.get("web"):
                paper["web"] = f"{self.origin}/public/vo020?VOLFDNR={p['volfdnr']}"
            related = [self._paper_url(ref) for ref in p.get("relatedPaper", [])]
            if related:
                paper["relatedPaper"] = [u for u in related if u]
            consultations = []
            for i, step in enumerate(p.get("consultation", []), start=1):
                meeting = self.meetings[step["meeting"]]
                consultation_url = f"{self.body_url}/consultations/{number}-{i}"
                agenda_url = (
                    f"{self.body_url}/agendaitems/{meeting['key']}-{len(self.agenda[meeting['key']]) + 1}"
                )
                self.agenda[meeting["key"]].append(
                    {
                        "id": agenda_url,
                        "type": OPARL + "AgendaItem",
                        "meeting": f"{self.body_url}/meetings/{meeting['key']}",
                        "number": str(len(self.agenda[meeting["key"]]) + 1),
                        "name": p["name"],
                        "public": True,
                        "consultation": consultation_url,
                        **({"result": step["result"]} if step.get("result") else {}),
                        "created": MODIFIED,
                        "modified": MODIFIED,
                    }
                )
                consultations.append(
                    {
                        "id": consultation_url,
                        "type": OPARL + "Consultation",
                        "paper": paper_url,
                        "meeting": f"{self.body_url}/meetings/{meeting['key']}",
                        "agendaItem": agenda_url,
                        "organization": [self._org(meeting["organization"])],
                        "role": step["role"],
                        "authoritative": step["role"] == "Entscheidung",
                        "created": MODIFIED,
                        "modified": MODIFIED,
                    }
                )
            if consultations:
                paper["consultation"] = consultations
            for j, f in enumerate(p.get("files", []), start=1):
                content = (files_dir / f["file"]).read_bytes()
                files[f"/public/doc/{f['file']}"] = content
                if f.get("pageLink"):  # the same document as the paper's ALLRIS page links it
                    files[f"/public/{f['pageLink']}"] = content
                file_obj = {
                    "id": f"{self.body_url}/files/{number}-{j}",
                    "type": OPARL + "File",
                    "name": f["name"],
                    "fileName": f["file"],
                    "mimeType": "application/pdf",
                    "size": len(content),
                    "accessUrl": f"{self.origin}/public/doc/{f['file']}",
                    "date": p["date"],
                    "created": MODIFIED,
                    "modified": MODIFIED,
                }
                if j == 1:
                    paper["mainFile"] = file_obj
                else:
                    paper.setdefault("auxiliaryFile", []).append(file_obj)
            out.append(paper)
        return out, files

    def meeting_objects(self) -> list[dict[str, Any]]:
        return [
            {
                "id": f"{self.body_url}/meetings/{m['key']}",
                "type": OPARL + "Meeting",
                "name": m["name"],
                "start": m["start"],
                "organization": [self._org(m["organization"])],
                "agendaItem": self.agenda[m["key"]],
                "created": MODIFIED,
                "modified": MODIFIED,
            }
            for m in self.council["meetings"]
        ]

    def _paper_url(self, reference: str) -> str | None:
        for number, p in enumerate(self.council["papers"], start=1):
            if p["reference"] == reference:
                return f"{self.body_url}/papers/{number}"
        return None

    def install(self, site: Site) -> None:
        """Put the whole sample council on ``site``."""
        papers, files = self.papers()  # fills the agenda items the meetings embed
        site.add_json(self.system_url, self.system())
        site.add_list(f"{self.api}/bodies", [self.body()])
        site.add_json(self.body_url, self.body())
        site.add_list(f"{self.body_url}/organizations", self.organizations())
        site.add_list(f"{self.body_url}/persons", self.persons())
        site.add_list(f"{self.body_url}/meetings", self.meeting_objects(), page_size=20)
        site.add_list(f"{self.body_url}/papers", papers, page_size=10)
        for path, content in files.items():
            site.add(path, Response(200, content, "application/pdf"))
        for p in self.council["papers"]:
            page = data_dir() / "samples" / p["web"] if p.get("web") else None
            if page is not None and page.exists():
                site.add_html(f"/public/vo020?VOLFDNR={p['volfdnr']}", page.read_bytes())
        site.add("/robots.txt", Response(200, b"User-agent: *\nDisallow: /intern/\n", "text/plain"))
