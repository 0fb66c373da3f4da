"""Forget me and retention leave nothing (issue 16, point 6), seen by someone reading the files.

A reviewer found a resident's words left behind after "forget me": in `service_flags.note`, in Rasa's
log (rasa_sdk echoed the whole tracker when an action failed), in SQLite's free pages and write-ahead
log, and Rasa's tracker deleted after the app data and never retried; and conversations kept alive for
ever by the bot's own check-ins. Each test tries that again.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import requests
from aiohttp.test_utils import TestClient
from sqlalchemy import JSON, String, Text, create_engine, func, select, text, update
from sqlalchemy.orm import Session

import settings as settings_module
from bot.app import init_app
from bot.keys import RELAY, SESSIONS, TRACKER_ENGINE
from bot.models import AuditEvent, Base, Conversation, Escalation, Message, ScheduledJob, StaffNote, StaffUser, utcnow
from bot.staff import retention
from bot.staff.users import create_user
from bot.store import TrackerNotGone, token_hash
from database import make_engine
from directory.models import DirectoryBase, UnmetSearch
from launcher.paths import APP_PY, ROOT
from launcher.stack import Stack
from residents.models import FollowUp, Profile, ResidentsBase, ServiceFlag, Suggestion
from settings import ACTION_SECRET_HEADER
from tests.helpers import Resident, bearer, free_port, texts

METADATA = [Base.metadata, ResidentsBase.metadata, DirectoryBase.metadata]
# The schema's text columns that can hold a resident's words (or staff's words about them): the test
# plants a made-up word in each and proves every one is cleared.
PLANTED = {
    "messages": {"text", "buttons", "risk"},
    "escalations": {"trigger_text", "outcome_note", "risk_types"},
    "staff_notes": {"text"},
    "profiles": {"name", "place", "circumstances", "interests", "cared_for", "language", "preferences", "recent_lines"},
    "suggestions": {"reason", "why"},
    "followups": {"outcome"},
    "service_flags": {"note"},
    "scheduled_jobs": {"entities"},
}
# Every other text column, and why it never holds a resident's words. A new text column fails
# `test_every_text_column_is_accounted_for` until it is planted above or explained here.
NOT_WORDS = {
    # Ids, hashes and closed vocabularies; the rows that carry them go with the conversation.
    "conversations": {"id", "channel", "external_id", "source"},
    "messages": {"conversation_id", "author", "payload", "state", "source", "replica"},
    "escalations": {"conversation_id", "channel", "level", "reason", "status", "outcome"},
    "staff_notes": {"conversation_id", "author_name"},
    "checkins": {"sender_id"},
    "profiles": {"sender_id", "checkin_day"},
    "suggestions": {"sender_id", "service_id", "service_name", "category", "status"},
    "followups": {"sender_id", "service_id", "service_name", "status"},
    "service_flags": {"service_id", "service_name", "reason", "sender_id", "status"},
    "scheduled_jobs": {"name", "kind", "conversation_id", "intent", "status", "claimed_by", "last_error"},
    "abuse_flags": {"kind", "source"},
    # Staff, settings and the audit log (ids and counts only: the scan below checks it holds no words).
    "staff_users": {"username", "display_name", "password_hash", "roles"},
    "staff_sessions": {"token_hash", "csrf"},
    "staff_login_failures": {"username", "address"},
    "staff_canned_replies": {"title", "text"},
    "app_settings": {"name", "value"},
    "audit_events": {"actor", "action", "target_type", "target_id", "detail"},
    # What was searched for when nothing was found: linked to no one, so "forget me" cannot find it;
    # retention deletes it after RETENTION_DAYS (tested below).
    "dir_unmet_searches": {"category", "area", "day", "terms"},
}
# The directory's own tables describe services, never residents.
DIRECTORY = "dir_"


def text_columns() -> dict[str, set[str]]:
    """Every column of every table in the schema that can hold text (strings and JSON)."""
    return {
        table.name: {c.name for c in table.columns if isinstance(c.type, String | Text | JSON)}
        for metadata in METADATA
        for table in metadata.sorted_tables
        if any(isinstance(c.type, String | Text | JSON) for c in table.columns)
    }


def holding(engine, needle: str, skip: tuple[str, ...] = ()) -> set[tuple[str, str]]:  # noqa: ANN001
    """The (table, column) pairs where some row's value contains `needle`."""
    found = set()
    with engine.connect() as connection:
        for table, columns in text_columns().items():
            if table in skip:
                continue
            for column in columns:
                query = text(f'SELECT COUNT(*) FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE :n')  # noqa: S608
                if connection.execute(query, {"n": f"%{needle}%"}).scalar_one():
                    found.add((table, column))
    return found


