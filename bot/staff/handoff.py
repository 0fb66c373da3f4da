"""Taking a conversation over from the bot, replying, handing back and resolving.

The rules: one member of staff at a time (claiming is a conditional UPDATE, so two people pressing
"Claim" at once cannot both win); while staff have a conversation the bot is silent (the relay's
`say` refuses bot messages and resident messages are not sent to Rasa); handing back says so to the
resident; resolving records an outcome.
"""

from __future__ import annotations

import re

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.models import Conversation, Escalation, Message, StaffNote, StaffUser, utcnow
from bot.relay import Relay
from bot.staff import audit
from bot.staff.auth import Staff

OUTCOMES = {
    "supported": "Supported by staff in the conversation",
    "referred": "Referred to a service",
    "emergency": "Emergency services contacted",
    "callback": "Call back arranged",
    "no_contact": "Could not make contact",
    "no_action": "No action needed (not a concern)",
}
MAX_REPLY = 4000
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class HandoffError(Exception):
    """Why a handoff step could not happen, in words for the member of staff."""


def _written(text: str, what: str) -> str:
    """Typed text without control characters (newlines and tabs stay), not empty, not too long."""
    text = CONTROL.sub("", text).strip()
    if not text:
        raise HandoffError(f"Write the {what} first.")
    if len(text) > MAX_REPLY:
        raise HandoffError(f"That {what} is too long ({len(text)} characters); please keep it under {MAX_REPLY}.")
    return text


def _user(session: Session, staff: Staff) -> StaffUser:
    user = session.get(StaffUser, staff.id)
    if user is None:
        raise HandoffError("Your account no longer exists.")
    return user


def _escalation(session: Session, escalation_id: int, conversation_id: str) -> Escalation:
    """The escalation, which must belong to the conversation the page was about."""
    escalation = session.get(Escalation, escalation_id)
    if escalation is None:
        raise HandoffError("That escalation no longer exists (the resident may have asked us to forget them).")
    if escalation.conversation_id != conversation_id:
        # A form edited (or a stale page) would otherwise act on one conversation and announce in another.
        raise HandoffError("That escalation belongs to a different conversation. Please reload the page.")
    return escalation


