"""nDCG@10 of the full search pipeline, through the real backends, on the judged real papers.

The Karlsruhe and Hürtgenwald OParl captures are served by a local server and crawled into a
store each with the project's crawler (Karlsruhe's file texts served as the files, extracted by
the project's extractor); each backend then builds its index with ``reindex`` and answers the
judged queries of ``judgments.json`` through :func:`ratsinfo.index.service.search`, as
``ratsinfo search`` does (words ANDed, top 10). The German features are switched off one by
one (:class:`ratsinfo.nlp.analysis.Profile`), so each one's worth is measured:

* ``plain`` — the baseline: lowercase word tokens, BM25, no German handling at all;
* ``lemmas`` — lemmas, ß folding, references kept whole, function words dropped from queries;
* ``+parts`` — and compound parts at index and query time (lower weight);
* ``+joined`` — and hyphenated words' joined spellings ("Smart-City" ~ "SmartCity");
* ``full`` — and a compound query word's parts anywhere ("Digitalisierungsstrategie" finds
  "Strategie zur Digitalisierung"): the default;
* ``full-joined`` — the default without joined spellings, to see what they are worth on top.

PostgreSQL needs a PostgreSQL store: the crawled stores are copied into fresh databases
(``RATSINFO_BENCH_PG``, default the test server) when it answers.

Run: ``python bench/relevance/evaluate_search.py [--backends whoosh,tantivy,postgres] [--json]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.relevance.evaluate_analysis import ndcg_at  # noqa: E402
from ratsinfo.core.config import Settings  # noqa: E402
from ratsinfo.nlp.analysis import FULL, PLAIN, Profile, set_profile  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("RATSINFO_CORPUS", ROOT.parent / "shared" / "corpus"))
JUDGMENTS = Path(__file__).with_name("judgments.json")
OUT = ROOT / "bench" / "out"
PG_ADMIN = os.environ.get("RATSINFO_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
VARIANTS: dict[str, Profile] = {
    "plain": PLAIN,
    "lemmas": Profile(parts=False, all_parts=False, joined=False),
    "+parts": Profile(all_parts=False, joined=False),
    "+joined": Profile(all_parts=False),
    "full": FULL,
    "full-joined": Profile(joined=False),
}
ORIGINS = {"karlsruhe": "https://web1.karlsruhe.de", "huertgenwald": "https://sdnetrim.kdvz-frechen.de"}


def crawl_corpora(corpus: Path, base: Path) -> dict[str, tuple[Path, str]]:
    """Each corpus crawled from a local server into its own SQLite store: ``{key: (dir, origin)}``."""
    from ratsinfo.demo.server import Site, SiteServer
    from ratsinfo.ingest.crawlers.base import CrawlOptions
    from ratsinfo.ingest.pipeline import after_crawl
    from ratsinfo.ingest.runner import crawl
    from ratsinfo.store.db import reset_engines
    from tests.conftest import huertgenwald_site
    from tests.search.corpora import karlsruhe_site

    out = {}
    for key in ("karlsruhe", "huertgenwald"):
        data = base / key
        shutil.rmtree(data, ignore_errors=True)
        settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'ratsinfo.db'}")
        site = Site()
        server = SiteServer(site)
        origin = server.start()
        try:
            if key == "karlsruhe":
                url = karlsruhe_site(corpus, site, origin)
                options = CrawlOptions(delay=0, workers=2)
            else:
                url = huertgenwald_site(corpus, site, origin)
                options = CrawlOptions(delay=0, workers=2, files=False, extract=False)
            summary = crawl(settings, url, options)
            after_crawl(settings, options)
            print(f"crawled {key}: {summary.stats}", file=sys.stderr)
        finally:
            server.stop()
            reset_engines()
        out[key] = (data, origin)
    return out


def pg_copy(data: Path) -> str:
    import psycopg

    from tests.search.corpora import copy_store

    name = f"ratsinfo_relevance_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    copy_store(f"sqlite:///{data / 'ratsinfo.db'}", url)
    return url


def drop_pg(url: str) -> None:
    import psycopg

    from ratsinfo.store.db import reset_engines

    reset_engines()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def evaluate(
    stores: dict[str, Settings], origins: dict[str, str], queries: list[dict[str, Any]]
) -> dict[str, float]:
    from ratsinfo.index.base import SearchRequest
    from ratsinfo.index.service import search

    scores = {}
    for q in queries:
        settings = stores[q["corpus"]]
        page = search(settings, SearchRequest(q["query"], limit=10, snippets=False))
        ranked = [row["id"].replace(origins[q["corpus"]], ORIGINS[q["corpus"]]) for row in page.rows]
        scores[q["id"]] = round(ndcg_at(ranked, q["judgments"]), 3)
    return scores


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--backends", default="whoosh,tantivy,postgres")
    ap.add_argument("--data", type=Path, default=OUT / "relevance-data")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    from ratsinfo.index.sync import reindex

    queries = json.loads(JUDGMENTS.read_text())["queries"]
    crawled = crawl_corpora(args.corpus, args.data)
    origins = {key: origin for key, (_, origin) in crawled.items()}
    results: dict[str, dict[str, dict[str, float]]] = {}
    timings: dict[str, float] = {}
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        stores: dict[str, Settings] = {}
        for key, (data, _) in crawled.items():
            url = f"sqlite:///{data / 'ratsinfo.db'}"
            if backend == "postgres":
                try:
                    url = pg_copy(data)
                except Exception as exc:  # PostgreSQL not answering: say so and go on
                    print(f"postgres skipped: {exc}", file=sys.stderr)
                    break
            stores[key] = Settings(data_dir=data, database_url=url, index_backend=backend)
        if len(stores) < len(crawled):
            continue
        try:
            for variant, profile in VARIANTS.items():
                set_profile(profile)
                t = time.perf_counter()
                for settings in stores.values():
                    reindex(settings)
                timings[f"{backend}/{variant}"] = round(time.perf_counter() - t, 1)
                results.setdefault(variant, {})[backend] = evaluate(stores, origins, queries)
                mean = sum(results[variant][backend].values()) / len(queries)
                print(f"{backend:9} {variant:8} mean nDCG@10 {mean:.3f}", file=sys.stderr, flush=True)
        finally:
            set_profile(FULL)
            if backend == "postgres":
                for settings in stores.values():
                    drop_pg(settings.database_url)
    means = {
        variant: {b: round(sum(s.values()) / len(s), 3) for b, s in per_backend.items()}
        for variant, per_backend in results.items()
    }
    report = {"mean": means, "per_query": results, "reindex_seconds": timings, "queries": len(queries)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "relevance.json").write_text(json.dumps(report, indent=2))
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    backends = list(next(iter(results.values())))
    print(f"{'mean nDCG@10':14}" + "".join(f"{b:>10}" for b in backends))
    for variant in results:
        print(f"{variant:14}" + "".join(f"{means[variant][b]:>10.3f}" for b in backends))
    print(f"\nper query ({backends[0]}):")
    print(f"{'query':32}" + "".join(f"{v:>9}" for v in results))
    for q in queries:
        print(f"{q['id']:32}" + "".join(f"{results[v][backends[0]][q['id']]:>9.3f}" for v in results))
    print(f"\nwritten to {OUT / 'relevance.json'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
