"""The ``tsvector`` literals the PostgreSQL backend stores: the same terms as every engine,
with positions and weights set here, so PostgreSQL's parser and dictionaries never see them."""

from __future__ import annotations

from collections import Counter

from ratsinfo.index.fields import SEP, AnalysedDoc, field_part, field_term
from ratsinfo.nlp.analysis import is_stop

MAX_POS = 16_383  # PostgreSQL's largest position
MAX_POSITIONS = 255  # per lexeme and vector
MAX_VECTOR_BYTES = 900_000  # PostgreSQL refuses a tsvector over 1 MB
PART = "~"  # compound parts: "~glasfaser"
RANK_TEXT_TERMS = 24  # the text's most frequent terms in the rank vector
RANK_TEXT_PARTS = 8
RANK_MAX_POSITIONS = 2  # term frequency counts up to this in the rank vector
# Every paper belongs to one of BUCKETS sample buckets (a hash of its id), written into its
# text vector as two lexemes: its bucket and its group of GROUP buckets. ANDed to a query, a few
# of them make one GIN scan read only a sample of the matches: GIN walks the rare sample lexemes
# and skips through a common word's (or field value's: one index holds both vectors) postings.
BUCKETS = 1024
GROUP = 32


def lexeme(term: str) -> str:
    """A quoted lexeme for a tsvector or tsquery literal."""
    return "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"


class _Vector:
    """A ``tsvector`` literal under construction: lexeme -> positions with weight letters."""

    def __init__(self) -> None:
        self.entries: dict[str, list[str]] = {}
        self.size = 0

    def add(self, term: str, pos: int, weight: str) -> None:
        positions = self.entries.get(term)
        if positions is None:
            if self.size > MAX_VECTOR_BYTES:
                return
            positions = self.entries[term] = []
            self.size += len(term.encode()) + 8
        if len(positions) < MAX_POSITIONS:
            positions.append(f"{min(pos, MAX_POS)}{weight}")
            self.size += 2

    def add_field(
        self,
        analysed: tuple[list[str], list[tuple[int, str]]],
        start: int,
        main_weight: str,
        part_weight: str,
        main_prefix: str = "",
        part_prefix: str = PART,
    ) -> int:
        """Add main terms from position ``start`` and parts at their word's position; returns
        the next free position (one left empty, so no phrase runs into the next field)."""
        mains, parts = analysed
        for i, term in enumerate(mains):
            if term != SEP:
                self.add(main_prefix + term, start + i, main_weight)
        for i, part in parts:
            self.add(part_prefix + part, start + i, part_weight)
        return start + len(mains) + 1

    def literal(self) -> str:
        return " ".join(f"{lexeme(t)}:{','.join(pos)}" for t, pos in self.entries.items())


def sample_bucket(paper_id: int) -> int:
    """The paper's sample bucket, 0..BUCKETS-1 (Fibonacci hashing: ids in a row spread out)."""
    return ((paper_id * 2654435761) & 0xFFFFFFFF) * BUCKETS >> 32


def sample_query(buckets: int) -> str:
    """A tsquery matching the papers in buckets ``0 .. buckets-1``: whole groups, then single
    buckets (at most GROUP - 1 + BUCKETS / GROUP lexemes)."""
    whole = buckets // GROUP
    lexemes = [f"#g{g}" for g in range(whole)] + [f"#b{b}" for b in range(whole * GROUP, buckets)]
    return " | ".join(lexeme(x) for x in lexemes)


def _with_sample(literal: str, paper_id: int) -> str:
    """The vector literal with the paper's group and bucket lexemes (what :func:`sample_query` asks)."""
    bucket = sample_bucket(paper_id)
    return f"{literal} {lexeme(f'#g{bucket // GROUP}')} {lexeme(f'#b{bucket}')}"


def free_vector(doc: AnalysedDoc) -> str:
    vec = _Vector()
    pos = vec.add_field(doc.name, 1, "A", "B")
    pos = vec.add_field(doc.meta, pos, "B", "B")
    vec.add_field(doc.text, pos, "C", "D")
    return _with_sample(vec.literal(), doc.paper_id)


def rank_vector(doc: AnalysedDoc) -> str:
    """A small vector to rank by, kept in the row (not TOASTed): Betreff (A) and meta fields (B)
    whole, and only the text's most frequent terms (C) and parts (D). ``ts_rank`` over the full
    text vector would read and decompress kilobytes per matching row; this is a few hundred
    bytes, and a text's frequent terms are what it is about."""
    vec = _Vector()
    pos = vec.add_field(doc.name, 1, "A", "B")
    pos = vec.add_field(doc.meta, pos, "B", "B")
    mains, parts = doc.text
    main_counts = Counter(t for t in mains if t != SEP and not is_stop(t))
    for term, n in main_counts.most_common(RANK_TEXT_TERMS):
        for k in range(min(n, RANK_MAX_POSITIONS)):
            vec.add(term, pos + k, "C")
        pos += RANK_MAX_POSITIONS
    for part, n in Counter(part for _, part in parts).most_common(RANK_TEXT_PARTS):
        for k in range(min(n, RANK_MAX_POSITIONS)):
            vec.add(PART + part, pos + k, "D")
        pos += RANK_MAX_POSITIONS
    return vec.literal()


def field_vector(doc: AnalysedDoc) -> str:
    vec = _Vector()
    vec.add_field(doc.name, 1, "", "", field_term("name", ""), field_part("name", ""))
    for key, analysed in doc.fields.items():
        vec.add_field(analysed, 1, "", "", field_term(key, ""), field_part(key, ""))
    return vec.literal()
