"""Each way real RIS pages lie, on a small handmade page."""

from __future__ import annotations

import pytest

from ratsinfo.core.record import FileRef
from ratsinfo.ingest.parsers.base import merge_files
from ratsinfo.ingest.parsers.detect import parse_page
from ratsinfo.ingest.parsers.html import decode_html, make_soup, text_lines, text_of

URL4 = "https://ris.example.de/public/vo020?VOLFDNR=4711"
URL3 = "https://ris.example.de/bi/vo020.asp?VOLFDNR=4711"


SPLIT = "Neubau der Mobilitä<span>tsstation</span> am Bahnhof"


def allris4(
    rows: str = "",
    bf_rows: str = "",
    extra: str = "",
    title: str = "Beschlussvorlage - 2026/0815",
    charset: str = "utf-8",
    betreff: str = SPLIT,
) -> str:
    """A minimal ALLRIS 4 paper page in the real markup conventions."""
    base_rows = f"""<div class="row"><dl><dt class="colTitle"><span class="label">
<a aria-describedby="vobetreff">Betreff:</a></span></dt>
<dd class="colEntry3"><span class="text1" id="vobetreff"><p>{betreff}</p></span></dd></dl></div>"""
    return f"""<!DOCTYPE html><html lang="de"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}"/>
<meta name="description" content="ALLRIS net Version 4.1.7 (4170041) - 01.10.2026" />
<title>ALLRIS - Vorlage</title></head>
<body><div id="allris"><main id="pageContent">
<div class="header"><h1 class="title">{title}</h1></div>
<div id="head"><div id="headLeft">{base_rows}{rows}</div><div id="headRight">{extra}</div></div>
<div id="mainContent">
<table class="dataTable bfTable"><thead><tr class="headers"><th class="colorCol"><span>Status</span></th>
<th><span>Datum</span></th><th><span>Gremium</span></th><th><span>Beschluss</span></th>
<th class="toLink"><span>NA</span></th></tr></thead><tbody>{bf_rows}</tbody></table>
</div></main></div>
<script>document.getElementById('allris').setAttribute('class', 'vo020 normal');</script>
</body></html>"""


def row(label: str, value: str, ident: str = "x") -> str:
    return (
        f'<div class="row"><dl><dt class="colTitle"><span class="label"><a aria-describedby="{ident}">'
        f'{label}</a></span></dt><dd class="colEntry3"><span class="text4" id="{ident}">{value}</span>'
        "</dd></dl></div>"
    )


def classic(betreff: str, sections: str = "", rows: str = "", charset: str = "iso-8859-1") -> str:
    """A minimal ALLRIS net 3.9.5 classic paper page."""
    return f"""<?xml version="1.0" encoding="{charset}"?>
<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml"><head>
<meta http-equiv="content-type" content="text/html; charset={charset}" />
<title>Vorlage</title><meta name="description" content="ALLRIS net Version 3.9.5 (221117m)" /></head>
<body><div id="allriscontainer" class="vo020"><div id="risname"><h1>Vorlage - 2026/0815&nbsp;&nbsp;</h1></div>
<table class="tk1"><tr><td class="kb1">Betreff:</td><td class="text1" colspan="3">{betreff}</td></tr>
<tr><td class="kb1">Status:</td><td class="text3">öffentlich</td><td class="kb1">Vorlage-Art:</td>
<td class="text4">Beschlussvorlage</td></tr>{rows}</table>
<hr />{sections}</div></body></html>"""


# --- encodings ----------------------------------------------------------------------------


def test_iso_8859_1_meta_over_utf8_bytes() -> None:
    page = classic("Zuständigkeit für Grünflächen").encode("utf-8")  # declares iso-8859-1
    assert parse_page(page, URL3).name == "Zuständigkeit für Grünflächen"


def test_utf8_header_over_latin1_bytes() -> None:
    page = allris4(betreff="Straßenbäume in Fürth").encode("latin-1")
    record = parse_page(page, URL4, content_type="text/html; charset=UTF-8")
    assert record.name == "Straßenbäume in Fürth"


