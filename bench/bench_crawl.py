"""Crawl benchmarks: prints figures, asserts nothing.

1. The real Hürtgenwald OParl capture (2,115 papers, 4,102 files) served by a local server:
   crawl + store + download + extract + index throughput and peak memory, SQLite.
2. Crawl throughput with 1, 2 and 4 worker processes against a local server whose every
   response takes a fixed latency (PostgreSQL store, as distributed crawls need; skipped when
   127.0.0.1:5432 does not answer), with ``--per-host`` equal to the workers.

Usage: python bench/bench_crawl.py [--corpus ../shared/corpus] [--latency 0.05] [--skip-workers]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from ratsinfo.demo.server import Response, Site, SiteServer, mirror_oparl_directory

ROOT = Path(__file__).resolve().parents[1]
ORIGIN = "https://sdnetrim.kdvz-frechen.de"
BODY = "/rim4220/webservice/oparl/v1.0/body/1"
PDF = (ROOT / "data" / "demo" / "files" / "21-16744_Kostenaufstellung_WLAN.pdf").read_bytes()


def serve(corpus: Path, latency: float = 0.0) -> tuple[SiteServer, Site, str]:
    site = Site()
    server = SiteServer(site)
    origin = server.origin
    mirror_oparl_directory(site, corpus / "oparl" / "real" / "huertgenwald_sdnet_full", ORIGIN, origin)
    site.file_factory = lambda path: Response(200, PDF, "application/pdf") if "/files/" in path else None
    if latency:
        wrapped = site.answer

        def slow(method: str, target: str, origin_: str):  # type: ignore[no-untyped-def]
            response, delay = wrapped(method, target, origin_)
            return response, delay + latency

        site.answer = slow  # type: ignore[method-assign]
    server.start()
    return server, site, origin + BODY


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (KiB, largest child) and stderr of one ratsinfo command."""
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "ratsinfo", *cmd], env=env, capture_output=True, text=True)
    seconds = time.monotonic() - started
    if proc.returncode != 0:
        raise SystemExit(f"{cmd} failed: {proc.stderr[-2000:]}")
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, proc.stderr


def full_crawl(corpus: Path) -> dict[str, object]:
    server, site, body_url = serve(corpus)
    home = Path(tempfile.mkdtemp(prefix="ratsinfo-bench-"))
    env = {**os.environ, "RATSINFO_HOME": str(home)}
    env.pop("RATSINFO_DATABASE_URL", None)
    try:
        seconds, rss, _ = run(["-q", "crawl", body_url, "--delay", "0", "--json"], env)
        requests = site.count()
        again, _, _ = run(["-q", "crawl", body_url, "--delay", "0"], env)
        second_requests = site.count() - requests
        reindex, _, _ = run(["-q", "reindex"], env)
        size = sum(p.stat().st_size for p in home.rglob("*") if p.is_file())
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)
    return {
        "papers": 2115,
        "files": 4102,
        "seconds": round(seconds, 1),
        "papers_per_s": round(2115 / seconds, 1),
        "requests": requests,
        "requests_per_s": round(requests / seconds, 1),
        "second_crawl_seconds": round(again, 2),
        "second_crawl_requests": second_requests,
        "reindex_seconds": round(reindex, 1),
        "peak_rss_mib": round(rss / 1024, 1),
        "data_dir_mib": round(size / 2**20, 1),
    }


def pg_url() -> str | None:
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=0.5):
            pass
    except OSError:
        return None
    import psycopg

    name = f"ratsinfo_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def drop(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def workers(corpus: Path, latency: float) -> list[dict[str, object]]:
    results = []
    for n in (1, 2, 4):
        url = pg_url()
        if url is None:
            return [{"skipped": "PostgreSQL does not answer on 127.0.0.1:5432"}]
        server, site, body_url = serve(corpus, latency)
        home = Path(tempfile.mkdtemp(prefix="ratsinfo-bench-"))
        env = {**os.environ, "RATSINFO_HOME": str(home), "RATSINFO_DATABASE_URL": url}
        try:
            seconds, _, _ = run(
                [
                    "-q",
                    "crawl",
                    body_url,
                    "--delay",
                    "0",
                    "--no-files",
                    "--workers",
                    str(n),
                    "--per-host",
                    str(n),
                ],
                env,
            )
            requests = site.count()
        finally:
            server.stop()
            shutil.rmtree(home, ignore_errors=True)
            drop(url)
        results.append(
            {
                "workers": n,
                "latency_ms": latency * 1000,
                "seconds": round(seconds, 1),
                "requests": requests,
                "papers_per_s": round(2115 / seconds, 1),
            }
        )
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--skip-workers", action="store_true")
    args = parser.parse_args()
    report: dict[str, object] = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d"),
        "load": os.getloadavg(),
    }
    report["huertgenwald_full_crawl_sqlite"] = full_crawl(args.corpus)
    if not args.skip_workers:
        report["workers_postgresql"] = workers(args.corpus, args.latency)
    report["load_after"] = os.getloadavg()
    out = ROOT / "bench" / "out"
    out.mkdir(exist_ok=True)
    (out / "crawl.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
