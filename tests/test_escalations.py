"""Escalations: one per episode, raised not lowered, and the queue ordered urgent first, then oldest."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from bot.escalations import escalate, queue
from bot.models import Base, Conversation, Message


def session_for(tmp_path: Path) -> Session:
    engine = create_engine(f"sqlite:///{tmp_path / 'app.db'}")
    Base.metadata.create_all(engine)
    return Session(engine)


def add_conversation(session: Session, cid: str) -> Message:
    session.add(Conversation(id=cid, channel="web", external_id=f"web:{cid}"))
    message = Message(conversation_id=cid, author="resident", text=f"message from {cid}")
    session.add(message)
    session.flush()
    return message


def test_queue_is_urgent_first_then_longest_waiting(tmp_path: Path) -> None:
    with session_for(tmp_path) as session:
        start = dt.datetime(2026, 11, 28, 9, 0)
        for minutes, (cid, level) in enumerate(
            [("a", "person"), ("b", "concern"), ("c", "urgent"), ("d", "concern"), ("e", "urgent")]
        ):
            escalation, _ = escalate(session, cid, "web", level, [], "risk", add_conversation(session, cid))
            escalation.created_at = start + dt.timedelta(minutes=minutes)
        session.flush()
        assert [e.conversation_id for e in queue(session)] == ["c", "e", "b", "d", "a"]


def test_an_episode_is_raised_never_lowered_and_resolved_starts_a_new_one(tmp_path: Path) -> None:
    with session_for(tmp_path) as session:
        first = add_conversation(session, "x")
        escalation, created = escalate(session, "x", "web", "concern", ["cold_home"], "risk", first)
        assert created
        later = Message(conversation_id="x", author="resident", text="now I want to die")
        session.add(later)
        session.flush()
        same, changed = escalate(session, "x", "web", "urgent", ["suicide"], "risk", later)
        assert same.id == escalation.id and changed
        assert same.level == "urgent" and same.risk_types == ["cold_home", "suicide"]
        assert same.trigger_text == "now I want to die"
        again, changed = escalate(session, "x", "web", "person", [], "asked_for_person", first)
        assert again.id == escalation.id and not changed and again.level == "urgent"
        same.status = "resolved"
        session.flush()
        fresh, created = escalate(session, "x", "web", "concern", ["abuse"], "risk", first)
        assert created and fresh.id != escalation.id
