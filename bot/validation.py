"""Checks on what residents send: every refusal is a kind sentence, never a stack trace."""

from __future__ import annotations

import re

MAX_CHARS = 4000
# Button payloads a resident may send as intents. Anything else starting with "/" is plain text.
ALLOWED_PAYLOADS = frozenset(
    {
        "/greet",
        "/affirm",
        "/deny",
        "/request_human",
        "/confirm_safe",
        "/chitchat",
        "/feeling_lonely",
        "/ask_capabilities",
        "/ask_local_help",
        "/more_options",
        "/not_for_me",
        "/remind_me",
        "/ask_transport",
        "/start_checkin",
        "/want_regular_checkins",
        "/stop_checkins",
    }
)
# Buttons that carry an entity: which result they are about, or what kind of help.
_PAYLOAD_WITH_ENTITY = re.compile(
    r'^/(?:remind_me|ask_transport)\{"pick":"[1-9][0-9]?"\}$'
    r'|^/ask_local_help\{"service_kind":"(?:befriending|activities|transport|respite|carers|young_carers|bereavement|'
    r'parents|young_people|food|advice|counselling|day_centres|volunteering)"\}$'
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


class BadInput(Exception):
    """Input a resident sent that we cannot use: the error middleware answers `status` with the message."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def clean_text(value: object) -> str:
    """Validate and tidy a typed message: text only, not empty, not too long, no control codes."""
    if not isinstance(value, str):
        raise BadInput("I can only read written messages. Could you type it for me?")
    text = _CONTROL.sub("", value).replace("\r\n", "\n").strip()
    if not text:
        raise BadInput("That message looks empty. Type what's on your mind and press Send.")
    if len(text) > MAX_CHARS:
        raise BadInput(
            f"That message is too long for me ({len(text):,} characters; the most is {MAX_CHARS:,}). "
            "Could you send it in a few shorter parts? Nothing you wrote before is lost.",
            status=413,
        )
    return text


def clean_payload(value: object) -> str | None:
    """A button payload: an allowed intent, or None when it should be treated as typed text."""
    if isinstance(value, str) and (value in ALLOWED_PAYLOADS or _PAYLOAD_WITH_ENTITY.match(value)):
        return value
    return None


def location_payload(value: object) -> str:
    """A shared location ({"latitude": …, "longitude": …}) as the payload Rasa understands."""
    if not isinstance(value, dict):
        raise BadInput("I couldn't read that location. Could you type your postcode instead?")
    try:
        lat, lon = float(value.get("latitude")), float(value.get("longitude"))
    except (TypeError, ValueError):
        raise BadInput("I couldn't read that location. Could you type your postcode instead?") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or lat != lat or lon != lon:
        raise BadInput("That location doesn't look right. Could you type your postcode instead?")
    return f'/share_location{{"place":"{lat:.5f},{lon:.5f}"}}'
