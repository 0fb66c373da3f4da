"""Talking to Rasa: the callback channel for messages, the HTTP API for health."""

from __future__ import annotations

import asyncio
import itertools
from urllib.parse import quote

import aiohttp


class RasaUnavailable(Exception):
    """Rasa could not be reached, or did not accept the message: it must be sent again."""


class RasaRefused(Exception):
    """Rasa answered that it will never accept this request (an intent it does not know, say)."""


class RasaClient:
    """Sends each message to the next Rasa replica in turn."""

    def __init__(self, http: aiohttp.ClientSession, urls: list[str], token: str, timeout: float = 120) -> None:
        self.http = http
        self.urls = urls
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout, connect=3)
        self._next = itertools.cycle(range(len(urls)))

    async def send(self, sender: str, text: str, metadata: dict | None = None) -> str:
        """Have Rasa process one message; its replies arrive at the callback. Returns the replica."""
        url = self.urls[next(self._next)]
        body: dict = {"sender": sender, "message": text}
        if metadata:
            body["metadata"] = metadata
        try:
            async with self.http.post(
                f"{url}/webhooks/callback/webhook",
                json=body,
                timeout=self.timeout,
            ) as response:
                if response.status >= 500 or response.status in (404, 409):
                    raise RasaUnavailable(f"{url} answered {response.status}")
                await response.read()
                return url
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise RasaUnavailable(f"{url}: {error!r}") from error

    async def trigger_intent(self, sender: str, intent: str, entities: dict) -> str:
        """Have Rasa process an external event (a reminder firing); its replies arrive at the callback.

        The same as Rasa's own reminders did: `output_channel=callback` sends what the actions say to
        the gateway. Returns the replica.
        """
        url = self.urls[next(self._next)]
        try:
            async with self.http.post(
                f"{url}/conversations/{quote(sender, safe='')}/trigger_intent",
                params={"token": self.token, "output_channel": "callback"},
                json={"name": intent, "entities": entities},
                timeout=self.timeout,
            ) as response:
                body = await response.text()
                if response.status >= 500 or response.status == 409:  # 409: no model loaded yet
                    raise RasaUnavailable(f"{url} answered {response.status}")
                if response.status >= 400:
                    raise RasaRefused(f"{url} refused {intent}: {response.status} {body[:300]}")
                return url
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as error:
            raise RasaUnavailable(f"{url}: {error!r}") from error

    async def status(self) -> list[dict]:
        """Each replica's state: up with its model, or down."""
        out = []
        for url in self.urls:
            try:
                async with self.http.get(
                    f"{url}/status", params={"token": self.token}, timeout=aiohttp.ClientTimeout(total=3)
                ) as response:
                    body = await response.json() if response.status == 200 else {}
                    up = response.status == 200 and bool(body.get("model_file"))
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError, ValueError):
                up = False
            out.append({"url": url, "up": up})
        return out
