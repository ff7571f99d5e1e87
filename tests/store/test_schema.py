"""The Alembic migrations build exactly the schema the models describe, on every database."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ratsinfo.store.db import current_revision, get_engine, head_revision
from ratsinfo.store.models import Base


def test_migrations_match_models(database_url):
    engine = get_engine(database_url)  # runs the migrations on an empty database
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diff == []
