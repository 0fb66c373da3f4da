"""Escalations: open one per episode, raise its level, and list the queue for staff."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from bot.models import Escalation, Message, utcnow

# Staff see urgent first, then concern, then people who asked for a person.
LEVEL_ORDER = {"urgent": 0, "concern": 1, "person": 2}


def open_episode(session: Session, conversation_id: str) -> Escalation | None:
    """The conversation's escalation that is not resolved yet, if any."""
    return session.scalars(
        select(Escalation)
        .where(Escalation.conversation_id == conversation_id, Escalation.status != "resolved")
        .order_by(Escalation.id.desc())
    ).first()


def escalate(
    session: Session,
    conversation_id: str,
    channel: str,
    level: str,
    risk_types: list[str],
    reason: str,
    trigger: Message | None,
) -> tuple[Escalation, bool]:
    """Open an escalation, or update the open one. Returns it and whether anything changed.

    One episode, one escalation: a later message raises its level (never lowers it), adds risk
    types, and becomes the trigger when it raised the level.
    """
    current = open_episode(session, conversation_id)
    if current is None:
        current = Escalation(
            conversation_id=conversation_id,
            channel=channel,
            level=level,
            risk_types=list(risk_types),
            reason=reason,
            trigger_message_id=trigger.id if trigger else None,
            trigger_text=trigger.text if trigger else "",
        )
        session.add(current)
        session.flush()
        return current, True
    changed = False
    if LEVEL_ORDER[level] < LEVEL_ORDER[current.level]:
        current.level = level
        current.reason = reason
        if trigger:
            current.trigger_message_id = trigger.id
            current.trigger_text = trigger.text
        changed = True
    merged = list(dict.fromkeys([*current.risk_types, *risk_types]))
    if merged != current.risk_types:
        current.risk_types = merged
        changed = True
    if changed:
        current.updated_at = utcnow()
    return current, changed


def queue(session: Session, status: tuple[str, ...] = ("new", "claimed")) -> list[Escalation]:
    """Open escalations, most urgent first, then the longest waiting."""
    order = case(LEVEL_ORDER, value=Escalation.level)
    return list(
        session.scalars(select(Escalation).where(Escalation.status.in_(status)).order_by(order, Escalation.created_at))
    )
