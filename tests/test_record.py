"""The paper record's value rules, as every parser relies on them."""

from ratsinfo.core.record import (
    Consultation,
    FileRef,
    PaperRecord,
    clean_text,
    normalise_mime,
    parse_date,
    parse_datetime,
    parse_size,
)
from ratsinfo.core.references import parent_reference, supplement_number


def test_sizes_as_ris_pages_show_them():
    assert parse_size("119,8 kB") == 122675
    assert parse_size("1,2 MB") == 1258291
    assert parse_size("532 Bytes") == 532
    assert parse_size("40489825") == 40489825
    assert parse_size("keine Angabe") is None
    assert parse_size(None) is None


def test_dates_in_the_forms_ris_pages_use():
    assert parse_date("23.03.2021") == "2021-03-23"
    assert parse_date("Di, 23.03.2021 15:00") == "2021-03-23"
    assert parse_date("2026 Oct 21") == "2026-10-21"
    assert parse_date("4. Mai 2021") == "2021-05-04"
    assert parse_date("2014-09-11") == "2014-09-11"
    assert parse_date("31.02.2021") is None


def test_oparl_placeholder_dates_mean_unknown():
    assert parse_date("2000-01-01") is None
    assert parse_datetime("2000-01-01T00:00:00+01:00") is None
    assert parse_datetime("") is None
    assert parse_datetime("2014-09-10T11:20:31+02:00").isoformat() == "2014-09-10T11:20:31+02:00"


def test_mime_types_are_normalised():
    assert normalise_mime("pdf") == "application/pdf"
    assert normalise_mime("application/pdf; charset=binary") == "application/pdf"
    assert normalise_mime(None, "Anlage 1.docx") == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert normalise_mime("", None) is None


def test_text_is_nfc_with_nbsp_as_space():
    decomposed = "Mobilita\u0308tsausschuss\u00a0 der  Stadt"
    assert clean_text(decomposed) == "Mobilitätsausschuss der Stadt"


def test_supplements_answer_their_paper():
    assert parent_reference("21-15513-01") == "21-15513"
    assert parent_reference("VO/2026/181.01") == "VO/2026/181"
    assert parent_reference("0815/2020/1") == "0815/2020"
    assert supplement_number("21-15513-02") == 2
    for not_a_supplement in ("21-15513", "469/2026", "22-2362", "VO/2026/181", "12/20", "UV/0190/2026", None):
        assert parent_reference(not_a_supplement) is None


def test_record_round_trip_keeps_spec_keys_in_order():
    record = PaperRecord(
        source="allris",
        name="  Sachstand zur\u00a0Umsetzung ",
        reference=" 21-15513-01 ",
        paper_type="",
        participating=["A", "A", " ", "B"],
        consultation=[Consultation(date="2021-03-23", organization="Rat", state="Erledigt")],
        file=[FileRef(name="Anlage", mime_type="pdf", size=122675)],
        text={"Sachverhalt": "Zeile 1\r\n\r\nZeile  2"},
    ).normalised()
    d = record.to_dict()
    assert list(d)[:17] == [
        "source",
        "web",
        "id",
        "body",
        "reference",
        "name",
        "paperType",
        "date",
        "status",
        "underDirectionOf",
        "participating",
        "responsible",
        "originator",
        "relatedPaper",
        "consultation",
        "text",
        "file",
    ]
    assert d["name"] == "Sachstand zur Umsetzung"
    assert d["reference"] == "21-15513-01"
    assert d["paperType"] is None
    assert d["participating"] == ["A", "B"]
    assert d["consultation"][0]["state"] == "erledigt"
    assert d["file"][0]["mimeType"] == "application/pdf"
    assert d["text"] == {"Sachverhalt": "Zeile 1\nZeile 2"}
    assert PaperRecord.from_dict(d).to_dict() == d
