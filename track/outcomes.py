"""Beratungsfolge results in a small vocabulary, whatever the RIS wrote.

The RIS's own wording ("ungeändert beschlossen", "mit Änderungen angenommen", "in den
Verwaltungsausschuss verwiesen") is kept beside the normalised outcome; a result none of the
rules understands has no outcome rather than a wrong one.
"""

from __future__ import annotations

import re

OUTCOMES = (
    "beschlossen",
    "geändert beschlossen",
    "abgelehnt",
    "zur Kenntnis genommen",
    "vertagt",
    "zurückgezogen",
    "verwiesen",
    "erledigt",
)
# outcomes after which a paper needs no further decision
FINAL = ("beschlossen", "geändert beschlossen", "abgelehnt", "zurückgezogen", "erledigt")

# first match wins: the specific wordings before the words they contain
_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("zurückgezogen", re.compile(r"zur[üu]ckgezogen|zur[üu]cknahme")),
    ("verwiesen", re.compile(r"verwiesen|[üu]berwies|[üu]berweisung|verweisung")),
    ("vertagt", re.compile(r"vertagt|vertagung|zur[üu]ckgestellt|verschoben|abgesetzt|nicht behandelt")),
    (
        "abgelehnt",
        re.compile(
            r"abgelehnt|ablehnung|nicht (?:beschlossen|zugestimmt|angenommen)|keine mehrheit|"
            r"nicht empfohlen"
        ),
    ),
    (
        "geändert beschlossen",
        re.compile(
            r"(?<!un)ge[äa]ndert\w* (?:beschlossen|angenommen|zugestimmt|empfohlen)|"
            r"mit [äa]nderung\w* (?:beschlossen|angenommen|zugestimmt|empfohlen)|"
            r"(?:beschlossen|angenommen|zugestimmt) mit [äa]nderung|"
            r"in ge[äa]nderter fassung|erg[äa]nzt (?:beschlossen|angenommen)"
        ),
    ),
    ("zur Kenntnis genommen", re.compile(r"kenntnis")),
    ("erledigt", re.compile(r"erledigt|beantwortet")),
    (
        "beschlossen",
        re.compile(r"beschlossen|beschluss gefasst|angenommen|zugestimmt|empfohlen|einstimmig|mehrheitlich"),
    ),
]


def normalise_outcome(result: str | None) -> str | None:
    """The outcome of a Beratungsfolge result, one of :data:`OUTCOMES`, or None."""
    text = " ".join((result or "").split()).casefold()
    if not text:
        return None
    for outcome, pattern in _RULES:
        if pattern.search(text):
            return outcome
    return None


def match_outcome(value: str) -> str | None:
    """The outcome a user typed (``abgelehnt``, ``geändert``, ``kenntnis``), or None if none fits."""
    v = value.strip().casefold()
    exact = [o for o in OUTCOMES if o.casefold() == v]
    if exact:
        return exact[0]
    partial = [o for o in OUTCOMES if o.casefold().startswith(v) or v in o.casefold().split()]
    return partial[0] if len(partial) == 1 else None