def test_utf8_meta_over_cp1252_bytes_keeps_typographic_quotes() -> None:
    page = classic("Antrag „Bäume“ – 2. Lesung", charset="utf-8").encode("cp1252")
    assert parse_page(page, URL3).name == "Antrag „Bäume“ – 2. Lesung"


def test_mixed_utf8_page_with_stray_latin1_bytes() -> None:
    page = (
        classic("Grünflächenamt Übersicht", charset="utf-8")
        .encode("utf-8")
        .replace("Übersicht".encode(), "Übersicht".encode("latin-1"))
    )
    assert parse_page(page, URL3).name == "Grünflächenamt Übersicht"


def test_double_encoded_utf8_is_repaired() -> None:
    garbled = "Grünflächenamt für Straßenbäume".encode().decode("cp1252")
    assert "Ã" in garbled
    decoded = decode_html(classic(garbled, charset="utf-8").encode())
    assert decoded.count("Grünflächenamt für Straßenbäume") == 1


def test_plain_text_with_capital_a_tilde_is_left_alone() -> None:
    assert decode_html("São Tomé und Ã-Zeichen".encode()) == "São Tomé und Ã-Zeichen"


# --- words and markup ---------------------------------------------------------------------


def test_words_split_by_inline_markup_are_joined() -> None:
    record = parse_page(allris4(), URL4)
    assert record.name == "Neubau der Mobilitätsstation am Bahnhof"


@pytest.mark.parametrize(
    "html, expected",
    [
        ("<p><span>Mobilitä</span><span>tsausschuss</span></p>", ["Mobilitätsausschuss"]),
        ("<p><b>Haupt</b><i>ausschuss</i> tagt</p>", ["Hauptausschuss tagt"]),
        ("<p><span>Der</span> <span>Ausschuss</span></p>", ["Der Ausschuss"]),
        ("<p><span>Der</span>\n<span>Ausschuss</span></p>", ["Der Ausschuss"]),
        ("<p>eins</p><p>zwei</p>", ["eins", "zwei"]),
        ("<p>eins<br/>zwei</p>", ["eins", "zwei"]),
        ("<div>Satz <a href='#'>mit Link</a>.</div>", ["Satz mit Link."]),
        ("<ol type='I'><li>erstens</li><li>zweitens</li></ol>", ["I. erstens", "II. zweitens"]),
        ("<ol start='6'><li>sechs</li></ol>", ["6. sechs"]),
        (
            "<table><tr><td>Nr.</td><td>Summe</td></tr><tr><td>1</td><td>1.200,00</td></tr></table>",
            ["Nr. | Summe", "1 | 1.200,00"],
        ),
        ("<table><tr><td><p>nur</p><p>eine Spalte</p></td></tr></table>", ["nur", "eine Spalte"]),
        ("<p>a<script>var x = 1;</script>b</p>", ["ab"]),
    ],
)
def test_text_lines(html: str, expected: list[str]) -> None:
    assert text_lines(make_soup(html).body) == expected


def test_embedded_xml_and_doctype_declarations_stay_out_of_the_text() -> None:
    section = (
        '<!-- ### SV1.rtf -->\n<a name="allrisSV"></a>\n<?xml version="1.0" encoding="iso-8859-1" '
        'standalone="no"?><!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd"><html><head><meta name="generator" '
        'content="Aspose.Words" /><title></title></head><body><div><p><span>Sachverhalt:</span></p>'
        "<p><span>Die Verwaltung berichtet.</span></p></div></body></html><!-- ### AN0.rtf -->"
    )
    record = parse_page(classic("Bericht", section).encode("utf-8"), URL3)
    assert record.text == {"Sachverhalt": "Die Verwaltung berichtet."}
    assert "xml" not in text_of(make_soup(section).body).lower()


def test_nbsp_is_a_space() -> None:
    page = allris4(
        rows=row("Verantwortlich:", "Dr.&nbsp;Kornblum", "voverantwortlich")
        + row("Federführend:", "10&#xa0;&#xa0;Fachbereich\u00a0Zentrale Dienste", "vofamt")
    )
    record = parse_page(page.encode(), URL4)
    assert record.responsible == ["Dr. Kornblum"]
    assert record.under_direction_of == ["10 Fachbereich Zentrale Dienste"]


