"""The wording rules: paper types, Beratungsfolge outcomes, change descriptions, link candidates."""

from __future__ import annotations

from datetime import date

import pytest

from ratsinfo.track.describe import describe
from ratsinfo.track.kinds import answers, is_amendment, is_answer_type, request_kind
from ratsinfo.track.links import candidates, url_key
from ratsinfo.track.outcomes import match_outcome, normalise_outcome
from ratsinfo.track.papers import PaperFilter, PaperRow


@pytest.mark.parametrize(
    ("paper_type", "kind"),
    [
        ("Anfrage", "Anfrage"),
        ("Anfrage (öffentlich)", "Anfrage"),
        ("anfrage der Fraktion", "Anfrage"),
        ("Kleine Anfrage", "Anfrage"),
        ("Große Anfrage", "Anfrage"),
        ("Einwohneranfrage", "Anfrage"),
        ("Antrag", "Antrag"),
        ("Antrag der Fraktion", "Antrag"),
        ("ANTRAG (nichtöffentlich)", "Antrag"),
        ("Dringlichkeitsantrag", "Antrag"),
        ("Änderungsantrag", None),
        ("Ergänzungsantrag zum Antrag", None),
        ("Stellungnahme", None),
        ("Beschlussvorlage", None),
        ("Mitteilung der Verwaltung", None),
        (None, None),
    ],
)
def test_request_kinds(paper_type, kind):
    assert request_kind(paper_type) == kind


def test_answer_and_amendment_types():
    for t in (
        "Stellungnahme",
        "Stellungnahme der Verwaltung",
        "Antwort der Verwaltung",
        "Beantwortung",
        "Mitteilung der Verwaltung",
        "Mitteilung d. Verwaltung",
    ):
        assert is_answer_type(t), t
    for t in ("Mitteilung", "Beschlussvorlage", "Anfrage", "Antrag"):
        assert not is_answer_type(t), t
    assert is_amendment("Änderungsantrag") and is_amendment("Zusatzantrag der CDU")
    assert not is_amendment("Antrag")


def test_which_links_answer():
    # X-01 answers X whatever its type, unless it is itself a request or amendment
    assert answers("supplement", True, "Stellungnahme")
    assert answers("supplement", True, "Mitteilung")
    assert not answers("supplement", True, "Änderungsantrag")
    assert not answers("supplement", False, "Stellungnahme")  # X names X-01: X does not answer
    assert answers("related", False, "Stellungnahme") and not answers("related", True, "Beschlussvorlage")
    assert answers("mentions", True, "Antwort der Verwaltung")
    assert not answers("mentions", False, "Stellungnahme")


@pytest.mark.parametrize(
    ("result", "outcome"),
    [
        ("ungeändert beschlossen", "beschlossen"),
        ("einstimmig beschlossen", "beschlossen"),
        ("mehrheitlich beschlossen", "beschlossen"),
        ("Beschluss gefasst", "beschlossen"),
        ("zugestimmt", "beschlossen"),
        ("geändert beschlossen", "geändert beschlossen"),
        ("mit Änderungen beschlossen", "geändert beschlossen"),
        ("mit Änderung angenommen", "geändert beschlossen"),
        ("in geänderter Fassung beschlossen", "geändert beschlossen"),
        ("abgelehnt", "abgelehnt"),
        ("mehrheitlich abgelehnt", "abgelehnt"),
        ("nicht beschlossen", "abgelehnt"),
        ("zur Kenntnis genommen", "zur Kenntnis genommen"),
        ("Kenntnisnahme", "zur Kenntnis genommen"),
        ("vertagt", "vertagt"),
        ("Vertagung beschlossen", "vertagt"),
        ("von der Tagesordnung abgesetzt", "vertagt"),
        ("zurückgezogen", "zurückgezogen"),
        ("Antrag zurückgezogen", "zurückgezogen"),
        ("in den Verwaltungsausschuss verwiesen", "verwiesen"),
        ("Überweisung beschlossen", "verwiesen"),
        ("erledigt", "erledigt"),
        ("mündlich beantwortet", "erledigt"),
        ("Sitzung fand nicht statt", None),
        (None, None),
    ],
)
def test_outcomes(result, outcome):
    assert normalise_outcome(result) == outcome


