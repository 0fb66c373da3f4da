"""Escalations: open one per episode, raise its level, and list the queue for staff."""

from __future__ import annotations

from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

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
    handed_back: bool = False,
) -> tuple[Escalation, bool]:
    """Open an escalation, or update the open one. Returns it and whether anything changed.

    One episode, one escalation: a later message raises its level (never lowers it), adds risk
    types, and becomes the trigger when it raised the level. When staff claimed it and have since
    handed the conversation back to the bot (`handed_back`), a new concern puts it back in the queue.
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
    if handed_back and current.status == "claimed":
        current.status = "new"
        session.add(
            Message(
                conversation_id=conversation_id,
                author="system",
                text="New concern after the hand-back: back in the queue.",
            )
        )
        changed = True
    if changed:
        current.updated_at = utcnow()
    return current, changed


def queue(
    session: Session, status: tuple[str, ...] = ("new", "claimed"), channel: str | None = None, limit: int = 1000
) -> list[Escalation]:
    """Escalations, most urgent first, then the longest waiting (resolved ones: latest first).

    Each comes with its conversation and the member of staff who claimed it, loaded in the same go.
    """
    statement = (
        select(Escalation)
        .where(Escalation.status.in_(status))
        .options(selectinload(Escalation.conversation), selectinload(Escalation.claimer))
        .limit(limit)
    )
    if channel:
        statement = statement.where(Escalation.channel == channel)
    if status == ("resolved",):
        statement = statement.order_by(Escalation.resolved_at.desc())
    else:
        statement = statement.order_by(case(LEVEL_ORDER, value=Escalation.level), Escalation.created_at)
    return list(session.scalars(statement))
