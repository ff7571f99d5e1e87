"""Vendor detection from markup and URL, and the parser interface."""

from __future__ import annotations

from pathlib import Path

import pytest

from ratsinfo.core.record import PaperRecord
from ratsinfo.ingest.parsers.allris import AllrisClassicParser, AllrisModernParser, split_title
from ratsinfo.ingest.parsers.base import PageParser, body_from_title
from ratsinfo.ingest.parsers.detect import PARSERS, detect_vendor
from ratsinfo.ingest.parsers.sessionnet import SessionNetParser

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "samples" / "allris4" / "vo020-21-15513-01.html"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize(
    "url, vendor",
    [
        ("https://sitzungsdienst-altona.hamburg.de/bi/vo020.asp?VOLFDNR=1018473", "allris"),
        ("https://kis.lkos.de/bi/vo020_r.asp?VOLFDNR=4010", "allris"),
        ("https://gremieninfo.trier.de/public/vo020?VOLFDNR=1001540", "allris"),
        ("https://ris.kaiserslautern.de/buergerinfo/vo0050.asp?__kvonr=19902", "sessionnet"),
        ("https://rat.example.de/bi/vo0053.php?__kvonr=43205", "sessionnet"),
        ("https://www.example.org/aktuelles.html", None),
        (None, None),
    ],
)
def test_vendor_from_the_url_alone(url: str | None, vendor: str | None) -> None:
    assert detect_vendor(url, b"") == vendor


def test_markup_wins_over_a_misleading_url() -> None:
    sessionnet_url = "https://ris.example.de/buergerinfo/vo0050.asp?__kvonr=1"
    assert detect_vendor(sessionnet_url, SEED.read_bytes()) == "allris"
    assert (
        detect_vendor(
            "https://ris.example.de/bi/vo020.asp?VOLFDNR=1",
            (FIXTURES / "sessionnet_vo0040.html").read_bytes(),
        )
        == "sessionnet"
    )


def test_flavours() -> None:
    seed = SEED.read_text(encoding="utf-8")
    assert AllrisModernParser().detect(None, seed)
    assert not AllrisClassicParser().detect(None, seed)
    assert not SessionNetParser().detect(None, seed)
    assert AllrisClassicParser().detect("https://x.de/bi/vo020.asp?VOLFDNR=1", "")


def test_every_parser_implements_the_interface() -> None:
    assert {p.vendor for p in PARSERS} == {"allris", "sessionnet"}
    for parser in PARSERS:
        assert isinstance(parser, PageParser) and parser.flavour


def test_parse_paper_from_bytes() -> None:
    record = AllrisModernParser().parse_paper(SEED.read_bytes(), None, "text/html; charset=utf-8")
    assert isinstance(record, PaperRecord) and record.reference == "21-15513-01"


@pytest.mark.parametrize(
    "title, kind, expected",
    [
        ("Drucksache - 22-2402", "Antrag", ("22-2402", "Drucksache")),
        (
            "VO/2026/181 - öffentliche Beschlussvorlage",
            "öffentliche Beschlussvorlage",
            ("VO/2026/181", "öffentliche Beschlussvorlage"),
        ),
        ("Antrag - 469/2026", None, ("469/2026", "Antrag")),
        ("Stellungnahme - 21-15513-01", None, ("21-15513-01", "Stellungnahme")),
        ("21-15513", None, ("21-15513", None)),
    ],
)
def test_number_and_kind_from_the_headline(title: str, kind: str | None, expected: tuple) -> None:
    assert split_title(title, kind) == expected


@pytest.mark.parametrize(
    "title, body",
    [
        ("Bezirksversammlung Hamburg-Nord", "Bezirksversammlung Hamburg-Nord"),
        ("Bürgerinformationssystem der Stadt Koblenz", "Stadt Koblenz"),
        ("Bürgerinformationssystem Winnweiler", None),
        ("", None),
    ],
)
def test_body_from_a_headline(title: str, body: str | None) -> None:
    assert body_from_title(title) == body
