"""The queue: open escalations, most urgent first, then longest waiting; live by server-sent events."""

from __future__ import annotations

import math

from aiohttp import web
from sqlalchemy.orm import Session

from bot.escalations import Burst, mark_abuse, open_bursts, queue
from bot.keys import SESSIONS, STAFF_BUS
from bot.models import Escalation
from bot.staff import auth
from bot.staff.events import stream
from bot.staff.web import current_user, form_fields, listener, render, see_other, still_signed_in
from safety.vocabulary import RISK_TYPES

STATUSES = {"open": ("new", "claimed"), "new": ("new",), "claimed": ("claimed",), "resolved": ("resolved",)}
CHANNELS = ("web", "telegram")
RISK_LABELS = {t: t.replace("_", " ") for t in RISK_TYPES} | {"asked_for_person": "asked for a person"}
LEVEL_LABELS = {"urgent": "Urgent", "concern": "Concern", "person": "Asked for a person"}
BURST_LABELS = {"source": "A burst from one address or chat", "new_sessions": "A burst of brand-new chats"}
# Escalations per page, after the bursts and every urgent one (which are always shown).
PAGE_SIZE = 50


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


def _types(escalation: Escalation) -> list[str]:
    """What the escalation is about: its risk types, or that the person asked for a person."""
    return list(escalation.risk_types or []) or (
        ["asked_for_person"] if escalation.reason == "asked_for_person" else []
    )


def _row(escalation: Escalation, held: bool = False) -> dict:
    """One escalation as the page shows it (`held`: from a source marked as abuse; no alarm)."""
    conversation, claimer = escalation.conversation, escalation.claimer
    return {
        "id": escalation.id,
        "conversation": conversation.id,
        "level": escalation.level,
        "level_label": LEVEL_LABELS.get(escalation.level, escalation.level),
        "types": [RISK_LABELS.get(t, t) for t in _types(escalation)],
        "channel": escalation.channel,
        "since": escalation.created_at,
        "trigger": (escalation.trigger_text or "")[:160],
        # The page's script sounds the alarm for new urgent rows: a held one is not "new" to it.
        "status": "held" if held else escalation.status,
        "claimer": claimer.display_name if claimer else None,
        "with_staff": conversation.paused_by is not None,
        "unreachable": conversation.unreachable_at is not None,
    }


def _burst_view(burst: Burst, members: list[Escalation]) -> dict:
    """A burst as the page shows it: what it is, and the `members` the filters show."""
    first, last = min(e.created_at for e in burst.members), max(e.created_at for e in burst.members)
    return {
        "key": burst.key,
        "label": BURST_LABELS[burst.kind],
        "count": len(burst.members),
        "conversations": burst.conversations,
        "urgent": sum(1 for e in burst.members if e.level == "urgent"),
        "minutes": max(1, round((last - first).total_seconds() / 60)),
        "rows": [_row(e) for e in members],
    }


def view(session: Session, chosen: dict[str, str], page: int = 1) -> dict:
    """The queue as the page shows it.

    Open escalations: every urgent one that is not in a burst first, on every page; then the bursts
    (each grouped, with "mark as abuse"; on every page too); then the rest a page at a time, urgent
    first, then the longest waiting. Escalations held from a source marked as abuse come last,
    grouped, without the alarm. Resolved ones: a page at a time, latest first. Bursts are found
    among all open escalations, whatever the filters show, so a burst has one name on every view.
    """
    found = [
        e
        for e in queue(session, STATUSES[chosen["status"]], chosen["channel"] or None, limit=None)
        if not chosen["risk"] or chosen["risk"] in _types(e)
    ]
    views: list[dict] = []
    held: list[Escalation] = []
    if chosen["status"] != "resolved":
        grouped, held_ids = open_bursts(session)
        shown = {e.id: e for e in found}
        for burst in grouped:
            members = [shown[e.id] for e in burst.members if e.id in shown]
            if members:
                views.append(_burst_view(burst, members))
        taken = held_ids | {e.id for burst in grouped for e in burst.members}
        held = [e for e in found if e.id in held_ids]
        found = [e for e in found if e.id not in taken]
    pinned = [e for e in found if e.level == "urgent" and chosen["status"] != "resolved"]
    rest = [e for e in found if e not in pinned]
    pages = max(1, math.ceil(len(rest) / PAGE_SIZE))
    page = min(max(page, 1), pages)
    first = [_row(e) for e in pinned]
    rows = [_row(e) for e in rest[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]]
    alarming = first + [r for v in views for r in v["rows"]] + rows
    return {
        "pinned": first,
        "bursts": views,
        "rows": rows,
        "held": [_row(e, held=True) for e in held],
        "page": page,
        "pages": pages,
        "urgent": sum(1 for r in alarming if r["level"] == "urgent" and r["status"] == "new"),
    }


def _page(request: web.Request) -> int:
    try:
        return int(request.query.get("page", "1"))
    except ValueError:
        return 1


def _context(request: web.Request) -> dict:
    chosen = filters(request)
    with request.app[SESSIONS]() as session:
        shown = view(session, chosen, _page(request))
    marked = request.query.get("marked", "")[:6]
    return shown | {
        "marked": int(marked) if marked.isascii() and marked.isdigit() else 0,
        "burst_gone": request.query.get("burst") == "gone",
        "chosen": chosen,
        "statuses": list(STATUSES),
        "risks": RISK_LABELS,
        "channels": CHANNELS,
    }


@auth.requires("staff")
async def queue_page(request: web.Request) -> web.Response:
    """The queue, with filters; live when JavaScript runs, refreshing itself when it doesn't."""
    return render(request, "queue.html", _context(request))


@auth.requires("staff")
@auth.background
async def queue_rows(request: web.Request) -> web.Response:
    """Just the table's rows, for live updates."""
    return render(request, "_queue_rows.html", _context(request))


@auth.requires("staff")
@auth.background
async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: "the queue changed", "conversation X changed" (ids only, never text)."""
    return await stream(request, request.app[STAFF_BUS], listener(request), lambda: still_signed_in(request))


@auth.requires("staff")
async def abuse(request: web.Request) -> web.Response:
    """Mark a burst as abuse, in one action (audited): its escalations leave the queue."""
    key = (await form_fields(request)).get("burst", "")
    with request.app[SESSIONS].begin() as session:
        burst = next((b for b in open_bursts(session)[0] if b.key == key), None)
        if burst is None:
            raise see_other("/staff/queue", burst="gone")
        mark_abuse(session, current_user(session, request), burst)
        marked = len(burst.members)
    request.app[STAFF_BUS].publish({"kind": "queue"})
    raise see_other("/staff/queue", marked=str(marked))


def setup_routes(app: web.Application) -> None:
    """The queue's routes."""
    app.router.add_get("/staff/queue", queue_page, name="staff_queue")
    app.router.add_get("/staff/queue/rows", queue_rows, name="staff_queue_rows")
    app.router.add_post("/staff/queue/abuse", abuse, name="staff_queue_abuse")
    app.router.add_get("/staff/events", events, name="staff_events")
