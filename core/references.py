"""Rules about paper reference numbers that hold whatever the source.

A Stellungnahme or supplement is numbered after the paper it answers: ``21-15513-01`` answers
``21-15513``; some vendors write ``X.01`` or ``X/1``. The suffix is one or two digits, which
keeps ``469/2026`` (number/year) and ``VO/2026/181`` from being read as supplements.
"""

from __future__ import annotations

import re

_SUPPLEMENT = re.compile(r"^(?P<base>.+?\d)\s*(?P<sep>[-./])\s*(?P<n>\d{1,2})$")


def parent_reference(reference: str | None) -> str | None:
    """The reference a supplement answers, or None when ``reference`` is not a supplement."""
    if not reference:
        return None
    ref = reference.strip()
    m = _SUPPLEMENT.match(ref)
    if not m:
        return None
    base = m["base"]
    digits = sum(ch.isdigit() for ch in base)
    # the base must be a reference on its own: a separator inside it or at least four digits
    if digits < 4 and not re.search(r"[-./]", base):
        return None
    if m["sep"] == "/" and re.fullmatch(r"\d{1,4}", base):
        return None  # "12/20" is number/year, not a supplement
    return base


def supplement_number(reference: str | None) -> int | None:
    """The running number of a supplement (``21-15513-02`` gives 2), else None."""
    if parent_reference(reference) is None:
        return None
    m = _SUPPLEMENT.match(reference.strip())  # type: ignore[union-attr]
    return int(m["n"]) if m else None