def claim(relay: Relay, staff: Staff, escalation_id: int, conversation_id: str) -> None:
    """Take the conversation: the bot goes quiet until it is handed back."""
    with relay.sessions.begin() as session:
        user = _user(session, staff)
        escalation = _escalation(session, escalation_id, conversation_id)
        if escalation.status == "resolved":
            raise HandoffError("This escalation is already resolved.")
        if escalation.status == "claimed" and escalation.claimed_by != user.id:
            holder = session.get(StaffUser, escalation.claimed_by) if escalation.claimed_by else None
            raise HandoffError(f"{holder.display_name if holder else 'Someone else'} has already claimed this.")
        now = utcnow()
        won = session.execute(
            update(Escalation)
            .where(
                Escalation.id == escalation_id,
                (Escalation.status == "new") | (Escalation.claimed_by == user.id),
            )
            .values(status="claimed", claimed_by=user.id, updated_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        paused = session.execute(
            update(Conversation)
            .where(
                Conversation.id == escalation.conversation_id,
                (Conversation.paused_by.is_(None)) | (Conversation.paused_by == user.id),
            )
            .values(paused_by=user.id, paused_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        if not won or not paused:
            raise HandoffError("Someone else claimed this conversation a moment ago.")
        session.execute(
            update(Escalation)
            .where(Escalation.id == escalation_id, Escalation.claimed_at.is_(None))
            .values(claimed_at=now)
            .execution_options(synchronize_session=False)
        )
        conversation_id = escalation.conversation_id
        session.add(
            Message(
                conversation_id=conversation_id, author="system", text=f"{user.display_name} took over from the bot."
            )
        )
        audit.record(session, user, "claim", "escalation", escalation_id, conversation=conversation_id)


async def announce(relay: Relay, staff: Staff, conversation_id: str) -> None:
    """Tell the resident a person has joined (sent as the member of staff)."""
    await relay.say(
        conversation_id,
        f"Hello, this is {staff.display_name} from the team. I've read our conversation and I'm here with you now.",
        author="staff",
        source="staff",
    )


def _owned(session: Session, user: StaffUser, conversation_id: str) -> Conversation:
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise HandoffError("That conversation no longer exists.")
    if conversation.paused_by != user.id:
        raise HandoffError("Claim the conversation first, so the bot and you don't both answer.")
    return conversation


async def reply(relay: Relay, staff: Staff, conversation_id: str, text: str) -> None:
    """Send the resident a message from the member of staff, on their channel."""
    text = _written(text, "reply")
    with relay.sessions.begin() as session:
        user = _user(session, staff)
        _owned(session, user, conversation_id)
        session.execute(
            update(Escalation)
            .where(
                Escalation.conversation_id == conversation_id,
                Escalation.status == "claimed",
                Escalation.first_response_at.is_(None),
            )
            .values(first_response_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        audit.record(session, user, "reply", "conversation", conversation_id, characters=len(text))
    await relay.say(conversation_id, text, author="staff", source="staff")


def note(relay: Relay, staff: Staff, conversation_id: str, text: str) -> None:
    """A private note for colleagues; never sent to the resident."""
    text = _written(text, "note")
    with relay.sessions.begin() as session:
        user = _user(session, staff)
        if session.get(Conversation, conversation_id) is None:
            raise HandoffError("That conversation no longer exists.")
        session.add(
            StaffNote(conversation_id=conversation_id, author_id=user.id, author_name=user.display_name, text=text)
        )
        audit.record(session, user, "note", "conversation", conversation_id)


def _unpause(session: Session, user: StaffUser, conversation: Conversation, why: str) -> None:
    conversation.paused_by = None
    conversation.paused_at = None
    session.add(Message(conversation_id=conversation.id, author="system", text=f"{user.display_name} {why}."))


HANDBACK_TEXT = (
    "{name} has handed you back to Kindred's assistant. I'm here whenever you want to talk, and you can "
    "ask for a person again at any time."
)


async def hand_back(relay: Relay, staff: Staff, conversation_id: str) -> None:
    """Give the conversation back to the bot, and tell the resident so."""
    with relay.sessions.begin() as session:
        user = _user(session, staff)
        conversation = _owned(session, user, conversation_id)
        _unpause(session, user, conversation, "handed the conversation back to the bot")
        audit.record(session, user, "hand_back", "conversation", conversation_id)
    await relay.say(conversation_id, HANDBACK_TEXT.format(name=staff.display_name), source="handback")


async def resolve(
    relay: Relay, staff: Staff, escalation_id: int, conversation_id: str, outcome: str, detail: str
) -> None:
    """Close the escalation with an outcome (handing back first if the bot is still paused)."""
    if outcome not in OUTCOMES:
        raise HandoffError("Choose an outcome.")
    detail = detail.strip()[:2000]
    handed_back = False
    with relay.sessions.begin() as session:
        user = _user(session, staff)
        escalation = _escalation(session, escalation_id, conversation_id)
        if escalation.status == "resolved":
            raise HandoffError("This escalation is already resolved.")
        if escalation.claimed_by not in (None, user.id) and not staff.can("admin"):
            raise HandoffError("Only the person who claimed it (or an admin) can resolve this.")
        conversation = session.get(Conversation, escalation.conversation_id)
        escalation.status = "resolved"
        escalation.resolved_by = user.id
        escalation.resolved_at = utcnow()
        escalation.outcome = outcome
        escalation.outcome_note = detail or None
        escalation.updated_at = utcnow()
        if conversation is not None and conversation.paused_by is not None:
            _unpause(session, user, conversation, "resolved the escalation and handed back to the bot")
            handed_back = True
        session.add(
            Message(
                conversation_id=escalation.conversation_id,
                author="system",
                text=f"Resolved by {user.display_name}: {OUTCOMES[outcome]}.",
            )
        )
        audit.record(session, user, "resolve", "escalation", escalation_id, outcome=outcome)
        conversation_id = escalation.conversation_id
    if handed_back:
        await relay.say(conversation_id, HANDBACK_TEXT.format(name=staff.display_name), source="handback")
