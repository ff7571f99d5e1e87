"""Benchmark of the document extraction (issue 4), side by side with poppler's pdftotext.

    python bench/bench_extract.py [--pages 300] [--ocr-pages 12] [--workers N] [--corpus DIR] [--json FILE]

Measures, in one run and on the same files:

* text-layer pages/s on one core: ratsinfo (PDFium text layer + tables + cleanup, in-process),
  the same with the pdfplumber table engine, and ``pdftotext`` (one process per file, as it is used);
* the same as a batch over every core: ratsinfo's isolated worker pool vs. pdftotext processes
  (the file list repeated ``--batch-repeat`` times; the pool's start-up is reported separately);
* OCR pages/s (image-only pages, Tesseract ``deu``), on one core and over every core;
* the real PDFs in ../shared/corpus/pdf, split into text-layer and OCR files;
* peak memory (max RSS) of this process and of the largest child (workers, Tesseract, pdftotext).

Text-layer figures are the best of five rounds (batches: three), ratsinfo and pdftotext taking
turns so that both see the same load on a shared machine; OCR runs once.

Generated documents are German council-style papers (Beratungsfolge and cost tables, hyphenated
line ends, running headers and footers); they are written to bench/out/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2 as pdfium

from ratsinfo.ingest.documents import ExtractionPool, Limits, extract_file
from ratsinfo.ingest.documents.ocr import ocr_unavailable_reason
from ratsinfo.ingest.documents.pdfgen import Document

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CORPUS_PDF = ROOT.parent / "shared" / "corpus" / "pdf"

VOCABULARY = (
    "Stadtrat Ausschuss Verwaltung Beschluss Vorlage Haushalt Haushaltsmittel Förderung Förderprogramm "
    "Bürgerbeteiligung Straßenbau Grünfläche Kindertagesstätte Schulwegsicherheit Radverkehr Fußgänger "
    "Wärmeplanung Klimaschutz Maßnahme Maßnahmen Umsetzung Planung Ausführungsplanung Bebauungsplan "
    "Flächennutzungsplan Öffentlichkeit Ortsbeirat Stadtteil Quartier Nahversorgung Wohnungsbau "
    "Sanierung Gebäude Feuerwehr Gerätehaus Kosten Mittel Zuschuss Antrag Anfrage Stellungnahme "
    "Niederschrift Sitzung Tagesordnung Beratung Entscheidung Kenntnisnahme Vergabe Auftrag Angebot "
    "Digitalisierung Bürgerdienste Glasfaser Breitband Spielplatz Sportplatz Schwimmbad Bibliothek "
    "Jugendhilfe Seniorenarbeit Integration Inklusion Mobilität Parkraum Bushaltestelle Stadtbahn "
    "Umweltausschuss Bauausschuss Finanzausschuss Hauptausschuss Gemeinderat Oberbürgermeister "
    "und der die das mit für von im zur zum auf bei nach über unter wird werden wurde soll sollen kann "
    "eine einer einem den des dem sowie bzw. gemäß insbesondere voraussichtlich bereits zusätzlich"
)
WORDS = VOCABULARY.split()
COMMITTEES = ["Bau- und Umweltausschuss", "Finanzausschuss", "Hauptausschuss", "Stadtrat", "Ortsbeirat Süd"]
ROLES = ["Vorberatung", "Entscheidung", "Kenntnisnahme"]


# --- generated documents -----------------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 20)))
    return text[0].upper() + text[1:] + rng.choice([".", ".", ".", ",", ";"])


def _wrap(rng: random.Random, text: str, width: int = 88) -> list[str]:
    """Wrap to lines; every few line ends hyphenate a long word the way Word does."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        if len(line) + 1 + len(word) <= width:
            line = f"{line} {word}".strip()
            continue
        room = width - len(line) - 2
        if len(word) > 9 and room > 4 and rng.random() < 0.3:
            cut = min(room, len(word) - 4)
            lines.append(f"{line} {word[:cut]}-".strip())
            line = word[cut:]
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def council_document(rng: random.Random, number: int, n_pages: int) -> Document:
    doc = Document()
    # Vorlagen open with the Beratungsfolge; about a third of the longer ones carry a cost table.
    cost_page = rng.randint(2, n_pages) if n_pages > 1 and rng.random() < 0.35 else 0
    for page_no in range(1, n_pages + 1):
        page = doc.page()
        page.text(72, 805, f"Stadt Musterstadt – Vorlage 2025/{number:04d}", size=8)
        page.text(480, 30, f"Seite {page_no} von {n_pages}", size=8)
        y = 770.0
        if page_no == 1:
            page.text(72, y, f"Beschlussvorlage 2025/{number:04d}", size=14, bold=True)
            y -= 24
            betreff = _wrap(rng, "Betreff: " + _sentence(rng) + " " + _sentence(rng))
            y = page.lines(72, y, betreff, size=10)
            page.text(72, y - 6, "Beratungsfolge:", size=10, bold=True)
            rows = [["Datum", "Gremium", "Zuständigkeit", "Status"]]
            for i in range(rng.randint(2, 4)):
                rows.append([f"{10 + i}.03.2025", rng.choice(COMMITTEES), rng.choice(ROLES), "öffentlich"])
            y = page.table(72, y - 14, [70, 160, 110, 80], rows) - 16
        elif page_no == cost_page:
            rows = [["Maßnahme", "2025", "2026", "Summe"]]
            for _ in range(rng.randint(4, 8)):
                a, b = rng.randint(10, 900) * 1000, rng.randint(10, 900) * 1000
                rows.append([rng.choice(WORDS[:60]), f"{a:,} €", f"{b:,} €", f"{a + b:,} €"])
            y = page.table(72, y, [180, 80, 80, 90], rows) - 16
        while y > 90:
            paragraph = _wrap(rng, " ".join(_sentence(rng) for _ in range(rng.randint(2, 5))))
            paragraph = paragraph[: max(1, int((y - 90) / 13.5))]
            y = page.lines(72, y, paragraph, size=10) - 8
    return doc


