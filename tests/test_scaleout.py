"""Scale-out: two Rasa replicas sharing PostgreSQL (tracker store and app data) and Redis (locks).

Uses the PostgreSQL and Redis that run on 127.0.0.1 (as on the development machines and in CI).
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import psycopg
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.models import Message
from launcher.stack import Stack
from tests.conftest import stack_env, warm_up
from tests.helpers import Resident, texts

pytestmark = pytest.mark.scaleout

ADMIN_URL = os.environ.get("KINDRED_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("KINDRED_TEST_REDIS", "redis://127.0.0.1:6379/5")


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    """A throw-away PostgreSQL database."""
    name = f"kindred_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def replicas(model: Path, database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    env = stack_env(tmp_path_factory.mktemp("scaleout"), DATABASE_URL=database, REDIS_URL=REDIS_URL, RASA_REPLICAS="2")
    env["RASA_PORT"] = str(_two_free_ports())
    running = Stack(model, env, echo=False)
    running.start(timeout=420)
    try:
        warm_up(running)
        yield running
    finally:
        running.stop()


def _two_free_ports() -> int:
    import socket

    for _ in range(50):
        with socket.socket() as a, socket.socket() as b:
            a.bind(("127.0.0.1", 0))
            port = a.getsockname()[1]
            try:
                b.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
            return port
    raise RuntimeError("no two consecutive free ports")


def test_replicas_need_redis_and_a_server_database(model: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="REDIS_URL"):
        Stack(model, stack_env(tmp_path, RASA_REPLICAS="2"), echo=False)


async def test_one_conversation_alternates_replicas_and_stays_complete(replicas: Stack) -> None:
    turns = ["hello", "are you a bot?", "I feel so lonely", "what can you do?", "my flat is freezing", "thanks"]
    async with aiohttp.ClientSession() as http:
        resident = Resident(http, replicas.settings.gateway_url)
        await resident.start()
        ids = []
        for turn in turns:
            message_id = await resident.send(turn)
            replies = await resident.replies_to(message_id, timeout=90)
            assert replies, f"no reply to {turn!r}"
            ids.append(message_id)
        assert "0800 678 1602" in texts(await resident.history())
        engine = create_engine(replicas.settings.app_database_url)
        with Session(engine) as session:
            rows = list(session.scalars(select(Message).where(Message.id.in_(ids)).order_by(Message.id)))
            conversation = rows[0].conversation_id
        engine.dispose()
        used = [row.replica for row in rows]
        assert set(used) == set(replicas.settings.rasa_urls), used
        assert all(a != b for a, b in zip(used, used[1:], strict=False)), f"turns did not alternate: {used}"
        for url in replicas.settings.rasa_urls:
            async with http.get(
                f"{url}/conversations/{conversation}/tracker", params={"token": replicas.settings.rasa_token}
            ) as response:
                tracker = json.loads(await response.text())
            said = [e["text"] for e in tracker["events"] if e["event"] == "user"]
            assert said == turns, f"{url} has {said}"
            answered = [e for e in tracker["events"] if e["event"] == "bot"]
            assert len(answered) >= len(turns)
