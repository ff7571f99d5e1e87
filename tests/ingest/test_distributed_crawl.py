"""Several worker processes on one crawl: leases, take-over after SIGKILL, politeness across workers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from ratsinfo.demo.server import Fault
from ratsinfo.index.sync import reindex
from ratsinfo.ingest.hostgate import DbHostGate
from ratsinfo.store.db import get_engine, session_scope
from ratsinfo.store.models import CrawlItem, Paper, PaperSource
from tests.conftest import huertgenwald_site
from tests.search.helpers import ids

pytestmark = pytest.mark.slow

SAME_MATCH_QUERIES = [
    "Breitband",
    "Versorgung Glasfaser",
    "Feuerwehrgerätehäuser",
    '"Offene Ganztagsschule"',
    "(Schule OR Kita) datum:2010..2015",
    "Bebauungsplan Vossenack",
    "Straße NOT Ausbau",
    "digital*",
    "art:Mitteilungsvorlage Windkraft",
    "nummer:126/2014",
]


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_three_workers_and_a_killed_extra_worker_store_every_paper_once(corpus_dir, site, settings):
    """The Hürtgenwald capture, crawled by --workers 3 plus a killed worker, indexed by PostgreSQL."""
    s, origin = site
    body_url = huertgenwald_site(corpus_dir, s, origin)
    for page in range(1, 86):
        s.fault(f"{body_url}/paper?page={page}", Fault(delay=0.03))
    get_engine(settings.database_url)
    env = {
        **os.environ,
        "RATSINFO_HOME": str(settings.data_dir),
        "RATSINFO_DATABASE_URL": settings.database_url,
        "RATSINFO_INDEX": "postgres",
    }
    crawl = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ratsinfo",
            "crawl",
            body_url,
            "--delay",
            "0",
            "--no-files",
            "--workers",
            "3",
            "--timeout",
            "5",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # an extra worker joins the running crawl, takes items, and is killed while it holds some
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with session_scope(settings.database_url) as session:
            if session.scalar(select(func.count()).select_from(CrawlItem)):
                break
        time.sleep(0.1)
    extra = subprocess.Popen([sys.executable, "-m", "ratsinfo", "-q", "worker"], env=env)
    held = False
    while time.monotonic() < deadline and not held:
        with session_scope(settings.database_url) as session:
            held = bool(
                session.scalar(
                    select(func.count()).where(
                        CrawlItem.worker.like(f"%:{extra.pid}"), CrawlItem.status == "claimed"
                    )
                )
            )
        time.sleep(0.05)
    os.kill(extra.pid, signal.SIGKILL)
    extra.wait()
    assert held, "the extra worker should have held items when it was killed"

    _, err = crawl.communicate(timeout=300)
    assert crawl.returncode == 0, err
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(Paper)) == 2115
        assert session.scalar(select(func.count()).select_from(PaperSource)) == 2115
        workers = set(session.scalars(select(CrawlItem.worker).where(CrawlItem.status == "done")))
        assert len({w.rsplit(":", 1)[1] for w in workers if w}) >= 2  # the work was shared
        assert not session.scalar(select(func.count()).where(CrawlItem.status.in_(["pending", "claimed"])))

    # the crawl indexed into PostgreSQL as it went; a Whoosh index of the same store finds the same
    pg = replace(settings, index_backend="postgres")
    whoosh = replace(settings, index_backend="whoosh")
    reindex(whoosh)
    for query in SAME_MATCH_QUERIES:
        found = set(ids(pg, query))
        assert found, query
        assert found == set(ids(whoosh, query)), query


def test_one_request_at_a_time_per_host_across_processes(sqlite_settings):
    """Two gates (as in two worker processes) never let requests to one host overlap."""
    get_engine(sqlite_settings.database_url)
    gates = [DbHostGate(sqlite_settings.database_url), DbHostGate(sqlite_settings.database_url)]
    active, overlaps, done = [0], [0], []
    lock = threading.Lock()

    def request() -> None:
        with lock:
            active[0] += 1
            overlaps[0] = max(overlaps[0], active[0])
        time.sleep(0.02)
        with lock:
            active[0] -= 1
        done.append(1)

    def worker(gate: DbHostGate) -> None:
        for _ in range(5):
            gate.run("ris.example.de", 0.01, request)

    threads = [threading.Thread(target=worker, args=(g,)) for g in gates]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(done) == 10
    assert overlaps[0] == 1
    # another host is not held up by the first
    assert DbHostGate(sqlite_settings.database_url).run("other.example.de", 0, lambda: "ok") == "ok"
