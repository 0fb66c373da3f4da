"""Shared fixtures. The `stack` fixture runs the real processes: Rasa, the action server, the gateway."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from launcher.stack import Stack, isolated_env
from tests.helpers import Resident


@pytest.fixture(scope="session")
def model() -> Path:
    """The trained model (`./kindred test` trains it first and passes its path)."""
    if os.environ.get("KINDRED_MODEL"):
        return Path(os.environ["KINDRED_MODEL"])
    from launcher.training import ensure_trained

    return ensure_trained(quiet=True)


def stack_env(var: Path, **extra: str) -> dict[str, str]:
    """Settings for a stack of our own: its own ports and data folder, nothing shared with `run`."""
    return isolated_env(var, **extra)


def warm_up(stack: Stack) -> None:
    """One real turn, so Rasa's first-call set-up never races the safety net's timer in a test."""

    async def turn() -> None:
        async with aiohttp.ClientSession() as http:
            resident = Resident(http, stack.settings.gateway_url)
            await resident.start()
            await resident.say("hello", timeout=120)

    asyncio.run(turn())


@pytest.fixture(scope="session")
def stack(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The assistant in its default configuration (SQLite, in-memory lock store)."""
    running = Stack(model, stack_env(tmp_path_factory.mktemp("stack")), echo=False)
    try:
        running.start()  # inside the `try`: Ctrl-C while it starts still stops what it started
        warm_up(running)
        yield running
    finally:
        running.stop()


@pytest.fixture
async def http() -> aiohttp.ClientSession:
    """An HTTP client for one test."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def resident(stack: Stack, http: aiohttp.ClientSession) -> Resident:
    """A resident with a new conversation on the running stack."""
    person = Resident(http, stack.settings.gateway_url)
    await person.start()
    return person
