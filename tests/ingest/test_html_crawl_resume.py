"""An ALLRIS crawl killed with SIGKILL half way resumes and stores every paper exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from ratsinfo.demo.server import Fault
from ratsinfo.store.db import get_engine, session_scope
from ratsinfo.store.models import File, PaperSource, RawResponse
from tests.fixtures.sites.allris_classic import allris_classic_site
from tests.fixtures.sites.council import make_council
from tests.fixtures.sites.run import serving

pytestmark = pytest.mark.slow


def _stored(database_url: str) -> int:
    with session_scope(database_url) as session:
        return session.scalar(select(func.count()).select_from(PaperSource)) or 0


def test_sigkill_mid_crawl_then_resume_gives_every_paper_once(sqlite_settings):
    # SQLite only: on PostgreSQL the resumed crawl first waits ~35 s for the host slot the killed
    # process held in host_gate (the OParl SIGKILL test covers PostgreSQL)
    settings = sqlite_settings
    site = allris_classic_site(make_council(20, spacing=4), page_size=4)
    site.site.fault("/bi/vo020.asp", Fault(delay=0.1))  # slow pages: time to kill the crawl half way
    site.site.fault("/bi/vo040.asp", Fault(delay=0.1))
    get_engine(settings.database_url)
    env = {
        **os.environ,
        "RATSINFO_HOME": str(settings.data_dir),
        "RATSINFO_DATABASE_URL": settings.database_url,
    }
    # one process: the crawl's helper workers would outlive the SIGKILL of their parent
    with serving(site.site) as origin:
        url = origin + "/bi/"
        cmd = [
            sys.executable,
            "-m",
            "ratsinfo",
            "crawl",
            url,
            "--delay",
            "0",
            "--no-extract",
            "--workers",
            "1",
        ]
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline, count = time.monotonic() + 60, 0
        while time.monotonic() < deadline and count < 4:
            time.sleep(0.05)
            count = _stored(settings.database_url)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert 0 < _stored(settings.database_url) < 20, "the crawl should have been killed half way"

        resumed = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resumed" in resumed.stderr and "0 failed" in resumed.stderr
    with session_scope(settings.database_url) as session:
        assert session.scalar(select(func.count()).select_from(PaperSource)) == 20
        assert session.scalar(select(func.count(func.distinct(PaperSource.external_id)))) == 20
        assert session.scalar(select(func.count(func.distinct(PaperSource.paper_id)))) == 20
        downloaded = select(func.count()).select_from(File).where(File.download_status == "ok")
        assert session.scalar(downloaded) == 30  # every Vorlage and Anlage
        assert session.scalar(select(func.count()).select_from(RawResponse)) >= 55  # every response kept
