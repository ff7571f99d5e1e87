"""Paper references in running text, in every vendor's format, so papers can link to papers.

Formats (as the vendors number their papers):

=====================  ===========================  ====================================
example                 who                          rule
=====================  ===========================  ====================================
``21-15513``            ALLRIS (Braunschweig)        2-digit year or term, 4–5 digits
``21-15513-01``         ALLRIS supplement            … plus ``-NN``
``22-2362``             ALLRIS (Hamburg districts)   term, 4–5 digits
``469/2026``            SessionNet, SD.NET           number / 4-digit year
``2013/0050``           Karlsruhe (and others)       year / 4-digit number (``/N`` supplement)
``VO/2026/181``         SessionNet with prefix       LETTERS / year / number
``UV/0190/2026``        SessionNet with prefix       LETTERS / number / year
``DHH/2023/1701``       Karlsruhe budget motions     LETTERS / year / number
``Drucksache Nr. 1234`` any, with a keyword          a keyword makes any number a reference
=====================  ===========================  ====================================

Bare numbers are read only in the unambiguous shapes above; anything else needs a keyword
before it (Drucksache, Drs., DS, Vorlage, Vorlagen-Nr., Antrag Nr., Anfrage Nr., Beschluss-Nr.).
Seasons and spans such as ``2005/2006`` are not references. Everything found is a candidate:
:func:`link_targets` keeps those that name a paper we know, which removes the rest of the noise.

The shown form is kept (trimmed, spaces around separators removed, letters upper case);
:func:`normalise_reference` is the key to compare references by. Supplements keep their own
number; :func:`ratsinfo.core.references.parent_reference` gives the paper they answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ratsinfo.core.references import parent_reference

_YEAR = r"(?:19[5-9]\d|20[0-4]\d)"
_SEP = r"\s?[/]\s?"

# Shapes safe to read without a keyword. Order matters: the longer shapes first.
_BARE = [
    ("prefixed", rf"[A-ZÄÖÜ]{{1,5}}{_SEP}{_YEAR}{_SEP}\d{{1,5}}(?:{_SEP}\d{{1,2}})?"),
    ("prefixed", rf"[A-ZÄÖÜ]{{1,5}}{_SEP}\d{{1,5}}{_SEP}{_YEAR}(?:{_SEP}\d{{1,2}})?"),
    ("year-number", rf"{_YEAR}/\d{{4}}(?:/\d{{1,2}})?"),
    ("number-year", rf"\d{{1,5}}/{_YEAR}(?:-\d{{1,2}})?"),
    ("allris", r"\d{2}-\d{4,5}(?:-\d{1,2})?"),
]
_BARE_RE = re.compile(
    r"(?<![\w/.\-])(?:" + "|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(_BARE)) + r")(?![\w/\-]|\.\d)"
)
_BARE_KINDS = [k for k, _ in _BARE]

_KEYWORD = (
    r"(?:Drucksachen?|Drs\.?|DS|Vorlagen?|Beschlussvorlage|Informationsvorlage|Mitteilungsvorlage|"
    r"Antrag|Anfrage|Stellungnahme|Beschluss)"
)
_KEYWORD_RE = re.compile(
    rf"\b{_KEYWORD}(?:[- ]?(?:Nr\.?|Nummer|No\.?))?\s*[:.]?\s*"
    r"(?P<ref>[A-ZÄÖÜ]{0,5}\s?[/-]?\s?\d[\d]*(?:\s?[/.\-]\s?\d+){0,3})(?![\w/\-]|\.\d)"
)


@dataclass(frozen=True)
class ReferenceMatch:
    """One reference found in a text: where, as shown, as normalised, and by which rule."""

    start: int
    end: int
    text: str
    value: str
    kind: str


def normalise_reference(reference: str) -> str:
    """The comparison key of a reference: no spaces, letters upper case (``vo / 2026/181`` →
    ``VO/2026/181``). Leading zeros stay: ``2013/0050`` and ``2013/50`` are different strings
    at the source."""
    return re.sub(r"\s+", "", reference).upper()


def _is_span(text: str) -> bool:
    """``2005/2006``, ``2019/20``: years and seasons, not references."""
    m = re.fullmatch(rf"({_YEAR})/(\d{{2}}|\d{{4}})", text)
    if not m:
        return False
    first, second = int(m[1]), int(m[2])
    if len(m[2]) == 2:
        return second == (first + 1) % 100
    return 0 < second - first <= 10


def find_references(text: str | None) -> list[ReferenceMatch]:
    """Every paper reference in ``text``, in order, without overlaps."""
    if not text:
        return []
    found: list[ReferenceMatch] = []
    taken: list[tuple[int, int]] = []
    for m in _KEYWORD_RE.finditer(text):
        raw = m.group("ref").strip()
        if not re.search(r"\d{2}", raw) or re.fullmatch(r"\d{1,2}", raw):
            continue  # "Antrag Nr. 3" is a list item, not a paper
        s, e = m.span("ref")
        found.append(ReferenceMatch(s, e, raw, normalise_reference(raw), "keyword"))
        taken.append((s, e))
    for m in _BARE_RE.finditer(text):
        s, e = m.span()
        if any(s < te and ts < e for ts, te in taken):
            continue
        raw = m.group()
        if _is_span(raw):
            continue
        kind = next(_BARE_KINDS[i] for i in range(len(_BARE)) if m.group(f"k{i}"))
        found.append(ReferenceMatch(s, e, raw, normalise_reference(raw), kind))
    found.sort(key=lambda r: r.start)
    return found


def references_in(text: str | None) -> list[str]:
    """The normalised references in ``text``, each once, in order of appearance."""
    return list(dict.fromkeys(r.value for r in find_references(text)))


def link_targets(text: str | None, known: Mapping[str, str], *, own: str | None = None) -> list[str]:
    """Ids of the known papers that ``text`` refers to.

    ``known`` maps :func:`normalise_reference` keys to paper ids (one body's papers: references
    are unique only within a body). ``own`` (this paper's reference) is skipped. A supplement
    whose number is unknown links to the paper it answers (``2026/0065/1`` → ``2026/0065``)."""
    out: list[str] = []
    own_key = normalise_reference(own) if own else None
    for ref in references_in(text):
        if ref == own_key:
            continue
        target = known.get(ref)
        if target is None:
            parent = parent_reference(ref)
            target = known.get(parent) if parent else None
        if target is not None and target not in out:
            out.append(target)
    return out


def reference_index(papers: Iterable[tuple[str | None, str]]) -> dict[str, str]:
    """``{normalised reference: id}`` from ``(reference, id)`` pairs, for :func:`link_targets`."""
    return {normalise_reference(ref): pid for ref, pid in papers if ref}
