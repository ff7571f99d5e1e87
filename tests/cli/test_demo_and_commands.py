"""The newcomer's path: `ratsinfo demo`, then show, search, export, reparse, extract — end to end."""

from __future__ import annotations

import csv
import io
import json
from contextlib import ExitStack
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from ratsinfo.cli import main
from ratsinfo.core.record import PAPER_KEYS
from ratsinfo.store.db import reset_engines
from tests.conftest import PG_AVAILABLE, fresh_pg_database

SPEC = Path(__file__).resolve().parents[2].parent / "shared" / "spec"


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


def test_every_command_has_help():
    runner = CliRunner()
    commands = _commands(main)
    assert {
        ("crawl",),
        ("search",),
        ("show",),
        ("export",),
        ("reindex",),
        ("reparse",),
        ("demo",),
        ("extract",),
        ("parse",),
        ("worker",),
        ("db", "upgrade"),
    } <= set(commands)
    for path in [(), *commands]:
        result = runner.invoke(main, [*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output
        command = main
        for part in path:
            command = command.commands[part]  # type: ignore[attr-defined]
        assert (command.help or "").strip(), f"{' '.join(path)} has no help text"


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "ratsinfo, version" in result.output


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def demo_home(request, tmp_path_factory):
    """One demo run per database for this module's tests (they only read)."""
    home = tmp_path_factory.mktemp("demo")
    with ExitStack() as stack:
        env = {"RATSINFO_DATABASE_URL": None}
        if request.param == "postgresql":
            if not PG_AVAILABLE:
                pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
            env["RATSINFO_DATABASE_URL"] = stack.enter_context(fresh_pg_database())
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        for key, value in env.items():
            if value is None:
                patch.delenv(key, raising=False)
            else:
                patch.setenv(key, value)
        result = CliRunner().invoke(main, ["--data-dir", str(home), "demo", "--workers", "2"])
        assert result.exit_code == 0, result.output
        yield home, result.output
        reset_engines()


def _run(home: Path, *args: str):
    result = CliRunner().invoke(main, ["--data-dir", str(home), *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_demo_crawls_the_sample_and_shows_searches(demo_home):
    _, output = demo_home
    assert "Crawled 34 new and 0 changed papers, 10 files" in output
    assert "0 failures" in output
    assert "21-15513" in output
    assert "Try next" in output


def test_seed_record_after_demo(demo_home):
    home, _ = demo_home
    record = json.loads(_run(home, "show", "21-15513-01", "--json"))
    expected = {
        "source": "allris",
        "reference": "21-15513-01",
        "name": "Sachstand zur Umsetzung der Smart City Strategie",
        "paperType": "Stellungnahme",
        "status": "öffentlich (Vorlage freigegeben)",
        "underDirectionOf": ["10 Fachbereich Zentrale Dienste"],
        "participating": [
            "01 Fachbereich Zentrale Steuerung",
            "DEZERNAT II - Personal-, Digitalisierungs-, Rechts- und Ordnungsdezernat",
        ],
        "responsible": ["Dr. Kornblum"],
        "relatedPaper": ["21-15513"],
    }
    for key, value in expected.items():
        assert record[key] == value, key
    assert list(record)[:17] == list(PAPER_KEYS)
    [step] = record["consultation"]
    assert (step["date"], step["organization"], step["role"], step["state"]) == (
        "2021-03-23",
        "Rat der Stadt Braunschweig",
        "zur Kenntnis",
        "erledigt",
    )
    sachverhalt = record["text"]["Sachverhalt"]
    assert sachverhalt.startswith(
        "Der in der Anfrage geschilderte Sachverhalt entspricht dem Stand von März 2020."
    )
    if SPEC.is_dir():  # the page says exactly what the seed text says
        seed = (SPEC / "seed-stellungnahme.txt").read_text(encoding="utf-8")
        assert "Ziel der Verwaltung ist es, die Personalentscheidung im Finanz- und Personalausschuss" in seed
        assert (
            "Ziel der Verwaltung ist es, die Personalentscheidung im Finanz- und Personalausschuss"
            in sachverhalt
        )
    [attachment] = record["file"]
    assert attachment["mimeType"] == "application/pdf" and len(attachment["sha256"]) == 64
    assert "Elektronische Aktenführung" in attachment["text"]


def test_search_finds_a_phrase_only_in_an_ocr_attachment(demo_home):
    home, _ = demo_home
    hits = json.loads(_run(home, "search", "Parkvorgänge", "--json"))
    assert [h["reference"] for h in hits] == ["22-18555"]  # the phrase is only on the scanned page
    assert "<mark>" in (hits[0]["snippet"] or "")


def test_show_table_and_errors(demo_home):
    home, _ = demo_home
    shown = _run(home, "show", "21-15513")
    assert "Sachstand zur Umsetzung der Smart City Strategie" in shown and "Beratungsfolge" in shown
    missing = CliRunner().invoke(main, ["--data-dir", str(home), "show", "00-00000"])
    assert missing.exit_code == 1
    assert missing.output.strip() == "Error: no paper with reference or id '00-00000'"


def test_export_ndjson_and_csv(demo_home, tmp_path):
    home, _ = demo_home
    lines = _run(home, "export", "--format", "ndjson", "--without-file-text").splitlines()
    records = [json.loads(line) for line in lines if line.startswith("{")]
    assert len(records) == 34
    assert all(list(r)[:17] == list(PAPER_KEYS) for r in records)
    target = tmp_path / "papers.csv"
    _run(home, "export", "--format", "csv", "--output", str(target))
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert len(rows) == 34
    seed = next(r for r in rows if r["reference"] == "21-15513-01")
    assert seed["participating"].startswith("01 Fachbereich Zentrale Steuerung; DEZERNAT II")


def test_reparse_from_raw_responses_offline(demo_home):
    home, _ = demo_home
    summary = json.loads(_run(home, "reparse", "21-15513-01", "--json"))
    assert summary["papers"] == 2  # the OParl record and the ALLRIS page
    assert summary["failed"] == 0 and summary["changed"] == 0


def test_extract_a_file(tmp_path):
    from ratsinfo.demo.sample import data_dir

    table = data_dir() / "demo" / "files" / "21-16744_Kostenaufstellung_WLAN.pdf"
    result = CliRunner().invoke(main, ["extract", str(table), "--json"])
    assert result.exit_code == 0, result.output
    extraction = json.loads(result.output)
    assert set(extraction) == {"file", "pages", "error"} and extraction["error"] is None
    page = extraction["pages"][0]
    assert page["method"] == "text" and page["page"] == 1
    assert "Stadtteilzentrum Weststadt\t12\t41.800" in page["text"]  # the cost table, row by row
    broken = tmp_path / "anlage.pdf"
    broken.write_bytes(b"<html><body>Sitzung nicht gefunden</body></html>")
    failed = CliRunner().invoke(main, ["extract", str(broken)])
    assert failed.exit_code == 1
    assert "mislabelled" in failed.output and "Traceback" not in failed.output
