"""Search engines side by side on generated council papers: build rate, size, query latency.

For each size and backend: generate papers (:mod:`bench.generate`), analyse and prepare them in
worker processes with the indexer's own functions (:func:`ratsinfo.index.sync._work`, the same
as ``ratsinfo reindex``), write them through the backend in its bulk batches, then time queries
through the query path (parse, compile with the analysis, ``backend.search``; loading rows from
the store and snippets are not part of it). Query classes:

* ``word``: one word; ``words``: two words; ``phrase``: a quoted phrase;
* ``filter``: field filters and a date range (``art:Antrag datum:2019..2021 Schule``);
* ``facets``: filters and words with every facet counted; ``date``: newest first.

Build rate is wall time for generating + analysing + writing (+ the backend's final step: the
Whoosh segment merge, PostgreSQL's GIN indexes), so generation (measured alone and reported)
slightly understates it. ``--from-store N`` also times ``reindex`` from a SQLite store of N
generated papers (the real path: reading the store included).

Run: ``python bench/bench_search.py --sizes 100000 --backends whoosh,tantivy,postgres``;
``--sizes 1000000 --backends tantivy,postgres``. Results go to ``bench/out/search-*.json``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.generate import COMMITTEES, Generator, Sources  # noqa: E402
from ratsinfo.core.config import Settings  # noqa: E402
from ratsinfo.index.base import SearchRequest, get_backend  # noqa: E402
from ratsinfo.index.plan import compile_query  # noqa: E402
from ratsinfo.index.query import parse_query  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("RATSINFO_CORPUS", ROOT.parent / "shared" / "corpus"))
OUT = ROOT / "bench" / "out"
PG_ADMIN = os.environ.get("RATSINFO_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
TASK = 250  # papers per worker task

WORDS = [
    "Schule",
    "Straße",
    "Haushalt",
    "Bebauungsplan",
    "Feuerwehr",
    "Kindergarten",
    "Glasfaser",
    "WLAN",
    "Digitalisierung",
    "Windkraft",
    "Friedhof",
    "Radweg",
    "Sanierung",
    "Haushaltssatzung",
    "Gewerbegebiet",
    "Flüchtlinge",
    "Photovoltaik",
    "Breitbandausbau",
    "Kläranlage",
    "Spielplatz",
    "Schulen",
    "Grundstück",
    "Beschluss",
    "Verwaltung",
    "Förderung",
    "Klimaschutz",
    "Kita",
    "Bürgermeister",
    "Ausschreibung",
    "Gebührensatzung",
    "Jahresabschluss",
    "Parkplatz",
    "Stellenplan",
    "Sportplatz",
    "Wasserversorgung",
    "Feuerwehrgerätehaus",
    "Umbesetzung",
    "Satzung",
    "Antrag",
    "Brandschutzbedarfsplan",
    "Smartphone",
    "Bürgerbeteiligung",
    "Denkmalschutz",
    "Hochwasser",
    "Stadtwerke",
    "Innenstadt",
    "Ortsteil",
    "Kosten",
]
TWO_WORDS = [
    "Glasfaser Ausbau",
    "Bebauungsplan Vossenack",
    "Haushaltssatzung 2013",
    "Strategie Digitalisierung",
    "Offene Ganztagsschule",
    "Sanierung Schule",
    "Feuerwehr Neubau",
    "Windkraft Konzentrationszone",
    "kostenloses WLAN",
    "Kindergarten Erweiterung",
    "Straße Ausbau",
    "Klimaschutz Konzept",
]
PHRASES = [
    '"Smart City"',
    '"Offene Ganztagsschule"',
    '"Rat der Stadt"',
    '"schnelles Internet"',
    '"Bebauungsplan Nr"',
    '"zur Kenntnis"',
    '"Freiwillige Feuerwehr"',
    '"im Ortsteil"',
]
TYPES = ["Antrag", "Anfrage", "Beschlussvorlage", "Mitteilung", "Stellungnahme"]
TOPICS = ["smartcity", "breitband", "schule", "bauen", "haushalt", "verkehr", "umwelt", "ordnung"]
OFFICE_WORDS = ["Schule", "Tiefbau", "Feuerwehr", "Finanzen", "Stadtplanung", "Umwelt", "Digitalisierung"]


def queries(rng: random.Random, n: int) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """``n`` queries per class, the same for every backend."""

    def years() -> str:
        a = rng.randint(2000, 2024)
        return f"{a}..{a + rng.randint(0, 3)}"

    committees = [c.split()[0] for c in COMMITTEES]
    filters = [
        lambda: f"art:{rng.choice(TYPES)} datum:{years()} {rng.choice(WORDS)}",
        lambda: f"topic:{rng.choice(TOPICS)} datum:{years()}",
        lambda: f"gremium:{rng.choice(committees)} datum:{rng.randint(2000, 2026)} {rng.choice(WORDS)}",
        lambda: f"federfuehrend:{rng.choice(OFFICE_WORDS)} datum:{years()}",
        lambda: f"{rng.choice(WORDS)} datum:{years()}",
    ]
    return {
        "word": [(rng.choice(WORDS), {}) for _ in range(n)],
        "words": [(rng.choice(TWO_WORDS), {}) for _ in range(n)],
        "phrase": [(rng.choice(PHRASES), {}) for _ in range(n)],
        "filter": [(rng.choice(filters)(), {}) for _ in range(n)],
        "facets": [
            ((rng.choice(filters)() if rng.random() < 0.7 else rng.choice(WORDS)), {"facets": True})
            for _ in range(n)
        ],
        "date": [(rng.choice(WORDS), {"sort": "date"}) for _ in range(n)],
    }


# --- building -------------------------------------------------------------------------------

_gen: Generator | None = None
_prepare: Any = None


def _init(corpus: Path, seed: int, prepare: Any) -> None:
    global _gen, _prepare
    _gen = Generator(Sources.load(corpus), seed)
    _prepare = prepare
    from ratsinfo.index import sync

    sync._init_worker(prepare)


def _make(span: tuple[int, int]) -> list[Any]:
    from ratsinfo.index.sync import _work

    assert _gen is not None
    return [_work(_gen.paper(i))[2] for i in range(*span)]


def _generate_only(span: tuple[int, int]) -> int:
    assert _gen is not None
    return sum(len(_gen.paper(i).text) for i in range(*span))


def settings_for(backend: str, size: int, base: Path) -> Settings:
    data = base / f"{backend}-{size}"
    if backend != "postgres":
        return Settings(data_dir=data, database_url=f"sqlite:///{data / 'bench.db'}", index_backend=backend)
    import psycopg

    name = f"ratsinfo_bench_{size}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return Settings(
        data_dir=data, database_url=PG_ADMIN.rsplit("/", 1)[0] + "/" + name, index_backend=backend
    )


def build(backend_name: str, size: int, corpus: Path, workers: int, seed: int, base: Path) -> dict[str, Any]:
    import shutil

    settings = settings_for(backend_name, size, base)
    shutil.rmtree(settings.data_dir, ignore_errors=True)
    backend = get_backend(settings)
    backend.clear()
    backend.begin_bulk()
    spans = [(i, min(i + TASK, size)) for i in range(0, size, TASK)]
    batch = max(TASK, backend.bulk_batch // TASK * TASK)
    written = 0
    write_s = 0.0
    started = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, _init, (corpus, seed, backend.prepare)) as pool:
        groups = [spans[i : i + batch // TASK] for i in range(0, len(spans), batch // TASK)]
        pending = pool.map_async(_make, groups[0]) if groups else None
        for k in range(len(groups)):
            assert pending is not None
            docs = [d for chunk in pending.get() for d in chunk]
            pending = pool.map_async(_make, groups[k + 1]) if k + 1 < len(groups) else None
            t = time.perf_counter()
            backend.write(docs)
            write_s += time.perf_counter() - t
            written += len(docs)
            print(
                f"  {backend_name}: {written}/{size} papers, "
                f"{written / (time.perf_counter() - started):.0f}/s",
                file=sys.stderr,
                flush=True,
            )
    t = time.perf_counter()
    backend.end_bulk()
    finish_s = time.perf_counter() - t
    total_s = time.perf_counter() - started
    result = {
        "papers": written,
        "build_seconds": round(total_s, 1),
        "build_papers_per_s": round(written / total_s, 1),
        "write_seconds": round(write_s, 1),
        "finish_seconds": round(finish_s, 1),
        "size_mb": round(backend.size_bytes() / 1e6, 1),
        "count": backend.count(),
    }
    backend.close()
    result["settings"] = {"data_dir": str(settings.data_dir), "database_url": settings.database_url}
    return result


def generation_rate(corpus: Path, n: int = 3000) -> float:
    _init(corpus, 7, None)
    t = time.perf_counter()
    _generate_only((0, n))
    return round(n / (time.perf_counter() - t), 1)


# --- searching ------------------------------------------------------------------------------


def latency(settings: Settings, qs: dict[str, list[tuple[str, dict[str, Any]]]]) -> dict[str, Any]:
    backend = get_backend(settings)
    out: dict[str, Any] = {}
    try:
        for text, kwargs in [(q, k) for cls in qs.values() for q, k in cls[:5]]:  # warm up
            backend.search(compile_query(parse_query(text)), SearchRequest(text, **kwargs))
        everything: list[float] = []
        for cls, items in qs.items():
            times, totals = [], []
            for text, kwargs in items:
                t = time.perf_counter()
                plan = compile_query(parse_query(text))
                request = SearchRequest(text, limit=20, **kwargs)
                if kwargs.get("sort") != "date" and not _scores(plan):
                    request = replace(request, sort="date")
                result = backend.search(plan, request)
                times.append((time.perf_counter() - t) * 1000)
                totals.append(result.total)
            everything += times
            out[cls] = _stats(times) | {"median_hits": statistics.median(totals)}
        out["all"] = _stats(everything)
    finally:
        backend.close()
    return out


def _scores(plan: Any) -> bool:
    from ratsinfo.index.plan import scores

    return scores(plan)


def _stats(times: list[float]) -> dict[str, float]:
    times = sorted(times)
    return {
        "n": len(times),
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, int(0.95 * len(times)))], 1),
        "max_ms": round(times[-1], 1),
    }


# --- the real path: reindex from a store ----------------------------------------------------------


def from_store(backends: list[str], n: int, corpus: Path, workers: int, base: Path) -> dict[str, Any]:
    """Load ``n`` generated papers into a SQLite store once, then time ``reindex`` per backend."""
    from ratsinfo.core.record import PaperRecord
    from ratsinfo.index.sync import reindex
    from ratsinfo.store.db import reset_engines, session_scope
    from ratsinfo.store.papers import get_or_create_source, save_paper

    data = base / f"store-{n}"
    import shutil

    shutil.rmtree(data, ignore_errors=True)
    store_url = f"sqlite:///{data / 'ratsinfo.db'}"
    gen = Generator(Sources.load(corpus), 3)
    t = time.perf_counter()
    with session_scope(store_url) as session:
        source = get_or_create_source(session, "oparl", "https://bench.example/oparl", "bench")
        for i in range(n):
            d = gen.paper(i)
            record = PaperRecord(
                source="oparl",
                name=d.name,
                reference=d.reference,
                paper_type=d.paper_type,
                date=d.date.isoformat() if d.date else None,
                status=d.status,
                under_direction_of=d.under_direction_of,
                participating=d.participating,
                responsible=d.responsible,
                originator=d.originator,
                text={"Sachverhalt": d.text},
            )
            save_paper(session, source, record, external_id=f"p{i}", raw_ids=[], body_id=None)
            if i % 2000 == 1999:
                session.commit()
    load_s = time.perf_counter() - t
    out: dict[str, Any] = {"papers": n, "store_load_seconds": round(load_s, 1)}
    for name in backends:
        if name == "postgres":
            continue  # the postgres backend needs a PostgreSQL store: see its bulk build above
        settings = Settings(data_dir=data, database_url=store_url, index_backend=name)
        t = time.perf_counter()
        done = reindex(settings, workers=workers)
        seconds = time.perf_counter() - t
        out[name] = {
            "reindexed": done,
            "seconds": round(seconds, 1),
            "papers_per_s": round(done / seconds, 1),
        }
        print(f"  reindex {name}: {done} in {seconds:.1f}s", file=sys.stderr, flush=True)
    reset_engines()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="100000", help="comma-separated paper counts")
    ap.add_argument("--backends", default="whoosh,tantivy,postgres")
    ap.add_argument("--queries", type=int, default=100, help="queries per class")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--data", type=Path, default=OUT / "search-data", help="where indexes are built")
    ap.add_argument("--from-store", type=int, default=0, help="also time reindex from a store of N papers")
    ap.add_argument("--search-only", action="store_true", help="reuse built indexes, time queries only")
    ap.add_argument("--build-only", action="store_true", help="build the indexes, time no queries")
    args = ap.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    OUT.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()},
        "generation_papers_per_s_one_core": generation_rate(args.corpus),
    }
    qs = queries(random.Random(42), args.queries)
    for size in [int(s) for s in args.sizes.split(",")]:
        for name in backends:
            print(f"{name} at {size} papers", file=sys.stderr, flush=True)
            key = f"{name}@{size}"
            if args.search_only:
                settings = _existing(name, size, args.data)
                report[key] = {}
            else:
                report[key] = build(name, size, args.corpus, args.workers, args.seed, args.data)
                settings = Settings(
                    data_dir=Path(report[key]["settings"]["data_dir"]),
                    database_url=report[key]["settings"]["database_url"],
                    index_backend=name,
                )
            if not args.build_only:
                report[key]["latency"] = latency(settings, qs)
            report[key]["load_after"] = os.getloadavg()
            print(json.dumps({key: report[key]}, indent=1), file=sys.stderr, flush=True)
    if args.from_store:
        report["reindex_from_store"] = from_store(
            backends, args.from_store, args.corpus, args.workers, args.data
        )
    name = f"search-{args.sizes.replace(',', '_')}-{'_'.join(backends)}.json"
    (OUT / name).write_text(json.dumps(report, indent=2))
    print_report(report)
    print(f"\nwritten to {OUT / name}")
    return 0


def _existing(name: str, size: int, base: Path) -> Settings:
    data = base / f"{name}-{size}"
    if name != "postgres":
        return Settings(data_dir=data, database_url=f"sqlite:///{data / 'bench.db'}", index_backend=name)
    return Settings(
        data_dir=data, database_url=PG_ADMIN.rsplit("/", 1)[0] + f"/ratsinfo_bench_{size}", index_backend=name
    )


def print_report(report: dict[str, Any]) -> None:
    print(f"generation alone: {report['generation_papers_per_s_one_core']} papers/s on one core")
    classes = ["word", "words", "phrase", "filter", "facets", "date", "all"]
    print(
        f"{'backend@papers':22}{'build/s':>9}{'size MB':>9}  "
        + "".join(f"{c + ' p50/p95':>17}" for c in classes)
    )
    for key, r in report.items():
        if "@" not in key:
            continue
        lat = r.get("latency")
        cells = "".join(f"{lat[c]['p50_ms']:>8}/{lat[c]['p95_ms']:<8}" for c in classes) if lat else ""
        print(f"{key:22}{r.get('build_papers_per_s', '-'):>9}{r.get('size_mb', '-'):>9}  {cells}")
    if "reindex_from_store" in report:
        print("reindex from a store:", json.dumps(report["reindex_from_store"]))


if __name__ == "__main__":
    raise SystemExit(main())
