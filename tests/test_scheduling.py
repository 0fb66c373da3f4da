"""Durable scheduling: reminders, follow-ups, check-ins and retention runs are rows that survive
restarts, and each due one fires once, even with two schedulers on one database.

Claiming and the scheduler's decisions run on real SQLite and PostgreSQL databases; the end-to-end
test restarts every process of a real stack and watches what the resident receives.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import psycopg
import pytest
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs, store
from bot.models import Conversation, ScheduledJob, utcnow
from bot.rasa_client import RasaClient
from bot.scheduler import Drop, RetryLater, Scheduler, ToRasa
from bot.staff import retention
from database import make_engine, upgrade
from launcher.stack import Stack
from residents.models import FollowUp
from tests.conftest import stack_env, warm_up
from tests.helpers import Resident, texts

ADMIN_URL = os.environ.get("KINDRED_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty, migrated app database of each kind."""
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'kindred.db'}")
        upgrade(made)
        yield made
        made.dispose()
        return
    name = f"kindred_sched_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    made = make_engine(ADMIN_URL.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name)
    try:
        upgrade(made)
        yield made
    finally:
        made.dispose()
        with psycopg.connect(ADMIN_URL, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def add_due(sessions: sessionmaker[Session], count: int, kind: str = "test", ago: float = 1.0) -> list[str]:
    names = [f"job-{i}" for i in range(count)]
    with sessions.begin() as session:
        for name in names:
            jobs.schedule(session, name, kind, utcnow() - dt.timedelta(seconds=ago))
    return names


def job(sessions: sessionmaker[Session], name: str) -> ScheduledJob:
    with sessions() as session:
        return session.scalars(select(ScheduledJob).where(ScheduledJob.name == name)).one()


# --- claiming ------------------------------------------------------------------------------------


def test_a_claimed_job_is_nobody_elses(sessions: sessionmaker[Session]) -> None:
    [name] = add_due(sessions, 1)
    with sessions.begin() as session:
        jobs.schedule(session, "later", "test", utcnow() + dt.timedelta(minutes=5))
    with sessions.begin() as first:
        [claimed] = jobs.claim_due(first)
    with sessions.begin() as second:
        assert jobs.claim_due(second) == []  # taken, and "later" is not due
    assert claimed.name == name and claimed.attempts == 1
    # A claim whose scheduler died mid-fire is taken over once the lease has passed.
    with sessions.begin() as later:
        [again] = jobs.claim_due(later, utcnow() + jobs.LEASE + dt.timedelta(seconds=1))
    assert again.id == claimed.id and again.token != claimed.token and again.attempts == 2
    with sessions.begin() as session:
        assert not jobs.finish(session, claimed, "done")  # the old claim no longer counts
        assert jobs.finish(session, again, "done")
    assert job(sessions, name).status == "done"


def test_two_claimers_at_once_take_each_job_exactly_once(sessions: sessionmaker[Session]) -> None:
    names = add_due(sessions, 40)
    taken: list[list[str]] = [[], []]
    barrier = threading.Barrier(2)

    def claimer(mine: list[str]) -> None:
        barrier.wait()
        while True:
            with sessions.begin() as session:
                claimed = jobs.claim_due(session, limit=3)
            if not claimed:
                return
            mine.extend(c.name for c in claimed)

    threads = [threading.Thread(target=claimer, args=(mine,)) for mine in taken]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(taken[0] + taken[1]) == sorted(names)  # every one, none twice


def test_a_claim_takes_at_most_its_limit_oldest_first(sessions: sessionmaker[Session]) -> None:
    names = add_due(sessions, 3)
    with sessions.begin() as session:
        jobs.schedule(session, "oldest", "test", utcnow() - dt.timedelta(hours=1))
    with sessions.begin() as session:
        assert [c.name for c in jobs.claim_due(session, limit=2)] == ["oldest", names[0]]
    with sessions.begin() as session:
        assert len(jobs.claim_due(session, limit=5)) == 2


@pytest.mark.parametrize("engine", ["postgresql"], indirect=True)
def test_on_postgresql_a_claim_in_progress_is_skipped_not_waited_for(sessions: sessionmaker[Session]) -> None:
    """SQLite runs one writer at a time; PostgreSQL claimers pass each other's locked rows by."""
    add_due(sessions, 2)
    with sessions.begin() as first:
        held = jobs.claim_due(first, limit=1)  # not yet committed: its row stays locked
        with sessions.begin() as second:
            second.execute(text("SET LOCAL lock_timeout = '2s'"))  # waiting would fail the test
            other = jobs.claim_due(second)
    assert len(held) == 1 and len(other) == 1 and held[0].id != other[0].id


# --- the scheduler -------------------------------------------------------------------------------


class Recorder:
    """A handler that notes what it fired (standing in for Rasa where only the scheduling is tested)."""

    def __init__(self, delay: float = 0.0, fail: Exception | None = None) -> None:
        self.fired: list[str] = []
        self.delay = delay
        self.fail = fail

    async def __call__(self, claimed: jobs.Claimed) -> None:
        await asyncio.sleep(self.delay)
        if self.fail is not None:
            raise self.fail
        self.fired.append(claimed.name)


async def test_two_schedulers_on_one_database_fire_each_job_once(sessions: sessionmaker[Session]) -> None:
    names = add_due(sessions, 30)
    first, second = Recorder(delay=0.05), Recorder(delay=0.05)
    schedulers = [Scheduler(sessions, {"test": r}, poll_seconds=0.1, batch=4) for r in (first, second)]
    for scheduler in schedulers:
        scheduler.start()
    deadline = time.monotonic() + 30
    while len(first.fired) + len(second.fired) < len(names) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    await asyncio.sleep(0.5)  # time for a second firing, if there were one
    for scheduler in schedulers:
        await scheduler.stop()
    assert sorted(first.fired + second.fired) == sorted(names)
    assert first.fired and second.fired  # both worked
    with sessions() as session:
        assert set(session.scalars(select(ScheduledJob.status))) == {"done"}


async def test_what_is_over_is_dropped_and_a_missed_job_fires_once(sessions: sessionmaker[Session]) -> None:
    recorder = Recorder()
    scheduler = Scheduler(sessions, {"test": recorder})
    now = utcnow()
    with sessions.begin() as session:
        # The session it reminds of ended while everything was down: dropped, never sent.
        jobs.schedule(session, "over", "test", now - dt.timedelta(hours=3), expires_at=now - dt.timedelta(hours=1))
        # A weekly check-in missed three weeks running: one row, so it fires once.
        jobs.schedule(session, "missed", "test", now - dt.timedelta(days=21))
        jobs.schedule(session, "not-yet", "test", now + dt.timedelta(minutes=1))
        jobs.schedule(session, "unknown", "no-such-kind", now)
    assert await scheduler.tick() == 3
    assert await scheduler.tick() == 0
    assert recorder.fired == ["missed"]
    assert [job(sessions, n).status for n in ("over", "missed", "not-yet", "unknown")] == [
        "dropped",
        "done",
        "scheduled",
        "failed",
    ]
    assert "no handler" in job(sessions, "unknown").last_error


async def test_a_job_that_cannot_work_yet_is_tried_again_later(sessions: sessionmaker[Session]) -> None:
    [name] = add_due(sessions, 1)
    down = Recorder(fail=RetryLater("Rasa is down"))
    assert await Scheduler(sessions, {"test": down}).tick() == 1
    waiting = job(sessions, name)
    assert waiting.status == "scheduled" and waiting.attempts == 1 and "Rasa is down" in waiting.last_error
    assert waiting.retry_at > utcnow()
    up = Recorder()
    assert await Scheduler(sessions, {"test": up}).tick() == 0  # not before its retry time
    assert await Scheduler(sessions, {"test": up}).tick(waiting.retry_at + dt.timedelta(seconds=1)) == 1
    assert up.fired == [name] and job(sessions, name).status == "done"
    # A handler's bug is logged and tried again too, never lost silently.
    [name] = add_due(sessions, 1, kind="buggy")
    assert await Scheduler(sessions, {"buggy": Recorder(fail=ValueError("bug"))}).tick() == 1
    assert job(sessions, name).status == "scheduled" and "bug" in job(sessions, name).last_error


async def test_a_job_rescheduled_while_it_runs_keeps_its_new_time(sessions: sessionmaker[Session]) -> None:
    """A check-in schedules the next one while it is being fired: finishing must not undo that."""
    [name] = add_due(sessions, 1)
    following = utcnow() + dt.timedelta(days=7)

    async def reschedule(claimed: jobs.Claimed) -> None:
        with sessions.begin() as session:
            jobs.schedule(session, claimed.name, "test", following)

    assert await Scheduler(sessions, {"test": reschedule}).tick() == 1
    moved = job(sessions, name)
    assert moved.status == "scheduled" and moved.run_at == following


async def test_stopping_and_forgetting_cancel_a_conversations_jobs(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        for cid in ("web-stop", "web-forget"):
            session.add(Conversation(id=cid, channel="web", external_id=f"x-{cid}"))
            session.flush()
            for intent in ("EXTERNAL_reminder", "EXTERNAL_checkin"):
                jobs.schedule(session, f"{intent}-{cid}", "rasa", utcnow(), conversation_id=cid, intent=intent)
        assert jobs.cancel_conversation(session, "web-stop") == 2
        store.forget(session, "web-forget")
    with sessions() as session:
        assert [j.status for j in jobs.conversation_jobs(session, "web-stop")] == ["cancelled", "cancelled"]
        assert jobs.conversation_jobs(session, "web-forget") == []
    recorder = Recorder()
    assert await Scheduler(sessions, {"rasa": recorder}).tick() == 0 and recorder.fired == []


class Switchable(Recorder):
    """A handler whose parts can be down."""

    def __init__(self) -> None:
        super().__init__()
        self.down: str | None = "Rasa is down"

    async def ready(self) -> str | None:
        return self.down


async def test_while_its_parts_are_down_a_job_waits_unclaimed_and_goes_when_they_are_back(
    sessions: sessionmaker[Session],
) -> None:
    [name] = add_due(sessions, 1)
    handler = Switchable()
    scheduler = Scheduler(sessions, {"test": handler})
    assert await scheduler.tick() == 0 and await scheduler.tick() == 0
    waiting = job(sessions, name)
    assert (waiting.status, waiting.attempts, waiting.retry_at) == ("scheduled", 0, None)  # no back-off
    handler.down = None
    assert await scheduler.tick() == 1 and handler.fired == [name]


class PartsUp(ToRasa):
    """Rasa's handler, told its parts are up (nothing listens where they would be)."""

    async def ready(self) -> str | None:
        return None


async def test_rasa_jobs_wait_for_the_action_server_and_skip_deleted_conversations(
    sessions: sessionmaker[Session],
) -> None:
    with sessions.begin() as session:
        jobs.schedule(session, "gone", "rasa", utcnow(), conversation_id="web-gone", intent="EXTERNAL_checkin")
    async with aiohttp.ClientSession() as http:
        # Nothing listens at these addresses.
        to_rasa = ToRasa(sessions, RasaClient(http, ["http://127.0.0.1:9"], "t"), http, "http://127.0.0.1:9/health")
        assert await to_rasa.ready() == "the action server is down"
        assert await Scheduler(sessions, {"rasa": to_rasa}).tick() == 0
        assert job(sessions, "gone").status == "scheduled"
        # Once the parts are up, the job for a deleted conversation is dropped before Rasa is asked.
        up = PartsUp(sessions, to_rasa.rasa, http, to_rasa.action_health_url)
        assert await Scheduler(sessions, {"rasa": up}).tick() == 1
    gone = job(sessions, "gone")
    assert gone.status == "dropped" and "deleted" in gone.last_error
    with pytest.raises(Drop):
        await to_rasa(jobs.Claimed(gone.id, "gone", "rasa", "web-gone", "EXTERNAL_checkin", {}, utcnow(), None, 1, ""))


async def test_retention_runs_are_a_job_that_survives_restarts(sessions: sessionmaker[Session], engine: Engine) -> None:
    with sessions.begin() as session:
        retention.schedule(session)
        retention.schedule(session)  # a second gateway starting: still one job, with its first time
        session.add(Conversation(id="web-old", channel="web", external_id="x-old"))
        session.flush()
        session.get(Conversation, "web-old").last_active_at = utcnow() - dt.timedelta(days=400)
    first = job(sessions, retention.JOB)
    assert first.status == "scheduled" and first.run_at > utcnow()
    handler = retention.purge_job(sessions, engine, 365)
    assert await Scheduler(sessions, {"retention": handler}).tick(first.run_at) == 1
    following = job(sessions, retention.JOB)
    assert following.status == "scheduled"
    assert following.run_at > utcnow() + retention.EVERY - dt.timedelta(minutes=1)
    with sessions() as session:
        assert session.get(Conversation, "web-old") is None
    # A run that ended without a next one (its gateway died) is scheduled again at the next start.
    with sessions.begin() as session:
        session.execute(update(ScheduledJob).values(status="done"))
        retention.schedule(session)
    assert job(sessions, retention.JOB).status == "scheduled"


# --- end to end: restart every process ------------------------------------------------------------


def rows(stack: Stack, model, **where):  # noqa: ANN001, ANN201 - any table
    engine = create_engine(stack.settings.app_database_url)
    with Session(engine) as session:
        found = list(session.scalars(select(model).filter_by(**where).order_by(model.id)))
    engine.dispose()
    return found


def move(stack: Stack, followup_id: int, remind_in: float, starts_in: float, ends_in: float) -> dt.datetime:
    """Move a reminder's times (seconds from now), as if "Remind me" had been pressed long before."""
    now = utcnow()
    remind_at = now + dt.timedelta(seconds=remind_in)
    engine = create_engine(stack.settings.app_database_url)
    with Session(engine) as session, session.begin():
        followup = session.get(FollowUp, followup_id)
        followup.remind_at, followup.starts_at = remind_at, now + dt.timedelta(seconds=starts_in)
        session.execute(
            update(ScheduledJob)
            .where(ScheduledJob.name == f"remind-{followup_id}-{followup.sender_id}")
            .values(run_at=remind_at, expires_at=now + dt.timedelta(seconds=ends_in))
        )
    engine.dispose()
    return remind_at


def move_checkin(stack: Stack, conversation: str, days: float) -> None:
    engine = create_engine(stack.settings.app_database_url)
    with engine.begin() as connection:
        connection.execute(
            update(ScheduledJob)
            .where(ScheduledJob.conversation_id == conversation, ScheduledJob.intent == "EXTERNAL_checkin")
            .values(run_at=utcnow() + dt.timedelta(days=days))
        )
    engine.dispose()


CHECKIN_BUTTONS = ["I'm OK", "Not so good"]


async def proactive(resident: Resident, words: str = "", buttons: list[str] | None = None) -> list[dict]:
    """Messages nobody asked for (reminders, check-ins) containing `words`, or with these buttons."""
    return [
        m
        for m in await resident.history()
        if m["author"] == "bot"
        and m["reply_to"] is None
        and words in m["text"]
        and (buttons is None or [b["title"] for b in m["buttons"]] == buttons)
    ]


async def arrives(resident: Resident, words: str = "", buttons: list[str] | None = None, timeout: float = 60) -> dict:
    """Wait for the first proactive message containing `words` (or with these buttons)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = await proactive(resident, words, buttons)
        if found:
            return found[0]
        await asyncio.sleep(0.3)
    raise AssertionError(f"no message with {words!r} {buttons or ''} within {timeout} s")


@pytest.fixture(scope="module")
def restartable(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """A stack of its own, since this test stops and starts it."""
    running = Stack(model, stack_env(tmp_path_factory.mktemp("scheduling")), echo=False)
    try:
        running.start()
        warm_up(running)
        yield running
    finally:
        running.stop()


@pytest.mark.stack
async def test_reminders_survive_a_restart_of_everything(restartable: Stack) -> None:
    stack = restartable
    async with aiohttp.ClientSession() as http:
        resident = Resident(http, stack.settings.gateway_url)
        await resident.start()
        await resident.say("hello")
        assert "to see how you are" in texts(await resident.say("can you message me every week"))
        await resident.say("I'm 15 and I help look after my mum")
        await resident.say("is there anything for teenagers round here")
        await resident.say("BS5 6XY")
        await resident.say("any day")
        found = await resident.press("No, either is fine", "No, either is fine")
        cards = [m for m in found if m.get("buttons") and m["buttons"][0]["title"] == "Remind me"]
        for card in cards:
            await resident.press(card["buttons"][0]["payload"], "Remind me")
        [conversation] = {f.sender_id for f in rows(stack, FollowUp)}
        names = {j.name for j in rows(stack, ScheduledJob, conversation_id=conversation)}
        timed = [f for f in rows(stack, FollowUp, sender_id=conversation) if f"remind-{f.id}-{conversation}" in names]
        assert len(timed) >= 3, "three suggestions with a time were expected"
        on_time, late, over = timed[:3]
        assert f"weekly-checkin-{conversation}" in names

    stack.stop()  # every process
    # While everything is down: one reminder's time passes, another's session comes and goes, and the
    # weekly check-in is missed three weeks running.
    move(stack, late.id, remind_in=-1800, starts_in=3600, ends_in=7200)
    move(stack, over.id, remind_in=-3 * 3600, starts_in=-2 * 3600, ends_in=-3600)
    move_checkin(stack, conversation, days=-21)
    stack.start()

    async with aiohttp.ClientSession() as http:
        resident.http = http
        # The late reminder arrives saying it is late; the missed check-in arrives.
        await arrives(resident, f"Sorry, I meant to remind you earlier: {late.service_name} starts at")
        await arrives(resident, buttons=CHECKIN_BUTTONS)
        # The on-time one, due a few seconds from now, arrives at its time with the usual words.
        due = move(stack, on_time.id, remind_in=4, starts_in=2 * 3600, ends_in=3 * 3600)
        reminded = await arrives(resident, f"Just a reminder: {on_time.service_name} starts at")
        arrived = dt.datetime.fromisoformat(reminded["at"].rstrip("Z"))
        assert due <= arrived <= due + dt.timedelta(seconds=10)
        await asyncio.sleep(6)  # a second firing of any of them would have come by now
        assert len(await proactive(resident, f"Just a reminder: {on_time.service_name}")) == 1
        assert len(await proactive(resident, f"remind you earlier: {late.service_name}")) == 1
        assert len(await proactive(resident, buttons=CHECKIN_BUTTONS)) == 1
        assert await proactive(resident, over.service_name) == []  # its session is over: dropped
    by_name = {j.name: j for j in rows(stack, ScheduledJob, conversation_id=conversation)}
    assert by_name[f"remind-{on_time.id}-{conversation}"].status == "done"
    assert by_name[f"remind-{late.id}-{conversation}"].status == "done"
    assert by_name[f"remind-{over.id}-{conversation}"].status == "dropped"
    checkin = by_name[f"weekly-checkin-{conversation}"]
    assert checkin.status == "scheduled" and checkin.run_at > utcnow() + dt.timedelta(days=1)  # the next one
