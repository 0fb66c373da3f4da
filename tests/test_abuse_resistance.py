"""Abuse resistance seen by an attacker (issue 16, point 2): floods of chats and messages, and the queue.

A reviewer opened 30 chats and typed "I want to kill myself" into each in 4.5 s (30 urgent escalations,
no limit anywhere, a real case pushed out of the 200 rows the queue showed) and sent 50 messages in a
second into one chat. Each test tries that again against the real gateway (real HTTP, real SQLite, the
real triage; Rasa unreachable, as while it is down), with small limits set through the environment.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
import time
import uuid
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update

import settings as settings_module
from bot.app import init_app
from bot.escalations import BURST_FROM_ONE_SOURCE
from bot.keys import SESSIONS
from bot.limits import RateLimits
from bot.models import AbuseFlag, AuditEvent, Conversation, Escalation, Message, utcnow
from bot.staff.users import create_user
from launcher.fake_telegram import TOKEN, FakeTelegram
from tests.helpers import bearer, free_port, staff_sign_in

ORIGIN = "http://127.0.0.1:8080"
PASSWORD = "a long enough passphrase"
HTML = {"Accept": "text/html"}
CRISIS = "I can't go on, I want to kill myself"
REDIS = os.environ.get("KINDRED_TEST_REDIS", "redis://127.0.0.1:6379/5")
CHAT = 5550077


def config(tmp_path: Path, **env: str) -> settings_module.Settings:
    """A gateway of its own, Rasa unreachable."""
    return settings_module.load(
        {
            "KINDRED_VAR": str(tmp_path),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "SAFETY_NET_SECONDS": "30",
            "PUBLIC_ORIGINS": ORIGIN,
            **env,
        }
    )


async def gateway(aiohttp_client, tmp_path: Path, **env: str) -> TestClient:  # noqa: ANN001
    client = await aiohttp_client(init_app(config(tmp_path, **env)))
    with client.app[SESSIONS].begin() as session:
        create_user(session, "sam", "Sam Patel", PASSWORD, ["staff"])
    return client


async def open_chat(client: TestClient, client_address: str | None = None) -> tuple[int, str]:
    headers = {"X-Forwarded-For": client_address} if client_address else {}
    response = await client.post("/api/chat/session", json={}, headers=headers)
    body = await response.json()
    return response.status, body.get("token") or body.get("error", "")


async def say(client: TestClient, token: str, text: str, client_address: str | None = None) -> tuple[int, dict]:
    headers = bearer(token) | ({"X-Forwarded-For": client_address} if client_address else {})
    response = await client.post("/api/chat/messages", json={"text": text}, headers=headers)
    return response.status, await response.json()


def stored(client: TestClient, *where) -> list:  # noqa: ANN002
    with client.app[SESSIONS]() as session:
        return list(session.scalars(select(Message).where(Message.author == "resident", *where)))


def escalations(client: TestClient, *where) -> list[Escalation]:  # noqa: ANN002
    with client.app[SESSIONS]() as session:
        return list(session.scalars(select(Escalation).where(*where).order_by(Escalation.id)))


async def until(predicate, timeout: float = 30) -> None:  # noqa: ANN001 - a callable
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


# --- new chats ---------------------------------------------------------------------------------------


async def test_one_address_cannot_open_chat_after_chat(aiohttp_client, tmp_path: Path) -> None:
    client = await gateway(aiohttp_client, tmp_path, LIMIT_NEW_SESSIONS="3/minute")
    opened = [await open_chat(client) for _ in range(3)]
    assert [status for status, _ in opened] == [201, 201, 201]
    status, said = await open_chat(client)
    assert status == 429 and "can't open another one yet" in said and "999" in said
    # A header the client wrote is not believed (127.0.0.1 is not a trusted proxy here): same bucket.
    assert (await open_chat(client, "198.51.100.7"))[0] == 429
    with client.app[SESSIONS]() as session:
        assert session.scalar(select(Conversation).limit(1)) is not None
        assert len(list(session.scalars(select(Conversation)))) == 3


async def test_behind_a_trusted_proxy_each_client_has_a_bucket_of_its_own(aiohttp_client, tmp_path: Path) -> None:
    client = await gateway(aiohttp_client, tmp_path, LIMIT_NEW_SESSIONS="2/minute", TRUSTED_PROXIES="127.0.0.1")
    assert [(await open_chat(client, "203.0.113.5"))[0] for _ in range(3)] == [201, 201, 429]
    assert (await open_chat(client, "203.0.113.6"))[0] == 201
    # One IPv6 customer holds a whole /64: changing the last bits is not a new bucket.
    assert [(await open_chat(client, f"2001:db8:0:1::{n}"))[0] for n in (1, 2, 3)] == [201, 201, 429]
    with client.app[SESSIONS]() as session:
        sources = list(session.scalars(select(Conversation.source)))
    # What is kept is a keyed hash of where each chat came from, never the address itself.
    assert len(sources) == 5 and len(set(sources)) == 3
    assert not any("203.0.113" in s or "2001" in s for s in sources)


# --- messages --------------------------------------------------------------------------------------


async def test_a_flood_into_one_chat_is_refused_but_a_crisis_is_still_answered_at_once(
    aiohttp_client, tmp_path: Path
) -> None:
    client = await gateway(aiohttp_client, tmp_path, LIMIT_MESSAGES_PER_CONVERSATION="3/minute")
    _, token = await open_chat(client)
    results = await asyncio.gather(*(say(client, token, f"spam {n}") for n in range(50)))
    statuses = [status for status, _ in results]
    assert statuses.count(202) == 3 and statuses.count(429) == 47
    refusal = next(body["error"] for status, body in results if status == 429)
    assert "faster than I can read" in refusal and "999" in refusal
    assert len(stored(client)) == 3  # a refused message is not kept: a flood cannot fill the database
    # A button press over the limit is refused too.
    headers = bearer(token)
    pressed = await client.post("/api/chat/messages", json={"payload": "/affirm", "title": "Yes"}, headers=headers)
    assert pressed.status == 429

    # Still over the limit, a crisis: triaged, kept, answered at once (well before the safety net's 30 s),
    # escalated; only Rasa's turn is refused.
    began = time.monotonic()
    status, body = await say(client, token, CRISIS)
    assert status == 202
    crisis = stored(client, Message.id == body["id"])[0]
    assert (crisis.state, crisis.source, crisis.risk["risk"]) == ("delivered", "limited", "urgent")
    with client.app[SESSIONS]() as session:
        replies = list(session.scalars(select(Message).where(Message.reply_to == crisis.id).order_by(Message.id)))
    said = "\n".join(m.text for m in replies)
    assert "116 123" in said and "Are you safe right now?" in said and time.monotonic() - began < 10
    assert [(e.level, e.trigger_text) for e in escalations(client)] == [("urgent", CRISIS)]


async def test_one_address_cannot_flood_across_its_chats(aiohttp_client, tmp_path: Path) -> None:
    client = await gateway(aiohttp_client, tmp_path, LIMIT_MESSAGES_PER_ADDRESS="4/minute")
    (_, first), (_, second) = await open_chat(client), await open_chat(client)
    statuses = [(await say(client, token, "hello"))[0] for token in (first, second, first, second, first, second)]
    assert statuses == [202, 202, 202, 202, 429, 429]


async def test_limits_are_shared_by_every_gateway_through_redis(tmp_path: Path) -> None:
    """With REDIS_URL, two gateways count together (an attacker cannot spread over them)."""
    settings = config(tmp_path, REDIS_URL=REDIS, LIMIT_NEW_SESSIONS="2/minute")
    one, two = RateLimits(settings), RateLimits(settings)
    source = one.source("address", f"192.0.2.{uuid.uuid4().int % 250}") + uuid.uuid4().hex[:6]
    assert [await one.allow_session(source), await two.allow_session(source)] == [True, True]
    assert await one.allow_session(source) is False and await two.allow_session(source) is False


async def test_a_telegram_flood_gets_one_kind_answer_and_a_crisis_the_crisis_reply(
    aiohttp_server, aiohttp_client, tmp_path: Path
) -> None:
    async with FakeTelegram() as fake:
        port = free_port()
        settings = config(
            tmp_path,
            KINDRED_PORT=str(port),
            TELEGRAM_TOKEN=TOKEN,
            TELEGRAM_MODE="webhook",
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}",
            TELEGRAM_API_URL=fake.base_url,
            LIMIT_MESSAGES_PER_CONVERSATION="3/minute",
        )
        client = await aiohttp_client(await aiohttp_server(init_app(settings), port=port))
        for n in range(12):
            await fake.send(fake.update(message=fake.message(CHAT, f"spam {n}")))
        await until(lambda: len(stored(client)) == 3)
        await fake.wait_for_text(CHAT, "faster than I can read")
        await fake.send(fake.update(message=fake.message(CHAT, CRISIS)))
        await fake.wait_for_text(CHAT, "116 123", timeout=15)  # the safety net would wait 30 s
        await until(lambda: escalations(client) != [])
        assert escalations(client)[0].level == "urgent"
        await asyncio.sleep(0.5)
        # Twelve refusals, one kind answer: a flood of refusals is not a flood of answers.
        assert sum("faster than I can read" in m.get("text", "") for m in fake.sent(CHAT)) == 1
        assert len(stored(client)) == 4


# --- the queue ---------------------------------------------------------------------------------------


ROW = re.compile(r'data-escalation="(\d+)" data-level="(\w+)" data-status="(\w+)"')


async def flood(client: TestClient, count: int, client_address: str | None = None) -> None:
    """`count` new chats, each with a crisis message, as the reviewer's script did."""
    for _ in range(count):
        _, token = await open_chat(client, client_address)
        assert (await say(client, token, CRISIS, client_address))[0] == 202


