"""The migrations build exactly what the models describe, on SQLite and PostgreSQL, and go back down."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DatabaseError

from bot.models import Base
from database import alembic_config, include_object, make_engine, upgrade
from directory.models import DirectoryBase
from residents.models import ResidentsBase

ADMIN_URL = os.environ.get("KINDRED_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def check(url: str) -> None:
    engine = make_engine(url)
    upgrade(engine)
    upgrade(engine)  # a second upgrade is a no-op
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include_object})
        diff = compare_metadata(context, [Base.metadata, DirectoryBase.metadata, ResidentsBase.metadata])
        tables = set(inspect(connection).get_table_names())
    assert diff == [], diff
    assert {"conversations", "messages", "escalations", "dir_services", "dir_search_documents"} <= tables
    assert_audit_is_append_only(engine)
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), "base")
    with engine.connect() as connection:
        assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def assert_audit_is_append_only(engine) -> None:  # noqa: ANN001 - an Engine
    """The database itself refuses to change or remove audit events."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO audit_events (at, actor, action, target_type, target_id, detail) "
                "VALUES (CURRENT_TIMESTAMP, 'test', 'view', 'conversation', 'c1', '{}')"
            )
        )
    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT actor FROM audit_events")).scalars().all() == ["test"]


def test_sqlite(tmp_path: Path) -> None:
    check(f"sqlite:///{tmp_path / 'kindred.db'}")


def test_postgresql() -> None:
    name = f"kindred_mig_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        check(ADMIN_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_database_without_migration_history_is_explained(tmp_path: Path) -> None:
    from database import SchemaError

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    DirectoryBase.metadata.create_all(engine)
    try:
        upgrade(engine)
    except SchemaError as error:
        assert "no migration history" in str(error)
    else:
        raise AssertionError("an unmigrated database was accepted")
    engine.dispose()
