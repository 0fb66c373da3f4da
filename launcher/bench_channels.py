"""`./kindred bench channels`: delivery latency on Telegram (against the local fake Bot API) and in
the web chat, at N concurrent residents, checking that no message is lost or duplicated.

One stack (Telegram in long-polling mode against `launcher.fake_telegram`) serves both channels.
Each resident holds a short conversation, one message at a time. Telegram latency runs from the
fake handing out the update to the first reply reaching the fake's `sendMessage`; web chat latency
from the POST to the first reply pushed over the resident's WebSocket. A benchmark, not a test:
timings on a shared machine are noisy.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from bot.models import Conversation, Message
from launcher.bench import _percentile
from launcher.fake_telegram import TOKEN, FakeTelegram
from launcher.stack import Stack, isolated_env
from launcher.training import ensure_trained

TURNS = ["hello", "I've been feeling a bit lonely", "what can you do?", "thank you", "bye for now"]


async def _telegram_resident(fake: FakeTelegram, chat_id: int, latencies: list[float], errors: list[str]) -> None:
    for text in TURNS:
        before = len(fake.sent(chat_id))
        began = time.perf_counter()
        await fake.send(fake.update(message=fake.message(chat_id, text)))
        deadline = time.monotonic() + 60
        while len(fake.sent(chat_id)) <= before:
            if time.monotonic() > deadline:
                errors.append(f"telegram {chat_id}: no reply to {text!r}")
                return
            await asyncio.sleep(0.005)
        latencies.append((time.perf_counter() - began) * 1000)
        await asyncio.sleep(0.3)  # let the rest of the turn's replies arrive before the next message


async def _web_resident(base: str, http: aiohttp.ClientSession, latencies: list[float], errors: list[str]) -> str:
    async with http.post(f"{base}/api/chat/session", json={}) as r:
        token = (await r.json())["token"]
    auth = {"Authorization": f"Bearer {token}"}
    async with http.ws_connect(f"{base}/api/chat/ws", headers={"Origin": base}) as ws:
        await ws.send_json({"token": token})  # the token is the socket's first frame, as the page sends it
        for text in TURNS:
            began = time.perf_counter()
            async with http.post(f"{base}/api/chat/messages", json={"text": text}, headers=auth) as r:
                if r.status != 202:
                    errors.append(f"web: {r.status} for {text!r}")
                    continue
            try:
                while True:
                    frame = await asyncio.wait_for(ws.receive(), timeout=60)
                    event = json.loads(frame.data)
                    if event.get("author") == "bot":
                        break
            except (asyncio.TimeoutError, TypeError, ValueError):
                errors.append(f"web: no reply to {text!r}")
                return token
            latencies.append((time.perf_counter() - began) * 1000)
            await asyncio.sleep(0.3)
    return token


def _check(stack: Stack, residents: int) -> tuple[int, int]:
    """Lost and duplicated resident messages, from what the gateway stored."""
    engine = create_engine(stack.settings.app_database_url)
    lost = duplicated = 0
    with Session(engine) as session:
        conversations = session.scalars(select(Conversation.id)).all()
        for conversation_id in conversations:
            texts = session.scalars(
                select(Message.text).where(Message.conversation_id == conversation_id, Message.author == "resident")
            ).all()
            counts = {t: texts.count(t) for t in TURNS}
            lost += sum(1 for c in counts.values() if c == 0)
            duplicated += sum(c - 1 for c in counts.values() if c > 1)
        pending = session.scalar(select(func.count()).select_from(Message).where(Message.state == "pending"))
    engine.dispose()
    expected = residents * 2
    lost += max(0, expected - len(conversations)) * len(TURNS) + (pending or 0)
    return lost, duplicated


async def _run(stack: Stack, fake: FakeTelegram, residents: int) -> dict:
    base = stack.settings.gateway_url
    telegram: list[float] = []
    web: list[float] = []
    errors: list[str] = []
    began = time.perf_counter()
    await asyncio.gather(*(_telegram_resident(fake, 7_000_000 + i, telegram, errors) for i in range(residents)))
    telegram_s = time.perf_counter() - began
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        began = time.perf_counter()
        await asyncio.gather(*(_web_resident(base, http, web, errors) for _ in range(residents)))
        web_s = time.perf_counter() - began
    return {"telegram": telegram, "web": web, "errors": errors, "telegram_s": telegram_s, "web_s": web_s}


def bench_channels(residents: int) -> int:
    """Run the benchmark and print p50/p95 per channel with loss and duplication counts."""
    model = ensure_trained(quiet=True)
    var = Path(tempfile.mkdtemp(prefix="kindred-bench-channels-"))

    async def main() -> tuple[dict, tuple[int, int]]:
        async with FakeTelegram() as fake:
            env = isolated_env(var, TELEGRAM_TOKEN=TOKEN, TELEGRAM_API_URL=fake.base_url, TELEGRAM_MODE="polling")
            stack = Stack(model, env, echo=False)
            await asyncio.to_thread(stack.start)
            try:
                # Warm up both paths once (Rasa's first turn is slow).
                await _run_warm(stack, fake)
                result = await _run(stack, fake, residents)
                await asyncio.sleep(2)
                return result, await asyncio.to_thread(_check, stack, residents + 1)
            finally:
                await asyncio.to_thread(stack.stop)

    try:
        result, (lost, duplicated) = asyncio.run(main())
    finally:
        shutil.rmtree(var, ignore_errors=True)
    print(f"\n{residents} concurrent residents per channel, {len(TURNS)} messages each\n")
    print(f"{'channel':<10}{'messages':>9}{'p50 ms':>9}{'p95 ms':>9}{'seconds':>9}")
    for name in ("telegram", "web"):
        values = result[name]
        print(f"{name:<10}{len(values):9d}{_percentile(values, 50):9.0f}{_percentile(values, 95):9.0f}"
              f"{result[name + '_s']:9.1f}")  # fmt: skip
    print(f"\nlost: {lost}   duplicated: {duplicated}   errors: {len(result['errors'])}")
    for error in result["errors"][:10]:
        print("  " + error)
    return 0 if not (lost or duplicated or result["errors"]) else 1


async def _run_warm(stack: Stack, fake: FakeTelegram) -> None:
    errors: list[str] = []
    await _telegram_resident(fake, 6_999_999, [], errors)
    async with aiohttp.ClientSession() as http:
        await _web_resident(stack.settings.gateway_url, http, [], errors)