def generate_text_docs(folder: Path, total_pages: int, seed: int = 4) -> list[tuple[Path, int]]:
    """Council papers of typical lengths (many short, a few long) up to ``total_pages`` pages."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    docs: list[tuple[Path, int]] = []
    pages = 0
    number = 1
    while pages < total_pages:
        n = min(rng.choice([1, 1, 1, 2, 2, 3, 4, 6, 8, 12, 20]), total_pages - pages)
        path = folder / f"vorlage_{number:04d}.pdf"
        path.write_bytes(council_document(rng, number, n).build())
        docs.append((path, n))
        pages += n
        number += 1
    return docs


def generate_ocr_docs(folder: Path, n_pages: int, seed: int = 5) -> list[tuple[Path, int]]:
    """Image-only pages: text pages rendered to 200 dpi greyscale and embedded as pictures (scans)."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    docs = []
    for i in range(n_pages):
        source = council_document(rng, 900 + i, 1)
        pdf = pdfium.PdfDocument(source.build())
        image = pdf[0].render(scale=200 / 72, grayscale=True).to_pil().convert("L")
        pdf.close()
        scan = Document()
        page = scan.page()
        page.image(0, 0, page.width, page.height, image.tobytes(), image.size[0], image.size[1])
        path = folder / f"scan_{i:03d}.pdf"
        path.write_bytes(scan.build())
        docs.append((path, 1))
    return docs


# --- measuring ---------------------------------------------------------------------------------


def poppler_tesseract_one(path: Path, dpi: int = 300) -> int:
    """The shell way to OCR a PDF: pdftoppm renders each page, tesseract reads it (reference)."""
    n_pages = len(pdfium.PdfDocument(path))
    chars = 0
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    for number in range(1, n_pages + 1):
        render = ["pdftoppm", "-r", str(dpi), "-gray", "-f", str(number), "-l", str(number), str(path)]
        image = subprocess.run(render, capture_output=True, check=True).stdout
        cmd = ["tesseract", "stdin", "stdout", "-l", "deu"]
        chars += len(subprocess.run(cmd, input=image, capture_output=True, env=env, check=False).stdout)
    return chars


def pdftotext_one(path: Path) -> int:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=False)
    return len(out.stdout)


def interleaved(measures: dict[str, Callable[[], object]], runs: int) -> dict[str, float]:
    """Best time of each measure over ``runs`` rounds, taken in turns so that both sides of a
    comparison see the same disturbances on a shared machine."""
    best = {name: float("inf") for name in measures}
    for _ in range(runs):
        for name, fn in measures.items():
            best[name] = min(best[name], timed(fn))
    return best


