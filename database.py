"""Database engines for app data and the directory: one place for connection settings."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine

from settings import Settings, driver_url


def tracker_engine(settings: Settings, app_engine: Engine) -> Engine:
    """The engine for Rasa's tracker store (to delete a person's events): the app's when shared."""
    if settings.tracker_database_url == settings.database_url:
        return app_engine
    return make_engine(driver_url(settings.tracker_database_url, "postgresql+psycopg"))


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, foreign keys and a busy timeout so processes can share it.

    Errors never show the statement's values (`hide_parameters`): they would carry a resident's words
    and conversation id into every log and traceback that shows the error.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:  # noqa: ANN001 - DBAPI connection
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            # What is deleted is overwritten, not left in free pages ("forget me", retention).
            cursor.execute("PRAGMA secure_delete=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


def checkpoint(engine: Engine) -> None:
    """After deleting a person's data: on SQLite, move the write-ahead log into the database and empty
    it, so no copy of what was deleted stays in the log (secure_delete has already overwritten it in
    the database). Fails loudly when another connection keeps the log from being emptied.

    PostgreSQL needs nothing here: deleted rows are vacuumed by autovacuum (see SECURITY.md).
    """
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
    if busy:
        raise RuntimeError(f"the SQLite write-ahead log of {engine.url.database} could not be emptied (busy)")


MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    """What autogenerate compares: not the full-text index, which the migration creates by hand."""
    return not (name or "").startswith(("dir_search_fts", "ix_dir_search_fts"))


def alembic_config(connection: Connection) -> Config:
    """Alembic's configuration, pointed at our migrations and an open connection."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


class SchemaError(RuntimeError):
    """The database cannot be brought up to date automatically (the message says why)."""


def upgrade(engine: Engine) -> None:
    """Bring the database's schema up to date (app data and directory), as a deployment would."""
    with engine.begin() as connection:
        tables = set(inspect(connection).get_table_names())
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision is None and tables & {"conversations", "dir_services"}:
            raise SchemaError(
                f"the database {engine.url.render_as_string(hide_password=True)} already has Kindred's tables "
                "but no migration history, so it was not created by this version. Back it up and point "
                "DATABASE_URL at an empty database, or remove the old file."
            )
        command.upgrade(alembic_config(connection), "head")
