"""What every backend indexes: one paper analysed once, into the same terms for all engines.

A paper becomes these logical fields (terms from :func:`ratsinfo.nlp.analysis.analyse_field`):

* ``name`` — the Betreff; ``meta`` — reference, Vorlageart, body, Federführend, Beteiligt,
  Verantwortlich, Verfasser, Gremien, status and results; ``text`` — text sections and file
  texts (plus section titles and file names). Each has main terms (lemmas, with positions for
  phrases) and compound parts (a separate, lower-weighted field). A free-text word searches
  all three; Betreff matches weigh most.
* per-field terms for ``betreff:``-style queries on the meta fields: main terms and parts
  prefixed with the field key (``gremium:rat``, ``gremium~ausschuss``) in one field, so one
  index field serves every field query and phrases stay inside one field's value.
* keywords: the normalised reference (``nummer:``), topic ids (``topic:``), the date.
* facet values as shown (Vorlageart, Federführend, Beteiligt, Gremium, body, topics, year).

List values are joined with a ``|`` term between them, so a phrase never runs from one value
into the next; no query yields ``|``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ratsinfo.index.base import IndexDoc
from ratsinfo.nlp.analysis import analyse_field
from ratsinfo.nlp.references import normalise_reference
from ratsinfo.nlp.topics import assign_topics_analysed

SEP = "|"
MAX_TERM_CHARS = 100  # longer "words" (URLs, table junk) are not indexed
# the meta fields that field queries address by key, as (key, IndexDoc attribute)
META_FIELDS: tuple[tuple[str, str], ...] = (
    ("paperType", "paper_type"),
    ("body", "body"),
    ("underDirectionOf", "under_direction_of"),
    ("participating", "participating"),
    ("responsible", "responsible"),
    ("originator", "originator"),
    ("gremium", "gremium"),
    ("status", "status"),
    ("result", "result"),
)
META_KEYS = tuple(k for k, _ in META_FIELDS)

Analysed = tuple[list[str], list[tuple[int, str]]]  # (main terms, (position, part) pairs)


@dataclass
class AnalysedDoc:
    paper_id: int
    date: date | None
    reference: str  # normalised: the key nummer: compares
    topics: list[str]
    facets: dict[str, list[str]]  # FACETS keys except year (backends take it from date)
    name: Analysed
    meta: Analysed
    text: Analysed
    fields: dict[str, Analysed] = field(default_factory=dict)  # META_KEYS with values


def _clean(analysed: Analysed) -> Analysed:
    mains, parts = analysed
    if any(len(t) > MAX_TERM_CHARS for t in mains):
        mains = [t if len(t) <= MAX_TERM_CHARS else SEP for t in mains]
    if any(len(p) > MAX_TERM_CHARS for _, p in parts):
        parts = [(i, p) for i, p in parts if len(p) <= MAX_TERM_CHARS]
    return mains, parts


def join(values: list[Analysed]) -> Analysed:
    """Several analysed values as one field, a ``|`` between them."""
    mains: list[str] = []
    parts: list[tuple[int, str]] = []
    for v_mains, v_parts in values:
        if not v_mains:
            continue
        if mains:
            mains.append(SEP)
        base = len(mains)
        mains.extend(v_mains)
        parts.extend((base + i, p) for i, p in v_parts)
    return mains, parts


def _values(value: str | list[str]) -> list[str]:
    if isinstance(value, str):
        return [value] if value.strip() else []
    return [v for v in value if v and v.strip()]


def analyse_doc(doc: IndexDoc) -> AnalysedDoc:
    """Analyse one paper (each text once; topics come from the same terms)."""
    name = _clean(analyse_field(doc.name))
    body = _clean(analyse_field(doc.text))
    extra = [_clean(analyse_field(v)) for v in doc.extra]
    topics = doc.topic if doc.topic is not None else assign_topics_analysed(name, body)
    fields: dict[str, Analysed] = {}
    for key, attr in META_FIELDS:
        values = _values(getattr(doc, attr))
        if values:
            fields[key] = join([_clean(analyse_field(v)) for v in values])
    reference = analyse_field(doc.reference) if doc.reference else ([], [])
    meta = join([reference, *fields.values()])
    facets = {
        "paperType": _values(doc.paper_type),
        "underDirectionOf": _values(doc.under_direction_of),
        "participating": _values(doc.participating),
        "gremium": _values(doc.gremium),
        "body": _values(doc.body),
        "topic": list(topics),
    }
    return AnalysedDoc(
        paper_id=doc.paper_id,
        date=doc.date,
        reference=normalise_reference(doc.reference) if doc.reference else "",
        topics=list(topics),
        facets=facets,
        name=name,
        meta=meta,
        text=join([body, *extra]),
        fields=fields,
    )


def main_string(analysed: Analysed) -> str:
    """Main terms space-joined, for engines fed through a whitespace tokenizer: positions are
    the terms' order, so phrases work."""
    return " ".join(analysed[0])


def parts_string(analysed: Analysed) -> str:
    return " ".join(p for _, p in analysed[1])


def field_strings(fields: dict[str, Analysed]) -> tuple[str, str]:
    """The per-field terms of the meta fields, prefixed with their key: ``(main, parts)``."""
    mains: list[str] = []
    parts: list[str] = []
    for key, (f_mains, f_parts) in fields.items():
        if mains:
            mains.append(SEP)
        mains.extend(t if t == SEP else f"{key}:{t}" for t in f_mains)
        parts.extend(f"{key}~{p}" for _, p in f_parts)
    return " ".join(mains), " ".join(parts)


def field_term(key: str, term: str) -> str:
    """A main term of field ``key`` as the per-field index holds it."""
    return f"{key}:{term}"


def field_part(key: str, term: str) -> str:
    return f"{key}~{term}"


# The embedded engines' field layout: per scope (main field, parts field, boost); a Betreff match
# weighs most. Metadata fields share one field pair, their terms prefixed with the field's key.
FREE = (("name", "name_p", 3.0), ("meta", "meta_p", 1.0), ("text", "text_p", 1.0))
SCOPES = {"name": (("name", "name_p", 1.0),), "text": (("text", "text_p", 1.0),)}


def scope_fields(scope: str | None) -> tuple[tuple[str, str, float], ...]:
    """The (main, parts, boost) fields a query ``scope`` searches in the embedded engines."""
    if scope is None:
        return FREE
    if scope in SCOPES:
        return SCOPES[scope]
    if scope in META_KEYS:
        return (("f", "fp", 1.0),)
    raise ValueError(f"unknown field {scope!r}")


def scoped_main(scope: str | None, term: str) -> str:
    return field_term(scope, term) if scope in META_KEYS else term


def scoped_part(scope: str | None, term: str) -> str:
    return field_part(scope, term) if scope in META_KEYS else term
