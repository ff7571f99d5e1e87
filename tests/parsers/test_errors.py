"""Pages that are not paper pages, not from a known vendor, empty, truncated or garbled."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ratsinfo.core.errors import ParseError
from ratsinfo.ingest.parsers.allris import AllrisClassicParser
from ratsinfo.ingest.parsers.detect import detect_vendor, parse_page, parse_paper_list
from ratsinfo.ingest.parsers.sessionnet import SessionNetParser

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = ROOT / "data" / "samples" / "allris4" / "vo020-21-15513-01.html"

NOT_PAPERS = [
    ("allris/classic-3.9.5_hamburg/altona/to010.html", "ALLRIS to010 page"),
    ("allris/classic-3.9.5_hamburg/bergedorf/to020.html", "ALLRIS to020 page"),
    ("allris/classic-3.9.5_hamburg/harburg/au020.html", "ALLRIS au020 page"),
    ("allris/classic-3.9.5_hamburg/wandsbek/fr020.html", "ALLRIS fr020 page"),
    ("allris/classic-3.9.5_hamburg/hamburg_nord_lists/vo040.html", "ALLRIS vo040 page"),
    ("allris/classic-3.9.5_hamburg/hamburg_nord_lists/si010_e.html", "ALLRIS si010"),
    ("sessionnet/schiffweiler_4.9.6_php_excerpt/si0057-1192_excerpt.html", "SessionNet si0057 page"),
]


def one_line(exc: pytest.ExceptionInfo[ParseError]) -> str:
    message = str(exc.value)
    assert message and "\n" not in message and len(message) < 300
    return message


@pytest.mark.corpus
@pytest.mark.parametrize("rel, kind", NOT_PAPERS)
def test_non_paper_pages_of_known_vendors(corpus_dir: Path, rel: str, kind: str) -> None:
    url = "https://ris.example.de/bi/" + rel.rsplit("/", 1)[1]
    with pytest.raises(ParseError) as exc:
        parse_page((corpus_dir / rel).read_bytes(), url)
    message = one_line(exc)
    assert "is not a paper page" in message and kind in message and message.startswith(url)


def test_sessionnet_beratungen_tab_is_not_a_paper_page() -> None:
    with pytest.raises(ParseError) as exc:
        parse_page((FIXTURES / "sessionnet_vo0053-19902.html").read_bytes())
    assert "Beratungen tab (vo0053)" in one_line(exc)


@pytest.mark.parametrize(
    "content",
    [
        b"<html><head><title>Stadtwerke</title></head><body><h1>Willkommen</h1><p>Strom.</p></body></html>",
        b"<!DOCTYPE html><html><body><div class='paper'><h1>Drucksache 12/3</h1></div></body></html>",
        b"<html><body><table><tr><td>Betreff:</td><td>Irgendwas</td></tr></table></body></html>",
    ],
)
def test_pages_of_no_known_vendor(content: bytes) -> None:
    with pytest.raises(ParseError) as exc:
        parse_page(content, "https://www.example.org/index.html")
    assert "not from a known RIS vendor" in one_line(exc)
    assert detect_vendor("https://www.example.org/index.html", content) is None


@pytest.mark.parametrize("content", [b"", b"   \n\t ", None])
def test_empty_input(content: bytes | None) -> None:
    with pytest.raises(ParseError) as exc:
        parse_page(content)  # type: ignore[arg-type]
    assert "empty" in one_line(exc)


@pytest.mark.parametrize(
    "content",
    [
        b"Betreff: Haushalt 2027\nStatus: \xf6ffentlich",
        bytes(range(256)) * 4,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
    ],
)
def test_text_and_binary_input(content: bytes) -> None:
    with pytest.raises(ParseError) as exc:
        parse_page(content)
    one_line(exc)


def test_forced_vendor_that_does_not_match() -> None:
    with pytest.raises(ParseError) as exc:
        parse_page(SEED.read_bytes(), vendor="sessionnet")
    assert "is not a paper page" in one_line(exc)
    with pytest.raises(ParseError) as exc:
        parse_page(SEED.read_bytes(), vendor="mandatos")
    assert "unknown RIS vendor" in one_line(exc)


def test_forced_vendor_that_matches() -> None:
    assert parse_page(SEED.read_bytes(), vendor="allris").reference == "21-15513-01"
    assert parse_page(SEED.read_bytes(), vendor="allris4").reference == "21-15513-01"


def test_truncated_page_with_the_essentials_gives_a_partial_record() -> None:
    content = SEED.read_bytes()
    cut = content[: content.index(b"Beratungsfolge</h2>")]
    record = parse_page(cut)
    assert record.reference == "21-15513-01" and record.name.startswith("Sachstand")
    assert record.consultation == [] and record.text == {}


def test_truncated_page_without_the_essentials_is_a_parse_error() -> None:
    content = SEED.read_bytes()
    with pytest.raises(ParseError) as exc:
        parse_page(content[: content.index(b"<main")])
    one_line(exc)


def vendor_pages(corpus: Path | None) -> list[Path]:
    pages = [SEED, SEED.with_name("vo020-21-15513.html"), *sorted(FIXTURES.glob("*.html"))]
    if corpus is not None:
        pages += sorted((corpus / "allris").rglob("*.html")) + sorted((corpus / "sessionnet").rglob("*.html"))
    return pages


@pytest.mark.slow
def test_garbled_and_truncated_pages_only_ever_raise_parse_error(corpus_dir: Path) -> None:
    """Cut every page at 7 points and flip random bytes: a record or a ParseError, nothing else."""
    rng = random.Random(20260923)
    for path in vendor_pages(corpus_dir):
        content = path.read_bytes()
        variants = [content[: len(content) * k // 8] for k in range(1, 8)]
        for _ in range(2):
            noisy = bytearray(content)
            for _ in range(40):
                noisy[rng.randrange(len(noisy))] = rng.randrange(256)
            variants.append(bytes(noisy))
        for variant in variants:
            for parse in (parse_page, parse_paper_list):
                try:
                    result = parse(variant, None)
                except ParseError as exc:
                    assert "\n" not in str(exc)
                    continue
                if parse is parse_page:
                    assert result.name or result.reference


def test_vendor_parsers_reject_each_others_pages() -> None:
    seed = SEED.read_bytes()
    with pytest.raises(ParseError):
        SessionNetParser().parse_paper(seed)
    with pytest.raises(ParseError):
        AllrisClassicParser().parse_paper((FIXTURES / "sessionnet_vo0040.html").read_bytes())
