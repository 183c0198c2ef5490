"""Alembic environment: migrations run against app.core.tables' metadata, SQLite and PostgreSQL."""

from typing import Any, Literal

import sqlalchemy as sa
from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlmodel import SQLModel
from sqlmodel.sql.sqltypes import AutoString

import app.core.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.core.database import make_engine
from app.core.settings import Settings
from app.core.tables import UTCDateTime

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    """The URL app.core.database.migrate passed, or, from the alembic CLI, DATABASE_URL."""
    if config.file_config.has_section(config.config_ini_section):
        url = config.get_main_option("sqlalchemy.url")
        if url:
            return url
    return Settings().sqlalchemy_url


def _render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Write plain SQLAlchemy types into revisions, so old revisions never import app code."""
    if type_ == "type" and isinstance(obj, AutoString):
        return f"sa.String(length={obj.length})"
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


# Made by the migrations outside the models: SQLite's full-text index (a virtual table and its
# shadow tables) and PostgreSQL's GIN index on an expression.
_UNMODELLED = ("event_fts", "ix_event_search")


def _include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return not (name or "").startswith(_UNMODELLED)


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        include_name=_include_name,
        compare_type=True,
        render_item=_render_item,
        render_as_batch=True,  # SQLite can only ALTER a table by copying it
        **kwargs,  # type: ignore[arg-type]
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection: sa.Connection | None = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(Settings(database_url=_url()))
    with engine.connect() as connection:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