async def test_a_flood_is_grouped_a_real_case_stays_first_and_staff_mark_it_as_abuse(
    aiohttp_client, tmp_path: Path
) -> None:
    client = await gateway(
        aiohttp_client, tmp_path, SAFETY_NET_SECONDS="0.2", TRUSTED_PROXIES="127.0.0.1", LIMIT_NEW_SESSIONS="100/minute"
    )
    # Someone who has been chatting for a while, from their own address...
    _, real = await open_chat(client, "203.0.113.20")
    with client.app[SESSIONS].begin() as session:
        session.execute(update(Conversation).values(created_at=utcnow().replace(year=2025)))
    # ... while one address floods the crisis queue, and then the real person writes.
    await flood(client, 30, "198.51.100.66")
    await until(lambda: len(escalations(client)) == 30)
    assert (await say(client, real, "I want to end my life tonight", "203.0.113.20"))[0] == 202
    await until(lambda: len(escalations(client)) == 31)
    real_case = escalations(client)[-1]
    assert real_case.level == "urgent"

    csrf = await staff_sign_in(client.session, str(client.make_url("")).rstrip("/"), "sam", PASSWORD)
    page = await (await client.get("/staff/queue", headers=HTML)).text()
    shown = ROW.findall(page)
    # The real case is the first row, though it came last; the flood is one group, every row in it.
    assert shown[0] == (str(real_case.id), "urgent", "new")
    assert len(shown) == 31 and "30 escalations from 30 conversations" in page
    assert page.count('class="burst"') == 1  # the group's heading
    key = re.search(r'name="burst" value="([^"]+)"', page).group(1)

    # One action marks the whole burst as abuse: out of the queue and the alarm, and audited.
    response = await client.post(
        "/staff/queue/abuse", data={"csrf": csrf, "burst": key}, headers=HTML, allow_redirects=False
    )
    assert response.status == 303
    page = await (await client.get("/staff/queue", headers=HTML)).text()
    assert ROW.findall(page) == [(str(real_case.id), "urgent", "new")]
    assert "1 urgent conversation waiting" in page
    flooded = escalations(client, Escalation.id != real_case.id)
    assert {(e.status, e.outcome) for e in flooded} == {("resolved", "abuse")}
    with client.app[SESSIONS]() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "mark_abuse")).one()
        flag = session.scalars(select(AbuseFlag)).one()
    assert "Sam Patel" in event.actor and sorted(event.detail["escalations"]) == sorted(e.id for e in flooded)
    assert event.detail["urgent"] == 30 and flag.escalations == 30 and {e.abuse_flag_id for e in flooded} == {flag.id}

    # The same address goes on: held in a group of its own, no alarm; the real case stays first.
    await flood(client, BURST_FROM_ONE_SOURCE, "198.51.100.66")
    await until(lambda: len(escalations(client)) == 31 + BURST_FROM_ONE_SOURCE)
    page = await (await client.get("/staff/queue/rows", headers=HTML)).text()
    rows = ROW.findall(page)
    assert rows[0] == (str(real_case.id), "urgent", "new")
    assert [status for _, _, status in rows[1:]] == ["held"] * BURST_FROM_ONE_SOURCE
    assert "from sources marked as abuse" in page and "Mark all" not in page


