"""The web chat: the page, a small JSON API, and a WebSocket for replies."""

from __future__ import annotations

import json
from pathlib import Path

from aiohttp import WSMsgType, web

from bot import store
from bot.keys import HUB, RELAY, SESSIONS, SETTINGS
from bot.relay import message_view
from bot.validation import BadInput, clean_payload, clean_text, location_payload

STATIC = Path(__file__).resolve().parent / "static"


async def page(request: web.Request) -> web.FileResponse:
    """The accessible chat page (no CDN: every file comes from here)."""
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def _json(request: web.Request) -> dict:
    if request.content_type != "application/json":
        raise BadInput("Sorry, I couldn't read that. Please send your message from the chat box.", status=415)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError, ValueError) as error:
        raise BadInput("Sorry, that message arrived garbled. Please try sending it again.") from error
    if not isinstance(body, dict):
        raise BadInput("Sorry, that message arrived garbled. Please try sending it again.")
    return body


def _conversation_id(request: web.Request, token: object) -> str:
    if not isinstance(token, str) or not token or len(token) > 200:
        raise BadInput("This chat has no session. Please reload the page to start.", status=401)
    with request.app[SESSIONS]() as session:
        conversation = store.conversation_by_token(session, "web", token)
        if conversation is None:
            raise BadInput(
                "I couldn't find that conversation. It may have been deleted. Reload the page to start again.",
                status=404,
            )
        return conversation.id


async def new_session(request: web.Request) -> web.Response:
    """Start a conversation; the browser keeps the token so a reload continues it."""
    with request.app[SESSIONS].begin() as session:
        _, token = store.new_web_conversation(session)
    return web.json_response({"token": token}, status=201)


async def send_message(request: web.Request) -> web.Response:
    """Accept a typed message or a button press; replies come over the socket (or history).

    With `?wait=true` the answer waits (up to 30 s) until Rasa has finished the turn and carries the
    replies; if Rasa is slower than that it is the usual 202 and the replies come later.
    """
    body = await _json(request)
    conversation_id = _conversation_id(request, body.get("token"))
    payload = clean_payload(body.get("payload"))
    if "location" in body:
        # A shared location: the resident sees a note, Rasa gets the coordinates.
        message = await request.app[RELAY].accept(
            conversation_id, "📍 I shared my location", payload=location_payload(body["location"])
        )
    elif payload is not None:
        title = body.get("title")
        text = clean_text(title) if isinstance(title, str) and title.strip() else payload
        hidden = payload == "/greet" and not body.get("title")
        message = await request.app[RELAY].accept(conversation_id, text if not hidden else "", payload=payload)
    else:
        raw = body.get("text") if "text" in body else body.get("payload")
        message = await request.app[RELAY].accept(conversation_id, clean_text(raw))
    if request.query.get("wait") in ("1", "true"):
        # Tools and integrations may wait for the turn to finish and get the replies at once.
        if await request.app[RELAY].wait_processed(message.id, timeout=30):
            with request.app[SESSIONS]() as session:
                replies = [message_view(m) for m in store.replies(session, message.id)]
            return web.json_response({"id": message.id, "state": "delivered", "replies": replies})
    return web.json_response({"id": message.id, "state": message.state}, status=202)


async def history(request: web.Request) -> web.Response:
    """Everything said in the conversation after message `after` (for reloads and reconnects)."""
    conversation_id = _conversation_id(request, request.query.get("token"))
    try:
        after = int(request.query.get("after", "0"))
    except ValueError:
        after = 0
    with request.app[SESSIONS]() as session:
        messages = [message_view(m) for m in store.history(session, conversation_id, after) if m.text or m.buttons]
    return web.json_response({"messages": messages})


async def socket(request: web.Request) -> web.WebSocketResponse:
    """Push replies as they come. Only pages from our own origins may connect."""
    origin = (request.headers.get("Origin") or "").rstrip("/")
    if origin not in request.app[SETTINGS].public_origins:
        raise web.HTTPForbidden(text="This chat can only be opened from the organisation's own pages.")
    conversation_id = _conversation_id(request, request.query.get("token"))
    ws = web.WebSocketResponse(heartbeat=25)
    await ws.prepare(request)
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
