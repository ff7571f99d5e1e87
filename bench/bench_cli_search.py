"""Wall time of a cold ``ratsinfo search`` (a new process each time), on the demo council.

A command-line search pays for starting Python, importing the store and the engine, loading
the parts of the German lexicon the query needs, searching, reading the hits from the store and
making snippets. This runs ``ratsinfo demo`` into a fresh data dir per backend, then times each
query several times as a new process (the lexicon cache in the user cache dir is warm, as after
the first run on any machine) and reports the median.

Run: ``python bench/bench_cli_search.py [--backends whoosh,tantivy,postgres] [--repeat 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
PG_ADMIN = os.environ.get("RATSINFO_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
QUERIES = [
    ["Smart City Strategie"],
    ["Glasfaser", "Ausbau"],
    ["topic:smartcity datum:2020..2021", "--facets"],
    ['"kostenloses WLAN"', "--json"],
]
RATSINFO = [sys.executable, "-m", "ratsinfo"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", default="whoosh,tantivy,postgres")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    report: dict[str, dict[str, float]] = {}
    base = Path(tempfile.mkdtemp(prefix="ratsinfo-cli-bench-"))
    try:
        for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
            env = {**os.environ, "RATSINFO_HOME": str(base / backend), "RATSINFO_INDEX": backend}
            env.pop("RATSINFO_DATABASE_URL", None)
            db = None
            if backend == "postgres":
                import psycopg

                db = f"ratsinfo_cli_bench_{os.getpid()}"
                with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{db}"')
                    conn.execute(f'CREATE DATABASE "{db}"')
                env["RATSINFO_DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + db
            try:
                subprocess.run([*RATSINFO, "-q", "demo"], env=env, check=True, capture_output=True)
                for query in QUERIES:
                    times = []
                    for _ in range(args.repeat):
                        t = time.perf_counter()
                        subprocess.run(
                            [*RATSINFO, "search", *query], env=env, check=True, capture_output=True
                        )
                        times.append(time.perf_counter() - t)
                    report.setdefault(backend, {})[" ".join(query)] = round(statistics.median(times), 3)
                print(backend, json.dumps(report[backend]), file=sys.stderr)
            finally:
                if db:
                    import psycopg

                    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                        conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
    finally:
        shutil.rmtree(base, ignore_errors=True)
    t = time.perf_counter()
    subprocess.run([*RATSINFO, "--help"], check=True, capture_output=True)
    report["python + ratsinfo --help"] = {"seconds": round(time.perf_counter() - t, 3)}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "cli-search.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
