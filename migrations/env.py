"""Alembic environment: one migration history for the gateway's, the directory's and the residents' tables."""

from __future__ import annotations

from alembic import context

from bot.models import Base
from database import include_object
from directory.models import DirectoryBase
from residents.models import ResidentsBase

target_metadata = [Base.metadata, DirectoryBase.metadata, ResidentsBase.metadata]


def run_migrations_online() -> None:
    """Run with the connection `database.upgrade` passes in."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
