"""Escalations: open one per episode, raise its level, and list the queue for staff.

A flood (one client opening chat after chat and typing a crisis into each, or many addresses doing it
at once) must not push a real urgent case out of sight or keep the alarm ringing. So the queue finds
*bursts*: escalations that arrive close together from one source (`Conversation.source`, a hash of the
client address or Telegram chat), or from many conversations that had only just begun. Staff can mark
a burst as abuse in one action (`mark_abuse`, audited): it is resolved with the outcome `abuse`, and
for a day later escalations from the same source are *held* (grouped, without the alarm) instead of
joining the queue. A person in crisis is one conversation: they are never a burst on their own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session, selectinload

from bot.models import AbuseFlag, Escalation, Message, StaffUser, utcnow
from bot.staff import audit

# Staff see urgent first, then concern, then people who asked for a person.
LEVEL_ORDER = {"urgent": 0, "concern": 1, "person": 2}
# One source: at least this many conversations escalating, each within this long of the last.
BURST_FROM_ONE_SOURCE = 3
SOURCE_GAP = dt.timedelta(minutes=10)
# New sessions: an escalation this soon after its conversation began, from at least this many
# conversations that began within this long of each other.
JUST_BEGUN = dt.timedelta(minutes=2)
BURST_OF_NEW_SESSIONS = 5
NEW_SESSION_GAP = dt.timedelta(minutes=2)
# After staff mark a burst from one source as abuse, that source's new escalations are held this long.
ABUSE_HOLD = dt.timedelta(hours=24)


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
    session: Session,
    status: tuple[str, ...] = ("new", "claimed"),
    channel: str | None = None,
    limit: int | None = 1000,
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


@dataclass
class Burst:
    """Escalations that arrived together like a flood (see the module's docstring)."""

    kind: str  # source | new_sessions
    source: str | None
    members: list[Escalation]

    @property
    def key(self) -> str:
        """What the console's "mark as abuse" form names it by: its kind and its first escalation."""
        return f"{self.kind}:{min(e.id for e in self.members)}"

    @property
    def conversations(self) -> int:
        """How many conversations it came from."""
        return len({e.conversation_id for e in self.members})


def _chains(escalations: list[Escalation], moment, gap: dt.timedelta) -> list[list[Escalation]]:  # noqa: ANN001
    """Split escalations, in order of `moment`, wherever two are further apart than `gap`."""
    chains: list[list[Escalation]] = []
    for escalation in sorted(escalations, key=moment):
        if chains and moment(escalation) - moment(chains[-1][-1]) <= gap:
            chains[-1].append(escalation)
        else:
            chains.append([escalation])
    return chains


def bursts(escalations: list[Escalation]) -> list[Burst]:
    """The bursts among open escalations (each loaded with its conversation); each is in one at most."""
    found: list[Burst] = []
    by_source: dict[str, list[Escalation]] = {}
    for escalation in escalations:
        if escalation.conversation.source:
            by_source.setdefault(escalation.conversation.source, []).append(escalation)
    for source, group in by_source.items():
        for chain in _chains(group, lambda e: e.created_at, SOURCE_GAP):
            burst = Burst("source", source, chain)
            if burst.conversations >= BURST_FROM_ONE_SOURCE:
                found.append(burst)
    taken = {e.id for burst in found for e in burst.members}
    just_begun = [
        e for e in escalations if e.id not in taken and e.created_at - e.conversation.created_at <= JUST_BEGUN
    ]
    for chain in _chains(just_begun, lambda e: e.conversation.created_at, NEW_SESSION_GAP):
        burst = Burst("new_sessions", None, chain)
        if burst.conversations >= BURST_OF_NEW_SESSIONS:
            found.append(burst)
    for burst in found:
        burst.members.sort(key=lambda e: (LEVEL_ORDER[e.level], e.created_at))
    return sorted(found, key=lambda b: min(e.created_at for e in b.members))


def held_flags(session: Session, now: dt.datetime | None = None) -> dict[str, AbuseFlag]:
    """Sources marked as abuse whose new escalations are still held, by source."""
    now = now or utcnow()
    flags = session.scalars(
        select(AbuseFlag).where(AbuseFlag.source.is_not(None), AbuseFlag.hold_until > now).order_by(AbuseFlag.id)
    )
    return {flag.source: flag for flag in flags if flag.source}


def is_held(escalation: Escalation, flags: dict[str, AbuseFlag]) -> bool:
    """Whether an escalation came from a source marked as abuse, after it was marked."""
    flag = flags.get(escalation.conversation.source or "")
    return flag is not None and escalation.created_at >= flag.flagged_at


def open_bursts(session: Session, now: dt.datetime | None = None) -> tuple[list[Burst], set[int]]:
    """The bursts among open escalations, and the ids of those held from sources marked as abuse
    (which are never part of a burst: they have been dealt with)."""
    found = queue(session, limit=None)
    flags = held_flags(session, now)
    held = {e.id for e in found if is_held(e, flags)}
    return bursts([e for e in found if e.id not in held]), held


def mark_abuse(session: Session, user: StaffUser, burst: Burst) -> AbuseFlag:
    """Mark a burst as abuse in one action: its escalations are resolved (outcome `abuse`), its source's
    new escalations are held for `ABUSE_HOLD`, and the audit log says who did it and to how many."""
    now = utcnow()
    flag = AbuseFlag(
        kind=burst.kind,
        source=burst.source,
        escalations=len(burst.members),
        flagged_by=user.id,
        flagged_at=now,
        hold_until=now + ABUSE_HOLD if burst.source else None,
    )
    session.add(flag)
    session.flush()
    for escalation in burst.members:
        escalation.abuse_flag_id = flag.id
        escalation.status, escalation.outcome = "resolved", "abuse"
        escalation.resolved_by, escalation.resolved_at, escalation.updated_at = user.id, now, now
    audit.record(
        session,
        user,
        "mark_abuse",
        "abuse_flag",
        flag.id,
        kind=burst.kind,
        escalations=[e.id for e in burst.members],
        urgent=sum(1 for e in burst.members if e.level == "urgent"),
    )
    return flag
