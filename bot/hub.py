"""Delivers messages to residents on the channel they use: web chat sockets, or Telegram."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.models import Conversation

log = logging.getLogger(__name__)


class Hub:
    """Open web chat sockets by conversation."""

    def __init__(self) -> None:
        self.sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)
        # Senders for other channels: channel name -> async deliver(conversation, event).
        self.channels: dict[str, Callable[[Conversation, dict], Awaitable[None]]] = {}

    def attach(self, conversation_id: str, socket: web.WebSocketResponse) -> None:
        """Send this conversation's messages to `socket` from now on."""
        self.sockets[conversation_id].add(socket)

    def detach(self, conversation_id: str, socket: web.WebSocketResponse) -> None:
        """Stop sending to `socket`."""
        self.sockets[conversation_id].discard(socket)
        if not self.sockets[conversation_id]:
            self.sockets.pop(conversation_id, None)

    async def push(self, conversation: Conversation, event: dict) -> None:
        """Send an event to the person's channel: Telegram, or every open web chat socket."""
        deliver = self.channels.get(conversation.channel)
        if deliver is not None:
            try:
                await deliver(conversation, event)
            except Exception:  # a channel's failure must never lose the stored message or stop the relay
                log.exception("could not hand a message to the %s channel", conversation.channel)
        for socket in list(self.sockets.get(conversation.id, ())):
            try:
                await socket.send_json(event)
            except (ConnectionError, RuntimeError) as error:
                log.info("dropping a closed socket for %s: %s", conversation.id, error)
                self.detach(conversation.id, socket)

    async def close_all(self) -> None:
        """Close every socket on shutdown (clients reconnect and restore history)."""
        for sockets in list(self.sockets.values()):
            for socket in list(sockets):
                await socket.close(code=1001, message=b"server shutting down")
        self.sockets.clear()
