"""One conversation for staff: transcript, risk, check-ins, suggestions, profile; and the handoff.

Who may read one: staff see conversations that were escalated and those they have taken over; any
other needs an admin who gives a reason, which goes into the audit log and opens that conversation to
that admin for an hour. Nobody else can open it at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable

from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.keys import RELAY, SESSIONS, STAFF_BUS
from bot.models import AuditEvent, CannedReply, Conversation, Escalation, Message, StaffNote, StaffUser, utcnow
from bot.relay import Relay
from bot.staff import audit, auth, handoff
from bot.staff.queue import LEVEL_LABELS, RISK_LABELS
from bot.staff.web import current_user, forbidden, form_fields, render, see_other
from residents import store as residents
from residents.checkin import trend
from residents.models import CheckIn, FollowUp, Suggestion

# A transcript read within this window by the same person is one "view" in the audit log.
VIEW_WINDOW = dt.timedelta(minutes=5)
# An admin's reason for opening a conversation that was not escalated lets them read it this long.
REASON_LASTS = dt.timedelta(hours=1)
REASON_LENGTH = (10, 500)
NOT_ESCALATED = (
    "This conversation was not escalated, so it isn't open to staff. If there is a need to read it "
    "(a safeguarding enquiry, say), an admin can open it with a reason, which is recorded."
)


def _access(session: Session, staff: auth.Staff, conversation_id: str) -> str:
    """ "open", "reason" (an admin must give one first) or "refused"; the same answer whether it exists or not."""
    if session.scalar(select(Escalation.id).where(Escalation.conversation_id == conversation_id).limit(1)):
        return "open"
    conversation = session.get(Conversation, conversation_id)
    if conversation is not None and conversation.paused_by == staff.id:
        return "open"
    if not staff.can("admin"):
        return "refused"
    if conversation is None:
        raise web.HTTPNotFound(text="That conversation no longer exists.")
    granted = session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.actor_id == staff.id,
            AuditEvent.action == "open_with_reason",
            AuditEvent.target_type == "conversation",
            AuditEvent.target_id == conversation_id,
            AuditEvent.at > utcnow() - REASON_LASTS,
        )
    )
    return "open" if granted else "reason"


def _refusal(request: web.Request, access: str, conversation_id: str, error: str = "") -> web.Response:
    if access == "reason":
        return render(
            request,
            "open_reason.html",
            {"conversation_id": conversation_id, "why": NOT_ESCALATED, "error": error, "hours": 1},
            status=403,
        )
    return forbidden(request, NOT_ESCALATED)


def _audit_view(session: Session, staff: auth.Staff, conversation_id: str) -> None:
    recent = session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.actor_id == staff.id,
            AuditEvent.action == "view",
            AuditEvent.target_id == conversation_id,
            AuditEvent.at > utcnow() - VIEW_WINDOW,
        )
    )
    if recent is None:
        audit.record(session, session.get(StaffUser, staff.id) or "unknown", "view", "conversation", conversation_id)


def message_rows(session: Session, conversation_id: str, trigger_ids: set[int], after: int = 0) -> list[dict]:
    """Every message, resident, bot, staff and system, in order."""
    found = session.scalars(
        select(Message).where(Message.conversation_id == conversation_id, Message.id > after).order_by(Message.id)
    )
    return [
        {
            "id": m.id,
            "author": m.author,
            "text": m.text,
            "buttons": [b.get("title", "") for b in (m.buttons or [])],
            "at": m.created_at,
            "source": m.source,
            "trigger": m.id in trigger_ids,
            "risk": [RISK_LABELS.get(t, t) for t in ((m.risk or {}).get("risk_types") or [])],
            "risk_level": (m.risk or {}).get("risk"),
            "pending": m.state == "pending",
        }
        for m in found
        if m.text or m.buttons
    ]


def _checkins(session: Session, sender_id: str) -> list[dict]:
    rows = list(session.scalars(select(CheckIn).where(CheckIn.sender_id == sender_id).order_by(CheckIn.taken_at)))
    found, previous = [], None
    for row in rows:
        days = (row.taken_at - previous.taken_at).days if previous else None
        words = trend(previous.ucla_total if previous else None, row.ucla_total, days)
        found.append({"at": row.taken_at, "ons": row.ons, "ucla": row.ucla_total, "trend": words})
        previous = row
    return found


def _suggestions(session: Session, sender_id: str) -> list[dict]:
    followups = {
        f.suggestion_id: f
        for f in session.scalars(select(FollowUp).where(FollowUp.sender_id == sender_id))
        if f.suggestion_id
    }
    found = []
    for row in session.scalars(select(Suggestion).where(Suggestion.sender_id == sender_id).order_by(Suggestion.id)):
        follow = followups.get(row.id)
        found.append(
            {
                "name": row.service_name,
                "category": row.category,
                "status": row.status,
                "reason": row.reason,
                "at": row.shown_at,
                "followup": None
                if follow is None
                else {
                    "status": follow.status,
                    "went": follow.went,
                    "outcome": follow.outcome,
                    "starts": follow.starts_at,
                },
            }
        )
    return found


def _load(session: Session, request: web.Request, conversation_id: str) -> dict:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise web.HTTPNotFound(text="That conversation no longer exists.")
    escalations = list(
        session.scalars(
            select(Escalation).where(Escalation.conversation_id == conversation_id).order_by(Escalation.id.desc())
        )
    )
    names = {u.id: u.display_name for u in session.scalars(select(StaffUser))}
    current = next((e for e in escalations if e.status != "resolved"), None)
    triggers = {e.trigger_message_id for e in escalations if e.trigger_message_id}
    me: auth.Staff = request[auth.STAFF]
    return {
        "conversation": conversation,
        "escalations": [
            {
                "id": e.id,
                "level": e.level,
                "level_label": LEVEL_LABELS.get(e.level, e.level),
                "types": [RISK_LABELS.get(t, t) for t in e.risk_types or []],
                "reason": e.reason,
                "status": e.status,
                "since": e.created_at,
                "trigger": e.trigger_message_id,
                "claimer": names.get(e.claimed_by),
                "outcome": handoff.OUTCOMES.get(e.outcome or "", e.outcome),
                "outcome_note": e.outcome_note,
                "resolved_at": e.resolved_at,
            }
            for e in escalations
        ],
        "current": current,
        "holder": names.get(conversation.paused_by),
        "mine": conversation.paused_by == me.id,
        "can_claim": current is not None
        and (current.status == "new" or current.claimed_by == me.id)
        and conversation.paused_by is None,
        "messages": message_rows(session, conversation_id, triggers),
        "notes": list(
            session.scalars(
                select(StaffNote).where(StaffNote.conversation_id == conversation_id).order_by(StaffNote.id)
            )
        ),
        "profile": residents.as_dict(residents.profile(session, conversation_id, create=False)),
        "checkins": _checkins(session, conversation_id),
        "suggestions": _suggestions(session, conversation_id),
        "canned": list(session.scalars(select(CannedReply).order_by(CannedReply.id))),
        "outcomes": handoff.OUTCOMES,
    }


@auth.requires("staff")
async def conversation_page(request: web.Request) -> web.Response:
    """The whole conversation, and what staff can do with it."""
    conversation_id = request.match_info["conversation_id"]
    with request.app[SESSIONS].begin() as session:
        access = _access(session, request[auth.STAFF], conversation_id)
        if access != "open":
            return _refusal(request, access, conversation_id)
        context = _load(session, request, conversation_id)
        _audit_view(session, request[auth.STAFF], conversation_id)
    flash = request.query.get("done", "")
    context["flash"] = FLASH.get(flash, "")
    context["error"] = request.query.get("error", "")[:300]
    return render(request, "conversation.html", context)


@auth.requires("staff")
@auth.background
async def conversation_live(request: web.Request) -> web.Response:
    """The changing parts of the page (status, actions, transcript), for live updates."""
    conversation_id = request.match_info["conversation_id"]
    with request.app[SESSIONS].begin() as session:
        access = _access(session, request[auth.STAFF], conversation_id)
        if access != "open":
            return forbidden(request, NOT_ESCALATED)
        context = _load(session, request, conversation_id)
        _audit_view(session, request[auth.STAFF], conversation_id)
    context["flash"], context["error"] = "", ""
    return render(request, "_conversation_live.html", context)


FLASH = {
    "claimed": "You have this conversation. The bot is paused until you hand it back.",
    "sent": "Sent.",
    "noted": "Note saved (staff only).",
    "handed_back": "Handed back: the bot is answering again.",
    "resolved": "Resolved.",
}


def _publish(request: web.Request, conversation_id: str) -> None:
    request.app[STAFF_BUS].publish({"kind": "queue", "conversation": conversation_id, "urgent": False})


def _int(value: str | None) -> int:
    try:
        return int(value or "")
    except ValueError:
        raise web.HTTPBadRequest(text="That form was incomplete. Please reload the page.") from None


Step = Callable[[Relay, auth.Staff, str, dict[str, str]], Awaitable[object]]


async def _step(request: web.Request, step: Step, done: str) -> web.Response:
    """Run one handoff step; back to the page with what happened (or why it couldn't), live for others."""
    conversation_id = request.match_info["conversation_id"]
    page = f"/staff/conversations/{conversation_id}"
    with request.app[SESSIONS]() as session:
        access = _access(session, request[auth.STAFF], conversation_id)
    if access != "open":
        return forbidden(request, NOT_ESCALATED)
    try:
        await step(request.app[RELAY], request[auth.STAFF], conversation_id, await form_fields(request))
    except handoff.HandoffError as error:
        _publish(request, conversation_id)
        raise see_other(page, error=str(error)) from None
    _publish(request, conversation_id)
    raise see_other(page, done=done)


async def _claim(relay: Relay, staff: auth.Staff, conversation_id: str, form: dict[str, str]) -> None:
    handoff.claim(relay, staff, _int(form.get("escalation")), conversation_id)
    await handoff.announce(relay, staff, conversation_id)


async def _reply(relay: Relay, staff: auth.Staff, conversation_id: str, form: dict[str, str]) -> None:
    text = form.get("text", "")
    if not text.strip() and form.get("canned"):
        with relay.sessions() as session:
            canned = session.get(CannedReply, _int(form.get("canned")))
            text = canned.text if canned else ""
    await handoff.reply(relay, staff, conversation_id, text)


async def _note(relay: Relay, staff: auth.Staff, conversation_id: str, form: dict[str, str]) -> None:
    handoff.note(relay, staff, conversation_id, form.get("text", ""))


async def _hand_back(relay: Relay, staff: auth.Staff, conversation_id: str, form: dict[str, str]) -> None:
    await handoff.hand_back(relay, staff, conversation_id)


async def _resolve(relay: Relay, staff: auth.Staff, conversation_id: str, form: dict[str, str]) -> None:
    await handoff.resolve(
        relay, staff, _int(form.get("escalation")), conversation_id, form.get("outcome", ""), form.get("note", "")
    )


@auth.requires("staff")
async def claim(request: web.Request) -> web.StreamResponse:
    """Take over from the bot."""
    return await _step(request, _claim, "claimed")


@auth.requires("staff")
async def reply(request: web.Request) -> web.StreamResponse:
    """Send the resident a message (typed, or a canned reply)."""
    return await _step(request, _reply, "sent")


@auth.requires("staff")
async def add_note(request: web.Request) -> web.StreamResponse:
    """A private note."""
    return await _step(request, _note, "noted")


@auth.requires("staff")
async def hand_back(request: web.Request) -> web.StreamResponse:
    """Give the conversation back to the bot."""
    return await _step(request, _hand_back, "handed_back")


@auth.requires("staff")
async def resolve(request: web.Request) -> web.StreamResponse:
    """Close the escalation with an outcome."""
    return await _step(request, _resolve, "resolved")


@auth.requires("admin")
async def open_with_reason(request: web.Request) -> web.StreamResponse:
    """An admin opens a conversation that was not escalated, giving a reason for the audit log."""
    conversation_id = request.match_info["conversation_id"]
    reason = " ".join((await form_fields(request)).get("reason", "").split())
    with request.app[SESSIONS].begin() as session:
        access = _access(session, request[auth.STAFF], conversation_id)
        if access == "open":
            raise see_other(f"/staff/conversations/{conversation_id}")
        shortest, longest = REASON_LENGTH
        if not shortest <= len(reason) <= longest:
            error = f"Please give the reason in {shortest} to {longest} characters."
            return _refusal(request, access, conversation_id, error)
        audit.record(
            session, current_user(session, request), "open_with_reason", "conversation", conversation_id, reason=reason
        )
    raise see_other(f"/staff/conversations/{conversation_id}")


@auth.requires("admin")
async def delete(request: web.Request) -> web.StreamResponse:
    """Delete a conversation and everything about the person (a "forget me" made by phone, say)."""
    conversation_id = request.match_info["conversation_id"]
    form = await form_fields(request)
    if form.get("confirm") != "delete":
        raise see_other(f"/staff/conversations/{conversation_id}", error='Type "delete" to confirm.')
    with request.app[SESSIONS]() as session:
        user = current_user(session, request)
    await request.app[RELAY].forget(conversation_id, actor=user, action="delete")
    _publish(request, conversation_id)
    raise web.HTTPSeeOther("/staff/queue")


def setup_routes(app: web.Application) -> None:
    """The conversation's routes."""
    base = "/staff/conversations/{conversation_id}"
    app.router.add_get(base, conversation_page, name="staff_conversation")
    app.router.add_get(base + "/live", conversation_live, name="staff_conversation_live")
    app.router.add_post(base + "/open", open_with_reason, name="staff_open_with_reason")
    app.router.add_post(base + "/claim", claim, name="staff_claim")
    app.router.add_post(base + "/reply", reply, name="staff_reply")
    app.router.add_post(base + "/notes", add_note, name="staff_note")
    app.router.add_post(base + "/hand-back", hand_back, name="staff_hand_back")
    app.router.add_post(base + "/resolve", resolve, name="staff_resolve")
    app.router.add_post(base + "/delete", delete, name="staff_delete")