def test_every_text_column_is_accounted_for() -> None:
    columns = text_columns()
    accounted = {(t, c) for t, cs in [*PLANTED.items(), *NOT_WORDS.items()] for c in cs}
    wanted = {(t, c) for t, cs in columns.items() if not t.startswith(DIRECTORY) or t in NOT_WORDS for c in cs}
    assert wanted - accounted == set(), "a text column nobody has said how it is forgotten"
    assert accounted - wanted == set(), "a column listed here is no longer in the schema"
    assert not any(set(PLANTED.get(t, ())) & set(NOT_WORDS.get(t, ())) for t in columns)


# --- "forget me" through the whole assistant ---------------------------------------------------------


def plant(stack: Stack, conversation_id: str, word: str) -> None:
    """Put `word` in every column of PLANTED for the conversation, as months of use would."""
    engine = make_engine(stack.settings.app_database_url)
    with Session(engine) as session, session.begin():
        session.execute(
            update(Escalation)
            .where(Escalation.conversation_id == conversation_id)
            .values(outcome_note=f"called back, {word}", risk_types=["cold_home", word])
        )
        session.execute(
            update(Message)
            .where(Message.conversation_id == conversation_id, Message.author == "resident")
            .values(buttons=[{"title": word, "payload": "/affirm"}], risk={"risk": "concern", "spans": [word]})
        )
        staff = session.scalars(select(StaffUser)).first() or create_user(session, "sam", "Sam", "x" * 16, ["staff"])
        session.add(StaffNote(conversation_id=conversation_id, author_id=staff.id, author_name="Sam", text=word))
        profile = session.get(Profile, conversation_id) or Profile(sender_id=conversation_id)
        profile.name, profile.place, profile.cared_for, profile.language = word, word, word, word
        profile.circumstances, profile.interests, profile.recent_lines = [word], [word], [word]
        profile.preferences = {"note": word}
        session.merge(profile)
        session.add(Suggestion(sender_id=conversation_id, service_id="s1", service_name="Choir", why=word, reason=word))
        now = utcnow()
        session.add(
            FollowUp(
                sender_id=conversation_id,
                service_id="s1",
                service_name="Choir",
                starts_at=now,
                remind_at=now,
                ask_at=now,
                outcome=word,
            )
        )
        session.add(
            ServiceFlag(
                service_id="s1", service_name="Choir", reason="unsuitable", note=word, sender_id=conversation_id
            )
        )
        session.add(
            ScheduledJob(
                name=f"checkin-{conversation_id}",
                kind="rasa",
                conversation_id=conversation_id,
                intent="EXTERNAL_checkin",
                entities={"said": word},
                run_at=now + dt.timedelta(days=7),
            )
        )
    engine.dispose()


def files_holding(folder: Path, word: str) -> list[str]:
    """The files (databases, their write-ahead logs, logs) whose bytes contain `word`."""
    needle = word.encode()
    return sorted(p.name for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes())


@pytest.mark.stack
async def test_forget_me_leaves_no_word_in_any_table_file_or_log(resident: Resident, stack: Stack) -> None:
    word = "Quill" + uuid.uuid4().hex[:8]  # a made-up word: found only where the resident's words went
    replies = await resident.say(f"My flat is freezing and the boiler's broken, {word}")
    assert replies, "no answer"
    engine = make_engine(stack.settings.app_database_url)
    with engine.connect() as connection:
        cid = connection.execute(
            select(Conversation.id).where(Conversation.external_id == token_hash("web", resident.token))
        ).scalar_one()
    plant(stack, cid, word)
    tracker = create_engine(f"sqlite:///{stack.settings.var / 'rasa-tracker.db'}")
    with tracker.connect() as connection:
        events = connection.execute(text("SELECT COUNT(*) FROM events WHERE data LIKE :w"), {"w": f"%{word}%"})
        assert events.scalar_one() > 0  # Rasa's tracker holds the words too
    planted = {(t, c) for t, cs in PLANTED.items() for c in cs}
    assert planted <= holding(engine, word), planted - holding(engine, word)

    confirm = await resident.say("please forget me")
    assert "delete everything" in texts(confirm)
    await resident.send(payload="/affirm", title="Yes, delete it all")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        async with resident.http.get(f"{resident.base}/api/chat/history", headers=bearer(resident.token)) as answer:
            if answer.status == 404:
                break
        await asyncio.sleep(0.2)
    else:
        raise AssertionError("the conversation is still there")
    await asyncio.sleep(0.5)  # the gateway empties SQLite's write-ahead log right after deleting

    # Not in any column of any table (the audit log keeps that it happened, not what was said) ...
    assert holding(engine, word) == set()
    assert holding(engine, cid, skip=("audit_events",)) == set()
    with engine.connect() as connection:
        audit = connection.execute(select(AuditEvent.action).where(AuditEvent.target_id == cid)).scalars().all()
    assert "forget" in audit
    # ... nor in Rasa's tracker ...
    with tracker.connect() as connection:
        left = connection.execute(text("SELECT COUNT(*) FROM events WHERE sender_id = :s"), {"s": cid}).scalar_one()
    assert left == 0
    # ... nor in the bytes of the database files (free pages, write-ahead logs) or any log.
    assert files_holding(stack.settings.var, word) == []
    engine.dispose()
    tracker.dispose()


