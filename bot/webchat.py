"""The web chat: the page, a small JSON API, and a WebSocket for replies."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import WSMsgType, web

from bot import store
from bot.addresses import client_address
from bot.keys import HUB, LIMITS, RELAY, SESSIONS, SETTINGS
from bot.limits import RateLimited
from bot.models import Message, utcnow
from bot.relay import message_view
from bot.staff import retention
from bot.validation import BadInput, clean_payload, clean_text, location_payload

STATIC = Path(__file__).resolve().parent / "static"
# How long a new WebSocket may take to send its token.
SOCKET_HELLO_SECONDS = 10


async def page(request: web.Request) -> web.FileResponse:
    """The accessible chat page (no CDN: every file comes from here)."""
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def _json(request: web.Request) -> dict:
    if request.content_type != "application/json":
        raise BadInput("Sorry, I couldn't read that. Please send your message from the chat box.", status=415)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError, RecursionError) as error:
        # RecursionError: JSON nested thousands deep, which json.loads cannot follow.
        raise BadInput("Sorry, that message arrived garbled. Please try sending it again.") from error
    if not isinstance(body, dict):
        raise BadInput("Sorry, that message arrived garbled. Please try sending it again.")
    return body


def bearer_token(request: web.Request) -> str:
    """The web chat token from the `Authorization: Bearer` header (never a URL, where logs keep it)."""
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise BadInput("This chat has no session. Please reload the page to start.", status=401)
    return token


def _conversation_id(request: web.Request, token: str) -> str:
    """The conversation a token opens, unless it was deleted or unused for the retention period."""
    settings = request.app[SETTINGS]
    with request.app[SESSIONS]() as session:
        conversation = store.conversation_by_token(session, "web", token)
        if conversation is None:
            raise BadInput(
                "I couldn't find that conversation. It may have been deleted. Reload the page to start again.",
                status=404,
            )
        days = retention.retention_days(session, settings.retention_days)
        if conversation.last_active_at < utcnow() - dt.timedelta(days=days):
            # An old token (a shared computer, a copied link) no longer opens what was said.
            raise BadInput(
                f"This chat ended after {days} days without use, so it can't be opened again. "
                "Reload the page to start a new one.",
                status=401,
            )
        return conversation.id


async def new_session(request: web.Request) -> web.Response:
    """Start a conversation; the browser keeps the token so a reload continues it."""
    limits = request.app[LIMITS]
    source = limits.source("address", client_address(request))
    if not await limits.allow_session(source):
        raise RateLimited("too_many_chats")
    with request.app[SESSIONS].begin() as session:
        conversation, token = store.new_web_conversation(session)
        conversation.source = source
    return web.json_response({"token": token}, status=201)


async def _accepting(request: web.Request, conversation_id: str) -> Callable[..., Awaitable[Message]]:
    """How the relay takes this message in: as usual, or as one over the rate limits (bot/limits.py),
    which only a risky message survives."""
    limits = request.app[LIMITS]
    source = limits.source("address", client_address(request))
    relay = request.app[RELAY]
    return relay.accept if await limits.allow_message(conversation_id, source) else relay.accept_limited


async def send_message(request: web.Request) -> web.Response:
    """Accept a typed message or a button press; replies come over the socket (or history).

    The answer (202) is the message as stored, sent as soon as it is committed and before triage or
    Rasa, so the page shows the person's own words at once. With `?wait=true` the answer waits (up
    to 30 s) until Rasa has finished the turn and carries the replies; if Rasa is slower than that
    it is the usual 202 and the replies come later.
    """
    body = await _json(request)
    conversation_id = _conversation_id(request, bearer_token(request))
    accept = await _accepting(request, conversation_id)
    payload = clean_payload(body.get("payload"))
    if "location" in body:
        # A shared location: the resident sees a note, Rasa gets the coordinates.
        message = await accept(conversation_id, "📍 I shared my location", payload=location_payload(body["location"]))
    elif payload is not None:
        title = body.get("title")
        text = clean_text(title) if isinstance(title, str) and title.strip() else payload
        hidden = payload == "/greet" and not body.get("title")
        message = await accept(conversation_id, text if not hidden else "", payload=payload)
    else:
        raw = body.get("text") if "text" in body else body.get("payload")
        message = await accept(conversation_id, clean_text(raw))
    if request.query.get("wait") in ("1", "true"):
        # Tools and integrations may wait for the turn to finish and get the replies at once.
        if await request.app[RELAY].wait_processed(message.id, timeout=30):
            with request.app[SESSIONS]() as session:
                replies = [message_view(m) for m in store.replies(session, message.id)]
            return web.json_response({"id": message.id, "state": "delivered", "replies": replies})
    return web.json_response(message_view(message), status=202)


async def history(request: web.Request) -> web.Response:
    """Everything said in the conversation after message `after` (for reloads and reconnects)."""
    conversation_id = _conversation_id(request, bearer_token(request))
    try:
        # Within what the databases store as an integer: anything else is a request for everything.
        after = min(max(int(request.query.get("after", "0")), 0), 2**63 - 1)
    except ValueError:
        after = 0
    with request.app[SESSIONS]() as session:
        messages = [message_view(m) for m in store.history(session, conversation_id, after) if m.text or m.buttons]
    return web.json_response({"messages": messages})


async def _socket_token(ws: web.WebSocketResponse) -> str:
    """The token, from the first frame the page sends (`{"token": ...}`): browsers cannot put a header
    on a WebSocket, and a URL would leave it in logs."""
    try:
        frame = await ws.receive(timeout=SOCKET_HELLO_SECONDS)
    except asyncio.TimeoutError:
        raise BadInput("This chat has no session. Please reload the page to start.", status=401) from None
    try:
        token = json.loads(frame.data).get("token") if frame.type == WSMsgType.TEXT else None
    except (ValueError, RecursionError, AttributeError):
        token = None
    if not isinstance(token, str) or not token or len(token) > 200:
        raise BadInput("This chat has no session. Please reload the page to start.", status=401)
    return token


async def socket(request: web.Request) -> web.WebSocketResponse:
    """Push replies as they come. Only pages from our own origins may connect, and the first frame
    must carry the conversation's token; a wrong one closes the socket with 4401 or 4404."""
    origin = (request.headers.get("Origin") or "").rstrip("/")
    if origin not in request.app[SETTINGS].public_origins:
        raise web.HTTPForbidden(text="This chat can only be opened from the organisation's own pages.")
    ws = web.WebSocketResponse(heartbeat=25)
    await ws.prepare(request)
    try:
        conversation_id = _conversation_id(request, await _socket_token(ws))
    except BadInput as refused:
        await ws.send_json({"type": "error", "error": refused.message})
        await ws.close(code=4000 + refused.status, message=b"no session")
        return ws
    await ws.send_json({"type": "ready"})
    hub = request.app[HUB]
    hub.attach(conversation_id, ws)
    try:
        async for frame in ws:
            if frame.type == WSMsgType.ERROR:
                break
    finally:
        hub.detach(conversation_id, ws)
    return ws


def setup_routes(app: web.Application) -> None:
    """Register the web chat's routes."""
    app.router.add_get("/", page, name="chat")
    app.router.add_post("/api/chat/session", new_session, name="chat_session")
    app.router.add_post("/api/chat/messages", send_message, name="chat_send")
    app.router.add_get("/api/chat/history", history, name="chat_history")
    app.router.add_get("/api/chat/ws", socket, name="chat_socket")
    app.router.add_static("/static/", STATIC, name="static", append_version=True)
