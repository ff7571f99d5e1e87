"""Hostile files in a batch: each becomes a recorded error, the others are extracted, nothing hangs."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from ratsinfo.ingest.documents import ExtractionPool, Limits, extract_batch, extract_isolated
from ratsinfo.ingest.documents.pdfgen import Document, exploding_forms_pdf
from ratsinfo.ingest.documents.sandbox import PREFETCH

from .test_pdf import council_paper

WritePdf = Callable[..., Path]


def test_batch_with_hostile_files_completes(write_pdf: WritePdf, tmp_path: Path) -> None:
    good_pdf = write_pdf(council_paper(), "vorlage.pdf")
    encrypted = write_pdf(council_paper(), "verschluesselt.pdf", user_password="geheim")
    data = council_paper().build()
    truncated = write_pdf(data[: len(data) // 2], "abgebrochen.pdf")
    html_as_pdf = write_pdf(b"<!DOCTYPE html><html><body>Sitzung abgelaufen</body></html>", "login.pdf")
    endless = write_pdf(exploding_forms_pdf(), "endlos.pdf")  # minutes of PDFium work
    notes = tmp_path / "notiz.txt"
    notes.write_text("Protokollnotiz: Die Sitzung beginnt um 18 Uhr.", encoding="utf-8")
    second = Document()
    second.page().text(72, 700, "Zweite Vorlage über den Haushalt 2026 und die Grundsteuer.")
    good_pdf2 = write_pdf(second, "haushalt.pdf")

    items = [endless, good_pdf, encrypted, truncated, (html_as_pdf, "application/pdf"), notes, good_pdf2]
    started = time.monotonic()
    results = {Path(r.file).name: r for r in extract_batch(items, workers=2, limits=Limits(timeout_s=2.0))}
    elapsed = time.monotonic() - started

    assert sorted(results) == sorted(Path(p[0] if isinstance(p, tuple) else p).name for p in items)
    errors = {name: r.error for name, r in results.items() if r.error}
    assert errors == {
        "endlos.pdf": "timeout: extraction took longer than 2 s",
        "verschluesselt.pdf": "encrypted PDF: a password is required to open it",
        "abgebrochen.pdf": errors["abgebrochen.pdf"],
        "login.pdf": "mislabelled file: announced as PDF but the content is HTML",
    }
    assert errors["abgebrochen.pdf"].startswith("truncated")
    assert "Bau- und Umweltausschuss\t12.03.2025\tVorberatung" in results["vorlage.pdf"].text
    assert "Haushalt 2026" in results["haushalt.pdf"].text
    assert results["notiz.txt"].text == "Protokollnotiz: Die Sitzung beginnt um 18 Uhr."
    assert elapsed < 10  # the endless file cost its time limit, not minutes


def test_timeout_kills_the_worker_and_the_pool_goes_on(write_pdf: WritePdf) -> None:
    endless = write_pdf(exploding_forms_pdf(), "endlos.pdf")
    good = write_pdf(council_paper(), "vorlage.pdf")
    with ExtractionPool(1, Limits(timeout_s=1.0)) as pool:
        first = pool.extract(endless)
        assert first.error == "timeout: extraction took longer than 1 s"
        assert pool.timeouts == 1 and pool.worker_pids() == []  # the overdue worker was killed
        second = pool.extract(good)  # a fresh worker takes over
        assert second.error is None and second.pages[0].method == "text"
        (worker_pid,) = pool.worker_pids()
    time.sleep(0.1)
    try:
        os.kill(worker_pid, 0)
        alive = True
    except ProcessLookupError:
        alive = False
    assert not alive, "closing the pool stops its workers"


def test_memory_blow_up_is_a_recorded_crash(write_pdf: WritePdf) -> None:
    bomb = write_pdf(exploding_forms_pdf(levels=5, busy_ops=0, text_ops=200), "speicher.pdf")
    good = write_pdf(council_paper(), "vorlage.pdf")
    limits = Limits(timeout_s=20, memory_mb=400)
    results = {Path(r.file).name: r for r in extract_batch([bomb, good], workers=1, limits=limits)}
    error = results["speicher.pdf"].error
    assert error is not None and error.startswith("extraction crashed: worker killed by SIG")
    assert "memory limit of 400 MB" in error
    assert results["vorlage.pdf"].error is None


def test_extract_isolated_matches_in_process(write_pdf: WritePdf) -> None:
    from ratsinfo.ingest.documents import extract_file

    path = write_pdf(council_paper())
    isolated = extract_isolated(path)
    assert isolated.to_dict() == extract_file(path).to_dict()
    assert isolated.seconds is not None


def test_batch_consumes_a_generator_lazily(write_pdf: WritePdf) -> None:
    paths = [write_pdf(council_paper(), f"v{i}.pdf") for i in range(8)]
    pulled: list[int] = []

    def feed():  # type: ignore[no-untyped-def]
        for i, path in enumerate(paths):
            pulled.append(i)
            yield path

    results = extract_batch(feed(), workers=2)
    first = next(results)
    assert first.error is None
    assert len(pulled) <= 2 * PREFETCH + 1  # per worker the running file and the next, one spare
    assert len([first, *results]) == 8


def test_files_queued_behind_a_hang_are_not_lost(write_pdf: WritePdf) -> None:
    """One worker, prefetching: the files sent after the endless one go to a fresh worker."""
    endless = write_pdf(exploding_forms_pdf(), "endlos.pdf")
    goods = [write_pdf(council_paper(), f"v{i}.pdf") for i in range(3)]
    with ExtractionPool(1, Limits(timeout_s=1.0)) as pool:
        results = {Path(r.file).name: r.error for r in pool.map([endless, *goods])}
    assert results == {
        "endlos.pdf": "timeout: extraction took longer than 1 s",
        "v0.pdf": None,
        "v1.pdf": None,
        "v2.pdf": None,
    }