def timed(fn: Callable[[], object], repeat: int = 1) -> float:
    """Best of ``repeat`` runs: the machine may be shared, the best run is the least disturbed."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def run_sequential_ratsinfo(paths: Iterable[Path], limits: Limits) -> int:
    chars = 0
    for path in paths:
        result = extract_file(path, limits=limits)
        if result.error:
            raise RuntimeError(f"{path}: {result.error}")
        chars += len(result.text)
    return chars


def run_batch_ratsinfo(pool: ExtractionPool, paths: list[Path]) -> int:
    chars = 0
    for result in pool.map(paths):
        if result.error:
            raise RuntimeError(f"{result.file}: {result.error}")
        chars += len(result.text)
    return chars


def run_batch_pdftotext(paths: list[Path], workers: int) -> int:
    with ThreadPoolExecutor(workers) as pool:
        return sum(pool.map(pdftotext_one, paths))


def rate(pages: int, seconds: float) -> str:
    return f"{pages / seconds:8.2f} pages/s ({seconds:6.2f} s)"


WORKER_PEAK_MB = [0.0]


def warmup_file() -> Path:
    """A one-page PDF: the first file a worker reads imports the PDF stack."""
    path = OUT / "warmup.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc = Document()
    doc.page().text(72, 700, "Aufwärmen")
    path.write_bytes(doc.build())
    return path


def vm_hwm_mb(pid: int) -> float:
    """Peak resident memory of a running process (Linux /proc), in MiB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def max_rss_mb() -> tuple[float, float]:
    """(this process, largest waited-for child) in MiB (ru_maxrss is KiB on Linux)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def bench_set(
    title: str,
    docs: list[tuple[Path, int]],
    workers: int,
    results: dict[str, object],
    *,
    ocr: bool = False,
    batch_repeat: int = 1,
) -> None:
    paths = [p for p, _ in docs]
    pages = sum(n for _, n in docs)
    table_pages = 0
    if not ocr:
        from ratsinfo.ingest.documents.pageobjects import scan_page
        from ratsinfo.ingest.documents.tables import find_tables

        for path in paths:
            pdf = pdfium.PdfDocument(path)
            for page in pdf:
                textpage = page.get_textpage()
                table_pages += bool(find_tables(scan_page(page.raw, *page.get_size()), textpage))
            pdf.close()
    shares = f", {table_pages} with ruled tables" if not ocr else ""
    print(f"\n== {title}: {len(paths)} files, {pages} pages{shares}")
    have_pdftotext = shutil.which("pdftotext") is not None
    entry: dict[str, object] = {"files": len(paths), "pages": pages, "table_pages": table_pages}
    limits = Limits()
    # Warm-up (imports, font cache, Tesseract model in the page cache) outside the timings.
    extract_file(paths[0], limits=limits)
    if have_pdftotext:
        pdftotext_one(paths[0])

    runs = 1 if ocr else 5
    single: dict[str, Callable[[], object]] = {"ratsinfo": lambda: run_sequential_ratsinfo(paths, limits)}
    if have_pdftotext and not ocr:
        single["pdftotext"] = lambda: [pdftotext_one(p) for p in paths]
    best = interleaved(single, runs)
    entry["ratsinfo_1core_pages_s"] = round(pages / best["ratsinfo"], 1)
    print(f"  ratsinfo, 1 core (in-process)          {rate(pages, best['ratsinfo'])}")
    if "pdftotext" in best:
        entry["pdftotext_1core_pages_s"] = round(pages / best["pdftotext"], 1)
        print(f"  pdftotext, 1 core (process per file)   {rate(pages, best['pdftotext'])}")
    if not ocr:
        plumber = Limits(table_engine="pdfplumber")
        t = timed(lambda: run_sequential_ratsinfo(paths, plumber))
        entry["ratsinfo_pdfplumber_tables_1core_pages_s"] = round(pages / t, 1)
        print(f"  ratsinfo, pdfplumber tables, 1 core    {rate(pages, t)}")
    if ocr and have_pdftotext:
        t = timed(lambda: [poppler_tesseract_one(p) for p in paths])
        entry["pdftoppm_tesseract_300dpi_1core_pages_s"] = round(pages / t, 2)
        print(
            f"  pdftoppm 300 dpi | tesseract, 1 core   {rate(pages, t)}  (reference; pdftotext finds no text)"
        )
    # Batches: the file list repeated so that the pool's start-up (one interpreter per worker,
    # paid once per crawl) does not dominate; it is reported on its own line.
    repeat = 1 if ocr else batch_repeat
    batch, batch_pages = paths * repeat, pages * repeat
    label = f"{repeat} x {len(paths)} files" if repeat > 1 else "all files"
    with ExtractionPool(workers, limits) as pool:
        t = timed(lambda: list(pool.map([warmup_file()] * workers)))
        entry["pool_startup_s"] = round(t, 2)
        print(f"  ratsinfo, start-up of {workers} workers          {t:8.2f} s")
        parallel: dict[str, Callable[[], object]] = {"ratsinfo": lambda: run_batch_ratsinfo(pool, batch)}
        if have_pdftotext and not ocr:
            parallel["pdftotext"] = lambda: run_batch_pdftotext(batch, workers)
        best = interleaved(parallel, min(runs, 3))
        peak = max((vm_hwm_mb(pid) for pid in pool.worker_pids()), default=0.0)
        WORKER_PEAK_MB[0] = max(WORKER_PEAK_MB[0], peak)
        entry["worker_peak_rss_mb"] = round(peak, 1)
    entry["ratsinfo_batch_pages_s"] = round(batch_pages / best["ratsinfo"], 1)
    print(f"  ratsinfo, {workers} isolated workers, {label:<12} {rate(batch_pages, best['ratsinfo'])}")
    if "pdftotext" in best:
        entry["pdftotext_batch_pages_s"] = round(batch_pages / best["pdftotext"], 1)
        print(f"  pdftotext, {workers} at a time, {label:<12}   {rate(batch_pages, best['pdftotext'])}")
    results[title] = entry


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=300, help="generated text-layer pages")
    parser.add_argument("--ocr-pages", type=int, default=12, help="generated image-only pages")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--batch-repeat", type=int, default=10, help="text files are batched this many times")
    parser.add_argument("--corpus", type=Path, default=CORPUS_PDF)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)

    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, pypdfium2 {pdfium.version.PYPDFIUM_INFO}"
    )
    if shutil.which("pdftotext"):
        version = subprocess.run(["pdftotext", "-v"], capture_output=True, text=True, check=False)
        print((version.stderr or version.stdout).splitlines()[0])
    else:
        print("pdftotext not installed (Debian: poppler-utils): comparison columns skipped")
    ocr_reason = ocr_unavailable_reason("deu")
    results: dict[str, object] = {"workers": args.workers, "cores": os.cpu_count()}

    started = time.perf_counter()
    text_docs = generate_text_docs(OUT / "generated" / "text", args.pages)
    ocr_docs = generate_ocr_docs(OUT / "generated" / "ocr", args.ocr_pages) if args.ocr_pages else []
    print(f"generated {sum(n for _, n in text_docs)} text-layer and {len(ocr_docs)} image-only pages "
          f"in {time.perf_counter() - started:.1f} s")  # fmt: skip

    bench_set("generated text-layer PDFs", text_docs, args.workers, results, batch_repeat=args.batch_repeat)
    if ocr_docs and ocr_reason is None:
        bench_set("generated image-only PDFs (OCR)", ocr_docs, args.workers, results, ocr=True)
    elif ocr_docs:
        print(f"\nOCR skipped: {ocr_reason}")

    if args.corpus.is_dir():
        real = sorted(args.corpus.rglob("*.pdf"))
        text_real, ocr_real = [], []
        for path in real:
            result = extract_file(path)
            n = len(result.pages)
            (ocr_real if any(p.method == "ocr" for p in result.pages) else text_real).append((path, n))
        bench_set(
            "corpus PDFs with a text layer",
            text_real,
            args.workers,
            results,
            batch_repeat=args.batch_repeat * 5,
        )
        if ocr_real and ocr_reason is None:
            bench_set("corpus PDFs needing OCR", ocr_real, args.workers, results, ocr=True)
    else:
        print(f"\ncorpus not found at {args.corpus}: skipped")

    own, children = max_rss_mb()
    results["max_rss_mb"] = {
        "self": round(own, 1),
        "worker": round(WORKER_PEAK_MB[0], 1),
        "largest_child": round(children, 1),
    }
    print(
        f"\npeak memory (max RSS): this process {own:.0f} MiB (in-process runs, pdfplumber engine included), "
        f"largest extraction worker {WORKER_PEAK_MB[0]:.0f} MiB, largest child of any kind "
        f"(workers, tesseract, pdftotext) {children:.0f} MiB"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