# --- dates and hidden values ----------------------------------------------------------------


def bf(state_html: str, gremium: str, role: str, date: str, meeting: str, result: str = "") -> str:
    return (
        f'<tr class="even"><td class="colorCol">{state_html}</td><td><div> </div></td>'
        f"<td><div>{gremium}</div></td><td><div>{role}</div></td>"
        "<td class='toLink'><div> </div></td></tr>"
        f'<tr class="odd"><td class="colorCol"><div> </div></td><td class="date"><div>{date}</div></td>'
        f'<td><div><a href="./to010?SILFDNR=1&amp;TOLFDNR=2">{meeting}</a></div></td>'
        f'<td><div><a href="./to020?TOLFDNR=2">{result}</a></div></td>'
        f'<td class="toLink"><div><a href="./to020?TOLFDNR=2" class="objAnchor">NA</a></div></td></tr>'
    )


def test_english_locale_dates_in_the_beratungsfolge() -> None:
    page = allris4(
        bf_rows=bf(
            '<span class="wfcolorDesc">Geplant</span>',
            "Stadtrat",
            "Entscheidung",
            "2026 Oct 21",
            "Sitzung des Stadtrates",
        )
    )
    [step] = parse_page(page.encode(), URL4).consultation
    assert (step.date, step.state, step.role, step.result) == ("2026-10-21", "geplant", "Entscheidung", None)


def test_state_only_in_an_aria_label() -> None:
    page = allris4(
        bf_rows=bf(
            '<div style="background-color:#ffffff" aria-label="Erledigt"> </div>',
            "Kreisausschuss",
            "Beratung",
            "03.09.2026",
            "Sitzung des Kreisausschusses",
            "ungeändert beschlossen",
        )
    )
    [step] = parse_page(page.encode(), URL4).consultation
    assert (step.state, step.result) == ("erledigt", "ungeändert beschlossen")


def test_state_only_in_an_icon_title() -> None:
    page = allris4(
        bf_rows=bf(
            '<img src="images/ampel_gelb.svg" title="Bereit" alt=""/>',
            "Bauausschuss",
            "Vorberatung",
            "01.12.2026",
            "Sitzung des Bauausschusses",
        )
    )
    [step] = parse_page(page.encode(), URL4).consultation
    assert step.state == "bereit"


def test_classic_state_only_in_the_colour_cells_title() -> None:
    rows = """<tr><td class="kb1" colspan="4">Beratungsfolge:</td></tr><tr><td colspan="4"><table>
<tr class="zl12"><td bgcolor="#ffffff" title="Erledigt"></td>
<td class="text1" colspan="3">Ortsgemeinderat</td><td class="text1" colspan="3">Entscheidung</td></tr>
<tr class="zl12"><td bgcolor="#ffffff" title="Erledigt"></td><td class="text2">19.08.2026&nbsp;</td><td></td>
<td><a href="to010.asp?SILFDNR=2169">Sitzung des Ortsgemeinderates</a></td>
<td class="text3">ungeändert beschlossen&nbsp;</td><td>&nbsp;</td>
<td><form action="to020.asp" method="post"><input type="hidden" name="TOLFDNR" value="14811" />
<input type="submit" class="il1_naz" value="NA" title="Auszug" /></form></td></tr></table></td></tr>"""
    [step] = parse_page(classic("Bebauungsplan", rows=rows).encode("latin-1"), URL3).consultation
    assert step.to_dict() == {
        "date": "2026-08-19",
        "organization": "Ortsgemeinderat",
        "meeting": "Sitzung des Ortsgemeinderates",
        "role": "Entscheidung",
        "result": "ungeändert beschlossen",
        "state": "erledigt",
        "authoritative": None,
        "meetingUrl": "https://ris.example.de/bi/to010.asp?SILFDNR=2169",
        "agendaItemUrl": "https://ris.example.de/bi/to020.asp?TOLFDNR=14811",
    }


