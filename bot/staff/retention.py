"""Retention: conversations with no activity for the configured number of days are deleted.

A conversation with an escalation still open is kept until staff resolve it. What goes is what
"forget me" deletes (messages, escalations, notes, the profile, check-ins, suggestions, follow-ups and
Rasa's tracker); the audit log keeps a line saying how many went, and when.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from sqlalchemy import exists, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import store
from bot.models import AppSetting, Conversation, Escalation, StaffUser, utcnow
from bot.staff import audit

log = logging.getLogger(__name__)
SETTING = "retention_days"
# How often the gateway looks for conversations past retention.
EVERY = dt.timedelta(hours=6)


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
    """Conversations idle longer than `days`, without an open escalation."""
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
    """Delete every conversation past retention; returns how many went."""
    with sessions.begin() as session:
        days = retention_days(session, default_days)
        ids = expired(session, days, now)
        for conversation_id in ids:
            store.forget(session, conversation_id)
        if isinstance(actor, StaffUser):
            actor = session.get(StaffUser, actor.id) or "unknown"
        audit.record(session, actor, "purge", "conversations", "", deleted=len(ids), retention_days=days)
    for conversation_id in ids:
        store.forget_tracker(tracker_engine, conversation_id)
    if ids:
        log.info("retention: deleted %d conversations idle for more than %d days", len(ids), days)
    return len(ids)


async def keep_purging(sessions: sessionmaker[Session], tracker_engine: Engine, default_days: int) -> None:
    """The gateway's scheduled purge: shortly after start, then every few hours."""
    await asyncio.sleep(30)
    while True:
        try:
            await asyncio.to_thread(purge, sessions, tracker_engine, default_days)
        except Exception:  # a failed purge is retried next time; it must not stop the gateway
            log.exception("the retention purge failed")
        await asyncio.sleep(EVERY.total_seconds())
