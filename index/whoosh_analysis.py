"""Whoosh glue for :mod:`ratsinfo.nlp.analysis`: analyzers for a text field and its parts field,
and the Whoosh query for one query word.

Schema sketch::

    from whoosh.fields import TEXT
    name=TEXT(analyzer=main_analyzer(), stored=True),
    name_parts=TEXT(analyzer=parts_analyzer(), phrase=False, field_boost=1.0),

Feed the same text to both fields. Word queries come from :func:`word_query`, which ORs the
alternatives of :func:`ratsinfo.nlp.analysis.query_terms` with their boosts, so exact matches
outrank compound parts. The analyzers are module-level classes, so Whoosh can pickle them into
the index schema.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh import query as wq
from whoosh.analysis import Token, Tokenizer

from ratsinfo.nlp.analysis import QueryAlt, index_terms, query_terms


class RatsinfoTokenizer(Tokenizer):
    """Yields the main terms (``parts=False``) or the compound parts (``parts=True``) of a text."""

    def __init__(self, parts: bool = False):
        self.parts = parts

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RatsinfoTokenizer) and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(("RatsinfoTokenizer", self.parts))

    def __call__(  # Whoosh's tokenizer protocol
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        tok = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:  # Whoosh asks for the value as one token (e.g. for a term query)
            tok.original = tok.text = value
            tok.boost = 1.0
            if positions:
                tok.pos = start_pos
            if chars:
                tok.startchar, tok.endchar = start_char, start_char + len(value)
            yield tok
            return
        for term in index_terms(value):
            if term.part is not self.parts:
                continue
            tok.text = term.text
            tok.boost = 1.0
            tok.stopped = False
            if keeporiginal:
                tok.original = term.text
            if positions:
                tok.pos = start_pos + term.pos
            if chars:
                tok.startchar = start_char + term.start
                tok.endchar = start_char + term.end
            yield tok


def main_analyzer() -> RatsinfoTokenizer:
    """Analyzer for a text field: lemmatised main terms with positions."""
    return RatsinfoTokenizer(parts=False)


def parts_analyzer() -> RatsinfoTokenizer:
    """Analyzer for the matching ``*_parts`` field: compound parts at their word's position."""
    return RatsinfoTokenizer(parts=True)


def alt_query(alt: QueryAlt, field: str, parts_field: str) -> wq.Query:
    """One :class:`QueryAlt` as a Whoosh query on ``field``/``parts_field``."""
    if alt.mode == "phrase":
        q: wq.Query = wq.Phrase(field, list(alt.terms))
    elif alt.mode == "all":
        q = wq.And([wq.Or([wq.Term(field, t), wq.Term(parts_field, t)]) for t in alt.terms])
    else:
        q = wq.Term(parts_field if alt.where == "parts" else field, alt.terms[0])
    q.boost = alt.boost
    return q


def word_query(word: str, field: str, parts_field: str | None = None) -> wq.Query | None:
    """The Whoosh query for one query word on one text field; None for a function word."""
    alts = query_terms(word)
    if not alts:
        return None
    parts_field = parts_field or f"{field}_parts"
    qs = [alt_query(a, field, parts_field) for a in alts]
    return qs[0] if len(qs) == 1 else wq.Or(qs)
