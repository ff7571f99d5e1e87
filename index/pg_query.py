"""A compiled query (:mod:`ratsinfo.index.plan`) as SQL over ``search_doc``: a WHERE clause in
which all tsqueries on one vector merge into one ``@@`` (one GIN index scan), and the tsqueries
the ranking sums up."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ratsinfo.index import plan as p
from ratsinfo.index.fields import field_part, field_term
from ratsinfo.index.pg_vectors import BUCKETS, PART, lexeme, sample_query
from ratsinfo.nlp.analysis import PART_BOOST


@dataclass(frozen=True)
class _TS:
    """A tsquery on one vector (merged with its siblings on the same vector); ``negated``: the
    rows that do *not* match it."""

    vector: str
    query: str
    negated: bool = False


@dataclass(frozen=True)
class _SQL:
    sql: str
    params: tuple[Any, ...] = ()


def _scoped(scope: str | None, term: str, part: bool, weighted: bool = True) -> tuple[str, str]:
    """(vector, lexeme with weight restriction unless not ``weighted``) for ``term`` in ``scope``."""
    if scope is None:
        return "tsv", lexeme(PART + term if part else term)
    if scope == "text":
        return "tsv", lexeme(PART + term if part else term) + ((":D" if part else ":C") if weighted else "")
    return "fsv", lexeme(field_part(scope, term) if part else field_term(scope, term))


class SqlBuilder:
    """Compiles a plan into a WHERE clause; tsqueries on one vector become one ``@@``, so one
    GIN index scan answers them.

    ``loose``: a superset the GIN indexes answer without reading any row's vector: phrases
    become "all their words" and ``text:`` loses its weight restriction, where they are not
    under a NOT (there loosening would drop rows)."""

    def __init__(self, loose: bool = False):
        self.loose = loose

    def condition(
        self, plan: p.PlanNode, sample: int | None = None, tier: tuple[str, bool] | None = None
    ) -> tuple[str, list[Any]]:
        """The WHERE clause. ``sample``: only the papers in sample buckets below it, ANDed into
        the text vector's query; the one GIN index over both vectors then walks the few sample
        lexemes and skips through a common word's or field value's postings. ``tier``: only the
        papers whose field vector matches (or, with True, does not match) a tsquery, ANDed into
        the field query."""
        if sample is None and tier is None:
            return self._sql(self._node(plan))
        children = list(plan.children) if isinstance(plan, p.AndN) else [plan]
        nodes = [self._node(child) for child in children]
        if tier is not None:
            nodes.append(_TS("fsv", tier[0], negated=tier[1]))
        if sample is not None and sample < BUCKETS:
            nodes.append(_TS("tsv", sample_query(sample)))
        return self._sql(self._combine(nodes, "&", "AND"))

    def _sql(self, node: _TS | _SQL) -> tuple[str, list[Any]]:
        if isinstance(node, _TS):
            sql = f"{node.vector} @@ %s::tsquery"
            return (f"NOT ({sql})" if node.negated else sql), [node.query]
        return node.sql, list(node.params)

    def _node(self, node: p.PlanNode, positive: bool = True) -> _TS | _SQL:
        exact = not (self.loose and positive)
        if isinstance(node, p.All):
            return _SQL("TRUE")
        if isinstance(node, p.Nothing):
            return _SQL("FALSE")
        if isinstance(node, p.Match):
            if node.mode == "phrase":
                lexemes = [_scoped(node.scope, t, False, exact) for t in node.terms]
                return _TS(lexemes[0][0], (" <-> " if exact else " & ").join(lx for _, lx in lexemes))
            if node.mode == "all":
                groups = []
                vector = "tsv"
                for t in node.terms:
                    vector, main = _scoped(node.scope, t, False, exact)
                    part = _scoped(node.scope, t, True, exact)[1]
                    groups.append(f"({main} | {part})")
                return _TS(vector, " & ".join(groups))
            vector, lexeme = _scoped(node.scope, node.terms[0], node.where == "parts", exact)
            return _TS(vector, lexeme)
        if isinstance(node, p.PrefixMatch):
            vector, main = _scoped(node.scope, node.prefix, False, exact)
            part = _scoped(node.scope, node.prefix, True, exact)[1]
            return _TS(vector, f"{_prefix(main)} | {_prefix(part)}")
        if isinstance(node, p.Keyword):
            if node.field == "reference":
                if node.prefix:
                    return _SQL("reference LIKE %s", (_like(node.value),))
                return _SQL("reference = %s", (node.value,))
            if node.prefix:
                return _SQL("EXISTS (SELECT 1 FROM unnest(topics) t WHERE t LIKE %s)", (_like(node.value),))
            return _SQL("topics @> ARRAY[%s]::text[]", (node.value,))
        if isinstance(node, p.Dates):
            if node.start and node.end:
                return _SQL("date BETWEEN %s AND %s", (node.start, node.end))
            if node.start:
                return _SQL("date >= %s", (node.start,))
            if node.end:
                return _SQL("date <= %s", (node.end,))
            return _SQL("date IS NOT NULL")
        if isinstance(node, p.NotN):
            inner = self._node(node.child, not positive)
            if isinstance(inner, _TS):
                return _TS(inner.vector, inner.query, not inner.negated)
            sql, params = self._sql(inner)
            return _SQL(f"NOT ({sql})", tuple(params))
        if isinstance(node, p.AndN):
            return self._combine([self._node(c, positive) for c in node.children], "&", "AND")
        if isinstance(node, p.OrN):
            return self._combine([self._node(c, positive) for c in node.children], "|", "OR")
        raise TypeError(f"unknown plan node {node!r}")

    def _combine(self, children: list[_TS | _SQL], op_ts: str, op_sql: str) -> _TS | _SQL:
        positive: dict[str, list[str]] = {}
        negative: dict[str, list[str]] = {}
        parts: list[_TS | _SQL] = []
        for child in children:
            if isinstance(child, _SQL):
                parts.append(child)
            elif child.negated and op_ts == "|":
                parts.append(child)  # an ORed NOT stays a NOT of its own
            else:
                (negative if child.negated else positive).setdefault(child.vector, []).append(child.query)
        for vector in dict.fromkeys([*positive, *negative]):
            pos, neg = positive.get(vector, []), negative.get(vector, [])
            if pos:  # "a & !b": one index scan
                query = f" {op_ts} ".join([*(f"({q})" for q in pos), *(f"!({q})" for q in neg)])
                parts.append(_TS(vector, query))
            else:  # only NOTs on this vector: rows without any of them
                parts.append(_TS(vector, " | ".join(f"({q})" for q in neg), negated=True))
        if len(parts) == 1:
            return parts[0]
        rendered = [self._sql(part) for part in parts]
        return _SQL(
            "(" + f" {op_sql} ".join(sql for sql, _ in rendered) + ")",
            tuple(v for _, params in rendered for v in params),
        )


def _prefix(lexeme: str) -> str:
    """``'digital'`` → ``'digital':*`` (a weight restriction stays after the star)."""
    if lexeme.endswith("'"):
        return lexeme + ":*"
    body, weight = lexeme.rsplit(":", 1)
    return f"{body}:*{weight}"


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def rank_queries(plan: p.PlanNode) -> list[tuple[float, str]]:
    """What to rank by, as ``(boost, tsquery)`` groups: each positive word's alternatives with
    their boosts (exact terms 1.0, parts 0.5, a compound's parts anywhere 0.3), so that exact
    matches outrank parts as in the other engines; ``ts_rank`` itself knows only weights."""
    groups: dict[float, list[str]] = {}
    for leaf, negated in p.leaves(plan):
        if negated:
            continue
        if isinstance(leaf, p.Match):
            if leaf.mode == "all":
                lexemes = [lx for t in leaf.terms for lx in (lexeme(t), lexeme(PART + t))]
            elif leaf.where == "parts":
                lexemes = [lexeme(PART + t) for t in leaf.terms]
            else:
                lexemes = [lexeme(t) for t in leaf.terms]
            groups.setdefault(leaf.boost, []).extend(lexemes)
        elif isinstance(leaf, p.PrefixMatch):
            groups.setdefault(1.0, []).append(lexeme(leaf.prefix) + ":*")
            groups.setdefault(PART_BOOST, []).append(lexeme(PART + leaf.prefix) + ":*")
    ordered = sorted(groups.items(), reverse=True)
    return [(boost, " | ".join(dict.fromkeys(lexemes))) for boost, lexemes in ordered]


def betreff_query(plan: p.PlanNode) -> str | None:
    """A tsquery on ``fsv`` for the papers whose Betreff holds one of the ranked words (as term
    or part): the tier whose papers outrank the rest (the Betreff weighs most), which broad
    queries rank first."""
    lexemes: list[str] = []
    for leaf, negated in p.leaves(plan):
        if negated or not isinstance(leaf, p.Match | p.PrefixMatch) or leaf.scope not in (None, "name"):
            continue
        if isinstance(leaf, p.PrefixMatch):
            lexemes += [
                _prefix(lexeme(field_term("name", leaf.prefix))),
                _prefix(lexeme(field_part("name", leaf.prefix))),
            ]
        else:
            lexemes += [lexeme(f("name", t)) for t in leaf.terms for f in (field_term, field_part)]
    return " | ".join(dict.fromkeys(lexemes)) or None
