"""App data: conversations, every message in and out, and escalations to staff."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    """Now, in UTC, without tzinfo (stored the same way on SQLite and PostgreSQL)."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    """Declarative base for the gateway's tables."""


class Conversation(Base):
    """One resident on one channel. Its id is Rasa's sender id."""

    __tablename__ = "conversations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    # A hash of the web chat token, or the Telegram chat id: never shown to staff.
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # The resident's own last message (or the start): what retention measures. Nothing the bot or
    # staff send moves it, so reminders and check-ins never keep an abandoned conversation alive.
    last_active_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Set when the channel says messages can no longer reach the person (they blocked the bot).
    unreachable_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Set while a member of staff has taken the conversation over: the bot stays silent.
    paused_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), default=None)
    paused_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # Where it came from, as a keyed hash (bot/limits.py): the client address of a web chat or the
    # Telegram chat. Rate limits count by it, and the queue groups bursts of escalations by it.
    source: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    messages: Mapped[list[Message]] = relationship(
        back_populates="conversation", cascade="all, delete-orphan", order_by="Message.id"
    )
    escalations: Mapped[list[Escalation]] = relationship(back_populates="conversation", cascade="all, delete-orphan")


class Message(Base):
    """A message from a resident, the bot, staff or the system, in the order it happened.

    A resident's message is stored before anything else happens to it (state `pending`), and
    becomes `delivered` once Rasa has processed it, so nothing is lost when Rasa is down.
    """

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_pending", "state", "conversation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    author: Mapped[str] = mapped_column(String(16))  # resident | bot | staff | system
    text: Mapped[str] = mapped_column(Text, default="")
    # A button payload sent to Rasa instead of the text shown ("/affirm").
    payload: Mapped[str | None] = mapped_column(String(200), default=None)
    buttons: Mapped[list | None] = mapped_column(JSON, default=None)
    state: Mapped[str] = mapped_column(String(16), default="delivered")  # pending | delivered
    # What the gateway's own rule layer found (resident messages).
    risk: Mapped[dict | None] = mapped_column(JSON, default=None)
    # For bot messages: `rasa`, or `safety_net` when the gateway answered itself.
    source: Mapped[str | None] = mapped_column(String(16), default=None)
    # For bot messages: the resident message they answer. For resident messages: which Rasa
    # replica processed it.
    reply_to: Mapped[int | None] = mapped_column(default=None)
    replica: Mapped[str | None] = mapped_column(String(64), default=None)
    safety_net_sent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    conversation: Mapped[Conversation] = relationship(back_populates="messages")


class Escalation(Base):
    """A conversation that needs a person: one per episode, raised in level, never duplicated."""

    __tablename__ = "escalations"
    __table_args__ = (Index("ix_escalations_status", "status", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16))  # urgent | concern | person
    risk_types: Mapped[list] = mapped_column(JSON, default=list)
    reason: Mapped[str] = mapped_column(String(32))  # risk | asked_for_person | safety_net
    trigger_message_id: Mapped[int | None] = mapped_column(default=None)
    trigger_text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new")  # new | claimed | resolved
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    claimed_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), default=None)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The first reply a member of staff sent to the resident (for "time to first response").
    first_response_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), default=None)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    outcome: Mapped[str | None] = mapped_column(String(32), default=None)
    outcome_note: Mapped[str | None] = mapped_column(Text, default=None)
    # Set when staff marked the burst it arrived in as abuse (or it came later from a source so marked).
    abuse_flag_id: Mapped[int | None] = mapped_column(
        ForeignKey("abuse_flags.id", ondelete="SET NULL"), default=None, index=True
    )
    conversation: Mapped[Conversation] = relationship(back_populates="escalations")
    claimer: Mapped[StaffUser | None] = relationship(foreign_keys=[claimed_by])


class AbuseFlag(Base):
    """A burst of escalations that a member of staff marked as abuse, in one action (audited).

    Its escalations are resolved with the outcome `abuse`; for `hold_until`, new escalations from the
    same `source` join it instead of raising the alarm (they stay in the queue, grouped, for anyone
    who wants to look).
    """

    __tablename__ = "abuse_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # source | new_sessions
    source: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    escalations: Mapped[int] = mapped_column(default=0)
    flagged_by: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"), default=None)
    flagged_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    hold_until: Mapped[dt.datetime | None] = mapped_column(default=None)


class TelegramUpdate(Base):
    """Telegram updates already taken in, so a repeated `update_id` is processed once."""

    __tablename__ = "telegram_updates"

    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ScheduledJob(Base):
    """Something to do later: a reminder, follow-up or check-in for Rasa, or a retention run.

    A row, not a timer in some process's memory, so every process can restart without losing one.
    A gateway claims a due row (bot/jobs.py) before it acts, so each fires once even with several.
    """

    __tablename__ = "scheduled_jobs"
    __table_args__ = (Index("ix_scheduled_jobs_due", "status", "run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # Scheduling a name again moves that one job (as Rasa's named reminders did): "checkin-<sender>".
    name: Mapped[str] = mapped_column(String(160), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # rasa | retention
    # No foreign key: "forget me" deletes the conversation's jobs itself (bot/store.py).
    conversation_id: Mapped[str | None] = mapped_column(String(64), index=True, default=None)
    # For `rasa` jobs: the external intent and its entities, as `trigger_intent` takes them.
    intent: Mapped[str | None] = mapped_column(String(64), default=None)
    entities: Mapped[dict] = mapped_column(JSON, default=dict)
    run_at: Mapped[dt.datetime]
    # After this the job is no longer useful (the event it reminds of is over): dropped, not sent.
    expires_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default="scheduled")  # see bot/jobs.py
    attempts: Mapped[int] = mapped_column(default=0)
    # After a failed attempt: not before this.
    retry_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    # The claim: a token per claim, and when (a claim older than the lease is taken over).
    claimed_by: Mapped[str | None] = mapped_column(String(32), default=None)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    finished_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


# --- the staff console ------------------------------------------------------------------------------


class StaffUser(Base):
    """A member of staff. `roles` holds any of staff, editor and admin (admin may do everything)."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(255))
    roles: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(default=None)


class StaffSession(Base):
    """A signed-in browser. Only a hash of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    user: Mapped[StaffUser] = relationship()


class LoginFailure(Base):
    """A failed sign-in, kept for rate limiting (by username and by address)."""

    __tablename__ = "staff_login_failures"
    __table_args__ = (Index("ix_staff_login_failures_at", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Who did what to which record, and when. Append-only: the database refuses updates and deletes."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_target", "target_type", "target_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # The user's id and name at the time (names survive a user being removed); "system" or
    # "resident" for what no member of staff did.
    actor_id: Mapped[int | None] = mapped_column(default=None)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(32))
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64), default="")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class StaffNote(Base):
    """A private note on a conversation: staff only, never sent to the resident."""

    __tablename__ = "staff_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id", ondelete="SET NULL"))
    author_name: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CannedReply(Base):
    """A prepared reply staff can send with one click (and edit first)."""

    __tablename__ = "staff_canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(80))
    text: Mapped[str] = mapped_column(Text)


class AppSetting(Base):
    """A setting admins change in the console (for example the retention period)."""

    __tablename__ = "app_settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
