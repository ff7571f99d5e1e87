"""Extraction in worker processes, so one hostile file never stops a batch.

A PDFium hang cannot be interrupted from Python and an allocation failure aborts the process, so
each file is extracted in a worker process (:mod:`.worker`) with an address-space limit
(``RLIMIT_AS``, inherited by its Tesseract children) and a wall-clock deadline kept here. A worker
that runs over is killed with its whole process group (Tesseract included); one that dies is
replaced; either way the file gets an ``Extraction`` with ``error`` and the batch goes on.

Workers are long-lived (started once, about 0.3 s each, and recycled after
:data:`MAX_JOBS_PER_WORKER` files), so a crawl of thousands of small PDFs pays for the isolation
once per worker, not once per file.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait

from ratsinfo.ingest.documents.limits import DEFAULT_LIMITS, Limits
from ratsinfo.ingest.documents.model import Extraction

PathArg = str | os.PathLike[str]
Item = PathArg | tuple[PathArg, str | None]
"""A path, or (path, claimed MIME type) as the server or OParl announced it."""

MAX_JOBS_PER_WORKER = 1000
"""Recycle a worker after this many files (PDFium caches and heap fragmentation grow)."""
PREFETCH = 2
"""Files in flight per worker: the running one and the next."""


@dataclass
class _Job:
    id: int
    path: str
    mime_type: str | None
    label: str


class _Worker:
    """One ``python -m ratsinfo.ingest.documents.worker`` process, its three pipes and its queue."""

    def __init__(self, limits: Limits):
        job_r, job_w = os.pipe()
        res_r, res_w = os.pipe()
        life_r, life_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ratsinfo.ingest.documents.worker",
                    str(job_r),
                    str(res_w),
                    str(life_r),
                ],
                pass_fds=(job_r, res_w, life_r),
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # own process group: killpg takes Tesseract along
                close_fds=True,
            )
        except BaseException:
            for fd in (job_r, job_w, res_r, res_w, life_r, life_w):
                os.close(fd)
            raise
        for fd in (job_r, res_w, life_r):
            os.close(fd)
        self.jobs = Connection(job_w, readable=False)
        self.results = Connection(res_r, writable=False)
        self._lifeline = life_w  # held open; closing it (or our death) stops the worker
        self.queue: deque[_Job] = deque()
        """Jobs sent and not yet answered; the first is the one running."""
        self.started = 0.0
        """When the first job of the queue started (as far as we can tell)."""
        self.jobs_sent = 0
        self.jobs.send(limits)

    @property
    def accepting(self) -> bool:
        return self.jobs_sent < MAX_JOBS_PER_WORKER

    def submit(self, job: _Job) -> None:
        self.jobs.send((job.id, job.path, job.mime_type, job.label))
        if not self.queue:
            self.started = time.monotonic()
        self.queue.append(job)
        self.jobs_sent += 1

    def _close_pipes(self) -> None:
        for conn in (self.jobs, self.results):
            with contextlib.suppress(OSError):
                conn.close()
        with contextlib.suppress(OSError):
            os.close(self._lifeline)

    def kill(self) -> int | None:
        """Kill the worker and its process group; returns its exit status."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            self.process.kill()
        code = self.process.wait()
        self._close_pipes()
        return code

    def stop(self) -> None:
        """Ask an idle worker to exit; kill it if it does not."""
        with contextlib.suppress(OSError, ValueError):
            self.jobs.send(None)
        try:
            self.process.wait(timeout=2)
            self._close_pipes()
        except subprocess.TimeoutExpired:
            self.kill()


def crash_message(returncode: int | None, limits: Limits) -> str:
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        hint = ""
        if name in ("SIGABRT", "SIGKILL", "SIGSEGV", "SIGBUS") and limits.memory_mb > 0:
            hint = f" (often the memory limit of {limits.memory_mb} MB)"
        return f"extraction crashed: worker killed by {name}{hint}"
    return f"extraction crashed: worker exited with code {returncode}"


def _normalise(item: Item) -> tuple[str, str | None]:
    if isinstance(item, tuple):
        path, mime_type = item
        return os.fspath(path), mime_type
    return os.fspath(item), None


