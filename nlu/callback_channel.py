"""Kindred's callback channel: Rasa's `callback` channel, keeping the message's metadata.

Rasa 3.6's CallbackInput drops the `metadata` of a posted message; the gateway uses it to pass what
it has already computed (the semantic triage's probabilities, with the text's SHA-256), so that
RiskTriage does not run the sentence encoder a second time for the same message. The URL and the
output channel are the same as Rasa's (`/webhooks/callback/webhook`, `output_channel=callback`).

Each message also carries an idempotency key, the gateway's stored message id
(`metadata.kindred.message_id`). The gateway sends a message again when it got no answer (a turn
slower than its timeout, Rasa or the gateway restarted mid-turn), and Rasa may have processed the
first attempt already. So the key becomes the user event's `message_id`, and a message whose key
the conversation's tracker already holds is skipped. The check and the processing run under the
conversation's lock (the lock store Rasa itself uses for every message), so a second attempt that
arrives while the first is still being processed waits for it and then finds it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.callback import CallbackInput
from rasa.core.channels.channel import UserMessage
from rasa.shared.core.events import UserUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

log = logging.getLogger(__name__)


class KindredCallbackInput(CallbackInput):
    """Like `callback`, with the posted metadata kept."""

    @classmethod
    def name(cls) -> str:
        """The same name as Rasa's: URLs and `output_channel=callback` stay as they were."""
        return "callback"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """The webhook routes."""
        hook = Blueprint("kindred_callback_webhook", __name__)

        @hook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @hook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            metadata = self.get_metadata(request)
            key = idempotency_key(metadata)
            message = UserMessage(
                text, self.get_output_channel(), sender_id, input_channel=self.name(), metadata=metadata, message_id=key
            )
            if key is None:
                await on_new_message(message)
                return response.text("success")
            agent: Agent = request.app.ctx.agent
            if not agent.is_ready():
                # Not "success": the gateway keeps the message and sends it again.
                return response.text("no model loaded yet", status=503)
            await handle_once(agent, message)
            return response.text("success")

        return hook


def idempotency_key(metadata: dict | None) -> str | None:
    """The key the gateway gave a message (`kindred.message_id`), as a user event's `message_id`."""
    kindred = (metadata or {}).get("kindred")
    key = kindred.get("message_id") if isinstance(kindred, dict) else None
    return f"kindred-{key}" if isinstance(key, (int, str)) and str(key) else None


async def handle_once(agent: Agent, message: UserMessage) -> bool:
    """Process `message` unless its conversation already holds its key. Returns whether it ran.

    Like `Agent.handle_message` (the same lock, the same processor), with the check inside the lock.
    """
    async with agent.lock_store.lock(message.sender_id):
        tracker = await agent.tracker_store.retrieve(message.sender_id)
        if tracker is not None and any(
            isinstance(event, UserUttered) and event.message_id == message.message_id for event in tracker.events
        ):
            log.info("message %s in %s was processed already: not again", message.message_id, message.sender_id)
            return False
        await agent.processor.handle_message(message)
        return True
