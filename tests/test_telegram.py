"""The Telegram channel against a local fake Bot API server, over real HTTP.

The first tests run the gateway alone in webhook mode with Rasa unreachable (so messages are kept,
in order, as they would be while Rasa is down): the secret header, repeated update ids, kind answers
to everything we can't read, 429/5xx/403 from Telegram, long and hostile replies, buttons and
locations. The last test runs the whole assistant in long-polling mode: fake Telegram -> gateway ->
Rasa -> actions and back, through a conversation that ends with a suggestion and a follow-up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

import settings as settings_module
from bot.app import init_app
from bot.keys import RELAY, SESSIONS
from bot.models import Conversation, Message
from bot.telegram import EDITED, GROUP, OTHER, PICTURE, STICKER, VOICE, split_text
from launcher.fake_telegram import TOKEN, FakeTelegram
from launcher.stack import Stack, isolated_env
from residents.models import FollowUp
from tests.helpers import free_port

CHAT = 5550001


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def gateway(aiohttp_server, aiohttp_client, fake: FakeTelegram, tmp_path: Path) -> TestClient:
    """The gateway in webhook mode, Rasa unreachable."""
    port = free_port()
    config = settings_module.load(
        {
            "KINDRED_VAR": str(tmp_path),
            "KINDRED_PORT": str(port),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "SAFETY_NET_SECONDS": "30",
            "TELEGRAM_TOKEN": TOKEN,
            "TELEGRAM_MODE": "webhook",
            "TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "TELEGRAM_API_URL": fake.base_url,
        }
    )
    server = await aiohttp_server(init_app(config), port=port)
    return await aiohttp_client(server)


def stored(client: TestClient, chat_id: int = CHAT) -> list[Message]:
    with client.app[SESSIONS]() as session:
        conversation = session.scalars(
            select(Conversation).where(Conversation.external_id == f"telegram:{chat_id}")
        ).first()
        if conversation is None:
            return []
        return list(session.scalars(select(Message).where(Message.conversation_id == conversation.id)))


async def until(predicate, timeout: float = 10) -> None:  # noqa: ANN001 - a callable
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


async def test_the_webhook_is_set_with_a_secret_that_is_checked(gateway: TestClient, fake: FakeTelegram) -> None:
    assert fake.webhook and fake.webhook["url"].endswith("/telegram/webhook")
    secret = fake.webhook["secret_token"]
    update = fake.update(message=fake.message(CHAT, "hello"))
    assert (await gateway.post("/telegram/webhook", json=update)).status == 403
    wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
    assert (await gateway.post("/telegram/webhook", json=update, headers=wrong)).status == 403
    right = {"X-Telegram-Bot-Api-Secret-Token": secret}
    assert (await gateway.post("/telegram/webhook", data=b"{nope", headers=right)).status == 400
    assert (await gateway.post("/telegram/webhook", json={"no": "id"}, headers=right)).status == 400
    assert stored(gateway) == []


async def test_messages_are_kept_in_order_once_while_rasa_is_down(gateway: TestClient, fake: FakeTelegram) -> None:
    first = fake.update(message=fake.message(CHAT, "hello"))
    await fake.send(first)
    await fake.send(fake.update(message=fake.message(CHAT, "/start")))
    await fake.send(first)  # Telegram retrying the same update
    await fake.send(fake.update(message=fake.message(CHAT, "are you there?")))
    await until(lambda: len(stored(gateway)) == 3)
    await asyncio.sleep(0.3)
    rows = stored(gateway)
    assert [(m.text, m.payload, m.state) for m in rows] == [
        ("hello", None, "pending"),
        ("/start", "/greet", "pending"),
        ("are you there?", None, "pending"),
    ]
    assert any(c.method == "sendChatAction" and c.params["action"] == "typing" for c in fake.calls)


@pytest.mark.parametrize(
    ("content", "answer"),
    [
        ({"voice": {"file_id": "v", "file_unique_id": "v", "duration": 3}}, VOICE),
        ({"photo": [{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]}, PICTURE),
        ({"sticker": {"file_id": "s", "file_unique_id": "s", "width": 1, "height": 1, "is_animated": False,
                      "is_video": False, "type": "regular"}}, STICKER),
        ({"document": {"file_id": "d", "file_unique_id": "d"}}, "can't open files"),
        ({"contact": {"phone_number": "1", "first_name": "A"}}, OTHER),
        ({"text": "x" * 5000}, "too long"),
    ],
)  # fmt: skip
async def test_what_we_cannot_read_gets_a_kind_answer(
    gateway: TestClient, fake: FakeTelegram, content: dict, answer: str
) -> None:
    await fake.send(fake.update(message=fake.message(CHAT, **content)))
    await fake.wait_for_text(CHAT, answer, timeout=10)
    assert stored(gateway) == []


async def test_edits_groups_and_channel_posts(gateway: TestClient, fake: FakeTelegram) -> None:
    await fake.send(fake.update(edited_message=fake.message(CHAT, "edited", edit_date=int(time.time()))))
    await fake.wait_for_text(CHAT, EDITED, timeout=10)
    await fake.send(fake.update(message=fake.message(-100, "hi all", chat_type="group")))
    await fake.wait_for_text(-100, GROUP, timeout=10)
    await fake.send(fake.update(channel_post=fake.message(-200, "news", chat_type="channel")))
    await asyncio.sleep(0.5)
    assert fake.sent(-200) == []
    assert stored(gateway) == [] and stored(gateway, -100) == []


async def test_replies_are_split_escaped_and_carry_buttons(gateway: TestClient, fake: FakeTelegram) -> None:
    await fake.send(fake.update(message=fake.message(CHAT, "hello")))
    await until(lambda: len(stored(gateway)) == 1)
    conversation_id = stored(gateway)[0].conversation_id
    relay = gateway.app[RELAY]
    await relay.say(conversation_id, "<b>Tea</b> & cake at 10 < 11")
    sent = await fake.wait_for_text(CHAT, "cake")
    assert sent["text"] == "&lt;b&gt;Tea&lt;/b&gt; &amp; cake at 10 &lt; 11" and sent["parse_mode"] == "HTML"
    before = len(fake.sent(CHAT))
    await relay.say(conversation_id, ("word " * 2000).strip())
    await until(lambda: len(fake.sent(CHAT)) >= before + 3)
    parts = fake.sent(CHAT)[before:]
    assert len(parts) == 3 and all(len(p["text"]) <= 4096 for p in parts)
    assert " ".join(p["text"] for p in parts).split() == ["word"] * 2000
    message = await relay.say(
        conversation_id, "Would you like that?", buttons=[{"title": "Yes, please", "payload": "/affirm"},
                                                          {"title": "Any day", "payload": "Any day"}]
    )  # fmt: skip
    sent = await fake.wait_for_text(CHAT, "Would you like that?")
    keyboard = sent["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Yes, please", "Any day"]
    assert keyboard[0][0]["callback_data"] == f"{message.id}:0"
    press = {
        "id": "cb1",
        "chat_instance": "x",
        "data": f"{message.id}:0",
        "from": {"id": CHAT, "is_bot": False, "first_name": "R"},
        "message": fake.message(CHAT, "Would you like that?"),
    }
    await fake.send(fake.update(callback_query=press))
    await until(lambda: any(m.payload == "/affirm" for m in stored(gateway)))
    assert any(c.method == "answerCallbackQuery" for c in fake.calls)
    press = dict(press, id="cb2", data=f"{message.id}:1")
    await fake.send(fake.update(callback_query=press))
    await until(lambda: any(m.text == "Any day" and m.payload is None for m in stored(gateway)))
    forged = dict(press, id="cb3", data="999999:0")
    await fake.send(fake.update(callback_query=forged))
    await asyncio.sleep(0.3)
    assert not any(m.text == "999999:0" for m in stored(gateway))


async def test_a_shared_location_becomes_a_search(gateway: TestClient, fake: FakeTelegram) -> None:
    await fake.send(fake.update(message=fake.message(CHAT, location={"latitude": 51.4601, "longitude": -2.5589})))
    await until(lambda: len(stored(gateway)) == 1)
    assert stored(gateway)[0].payload == '/share_location{"place":"51.46010,-2.55890"}'


async def test_telegram_errors_429_5xx_and_a_blocked_bot(gateway: TestClient, fake: FakeTelegram) -> None:
    await fake.send(fake.update(message=fake.message(CHAT, "hello")))
    await until(lambda: len(stored(gateway)) == 1)
    conversation_id = stored(gateway)[0].conversation_id
    relay = gateway.app[RELAY]
    fake.fail_next("sendMessage", 429, retry_after=1)
    began = time.monotonic()
    await relay.say(conversation_id, "after a pause")
    await fake.wait_for_text(CHAT, "after a pause")
    attempts = [c for c in fake.calls if c.method == "sendMessage" and "after a pause" in c.params.get("text", "")]
    assert len(attempts) == 2 and attempts[1].at - attempts[0].at >= 0.95 and time.monotonic() - began >= 0.95
    fake.fail_next("sendMessage", 502, times=2)
    await relay.say(conversation_id, "after an outage")
    await fake.wait_for_text(CHAT, "after an outage", timeout=15)
    fake.blocked.add(CHAT)
    await relay.say(conversation_id, "are you still there?")
    await until(lambda: any(m.author == "system" and "blocked" in m.text for m in stored(gateway)))
    with gateway.app[SESSIONS]() as session:
        assert session.get(Conversation, conversation_id).unreachable_at is not None


def test_long_text_is_split_at_word_boundaries() -> None:
    assert split_text("short") == ["short"]
    parts = split_text("a" * 5000)
    assert [len(p) for p in parts] == [4096, 904]
    text = "a" * 3000 + "\n\n" + "b " * 1500
    parts = split_text(text)
    assert parts[0] == "a" * 3000 and all(len(p) <= 4096 for p in parts)
    assert "".join(parts).replace(" ", "") == text.replace(" ", "").replace("\n", "")


# --- the whole assistant, long polling -------------------------------------------------------------


@pytest.mark.stack
async def test_a_whole_conversation_on_telegram(model: Path, tmp_path: Path) -> None:
    """Fake Telegram -> gateway (polling) -> Rasa -> actions and back: suggestion and follow-up."""
    async with FakeTelegram() as fake:
        env = isolated_env(
            tmp_path / "tg", TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_URL=fake.base_url, TELEGRAM_MODE="polling"
        )
        stack = Stack(model, env, echo=False)
        await asyncio.to_thread(stack.start)
        try:
            await fake.send(fake.update(message=fake.message(CHAT, "/start")))
            await fake.wait_for_text(CHAT, "not a person", timeout=120)
            await fake.wait_for_text(CHAT, "forget me")
            await fake.send(fake.update(message=fake.message(CHAT, "I look after my husband, he has dementia")))
            await fake.wait_for_text(CHAT, "husband")
            await fake.send(fake.update(message=fake.message(CHAT, "I need a break from caring")))
            asked = await fake.wait_for_text(CHAT, "Whereabouts are you?")
            assert asked["reply_markup"]["keyboard"][0][0]["request_location"] is True
            await fake.send(
                fake.update(message=fake.message(CHAT, location={"latitude": 51.4795, "longitude": -2.5870}))
            )
            question = await fake.wait_for_text(CHAT, "keep in mind")
            rows = question["reply_markup"]["inline_keyboard"]
            data = next(row[0]["callback_data"] for row in rows if row[0]["text"] == "No, either is fine")
            press = {
                "id": "q1",
                "chat_instance": "x",
                "data": data,
                "from": {"id": CHAT, "is_bot": False, "first_name": "R"},
                "message": fake.message(CHAT, "keep in mind"),
            }
            await fake.send(fake.update(callback_query=press))
            await fake.wait_for_text(CHAT, "carer's assessment")
            cards = [p for p in fake.sent(CHAT) if "inline_keyboard" in (p.get("reply_markup") or {})]
            card = next(p for p in cards if p["reply_markup"]["inline_keyboard"][0][0]["text"] == "Remind me")
            remind = {**press, "id": "q2", "data": card["reply_markup"]["inline_keyboard"][0][0]["callback_data"]}
            await fake.send(fake.update(callback_query=remind))
            await fake.wait_for_text(CHAT, "Afterwards I'll ask how it went")
            # The follow-up fires later (as Rasa's scheduler would) and reaches the person on Telegram.
            engine = create_engine(stack.settings.app_database_url)
            with Session(engine) as session:
                followup = session.scalars(select(FollowUp)).one()
                conversation_id, followup_id, name = followup.sender_id, followup.id, followup.service_name
            engine.dispose()
            async with aiohttp.ClientSession() as http:
                url = f"{stack.settings.rasa_urls[0]}/conversations/{conversation_id}/trigger_intent"
                params = {"token": stack.settings.rasa_token, "output_channel": "callback"}
                body = {"name": "EXTERNAL_followup", "entities": {"followup_id": str(followup_id)}}
                async with http.post(url, params=params, json=body) as response:
                    assert response.status == 200, await response.text()
            await fake.wait_for_text(CHAT, f"Did you get to {name}?")
            assert any(c.method == "answerCallbackQuery" for c in fake.calls)
            assert any(c.method == "sendChatAction" for c in fake.calls)
        finally:
            await asyncio.to_thread(stack.stop)


async def test_commands_become_the_matching_intents(gateway: TestClient, fake: FakeTelegram) -> None:
    for command in ("/help", "/stop", "/forget@kindred_test_bot"):
        await fake.send(fake.update(message=fake.message(CHAT, command)))
    await until(lambda: len(stored(gateway)) == 3)
    assert [(m.text, m.payload) for m in stored(gateway)] == [
        ("/help", "/ask_capabilities"),
        ("/stop", "/stop_checkins"),
        ("/forget", "/forget_me"),
    ]
