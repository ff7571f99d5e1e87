"""Paper references in text, in every vendor's format, and links to known papers."""

from __future__ import annotations

import json

import pytest

from ratsinfo.core.references import parent_reference
from ratsinfo.nlp.references import (
    find_references,
    link_targets,
    normalise_reference,
    reference_index,
    references_in,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stellungnahme zur Anfrage 21-15513-01", ["21-15513-01"]),  # ALLRIS supplement
        ("siehe 22-2362 (Bezirksversammlung)", ["22-2362"]),  # Hamburg
        ("Beschlussvorlage 469/2026 der Gemeinde", ["469/2026"]),  # SessionNet number/year
        ("Vorlage VO/2026/181 und UV/0190/2026", ["VO/2026/181", "UV/0190/2026"]),
        ("BV/473/2026", ["BV/473/2026"]),
        ("Vorlage Nr.: 2013/0050 sowie 2026/0065/1", ["2013/0050", "2026/0065/1"]),  # Karlsruhe
        ("Antrag DHH/2023/1701", ["DHH/2023/1701"]),
        ("Drucksache Nr. 1234 und Drs. 21/1234", ["1234", "21/1234"]),  # keyword makes a reference
        ("Drucksachen-Nr. 12/345", ["12/345"]),
        ("VO / 2026 / 181", ["VO/2026/181"]),  # spaces normalised
    ],
)
def test_formats(text: str, expected: list[str]) -> None:
    assert references_in(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Zeitraum 2005/2006 und Saison 2019/20",  # spans of years
        "Tel. 0721/133-1234",  # phone numbers
        "am 20.05.2026 um 16.1",  # dates, agenda items
        "§ 34 Abs. 4 Nr. 3 BauGB; Antrag Nr. 3",  # paragraphs and list items
        "3/4 der Fläche, 12.5/2020, PLZ 76133, 2005 - 2009",
    ],
)
def test_not_references(text: str) -> None:
    assert references_in(text) == []


def test_match_positions_and_kinds() -> None:
    text = "Vorlage VO/2026/181 und 469/2026"
    found = find_references(text)
    assert [(text[r.start : r.end], r.kind) for r in found] == [
        ("VO/2026/181", "keyword"),
        ("469/2026", "number-year"),
    ]


def test_links_to_known_papers_only() -> None:
    known = reference_index([("21-15513", "p1"), ("2013/0050", "p2"), ("2026/0065", "p3"), (None, "p4")])
    text = "Bezug: 21-15513, 2013/0050, 2026/0065/1 (Ergänzung), 99-99999 (unbekannt), 21-15513 nochmal"
    assert link_targets(text, known) == ["p1", "p2", "p3"]
    assert link_targets(text, known, own="21-15513") == ["p2", "p3"]
    assert link_targets(None, known) == []


def test_core_api_unchanged() -> None:
    assert parent_reference("21-15513-01") == "21-15513"
    assert parent_reference("469/2026") is None
    assert normalise_reference(" 2013 / 0050 ") == "2013/0050"


@pytest.mark.corpus
def test_real_file_texts_name_their_own_papers(corpus_dir) -> None:
    """Karlsruhe's PDFs print "Vorlage Nr.: 2013/0050": the paper's own number is found."""
    base = corpus_dir / "oparl" / "real" / "karlsruhe_session_digital"
    refs = {}
    for p in base.glob("papers/*.json"):
        data = json.loads(p.read_text())
        for f in [data.get("mainFile"), *(data.get("auxiliaryFile") or [])]:
            if f:
                refs[f["id"]] = data["reference"]
    hits = total = 0
    for meta in base.glob("file-texts/*.json"):
        fid = json.loads(meta.read_text())["id"]
        if fid not in refs:
            continue
        total += 1
        hits += refs[fid] in references_in(meta.with_suffix(".txt").read_text())
    assert total > 20
    assert hits / total > 0.6
