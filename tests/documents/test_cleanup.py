"""Text cleanup: hyphenation, ligatures, private-use glyphs, whitespace, headers and footers."""

from __future__ import annotations

import pytest

from ratsinfo.ingest.documents.cleanup import clean_cell, clean_text, remove_furniture


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Digitali-\nsierung der Verwaltung", "Digitalisierung der Verwaltung"),
        ("Digitali\ufffesierung", "Digitalisierung"),  # PDFium's mark for a line-end hyphen
        ("ge\x02sorgt", "gesorgt"),
        ("Smart-City-\nStrategie", "Smart-City-Strategie"),
        ("Große\ufffeVerspohl", "Große-Verspohl"),  # a capital after the hyphen: a real compound
        ("Bau-\nund Umweltausschuss", "Bau- und Umweltausschuss"),  # suspended hyphen
        ("Alters\ufffeund Generationenfragen", "Alters- und Generationenfragen"),
        ("An-/Abfahrten", "An-/Abfahrten"),
        ("18 An-\n/Abfahrten in einer Stunde", "18 An-/Abfahrten in einer Stunde"),
        ("S. 12-\n14", "S. 12-14"),
        ("Kosten -\nneu", "Kosten -\nneu"),  # a dash after a space is no hyphenation
        ("Ergebnis-\n\nNeuer Absatz", "Ergebnis-\n\nNeuer Absatz"),
        ("Wohnungs\u00ad\nbau und Bil\u00addung", "Wohnungsbau und Bildung"),  # soft hyphens
    ],
)
def test_hyphenation(raw: str, expected: str) -> None:
    assert clean_text(raw) == expected


def test_ligatures_private_use_and_controls() -> None:
    raw = (
        "\uf0b7 Ö\ufb00entliche Au\ufb02age \ufb01nanziert\x00\r\n\uf09f Punkt\ue123 zwei\ufffd \uf0d8 weiter"
    )
    assert clean_text(raw) == "• Öffentliche Auflage finanziert\n• Punkt zwei → weiter"


def test_decomposed_umlauts_are_composed() -> None:
    assert clean_text("Bu\u0308rger und Ma\u0308rz") == "Bürger und März"


def test_whitespace_keeps_tabs_and_paragraphs() -> None:
    raw = "  Zeile  mit   Leerraum  \r\n\r\n\r\n\r\nNächster Absatz\nA\tB\t\tD"
    assert clean_text(raw) == "Zeile mit Leerraum\n\nNächster Absatz\nA\tB\t\tD"


def test_clean_cell_is_one_line() -> None:
    assert clean_cell("04.10.\r\n12.10.\r\n25.10.") == "04.10. 12.10. 25.10."
    assert clean_cell("Umwelt\ufffeausschuss\tneu") == "Umweltausschuss neu"


def test_furniture_repeated_in_margins_is_removed() -> None:
    pages = [
        "Satzung über Beiräte\nInhalt Seite eins\nSeite 1 von 3",
        "Satzung über Beiräte\nSeite 2 von 3\nSatzung über Beiräte\n§ 1 Zuständigkeit",
        "Satzung über Beiräte\n§ 2 Aufgaben\nSeite 3 von 3",
    ]
    margins = [
        ["Seite 1 von 3"],
        ["Satzung über Beiräte", "Seite 2 von 3"],
        ["Satzung über Beiräte", "Seite 3 von 3"],
    ]
    out = remove_furniture(pages, margins)
    # The title on page 1 is not in its margin: it stays. On page 2 only the header copy goes.
    assert out == [
        "Satzung über Beiräte\nInhalt Seite eins",
        "Satzung über Beiräte\n§ 1 Zuständigkeit",
        "§ 2 Aufgaben",
    ]


def test_furniture_needs_repetition() -> None:
    pages = ["Kopf A\nText eins", "Kopf B\nText zwei", "Kopf C\nText drei"]
    margins = [["Kopf A"], ["Kopf B"], ["Kopf C"]]
    assert remove_furniture(pages, margins) == pages
    assert remove_furniture(["Einzige Seite"], [["Einzige Seite"]]) == ["Einzige Seite"]
