"""Content-addressed storage of raw response bodies under the data dir.

Bodies are kept byte for byte so that every parser can be re-run offline (``ratsinfo reparse``)
and every stored value traced back to what the server sent. Identical bodies are stored once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO


class RawStore:
    """Files named by their sha256 under ``<data dir>/raw/ab/cd/<sha256>``."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, content: bytes) -> str:
        digest = hashlib.sha256(content).hexdigest()
        target = self.path(digest)
        if not target.exists():
            self._write(target, lambda fh: fh.write(content))
        return digest

    def put_stream(self, chunks, limit: int | None = None) -> tuple[str, int]:  # type: ignore[no-untyped-def]
        """Store an iterable of byte chunks; raises ValueError when it exceeds ``limit`` bytes."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as fh:
                for chunk in chunks:
                    size += len(chunk)
                    if limit is not None and size > limit:
                        raise ValueError(f"larger than the limit of {limit} bytes")
                    digest.update(chunk)
                    fh.write(chunk)
            target = self.path(digest.hexdigest())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
        return digest.hexdigest(), size

    def read(self, sha256: str) -> bytes:
        return self.path(sha256).read_bytes()

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).exists()

    def _write(self, target: Path, writer) -> None:  # type: ignore[no-untyped-def]
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                writer(fh)
            os.replace(tmp, target)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
