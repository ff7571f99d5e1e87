"""Links between the papers of one matter, kept up to date incrementally for the whole store.

A paper names other papers in three ways, each a :class:`~ratsinfo.store.models.PaperLink`:

* ``supplement``: its own number, ``21-15513-01`` (also ``X.01``, ``X/1``) names ``21-15513``;
* ``related``: its ``relatedPaper`` (OParl related, super- and subordinated papers; Bezüglich and
  Stammbaum of the HTML pages), as references or as URLs;
* ``mentions``: references in its text sections and the texts of its files.

Links are found by key: every paper's normalised reference (within its body) and URLs are
stored as :class:`~ratsinfo.store.models.PaperKey` rows. A link to a paper not in the store yet
waits with an empty target and is resolved when a paper with that key arrives, so the order in
which papers are crawled does not matter.

:func:`update_links` works on the papers changed since their links were computed (their
``updated_at`` differs from the stamp in ``paper_link_state``), which covers new papers, changed
papers and newly extracted file texts. The order of its steps keeps it correct when it is
interrupted: a paper's stamp is written last, so an unfinished paper is simply done again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ratsinfo.core.config import Settings
from ratsinfo.core.references import parent_reference
from ratsinfo.nlp.references import normalise_reference, references_in
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import File, Paper, PaperKey, PaperLink, PaperLinkState, PaperSource

BATCH = 500  # papers per transaction of links; their file texts are held in memory
KEY_BATCH = 5000  # papers per transaction of keys (a commit each: fewer is faster on PostgreSQL)
CHUNK = 500  # values per IN (...) clause
STRONG = ("supplement", "related")
KIND_RANK = {"supplement": 0, "related": 1, "mentions": 2}

T = TypeVar("T")


@dataclass
class LinkStats:
    """What one :func:`update_links` run did."""

    papers: int = 0
    links: int = 0
    resolved: int = 0

    def to_dict(self) -> dict[str, int]:
        return {"papers": self.papers, "links": self.links, "resolved": self.resolved}


def chunks(items: Sequence[T] | Iterable[T], size: int = CHUNK) -> Iterator[list[T]]:
    """``items`` in lists of at most ``size`` (for IN clauses both databases accept)."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def update_links(settings: Settings, *, full: bool = False) -> LinkStats:
    """Bring keys and links up to date for every paper changed since its links were computed.

    Call after each crawl or extraction; with nothing changed it costs one indexed query.
    ``full`` recomputes every paper (after a change of the rules here, or after papers were
    removed from the store, whose links then wait for a paper with the same number).
    Two runs at once (a crawl's and a command's) may collide on PostgreSQL; the loser runs again.
    """
    for attempt in range(3):
        try:
            return _update(settings, full=full and attempt == 0)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _update(settings: Settings, *, full: bool) -> LinkStats:
    stats = LinkStats()
    url = settings.database_url
    with session_scope(url) as session:
        if full:
            session.execute(delete(PaperLinkState))
        stale = _stale(session)
    if not stale:
        return stats
    # 1. the keys of changed papers, so every link below can find them
    for batch in chunks(stale, KEY_BATCH):
        with session_scope(url) as session:
            for part in chunks([pid for pid, _ in batch]):
                _write_keys(session, part)
    # 2. links elsewhere that name a changed paper's keys, or pointed at a changed paper
    changed = [pid for pid, _ in stale]
    for batch in chunks(changed, KEY_BATCH):
        with session_scope(url) as session:
            for part in chunks(batch):
                stats.resolved += _reresolve(session, part)
    # 3. the changed papers' own links, then their stamps
    for batch in chunks(stale, BATCH):
        with session_scope(url) as session:
            stats.links += _write_links(session, [pid for pid, _ in batch])
            session.execute(
                delete(PaperLinkState).where(PaperLinkState.paper_id.in_([pid for pid, _ in batch]))
            )
            session.execute(
                insert(PaperLinkState.__table__), [{"paper_id": pid, "stamp": stamp} for pid, stamp in batch]
            )
    stats.papers = len(stale)
    return stats


def _stale(session: Session) -> list[tuple[int, datetime]]:
    rows = session.execute(
        select(Paper.id, Paper.updated_at)
        .outerjoin(PaperLinkState, PaperLinkState.paper_id == Paper.id)
        .where(or_(PaperLinkState.paper_id.is_(None), PaperLinkState.stamp != Paper.updated_at))
        .order_by(Paper.id)
    ).all()
    return [(pid, stamp) for pid, stamp in rows]


# --- keys -------------------------------------------------------------------------------------