async def test_the_queue_pages_instead_of_cutting_off_and_finds_bursts_of_new_chats(
    aiohttp_client, tmp_path: Path
) -> None:
    client = await gateway(aiohttp_client, tmp_path, SAFETY_NET_SECONDS="0.2", TRUSTED_PROXIES="127.0.0.1")
    # 260 older concerns, each from a conversation of its own (no burst among them).
    now = utcnow()
    with client.app[SESSIONS].begin() as session:
        for n in range(260):
            started = now - dt.timedelta(days=40, hours=n)
            session.add(Conversation(id=f"old-{n}", channel="web", external_id=f"old-{n}", created_at=started))
            session.flush()
            session.add(
                Escalation(
                    conversation_id=f"old-{n}",
                    channel="web",
                    level="concern",
                    risk_types=["cold_home"],
                    reason="risk",
                    trigger_text=f"concern {n}",
                    created_at=now - dt.timedelta(days=30, minutes=n * 7),
                )
            )
    # Many addresses open new chats at once and say the same: a burst of brand-new chats.
    for n in range(6):
        await flood(client, 1, f"198.51.100.{n + 1}")
    await until(lambda: len(escalations(client)) == 266)
    await staff_sign_in(client.session, str(client.make_url("")).rstrip("/"), "sam", PASSWORD)

    seen: list[tuple[str, str, str]] = []
    page_number, pages = 1, 1
    while page_number <= pages:
        page = await (await client.get(f"/staff/queue?page={page_number}", headers=HTML)).text()
        pages = int(re.search(r"Page \d+ of (\d+)", page).group(1))
        rows = ROW.findall(page)
        # Every page shows every urgent case (here all six are in the burst, shown with it).
        assert sum(level == "urgent" for _, level, _ in rows) == 6
        assert "A burst of brand-new chats: 6 escalations from 6 conversations" in page
        seen += [row for row in rows if row[1] != "urgent"]
        page_number += 1
    assert pages == 6
    assert sorted(int(i) for i, _, _ in seen) == sorted(
        e.id for e in escalations(client, Escalation.level == "concern")
    )


@pytest.mark.parametrize("value", ["lots", "5/fortnight"])
def test_a_limit_that_cannot_be_read_stops_the_start_with_a_reason(tmp_path: Path, value: str) -> None:
    with pytest.raises(settings_module.ConfigError, match="LIMIT_NEW_SESSIONS"):
        RateLimits(config(tmp_path, LIMIT_NEW_SESSIONS=value))
