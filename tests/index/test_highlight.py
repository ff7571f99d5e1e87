"""Snippets: the query's words marked in the text, found through the same analysis as the index."""

from __future__ import annotations

from ratsinfo.index.highlight import Highlighter
from ratsinfo.index.plan import compile_query
from ratsinfo.index.query import parse_query

TEXT = (
    "Der Rat beschließt den Glasfaserausbau in den Gewerbegebieten. Die Schulen erhalten bis 2026 einen "
    "Anschluss an das Glasfasernetz. "
    + "Weitere Ausführungen zur Finanzierung folgen. " * 20
    + "Für die Digitalisierung der Verwaltung ist eine Smart-City-Strategie vorgesehen; kein WLAN."
)


def snippet(query: str, text: str = TEXT) -> str | None:
    return Highlighter.for_plan(compile_query(parse_query(query))).snippet(text)


def test_compounds_and_inflections_are_marked() -> None:
    out = snippet("Glasfaser Schule")
    assert "<mark>Glasfaserausbau</mark>" in out and "<mark>Glasfasernetz</mark>" in out
    assert "<mark>Schulen</mark>" in out
    assert "<mark>beschließt</mark>" in snippet("beschliessen")


def test_best_passages_and_context() -> None:
    out = snippet("Digitalisierung Glasfaser")
    assert out.count(" … ") == 1  # two passages: the beginning and the end
    assert out.startswith("Der Rat") and "<mark>Digitalisierung</mark>" in out
    assert len(out) < 600


def test_negated_function_and_absent_words_are_not_marked() -> None:
    out = snippet("Glasfaser -WLAN")
    assert "<mark>WLAN</mark>" not in (out or "")
    assert "<mark>der</mark>" not in snippet('"Digitalisierung der Verwaltung"')
    assert snippet("Feuerwehr") is None
    assert snippet("betreff:Glasfaser") is None  # the Betreff is shown anyway


def test_prefixes_and_hyphenated_words() -> None:
    assert "<mark>Digitalisierung</mark>" in snippet("digital*")
    assert "<mark>Smart-City-Strategie</mark>" in snippet('"Smart City"')