def test_paper_status_only_as_an_icon() -> None:
    page = allris4(
        rows=row("Status:", '<img src="images/oeffentlich.svg" title="öffentlich" alt=""/>', "vostatus")
    )
    assert parse_page(page.encode(), URL4).status == "öffentlich"


# --- attachments and related papers -------------------------------------------------------


def test_the_same_attachment_listed_twice_is_one_file() -> None:
    aside = """<aside id="anlagenHeaderPanel" class="attachments"><ul><li><div>
<a href="./vo020?1--anlagenHeaderPanel-attachmentsList-0-attachment-link&amp;VOLFDNR=4711"
 class="attlink pdf">Lageplan</a>
</div></li></ul></aside>"""
    table = """<table class="dataTable attachmentTable"><thead><tr><th><span>Nr.</span></th>
<th><span>Name</span></th>
<th><span>Status</span></th><th class="fileSize"><span>Größe</span></th></tr></thead><tbody>
<tr><td><div>1</div></td>
<td><div><a href="./doc?DOCTYP=1&amp;DOLFDNR=99" class="attlink pdf">Lageplan</a></div></td>
<td><div>(wie Dokument)</div></td><td class="fileSize"><div>1,5 MB</div></td></tr></tbody></table>"""
    record = parse_page(allris4(extra=aside + table).encode(), URL4)
    [attachment] = record.file
    assert attachment.name == "Lageplan"
    assert attachment.size == 1572864
    assert attachment.access_url == "https://ris.example.de/public/doc?DOCTYP=1&DOLFDNR=99"
    assert attachment.mime_type == "application/pdf"


def test_session_bound_wicket_links_are_not_kept() -> None:
    aside = (
        '<aside id="anlagenHeaderPanel"><a href="./vo020?1--anlagenHeaderPanel-attachmentsList-0-'
        'attachment-link&amp;VOLFDNR=4711" class="attlink pdf">Plan</a></aside>'
    )
    [attachment] = parse_page(allris4(extra=aside).encode(), URL4).file
    assert attachment.access_url is None and attachment.mime_type == "application/pdf"


def test_different_files_with_the_same_name_stay_apart() -> None:
    files = merge_files(
        [
            FileRef(name="Anlage", access_url="a"),
            FileRef(name="Anlage", access_url="b"),
            FileRef(name="Anlage", size=10),
            FileRef(name="anlage", access_url="a", size=10),
        ]
    )
    assert [(f.access_url, f.size) for f in files] == [("a", 10), ("b", None)]


def test_stellungnahme_relates_to_the_anfrage_it_answers() -> None:
    page = allris4(title="Stellungnahme - 21-15513-01")
    assert parse_page(page.encode(), URL4).related_paper == ["21-15513"]


@pytest.mark.parametrize("reference", ["469/2026", "VO/2026/181", "2026/0815"])
def test_numbers_with_year_are_not_supplements(reference: str) -> None:
    page = allris4(title=f"Antrag - {reference}")
    record = parse_page(page.encode(), URL4)
    assert record.reference == reference and record.related_paper == []


def test_bezueglich_numbers_and_urls_go_into_related_paper() -> None:
    rows = row("Bezüglich:", '<a href="./vo020?VOLFDNR=11">2026/0700</a>', "vobezug") + row(
        "Referenzvorlage:", '<a href="./vo020?VOLFDNR=12"><img src="x.svg" alt=""/></a>', "voref"
    )
    record = parse_page(allris4(title="Stellungnahme - 2026/0815-02", rows=rows).encode(), URL4)
    assert record.related_paper == [
        "2026/0815",
        "2026/0700",
        "https://ris.example.de/public/vo020?VOLFDNR=12",
    ]


