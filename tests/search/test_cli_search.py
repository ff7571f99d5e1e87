"""``ratsinfo search`` from the command line, on every backend: formats, facets, filters, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from ratsinfo.cli import main
from ratsinfo.index.base import FACETS
from tests.search.test_index_sync import PAPERS, save, small  # noqa: F401 - the fixture

pytestmark = pytest.mark.slow
HIT_KEYS = {"id", "reference", "name", "paperType", "date", "body", "web", "score", "snippet"}


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def hits(*args: str) -> list[dict]:
    code, out = cli("search", *args, "--json", "--limit", "1000")
    assert code == 0, out
    return json.loads(out)


def test_json_hits_and_facets(cli_env) -> None:
    found = hits("Glasfaser Ausbau")
    assert found and all(set(h) == HIT_KEYS for h in found)
    assert any("<mark>" in (h["snippet"] or "") for h in found)
    code, out = cli("search", "topic:breitband", "--facets", "--json", "--limit", "5")
    assert code == 0, out
    page = json.loads(out)
    assert set(page) == {"total", "total_exact", "hits", "facets"}
    assert len(page["hits"]) == 5 and page["total"] > 5 and page["total_exact"] is True
    assert (
        {"paperType", "underDirectionOf", "gremium", "year", "body", "topic"}
        <= set(page["facets"])
        <= set(FACETS)
    )
    assert page["facets"]["topic"][0] == {
        "value": "breitband",
        "count": page["total"],
        "label": "WLAN, Breitband & Glasfaser",
    }
    assert sum(f["count"] for f in page["facets"]["body"]) == page["total"]


def test_ndjson_csv_and_table(cli_env) -> None:
    code, out = cli("search", "Glasfaser", "--ndjson", "--limit", "7")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 7 and set(lines[0]) == HIT_KEYS
    code, out = cli("search", "Glasfaser", "--csv", "--limit", "7")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 7 and set(rows[0]) == HIT_KEYS
    code, out = cli("search", "topic:smartcity datum:2020..2021", "--facets")
    assert code == 0, out
    for heading in (
        "Nummer",
        "Betreff",
        "Vorlageart",
        "Federführend",
        "Gremium",
        "Jahr",
        "Körperschaft",
        "Thema",
        "Rat der Stadt Braunschweig",
        "Smart City & Digitalisierung (smartcity)",
    ):
        assert heading in out
    code, out = cli("search", "Glasfaser", "--facets", "--csv")
    assert code == 2 and "--facets works with the table and with --json" in out


def test_options_are_the_query_language(cli_env) -> None:
    by_options = hits(
        "--type",
        "Anfrage",
        "--since",
        "2020",
        "--until",
        "2021-06",
        "--topic",
        "breitband",
        "--body",
        "Karlsruhe",
    )
    by_query = hits("art:Anfrage datum:2020..2021-06 topic:breitband body:Karlsruhe")
    assert by_options and [h["id"] for h in by_options] == [h["id"] for h in by_query]
    led = hits("WLAN", "--federfuehrend", "Stabsstelle Digitalisierung")
    assert led and [h["id"] for h in led] == [
        h["id"] for h in hits('WLAN federfuehrend:"Stabsstelle Digitalisierung"')
    ]


def test_negation_sort_and_paging(cli_env) -> None:
    all_wlan = {h["id"] for h in hits("WLAN")}
    without = {h["id"] for h in hits("WLAN", "-Breitband")}
    assert without and without < all_wlan
    newest = hits("Glasfaser", "--sort", "date")
    assert [h["date"] for h in newest] == sorted((h["date"] for h in newest), reverse=True)
    code, out = cli("search", "Glasfaser", "--json", "--limit", "3", "--offset", "2")
    assert code == 0
    assert [h["id"] for h in json.loads(out)] == [h["id"] for h in hits("Glasfaser")][2:5]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["gremium:(Rat"], "query syntax error at position 9: '(' is never closed"),
        (['"Smart City'], "query syntax error at position 1: unclosed quotation mark"),
        (["farbe:rot"], "unknown field 'farbe'"),
        (["datum:2020-13"], "not a valid date"),
        (["WLAN", "--since", "März"], "--since 'März': not a date"),
        (["Schule OR"], "'OR' needs a term after it"),
        ([], "the query is empty"),
    ],
)
def test_malformed_queries_say_where(cli_env, args: list[str], message: str) -> None:
    code, out = cli("search", *args)
    assert code == 1
    assert message in out
    assert "Traceback" not in out and len(out.strip().splitlines()) <= 3


def test_unknown_option_is_not_a_query_word(cli_env) -> None:
    code, out = cli("search", "WLAN", "--limt", "3")
    assert code == 2 and "no such option: --limt" in out


def test_switching_backend_is_a_reindex(small, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    save(small, PAPERS)
    before = [h["reference"] for h in hits("Glasfaser OR Digitalisierung")]
    other = "tantivy" if small.index_backend != "tantivy" else "whoosh"
    if small.index_backend == "postgres":
        other = "tantivy"
    monkeypatch.setenv("RATSINFO_INDEX", other)
    code, out = cli("reindex")
    assert code == 0 and f"Indexed 5 papers with {other}" in out
    assert sorted(h["reference"] for h in hits("Glasfaser OR Digitalisierung")) == sorted(before)