# --- the action server ----------------------------------------------------------------------------


def test_a_failed_action_echoes_nothing_a_resident_said(tmp_path: Path) -> None:
    """rasa_sdk answered a failed action with the whole request (the tracker), which Rasa then logged."""
    word = "Quill" + uuid.uuid4().hex[:8]
    port, secret = free_port(), "s" * 32
    env = dict(os.environ) | {
        "KINDRED_VAR": str(tmp_path),
        "ACTION_PORT": str(port),
        "ACTION_SECRET": secret,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.db'}",  # no tables: the action's query fails
        "PYTHONPATH": str(ROOT),
    }
    log_path = tmp_path / "actions.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [str(APP_PY), "-m", "actions.server"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{port}/health", timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.3)
        call = {
            "next_action": "action_show_profile",
            "sender_id": f"web-{word}",
            "version": "3.6.2",
            "tracker": {
                "sender_id": f"web-{word}",
                "slots": {"name": word},
                "latest_message": {"text": f"what do you know about me, {word}"},
                "events": [{"event": "user", "text": f"my name is {word}"}],
                "paused": False,
            },
            "domain": {},
        }
        answer = requests.post(
            f"http://127.0.0.1:{port}/webhook", json=call, headers={ACTION_SECRET_HEADER: secret}, timeout=30
        )
        assert answer.status_code == 500
        assert word not in answer.text and "action_show_profile" in answer.text
    finally:
        server.terminate()
        server.wait(15)
    logged = log_path.read_text(encoding="utf-8", errors="replace")
    assert "action_show_profile" in logged and "Traceback" in logged  # the failure is logged ...
    assert word not in logged  # ... without the resident's words (nor their conversation id)


# --- the gateway alone: the tracker first, and retention -----------------------------------------------


PASSWORD = "a long enough passphrase"


def gateway_config(tmp_path: Path, **env: str) -> settings_module.Settings:
    return settings_module.load(
        {
            "KINDRED_VAR": str(tmp_path),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "SAFETY_NET_SECONDS": "30",
            "PUBLIC_ORIGINS": "http://127.0.0.1:8080",
            **env,
        }
    )


async def start_chat(client: TestClient, words: str) -> str:
    token = (await (await client.post("/api/chat/session", json={})).json())["token"]
    response = await client.post("/api/chat/messages", json={"text": words}, headers=bearer(token))
    assert response.status == 202
    with client.app[SESSIONS]() as session:
        return session.scalars(
            select(Conversation.id).where(Conversation.external_id == token_hash("web", token))
        ).one()


def count(client: TestClient, model, *where) -> int:  # noqa: ANN001
    with client.app[SESSIONS]() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


async def test_the_tracker_goes_first_and_is_retried_until_gone(aiohttp_client, tmp_path: Path) -> None:
    # Rasa's tracker store is a PostgreSQL server that is not answering.
    unreachable = f"postgresql://kindred@127.0.0.1:{free_port()}/tracker"
    client = await aiohttp_client(init_app(gateway_config(tmp_path, TRACKER_DATABASE_URL=unreachable)))
    cid = await start_chat(client, "hello there")
    relay = client.app[RELAY]
    relay.forget_retry_seconds = 0.2
    with client.app[SESSIONS].begin() as session:
        create_user(session, "ada", "Ada Admin", PASSWORD, ["admin"])
    with client.app[SESSIONS]() as session:
        admin = session.scalars(select(StaffUser).where(StaffUser.username == "ada")).one()
    with pytest.raises(TrackerNotGone):
        await relay.forget(cid, actor=admin, action="delete")
    # Nothing was deleted while the tracker could not be: no conversation half forgotten.
    assert count(client, Conversation, Conversation.id == cid) == 1
    assert count(client, Message, Message.conversation_id == cid) == 1
    # The retry is a job row, so a gateway restart does not lose it.
    with client.app[SESSIONS]() as session:
        retry = session.scalars(select(ScheduledJob).where(ScheduledJob.name == f"forget-{cid}")).one()
        assert (retry.kind, retry.conversation_id, retry.entities["action"]) == ("forget", cid, "delete")

    # The store comes back (here: a SQLite tracker holding the conversation's events); the scheduler's
    # retry, without anyone asking again, deletes the tracker and then everything else.
    working = make_engine(f"sqlite:///{tmp_path / 'tracker.db'}")
    with working.begin() as connection:
        connection.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, data TEXT)"))
        connection.execute(text("INSERT INTO events (sender_id, data) VALUES (:s, 'hello there')"), {"s": cid})
    relay.tracker_engine = working
    deadline = time.monotonic() + 30
    while count(client, Conversation, Conversation.id == cid) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert count(client, Conversation, Conversation.id == cid) == 0
    with working.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM events")).scalar_one() == 0
    assert count(client, AuditEvent, AuditEvent.action == "delete", AuditEvent.target_id == cid) == 1
    working.dispose()


