"""Where ratsinfo keeps its data and which engines it uses.

User data never defaults to the working directory: it lives in platformdirs' user data dir,
overridable by ``RATSINFO_HOME`` or ``--data-dir``. The database defaults to a SQLite file in
that dir and is overridden by ``RATSINFO_DATABASE_URL``; the search engine is picked by
``RATSINFO_INDEX``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "ratsinfo"
INDEX_BACKENDS = ("whoosh", "tantivy", "postgres")
# tantivy: at 100k papers it builds 5x and answers 250x faster than Whoosh (bench/RESULTS.md)
DEFAULT_INDEX = "tantivy"


@dataclass(frozen=True)
class Settings:
    """Resolved locations and engine choices for one run."""

    data_dir: Path
    database_url: str
    index_backend: str = DEFAULT_INDEX

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index" / self.index_backend

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_data_dir() -> Path:
    home = os.environ.get("RATSINFO_HOME")
    if home:
        return Path(home).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME))


def load_settings(data_dir: str | os.PathLike[str] | None = None) -> Settings:
    """Settings from arguments, then environment, then platform defaults."""
    directory = Path(data_dir).expanduser() if data_dir else default_data_dir()
    directory = directory.resolve()
    url = os.environ.get("RATSINFO_DATABASE_URL") or f"sqlite:///{directory / 'ratsinfo.db'}"
    backend = (os.environ.get("RATSINFO_INDEX") or DEFAULT_INDEX).strip().lower()
    if backend not in INDEX_BACKENDS:
        from ratsinfo.core.errors import RatsinfoError

        choices = ", ".join(INDEX_BACKENDS)
        raise RatsinfoError(f"RATSINFO_INDEX={backend!r} is not a search backend (choose from {choices})")
    return Settings(data_dir=directory, database_url=url, index_backend=backend)
