"""Retention: conversations with no activity for the configured number of days are deleted.

Idle means the resident has not written: only their own messages count (reminders and check-ins
the bot sends do not). A conversation with an escalation still open is kept until staff resolve it.
What goes is what "forget me" deletes (Rasa's tracker first, then messages, escalations, notes, the
profile, check-ins, suggestions, follow-ups and scheduled jobs); the audit log keeps a line saying
how many went, and when.

The purge runs as a scheduled job (bot/scheduler.py): a row that survives restarts, run by one
gateway even when several share the database, shortly after the first start and then every few hours.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

from sqlalchemy import delete, exists, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs, store
from bot.models import AppSetting, Conversation, Escalation, StaffUser, utcnow
from bot.staff import audit
from database import checkpoint
from directory.models import UnmetSearch

log = logging.getLogger(__name__)
SETTING = "retention_days"
# How often the gateway looks for conversations past retention, and how soon after the first start.
EVERY = dt.timedelta(hours=6)
FIRST = dt.timedelta(seconds=30)
JOB = "retention"


def retention_days(session: Session, default: int) -> int:
    """The console's setting, or the configured default."""
    row = session.get(AppSetting, SETTING)
    try:
        return max(1, int(row.value)) if row else default
    except ValueError:
        return default


def set_retention_days(session: Session, user: StaffUser, days: int) -> None:
    """Change the retention period (audited)."""
    row = session.get(AppSetting, SETTING)
    before = row.value if row else None
    if row is None:
        session.add(AppSetting(name=SETTING, value=str(days)))
    else:
        row.value, row.updated_at = str(days), utcnow()
    audit.record(session, user, "settings", "setting", SETTING, before=before, after=str(days))


def expired(session: Session, days: int, now: dt.datetime | None = None) -> list[str]:
    """Conversations whose resident last wrote more than `days` ago, without an open escalation.

    `last_active_at` moves only with the resident's own messages (bot/store.py `add_message`): the
    bot's replies, reminders and check-ins that reschedule themselves never keep a conversation that
    the person has left.
    """
    cutoff = (now or utcnow()) - dt.timedelta(days=days)
    still_open = exists().where(Escalation.conversation_id == Conversation.id, Escalation.status != "resolved")
    return list(session.scalars(select(Conversation.id).where(Conversation.last_active_at < cutoff, ~still_open)))


def purge(
    sessions: sessionmaker[Session],
    tracker_engine: Engine,
    default_days: int,
    actor: StaffUser | str = "system",
    now: dt.datetime | None = None,
) -> int:
    """Delete every conversation past retention, as "forget me" does; returns how many went.

    Rasa's tracker goes first, each checked until it is gone: a conversation whose tracker cannot be
    deleted keeps everything and is tried again at the next run (the audit line counts it). Then our
    data, Rasa's tracker once more (a turn ending meanwhile), and SQLite's write-ahead log is emptied.
    Blocks: run it in a thread from async code.
    """
    with sessions() as session:
        days = retention_days(session, default_days)
        candidates = expired(session, days, now)
    cleared = []
    for conversation_id in candidates:
        try:
            store.forget_tracker_until_gone(tracker_engine, conversation_id)
        except store.TrackerNotGone:
            log.exception("retention: kept %s for the next run: its Rasa tracker could not be deleted", conversation_id)
            continue
        cleared.append(conversation_id)
    with sessions.begin() as session:
        # Someone may have written meanwhile: only what is still past retention goes.
        ids = sorted(set(cleared) & set(expired(session, days, now)))
        for conversation_id in ids:
            store.forget(session, conversation_id)
        # Searches that found nothing keep the words searched for (linked to no one): they go too.
        cutoff = (now or utcnow()) - dt.timedelta(days=days)
        session.execute(delete(UnmetSearch).where(UnmetSearch.at < cutoff))
        if isinstance(actor, StaffUser):
            actor = session.get(StaffUser, actor.id) or "unknown"
        failed = len(candidates) - len(cleared)
        audit.record(
            session, actor, "purge", "conversations", "", deleted=len(ids), retention_days=days, failed=failed or None
        )
        engine = session.get_bind()
    for conversation_id in ids:
        store.forget_tracker_until_gone(tracker_engine, conversation_id)
    if ids:
        for used in {engine, tracker_engine}:
            try:
                checkpoint(used)
            except RuntimeError:  # deleted and overwritten; only the log's old copy waits for the next one
                log.exception("retention: the write-ahead log could not be emptied yet")
        log.info("retention: deleted %d conversations idle for more than %d days", len(ids), days)
    return len(ids)


def schedule(session: Session) -> None:
    """Make sure a purge is scheduled (at a gateway's start; an open one keeps its time)."""
    jobs.ensure(session, JOB, "retention", utcnow() + FIRST)


def purge_job(
    sessions: sessionmaker[Session], tracker_engine: Engine, default_days: int
) -> Callable[[jobs.Claimed], Awaitable[None]]:
    """The scheduler's handler for the purge job: purge, then schedule the next run."""

    async def run(job: jobs.Claimed) -> None:
        await asyncio.to_thread(purge, sessions, tracker_engine, default_days)
        await asyncio.to_thread(_next, sessions)

    return run


def _next(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        jobs.schedule(session, JOB, "retention", utcnow() + EVERY)
