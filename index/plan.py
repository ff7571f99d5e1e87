"""A parsed query (:mod:`ratsinfo.index.query`) compiled into analysed terms, once for every
backend, so that Whoosh, tantivy and PostgreSQL match the same papers.

Leaves:

* :class:`Match` — one way a word or phrase matches (a :class:`ratsinfo.nlp.analysis.QueryAlt`)
  in a *scope*: ``None`` (all text: Betreff, meta fields, text), ``"name"``, ``"text"`` or a
  meta field key (``gremium``, ``paperType`` …). ``where`` says main terms, parts or either;
  ``mode`` one term, a phrase, or all terms anywhere.
* :class:`PrefixMatch` — main terms or parts starting with a folded prefix, in a scope.
* :class:`Keyword` — the normalised reference or a topic id, whole or as prefix.
* :class:`Dates` — a date range, both ends inclusive (papers without a date never match).

Inner nodes: :class:`All` (every paper), :class:`Nothing`, :class:`AndN`, :class:`OrN`,
:class:`NotN`. A word's alternatives form an :class:`OrN` with ``word=True``. Words the
analysis drops (function words such as "der") constrain nothing: ``der Glasfaser`` is
``Glasfaser``; a query of nothing but such words matches nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from ratsinfo.index import query as q
from ratsinfo.nlp.analysis import QueryAlt, phrase_terms, prefix_term, query_terms
from ratsinfo.nlp.references import normalise_reference


class PlanNode:
    """Base of the compiled query."""


@dataclass(frozen=True)
class All(PlanNode):
    pass


@dataclass(frozen=True)
class Nothing(PlanNode):
    pass


@dataclass(frozen=True)
class Match(PlanNode):
    scope: str | None
    alt: QueryAlt

    @property
    def terms(self) -> tuple[str, ...]:
        return self.alt.terms

    @property
    def where(self) -> str:
        return self.alt.where

    @property
    def mode(self) -> str:
        return self.alt.mode

    @property
    def boost(self) -> float:
        return self.alt.boost


@dataclass(frozen=True)
class PrefixMatch(PlanNode):
    scope: str | None
    prefix: str


@dataclass(frozen=True)
class Keyword(PlanNode):
    field: str  # reference | topic
    value: str
    prefix: bool = False


@dataclass(frozen=True)
class Dates(PlanNode):
    start: date | None
    end: date | None


@dataclass(frozen=True)
class AndN(PlanNode):
    children: tuple[PlanNode, ...]


@dataclass(frozen=True)
class OrN(PlanNode):
    children: tuple[PlanNode, ...]
    word: bool = False  # the alternatives of one word


@dataclass(frozen=True)
class NotN(PlanNode):
    child: PlanNode


def compile_query(node: q.Node, filters: tuple[q.Node, ...] | list[q.Node] = ()) -> PlanNode:
    """The plan of ``node`` AND every filter node."""
    if filters:
        node = q.and_filters(node, filters)
    plan = _compile(node)
    return Nothing() if plan is None else plan


def _scope(field: str | None) -> str | None:
    return field  # None, "name", "text" or a meta key: the backends know each


def _compile(node: q.Node) -> PlanNode | None:
    if isinstance(node, q.MatchAll):
        return All()
    if isinstance(node, q.Term):
        return _term(node.field, node.text)
    if isinstance(node, q.Phrase):
        if node.field == "topic":
            return Keyword("topic", " ".join(node.words).lower())
        if node.field == "reference":
            return Keyword("reference", normalise_reference(" ".join(node.words)))
        terms = phrase_terms(" ".join(node.words))
        if not terms:
            return None
        if len(terms) == 1:
            return _term(node.field, node.words[0])
        return Match(_scope(node.field), QueryAlt(terms, "main", "phrase", 1.0))
    if isinstance(node, q.Prefix):
        if node.field == "reference":
            return Keyword("reference", normalise_reference(node.text), prefix=True)
        if node.field == "topic":
            return Keyword("topic", node.text.lower(), prefix=True)
        prefix = prefix_term(node.text)
        return PrefixMatch(_scope(node.field), prefix) if prefix else None
    if isinstance(node, q.DateRange):
        return Dates(node.start, node.end)
    if isinstance(node, q.Not):
        child = _compile(node.child)
        return None if child is None else NotN(child)
    if isinstance(node, q.And):
        children = [c for c in (_compile(ch) for ch in node.children) if c is not None]
        if not children:
            return None
        children = [c for c in children if not isinstance(c, All)]
        if all(isinstance(c, NotN) for c in children):  # also when nothing is left
            children.insert(0, All())
        return children[0] if len(children) == 1 else AndN(tuple(children))
    if isinstance(node, q.Or):
        children = [c for c in (_compile(ch) for ch in node.children) if c is not None]
        if not children:
            return None
        if any(isinstance(c, All) for c in children):
            return All()
        return children[0] if len(children) == 1 else OrN(tuple(children))
    raise TypeError(f"unknown query node {node!r}")


def _term(field: str | None, text: str) -> PlanNode | None:
    if field == "reference":
        return Keyword("reference", normalise_reference(text))
    if field == "topic":
        return Keyword("topic", text.strip().lower())
    alts = query_terms(text)
    if not alts:
        return None
    matches = tuple(Match(_scope(field), alt) for alt in alts)
    return matches[0] if len(matches) == 1 else OrN(matches, word=True)


# --- helpers for backends and highlighting ------------------------------------------------


def leaves(plan: PlanNode, negated: bool = False) -> Iterator[tuple[PlanNode, bool]]:
    """Every leaf with whether it sits under a NOT."""
    if isinstance(plan, AndN | OrN):
        for child in plan.children:
            yield from leaves(child, negated)
    elif isinstance(plan, NotN):
        yield from leaves(plan.child, not negated)
    else:
        yield plan, negated


def scores(plan: PlanNode) -> bool:
    """True when the plan has words to rank by (not only filters)."""
    return any(isinstance(leaf, Match | PrefixMatch) and not neg for leaf, neg in leaves(plan))
