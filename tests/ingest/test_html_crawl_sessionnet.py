"""Crawling a generated SessionNet site end to end through the CLI."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date

import pytest

from tests.fixtures.sites.council import make_council
from tests.fixtures.sites.run import crawl, serving, show
from tests.fixtures.sites.sessionnet import SessionNetSite, sessionnet_site


@pytest.fixture
def sessionnet() -> Iterator[tuple[SessionNetSite, str]]:
    site = sessionnet_site(make_council())
    with serving(site.site) as origin:
        yield site, origin


def test_sessionnet_site_with_beratungen_tab_and_documents(sessionnet, sqlite_settings):
    site, origin = sessionnet
    summary = crawl(origin + "/buergerinfo/", "--extract")
    assert summary["kind"] == "sessionnet" and summary["failures"] == []
    assert summary["stats"]["papers_new"] == 12
    # the search is posted, its result paged in the session; each paper with its Beratungen tab
    assert [form["__sgo"] for target, form in site.site.posts if "vo0040" in target] == ["Suchen"]
    assert len(site.site.paths("GET", "__cpage=")) == 2
    assert len(site.site.paths("GET", "vo0053.asp")) == 12

    paper = site.council.by_reference("26-0104")
    record = show("26-0104")
    assert record["source"] == "sessionnet" and record["name"] == paper.name
    assert record["body"] == "Rat der Stadt Mühlenbach"  # the plenary of the Beratungsfolge
    assert record["participating"] == paper.participating and record["responsible"] == ["Dr. Kornblum"]
    steps = [
        (c["organization"], c["state"], c["result"], c["agendaItemNumber"]) for c in record["consultation"]
    ]
    assert steps == [
        ("Planungs- und Umweltausschuss", "erledigt", "ungeändert beschlossen", "Ö 4"),
        ("Rat der Stadt Mühlenbach", "geplant", None, "Ö 5"),
    ]
    # download button and named link of one card are one file; its text was extracted
    files = {f["name"]: f for f in record["file"]}
    assert set(files) == {"Vorlage", "Anlage 1 Lageplan 26-0104"}
    for attachment in (paper.document, *paper.attachments):
        got = files[attachment.name]
        assert "getfile.asp?id=" in got["accessUrl"]
        assert got["sha256"] == hashlib.sha256(attachment.pdf).hexdigest()
    assert "Lageplan zur Vorlage 26-0104" in files["Anlage 1 Lageplan 26-0104"]["text"]


def test_sessionnet_date_range_and_incremental_crawl(sessionnet, sqlite_settings):
    site, origin = sessionnet
    summary = crawl(origin + "/buergerinfo/", "--since", "2026-10-01", "--until", "2026-10-31")
    search = next(form for target, form in site.site.posts if "vo0040" in target)
    assert (search["__axxdat_full"], search["__exxdat_full"]) == ("2026-10-01", "2026-10-31")
    in_october = {p.id for p in site.council.papers if date(2026, 10, 1) <= p.date <= date(2026, 10, 31)}
    assert summary["stats"]["papers_new"] == len(in_october) == 5

    crawl(origin + "/buergerinfo/")  # the rest of the list
    renamed = site.council.by_reference("26-0103")
    renamed.name = "Barrierefreiheit aller Bushaltestellen"
    before = len(site.site.requests)
    again = crawl(origin + "/buergerinfo/")
    second = [t for _, t in site.site.requests[before:]]
    assert [t for t in second if "vo0050" in t] == [f"/buergerinfo/vo0050.asp?__kvonr={renamed.id}"]
    assert again["stats"] == {"papers_new": 0, "papers_changed": 1, "files_downloaded": 0}
    assert show("26-0103")["name"] == "Barrierefreiheit aller Bushaltestellen"


def test_sessionnet_paper_page_is_a_start_url(sessionnet, sqlite_settings):
    _site, origin = sessionnet
    summary = crawl(origin + "/buergerinfo/vo0050.asp?__kvonr=1003")
    assert summary["kind"] == "sessionnet" and summary["stats"]["papers_new"] == 12