def url_key(url: str) -> str:
    """The key a URL is looked up by: without fragment, scheme and case of the host, so
    ``https://RIS.example/vo020.asp?VOLFDNR=7#x`` finds ``http://ris.example/vo020.asp?VOLFDNR=7``
    (still containing ``://``, which tells URL keys from references)."""
    value = url.strip().split("#", 1)[0]
    scheme, _, rest = value.partition("://")
    host, slash, path = rest.partition("/")
    return f"://{host.lower()}{slash}{path}".rstrip("/") if scheme else value


def reference_key(reference: str | None) -> str | None:
    """The key a reference is looked up by (no spaces, upper case), or None."""
    key = normalise_reference(reference) if reference else ""
    return key or None


def _write_keys(session: Session, paper_ids: list[int]) -> None:
    session.execute(delete(PaperKey).where(PaperKey.paper_id.in_(paper_ids)))
    rows: dict[tuple[int, str], dict[str, Any]] = {}

    def add(pid: int, key: str | None, body_key: int) -> None:
        if key and len(key) <= 2000:
            rows.setdefault((pid, key), {"paper_id": pid, "key": key, "body_key": body_key})

    for pid, body_id, reference, web, external_id in session.execute(
        select(Paper.id, Paper.body_id, Paper.reference, Paper.web, Paper.external_id).where(
            Paper.id.in_(paper_ids)
        )
    ):
        add(pid, reference_key(reference), body_id or 0)
        for value in (web, external_id):
            if value and "://" in value:
                add(pid, url_key(value), 0)
    for pid, external_id, page in session.execute(
        select(PaperSource.paper_id, PaperSource.external_id, PaperSource.url).where(
            PaperSource.paper_id.in_(paper_ids)
        )
    ):
        for value in (external_id, page):
            if value and "://" in value:
                add(pid, url_key(value), 0)
    if rows:
        session.execute(insert(PaperKey.__table__), list(rows.values()))


# --- links ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A paper another paper names, before it is looked up."""

    kind: str
    via: str
    ref_key: str
    alt_key: str | None


def candidates(
    reference: str | None,
    related: Iterable[str],
    texts: Iterable[tuple[str, str]],
) -> list[Candidate]:
    """What a paper names: by its own number, its relatedPaper, and references in ``texts``
    (``(via, text)`` pairs). One candidate per kind and key; the paper's own number is skipped."""
    own = reference_key(reference)
    out: dict[tuple[str, str], Candidate] = {}

    def add(kind: str, via: str, key: str | None) -> None:
        if not key or key == own or len(key) > 2000 or (kind, key) in out:
            return
        alt = None if "://" in key or kind == "supplement" else parent_reference(key)
        out[(kind, key)] = Candidate(kind, via, key, reference_key(alt) if alt and len(alt) <= 200 else None)

    parent = parent_reference(reference)
    add("supplement", "reference", reference_key(parent))
    for value in related:
        value = (value or "").strip()
        add("related", "relatedPaper", url_key(value) if "://" in value else reference_key(value))
    for via, text in texts:
        for ref in references_in(text):
            add("mentions", via, ref)
    return list(out.values())


def _write_links(session: Session, paper_ids: list[int]) -> int:
    session.execute(delete(PaperLink).where(PaperLink.paper_id.in_(paper_ids)))
    file_texts: dict[int, list[str]] = {}
    for pid, text in session.execute(
        select(File.paper_id, File.text).where(File.paper_id.in_(paper_ids), File.text.is_not(None))
    ):
        file_texts.setdefault(pid, []).append(text)
    pending: list[tuple[int, int, Candidate]] = []
    for pid, body_id, reference, related, text in session.execute(
        select(Paper.id, Paper.body_id, Paper.reference, Paper.related_paper, Paper.text).where(
            Paper.id.in_(paper_ids)
        )
    ):
        texts = [("text", t) for t in (text or {}).values() if isinstance(t, str)]
        texts += [("file", t) for t in file_texts.get(pid, [])]
        for c in candidates(reference, related or [], texts):
            pending.append((pid, body_id or 0, c))
    if not pending:
        return 0
    targets = resolve(session, [(body_key, c.ref_key, c.alt_key) for _, body_key, c in pending])
    rows = []
    for pid, body_key, c in pending:
        target = targets.get((body_key, c.ref_key, c.alt_key))
        rows.append(
            {
                "paper_id": pid,
                "target_id": target if target != pid else None,
                "kind": c.kind,
                "via": c.via,
                "body_key": body_key,
                "ref_key": c.ref_key,
                "alt_key": c.alt_key,
            }
        )
    session.execute(insert(PaperLink.__table__), rows)  # Core: one batched INSERT
    return len(rows)


