"""Test helpers: free ports, and a resident who chats with the gateway over real HTTP."""

from __future__ import annotations

import asyncio
import re
import time

import aiohttp

from launcher.stack import free_port

__all__ = ["Resident", "bearer", "free_port", "staff_sign_in", "texts"]


def bearer(token: str) -> dict[str, str]:
    """The header that carries a web chat token (never the URL)."""
    return {"Authorization": f"Bearer {token}"}


class Resident:
    """A person using the web chat API, as the page does."""

    def __init__(self, http: aiohttp.ClientSession, base: str) -> None:
        self.http = http
        self.base = base
        self.token = ""

    async def start(self, greet: bool = False) -> None:
        """Open a conversation (and, like the page, ask for the welcome)."""
        async with self.http.post(f"{self.base}/api/chat/session", json={}) as r:
            assert r.status == 201
            self.token = (await r.json())["token"]
        if greet:
            await self.send(payload="/greet")

    @property
    def headers(self) -> dict[str, str]:
        """The header with this resident's token, as the page sends it."""
        return bearer(self.token)

    async def send(self, text: str | None = None, payload: str | None = None, title: str | None = None) -> int:
        """Send a message; returns its id."""
        body: dict = {}
        if text is not None:
            body["text"] = text
        if payload is not None:
            body["payload"] = payload
        if title is not None:
            body["title"] = title
        async with self.http.post(f"{self.base}/api/chat/messages", json=body, headers=self.headers) as r:
            data = await r.json()
            assert r.status == 202, data
            return data["id"]

    async def history(self, after: int = 0) -> list[dict]:
        """Everything in the conversation."""
        async with self.http.get(
            f"{self.base}/api/chat/history", params={"after": str(after)}, headers=self.headers
        ) as r:
            assert r.status == 200, await r.text()
            return (await r.json())["messages"]

    async def replies_to(self, message_id: int, timeout: float = 60, settle: float = 0.0) -> list[dict]:
        """The bot's replies to one message, once Rasa has finished with it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            messages = await self.history()
            mine = next((m for m in messages if m["id"] == message_id), None)
            if mine is not None and mine["state"] == "delivered":
                if settle:
                    await asyncio.sleep(settle)
                    messages = await self.history()
                return [m for m in messages if m.get("reply_to") == message_id]
            await asyncio.sleep(0.1)
        raise AssertionError(f"no answer to message {message_id} within {timeout} s")

    async def say(self, text: str, timeout: float = 60) -> list[dict]:
        """Send text and return the bot's replies."""
        return await self.replies_to(await self.send(text), timeout)

    async def press(self, payload: str, title: str, timeout: float = 60) -> list[dict]:
        """Press a button and return the bot's replies."""
        return await self.replies_to(await self.send(payload=payload, title=title), timeout)


def texts(replies: list[dict]) -> str:
    """All reply texts joined, for assertions."""
    return "\n".join(m["text"] for m in replies)


CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


async def staff_sign_in(http: aiohttp.ClientSession, base: str, username: str, password: str) -> str:
    """Sign in to the staff console like a browser; returns the session's CSRF token."""
    async with http.get(f"{base}/staff/login", headers={"Accept": "text/html"}) as response:
        token = CSRF_FIELD.search(await response.text()).group(1)
    form = {"csrf": token, "username": username, "password": password, "next": "/staff/queue"}
    async with http.post(f"{base}/staff/login", data=form, allow_redirects=False) as response:
        assert response.status == 303, await response.text()
    async with http.get(f"{base}/staff", headers={"Accept": "text/html"}) as response:
        page = await response.text()
        assert response.status == 200, page
    return CSRF_FIELD.search(page).group(1)
