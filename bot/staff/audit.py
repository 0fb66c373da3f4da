"""The audit log: one function writes it, and nothing in the code updates or deletes it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import AuditEvent, StaffUser


def record(
    session: Session,
    actor: StaffUser | str,
    action: str,
    target_type: str,
    target_id: str | int = "",
    **detail: object,
) -> AuditEvent:
    """Append who did what to which record. `actor` is a user, or "system" / "resident"."""
    if isinstance(actor, StaffUser):
        actor_id, name = actor.id, f"{actor.display_name} ({actor.username})"
    else:
        actor_id, name = None, str(actor)
    event = AuditEvent(
        actor_id=actor_id,
        actor=name[:80],
        action=action,
        target_type=target_type,
        target_id=str(target_id)[:64],
        detail={k: v for k, v in detail.items() if v is not None},
    )
    session.add(event)
    return event


def recent(
    session: Session, action: str | None = None, limit: int = 200, before: int | None = None
) -> list[AuditEvent]:
    """The newest events first (older than event `before`), optionally only one kind of action."""
    statement = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    if action:
        statement = statement.where(AuditEvent.action == action)
    if before is not None:
        statement = statement.where(AuditEvent.id < before)
    return list(session.scalars(statement))
