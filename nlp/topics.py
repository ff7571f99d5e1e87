"""Topics of a paper from the taxonomy in ``data/topics.toml``.

Topic terms go through the same analysis as the index (:mod:`ratsinfo.nlp.analysis`), so a
term matches its inflections and compound parts: ``Glasfaser`` matches "Glasfaserausbau",
``Schule`` matches "Grundschulen" and "Schulausschuss".

Scoring, per topic: each matching rule adds its weight (``terms`` 1.0, ``weak`` 0.4, ``all``
groups 1.0) times

* :data:`BETREFF_WEIGHT` (3) when it matches the Betreff (the paper's name), and
* ``log2(1 + n)`` for ``n`` matches in the body text (papers' sections and file texts), so
  repetition counts but with diminishing returns.

A topic is assigned when its Betreff score reaches :data:`THRESHOLD` (3: one strong word in
the Betreff is enough), or when its body score reaches :data:`BODY_THRESHOLD` (6) *and* is at
least :data:`BODY_SHARE` (half) of the best body score of any topic. The relative test keeps
long texts, which touch many fields in passing (costs, staff, buildings), to their main
subjects; measured on the 56 Karlsruhe papers with file texts it cut the topics per paper
from 3.9 (a plain total ≥ 3) to 2.7 without losing a topic the Betreff names. A child topic (``parent`` in the
taxonomy) assigns its parent as well.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ratsinfo.nlp.analysis import analyse_field, main_terms

BETREFF_WEIGHT = 3.0
BODY_WEIGHT = 1.0
WEAK_WEIGHT = 0.4
THRESHOLD = 3.0
BODY_THRESHOLD = 6.0
BODY_SHARE = 0.5
TAXONOMY_PATH = Path(__file__).resolve().parents[1] / "data" / "topics.toml"


@dataclass(frozen=True)
class Rule:
    """Words that count together (one word, or a phrase, or an ``all`` group)."""

    terms: tuple[tuple[str, ...], ...]  # each entry: the analysed words of one term/phrase
    weight: float
    source: str  # the rule as written in the taxonomy, for explanations


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    parent: str | None
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class TopicHit:
    id: str
    label: str
    betreff_score: float
    body_score: float
    matched: tuple[str, ...]  # the rules that matched, as written in the taxonomy

    @property
    def score(self) -> float:
        return self.betreff_score + self.body_score


class Taxonomy:
    """The topics, loaded from TOML; ``ids`` in file order."""

    def __init__(self, topics: Iterable[Topic]):
        self.topics = {t.id: t for t in topics}
        for t in self.topics.values():
            if t.parent and t.parent not in self.topics:
                raise ValueError(f"topic {t.id!r} has an unknown parent {t.parent!r}")

    @property
    def ids(self) -> list[str]:
        return list(self.topics)

    def label(self, topic_id: str) -> str:
        return self.topics[topic_id].label

    @classmethod
    def from_toml(cls, path: Path = TAXONOMY_PATH) -> Taxonomy:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
        return cls(_topic(entry) for entry in data.get("topic", []))


def _analysed(term: str) -> tuple[str, ...]:
    return tuple(main_terms(term))


def _topic(entry: dict[str, Any]) -> Topic:
    rules: list[Rule] = []
    for term in entry.get("terms", []):
        rules.append(Rule((_analysed(term),), 1.0, term))
    for term in entry.get("weak", []):
        rules.append(Rule((_analysed(term),), WEAK_WEIGHT, term))
    for group in entry.get("all", []):
        rules.append(Rule(tuple(_analysed(t) for t in group), 1.0, " + ".join(group)))
    rules = [r for r in rules if all(r.terms)]
    return Topic(entry["id"], entry["label"], entry.get("parent"), tuple(rules))


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    """The shipped taxonomy, read once."""
    return Taxonomy.from_toml()


Analysed = tuple[list[str], list[tuple[int, str]]]  # what nlp.analysis.analyse_field returns


class _Field:
    """Counts of one analysed text: words (main terms and parts) and the main-term sequence."""

    def __init__(self, text: str | None = None, analysed: Analysed | None = None):
        mains, parts = analysed if analysed is not None else analyse_field(text)
        self.counts = Counter(mains)
        self.counts.update(p for _, p in parts)
        self.sequence = mains
        self._joined: str | None = None

    def count(self, words: tuple[str, ...]) -> int:
        if len(words) == 1:
            return self.counts.get(words[0], 0)
        if any(w not in self.counts for w in words):
            return 0
        if self._joined is None:
            self._joined = " " + " ".join(self.sequence) + " "
        return self._joined.count(" " + " ".join(words) + " ")


def _rule_count(rule: Rule, fld: _Field) -> int:
    return min(fld.count(words) for words in rule.terms)


def score_topics(
    betreff: str | None, body: str | None = None, taxonomy: Taxonomy | None = None
) -> list[TopicHit]:
    """Every topic with a positive score, best first (assigned or not: for explanations)."""
    return _score(_Field(betreff or ""), _Field(body or ""), bool(body), taxonomy)


def _score(title: _Field, text: _Field, has_body: bool, taxonomy: Taxonomy | None) -> list[TopicHit]:
    tax = taxonomy or load_taxonomy()
    body = has_body
    hits = []
    for topic in tax.topics.values():
        in_betreff = in_text = 0.0
        matched = []
        for rule in topic.rules:
            n_title = _rule_count(rule, title)
            n_body = _rule_count(rule, text) if body else 0
            if not (n_title or n_body):
                continue
            in_betreff += rule.weight * BETREFF_WEIGHT * (n_title > 0)
            in_text += rule.weight * BODY_WEIGHT * math.log2(1 + n_body)
            matched.append(rule.source)
        if matched:
            hit = TopicHit(topic.id, topic.label, round(in_betreff, 3), round(in_text, 3), tuple(matched))
            hits.append(hit)
    hits.sort(key=lambda h: -h.score)
    return hits


def assign_topics(
    betreff: str | None, body: str | None = None, taxonomy: Taxonomy | None = None
) -> list[str]:
    """The ids of the topics a paper gets, in taxonomy order (parents of assigned children
    included)."""
    tax = taxonomy or load_taxonomy()
    return _choose(score_topics(betreff, body, tax), tax)


def assign_topics_analysed(betreff: Analysed, body: Analysed, taxonomy: Taxonomy | None = None) -> list[str]:
    """:func:`assign_topics` for texts already analysed with
    :func:`ratsinfo.nlp.analysis.analyse_field` (the indexer analyses each text once). Several
    body texts may be joined with a ``"|"`` main term between them, which no rule matches."""
    tax = taxonomy or load_taxonomy()
    text = _Field(analysed=body)
    return _choose(_score(_Field(analysed=betreff), text, bool(body[0]), tax), tax)


def _choose(hits: list[TopicHit], tax: Taxonomy) -> list[str]:
    best_body = max((h.body_score for h in hits), default=0.0)
    chosen = {
        h.id
        for h in hits
        if h.betreff_score >= THRESHOLD
        or (h.body_score >= BODY_THRESHOLD and h.body_score >= BODY_SHARE * best_body)
    }
    for tid in list(chosen):
        parent = tax.topics[tid].parent
        while parent:
            chosen.add(parent)
            parent = tax.topics[parent].parent
    return [tid for tid in tax.ids if tid in chosen]


def paper_texts(record: Any) -> tuple[str, str]:
    """``(betreff, body)`` of a :class:`ratsinfo.core.record.PaperRecord` (or its dict form):
    the name, and the text sections plus extracted file texts."""
    data = record.to_dict() if hasattr(record, "to_dict") else dict(record)
    body = [*(data.get("text") or {}).values()]
    body += [f.get("text") or "" for f in data.get("file") or []]
    return data.get("name") or "", "\n\n".join(b for b in body if b)


def paper_topics(record: Any) -> list[str]:
    """:func:`assign_topics` for a paper record."""
    return assign_topics(*paper_texts(record))
