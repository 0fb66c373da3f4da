"""The action server's database session and settings, built once on first use (never at import)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

import settings as kindred_settings
from database import make_engine


@lru_cache(maxsize=1)
def config() -> kindred_settings.Settings:
    """Kindred's settings for this process."""
    return kindred_settings.load()


@lru_cache(maxsize=1)
def _factory() -> sessionmaker[Session]:
    return sessionmaker(make_engine(config().app_database_url), expire_on_commit=False)


@contextmanager
def session() -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back on an error."""
    with _factory().begin() as s:
        yield s


def local_now() -> dt.datetime:
    """Now in the service's own time zone (aware)."""
    return dt.datetime.now(ZoneInfo(config().timezone))


def utc_naive(moment: dt.datetime) -> dt.datetime:
    """An aware time as naive UTC, the way the database stores times."""
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)
