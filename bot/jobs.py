"""Scheduled jobs in the app database: schedule, cancel, claim and finish. The caller owns the session.

A job moves `scheduled` -> `running` (claimed by one scheduler) -> `done`, or `dropped` (no longer
useful: past `expires_at`, or its conversation is gone), or `failed` (it can never work; logged);
`cancelled` when the person stopped proactive messages. A failed attempt that may work later goes
back to `scheduled` with a `retry_at`.

Each due job fires once even with several gateways on one database: a claim is one conditional
UPDATE that only changes rows still due, and on PostgreSQL its rows are picked with `FOR UPDATE SKIP
LOCKED`, so two schedulers never wait for each other or take the same row. SQLite runs writes one at a
time, so the same statement is enough there. A claim older than `LEASE` belongs to a scheduler that
died while firing it, and is taken over (the job may then fire twice: better than never).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.models import ScheduledJob, utcnow

# Longer than any one firing can take (a Rasa turn, cut off by RasaClient's 120 s timeout).
LEASE = dt.timedelta(minutes=3)
OPEN = ("scheduled", "running")


@dataclass(frozen=True)
class Claimed:
    """A job one scheduler has claimed, detached from the session."""

    id: int
    name: str
    kind: str
    conversation_id: str | None
    intent: str | None
    entities: dict
    run_at: dt.datetime
    expires_at: dt.datetime | None
    attempts: int
    token: str


def _insert(session: Session):  # noqa: ANN202 - the dialect's INSERT construct
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert
    if dialect == "sqlite":
        return sqlite.insert
    raise RuntimeError(f"scheduled jobs need SQLite or PostgreSQL, not {dialect}")


def schedule(
    session: Session,
    name: str,
    kind: str,
    run_at: dt.datetime,
    *,
    conversation_id: str | None = None,
    intent: str | None = None,
    entities: dict | None = None,
    expires_at: dt.datetime | None = None,
) -> None:
    """Schedule the job called `name` at `run_at` (naive UTC), replacing one of that name.

    Replacing includes a job being fired right now: a check-in that schedules the next one while it
    runs. The scheduler's `finish` then leaves the new schedule alone (its claim token is gone).
    """
    values = {
        "kind": kind,
        "conversation_id": conversation_id,
        "intent": intent,
        "entities": entities or {},
        "run_at": run_at,
        "expires_at": expires_at,
        "status": "scheduled",
        "attempts": 0,
        "retry_at": None,
        "claimed_by": None,
        "claimed_at": None,
        "finished_at": None,
        "last_error": None,
    }
    insert = _insert(session)(ScheduledJob).values(name=name, created_at=utcnow(), **values)
    session.execute(insert.on_conflict_do_update(index_elements=["name"], set_=values))


def ensure(session: Session, name: str, kind: str, run_at: dt.datetime) -> None:
    """Schedule `name` at `run_at` unless a job of that name is already open (gateways starting
    together agree: one row, and an open one keeps its time)."""
    values = {
        "kind": kind,
        "run_at": run_at,
        "status": "scheduled",
        "attempts": 0,
        "retry_at": None,
        "claimed_by": None,
        "finished_at": None,
    }
    insert = _insert(session)(ScheduledJob).values(name=name, entities={}, created_at=utcnow(), **values)
    session.execute(
        insert.on_conflict_do_update(index_elements=["name"], set_=values, where=ScheduledJob.status.not_in(OPEN))
    )


def cancel_conversation(session: Session, conversation_id: str) -> int:
    """Cancel a conversation's open jobs (the person said "stop messages"). Returns how many."""
    result = session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.conversation_id == conversation_id, ScheduledJob.status.in_(OPEN))
        .values(status="cancelled", finished_at=utcnow(), claimed_by=None)
    )
    return result.rowcount or 0


def forget_conversation(session: Session, conversation_id: str) -> None:
    """Delete a conversation's jobs, whatever their state: "forget me" keeps nothing, not even its id."""
    session.execute(delete(ScheduledJob).where(ScheduledJob.conversation_id == conversation_id))


def _due(now: dt.datetime):  # noqa: ANN202 - a SQL condition
    return or_(
        and_(
            ScheduledJob.status == "scheduled",
            ScheduledJob.run_at <= now,
            or_(ScheduledJob.retry_at.is_(None), ScheduledJob.retry_at <= now),
        ),
        and_(ScheduledJob.status == "running", ScheduledJob.claimed_at < now - LEASE),
    )


def due_kinds(session: Session, now: dt.datetime | None = None) -> set[str]:
    """The kinds of job that are due (so the scheduler asks only their parts whether they are up)."""
    return set(session.scalars(select(ScheduledJob.kind).where(_due(now or utcnow())).distinct()))


def claim_due(
    session: Session, now: dt.datetime | None = None, limit: int = 8, kinds: Collection[str] | None = None
) -> list[Claimed]:
    """Claim up to `limit` due jobs (of these `kinds`, or any), oldest first, for this caller alone."""
    now = now or utcnow()
    token = uuid.uuid4().hex
    due = _due(now) if kinds is None else and_(_due(now), ScheduledJob.kind.in_(kinds))
    # A CTE, evaluated once: as a plain subquery PostgreSQL may run it again for each row it updates,
    # and with SKIP LOCKED each run picks further rows, so a claim could take more than `limit`.
    picked = (
        select(ScheduledJob.id)
        .where(due)
        .order_by(ScheduledJob.run_at)
        .limit(limit)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite has no row locks and needs none
        .cte("picked")
        .prefix_with("MATERIALIZED", dialect="postgresql")
    )
    rows = session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.id.in_(select(picked.c.id)), due)
        .values(status="running", claimed_by=token, claimed_at=now, attempts=ScheduledJob.attempts + 1)
        .returning(
            ScheduledJob.id,
            ScheduledJob.name,
            ScheduledJob.kind,
            ScheduledJob.conversation_id,
            ScheduledJob.intent,
            ScheduledJob.entities,
            ScheduledJob.run_at,
            ScheduledJob.expires_at,
            ScheduledJob.attempts,
        )
        .execution_options(synchronize_session=False)
    ).all()
    return sorted((Claimed(*row, token=token) for row in rows), key=lambda job: (job.run_at, job.id))


def finish(
    session: Session,
    job: Claimed,
    status: str,
    error: str | None = None,
    retry_at: dt.datetime | None = None,
) -> bool:
    """Record how a claimed job ended. False when it was rescheduled or cancelled meanwhile (kept as is)."""
    result = session.execute(
        update(ScheduledJob)
        .where(ScheduledJob.id == job.id, ScheduledJob.claimed_by == job.token, ScheduledJob.status == "running")
        .values(
            status=status,
            retry_at=retry_at,
            last_error=error[:2000] if error else None,
            finished_at=None if status == "scheduled" else utcnow(),
            claimed_by=None,
        )
        .execution_options(synchronize_session=False)
    )
    return (result.rowcount or 0) == 1


def conversation_jobs(session: Session, conversation_id: str) -> list[ScheduledJob]:
    """A conversation's jobs, soonest first (for tests and the console)."""
    return list(
        session.scalars(
            select(ScheduledJob).where(ScheduledJob.conversation_id == conversation_id).order_by(ScheduledJob.run_at)
        )
    )
