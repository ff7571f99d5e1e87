"""Crawling generated ALLRIS sites (classic 3.9 and ALLRIS 4) end to end through the CLI."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select

from ratsinfo.demo.server import Fault, Response
from ratsinfo.store.db import session_scope
from ratsinfo.store.models import Paper, PaperSource
from tests.fixtures.sites.allris4 import Allris4Site, allris4_site
from tests.fixtures.sites.allris_classic import AllrisClassicSite, allris_classic_site
from tests.fixtures.sites.council import Attachment, Step, make_council
from tests.fixtures.sites.council import Paper as SitePaper
from tests.fixtures.sites.run import crawl, serving, show


@pytest.fixture
def classic() -> Iterator[tuple[AllrisClassicSite, str]]:
    site = allris_classic_site(make_council())
    with serving(site.site) as origin:
        yield site, origin


@pytest.fixture
def allris4() -> Iterator[tuple[Allris4Site, str]]:
    site = allris4_site(make_council())
    with serving(site.site) as origin:
        yield site, origin


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _paper_ids(site, contains: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [t.rsplit("=", 1)[-1] for t in site.site.paths("GET", contains) if "VOLFDNR=" in t]


def test_classic_site_crawled_from_its_root(classic, settings):
    site, origin = classic
    summary = crawl(origin + "/bi/")
    assert summary["kind"] == "allris" and summary["failures"] == []
    assert summary["stats"]["papers_new"] == 12
    # the list is paged in the ASP session; documents are posted like the form posts them
    assert site.site.paths("GET", "vo040.asp") == ["/bi/vo040.asp"] + ["/bi/vo040.asp?shownext=true"] * 2
    assert len(site.site.paths("POST", "/bi/do027.asp")) == 12 and not site.site.paths("GET", "do027")
    assert {form["options"] for target, form in site.site.posts if "do027" in target} == {"64"}

    council = site.council
    record = show("26-0100")
    paper = council.by_reference("26-0100")
    assert record["source"] == "allris" and record["body"] == "Rat der Stadt Mühlenbach"
    assert record["name"] == paper.name  # the word split by <span> is whole again
    assert record["date"] == "2026-11-20"  # from the list row: the page shows no date
    assert record["participating"] == paper.participating
    assert record["responsible"] == ["Dr. Kornblum"]  # NBSP
    assert [(c["organization"], c["state"], c["role"]) for c in record["consultation"]] == [
        ("Planungs- und Umweltausschuss", "geplant", "Vorberatung"),
        ("Rat der Stadt Mühlenbach", "geplant", "Entscheidung"),
    ]
    assert "12.500 Euro" in record["text"]["Sachverhalt"]
    # the attachment is listed twice (header box and table): one file, fetched in the page's session
    files = {f["name"]: f for f in record["file"]}
    assert set(files) == {"Vorlage", "Anlage 1 Lageplan 26-0100"}
    assert files["Vorlage"]["accessUrl"].endswith("/bi/do027.asp?DOLFDNR=5000&options=64")
    assert files["Vorlage"]["sha256"] == _sha(paper.document.pdf)
    assert files["Anlage 1 Lageplan 26-0100"]["sha256"] == _sha(paper.attachments[0].pdf)
    # UTF-8 bytes under an ISO-8859-1 header
    assert show("26-0102")["name"] == "Radverkehrskonzept 2030: Fahrradstraßen in der Innenstadt"
    decided = show("26-0104")["consultation"][0]
    assert (decided["state"], decided["result"]) == ("erledigt", "ungeändert beschlossen")


def test_second_crawl_fetches_list_pages_and_only_new_or_changed_papers(classic, sqlite_settings):
    site, origin = classic
    crawl(origin + "/bi/")
    council = site.council
    changed = council.by_reference("26-0101")
    changed.steps[0].result, changed.steps[0].state = "abgelehnt", "Erledigt"  # the row gains "BES"
    council.add(
        SitePaper(
            id=1100,
            reference="26-0200",
            name="Neubau der Feuerwache Nord",
            kind="Beschlussvorlage",
            date=date(2026, 11, 21),
            lead="37 Fachbereich Feuerwehr",
            participating=["20 Fachbereich Finanzen"],
            responsible="Herr Brandt",
            author="Oberbürgermeisterin",
            steps=[Step("Hauptausschuss", "Vorberatung", date(2026, 12, 1), "Sitzung", 77, "Geplant")],
            document=Attachment(5100, "Vorlage", "Feuerwache Nord."),
        )
    )
    gone = council.by_reference("26-0111")
    council.papers.remove(gone)
    before = len(site.site.requests)

    summary = crawl(origin + "/bi/")
    second = site.site.requests[before:]
    assert summary["failures"] == []
    pages = sorted(t for _, t in second if "vo020.asp" in t)
    assert pages == ["/bi/vo020.asp?VOLFDNR=1002", "/bi/vo020.asp?VOLFDNR=1100"]
    assert sum("vo040.asp" in t for _, t in second) == 3  # the list, all of it again
    # changed: 26-0101's result and 26-0111, gone from the list
    assert summary["stats"]["papers_new"] == 1 and summary["stats"]["papers_changed"] == 2
    assert show("26-0101")["consultation"][0]["result"] == "abgelehnt"
    # the complete list no longer shows 26-0111: it is marked as gone, with a change
    assert show("26-0111").get("deleted") is True
    assert show("26-0100").get("deleted") is None

    council.papers.append(gone)  # back again: fetched again and no longer deleted
    before = len(site.site.requests)
    crawl(origin + "/bi/")
    assert _paper_ids(site, "vo020")[-1:] == [str(gone.id)]
    assert show("26-0111").get("deleted") is None


def test_since_until_filter_the_list_as_its_form_does(classic, sqlite_settings):
    site, origin = classic
    summary = crawl(origin + "/bi/", "--since", "2026-10-01", "--until", "2026-10-31")
    posts = [form for target, form in site.site.posts if target == "/bi/vo040.asp"]
    assert posts == [{"VO040FIL4": "01.10.2026-31.10.2026", "filtdatum": "filter", "x": "0", "y": "0"}]
    wanted = {str(p.id) for p in site.council.papers if date(2026, 10, 1) <= p.date <= date(2026, 10, 31)}
    assert set(_paper_ids(site, "vo020")) == wanted and summary["stats"]["papers_new"] == len(wanted) == 5
    # a date-limited crawl says nothing about papers outside its range
    with session_scope(sqlite_settings.database_url) as session:
        assert not session.scalar(select(func.count()).select_from(Paper).where(Paper.deleted.is_(True)))


def test_bad_pages_are_recorded_per_page_and_fetched_again_next_time(classic, sqlite_settings):
    site, origin = classic
    good = httpx.get(origin + "/bi/vo020.asp?VOLFDNR=1004").content
    site.site.fault("/bi/vo020.asp?VOLFDNR=1002", Fault(Response(200, bytes(range(256)) * 8, "text/html")))
    site.site.fault("/bi/vo020.asp?VOLFDNR=1004", Fault(Response(200, good[: len(good) // 2], "text/html")))
    site.site.fault("/bi/vo020.asp?VOLFDNR=1006", Fault(Response(500, b"Internal Server Error", "text/html")))
    summary = crawl(origin + "/bi/", "--retries", "0")
    errors = {f["url"].rsplit("=", 1)[-1]: f["error"] for f in summary["failures"]}
    assert set(errors) == {"1002", "1004", "1006"} and summary["failed"] == 3
    assert "not an HTML page" in errors["1002"] or "not a paper page" in errors["1002"]
    assert "truncated" in errors["1004"]
    assert "HTTP 500" in errors["1006"]
    assert summary["stats"]["papers_new"] == 9

    site.site.faults.clear()
    again = crawl(origin + "/bi/")
    assert again["failures"] == [] and again["stats"]["papers_new"] == 3
    with session_scope(sqlite_settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(PaperSource)) == 12


def test_a_lost_list_session_is_noticed_and_the_list_walked_again(classic, sqlite_settings):
    site, origin = classic
    pattern, handler = next((p, h) for p, h in site.site.handlers if "vo040" in p.pattern)
    served = []

    def forgetful(request):  # type: ignore[no-untyped-def]
        response = handler(request)
        served.append(request.param("shownext"))
        if served.count("true") == 1 and request.param("shownext") == "true":
            site.site.expire_sessions()  # the ASP session times out after page 2
        return response

    site.site.handlers[site.site.handlers.index((pattern, handler))] = (pattern, forgetful)
    summary = crawl(origin + "/bi/")
    assert summary["failures"] == [] and summary["stats"]["papers_new"] == 12
    # page 3 asked in a fresh session showed rows 6-10: the walk started again from page 1
    assert site.site.paths("GET", "vo040.asp").count("/bi/vo040.asp") == 2


@pytest.mark.parametrize(
    "start",
    ["/bi/vo020.asp?VOLFDNR=1005", "/bi/vo040.asp", "/bi/allris.net.asp"],
    ids=["paper", "list", "home"],
)
def test_any_page_of_the_site_is_a_start_url(classic, sqlite_settings, start):
    _site, origin = classic
    summary = crawl(origin + start)
    assert summary["kind"] == "allris" and summary["stats"]["papers_new"] == 12


def test_allris4_site_with_wicket_sessions(allris4, sqlite_settings):
    site, origin = allris4
    summary = crawl(origin + "/public/")
    assert summary["kind"] == "allris" and summary["failures"] == []
    assert summary["stats"]["papers_new"] == 12
    # the pager's listener links were followed in the session that rendered them
    assert len(site.site.paths("GET", "navigator-next")) == 2
    council = site.council
    trier_style = council.by_reference("26-0102")  # attachments only behind Wicket listener links
    record = show("26-0102")
    assert record["date"] == "2026-11-08"  # "2026 Nov 08" in the list
    assert [c["state"] for c in record["consultation"]] == ["geplant", "geplant"]  # icon title only
    assert record["participating"] == trier_style.participating
    files = {f["name"]: f for f in record["file"]}
    assert files["Anlage 1 Lageplan 26-0102"]["accessUrl"] is None
    assert files["Anlage 1 Lageplan 26-0102"]["sha256"] == _sha(trier_style.attachments[0].pdf)
    assert files[trier_style.document.name]["sha256"] == _sha(trier_style.document.pdf)
    stable = {f["name"]: f for f in show("26-0100")["file"]}["Anlage 1 Lageplan 26-0100"]
    assert "doc?DOCTYP=1&DOLFDNR=7000" in stable["accessUrl"] and stable["sha256"]


def test_allris4_stops_paging_once_past_since(allris4, sqlite_settings):
    site, origin = allris4
    summary = crawl(origin + "/public/", "--since", "2026-11-01")
    assert summary["stats"]["papers_new"] == 4  # 20.11., 14.11., 08.11., 02.11.
    assert len(site.site.paths("GET", "navigator-next")) == 1  # page 2 is older throughout
