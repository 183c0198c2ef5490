"""The schema's upkeep: Alembic migrations, the indexes a bulk load drops and builds again,
and planner statistics."""

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Engine

from app.core.database import make_engine
from app.core.settings import MIGRATIONS_DIR, Settings
from app.core.tables import metadata
from app.events import search

# As pyproject.toml's [tool.alembic], which the `alembic` command reads in the repository: the
# name of a new revision's file (`%` doubled for the configuration's interpolation).
FILE_TEMPLATE = "%%(year)d_%%(month).2d_%%(day).2d_%%(rev)s_%%(slug)s"


def alembic_config(settings: Settings) -> Config:
    """Alembic's configuration: the migrations this version ships (in a wheel too, where no
    pyproject.toml is at hand), from any working folder; or CE_MIGRATIONS_CONFIG's file."""
    if settings.migrations_config is None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
        config.set_main_option("file_template", FILE_TEMPLATE)
    elif settings.migrations_config.suffix == ".toml":
        config = Config(toml_file=settings.migrations_config)
    else:
        config = Config(settings.migrations_config)
    config.set_main_option("sqlalchemy.url", settings.sqlalchemy_url.replace("%", "%%"))
    return config


def migrate(settings: Settings, revision: str = "head") -> None:
    """Bring the database schema to `revision` with the Alembic migrations."""
    command.upgrade(alembic_config(settings), revision)
    if revision == "head":
        engine = make_engine(settings)
        try:
            ensure_indexes(engine)
        finally:
            engine.dispose()


def _indexes(*, deferrable_only: bool) -> list[sa.Index]:
    return [
        index
        for table in metadata.sorted_tables
        for index in sorted(table.indexes, key=lambda index: str(index.name))
        if not deferrable_only or index.info.get("bulk_deferrable")
    ]


def ensure_indexes(engine: Engine) -> list[str]:
    """Create every index the tables should have but lack (a database from before the rule
    that a bulk load drops indexes only inside its own transaction may lack some)."""
    with engine.begin() as connection:
        return create_missing_indexes(connection)


def create_missing_indexes(connection: sa.Connection) -> list[str]:
    """ensure_indexes, in the caller's transaction."""
    created = []
    existing = {
        table.name: {ix["name"] for ix in sa.inspect(connection).get_indexes(table.name)}
        for table in metadata.sorted_tables
    }
    for index in _indexes(deferrable_only=False):
        assert index.table is not None
        if index.name not in existing[index.table.name]:
            index.create(connection)
            created.append(str(index.name))
    if search.ensure_index(connection):
        created.append("full-text search")
    return created


def drop_deferrable_indexes(connection: sa.Connection) -> None:
    """Drop the deferrable secondary indexes and the search index for a bulk load, in the
    caller's transaction, which must build them again (create_missing_indexes) before it
    commits: a load that fails (a full disk, a kill) then rolls back to every index in place.

    Building an index once, sorted, costs a fraction of updating it row by row at random places.
    """
    for index in _indexes(deferrable_only=True):
        connection.exec_driver_sql(f"DROP INDEX IF EXISTS {index.name}")
    search.suspend_index(connection)


def analyze(engine: Engine) -> None:
    """Refresh planner statistics (after bulk loads the planner otherwise picks bad plans) and
    compact the search index."""
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
        search.compact_index(connection)