async def test_retention_counts_only_the_residents_own_words(aiohttp_client, tmp_path: Path) -> None:
    client = await aiohttp_client(init_app(gateway_config(tmp_path)))
    left = await start_chat(client, "hello")
    stays = await start_chat(client, "hello again")
    long_ago = utcnow() - dt.timedelta(days=400)
    with client.app[SESSIONS].begin() as session:
        session.execute(update(Conversation).values(last_active_at=long_ago, created_at=long_ago))
        # A check-in that reschedules itself every week, as regular check-ins do.
        session.add(
            ScheduledJob(
                name=f"checkin-{left}",
                kind="rasa",
                conversation_id=left,
                intent="EXTERNAL_checkin",
                entities={},
                run_at=utcnow() + dt.timedelta(days=7),
            )
        )
        session.add(UnmetSearch(category="activities", area="BS5", terms="underwater basket weaving", at=long_ago))
    relay = client.app[RELAY]
    # The bot keeps talking to the one who left (check-ins, reminders); the other one writes back.
    for _ in range(3):
        await relay.say(left, "Hello! How are you doing this week?", source="rasa")
    await relay.accept(stays, "I'm still here")
    purged = await asyncio.to_thread(retention.purge, client.app[SESSIONS], client.app[TRACKER_ENGINE], 365)
    assert purged == 1
    assert count(client, Conversation, Conversation.id == left) == 0
    assert count(client, Conversation, Conversation.id == stays) == 1
    assert count(client, ScheduledJob, ScheduledJob.conversation_id == left) == 0
    assert count(client, UnmetSearch) == 0


async def test_a_deleted_note_is_not_left_in_the_database_file(aiohttp_client, tmp_path: Path) -> None:
    """secure_delete: SQLite overwrites what is deleted, so the file holds no copy of it."""
    client = await aiohttp_client(init_app(gateway_config(tmp_path)))
    word = "Quill" + uuid.uuid4().hex[:8]
    cid = await start_chat(client, f"my neighbour {word} takes my pension")
    with client.app[SESSIONS].begin() as session:
        session.add(ServiceFlag(service_id="s1", service_name="Choir", reason="unsuitable", note=word, sender_id=cid))
    await client.app[RELAY].forget(cid)
    with client.app[SESSIONS]() as session:
        flag = session.scalars(select(ServiceFlag)).one()
    assert (flag.sender_id, flag.note) == (None, "")  # the editor keeps the flag, not the resident's words
    assert files_holding(tmp_path, word) == []


def test_the_upgrade_measures_existing_conversations_on_the_residents_own_words(tmp_path: Path) -> None:
    """Conversations kept alive by check-ins before this version are measured again when it installs."""
    from alembic import command

    from database import alembic_config, upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'kindred.db'}")
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
    wrote, checked_in = utcnow() - dt.timedelta(days=400), utcnow() - dt.timedelta(days=1)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO conversations (id, channel, external_id, created_at, last_active_at) "
                "VALUES ('c1', 'web', 'x1', :old, :new), ('c2', 'web', 'x2', :old, :new)"
            ),
            {"old": wrote - dt.timedelta(days=1), "new": checked_in},
        )
        connection.execute(
            text(
                "INSERT INTO messages (conversation_id, author, text, state, safety_net_sent, created_at) VALUES "
                "('c1', 'resident', 'hello', 'delivered', 0, :wrote), "
                "('c1', 'bot', 'How are you?', 'delivered', 0, :new)"
            ),
            {"wrote": wrote, "new": checked_in},
        )
    upgrade(engine)
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT id, last_active_at FROM conversations")).all())
    assert str(found["c1"]).startswith(str(wrote)[:19])  # the resident's own last message
    assert str(found["c2"]).startswith(str(wrote - dt.timedelta(days=1))[:19])  # never wrote: when it began
    engine.dispose()
