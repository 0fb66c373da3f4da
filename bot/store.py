"""Queries on the gateway's data. The caller owns the session and the transaction."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
import uuid

from sqlalchemy import delete, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot import jobs
from bot.models import Conversation, Escalation, Message, StaffNote, utcnow
from residents import store as residents

log = logging.getLogger(__name__)


def token_hash(channel: str, token: str) -> str:
    """What is stored for a channel identity: a hash, so a database leak reveals no tokens."""
    return f"{channel}:" + hashlib.sha256(token.encode()).hexdigest()


def new_web_conversation(session: Session) -> tuple[Conversation, str]:
    """Start a web chat conversation; returns it and the secret token the browser keeps."""
    token = secrets.token_urlsafe(24)
    conversation = Conversation(id=f"web-{uuid.uuid4().hex}", channel="web", external_id=token_hash("web", token))
    session.add(conversation)
    session.flush()
    return conversation, token


def telegram_identity(chat_id: int) -> str:
    """What is stored for a Telegram chat: its id, which is needed to send to it (never shown to staff)."""
    return f"telegram:{int(chat_id)}"


def telegram_conversation(session: Session, chat_id: int) -> Conversation:
    """The conversation for a Telegram chat, started on first contact."""
    identity = telegram_identity(chat_id)
    found = session.scalars(select(Conversation).where(Conversation.external_id == identity)).first()
    if found is None:
        found = Conversation(id=f"tg-{uuid.uuid4().hex}", channel="telegram", external_id=identity)
        session.add(found)
        session.flush()
    return found


def telegram_chat_id(conversation: Conversation) -> int:
    """The Telegram chat a conversation belongs to."""
    return int(conversation.external_id.split(":", 1)[1])


def conversation_by_token(session: Session, channel: str, token: str) -> Conversation | None:
    """The conversation a channel token belongs to."""
    return session.scalars(select(Conversation).where(Conversation.external_id == token_hash(channel, token))).first()


def add_message(session: Session, conversation: Conversation, author: str, text: str, **fields) -> Message:
    """Store a message now (before anything else is done with it).

    Only the resident's own messages count as activity (retention measures it): a conversation that
    hears only reminders and check-ins is abandoned.
    """
    message = Message(conversation_id=conversation.id, author=author, text=text, **fields)
    if author == "resident":
        conversation.last_active_at = utcnow()
    session.add(message)
    session.flush()
    return message


def pending(session: Session, conversation_id: str) -> list[Message]:
    """Resident messages not yet processed by Rasa, oldest first."""
    return list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.state == "pending")
            .order_by(Message.id)
        )
    )


def conversations_with_pending(session: Session) -> list[str]:
    """Conversations that still have messages for Rasa (after a restart, say)."""
    return list(session.scalars(select(Message.conversation_id).where(Message.state == "pending").distinct()))


def history(session: Session, conversation_id: str, after: int = 0, limit: int = 500) -> list[Message]:
    """What the resident sees: their messages, the bot's and staff's, in order."""
    return list(
        session.scalars(
            select(Message)
            .where(
                Message.conversation_id == conversation_id,
                Message.id > after,
                Message.author.in_(("resident", "bot", "staff")),
            )
            .order_by(Message.id)
            .limit(limit)
        )
    )


def replies(session: Session, message_id: int) -> list[Message]:
    """The messages sent in answer to one resident message."""
    return list(session.scalars(select(Message).where(Message.reply_to == message_id).order_by(Message.id)))


def forget(session: Session, conversation_id: str) -> None:
    """Delete a conversation: its messages, escalations, the conversation itself and everything
    remembered about the person (profile, check-ins, suggestions, follow-ups), and the reminders and
    check-ins scheduled for them."""
    residents.forget(session, conversation_id)
    jobs.forget_conversation(session, conversation_id)
    session.execute(delete(StaffNote).where(StaffNote.conversation_id == conversation_id))
    session.execute(delete(Message).where(Message.conversation_id == conversation_id))
    session.execute(delete(Escalation).where(Escalation.conversation_id == conversation_id))
    session.execute(delete(Conversation).where(Conversation.id == conversation_id))


def forget_tracker(tracker_engine: Engine, conversation_id: str) -> int:
    """Delete Rasa's stored events for a conversation. Returns how many rows went."""
    with tracker_engine.begin() as connection:
        if not inspect(connection).has_table("events"):
            return 0  # Rasa creates its table when it first stores a conversation
        result = connection.execute(text("DELETE FROM events WHERE sender_id = :sid"), {"sid": conversation_id})
        return result.rowcount or 0


class TrackerNotGone(RuntimeError):
    """Rasa's stored events for a conversation could not be deleted (the message says why)."""


def tracker_events(tracker_engine: Engine, conversation_id: str) -> int:
    """How many events Rasa still holds for a conversation."""
    with tracker_engine.connect() as connection:
        if not inspect(connection).has_table("events"):
            return 0
        query = text("SELECT COUNT(*) FROM events WHERE sender_id = :sid")
        return connection.execute(query, {"sid": conversation_id}).scalar_one()


def forget_tracker_until_gone(
    tracker_engine: Engine, conversation_id: str, attempts: int = 6, first_wait: float = 0.2
) -> int:
    """Delete Rasa's stored events for a conversation and check that none are left, trying again with
    back-off while the store is busy or unreachable, or Rasa wrote more meanwhile (a turn ending).

    Returns how many rows went. Raises `TrackerNotGone` when events are still there after every
    attempt: callers then keep the rest of the conversation, so forgetting can be tried again. Blocks
    (it sleeps between attempts): call it in a thread from async code.
    """
    deleted, wait, problem = 0, first_wait, "events were written again after each delete"
    for attempt in range(attempts):
        try:
            deleted += forget_tracker(tracker_engine, conversation_id)
            if tracker_events(tracker_engine, conversation_id) == 0:
                return deleted
        except OperationalError as error:  # locked by Rasa for a moment, or the server is away
            problem = str(error.orig or error)[:200]
            log.warning("deleting Rasa's tracker for %s failed (attempt %d): %s", conversation_id, attempt + 1, problem)
        time.sleep(wait)
        wait = min(wait * 2, 5.0)
    raise TrackerNotGone(f"Rasa's tracker for {conversation_id} is still there after {attempts} attempts: {problem}")
