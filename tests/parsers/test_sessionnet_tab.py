"""The SessionNet Beratungen tab (vo0053), and merging it into the paper record."""

from __future__ import annotations

from pathlib import Path

import pytest

from ratsinfo.core.errors import ParseError
from ratsinfo.core.record import Consultation, PaperRecord
from ratsinfo.ingest.parsers.base import merge_consultations
from ratsinfo.ingest.parsers.detect import parse_consultations, parse_page
from ratsinfo.ingest.parsers.sessionnet import parse_paper_with_consultations

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TAB = FIXTURES / "sessionnet_vo0053-19902.html"
BASE = "https://ris.kaiserslautern.de/buergerinfo/"
PAPER = "sessionnet/kaiserslautern_5.4.6_asp/vo0050-19902.html"

EXPECTED = [
    {
        "date": "2026-10-13",
        "organization": "Personalausschuss",
        "meeting": None,
        "role": "Vorberatung",
        "result": None,
        "state": None,
        "authoritative": None,
        "public": False,
    },
    {
        "date": "2026-10-20",
        "organization": "Haupt- und Finanzausschuss",
        "meeting": "Haupt- und Finanzausschuss 20.10.2026",
        "role": "Vorberatung",
        "result": "einstimmig empfohlen",
        "state": None,
        "authoritative": None,
        "agendaItemNumber": "Ö 5",
        "public": True,
        "meetingUrl": BASE + "si0057.asp?__ksinr=4711&toselect=61024",
        "agendaItemUrl": BASE + "to0050.asp?__ktonr=61024",
    },
    {
        "date": "2026-11-09",
        "organization": "Stadtrat",
        "meeting": "Stadtrat 09.11.2026",
        "role": "Entscheidung",
        "result": None,
        "state": None,
        "authoritative": None,
        "agendaItemNumber": "Ö 12",
        "public": True,
        "meetingUrl": BASE + "si0057.asp?__ksinr=4725",
    },
]


def test_beratungen_tab() -> None:
    steps = parse_consultations(TAB.read_bytes(), BASE + "vo0053.asp?__kvonr=19902")
    assert [s.to_dict() for s in steps] == EXPECTED


@pytest.mark.corpus
def test_tab_merged_into_the_paper(corpus_dir: Path) -> None:
    record = parse_paper_with_consultations(
        (corpus_dir / PAPER).read_bytes(),
        TAB.read_bytes(),
        BASE + "vo0050.asp?__kvonr=19902",
        BASE + "vo0053.asp?__kvonr=19902",
    )
    assert [c.to_dict() for c in record.consultation] == EXPECTED
    assert record.reference == "0463/2026" and len(record.file) == 3
    assert record.body == "Stadtrat"  # the plenary of the Beratungsfolge; the page names no body


def test_merge_completes_known_steps_and_keeps_the_record_values() -> None:
    record = PaperRecord(
        source="sessionnet",
        name="X",
        consultation=[
            Consultation(date="2026-10-20", organization="Haupt- und Finanzausschuss", result="vertagt")
        ],
    )
    merged = merge_consultations(
        record,
        [
            Consultation(
                date="2026-10-20",
                organization="Haupt- und finanzausschuss",
                role="Vorberatung",
                result="empfohlen",
            ),
            Consultation(date="2026-11-09", organization="Stadtrat", role="Entscheidung"),
        ],
    )
    assert [(c.organization, c.role, c.result) for c in merged.consultation] == [
        ("Haupt- und Finanzausschuss", "Vorberatung", "vertagt"),
        ("Stadtrat", "Entscheidung", None),
    ]
    assert record.consultation[0].role is None  # the input record is left alone


def test_sessionnet_4_table_style_beratungen_inline() -> None:
    """SessionNet 4.x shows label/value tables, sizes inside the links and the Beratungen inline."""
    page = """<html><head><meta name="author" content="Somacos GmbH &amp; Co. KG, SessionNet 4.9.6 bi">
<title>SessionNet | Vorlage</title></head><body class="smc-body"><div id="smc_page_vo0050_contenttable1">
<table id="smctablevorgang" class="smctablevorgang"><tbody>
<tr><td class="smctablehead">Betreff:</td><td class="smctablecontent">Sanierung der Sporthalle Nord</td></tr>
<tr><td class="smctablehead">Status:</td><td class="smctablecontent">öffentlich</td></tr>
<tr><td class="smctablehead">Vorlage-Art:</td><td class="smctablecontent">Beschlussvorlage</td></tr>
<tr><td class="smctablehead">Datum:</td><td class="smctablecontent">02.09.2026</td></tr>
<tr><td class="smctablehead">Federführend:</td><td class="smctablecontent">Amt 65 Gebäudewirtschaft</td></tr>
<tr><td class="smctablehead">Vorlagen-Nr.:</td><td class="smctablecontent">BV/473/2026</td></tr>
</tbody></table>
<table summary="Inhalt der Tabelle: Beratungen der Vorlage" class="smccontenttable"><thead><tr>
<th>Datum</th><th>Gremium</th><th>TOP</th><th>Beschlussart</th></tr></thead><tbody>
<tr><td><a href="si0050.php?__ksinr=1192">28.09.2026</a></td><td>Hauptausschuss</td><td>Ö 2</td>
<td>ungeändert beschlossen</td></tr></tbody></table>
<a href="getfile.php?id=56629&amp;type=do" title="Vorlage">Vorlage <span class="smcwrapsmall smcdosize"
 title="Dateigröße">347&nbsp;KB </span></a></div></body></html>"""
    url = "https://biswl.example.de/vo0050.php?__kvonr=3194"
    record = parse_page(page.encode(), url)
    assert (record.name, record.reference, record.paper_type, record.date, record.status) == (
        "Sanierung der Sporthalle Nord",
        "BV/473/2026",
        "Beschlussvorlage",
        "2026-09-02",
        "öffentlich",
    )
    assert record.under_direction_of == ["Amt 65 Gebäudewirtschaft"]
    assert record.id == "3194"
    [step] = record.consultation
    assert (step.date, step.organization, step.result, step.extra["agendaItemNumber"]) == (
        "2026-09-28",
        "Hauptausschuss",
        "ungeändert beschlossen",
        "Ö 2",
    )
    assert step.extra["meetingUrl"] == "https://biswl.example.de/si0050.php?__ksinr=1192"
    [doc] = record.file
    assert (doc.name, doc.size, doc.access_url) == (
        "Vorlage",
        355328,
        "https://biswl.example.de/getfile.php?id=56629&type=do",
    )


def test_a_paper_page_is_not_a_beratungen_tab(corpus_dir: Path) -> None:
    with pytest.raises(ParseError, match="shows no Beratungsfolge"):
        parse_consultations((corpus_dir / PAPER).read_bytes())
    with pytest.raises(ParseError, match="not a SessionNet Beratungen tab"):
        parse_consultations((FIXTURES / "sessionnet_vo0040.html").read_bytes())
    with pytest.raises(ParseError, match="not a SessionNet page"):
        parse_consultations(b"<html><body><p>nichts</p></body></html>")
