"""Tables for what Kindred remembers about a resident (one Alembic history with the rest)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.models import utcnow


class ResidentsBase(DeclarativeBase):
    """Declarative base for the residents' tables."""


class Profile(ResidentsBase):
    """What a resident has told Kindred about themselves, kept across sessions until "forget me"."""

    __tablename__ = "profiles"

    sender_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(60))
    # Where to search from: the words they gave ("Easton", "BS5 6XY") and the point it means.
    place: Mapped[str | None] = mapped_column(String(80))
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    age: Mapped[int | None]
    # Life events and circumstances, from residents.vocabulary.CIRCUMSTANCES.
    circumstances: Mapped[list] = mapped_column(JSON, default=list)
    interests: Mapped[list] = mapped_column(JSON, default=list)
    cared_for: Mapped[str | None] = mapped_column(String(40))
    language: Mapped[str | None] = mapped_column(String(40))
    # Asked once: {"free_only": bool, "step_free": bool}.
    preferences: Mapped[dict | None] = mapped_column(JSON, default=None)
    # Opt-in regular check-ins: a day key ("th") or None.
    checkin_day: Mapped[str | None] = mapped_column(String(3))
    last_checkin_offer_at: Mapped[dt.datetime | None]
    # The last few lines said, so a daily visitor doesn't hear the same words every time.
    recent_lines: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CheckIn(ResidentsBase):
    """One loneliness check-in: the ONS direct question and the three-item UCLA scale."""

    __tablename__ = "checkins"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    # ONS: 1 never … 5 often/always. UCLA: three items 1-3, total 3-9. Higher = lonelier.
    ons: Mapped[int]
    ucla_company: Mapped[int]
    ucla_left_out: Mapped[int]
    ucla_isolated: Mapped[int]
    ucla_total: Mapped[int]
    taken_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Suggestion(ResidentsBase):
    """A service the assistant suggested, and what became of it."""

    __tablename__ = "suggestions"
    __table_args__ = (Index("ix_suggestions_sender", "sender_id", "shown_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64))
    service_id: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(32))
    why: Mapped[str] = mapped_column(Text, default="")
    # shown | reminder | went | did_not_go | not_for_me
    status: Mapped[str] = mapped_column(String(16), default="shown")
    reason: Mapped[str | None] = mapped_column(Text)
    shown_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FollowUp(ResidentsBase):
    """A reminder before a session and a check-in after it ("Did you get to the choir?")."""

    __tablename__ = "followups"

    id: Mapped[int] = mapped_column(primary_key=True)
    sender_id: Mapped[str] = mapped_column(String(64), index=True)
    suggestion_id: Mapped[int | None]
    service_id: Mapped[str] = mapped_column(String(64))
    service_name: Mapped[str] = mapped_column(Text)
    starts_at: Mapped[dt.datetime]
    remind_at: Mapped[dt.datetime]
    ask_at: Mapped[dt.datetime]
    # scheduled | asked | done
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    went: Mapped[bool | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ServiceFlag(ResidentsBase):
    """A resident's report that a directory entry was wrong or unsuitable, for the directory editor.

    Kept after "forget me" (the directory still needs fixing) but without the sender or the note.
    """

    __tablename__ = "service_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    service_name: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(32))  # not_running | wrong_details | unsuitable
    note: Mapped[str] = mapped_column(Text, default="")
    sender_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | fixed | dismissed
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
