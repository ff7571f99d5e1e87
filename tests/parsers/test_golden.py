"""Every paper page of the real corpus (and the two Braunschweig samples) against a golden record.

The goldens in tests/golden/parsers/ were written by reading each page: every field was checked
against what the page shows (Betreff, number, kind, status, people, the Beratungsfolge row by row,
documents and attachments, every text section). A diff here means the parser now reads a real
page differently; fix the parser, or, if the page was misread before, the golden.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ratsinfo.core.record import PaperRecord
from ratsinfo.ingest.parsers.detect import detect_vendor, parse_page

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "parsers"
SAMPLES = ROOT / "data" / "samples" / "allris4"
HAMBURG = "allris/classic-3.9.5_hamburg"

# golden name -> (page relative to the corpus, URL it was fetched from; None = parse without URL)
CORPUS_PAGES: dict[str, tuple[str, str | None]] = {
    "hamburg-altona-vo020": (
        f"{HAMBURG}/altona/vo020.html",
        "https://sitzungsdienst-altona.hamburg.de/bi/vo020.asp?VOLFDNR=1018473",
    ),
    "hamburg-bergedorf-vo020": (
        f"{HAMBURG}/bergedorf/vo020.html",
        "https://sitzungsdienst-bergedorf.hamburg.de/bi/vo020.asp?VOLFDNR=1009833",
    ),
    "hamburg-eimsbuettel-vo020": (
        f"{HAMBURG}/eimsbuettel/vo020.html",
        "https://sitzungsdienst-eimsbuettel.hamburg.de/bi/vo020.asp?VOLFDNR=1011853",
    ),
    "hamburg-mitte-vo020": (
        f"{HAMBURG}/hamburg_mitte/vo020.html",
        "https://sitzungsdienst-hamburg-mitte.hamburg.de/bi/vo020.asp?VOLFDNR=1020365",
    ),
    "hamburg-nord-vo020": (
        f"{HAMBURG}/hamburg_nord/vo020.html",
        "https://sitzungsdienst-hamburg-nord.hamburg.de/bi/vo020.asp?VOLFDNR=1016851",
    ),
    "hamburg-harburg-vo020": (
        f"{HAMBURG}/harburg/vo020.html",
        "https://sitzungsdienst-harburg.hamburg.de/bi/vo020.asp?VOLFDNR=1014761",
    ),
    "hamburg-wandsbek-vo020": (
        f"{HAMBURG}/wandsbek/vo020.html",
        "https://sitzungsdienst-wandsbek.hamburg.de/bi/vo020.asp?VOLFDNR=1025666",
    ),
    "lkos-vo020_r-4010": (
        "allris/allris3_responsive_lkos_excerpt/vo020_r-4010_excerpt.html",
        "https://kis.lkos.de/bi/vo020_r.asp?VOLFDNR=4010",
    ),
    "trier-vo020-1001540": (
        "allris/allris4_trier/vo020-1001540.html",
        "https://gremieninfo.trier.de/public/vo020?VOLFDNR=1001540",
    ),
    "kaiserslautern-vo0050-19902": (
        "sessionnet/kaiserslautern_5.4.6_asp/vo0050-19902.html",
        "https://ris.kaiserslautern.de/buergerinfo/vo0050.asp?__kvonr=19902",
    ),
    "koblenz-vo0050-43205": ("sessionnet/koblenz_5.4.7_php/vo0050-43205.php.html", None),
}

SAMPLE_PAGES: dict[str, tuple[str, str]] = {
    "braunschweig-vo020-21-15513-01": (
        "vo020-21-15513-01.html",
        "https://www.ratsinfo.braunschweig.sitzung-online.de/public/vo020?VOLFDNR=1017623",
    ),
    "braunschweig-vo020-21-15513": (
        "vo020-21-15513.html",
        "https://www.ratsinfo.braunschweig.sitzung-online.de/public/vo020?VOLFDNR=1017208",
    ),
}


def golden(name: str) -> dict:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(CORPUS_PAGES))
def test_corpus_page_matches_golden(corpus_dir: Path, name: str) -> None:
    rel, url = CORPUS_PAGES[name]
    record = parse_page((corpus_dir / rel).read_bytes(), url)
    assert record.to_dict() == golden(name)


@pytest.mark.parametrize("name", sorted(SAMPLE_PAGES))
def test_sample_page_matches_golden(name: str) -> None:
    file, url = SAMPLE_PAGES[name]
    record = parse_page((SAMPLES / file).read_bytes(), url)
    assert record.to_dict() == golden(name)


@pytest.mark.corpus
def test_every_corpus_paper_page_has_a_golden(corpus_dir: Path) -> None:
    pages = {
        str(p.relative_to(corpus_dir))
        for base in ("allris", "sessionnet")
        for p in (corpus_dir / base).rglob("*.html")
        if p.name.startswith(("vo020", "vo0050"))
    }
    assert pages == {rel for rel, _ in CORPUS_PAGES.values()}


@pytest.mark.parametrize("name", sorted([*CORPUS_PAGES, *SAMPLE_PAGES]))
def test_golden_is_a_normalised_record(name: str) -> None:
    """Goldens obey the spec's value rules: no empty strings, NFC, the record round-trips."""
    data = golden(name)
    assert PaperRecord.from_dict(data).normalised().to_dict() == data
    assert data["source"] in ("allris", "sessionnet")
    assert data["name"]


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(CORPUS_PAGES))
def test_corpus_page_vendor(corpus_dir: Path, name: str) -> None:
    rel, url = CORPUS_PAGES[name]
    content = (corpus_dir / rel).read_bytes()
    assert detect_vendor(url, content) == rel.split("/")[0]
    assert detect_vendor(None, content) == rel.split("/")[0]


@pytest.mark.corpus
def test_web_falls_back_to_the_pages_own_mail_link(corpus_dir: Path) -> None:
    """``ratsinfo parse FILE`` has no URL: the "Seite versenden" link still names the page."""
    record = parse_page((corpus_dir / HAMBURG / "altona" / "vo020.html").read_bytes())
    assert record.web == "http://sitzungsdienst-altona.hamburg.de/bi/vo020.asp?VOLFDNR=1018473"
    assert (
        record.file[0].access_url
        == "http://sitzungsdienst-altona.hamburg.de/bi/do027.asp?DOLFDNR=1543908&options=64"
    )
    trier = parse_page((corpus_dir / "allris/allris4_trier/vo020-1001540.html").read_bytes())
    assert trier.web == "https://gremieninfo.trier.de/public/vo020?VOLFDNR=1001540"
