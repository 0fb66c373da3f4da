"""A local fake of the Telegram Bot API (aiohttp), for the tests and `./kindred bench channels`.

python-telegram-bot is pointed at it with `base_url`. It records every call, hands out updates by
`getUpdates` (long polling, with offsets) or posts them to the webhook that `setWebhook` set (with
the secret header), and can be told to answer the next calls to a method with 429 (retry_after)
or a 5xx, or a chat with 403 (the person blocked the bot).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field

import aiohttp
from aiohttp import web

from launcher.stack import free_port

TOKEN = "123456:TEST-fake-token"  # noqa: S105 - the fake accepts only this made-up token


@dataclass
class Call:
    """One Bot API call as the fake received it."""

    method: str
    params: dict
    at: float = field(default_factory=time.monotonic)
    ok: bool = True


class FakeTelegram:
    """The fake server. Use `async with FakeTelegram() as tg:`; `tg.base_url` goes to the bot."""

    def __init__(self) -> None:
        self.port = free_port()
        self.calls: list[Call] = []
        self.updates: list[dict] = []
        self.webhook: dict | None = None
        self.failures: dict[str, list[tuple[int, int]]] = {}  # method -> [(status, retry_after)]
        self.blocked: set[int] = set()
        self._update_ids = itertools.count(1000)
        self._message_ids = itertools.count(1)
        self._new_update = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def base_url(self) -> str:
        """What to give python-telegram-bot as `base_url` (it appends the token)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def __aenter__(self) -> FakeTelegram:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self._http = aiohttp.ClientSession()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._http:
            await self._http.close()
        if self._runner:
            await self._runner.cleanup()

    # --- what the tests do ------------------------------------------------------------------------

    def fail_next(self, method: str, status: int, retry_after: int = 0, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with an error status."""
        self.failures.setdefault(method, []).extend([(status, retry_after)] * times)

    def update(self, **content: object) -> dict:
        """A new update with the next update_id (content: message=..., callback_query=..., ...)."""
        return {"update_id": next(self._update_ids), **content}

    @staticmethod
    def message(chat_id: int, text: str | None = None, chat_type: str = "private", **extra: object) -> dict:
        """A Telegram Message object from a person."""
        body = {
            "message_id": int(time.time() * 1000) % 1_000_000,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type, "first_name": "Resident"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Resident"},
            **extra,
        }
        if text is not None:
            body["text"] = text
            if text.startswith("/"):
                body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return body

    async def send(self, update: dict) -> None:
        """Deliver an update: to the webhook if one is set, else queue it for getUpdates."""
        if self.webhook:
            assert self._http is not None
            headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook.get("secret_token", "")}
            async with self._http.post(self.webhook["url"], json=update, headers=headers) as response:
                assert response.status == 200, await response.text()
        else:
            self.updates.append(update)
            self._new_update.set()

    def sent(self, chat_id: int | None = None) -> list[dict]:
        """The sendMessage calls that succeeded so far (to one chat)."""
        return [
            c.params
            for c in self.calls
            if c.method == "sendMessage" and c.ok and (chat_id is None or int(c.params["chat_id"]) == chat_id)
        ]

    async def wait_for_text(self, chat_id: int, words: str, timeout: float = 60, after: int = 0) -> dict:
        """The first message (after the first `after`) to a chat containing `words`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for params in self.sent(chat_id)[after:]:
                if words in params.get("text", ""):
                    return params
            await asyncio.sleep(0.05)
        calls = [(c.method, c.ok, c.params.get("text")) for c in self.calls]
        raise AssertionError(f"no message with {words!r} to chat {chat_id}; calls: {calls}")

    # --- the Bot API ------------------------------------------------------------------------------

    async def _params(self, request: web.Request) -> dict:
        if request.content_type == "application/json":
            raw = await request.json()
        else:
            raw = dict(await request.post())
        params = {}
        for key, value in raw.items():
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    pass
            params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != TOKEN:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        call = Call(method, params)
        self.calls.append(call)
        pending = self.failures.get(method)
        if pending:
            call.ok = False
            status, retry_after = pending.pop(0)
            body = {"ok": False, "error_code": status, "description": f"fake error {status}"}
            if status == 429:
                body["description"] = f"Too Many Requests: retry after {retry_after}"
                body["parameters"] = {"retry_after": retry_after}
            return web.json_response(body, status=status)
        chat_id = params.get("chat_id")
        if chat_id is not None and int(chat_id) in self.blocked and method.startswith("send"):
            call.ok = False
            body = {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked by the user"}
            return web.json_response(body, status=403)
        return web.json_response({"ok": True, "result": await self._result(method, params)})

    async def _result(self, method: str, params: dict) -> object:
        if method == "getMe":
            return {"id": 42, "is_bot": True, "first_name": "Kindred", "username": "kindred_test_bot"}
        if method == "setWebhook":
            self.webhook = {"url": params["url"], "secret_token": params.get("secret_token", "")}
            return True
        if method == "deleteWebhook":
            self.webhook = None
            return True
        if method == "getUpdates":
            offset = int(params.get("offset") or 0)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            if not self.updates:
                self._new_update.clear()
                try:
                    await asyncio.wait_for(self._new_update.wait(), timeout=min(float(params.get("timeout") or 0), 2))
                except asyncio.TimeoutError:
                    pass
            return [u for u in self.updates if u["update_id"] >= offset][:100]
        if method == "sendMessage":
            return {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": {"id": int(params["chat_id"]), "type": "private"},
                "text": params.get("text", ""),
            }
        return True
