"""Pages parsed per second, per vendor and flavour, over the real corpus and the project's samples.

Run: ``python bench/bench_parsers.py [--rounds N] [--corpus PATH]``. Each page is parsed from its
raw bytes (decoding, sniffing, soup, record) the way a crawler hands it over; the figure is
pages per second of wall-clock time on one core.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from ratsinfo.ingest.parsers.detect import parse_consultations, parse_page, parse_paper_list

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = Path(os.environ.get("RATSINFO_CORPUS", ROOT.parent / "shared" / "corpus"))
FIXTURES = ROOT / "tests" / "parsers" / "fixtures"
SAMPLES = ROOT / "data" / "samples" / "allris4"


def groups(corpus: Path) -> dict[str, tuple[Callable[[bytes], object], list[Path]]]:
    """Benchmark groups: label -> (parse function, pages)."""
    hamburg = corpus / "allris" / "classic-3.9.5_hamburg"
    return {
        "allris classic vo020 (paper)": (parse_page, sorted(hamburg.glob("*/vo020.html"))),
        "allris responsive vo020_r (paper)": (
            parse_page,
            sorted((corpus / "allris" / "allris3_responsive_lkos_excerpt").glob("*.html")),
        ),
        "allris 4 vo020 (paper)": (
            parse_page,
            [*sorted((corpus / "allris" / "allris4_trier").glob("*.html")), *sorted(SAMPLES.glob("*.html"))],
        ),
        "sessionnet vo0050 (paper)": (parse_page, sorted((corpus / "sessionnet").glob("*/vo0050*.html"))),
        "allris classic vo040 (list)": (parse_paper_list, sorted(hamburg.glob("*/vo040.html"))),
        "allris 4 vo040 (list)": (parse_paper_list, [FIXTURES / "allris4_vo040.html"]),
        "sessionnet vo0040 (list)": (parse_paper_list, [FIXTURES / "sessionnet_vo0040.html"]),
        "sessionnet vo0053 (Beratungen)": (parse_consultations, [FIXTURES / "sessionnet_vo0053-19902.html"]),
    }


def bench(parse: Callable[[bytes], object], pages: list[Path], rounds: int) -> tuple[float, float, int]:
    """(pages per second, median ms per page, KiB per page) over ``rounds`` passes."""
    contents = [p.read_bytes() for p in pages]
    for content in contents:  # warm-up: imports, regex compilation
        parse(content)
    timings = []
    start = time.perf_counter()
    for _ in range(rounds):
        for content in contents:
            t0 = time.perf_counter()
            parse(content)
            timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - start
    size = sum(len(c) for c in contents) // len(contents) // 1024
    return len(timings) / elapsed, statistics.median(timings) * 1000, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50, help="passes over each group's pages")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the real RIS corpus")
    args = parser.parse_args()
    print(
        f"python {platform.python_version()} on {platform.machine()}, {args.rounds} rounds, "
        f"corpus {args.corpus}"
    )
    print(f"{'group':34} {'pages':>5} {'KiB/page':>8} {'pages/s':>9} {'ms/page':>8}")
    for label, (parse, pages) in groups(args.corpus).items():
        pages = [p for p in pages if p.is_file()]
        if not pages:
            print(f"{label:34} {'-':>5}  (no pages found)")
            continue
        rate, median_ms, size = bench(parse, pages, args.rounds)
        print(f"{label:34} {len(pages):5d} {size:8d} {rate:9.1f} {median_ms:8.2f}")


if __name__ == "__main__":
    main()
