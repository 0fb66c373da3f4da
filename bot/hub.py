"""Delivers messages to residents on the channel they use (web chat sockets; Telegram next)."""

from __future__ import annotations

import logging
from collections import defaultdict

from aiohttp import web

from bot.models import Conversation

log = logging.getLogger(__name__)


class Hub:
    """Open web chat sockets by conversation."""

    def __init__(self) -> None:
        self.sockets: dict[str, set[web.WebSocketResponse]] = defaultdict(set)

    def attach(self, conversation_id: str, socket: web.WebSocketResponse) -> None:
        """Send this conversation's messages to `socket` from now on."""
        self.sockets[conversation_id].add(socket)

    def detach(self, conversation_id: str, socket: web.WebSocketResponse) -> None:
        """Stop sending to `socket`."""
        self.sockets[conversation_id].discard(socket)
        if not self.sockets[conversation_id]:
            self.sockets.pop(conversation_id, None)

    async def push(self, conversation: Conversation, event: dict) -> None:
        """Send an event to every open socket of the conversation (history covers the rest)."""
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
