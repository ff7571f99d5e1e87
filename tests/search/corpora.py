"""The real OParl corpora served by a local server, for the search tests and the relevance bench.

* Karlsruhe (``oparl/real/karlsruhe_session_digital``): 56 real papers with their organizations
  and meetings, and the text Karlsruhe's OParl server extracted from their PDFs (``file-texts``),
  served as the files' content (announced as ``text/plain``, since that is what is sent). The
  capture has no System or Body document; a minimal one (name, list URLs) is served in front
  of the real lists.
* Hürtgenwald: :func:`tests.conftest.huertgenwald_site` (the whole captured crawl).
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import text

from ratsinfo.demo.server import Response, Site, rewrite
from ratsinfo.store.db import get_engine
from ratsinfo.store.models import Base

KARLSRUHE_ORIGIN = "https://web1.karlsruhe.de"
KARLSRUHE_BODY = "/oparl/bodies/0001"
TINY_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def karlsruhe_site(corpus: Path, site: Site, origin: str) -> str:
    """Serve the Karlsruhe capture on ``origin``; returns the System URL."""
    folder = corpus / "oparl" / "real" / "karlsruhe_session_digital"
    api = origin + "/oparl"
    body = origin + KARLSRUHE_BODY

    def local(doc: object) -> object:
        return rewrite(doc, KARLSRUHE_ORIGIN, origin)

    site.add_json(
        api + "/system",
        {
            "id": api + "/system",
            "type": "https://schema.oparl.org/1.1/System",
            "oparlVersion": "https://schema.oparl.org/1.1/",
            "name": "Stadt Karlsruhe (capture)",
            "body": api + "/bodies",
        },
    )
    body_doc = {
        "id": body,
        "type": "https://schema.oparl.org/1.1/Body",
        "system": api + "/system",
        "name": "Stadt Karlsruhe",
        "shortName": "Karlsruhe",
        "organization": body + "/organizations",
        "person": body + "/people",
        "meeting": body + "/meetings",
        "paper": body + "/papers",
        "modified": "2026-06-22T11:01:57+02:00",
    }
    site.add_json(api + "/bodies", {"data": [body_doc], "links": {}, "pagination": {"totalElements": 1}})
    site.add_json(body, body_doc)
    organizations = local(json.loads((folder / "organizations.json").read_text(encoding="utf-8")))
    site.add_list(body + "/organizations", organizations)
    site.add_list(body + "/people", [])
    meetings = [
        local(json.loads(p.read_text(encoding="utf-8"))) for p in sorted((folder / "meetings").glob("*.json"))
    ]
    site.add_list(body + "/meetings", meetings)
    texts: dict[str, bytes] = {}
    for meta_path in (folder / "file-texts").glob("*.json"):
        meta = local(json.loads(meta_path.read_text(encoding="utf-8")))
        texts[meta["id"]] = meta_path.with_suffix(".txt").read_bytes()
    papers = [
        local(json.loads(p.read_text(encoding="utf-8"))) for p in sorted((folder / "papers").glob("*.json"))
    ]
    for paper in papers:  # the text stands in for the PDF: say so, or the extractor refuses it
        for f in [paper.get("mainFile"), *(paper.get("auxiliaryFile") or [])]:
            if f and f["id"] in texts:
                f["mimeType"] = "text/plain"
                f["fileName"] = (f.get("fileName") or "file").rsplit(".", 1)[0] + ".txt"
    site.add_list(body + "/papers", papers)
    for obj in [*organizations, *meetings, *papers]:
        site.add_json(obj["id"], obj)
    for paper in papers:
        for f in [paper.get("mainFile"), *(paper.get("auxiliaryFile") or [])]:
            if not f:
                continue
            content = texts.get(f["id"])
            response = (
                Response(200, content, "text/plain; charset=utf-8")
                if content is not None
                else Response(200, TINY_PDF, "application/pdf")
            )
            for key in ("accessUrl", "downloadUrl"):
                if f.get(key):
                    site.add(f[key], response)
    return api + "/system"


def karlsruhe_papers(corpus: Path) -> list[dict]:
    folder = corpus / "oparl" / "real" / "karlsruhe_session_digital" / "papers"
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]


def copy_store(source_url: str, target_url: str) -> None:
    """Every row of the store at ``source_url`` into the (migrated, empty) store at ``target_url``:
    a crawled SQLite store moved to PostgreSQL for the backend that needs it."""
    source, target = get_engine(source_url), get_engine(target_url)
    with source.connect() as src, target.begin() as dst:
        for table in Base.metadata.sorted_tables:
            rows = [dict(r) for r in src.execute(table.select()).mappings()]
            for i in range(0, len(rows), 2_000):
                dst.execute(table.insert(), rows[i : i + 2_000])
        if target.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                if "id" in table.c and table.c.id.primary_key and table.c.id.autoincrement is not False:
                    dst.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                            f"coalesce((SELECT max(id) FROM {table.name}), 0) + 1, false)"
                        )
                    )