def resolve(
    session: Session, wanted: Iterable[tuple[int, str, str | None]]
) -> dict[tuple[int, str, str | None], int]:
    """Paper ids for ``(body_key, ref_key, alt_key)`` triples: a URL anywhere, a reference within
    its body, else the paper a supplement number falls back to. The lowest id wins a tie."""
    wanted = list(set(wanted))
    keys = {k for _, ref, alt in wanted for k in (ref, alt) if k}
    by_key: dict[tuple[int, str], int] = {}
    by_url: dict[str, int] = {}
    for batch in chunks(sorted(keys)):
        for key, body_key, pid in session.execute(
            select(PaperKey.key, PaperKey.body_key, PaperKey.paper_id).where(PaperKey.key.in_(batch))
        ):
            slot = (body_key, key)
            if pid < by_key.get(slot, pid + 1):
                by_key[slot] = pid
            if "://" in key and pid < by_url.get(key, pid + 1):
                by_url[key] = pid
    out: dict[tuple[int, str, str | None], int] = {}
    for body_key, ref, alt in wanted:
        target = by_url.get(ref) if "://" in ref else by_key.get((body_key, ref))
        if target is None and alt:
            target = by_key.get((body_key, alt))
        if target is not None:
            out[(body_key, ref, alt)] = target
    return out


def _reresolve(session: Session, paper_ids: list[int]) -> int:
    """Look up again the links that name a key of ``paper_ids`` or point at one of them."""
    keys = list(session.scalars(select(PaperKey.key).where(PaperKey.paper_id.in_(paper_ids)).distinct()))
    found: dict[int, tuple[int, str, str | None, int | None, int]] = {}
    queries = [select(PaperLink).where(PaperLink.target_id.in_(paper_ids))]
    for batch in chunks(keys):
        queries.append(select(PaperLink).where(PaperLink.ref_key.in_(batch)))
        queries.append(select(PaperLink).where(PaperLink.alt_key.in_(batch)))
    for query in queries:
        for link in session.scalars(query):
            found[link.id] = (link.body_key, link.ref_key, link.alt_key, link.target_id, link.paper_id)
    if not found:
        return 0
    targets = resolve(session, [(b, r, a) for b, r, a, _, _ in found.values()])
    changed = 0
    for link_id, (body_key, ref, alt, current, owner) in found.items():
        target = targets.get((body_key, ref, alt))
        target = None if target == owner else target
        if target != current:
            session.execute(update(PaperLink).where(PaperLink.id == link_id).values(target_id=target))
            changed += 1
    return changed


# --- reading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Edge:
    """A resolved link seen from one paper: the other paper, the kind, and who names whom."""

    other: int
    kind: str
    incoming: bool  # the other paper names this one


def edges(
    session: Session, paper_ids: Iterable[int], kinds: Sequence[str] | None = None
) -> dict[int, list[Edge]]:
    """Every resolved link of ``paper_ids``, in both directions, by paper."""
    ids = list(set(paper_ids))
    out: dict[int, list[Edge]] = {pid: [] for pid in ids}
    seen: set[tuple[int, int, str, bool]] = set()
    for batch in chunks(ids):
        base = select(PaperLink.paper_id, PaperLink.target_id, PaperLink.kind)
        if kinds:
            base = base.where(PaperLink.kind.in_(kinds))
        for src, dst, kind in session.execute(base.where(PaperLink.paper_id.in_(batch))):
            if dst is not None and (src, dst, kind, False) not in seen:
                seen.add((src, dst, kind, False))
                out[src].append(Edge(dst, kind, incoming=False))
        for src, dst, kind in session.execute(base.where(PaperLink.target_id.in_(batch))):
            if (dst, src, kind, True) not in seen:
                seen.add((dst, src, kind, True))
                out[dst].append(Edge(src, kind, incoming=True))
    return out


def family(session: Session, paper_id: int, limit: int = 500) -> dict[int, list[Edge]]:
    """The papers of ``paper_id``'s matter: everything reachable over supplement and related
    links, plus the papers that mention a member or that a member mentions (one step only, so a
    budget that mentions fifty papers does not pull in fifty matters). Maps each member to its
    edges into the family."""
    members = {paper_id}
    frontier = [paper_id]
    while frontier and len(members) < limit:
        found = edges(session, frontier, STRONG)
        frontier = []
        for es in found.values():
            for e in es:
                if e.other not in members:
                    members.add(e.other)
                    frontier.append(e.other)
    for es in edges(session, list(members), ("mentions",)).values():
        for e in es:
            if len(members) < limit:
                members.add(e.other)
    all_edges = edges(session, list(members))
    return {pid: [e for e in all_edges.get(pid, []) if e.other in members] for pid in members}