def test_classic_bezueglich_and_stammbaum() -> None:
    rows = """<tr><td class="kb1">Bezüglich:</td><td class="text4"><table><tr><td><form action="vo020.asp"
method="post"><input type="hidden" name="VOLFDNR" value="9" /><input type="submit" value="VO" /></form></td>
<td><a href="vo020.asp?VOLFDNR=9">22-1940</a></td></tr></table></td></tr>"""
    stammbaum = """<table class="tk1"><tr valign="top"><td class="kb1" colspan="7">Stammbaum:</td></tr>
<tr><td class="text3"><a href="vo020.asp?VOLFDNR=9">22-1940</a></td><td class="text3">Anfrage</td></tr>
<tr><td class="text3"><a href="vo020.asp?VOLFDNR=10">22-1940.02</a></td><td class="text3">Nachtrag</td></tr>
<tr class="zl11"><td class="text3">2026/0815</td><td class="text3">Antwort</td></tr></table>"""
    record = parse_page(classic("Antwort", stammbaum, rows).encode("latin-1"), URL3)
    assert record.related_paper == ["22-1940", "22-1940.02"]


# --- labels and sections ------------------------------------------------------------------


@pytest.mark.parametrize("label", ["Vorlageart:", "Vorlage-Art:", "Drucksache-Art:", "Art:"])
def test_every_name_of_the_paper_type_label(label: str) -> None:
    page = allris4(title="2026/0815", rows=row(label, "Mitteilungsvorlage", "voart"))
    assert parse_page(page.encode(), URL4).paper_type == "Mitteilungsvorlage"


@pytest.mark.parametrize(
    "label, field",
    [
        ("Federführung:", "under_direction_of"),
        ("Federführend:", "under_direction_of"),
        ("Beteiligt:", "participating"),
        ("Verantwortlich:", "responsible"),
        ("Bearbeiter/-in:", "responsible"),
        ("Verfasser:", "originator"),
        ("Verfasserin:", "originator"),
        ("1. Berichterstattung:", "originator"),
    ],
)
def test_people_and_unit_labels(label: str, field: str) -> None:
    page = allris4(rows=row(label, "Amt 61; Amt 66", "y"))
    record = parse_page(page.encode(), URL4)
    expected = ["Amt 61", "Amt 66"]
    assert getattr(record, field) == expected


def test_name_comma_first_name_is_one_person() -> None:
    page = allris4(
        rows=row("Bearbeiter/-in:", " Luft, Lena", "vobearbeiter")
        + row("Antragsteller:", "SPD-Fraktion, CDU-Fraktion", "voverfasser")
    )
    record = parse_page(page.encode(), URL4)
    assert record.responsible == ["Luft, Lena"]
    assert record.originator == ["SPD-Fraktion", "CDU-Fraktion"]


def test_sections_under_their_own_titles_and_placeholders_dropped() -> None:
    def doc(anchor: str, body: str) -> str:
        return (
            f'<!-- ### {anchor}1.rtf -->\n<a name="allris{anchor}"></a>\n<?xml version="1.0"?>'
            f"<html><body><div>{body}</div></body></html>"
        )

    sections = (
        doc("SV", "<p><span>Sachverhalt:</span><br/><span>Die Straße ist marode.</span></p>")
        + doc("BV", "<p>Petitum/Beschluss:</p><p>Der Ausschuss stimmt zu.</p>")
        + doc("FA", "<p>Keine.</p>")
        + doc("AN", "<p>Anlage/n:</p><p>--- </p>")
    )
    menu = (
        '<tr><td class="me1"><a href="#allrisSV">Sachverhalt</a><br />'
        '<a href="#allrisBV">Beschlussvorschlag</a><br />'
        '<a href="#allrisFA">Finanzielle Auswirkungen</a></td></tr>'
    )
    record = parse_page(classic("Straße", sections, menu).encode("latin-1"), URL3)
    assert record.text == {
        "Sachverhalt": "Die Straße ist marode.",
        "Petitum/Beschluss": "Der Ausschuss stimmt zu.",
        "Finanzielle Auswirkungen": "Keine.",
    }


def test_a_sentence_ending_in_a_colon_is_not_a_heading() -> None:
    section = (
        '<a name="allrisBV"></a><html><body><p>Die Bezirksversammlung möge beschließen:</p>'
        "<p>Zustimmung.</p></body></html>"
    )
    record = parse_page(classic("X", section).encode("latin-1"), URL3)
    assert record.text == {"Beschlussvorschlag": "Die Bezirksversammlung möge beschließen:\nZustimmung."}