def test_outcome_the_user_typed():
    assert match_outcome("abgelehnt") == "abgelehnt"
    assert match_outcome("geändert") == "geändert beschlossen"
    assert match_outcome("Kenntnis") == "zur Kenntnis genommen"
    assert match_outcome("BESCHLOSSEN") == "beschlossen"
    assert match_outcome("einstimmig") is None  # a wording, not an outcome


def test_change_descriptions():
    step = {"date": "2021-03-23", "organization": "Rat der Stadt Braunschweig", "role": "Entscheidung"}
    assert describe("consultation", "changed", step, {**step, "result": "abgelehnt"}) == (
        "Beratungsfolge: 2021-03-23 Rat der Stadt Braunschweig (Entscheidung): result – → abgelehnt"
    )
    assert describe("file", "added", None, {"name": "Anlage 2 Lageplan"}) == "file added: Anlage 2 Lageplan"
    assert describe("paper", "removed", "21-15513", None) == "disappeared from the source"
    assert describe("deleted", "changed", False, True) == "deleted at the source"
    assert describe("text.Sachverhalt", "added", None, "…") == "text section 'Sachverhalt' added"
    assert describe("name", "changed", "Alt", "Neu") == "name: Alt → Neu"


def test_url_keys():
    assert (
        url_key("https://RIS.example/bi/vo020.asp?VOLFDNR=7#top") == "://ris.example/bi/vo020.asp?VOLFDNR=7"
    )
    assert url_key("http://ris.example/oparl/papers/9/") == url_key("https://ris.example/oparl/papers/9")


def test_link_candidates():
    found = candidates(
        "21-15513-01",
        ["21-15513", "https://ris.example/oparl/papers/9"],
        [
            (
                "text",
                "Zur Anfrage 21-15513 und zum Beschluss Drucksache 21-16410-02 der Verwaltung (21-15513-01)",
            )
        ],
    )
    got = {(c.kind, c.via, c.ref_key, c.alt_key) for c in found}
    assert got == {
        ("supplement", "reference", "21-15513", None),
        ("related", "relatedPaper", "21-15513", None),
        ("related", "relatedPaper", "://ris.example/oparl/papers/9", None),
        ("mentions", "text", "21-15513", None),
        ("mentions", "text", "21-16410-02", "21-16410"),
    }
    # the vendors' other supplement forms
    assert {c.ref_key for c in candidates("2013/0050/1", [], []) if c.kind == "supplement"} == {"2013/0050"}
    assert {c.ref_key for c in candidates("469/2026.01", [], []) if c.kind == "supplement"} == {"469/2026"}
    assert candidates("469/2026", [], []) == []


def test_paper_filters():
    row = PaperRow(
        id=1,
        reference="21-16410",
        name="Kostenloses WLAN in der Innenstadt",
        paper_type="Antrag der Fraktion",
        date=date(2021, 6, 1),
        body="Stadt Braunschweig",
        originator=["CDU-Fraktion"],
        topics=["breitband", "smartcity"],
        deleted=False,
        web=None,
        external_id="https://ris.example/oparl/papers/6",
    )
    assert PaperFilter().accepts(row)
    assert PaperFilter(paper_type="antrag", body="braunschweig", originator="cdu").accepts(row)
    assert not PaperFilter(paper_type="Anfrage").accepts(row)
    assert PaperFilter(topic="smartcity").accepts(row) and PaperFilter(topic="Glasfaser").accepts(row)
    assert not PaperFilter(topic="verkehr").accepts(row)
    assert PaperFilter(since=date(2021, 1, 1), until=date(2021, 12, 31)).accepts(row)
    assert not PaperFilter(since=date(2022, 1, 1)).accepts(row)
    stored = PaperFilter(originator="SPD", since=date(2024, 1, 1))
    assert PaperFilter.from_json(stored.to_json()) == stored
    assert row.link == "https://ris.example/oparl/papers/6"
