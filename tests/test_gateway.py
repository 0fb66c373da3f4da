"""The gateway on its own, with Rasa and the action server unreachable.

This is the real gateway over real HTTP; only Rasa is absent, which is exactly the situation the
safety net exists for. Bad input must get a kind 4xx and lose nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import WSServerHandshakeError
from aiohttp.test_utils import TestClient
from sqlalchemy import select

import settings as settings_module
from bot.app import init_app
from bot.keys import SESSIONS
from bot.models import Escalation, Message
from tests.helpers import free_port

ORIGIN = "http://127.0.0.1:8080"


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:
    config = settings_module.load(
        {
            "KINDRED_VAR": str(tmp_path),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "SAFETY_NET_SECONDS": "0.5",
            "PUBLIC_ORIGINS": ORIGIN,
        }
    )
    return await aiohttp_client(init_app(config))


async def start(client: TestClient) -> str:
    response = await client.post("/api/chat/session", json={})
    assert response.status == 201
    return (await response.json())["token"]


def bearer(token: str) -> dict[str, str]:
    """The header that carries a web chat token."""
    return {"Authorization": f"Bearer {token}"}


async def send(client: TestClient, body: object, **kwargs) -> tuple[int, dict]:
    """POST a message; a "token" in `body` goes in the Authorization header, as the page sends it."""
    if isinstance(body, dict) and "token" in body:
        body = dict(body)
        kwargs["headers"] = bearer(body.pop("token")) | kwargs.get("headers", {})
    response = await client.post("/api/chat/messages", json=body, **kwargs)
    return response.status, await response.json()


async def history(client: TestClient, token: str) -> list[dict]:
    response = await client.get("/api/chat/history", headers=bearer(token))
    assert response.status == 200
    return (await response.json())["messages"]


async def wait_for(predicate, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_health_is_503_while_rasa_and_the_action_server_are_down(client: TestClient) -> None:
    response = await client.get("/health")
    body = await response.json()
    assert response.status == 503
    assert body["rasa"][0]["up"] is False
    assert body["action_server"] == "down"
    assert body["database"] == "up"
    assert (await client.get("/health/live")).status == 200


async def test_the_chat_page_is_served_without_any_cdn(client: TestClient) -> None:
    response = await client.get("/")
    page = await response.text()
    assert response.status == 200
    assert 'role="log"' in page and '<label for="message">Message</label>' in page
    assert "http://" not in page.replace("http://127.0.0.1", "") and "https://" not in page


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"text": ""}, 400, "empty"),
        ({"text": "   \n\t "}, 400, "empty"),
        ({"text": 42}, 400, "written messages"),
        ({"text": ["a", "list"]}, 400, "written messages"),
        ({"text": None}, 400, "written messages"),
        ({"text": {"nested": "object"}}, 400, "written messages"),
        ({"text": "x" * 4001}, 413, "too long"),
    ],
)
async def test_bad_messages_get_a_kind_4xx_and_lose_nothing(
    client: TestClient, body: dict, status: int, words: str
) -> None:
    token = await start(client)
    ok_status, _ = await send(client, {"token": token, "text": "hello, my first message"})
    assert ok_status == 202
    got_status, answer = await send(client, {"token": token, **body})
    assert got_status == status
    assert words in answer["error"]
    assert [m["text"] for m in await history(client, token) if m["author"] == "resident"] == ["hello, my first message"]


async def test_malformed_json_wrong_type_and_huge_bodies_are_refused_kindly(client: TestClient) -> None:
    token = await start(client)
    bad_json = await client.post(
        "/api/chat/messages", data='{"token": "x", "text": ', headers={"Content-Type": "application/json"}
    )
    assert bad_json.status == 400 and "garbled" in (await bad_json.json())["error"]
    not_json = await client.post("/api/chat/messages", data="text=hello", headers={"Content-Type": "text/plain"})
    assert not_json.status == 415 and "chat box" in (await not_json.json())["error"]
    not_object = await client.post("/api/chat/messages", json=["text", "hello"])
    assert not_object.status == 400
    huge = await client.post(
        "/api/chat/messages",
        data='{"token": "' + token + '", "text": "' + "y" * 200_000 + '"}',
        headers={"Content-Type": "application/json"},
    )
    assert huge.status == 413 and "too big" in (await huge.json())["error"]
    binary = await client.post(
        "/api/chat/messages", data=b"\xff\xfe\x00\x01", headers={"Content-Type": "application/json"}
    )
    assert binary.status == 400


async def test_unknown_or_missing_sessions_are_told_what_to_do(client: TestClient) -> None:
    status, answer = await send(client, {"text": "hello"})
    assert status == 401 and "reload" in answer["error"].lower()
    status, answer = await send(client, {"token": "not-a-real-token", "text": "hello"})
    assert status == 404 and "reload" in answer["error"].lower()
    response = await client.get("/api/chat/history", headers=bearer("nope"))
    assert response.status == 404


async def test_hostile_text_is_stored_as_text(client: TestClient) -> None:
    token = await start(client)
    hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>'; DROP TABLE messages; --\x00\x07\u202e"
    status, _ = await send(client, {"token": token, "text": hostile})
    assert status == 202
    stored = [m["text"] for m in await history(client, token) if m["author"] == "resident"]
    assert stored == ["<script>alert('x')</script><img src=x onerror=alert(1)>'; DROP TABLE messages; --"]


async def test_only_known_button_payloads_become_intents(client: TestClient) -> None:
    token = await start(client)
    await send(client, {"token": token, "payload": "/EXTERNAL_checkin"})
    await send(client, {"token": token, "payload": "/affirm", "title": "Yes please"})
    with client.app[SESSIONS]() as session:
        rows = list(session.scalars(select(Message).where(Message.author == "resident").order_by(Message.id)))
    assert [(m.text, m.payload) for m in rows] == [("/EXTERNAL_checkin", None), ("Yes please", "/affirm")]


async def test_safety_net_answers_and_escalates_when_rasa_is_down(client: TestClient) -> None:
    token = await start(client)
    await send(client, {"token": token, "text": "I can't go on, I want to kill myself"})

    async def answered() -> bool:
        return any(m["source"] == "safety_net" and "116 123" in m["text"] for m in await history(client, token))

    await wait_for(answered)
    messages = await history(client, token)
    texts = "\n".join(m["text"] for m in messages if m["author"] == "bot")
    assert "having some trouble" in texts
    assert "Samaritans on 116 123" in texts and "SHOUT to 85258" in texts and "NHS 111, option 2" in texts
    assert "Are you safe right now?" in texts
    with client.app[SESSIONS]() as session:
        escalations = list(session.scalars(select(Escalation)))
        pending = list(session.scalars(select(Message).where(Message.state == "pending")))
    assert [(e.level, e.risk_types, e.trigger_text) for e in escalations] == [
        ("urgent", ["suicide"], "I can't go on, I want to kill myself")
    ]
    assert [m.text for m in pending] == ["I can't go on, I want to kill myself"]


async def test_one_escalation_per_episode_raised_not_duplicated(client: TestClient) -> None:
    token = await start(client)
    await send(client, {"token": token, "text": "my heating is broken and my flat is freezing"})
    await asyncio.sleep(1.2)
    await send(client, {"token": token, "text": "my husband hits me and I'm scared he'll kill me"})

    async def raised() -> bool:
        with client.app[SESSIONS]() as session:
            return any(e.level == "urgent" for e in session.scalars(select(Escalation)))

    await wait_for(raised)
    with client.app[SESSIONS]() as session:
        escalations = list(session.scalars(select(Escalation)))
    assert len(escalations) == 1
    assert escalations[0].level == "urgent"
    assert set(escalations[0].risk_types) == {"cold_home", "abuse"}
    assert escalations[0].trigger_text.startswith("my husband hits me")


async def test_idioms_get_no_safety_reply_even_when_rasa_is_down(client: TestClient) -> None:
    token = await start(client)
    await send(client, {"token": token, "text": "this heat is killing me, I'd kill for a cuppa"})

    async def noted() -> bool:
        return any(m["author"] == "bot" for m in await history(client, token))

    await wait_for(noted)
    bot = [m for m in await history(client, token) if m["author"] == "bot"]
    assert len(bot) == 1 and "having some trouble" in bot[0]["text"]
    with client.app[SESSIONS]() as session:
        assert list(session.scalars(select(Escalation))) == []


async def test_websocket_refuses_a_foreign_origin(client: TestClient) -> None:
    token = await start(client)
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/api/chat/ws", headers={"Origin": "https://evil.example"})
    assert refused.value.status == 403
    with pytest.raises(WSServerHandshakeError) as missing:
        await client.ws_connect("/api/chat/ws")
    assert missing.value.status == 403
    socket = await client.ws_connect("/api/chat/ws", headers={"Origin": ORIGIN})
    await socket.send_json({"token": token})
    assert (await socket.receive_json(timeout=5))["type"] == "ready"
    await send(client, {"token": token, "text": "I want to die"})
    event = await socket.receive_json(timeout=5)
    assert event["type"] == "message" and event["author"] == "bot"
    await socket.close()


async def test_rasa_callback_needs_the_secret(client: TestClient) -> None:
    response = await client.post("/rasa/callback/wrong", json={"recipient_id": "x", "text": "hi"})
    assert response.status == 404


async def test_safety_net_understands_indirect_phrasing_too(client: TestClient) -> None:
    token = await start(client)
    await send(client, {"token": token, "text": "i hate myself and i want to disappear for good"})

    async def answered() -> bool:
        return any(m["source"] == "safety_net" and "116 123" in m["text"] for m in await history(client, token))

    await wait_for(answered)


async def test_buttons_with_entities_and_shared_locations(client: TestClient) -> None:
    token = await start(client)
    assert (await send(client, {"token": token, "payload": '/remind_me{"pick":"2"}', "title": "Remind me"}))[0] == 202
    sneaky = '/remind_me{"pick":"2","followup_id":"7"}'
    assert (await send(client, {"token": token, "payload": sneaky}))[0] == 202
    for bad in ("here", {"latitude": "x", "longitude": 1}, {"latitude": 95, "longitude": 0}, {"latitude": None}):
        status, body = await send(client, {"token": token, "location": bad})
        assert status == 400 and "postcode" in body["error"], bad
    status, _ = await send(client, {"token": token, "location": {"latitude": 51.4601, "longitude": -2.5589}})
    assert status == 202
    with client.app[SESSIONS]() as session:
        rows = list(session.scalars(select(Message).where(Message.author == "resident").order_by(Message.id)))
    assert [(m.text, m.payload) for m in rows] == [
        ("Remind me", '/remind_me{"pick":"2"}'),
        (sneaky, None),
        ("📍 I shared my location", '/share_location{"place":"51.46010,-2.55890"}'),
    ]


async def test_the_chat_may_be_framed_only_by_the_organisations_sites(client: TestClient) -> None:
    response = await client.get("/")
    assert response.headers["Content-Security-Policy"].endswith(f"; frame-ancestors 'self' {ORIGIN}")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


async def test_safety_net_answers_another_language_in_it_and_tells_staff(client: TestClient) -> None:
    token = await start(client)
    await send(client, {"token": token, "text": "Chcę się zabić, nie mam już siły"})

    async def answered() -> bool:
        return any(m["source"] == "safety_net" and "Przepraszam" in m["text"] for m in await history(client, token))

    await wait_for(answered)
    texts = "\n".join(m["text"] for m in await history(client, token) if m["author"] == "bot")
    assert "999" in texts and "116 123" in texts
    with client.app[SESSIONS]() as session:
        found = {(e.level, e.reason) for e in session.scalars(select(Escalation))}
    assert ("urgent", "language:pl") in found or ("urgent", "safety_net") in found
    assert all(level in ("urgent", "person") for level, _ in found)


async def test_safety_net_asks_directly_when_risk_is_not_explicit(client: TestClient) -> None:
    token = await start(client)
    await send(client, {"token": token, "text": "what's the point of any of it anymore"})

    async def asked() -> bool:
        return any(
            m["source"] == "safety_net" and "ending their life" in m["text"] for m in await history(client, token)
        )

    await wait_for(asked)
    with client.app[SESSIONS]() as session:
        escalations = list(session.scalars(select(Escalation)))
    assert [(e.level, e.risk_types) for e in escalations] == [("concern", ["suicide"])]
