"""Paper list pages: ALLRIS classic vo040 (real), ALLRIS 4 vo040 and SessionNet vo0040 (modelled)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ratsinfo.core.errors import ParseError
from ratsinfo.ingest.parsers.detect import parse_paper_list

FIXTURES = Path(__file__).resolve().parent / "fixtures"
VO040 = "allris/classic-3.9.5_hamburg/hamburg_nord_lists/vo040.html"
NORD = "https://sitzungsdienst-hamburg-nord.hamburg.de/bi/"


@pytest.mark.corpus
def test_allris_classic_vo040(corpus_dir: Path) -> None:
    page = parse_paper_list((corpus_dir / VO040).read_bytes(), NORD + "vo040.asp")
    assert len(page.entries) == 50
    assert page.total == 19200
    assert page.next_urls == [NORD + "vo040.asp?shownext=true"]
    first = page.entries[0].to_dict()
    assert first == {
        "url": NORD + "vo020.asp?VOLFDNR=1016851",
        "id": "1016851",
        "reference": "22-2402",
        "name": "Bezirkliche Sondermittel Antrag der GRÜNE-Fraktion",
        "date": "2026-07-07",
        "paperType": "Antrag",
        "fingerprint": first["fingerprint"],
        "hasAttachments": False,
    }
    by_ref = {e.reference: e for e in page.entries}
    assert by_ref["22-2367.1"].extra["hasAttachments"] is True
    assert by_ref["22-2173.1.1"].name == (
        "Finanzierung zur Bereitstellung von Periodenartikeln auf öffentlichen Toiletten in öffentlichen "
        "Gebäuden im Bezirk Hamburg-Nord sicherstellen Stellungnahme der Finanzbehörde"
    )
    assert len({e.fingerprint for e in page.entries}) == 50
    assert all(e.date and e.paper_type and e.reference for e in page.entries)


@pytest.mark.corpus
def test_fingerprint_tells_a_changed_row(corpus_dir: Path) -> None:
    content = (corpus_dir / VO040).read_bytes()
    before = {e.id: e.fingerprint for e in parse_paper_list(content, NORD + "vo040.asp").entries}
    changed = content.replace(
        "22-2396&nbsp;Bezirkliche Sondermittel".encode("latin-1"),
        "22-2396&nbsp;Bezirkliche Sondermittel (neu)".encode("latin-1"),
    )
    with_attachment = changed.replace(
        b'value="1016838"  /><input type="submit" class="il1_vo" value="VO" title="Drucksache"  />',
        b'value="1016838"  /><input type="submit" class="il1_vo" value="VO" title="Drucksache"  />'
        b'<img src="images/attmnt.gif" alt="Enth\xe4lt Anlagen" title="Enth\xe4lt Anlagen"  />',
    )
    after = {e.id: e.fingerprint for e in parse_paper_list(with_attachment, NORD + "vo040.asp").entries}
    assert {k for k in before if before[k] != after[k]} == {"1016845", "1016838"}


def test_allris4_vo040() -> None:
    url = "https://www.ratsinfo.braunschweig.sitzung-online.de/public/vo040"
    page = parse_paper_list((FIXTURES / "allris4_vo040.html").read_bytes(), url)
    assert [e.reference for e in page.entries] == ["21-15513-01", "21-15498", "21-15513"]
    first = page.entries[0]
    assert first.url == "https://www.ratsinfo.braunschweig.sitzung-online.de/public/vo020?VOLFDNR=1017623"
    assert (first.id, first.date, first.paper_type) == ("1017623", "2021-03-18", "Stellungnahme")
    assert first.name == "Sachstand zur Umsetzung der Smart City Strategie"
    assert page.entries[1].name == "Neufassung der Entgeltordnung für städtische Sportanlagen"
    assert page.total == 231
    # the pager is a Wicket listener: valid in the session that rendered the list, and only "next"
    assert page.next_urls == [url + "?3-1.-vo040Table-topToolbars-toolbars-1-span-navigator-next"]


def test_sessionnet_vo0040() -> None:
    url = "https://ris.kaiserslautern.de/buergerinfo/vo0040.asp"
    page = parse_paper_list((FIXTURES / "sessionnet_vo0040.html").read_bytes(), url)
    assert [(e.id, e.reference, e.date, e.paper_type) for e in page.entries] == [
        ("19902", "0463/2026", "2026-10-08", "Beschlussvorlage"),
        ("19897", "0459/2026", "2026-10-06", "Beschlussvorlage"),
        ("19890", "0455/2026", "2026-10-01", "Anfrage"),
    ]
    assert page.entries[1].name == 'Bebauungsplan "Am Betzenberg" - Aufstellungsbeschluss'
    assert page.entries[0].url == "https://ris.kaiserslautern.de/buergerinfo/vo0050.asp?__kvonr=19902"
    assert page.next_url == "https://ris.kaiserslautern.de/buergerinfo/vo0040.asp?__cselect=0&__cpage=2"
    assert page.total == 37


def test_sessionnet_fingerprint_sees_a_new_document() -> None:
    content = (FIXTURES / "sessionnet_vo0040.html").read_bytes()
    before = [e.fingerprint for e in parse_paper_list(content).entries]
    added = content.replace(
        b'Aufstellungsbeschluss</div></td><td class="smc-t-cl991 sidocs">',
        b'Aufstellungsbeschluss</div></td><td class="smc-t-cl991 sidocs">'
        b'<a href="getfile.asp?id=128600&type=do">Beschlussvorlage</a>',
    )
    after = [e.fingerprint for e in parse_paper_list(added).entries]
    assert [b != a for b, a in zip(before, after, strict=True)] == [False, True, False]


@pytest.mark.corpus
def test_a_paper_page_is_not_a_list(corpus_dir: Path) -> None:
    with pytest.raises(ParseError, match="not an ALLRIS paper list"):
        parse_paper_list((corpus_dir / "allris/classic-3.9.5_hamburg/altona/to010.html").read_bytes())
    with pytest.raises(ParseError, match="not a SessionNet paper list"):
        parse_paper_list((FIXTURES / "sessionnet_vo0053-19902.html").read_bytes())
