"""The worker process behind :mod:`.sandbox`: ``python -m ratsinfo.ingest.documents.worker IN OUT LIFE``.

A plain subprocess rather than ``multiprocessing.Process``: spawn/forkserver re-import the
parent's ``__main__`` (which for ``python -m ratsinfo`` would run the CLI again) and fork is unsafe
with threads in the parent. The worker reads the :class:`Limits` and then jobs from fd IN, writes
results to fd OUT, and kills its process group when fd LIFE reports that the parent has gone, even
while PDFium is stuck in C code (ctypes releases the GIL, so the watchdog thread still runs).
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import sys
import threading
from multiprocessing.connection import Connection

from ratsinfo.ingest.documents.limits import Limits

OUT_OF_MEMORY = "out of memory while extracting"


def apply_limits(limits: Limits) -> None:
    """Address-space cap (inherited by Tesseract children) and no core dumps."""
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    if limits.memory_mb > 0:
        cap = limits.memory_mb * 1024 * 1024
        with contextlib.suppress(ValueError, OSError):
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            soft = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
            resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _watch_parent(fd: int) -> None:
    """Block on the lifeline pipe; EOF means the parent died: take the whole group down."""
    with contextlib.suppress(OSError):
        while os.read(fd, 1):
            pass
    with contextlib.suppress(OSError):
        os.killpg(os.getpgrp(), signal.SIGKILL)
    os._exit(1)


def serve(conn_in: Connection, conn_out: Connection) -> None:
    limits: Limits = conn_in.recv()
    apply_limits(limits)
    from ratsinfo.ingest.documents.extract import extract_file

    while True:
        try:
            message = conn_in.recv()
        except (EOFError, OSError):
            return
        if message is None:
            return
        job_id, path, mime_type, label = message
        result = extract_file(path, mime_type=mime_type, limits=limits, label=label)
        try:
            conn_out.send((job_id, result))
        except (OSError, ValueError):
            return
        if result.error == OUT_OF_MEMORY:
            return  # the heap may be in a bad state; the pool starts a fresh worker


def main(argv: list[str]) -> None:
    fd_in, fd_out, fd_life = (int(v) for v in argv[1:4])
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's business
    threading.Thread(target=_watch_parent, args=(fd_life,), daemon=True).start()
    serve(Connection(fd_in, writable=False), Connection(fd_out, readable=False))


if __name__ == "__main__":
    main(sys.argv)
