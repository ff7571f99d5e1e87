"""The demo council tracked: the seed Anfrage 21-15513 answered by its Stellungnahme, its
timeline, and the Smart City decisions (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ratsinfo.cli import main


def _json(*args: str):
    result = CliRunner().invoke(main, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_demo_status_track_and_decisions(settings):
    demo = CliRunner().invoke(main, ["-q", "demo", "--workers", "1"])
    assert demo.exit_code == 0, demo.output

    status = {p["reference"]: p for p in _json("status", "--type", "Anfrage")["papers"]}
    seed = status["21-15513"]
    assert (seed["state"], seed["answeredBy"], seed["answerType"]) == (
        "answered",
        "21-15513-01",
        "Stellungnahme",
    )
    assert (seed["date"], seed["answerDate"], seed["daysToAnswer"]) == ("2021-02-09", "2021-03-19", 38)
    assert status["24-22890"]["state"] == "overdue"  # an Anfrage of 2024 nobody answered

    tracked = _json("track", "21-15513")
    assert {(m["reference"], m["relation"]) for m in tracked["family"]} == {
        ("21-15513", "this paper"),
        ("21-15513-01", "answer"),
    }
    timeline = tracked["timeline"]
    assert ("2021-03-19", "answer", "21-15513-01") in [
        (e["date"], e["event"], e["reference"]) for e in timeline
    ]
    rat = [e for e in timeline if e["event"] == "consultation" and e["date"] == "2021-03-23"]
    assert len(rat) == 1 and rat[0]["gremium"] == "Rat der Stadt Braunschweig"
    assert rat[0]["references"] == ["21-15513", "21-15513-01"]

    decisions = _json("decisions", "Smart City")
    outcomes = {(d["reference"], d["date"]): d["outcome"] for d in decisions}
    assert outcomes[("21-15513", "2021-03-23")] == "zur Kenntnis genommen"
    assert outcomes[("19-11234", "2019-11-05")] == "beschlossen"
    assert {d["result"] for d in decisions if d["reference"] == "19-11234"} == {
        "einstimmig beschlossen",
        "ungeändert beschlossen",
    }
