"""A local HTTP server that plays a RIS: OParl JSON, HTML pages and files, on loopback.

The demo serves the bundled sample council through it, and the tests serve the real corpus
(with its URLs rewritten to the server) and inject what real servers do: errors, 429 with
Retry-After, slow responses, broken JSON. Lists honour OParl's ``modified_since``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class OParlList:
    """The pages of one OParl list."""

    pages: dict[int, list[dict[str, Any]]]
    page_size: int
    total_pages: int

    def objects(self) -> list[dict[str, Any]]:
        return [obj for n in sorted(self.pages) for obj in self.pages[n]]


@dataclass
class Fault:
    """Misbehaviour for one path: the first ``times`` requests get ``response`` (or wait ``delay``)."""

    response: Response | None = None
    delay: float = 0.0
    times: int = 1_000_000


def _key(path: str, query: str = "") -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return path + ("?" + urlencode(pairs) if pairs else "")


class Site:
    """What the server serves: routes by path and query, OParl lists, generated files."""

    def __init__(self) -> None:
        self.routes: dict[str, Response] = {}
        self.lists: dict[str, OParlList] = {}
        self.faults: dict[str, Fault] = {}
        self.file_factory: Callable[[str], Response | None] | None = None
        self.requests: list[tuple[str, str]] = []
        self.user_agents: set[str] = set()
        self.lock = threading.Lock()

    # --- building -----------------------------------------------------------------------------

    def add(self, url_or_path: str, response: Response) -> None:
        parts = urlsplit(url_or_path)
        self.routes[_key(parts.path, parts.query)] = response

    def add_json(self, url_or_path: str, document: Any) -> None:
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        self.add(url_or_path, Response(200, body))

    def add_html(self, url_or_path: str, html: bytes, charset: str = "utf-8") -> None:
        self.add(url_or_path, Response(200, html, f"text/html; charset={charset}"))

    def add_list(self, list_url: str, objects: list[dict[str, Any]], page_size: int = 25) -> None:
        """An OParl list served in pages of ``page_size`` with ``links.next``."""
        pages = {
            n + 1: objects[i : i + page_size] for n, i in enumerate(range(0, max(len(objects), 1), page_size))
        }
        self.lists[urlsplit(list_url).path] = OParlList(pages, page_size, max(pages))

    def add_list_pages(
        self, list_url: str, pages: dict[int, list[dict[str, Any]]], page_size: int, total_pages: int
    ) -> None:
        """A captured list: pages as they were (a page the capture lacks answers 404)."""
        self.lists[urlsplit(list_url).path] = OParlList(pages, page_size, total_pages)

    def fault(self, url_or_path: str, fault: Fault) -> None:
        parts = urlsplit(url_or_path)
        self.faults[_key(parts.path, parts.query)] = fault

    def count(self, predicate: Callable[[str], bool] = lambda _: True) -> int:
        with self.lock:
            return sum(1 for _, target in self.requests if predicate(target))

    # --- answering ----------------------------------------------------------------------------

    def answer(self, method: str, target: str, origin: str) -> tuple[Response, float]:
        with self.lock:
            self.requests.append((method, target))
        parts = urlsplit(target)
        key = _key(parts.path, parts.query)
        delay = 0.0
        fault = self.faults.get(key) or self.faults.get(parts.path)
        if fault and fault.times > 0:
            fault.times -= 1
            delay = fault.delay
            if fault.response is not None:
                return fault.response, delay
        if key in self.routes:
            return self.routes[key], delay
        if parts.path in self.lists:
            return self._list_page(parts.path, dict(parse_qsl(parts.query)), origin), delay
        if parts.path in self.routes and not parts.query:
            return self.routes[parts.path], delay
        if self.file_factory is not None:
            made = self.file_factory(parts.path)
            if made is not None:
                return made, delay
        return Response(404, b'{"error": "not found"}'), delay

    def _list_page(self, path: str, params: dict[str, str], origin: str) -> Response:
        listing = self.lists[path]
        size = listing.page_size
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page = 1
        since = params.get("modified_since")
        if since:
            try:
                threshold = datetime.fromisoformat(since.replace(" ", "+").replace("Z", "+00:00"))
            except ValueError:
                return Response(400, b'{"error": "bad modified_since"}')
            objects = [o for o in listing.objects() if (m := _modified(o)) is not None and m >= threshold]
            total_pages = max(1, -(-len(objects) // size))
            chunk = objects[(page - 1) * size : page * size]
            total = len(objects)
        else:
            if page not in listing.pages:
                return Response(404, b'{"error": "not found"}')
            chunk, total_pages = listing.pages[page], listing.total_pages
            total = len(listing.objects())
        base = {k: v for k, v in params.items() if k != "page"}

        def link(n: int) -> str:
            return f"{origin}{path}?{urlencode({**base, 'page': n})}"

        links = {"first": link(1), "self": link(page), "last": link(total_pages)}
        if page > 1:
            links["prev"] = link(page - 1)
        if page < total_pages:
            links["next"] = link(page + 1)
        document = {
            "data": chunk,
            "pagination": {
                "totalElements": total,
                "elementsPerPage": size,
                "currentPage": page,
                "totalPages": total_pages,
            },
            "links": links,
        }
        return Response(200, json.dumps(document, ensure_ascii=False).encode("utf-8"))


def _modified(obj: dict[str, Any]) -> datetime | None:
    value = obj.get("modified")
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self._serve("POST")

    def _serve(self, method: str) -> None:
        self.server.site.user_agents.add(self.headers.get("User-Agent", ""))
        response, delay = self.server.site.answer(method, self.path, self.server.origin)
        if delay:
            time.sleep(delay)
        try:
            self.send_response(response.status)
            self.send_header("Content-Type", response.content_type)
            self.send_header("Content-Length", str(len(response.body)))
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.end_headers()
            if method != "HEAD":
                self.wfile.write(response.body)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, format: str, *args: Any) -> None:  # silence the default stderr log
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    site: Site
    origin: str


class SiteServer:
    """Serve a :class:`Site` on 127.0.0.1 in a background thread (``with SiteServer(site) as url``)."""

    def __init__(self, site: Site, port: int = 0):
        self.site = site
        self._server = _Server(("127.0.0.1", port), _Handler)
        self._server.site = site
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._server.origin = self.origin
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> str:
        self._thread.start()
        return self.origin

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def rewrite(value: Any, old: str, new: str) -> Any:
    """Every string in a JSON document with ``old`` (an origin) replaced by ``new``."""
    if isinstance(value, str):
        return value.replace(old, new) if old in value else value
    if isinstance(value, list):
        return [rewrite(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: rewrite(v, old, new) for k, v in value.items()}
    return value


def mirror_oparl(site: Site, documents: Iterable[Any], old_origin: str, new_origin: str) -> None:
    """Serve a captured OParl crawl: list pages become lists (so ``modified_since`` works),
    single objects are served at their ``id``, and a list's objects at their ids too."""
    pages: dict[str, list[tuple[int, list[dict[str, Any]], int]]] = {}
    totals: dict[str, int] = {}
    for document in documents:
        doc = rewrite(document, old_origin, new_origin)
        if isinstance(doc, dict) and isinstance(doc.get("data"), list):
            self_url = (doc.get("links") or {}).get("self") or ""
            parts = urlsplit(self_url)
            page = int(dict(parse_qsl(parts.query)).get("page", "1"))
            pagination = doc.get("pagination") or {}
            per_page = pagination.get("elementsPerPage") or len(doc["data"]) or 25
            totals[parts.path] = max(totals.get(parts.path, 0), int(pagination.get("totalPages") or 0))
            pages.setdefault(parts.path, []).append((page, doc["data"], per_page))
            for obj in doc["data"]:
                if isinstance(obj, dict) and obj.get("id") and obj.get("type"):
                    site.add_json(obj["id"], obj)
        elif isinstance(doc, dict) and doc.get("id"):
            site.add_json(doc["id"], doc)
    for path, found in pages.items():
        by_page = {page: data for page, data, _ in found}
        site.add_list_pages(
            new_origin + path, by_page, page_size=found[0][2], total_pages=max(totals.get(path, 0), *by_page)
        )


def mirror_oparl_directory(
    site: Site, folder: Path, old_origin: str, new_origin: str, paper_pages: int | None = None
) -> None:
    """Serve a directory of captured OParl responses (``*.json``, paper pages named
    ``paper_page-NN.json``); ``paper_pages`` keeps only the first pages of the paper list."""
    documents = []
    for path in sorted(folder.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if paper_pages and path.name.startswith("paper_page-"):
            page = int(path.stem.rsplit("-", 1)[1])
            if page > paper_pages:
                continue
            last = doc["links"]["last"]
            doc["pagination"]["totalPages"] = paper_pages
            doc["links"]["last"] = last[: last.rindex("page=")] + f"page={paper_pages}"
            if page == paper_pages:
                doc["links"].pop("next", None)
        documents.append(doc)
    mirror_oparl(site, documents, old_origin, new_origin)
