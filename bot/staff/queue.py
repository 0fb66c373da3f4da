"""The queue: open escalations, most urgent first, then longest waiting; live by server-sent events."""

from __future__ import annotations

import asyncio
import json

from aiohttp import web
from sqlalchemy.orm import Session

from bot.escalations import queue
from bot.keys import SESSIONS, STAFF_BUS
from bot.staff import auth
from bot.staff.web import render
from safety.vocabulary import RISK_TYPES

STATUSES = {"open": ("new", "claimed"), "new": ("new",), "claimed": ("claimed",), "resolved": ("resolved",)}
CHANNELS = ("web", "telegram")
RISK_LABELS = {t: t.replace("_", " ") for t in RISK_TYPES} | {"asked_for_person": "asked for a person"}
LEVEL_LABELS = {"urgent": "Urgent", "concern": "Concern", "person": "Asked for a person"}


def filters(request: web.Request) -> dict[str, str]:
    """The queue's filters from the query string (unknown values are ignored)."""
    status = request.query.get("status", "open")
    risk = request.query.get("risk", "")
    channel = request.query.get("channel", "")
    return {
        "status": status if status in STATUSES else "open",
        "risk": risk if risk in RISK_LABELS else "",
        "channel": channel if channel in CHANNELS else "",
    }


def rows(session: Session, chosen: dict[str, str], limit: int = 200) -> list[dict]:
    """The queue as the page shows it."""
    found = []
    for escalation in queue(session, STATUSES[chosen["status"]], chosen["channel"] or None):
        conversation, claimer = escalation.conversation, escalation.claimer
        types = list(escalation.risk_types or []) or (
            ["asked_for_person"] if escalation.reason == "asked_for_person" else []
        )
        if chosen["risk"] and chosen["risk"] not in types:
            continue
        found.append(
            {
                "id": escalation.id,
                "conversation": conversation.id,
                "level": escalation.level,
                "level_label": LEVEL_LABELS.get(escalation.level, escalation.level),
                "types": [RISK_LABELS.get(t, t) for t in types],
                "channel": escalation.channel,
                "since": escalation.created_at,
                "trigger": (escalation.trigger_text or "")[:160],
                "status": escalation.status,
                "claimer": claimer.display_name if claimer else None,
                "with_staff": conversation.paused_by is not None,
                "unreachable": conversation.unreachable_at is not None,
            }
        )
        if len(found) >= limit:
            break
    return found


def _context(request: web.Request) -> dict:
    chosen = filters(request)
    with request.app[SESSIONS]() as session:
        found = rows(session, chosen)
    return {
        "rows": found,
        "chosen": chosen,
        "statuses": list(STATUSES),
        "risks": RISK_LABELS,
        "channels": CHANNELS,
        "urgent": sum(1 for r in found if r["level"] == "urgent" and r["status"] == "new"),
    }


@auth.requires("staff")
async def queue_page(request: web.Request) -> web.Response:
    """The queue, with filters; live when JavaScript runs, refreshing itself when it doesn't."""
    return render(request, "queue.html", _context(request))


@auth.requires("staff")
async def queue_rows(request: web.Request) -> web.Response:
    """Just the table's rows, for live updates."""
    return render(request, "_queue_rows.html", _context(request))


@auth.requires("staff")
async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: "the queue changed", "conversation X changed" (ids only, never text)."""
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )
    await response.prepare(request)
    bus = request.app[STAFF_BUS]
    listening = bus.listen()
    try:
        await response.write(b"retry: 3000\n\n")
        while True:
            try:
                event = await asyncio.wait_for(listening.get(), timeout=20)
            except asyncio.TimeoutError:
                await response.write(b": still here\n\n")
                continue
            await response.write(f"data: {json.dumps(event)}\n\n".encode())
    except ConnectionResetError:
        pass  # the page was closed
    finally:
        bus.leave(listening)
    return response


def setup_routes(app: web.Application) -> None:
    """The queue's routes."""
    app.router.add_get("/staff/queue", queue_page, name="staff_queue")
    app.router.add_get("/staff/queue/rows", queue_rows, name="staff_queue_rows")
    app.router.add_get("/staff/events", events, name="staff_events")