class ExtractionPool:
    """Long-lived isolated workers; use as a context manager and reuse across calls.

    Each worker gets the next file before it finishes the current one (:data:`PREFETCH`), so it
    never waits for this process between files. One pool serves one thread at a time.

    >>> with ExtractionPool(workers=4) as pool:          # doctest: +SKIP
    ...     for result in pool.map(paths):
    ...         store(result)
    """

    def __init__(self, workers: int | None = None, limits: Limits = DEFAULT_LIMITS):
        self.size = max(1, workers or os.cpu_count() or 1)
        self.limits = limits
        self._workers: list[_Worker] = []
        self._ids = itertools.count()
        self.crashes = 0
        self.timeouts = 0

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def worker_pids(self) -> list[int]:
        """Process ids of the running workers (for monitoring, e.g. their memory in /proc)."""
        return [w.process.pid for w in self._workers]

    def close(self) -> None:
        """Stop idle workers, kill busy ones (their results are abandoned)."""
        workers, self._workers = self._workers, []
        for worker in workers:
            if worker.queue:
                worker.kill()
            else:
                worker.stop()

    def _remove(self, worker: _Worker, pending: deque[_Job]) -> int | None:
        """Kill a worker; the files queued behind its running one go back to ``pending``."""
        self._workers.remove(worker)
        pending.extendleft(reversed(worker.queue))
        worker.queue.clear()
        return worker.kill()

    def _free_worker(self, depth: int) -> _Worker | None:
        for worker in self._workers:
            if worker.accepting and len(worker.queue) < depth:
                return worker
        if depth == 1 and len(self._workers) < self.size:
            worker = _Worker(self.limits)
            self._workers.append(worker)
            return worker
        return None

    def map(self, items: Iterable[Item]) -> Iterator[Extraction]:
        """Extract every item; yields results as they finish (not in input order).

        ``items`` is consumed lazily (a few files ahead of the workers), so it may be a generator
        fed by a crawl. Never raises for a bad file; each result's ``file`` is the path as given.
        """
        source = iter(items)
        pending: deque[_Job] = deque()

        def take() -> _Job | None:
            if pending:
                return pending.popleft()
            for item in source:
                path, mime_type = _normalise(item)
                return _Job(next(self._ids), path, mime_type, path)
            return None

        try:
            while True:
                for depth in range(1, PREFETCH + 1):  # one file per worker first, then one ahead
                    while (job := take()) is not None:
                        worker = self._free_worker(depth)
                        if worker is None:
                            pending.appendleft(job)
                            break
                        try:
                            worker.submit(job)
                        except (OSError, ValueError):  # a worker that died while idle
                            pending.appendleft(job)
                            self._remove(worker, pending)
                    else:
                        break
                if not any(w.queue for w in self._workers):
                    return
                yield from self._collect(pending)
        finally:
            for worker in [w for w in self._workers if w.queue]:  # abandoned by the consumer
                self._remove(worker, pending)

    def _collect(self, pending: deque[_Job]) -> Iterator[Extraction]:
        """Wait for the next finished, crashed or overdue worker(s) and report them."""
        busy = [w for w in self._workers if w.queue]
        deadline = min(w.started for w in busy) + self.limits.timeout_s
        by_conn = {w.results: w for w in busy}
        ready = wait(list(by_conn), timeout=max(0.0, deadline - time.monotonic()))
        for conn in ready:
            worker = by_conn[conn]  # type: ignore[index]
            job = worker.queue.popleft()
            try:
                job_id, result = worker.results.recv()
            except (EOFError, OSError):
                # The worker died: a crash, an abort on the memory limit, the kernel's OOM killer.
                self.crashes += 1
                yield Extraction.failed(job.label, crash_message(self._remove(worker, pending), self.limits))
                continue
            worker.started = time.monotonic()  # the next queued file starts now
            if job_id != job.id:  # cannot happen with FIFO pipes; never mix up results if it does
                self._remove(worker, pending)
                pending.appendleft(job)
                continue
            if not worker.accepting and not worker.queue:
                self._workers.remove(worker)
                worker.stop()
            yield result
        now = time.monotonic()
        for worker in busy:
            if worker in self._workers and worker.queue and now - worker.started >= self.limits.timeout_s:
                job = worker.queue.popleft()
                self._remove(worker, pending)
                self.timeouts += 1
                yield Extraction.failed(
                    job.label, f"timeout: extraction took longer than {self.limits.timeout_s:g} s"
                )

    def extract(self, path: PathArg, mime_type: str | None = None) -> Extraction:
        """One file through the pool (blocking)."""
        for result in self.map([(path, mime_type)]):
            return result
        raise AssertionError("the pool returned no result")  # pragma: no cover


def extract_batch(
    items: Iterable[Item], *, workers: int | None = None, limits: Limits = DEFAULT_LIMITS
) -> Iterator[Extraction]:
    """Extract many files in isolated workers (default: one per core); yields as they finish."""
    with ExtractionPool(workers, limits) as pool:
        yield from pool.map(items)


def extract_isolated(
    path: PathArg, *, mime_type: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Extraction:
    """One untrusted file with the time and memory limits enforced (what ``ratsinfo extract`` uses)."""
    with ExtractionPool(1, limits) as pool:
        return pool.extract(path, mime_type)
