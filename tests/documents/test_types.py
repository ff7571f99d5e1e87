"""File types other than PDF, type sniffing, and the limits checked before extraction."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from ratsinfo.ingest.documents import Limits, extract_file, sniff
from ratsinfo.ingest.documents.pdfgen import Document

HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="iso-8859-1"><title>Vorlage 2025/123</title>
<style>p { color: red }</style><script>var x = "nicht sichtbar";</script></head>
<body><h1>Beschlussvorlage Radverkehr</h1>
<p>Die Verwaltung wird beauftragt, die <b>Fahrrad</b>stra&szlig;e einzurichten.<br>Kosten: 12.000 &euro;</p>
<table><tr><th>Gremium</th><th>Datum</th></tr><tr><td>Bauausschuss</td><td>12.03.2025</td></tr></table>
</body></html>"""


def test_html_text_without_scripts_and_with_table_rows(tmp_path: Path) -> None:
    path = tmp_path / "vorlage.html"
    path.write_bytes(HTML_PAGE.encode("cp1252"))
    result = extract_file(path)
    assert result.error is None
    assert result.mime_type == "text/html"
    text = result.pages[0].text
    assert "Die Verwaltung wird beauftragt, die Fahrradstraße einzurichten.\nKosten: 12.000 €" in text
    assert "Gremium\tDatum\nBauausschuss\t12.03.2025" in text
    assert "nicht sichtbar" not in text and "color" not in text


@pytest.mark.parametrize("encoding", ["utf-8", "cp1252", "utf-8-sig"])
def test_plain_text_in_any_common_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "notiz.txt"
    path.write_bytes("Öffentliche Sitzung\r\nÜber Straßenbäume und Grünflächen\n".encode(encoding))
    result = extract_file(path)
    assert result.error is None
    assert result.to_dict()["pages"] == [
        {
            "page": 1,
            "text": "Öffentliche Sitzung\nÜber Straßenbäume und Grünflächen",
            "method": "text",
            "confidence": None,
        }
    ]


def test_plain_text_with_form_feeds_has_pages(tmp_path: Path) -> None:
    path = tmp_path / "seiten.txt"
    path.write_text("Seite eins\fSeite zwei\f", encoding="utf-8")
    assert [p.text for p in extract_file(path).pages] == ["Seite eins", "Seite zwei"]


