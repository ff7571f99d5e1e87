"""The tracking commands end to end: a council served locally is crawled, changes, and is crawled
again; ``status``, ``track``, ``changes``, ``decisions``, ``watch`` and ``health`` show what
happened (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from click.testing import CliRunner, Result
from lxml import etree

from ratsinfo.cli import main
from ratsinfo.demo.server import Site
from tests.track.council import AMEND, ANSWER, DECIDED, OLD_ANSWER, OLD_Q, A, B, Council, M, Q

ATOM = "{http://www.w3.org/2005/Atom}"


def cli(*args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result


def crawl(url: str) -> None:
    cli("crawl", url, "--delay", "0", "--no-extract", "--workers", "1")


@dataclass
class Scenario:
    site: Site
    council: Council
    url: str


@pytest.fixture
def scenario(settings, site) -> Scenario:
    """Crawled once, three watches added, changed at the council, crawled again."""
    served, origin = site
    council = Council(origin)
    url = council.install(served, version=1)
    crawl(url)
    cli("watch", "add", "radwege", "Radwege")
    cli("watch", "add", "spd", "*", "--originator", "SPD")
    cli("watch", "add", "all", "*")
    council.install(served, version=2)
    crawl(url)
    return Scenario(served, council, url)


def _json(*args: str, code: int = 0):
    return json.loads(cli(*args, code=code).stdout)


def test_status_shows_answers_decisions_and_waiting(scenario):
    today = scenario.council.today
    found = _json("status", "--json")
    by_ref = {p["reference"]: p for p in found["papers"]}
    assert set(by_ref) == {OLD_Q, A, Q}  # the Änderungsantrag is no Antrag of its own
    assert by_ref[Q]["state"] == "answered"
    assert (by_ref[Q]["answeredBy"], by_ref[Q]["answerDate"], by_ref[Q]["daysToAnswer"]) == (
        ANSWER,
        (today - timedelta(days=2)).isoformat(),
        26,
    )
    assert (by_ref[OLD_Q]["answeredBy"], by_ref[OLD_Q]["days"]) == (OLD_ANSWER, 15)
    assert (by_ref[A]["state"], by_ref[A]["decision"], by_ref[A]["decisionResult"]) == (
        "decided",
        "geändert beschlossen",
        DECIDED,
    )
    assert found["summary"] == {
        "total": 3,
        "answered": 2,
        "decided": 1,
        "open": 0,
        "overdue": 0,
        "medianDaysToAnswer": 20.5,
    }
    # as things stood nine days ago: the Anfrage waited 19 days, overdue after 14; the Antrag
    # was not decided yet; the older Anfrage was answered
    early = (today - timedelta(days=9)).isoformat()
    then = _json("status", "--as-of", early, "--due", "14", "--json")
    assert {p["reference"]: (p["state"], p["days"]) for p in then["papers"]} == {
        OLD_Q: ("answered", 15),
        A: ("overdue", 21),
        Q: ("overdue", 19),
    }
    overdue = _json("status", "--type", "anfrage", "--as-of", early, "--due", "14", "--overdue", "--json")
    assert [p["reference"] for p in overdue["papers"]] == [Q]
    assert _json("status", "--as-of", early, "--open", "--json")["summary"]["open"] == 2
    spd = _json("status", "--originator", "spd", "--json")["papers"]
    assert {p["reference"] for p in spd} == {OLD_Q, Q}
    rows = list(csv.DictReader(io.StringIO(cli("status", "--csv").stdout)))
    assert [r["reference"] for r in rows] == [OLD_Q, A, Q] and rows[2]["answeredBy"] == ANSWER
    table = cli("status", "--answered").stdout
    assert ANSWER in table and "median 20.5 days to answer" in table


def test_track_shows_each_change(scenario):
    antrag = _json("track", A, "--json")
    assert {(m["reference"], m["relation"]) for m in antrag["family"]} == {
        (A, "this paper"),
        (AMEND, "amendment"),
    }
    decided = [e for e in antrag["timeline"] if e["event"] == "change" and e["field"] == "consultation"]
    assert (
        len(decided) == 1 and decided[0]["new"]["result"] == DECIDED and decided[0]["old"]["result"] is None
    )
    steps = [e for e in antrag["timeline"] if e["event"] == "consultation"]
    assert [(s["gremium"], s["outcome"]) for s in steps] == [
        ("Bau- und Umweltausschuss", "beschlossen"),
        ("Rat der Stadt Musterstadt", "geändert beschlossen"),
        ("Rat der Stadt Musterstadt", "abgelehnt"),  # the Änderungsantrag, same meeting
    ]

    anfrage = _json("track", Q, "--json")
    assert anfrage["status"]["answeredBy"] == ANSWER
    events = [(e["event"], e["reference"], e.get("kind")) for e in anfrage["timeline"]]
    assert ("answer", ANSWER, None) in events
    assert ("change", ANSWER, "new") in events  # it appeared between the crawls
    shared = [e for e in anfrage["timeline"] if e["event"] == "consultation"]
    assert shared[0]["reference"] == f"{Q}, {ANSWER}"

    vorlage = _json("track", B, "--json")
    added = [e for e in vorlage["timeline"] if e["event"] == "change"]
    assert [(e["field"], e["kind"], e["new"]["name"]) for e in added] == [
        ("file", "added", "Anlage 2 Lageplan")
    ]

    gone = _json("track", M, "--json")  # found by the number it had before the deletion
    assert gone["paper"]["deleted"] is True and gone["paper"]["name"] == "Baustellen im Oktober"
    assert [e["what"] for e in gone["timeline"] if e["event"] == "change"] == ["deleted at the source"]

    table = cli("track", Q).stdout
    assert "answered by Stellungnahme" in table and "Timeline" in table
    cli("track", "2099/9999", code=1)


def test_changes_lists_each_change(scenario):
    rows = _json("changes", "--json")
    later = [r for r in rows if r["crawl"] == 2]
    assert {(r["reference"], r["what"]) for r in later} == {
        (
            A,
            f"Beratungsfolge: {scenario.council.day(7)} Rat der Stadt Musterstadt (Entscheidung): "
            f"result – → {DECIDED}",
        ),
        (B, "file added: Anlage 2 Lageplan"),
        (M, "deleted at the source"),
        (ANSWER, "new paper"),
    }
    files = _json("changes", "--field", "file", "--json")
    assert [(r["reference"], r["kind"]) for r in files] == [(B, "added")]
    assert _json("changes", "--body", "Altstadt", "--json") == []
    future = (date.today() + timedelta(days=1)).isoformat()
    assert _json("changes", "--since", future, "--json") == []
    out = cli("changes", "--csv").stdout
    assert "file added: Anlage 2 Lageplan" in out


def test_watch_run_reports_then_is_quiet_and_writes_a_feed(scenario, tmp_path):
    news = _json("watch", "run", "--json")
    by_watch: dict[str, dict[str, str]] = {}
    for e in news:
        by_watch.setdefault(e["watch"], {})[e["reference"]] = e["what"]
    assert by_watch["spd"] == {Q: f"got a Stellungnahme {ANSWER} ({scenario.council.day(2)})"}
    assert set(by_watch["radwege"]) == {A}  # the Änderungsantrag did not change
    assert DECIDED in by_watch["radwege"][A]
    assert set(by_watch["all"]) == {A, B, M, Q, ANSWER}
    assert by_watch["all"][M] == "deleted at the source"
    kinds = {e["reference"]: e["kind"] for e in news if e["watch"] == "all"}
    assert kinds == {A: "changed", B: "changed", M: "removed", Q: "answered", ANSWER: "new"}

    cli("watch", "run", code=1)  # nothing new since: exit 1, like grep
    cli("watch", "run", "spd", code=1)

    listed = _json("watch", "list", "--json")
    assert [w["name"] for w in listed] == ["all", "radwege", "spd"] and all(w["lastRun"] for w in listed)

    feed_path = tmp_path / "spd.atom"
    cli("watch", "feed", "spd", "--output", str(feed_path))
    feed = etree.parse(str(feed_path)).getroot()
    assert feed.tag == f"{ATOM}feed"
    for tag in ("id", "title", "updated"):
        assert feed.findtext(f"{ATOM}{tag}")
    entries = feed.findall(f"{ATOM}entry")
    assert entries
    for entry in entries:
        assert entry.findtext(f"{ATOM}id").startswith("urn:uuid:")
        assert entry.findtext(f"{ATOM}title") and entry.findtext(f"{ATOM}summary")
        date.fromisoformat(entry.findtext(f"{ATOM}updated")[:10])
        assert entry.find(f"{ATOM}link").get("href").startswith("http")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert any(f"got a Stellungnahme {ANSWER}" in t for t in titles)
    # written again, the feed keeps its ids
    cli("watch", "feed", "spd", "-o", str(tmp_path / "again.atom"))
    again = etree.parse(str(tmp_path / "again.atom")).getroot()
    assert [e.findtext(f"{ATOM}id") for e in again.findall(f"{ATOM}entry")] == [
        e.findtext(f"{ATOM}id") for e in entries
    ]

    cli("watch", "remove", "spd")
    cli("watch", "run", "spd", code=1)
    assert "no watch named 'spd'" in cli("watch", "run", "spd", code=1).output
    assert "already a watch" in cli("watch", "add", "all", "*", code=1).output


def test_decisions_lists_outcomes_with_the_wording(scenario):
    rows = _json("decisions", "Radwege", "--json")
    assert [(r["reference"], r["gremium"], r["outcome"], r["result"]) for r in rows] == [
        (AMEND, "Rat der Stadt Musterstadt", "abgelehnt", "abgelehnt"),
        (A, "Rat der Stadt Musterstadt", "geändert beschlossen", DECIDED),
        (A, "Bau- und Umweltausschuss", "beschlossen", "empfohlen"),
    ]
    rejected = _json("decisions", "--result", "abgelehnt", "--json")
    assert [r["reference"] for r in rejected] == [AMEND]
    assert [r["reference"] for r in _json("decisions", "--gremium", "Bau", "--json")] == [B, A]
    assert [r["result"] for r in _json("decisions", "--result", "empfohlen", "--json")] == ["empfohlen"]
    day = scenario.council.day(7)
    assert {r["date"] for r in _json("decisions", "--since", day, "--until", day, "--json")} == {day}
    assert "geändert beschlossen" in cli("decisions", "Radwege").stdout


def test_health_flags_a_source_that_went_silent(scenario):
    assert cli("health").exit_code == 0
    silent = Council(scenario.council.origin, prefix="/altstadt", name="Stadt Altstadt", silent=True)
    crawl(silent.install(scenario.site))
    result = cli("health", "--json", code=1)
    by_name = {h["name"]: h for h in json.loads(result.stdout)}
    alive, quiet = (
        by_name["Ratsinformationssystem Stadt Musterstadt"],
        by_name["Ratsinformationssystem Stadt Altstadt"],
    )
    assert alive["warnings"] == [] and alive["attention"] is False
    assert alive["lastCrawl"]["status"] == "done" and alive["lastCrawl"]["failed"] == 0
    assert sum(w["added"] for w in alive["addedPerWeek"]) == 8 and alive["papers"] == 7
    assert alive["files"]["download_ok"] == 2
    assert quiet["attention"] is True
    assert quiet["warnings"][0].startswith(f"no new paper since {silent.day(10)}")
    assert quiet["usualGapDays"] == 15 and quiet["daysSilent"] == 210
    assert "no new paper since" in cli("health", code=1).stdout
