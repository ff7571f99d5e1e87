"""The spaCy pipeline that enriches papers and file texts: lemmas and rule-based entities.

``spacy.blank("de")`` plus

1. ``lemmatizer`` in lookup mode, its table read from the installed spacy-lookups-data (no
   model, no download);
2. ``ratsinfo_rules``: the regular-expression rules of :mod:`ratsinfo.nlp.entities`
   (references, dates, money, multi-word offices and committees);
3. ``entity_ruler``: token patterns for persons, places and one-word offices; it does not
   overwrite what the rules found;
4. ``ratsinfo_values``: a normalised value and kind for every entity (``Span._.value``,
   ``Span._.kind``).

The pipeline is built once per process (:func:`get_nlp`). Enrichment is the slow path
(~100k tokens/s for the tokenizer alone); the search index uses :mod:`ratsinfo.nlp.analysis`,
which needs no spaCy at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ratsinfo.nlp import entities as rules
from ratsinfo.nlp.analysis import fold

MAX_LENGTH = 5_000_000  # characters; a blank pipeline has no parser to run out of memory

_PRIORITY = {"REFERENCE": 0, "MONEY": 1, "DATE": 2, "PERSON": 3, "GREMIUM": 4, "OFFICE": 5, "PLACE": 6}


@dataclass(frozen=True)
class Entity:
    """One entity: label from :data:`ratsinfo.nlp.entities.LABELS`, the text as written, its
    character span, the normalised value and, where it has one, the kind (``ausschuss``,
    ``fachbereich``, ``oberbürgermeister``, ``street`` …)."""

    label: str
    text: str
    start: int
    end: int
    value: str
    kind: str | None = None


@dataclass
class Enrichment:
    """What the pipeline learnt about one text."""

    lemmas: list[str] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)

    def by_label(self, label: str) -> list[Entity]:
        return [e for e in self.entities if e.label == label]

    def values(self, label: str) -> list[str]:
        """The distinct normalised values of one label, in order of appearance."""
        return list(dict.fromkeys(e.value for e in self.entities if e.label == label))

    @property
    def references(self) -> list[str]:
        return self.values("REFERENCE")


for _name in ("value", "kind", "exact"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)


@Language.component("ratsinfo_rules")
def _rules_component(doc: Doc) -> Doc:
    """Regex rules → entities; overlaps go to the longer span, then by label priority."""
    spans = []
    for f in rules.regex_entities(doc.text):
        span = doc.char_span(f.start, f.end, label=f.label, alignment_mode="expand")
        if span is None or not span.text.strip():
            continue
        span._.value = f.value
        span._.kind = f.kind
        span._.exact = (f.start, f.end)  # the token-aligned span may be wider ("2026." at an end)
        spans.append(span)
    spans.sort(key=lambda s: (_PRIORITY.get(s.label_, 9), -(s.end - s.start)))
    doc.ents = filter_spans(spans)
    # filter_spans drops the extension values of equal spans it did not keep: restore them
    for span in doc.ents:
        for f in spans:
            if f.start == span.start and f.end == span.end and f.label_ == span.label_:
                span._.value, span._.kind, span._.exact = f._.value, f._.kind, f._.exact
                break
    return doc


@Language.component("ratsinfo_values")
def _values_component(doc: Doc) -> Doc:
    """A normalised value and kind for the entities the EntityRuler found."""
    for ent in doc.ents:
        if ent._.value is not None:
            continue
        if ent.label_ == "PERSON":
            ent._.value, ent._.kind = rules.person_value(ent.text)
        elif ent.label_ == "PLACE":
            ent._.value, ent._.kind = rules.place_value(ent.text, ent.ent_id_)
        elif ent.label_ == "OFFICE":
            ent._.value, ent._.kind = ent.text, rules.office_kind(ent.text)
        else:
            ent._.value = " ".join(ent.text.split())
    return doc


@lru_cache(maxsize=1)
def get_nlp() -> Language:
    """The German enrichment pipeline, built once per process."""
    nlp = spacy.blank("de")
    nlp.max_length = MAX_LENGTH
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.add_pipe("ratsinfo_rules")
    ruler = nlp.add_pipe("entity_ruler", config={"overwrite_ents": False, "validate": True})
    nlp.add_pipe("ratsinfo_values")
    nlp.initialize()  # loads the lemma table from spacy-lookups-data
    ruler.add_patterns(rules.ruler_patterns())  # type: ignore[attr-defined]
    return nlp


def _enrichment(doc: Doc) -> Enrichment:
    ents = []
    for ent in doc.ents:
        start, end = ent._.exact or (ent.start_char, ent.end_char)
        value = ent._.value if ent._.value is not None else ent.text
        ents.append(Entity(ent.label_, doc.text[start:end], start, end, value, ent._.kind))
    lemmas = [fold(t.lemma_ or t.text) for t in doc if not t.is_space and not t.is_punct]
    return Enrichment(lemmas=lemmas, entities=ents)


def enrich(text: str | None) -> Enrichment:
    """Lemmas and entities of one text."""
    if not text:
        return Enrichment()
    return _enrichment(get_nlp()(text))


def enrich_many(
    texts: Iterable[str | None], batch_size: int = 64, n_process: int = 1
) -> Iterator[Enrichment]:
    """Like :func:`enrich` for many texts, through ``nlp.pipe`` (use ``n_process=2`` on two cores
    for big batches; each process builds its own pipeline)."""
    items = [t or "" for t in texts]
    for doc in get_nlp().pipe(items, batch_size=batch_size, n_process=n_process):
        yield _enrichment(doc)