def _zip(path: Path, members: dict[str, str]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return path


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="{W_NS}"><w:body>
<w:p><w:r><w:t>Antrag zur </w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t>Schulwegsicherheit</w:t></w:r></w:p>
<w:p><w:r><w:t>Begründung</w:t><w:br/><w:t>Zweite Zeile</w:t></w:r>
<w:del><w:r><w:delText>gelöscht</w:delText></w:r></w:del></w:p>
<w:tbl>
<w:tr><w:tc><w:p><w:r><w:t>Maßnahme</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Kosten</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:p><w:r><w:t>Zebrastreifen</w:t></w:r></w:p></w:tc>
<w:tc><w:p><w:r><w:t>8.000 €</w:t></w:r></w:p></w:tc></w:tr>
</w:tbl>
</w:body></w:document>"""

ODF = "urn:oasis:names:tc:opendocument:xmlns"
ODT_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="{ODF}:office:1.0" xmlns:text="{ODF}:text:1.0"
 xmlns:table="{ODF}:table:1.0">
<office:body><office:text>
<text:h>Niederschrift Ortsbeirat</text:h>
<text:p>Beginn:<text:s text:c="2"/>19 Uhr<text:line-break/>Ort: Bürgerhaus</text:p>
<table:table>
<table:table-row><table:table-cell><text:p>TOP</text:p></table:table-cell>
<table:table-cell><text:p>Thema</text:p></table:table-cell></table:table-row>
<table:table-row><table:table-cell><text:p>1</text:p></table:table-cell>
<table:table-cell><text:p>Spielplatz Süd</text:p></table:table-cell></table:table-row>
</table:table>
</office:text></office:body></office:document-content>"""


def test_docx(tmp_path: Path) -> None:
    path = _zip(tmp_path / "antrag.docx", {"[Content_Types].xml": "<Types/>", "word/document.xml": DOCX_XML})
    result = extract_file(path)
    assert result.error is None and result.mime_type == sniff.DOCX
    assert result.pages[0].text == (
        "Antrag zur Schulwegsicherheit\nBegründung\nZweite Zeile\nMaßnahme\tKosten\nZebrastreifen\t8.000 €"
    )


def test_odt(tmp_path: Path) -> None:
    path = _zip(
        tmp_path / "niederschrift.odt",
        {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": ODT_XML},
    )
    result = extract_file(path)
    assert result.error is None and result.mime_type == sniff.ODT
    assert (
        result.pages[0].text
        == "Niederschrift Ortsbeirat\nBeginn: 19 Uhr\nOrt: Bürgerhaus\nTOP\tThema\n1\tSpielplatz Süd"
    )


def test_legacy_doc_is_unsupported_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "alt.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    result = extract_file(path)
    assert result.pages == []
    assert result.error is not None and result.error.startswith("unsupported file type: legacy Word document")


def test_broken_docx_is_an_error(tmp_path: Path) -> None:
    path = _zip(tmp_path / "kaputt.docx", {"word/document.xml": "<w:document><unclosed>"})
    result = extract_file(path)
    assert result.error is not None and "corrupt document XML" in result.error


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"%PDF-1.7\n...", sniff.PDF),
        (b"\r\n\r\n%PDF-1.4 junk before the header", sniff.PDF),
        (b"<!DOCTYPE html><html><body>Login</body></html>", sniff.HTML),
        (b"\xef\xbb\xbf  <html lang='de'><head><title>Fehler</title>", sniff.HTML),
        (b"<?xml version='1.0'?><html xmlns='http://www.w3.org/1999/xhtml'>", sniff.HTML),
        (b"Sehr geehrte Damen und Herren,\n", sniff.TEXT),
        ("Gr\u00fc\u00dfe aus M\u00fcnchen".encode("cp1252"), sniff.TEXT),
        (b"\x89PNG\r\n\x1a\n\x00\x00", sniff.PNG),
        (bytes(range(256)) * 4, sniff.UNKNOWN),
    ],
)
def test_sniff_bytes(head: bytes, expected: str) -> None:
    assert sniff.sniff_bytes(head) == expected


def test_claims_and_mislabelling() -> None:
    assert sniff.claimed_type("raw/ab/cd/0123", "pdf") == sniff.PDF  # ALLRIS 4 says just "pdf"
    assert sniff.claimed_type("x.pdf", "application/octet-stream") == sniff.PDF
    assert sniff.claimed_type("raw/ab/cd/0123", None) is None
    assert sniff.mislabelled(sniff.PDF, sniff.HTML)
    assert not sniff.mislabelled(sniff.HTML, sniff.PDF)  # content wins when no document was promised
    assert not sniff.mislabelled(None, sniff.HTML)


def test_html_announced_as_pdf_is_an_error_even_without_extension(tmp_path: Path) -> None:
    path = tmp_path / "0123abcd"
    path.write_text("<html><body>Bitte melden Sie sich an</body></html>", encoding="utf-8")
    result = extract_file(path, mime_type="application/pdf")
    assert result.error == "mislabelled file: announced as PDF but the content is HTML"
    assert extract_file(path).error is None  # without the claim it is just an HTML page


def test_limits_before_work(tmp_path: Path) -> None:
    doc = Document()
    for n in range(3):
        doc.page().text(72, 700, f"Seite {n + 1}")
    path = tmp_path / "drei.pdf"
    path.write_bytes(doc.build())
    assert extract_file(path, limits=Limits(max_pages=2)).error == "too many pages: 3 (limit 2)"
    too_big = extract_file(path, limits=Limits(max_file_bytes=100)).error
    assert too_big is not None and too_big.startswith("file too large")
    (tmp_path / "leer.pdf").write_bytes(b"")
    assert extract_file(tmp_path / "leer.pdf").error == "empty file"
    missing = extract_file(tmp_path / "fehlt.pdf")
    assert missing.error is not None and missing.error.startswith("cannot read file")
    assert missing.to_dict() == {"file": str(tmp_path / "fehlt.pdf"), "pages": [], "error": missing.error}
