"""Kindred's callback channel: Rasa's `callback` channel, keeping the message's metadata.

Rasa 3.6's CallbackInput drops the `metadata` of a posted message; the gateway uses it to pass what
it has already computed (the semantic triage's probabilities, with the text's SHA-256), so that
RiskTriage does not run the sentence encoder a second time for the same message. The URL and the
output channel are the same as Rasa's (`/webhooks/callback/webhook`, `output_channel=callback`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.callback import CallbackInput
from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse


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
            await on_new_message(
                UserMessage(text, self.get_output_channel(), sender_id, input_channel=self.name(), metadata=metadata)
            )
            return response.text("success")

        return hook
