"""What kind of paper a paper type names, for every council's wording.

Councils name their types differently ("Anfrage (öffentlich)", "Kleine Anfrage", "Antrag der
Fraktion", "Stellungnahme der Verwaltung", "Mitteilung der Verwaltung"), so types are matched
case-insensitively by their leading words rather than compared exactly.
"""

from __future__ import annotations

import re

REQUEST_KINDS = ("Anfrage", "Antrag")

_ANFRAGE = re.compile(
    r"^(?:(?:kleine|große|grosse|mündliche|schriftliche|dringliche|aktuelle)\s+)?"
    r"(?:einwohner|bürger|einwohner\w*)?anfrage"
)
_ANTRAG = re.compile(r"^(?:dringlichkeits|eil|initiativ|fraktions|bürger|einwohner)?antrag")
_AMENDMENT = re.compile(r"(?:änderungs|ergänzungs|zusatz|gegen)antrag")
_ANSWER = re.compile(
    r"stellungnahme|antwort|beantwortung|mitteilung\s+(?:der|d\.)\s+verwaltung|verwaltungsmitteilung"
)


def _norm(paper_type: str | None) -> str:
    return " ".join((paper_type or "").split()).casefold()


def request_kind(paper_type: str | None) -> str | None:
    """``"Anfrage"`` or ``"Antrag"`` when the type is one, else None (an Änderungsantrag is not)."""
    t = _norm(paper_type)
    if _ANFRAGE.match(t):
        return "Anfrage"
    if _ANTRAG.match(t) and not _AMENDMENT.search(t):
        return "Antrag"
    return None


def is_amendment(paper_type: str | None) -> bool:
    """Änderungsantrag, Ergänzungsantrag, Zusatzantrag, Gegenantrag."""
    return bool(_AMENDMENT.search(_norm(paper_type)))


def is_answer_type(paper_type: str | None) -> bool:
    """Stellungnahme, Antwort, Beantwortung, Mitteilung der Verwaltung (and their variants)."""
    t = _norm(paper_type)
    return bool(_ANSWER.search(t)) and request_kind(paper_type) is None and not is_amendment(paper_type)


def answers(link_kind: str, incoming: bool, candidate_type: str | None) -> bool:
    """Whether a paper linked to a request by ``link_kind`` answers it.

    ``incoming``: the candidate names the request (not the other way round). A supplement by
    number (``X-01`` of ``X``) answers unless it is a request or amendment itself; a paper
    related either way, or naming the request in its text, answers when its type is an answer.
    """
    if link_kind == "supplement":
        return incoming and request_kind(candidate_type) is None and not is_amendment(candidate_type)
    if link_kind == "related":
        return is_answer_type(candidate_type)
    if link_kind == "mentions":
        return incoming and is_answer_type(candidate_type)
    return False
