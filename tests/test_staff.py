"""The staff console against the real gateway (real HTTP, real SQLite), with Rasa unreachable.

Rasa being down is the hard case for a handoff: the safety net answers and escalates, staff take
over, and nothing the bot would say may reach the resident while staff have the conversation. The
browser tests (test_staff_browser.py) run the same handoff with the whole assistant.
"""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import os
import re
from pathlib import Path

import pytest
from aiohttp import FormData
from aiohttp.test_utils import TestClient
from sqlalchemy import create_engine, select, text, update
from sqlalchemy.exc import DatabaseError

import settings as settings_module
from bot.app import init_app
from bot.keys import RELAY, SESSIONS, SETTINGS, TRACKER_ENGINE
from bot.models import (
    AuditEvent,
    Conversation,
    Escalation,
    LoginFailure,
    Message,
    StaffNote,
    StaffSession,
    StaffUser,
    utcnow,
)
from bot.staff import charts, retention
from bot.staff.users import create_user
from directory import models as dm
from residents.models import CheckIn, FollowUp, Profile, ServiceFlag, Suggestion
from tests.helpers import CSRF_FIELD, bearer, free_port, staff_sign_in

ORIGIN = "http://127.0.0.1:8080"
PASSWORD = "a long enough passphrase"
DATA = Path(__file__).resolve().parent / "data"
HTML = {"Accept": "text/html"}


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:
    config = settings_module.load(
        {
            "KINDRED_VAR": str(tmp_path),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "SAFETY_NET_SECONDS": "0.3",
            "PUBLIC_ORIGINS": ORIGIN,
        }
    )
    client = await aiohttp_client(init_app(config))
    with client.app[SESSIONS].begin() as session:
        create_user(session, "sam", "Sam Patel", PASSWORD, ["staff"])
        create_user(session, "alex", "Alex Jones", PASSWORD, ["staff"])
        create_user(session, "eddie", "Eddie Editor", PASSWORD, ["editor"])
        create_user(session, "ada", "Ada Admin", PASSWORD, ["admin"])
        create_user(session, "stella", "Stella Both", PASSWORD, ["staff", "editor"])
    return client


async def sign_in(client: TestClient, username: str) -> str:
    return await staff_sign_in(client.session, str(client.make_url("")).rstrip("/"), username, PASSWORD)


async def wait_for(predicate, timeout: float = 8.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if await predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def resident_says(client: TestClient, token: str | None, text: str) -> str:
    if token is None:
        response = await client.post("/api/chat/session", json={})
        token = (await response.json())["token"]
    response = await client.post("/api/chat/messages", json={"text": text}, headers=bearer(token))
    assert response.status == 202
    return token


async def history(client: TestClient, token: str) -> list[dict]:
    response = await client.get("/api/chat/history", headers=bearer(token))
    return (await response.json())["messages"]


def rows(client: TestClient, model, *where):  # noqa: ANN001, ANN201
    with client.app[SESSIONS]() as session:
        return list(session.scalars(select(model).where(*where)))


async def urgent_escalation(client: TestClient) -> tuple[str, Escalation]:
    token = await resident_says(client, None, "I can't go on, I want to kill myself")

    async def escalated() -> bool:
        return bool(rows(client, Escalation))

    await wait_for(escalated)
    return token, rows(client, Escalation)[-1]


# --- every route needs its role ----------------------------------------------------------------------


def _path(canonical: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], canonical)


async def test_every_console_route_needs_a_session_and_its_role(client: TestClient) -> None:
    _, escalation = await urgent_escalation(client)
    with client.app[SESSIONS]() as session:
        user_id = str(session.scalars(select(StaffUser.id)).first())
    ids = {
        "conversation_id": escalation.conversation_id,
        "name": "escalations",
        "flag_id": "1",
        "service_id": "svc",
        "user_id": user_id,
        "reply_id": "1",
    }
    routes = [
        (route.method, route.resource.canonical, getattr(route.handler, "kindred_role", None))
        for route in client.app.router.routes()
        if route.resource is not None and route.resource.canonical.startswith("/staff") and route.method != "HEAD"
    ]
    assert len(routes) >= 30
    # Default deny: a console route without a declared role would be refused; none may lack one.
    assert [r for r in routes if r[2] is None] == []
    public = [(m, p) for m, p, role in routes if role == "public"]
    assert sorted(public) == [("GET", "/staff/login"), ("POST", "/staff/login")]

    checked = 0
    for method, canonical, role in routes:
        if role == "public":
            continue
        url = _path(canonical, ids)
        # Without a session: pages send the browser to sign in; anything else is 401.
        response = await client.request(method, url, headers=HTML, allow_redirects=False)
        if method == "GET":
            assert response.status == 303, (method, url, response.status)
            assert response.headers["Location"].startswith("/staff/login?next=")
        else:
            assert response.status == 401, (method, url, response.status)
        response = await client.request(method, url, allow_redirects=False)
        assert response.status in (401, 303), (method, url)
        checked += 1
    assert checked == len(routes) - 2

    # With a role too low (and a valid CSRF token, so only the role can be what refuses it).
    too_low = {"staff": "eddie", "editor": "sam", "admin": "stella"}
    for low_user in sorted(set(too_low.values())):
        client.session.cookie_jar.clear()
        csrf = await sign_in(client, low_user)
        for method, canonical, role in routes:
            if too_low.get(role) != low_user:
                continue
            url = _path(canonical, ids)
            data = {"csrf": csrf} if method == "POST" else None
            response = await client.request(method, url, data=data, headers=HTML, allow_redirects=False)
            assert response.status == 403, (low_user, method, url, response.status)
    # Nothing those refused requests asked for happened.
    assert rows(client, Conversation)
    assert rows(client, Escalation)[0].status == "new"
    assert not rows(client, StaffNote)


async def test_console_pages_are_private_and_unframeable(client: TestClient) -> None:
    await sign_in(client, "sam")
    response = await client.get("/staff/queue", headers=HTML)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "cdn" not in (await response.text()).lower()


# --- sign-in -----------------------------------------------------------------------------------------


async def test_sign_in_cookie_rate_limit_expiry_and_sign_out(client: TestClient) -> None:
    page = await (await client.get("/staff/login", headers=HTML)).text()
    login_csrf = CSRF_FIELD.search(page).group(1)
    # No CSRF token: refused before the password is even looked at.
    response = await client.post("/staff/login", data={"username": "sam", "password": PASSWORD})
    assert response.status == 403
    # Wrong password: a kind 401 that does not say which part was wrong.
    response = await client.post("/staff/login", data={"csrf": login_csrf, "username": "sam", "password": "nope"})
    assert response.status == 401
    assert "don&#39;t match" in await response.text()
    # Always HttpOnly and SameSite=Strict; X-Forwarded-Proto from a peer that is not a trusted proxy
    # is ignored (tests/test_security_staff.py checks Secure behind a trusted proxy).
    response = await client.post(
        "/staff/login",
        data={"csrf": login_csrf, "username": "SAM", "password": PASSWORD, "next": "https://evil.example/"},
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == "/staff"  # no open redirect
    cookie = next(c for c in response.headers.getall("Set-Cookie") if c.startswith("kindred_staff="))
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" not in cookie and "Path=/staff" in cookie
    with client.app[SESSIONS]() as session:
        stored = session.scalars(select(StaffSession)).one()
    assert stored.token_hash not in cookie  # only a hash of the token is stored

    # Idle too long: the session ends and the next page asks to sign in again.
    client.session.cookie_jar.clear()
    await sign_in(client, "alex")
    with client.app[SESSIONS].begin() as session:
        session.execute(update(StaffSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=31)))
    response = await client.get("/staff/queue", headers=HTML, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"].startswith("/staff/login")

    # Sign out ends the session on the server.
    csrf = await sign_in(client, "alex")
    response = await client.post("/staff/logout", data={"csrf": csrf}, allow_redirects=False)
    assert response.status == 303
    assert (await client.get("/staff/queue", headers=HTML, allow_redirects=False)).status == 303

    # Five failures for one username from one address pause sign-in there, even with the right password.
    client.session.cookie_jar.clear()
    page = await (await client.get("/staff/login", headers=HTML)).text()
    login_csrf = CSRF_FIELD.search(page).group(1)
    for _ in range(5):
        response = await client.post("/staff/login", data={"csrf": login_csrf, "username": "ada", "password": "guess"})
        assert response.status == 401
    response = await client.post("/staff/login", data={"csrf": login_csrf, "username": "ada", "password": PASSWORD})
    assert response.status == 429
    assert "Too many unsuccessful attempts from here" in await response.text()
    # Another account from the same address is not locked out by that.
    response = await client.post("/staff/login", data={"csrf": login_csrf, "username": "sam", "password": PASSWORD})
    assert response.status == 200  # followed the redirect to the queue
    assert len(rows(client, LoginFailure, LoginFailure.username == "ada")) == 5
    actions = [e.action for e in rows(client, AuditEvent)]
    assert actions.count("login_failed") >= 6 and "login_paused" in actions and "logout" in actions


async def test_csrf_is_enforced_on_every_change(client: TestClient) -> None:
    _, escalation = await urgent_escalation(client)
    csrf = await sign_in(client, "sam")
    url = f"/staff/conversations/{escalation.conversation_id}/notes"
    assert (await client.post(url, data={"text": "no token"})).status == 403
    assert (await client.post(url, data={"text": "wrong", "csrf": "x" * 43})).status == 403
    response = await client.post(
        url, data={"text": "cross-site", "csrf": csrf}, headers={"Origin": "https://evil.example"}
    )
    assert response.status == 403
    response = await client.post(url, json={"text": "json without header", "csrf": csrf})
    assert response.status == 403
    assert rows(client, StaffNote) == []
    response = await client.post(url, data={"text": "Called her daughter.", "csrf": csrf}, allow_redirects=False)
    assert response.status == 303
    # The header works too (what the page's scripts would use).
    response = await client.post(
        url, data={"text": "Second note"}, headers={"X-CSRF-Token": csrf}, allow_redirects=False
    )
    assert response.status == 303
    assert [n.text for n in rows(client, StaffNote)] == ["Called her daughter.", "Second note"]


# --- the handoff -----------------------------------------------------------------------------------------


async def test_handoff_keeps_the_bot_silent_and_reaches_the_resident(client: TestClient) -> None:
    token, escalation = await urgent_escalation(client)
    conversation_id = escalation.conversation_id
    assert escalation.level == "urgent" and escalation.status == "new"
    sam = await sign_in(client, "sam")

    # The queue shows it, urgent first, with what triggered it (as text).
    queue = await (await client.get("/staff/queue", headers=HTML)).text()
    assert "Urgent" in queue and "I can&#39;t go on" in queue and "suicide" in queue

    response = await client.post(
        f"/staff/conversations/{conversation_id}/claim", data={"csrf": sam, "escalation": escalation.id}
    )
    page = await response.text()
    assert "You have this conversation" in page
    messages = await history(client, token)
    assert messages[-1]["author"] == "staff" and "Sam Patel" in messages[-1]["text"]

    # While staff have it: Rasa is never asked (the message is for staff), the safety net stays
    # quiet even for a risky message, and a late reply from Rasa is dropped.
    before = len([m for m in await history(client, token) if m["author"] == "bot"])
    await resident_says(client, token, "I took all my tablets")
    await resident_says(client, token, "are you still there?")
    await asyncio.sleep(1.2)  # four times the safety net's wait
    late = {"recipient_id": conversation_id, "text": "A late reply from Rasa"}
    assert (await client.post(f"/rasa/callback/{client.app[SETTINGS].secret}", json=late)).status == 200
    bot_after = [m for m in await history(client, token) if m["author"] == "bot"]
    assert len(bot_after) == before
    stored = rows(client, Message, Message.conversation_id == conversation_id, Message.author == "resident")
    assert [(m.state, m.source) for m in stored[-2:]] == [("delivered", "staff"), ("delivered", "staff")]
    assert stored[-2].risk is not None  # still assessed, for the staff member reading
    assert rows(client, Escalation)[0].level == "urgent"

    # A second member of staff cannot claim it too.
    client.session.cookie_jar.clear()
    alex = await sign_in(client, "alex")
    response = await client.post(
        f"/staff/conversations/{conversation_id}/claim", data={"csrf": alex, "escalation": escalation.id}
    )
    assert "already claimed" in await response.text()
    response = await client.post(f"/staff/conversations/{conversation_id}/reply", data={"csrf": alex, "text": "Hi"})
    assert "Claim the conversation first" in await response.text()

    # Sam replies (typed, and a canned reply); both reach the resident and the transcript.
    client.session.cookie_jar.clear()
    sam = await sign_in(client, "sam")
    await client.post(
        f"/staff/conversations/{conversation_id}/reply", data={"csrf": sam, "text": "I'm here. Are you safe?"}
    )
    await client.post(f"/staff/conversations/{conversation_id}/reply", data={"csrf": sam, "canned": "3"})
    staff_said = [m["text"] for m in await history(client, token) if m["author"] == "staff"]
    assert staff_said[-2] == "I'm here. Are you safe?"
    assert "116 123" in staff_said[-1]
    assert rows(client, Escalation)[0].first_response_at is not None

    # Two console pages see changes live: the event stream says which conversation changed.
    events = await client.get("/staff/events")
    assert events.headers["Content-Type"].startswith("text/event-stream")
    await events.content.readline()  # retry:
    await events.content.readline()
    await resident_says(client, token, "yes I'm safe now")
    line = await asyncio.wait_for(events.content.readline(), 5)
    event = json.loads(line.decode().removeprefix("data: "))
    assert event["conversation"] == conversation_id and "text" not in event
    events.close()

    # The conversation page shows everything, with the trigger highlighted.
    page = await (await client.get(f"/staff/conversations/{conversation_id}", headers=HTML)).text()
    assert 'class="msg resident trigger"' in page and "This message raised the alert" in page
    assert "Sam Patel took over from the bot." in page

    # Hand back: the resident is told, and the bot may speak again.
    await client.post(f"/staff/conversations/{conversation_id}/hand-back", data={"csrf": sam})
    last = (await history(client, token))[-1]
    assert last["author"] == "bot" and "handed you back" in last["text"]
    with client.app[SESSIONS]() as session:
        assert session.get(Conversation, conversation_id).paused_by is None

    # Resolve with an outcome.
    response = await client.post(
        f"/staff/conversations/{conversation_id}/resolve",
        data={"csrf": sam, "escalation": escalation.id, "outcome": "supported", "note": "Safe; GP tomorrow."},
    )
    assert "Resolved" in await response.text()
    resolved = rows(client, Escalation)[0]
    assert (resolved.status, resolved.outcome, resolved.outcome_note) == ("resolved", "supported", "Safe; GP tomorrow.")
    actions = [(e.action, e.actor) for e in rows(client, AuditEvent) if e.actor_id]
    for action in ("claim", "reply", "view", "hand_back", "resolve"):
        assert any(a == action and "Sam Patel" in who for a, who in actions), action


async def test_resident_text_is_inert_in_the_console(client: TestClient) -> None:
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)> help, I want to die"
    token = await resident_says(client, None, hostile)

    async def escalated() -> bool:
        return bool(rows(client, Escalation))

    await wait_for(escalated)
    await sign_in(client, "sam")
    conversation_id = rows(client, Escalation)[0].conversation_id
    for url in ("/staff/queue", "/staff/queue/rows", f"/staff/conversations/{conversation_id}"):
        page = await (await client.get(url, headers=HTML)).text()
        assert "<script>alert(1)" not in page and "<img src=x" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
    assert token


async def test_the_audit_log_is_append_only(client: TestClient) -> None:
    await sign_in(client, "ada")
    engine = create_engine(client.app[SETTINGS].app_database_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(text("SELECT count(*) FROM audit_events")).scalar()
            assert count >= 1
            with pytest.raises(DatabaseError, match="append-only"):
                connection.execute(text("UPDATE audit_events SET actor = 'someone else'"))
            with pytest.raises(DatabaseError, match="append-only"):
                connection.execute(text("DELETE FROM audit_events"))
    finally:
        engine.dispose()
    page = await (await client.get("/staff/admin/audit", headers=HTML)).text()
    assert "Ada Admin (ada)" in page and "login" in page


# --- reports ---------------------------------------------------------------------------------------------


async def test_reports_draw_charts_and_export_anonymised_csv(client: TestClient) -> None:
    now = utcnow()
    with client.app[SESSIONS].begin() as session:
        for i, (channel, types, wait) in enumerate(
            [("web", ["suicide"], 4), ("telegram", ["cold_home"], 30), ("web", ["suicide", "abuse"], None)]
        ):
            session.add(Conversation(id=f"c{i}", channel=channel, external_id=f"x{i}", created_at=now))
            session.flush()
            session.add(
                Escalation(
                    conversation_id=f"c{i}",
                    channel=channel,
                    level="urgent",
                    risk_types=types,
                    reason="risk",
                    trigger_text="=HYPERLINK(secret words)",
                    created_at=now - dt.timedelta(hours=1),
                    first_response_at=None
                    if wait is None
                    else now - dt.timedelta(hours=1) + dt.timedelta(minutes=wait),
                )
            )
        for sender, scores in (("c0", (8, 6)), ("c1", (5, 7))):
            for days, score in zip((40, 2), scores, strict=True):
                session.add(
                    CheckIn(
                        sender_id=sender,
                        ons=3,
                        ucla_company=2,
                        ucla_left_out=2,
                        ucla_isolated=score - 4,
                        ucla_total=score,
                        taken_at=now - dt.timedelta(days=days),
                    )
                )
        session.add(Suggestion(sender_id="c0", service_id="s1", service_name="Choir", category="activities"))
        session.add(dm.UnmetSearch(category="befriending", area="BS5", day=None, terms=None))
        session.add(dm.UnmetSearch(category="befriending", area="=cmd", day=None, terms=None))
    await sign_in(client, "sam")
    page = await (await client.get("/staff/reports", headers=HTML)).text()
    assert page.count("<svg") == 6
    assert "Of 2 people with two or more check-ins: 1 less lonely" in page

    expected = {
        "escalations": ["week_starting", "risk_type", "escalations"],
        "response": ["week_starting", "responded", "median_minutes", "p90_minutes", "no_staff_reply_yet"],
        "loneliness": ["month", "check_ins", "mean_ucla_3_to_9", "mean_ons_1_to_5"],
        "needs": ["kind_of_help", "requests", "with_results", "unmet"],
        "unmet": ["area", "kind_of_help", "searches"],
        "channels": ["week_starting", "channel", "conversations"],
    }
    for name, header in expected.items():
        response = await client.get(f"/staff/reports/{name}.csv")
        assert response.status == 200 and response.content_type == "text/csv"
        body = await response.text()
        table = list(csv.reader(io.StringIO(body)))
        assert table[0] == header, name
        assert "secret words" not in body and "c0" not in body and "Choir" not in body, name
    response_rows = list(csv.reader(io.StringIO(await (await client.get("/staff/reports/response.csv")).text())))
    this_week = response_rows[-1]
    assert this_week[1:] == ["2", "17.0", "30.0", "1"]
    unmet = await (await client.get("/staff/reports/unmet.csv")).text()
    assert "'=cmd" in unmet  # a spreadsheet would not run it
    assert (await client.get("/staff/reports/nothing.csv")).status == 404
    exports = [e for e in rows(client, AuditEvent) if e.action == "export"]
    assert len(exports) >= 6


def test_charts_escape_labels() -> None:
    svg = str(charts.bars("A <b>title</b>", ["<x>"], {"<script>": [3]}))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&lt;x&gt;" in svg
    assert svg.count("<rect") == 2  # the bar and its legend swatch


# --- the directory for editors ------------------------------------------------------------------------


async def test_editors_correct_check_and_import_services(client: TestClient) -> None:
    csrf = await sign_in(client, "eddie")
    feed = (DATA / "oruk1_feed.json").read_bytes()

    # An upload must carry the CSRF field first.
    form = FormData()
    form.add_field("file", feed, filename="feed.json", content_type="application/json")
    assert (await client.post("/staff/directory/import", data=form)).status == 403
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", b"this is not json", filename="broken.json", content_type="application/json")
    response = await client.post("/staff/directory/import", data=form)
    assert response.status == 400 and "could not be imported" in await response.text()
    form = FormData()
    form.add_field("csrf", csrf)
    form.add_field("file", feed, filename="feed.json", content_type="application/json")
    response = await client.post("/staff/directory/import", data=form)
    page = await response.text()
    assert response.status == 200, page
    assert re.search(r"[1-9]\d* services imported", page)

    service = rows(client, dm.Service)[0]
    with client.app[SESSIONS].begin() as session:
        session.add(
            ServiceFlag(service_id=service.id, service_name=service.name, reason="not_running", note="<b>closed</b>")
        )
    page = await (await client.get(f"/staff/directory/services/{service.id}", headers=HTML)).text()
    assert "&lt;b&gt;closed&lt;/b&gt;" in page

    response = await client.post(
        f"/staff/directory/services/{service.id}",
        data={"csrf": csrf, "name": "Tuesday Tea Dance", "status": "active", "minimum_age": "55", "maximum_age": ""},
    )
    assert "Saved" in await response.text()
    with client.app[SESSIONS]() as session:
        edited = session.get(dm.Service, service.id)
        document = session.scalars(select(dm.SearchDocument).where(dm.SearchDocument.service_id == service.id)).one()
    assert edited.name == "Tuesday Tea Dance" and edited.minimum_age == 55
    assert document.name == "Tuesday Tea Dance"  # searches see it at once
    response = await client.post(f"/staff/directory/services/{service.id}", data={"csrf": csrf, "minimum_age": "old"})
    assert "Ages must be numbers" in await response.text()

    await client.post(f"/staff/directory/services/{service.id}/checked", data={"csrf": csrf})
    with client.app[SESSIONS]() as session:
        assert session.get(dm.Service, service.id).assured_date == dt.date.today().isoformat()

    flag = rows(client, ServiceFlag)[0]
    await client.post(f"/staff/directory/flags/{flag.id}", data={"csrf": csrf, "status": "fixed"})
    assert rows(client, ServiceFlag)[0].status == "fixed"
    actions = {e.action for e in rows(client, AuditEvent)}
    assert {"import", "edit_service", "check_service", "flag_fixed"} <= actions


# --- retention and deleting ---------------------------------------------------------------------------


async def test_retention_purges_old_conversations_but_not_open_escalations(client: TestClient) -> None:
    old = utcnow() - dt.timedelta(days=400)
    with client.app[SESSIONS].begin() as session:
        for cid, last in (("old", old), ("old-open", old), ("recent", utcnow())):
            session.add(Conversation(id=cid, channel="web", external_id=cid, last_active_at=last))
            session.flush()
            session.add(Message(conversation_id=cid, author="resident", text="hello"))
            session.add(Profile(sender_id=cid, name="Jo"))
        session.add(
            Escalation(conversation_id="old-open", channel="web", level="concern", risk_types=[], reason="risk")
        )
    csrf = await sign_in(client, "ada")
    # The admin shortens retention, then purges now (the gateway also does this on its own timer).
    await client.post("/staff/admin/settings", data={"csrf": csrf, "retention_days": "365"})
    response = await client.post("/staff/admin/purge", data={"csrf": csrf})
    assert "purged 1" in await response.text()
    assert sorted(c.id for c in rows(client, Conversation)) == ["old-open", "recent"]
    assert sorted(p.sender_id for p in rows(client, Profile)) == ["old-open", "recent"]
    assert rows(client, Message, Message.conversation_id == "old") == []
    purge = [e for e in rows(client, AuditEvent) if e.action == "purge"]
    assert purge[-1].detail == {"deleted": 1, "retention_days": 365} and "Ada Admin" in purge[-1].actor
    assert [e.detail["after"] for e in rows(client, AuditEvent) if e.action == "settings"] == ["365"]
    # With the period shortened, the recent one stays (it is active), and the function is the same
    # one the scheduler runs.
    assert retention.purge(client.app[SESSIONS], client.app[TRACKER_ENGINE], 365) == 0

    # An admin can delete a conversation outright (a "forget me" made by phone); audited.
    await client.post("/staff/conversations/recent/delete", data={"csrf": csrf, "confirm": "delete"})
    assert [c.id for c in rows(client, Conversation)] == ["old-open"]
    assert any(e.action == "delete" and e.target_id == "recent" for e in rows(client, AuditEvent))


async def test_forget_me_from_the_resident_is_audited(client: TestClient) -> None:
    token = await resident_says(client, None, "hello")
    conversation_id = rows(client, Conversation)[0].id
    await client.app[RELAY].forget(conversation_id)
    assert rows(client, Conversation) == []
    events = [e for e in rows(client, AuditEvent) if e.action == "forget"]
    assert [(e.actor, e.target_id) for e in events] == [("resident", conversation_id)]
    assert token


# --- accounts ---------------------------------------------------------------------------------------------


async def test_admins_manage_users_and_cannot_lock_themselves_out(client: TestClient) -> None:
    csrf = await sign_in(client, "ada")
    response = await client.post(
        "/staff/admin/users",
        data={"csrf": csrf, "username": "<new>", "display_name": "X", "password": PASSWORD, "roles": "staff"},
    )
    assert "Usernames are" in await response.text()
    response = await client.post(
        "/staff/admin/users",
        data={"csrf": csrf, "username": "newbie", "display_name": "New Bie", "password": "short", "roles": "staff"},
    )
    assert "at least 12 characters" in await response.text()
    await client.post(
        "/staff/admin/users",
        data={"csrf": csrf, "username": "newbie", "display_name": "New Bie", "password": PASSWORD, "roles": "staff"},
    )
    newbie = rows(client, StaffUser, StaffUser.username == "newbie")[0]
    assert newbie.roles == ["staff"] and newbie.password_hash.startswith("$argon2id$")
    ada = rows(client, StaffUser, StaffUser.username == "ada")[0]
    response = await client.post(f"/staff/admin/users/{ada.id}", data={"csrf": csrf, "roles": "staff", "active": "on"})
    assert "can&#39;t remove your own admin role" in await response.text()
    # Switching someone off ends their sessions at once.
    other = TestClient(client.server)
    await other.start_server()
    try:
        await staff_sign_in(other.session, str(other.make_url("")).rstrip("/"), "newbie", PASSWORD)
        await client.post(f"/staff/admin/users/{newbie.id}", data={"csrf": csrf, "roles": "staff"})
        response = await other.get("/staff/queue", headers=HTML, allow_redirects=False)
        assert response.status == 303
    finally:
        await other.session.close()


def test_add_user_from_the_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:  # noqa: ANN001
    from bot.staff.cli import main

    monkeypatch.setenv("KINDRED_VAR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.setenv("KINDRED_NEW_PASSWORD", PASSWORD)
    assert main(["add-user", "Jo", "--name", "Jo Bloggs", "--role", "staff", "--role", "editor"]) == 0
    assert main(["add-user", "jo", "--role", "staff"]) == 2
    assert "already a user called jo" in capsys.readouterr().err
    assert main(["list"]) == 0
    assert "Jo Bloggs" in capsys.readouterr().out
    assert main(["disable", "jo"]) == 0
    engine = create_engine(f"sqlite:///{tmp_path / 'kindred.db'}")
    with engine.connect() as connection:
        found = connection.execute(text("SELECT username, roles, active FROM staff_users")).one()
    engine.dispose()
    assert found[0] == "jo" and json.loads(found[1]) == ["editor", "staff"] and not found[2]


# --- the queue's order and filters, and what a conversation page shows ---------------------------------


async def test_queue_order_filters_and_the_whole_picture_of_a_person(client: TestClient) -> None:
    now = utcnow()
    with client.app[SESSIONS].begin() as session:
        for cid, channel, level, types, reason, minutes in (
            ("p-old", "web", "person", [], "asked_for_person", 90),
            ("c-new", "telegram", "concern", ["cold_home"], "risk", 5),
            ("u-new", "web", "urgent", ["abuse"], "risk", 2),
            ("u-old", "telegram", "urgent", ["suicide"], "risk", 30),
        ):
            session.add(Conversation(id=cid, channel=channel, external_id=cid))
            session.flush()
            trigger = Message(conversation_id=cid, author="resident", text=f"trigger of {cid}")
            session.add(trigger)
            session.flush()
            session.add(
                Escalation(
                    conversation_id=cid,
                    channel=channel,
                    level=level,
                    risk_types=types,
                    reason=reason,
                    trigger_message_id=trigger.id,
                    trigger_text=trigger.text,
                    created_at=now - dt.timedelta(minutes=minutes),
                )
            )
        session.add(
            Profile(sender_id="u-old", name="Maud", place="Bristol", circumstances=["bereaved"], interests=["choir"])
        )
        for days, total in ((35, 8), (1, 6)):
            session.add(
                CheckIn(
                    sender_id="u-old",
                    ons=4,
                    ucla_company=2,
                    ucla_left_out=2,
                    ucla_isolated=total - 4,
                    ucla_total=total,
                    taken_at=now - dt.timedelta(days=days),
                )
            )
        suggestion = Suggestion(
            sender_id="u-old", service_id="s9", service_name="Bedminster Choir", category="activities"
        )
        session.add(suggestion)
        session.flush()
        session.add(
            FollowUp(
                sender_id="u-old",
                suggestion_id=suggestion.id,
                service_id="s9",
                service_name="Bedminster Choir",
                starts_at=now,
                remind_at=now,
                ask_at=now,
                status="done",
                went=True,
                outcome="loved it",
            )
        )
    await sign_in(client, "sam")
    page = await (await client.get("/staff/queue/rows", headers=HTML)).text()
    order = re.findall(r"trigger of ([a-z-]+)", page)
    assert order == ["u-old", "u-new", "c-new", "p-old"]  # urgent first, then the longest waiting
    assert "30 min" in page and "1 h 30 min" in page
    page = await (await client.get("/staff/queue/rows?channel=telegram", headers=HTML)).text()
    assert re.findall(r"trigger of ([a-z-]+)", page) == ["u-old", "c-new"]
    page = await (await client.get("/staff/queue/rows?risk=asked_for_person", headers=HTML)).text()
    assert re.findall(r"trigger of ([a-z-]+)", page) == ["p-old"]
    page = await (await client.get("/staff/queue/rows?status=resolved&risk=nonsense", headers=HTML)).text()
    assert "Nothing here right now" in page

    page = await (await client.get("/staff/conversations/u-old", headers=HTML)).text()
    for expected in ("Maud", "Bristol", "bereaved", "choir", "Bedminster Choir", "loved it", "went"):
        assert expected in page, expected
    assert "a bit better than last month" in page or "quite a bit better than last month" in page
    assert 'class="msg resident trigger"' in page
    # Staff cannot tell a conversation that does not exist from one that was not escalated.
    assert (await client.get("/staff/conversations/nobody", headers=HTML)).status == 403


async def test_two_people_claiming_at_once_cannot_both_win(client: TestClient) -> None:
    _, escalation = await urgent_escalation(client)
    url = f"/staff/conversations/{escalation.conversation_id}/claim"
    second = TestClient(client.server)
    await second.start_server()
    try:
        base = str(client.make_url("")).rstrip("/")
        sam = await staff_sign_in(client.session, base, "sam", PASSWORD)
        alex = await staff_sign_in(second.session, base, "alex", PASSWORD)
        pages = await asyncio.gather(
            client.post(url, data={"csrf": sam, "escalation": escalation.id}),
            second.post(url, data={"csrf": alex, "escalation": escalation.id}),
        )
        texts = [await p.text() for p in pages]
    finally:
        await second.session.close()
    won = [t for t in texts if "You have this conversation" in t]
    lost = [t for t in texts if "already claimed" in t or "a moment ago" in t]
    assert len(won) == 1 and len(lost) == 1
    claims = [e for e in rows(client, AuditEvent) if e.action == "claim"]
    assert len(claims) == 1
    intros = [m for m in rows(client, Message, Message.author == "staff")]
    assert len(intros) == 1


def test_claims_racing_on_postgresql_have_one_winner() -> None:
    """Many threads claim the same escalations at once on PostgreSQL: each has exactly one owner."""
    import threading
    import uuid
    from types import SimpleNamespace

    import psycopg
    from sqlalchemy.orm import sessionmaker

    from bot.staff import handoff
    from bot.staff.auth import as_staff
    from database import make_engine, upgrade

    admin = os.environ.get("KINDRED_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"kindred_claim_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(admin.replace("postgresql://", "postgresql+psycopg://").rsplit("/", 1)[0] + "/" + name)
    try:
        upgrade(engine)
        sessions = sessionmaker(engine, expire_on_commit=False)
        with sessions.begin() as session:
            users = [create_user(session, f"user{i}", f"User {i}", PASSWORD, ["staff"]) for i in range(4)]
            for n in range(10):
                session.add(Conversation(id=f"c{n}", channel="web", external_id=f"x{n}"))
                session.flush()
                session.add(
                    Escalation(conversation_id=f"c{n}", channel="web", level="urgent", risk_types=[], reason="risk")
                )
        staff = [as_staff(u) for u in users]
        relay = SimpleNamespace(sessions=sessions)
        with sessions() as session:
            pairs = list(session.execute(select(Escalation.id, Escalation.conversation_id)))
        ids = [escalation_id for escalation_id, _ in pairs]
        wins: list[tuple[int, str]] = []
        barrier = threading.Barrier(len(staff))

        def claim_all(person) -> None:  # noqa: ANN001
            for escalation_id, conversation_id in pairs:
                barrier.wait()
                try:
                    handoff.claim(relay, person, escalation_id, conversation_id)
                    wins.append((escalation_id, person.username))
                except handoff.HandoffError:
                    pass

        threads = [threading.Thread(target=claim_all, args=(person,)) for person in staff]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert sorted(e for e, _ in wins) == sorted(ids)  # one winner each, never two
        with sessions() as session:
            for escalation in session.scalars(select(Escalation)):
                conversation = session.get(Conversation, escalation.conversation_id)
                assert escalation.claimed_by == conversation.paused_by is not None
    finally:
        engine.dispose()
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_a_new_concern_after_the_hand_back_puts_it_back_in_the_queue(client: TestClient) -> None:
    token, escalation = await urgent_escalation(client)
    sam = await sign_in(client, "sam")
    base = f"/staff/conversations/{escalation.conversation_id}"
    await client.post(base + "/claim", data={"csrf": sam, "escalation": escalation.id})
    await client.post(base + "/hand-back", data={"csrf": sam})
    assert rows(client, Escalation)[0].status == "claimed"  # handed back, not yet resolved
    await resident_says(client, token, "I still want to kill myself")

    async def reopened() -> bool:
        return rows(client, Escalation)[0].status == "new"

    await wait_for(reopened)
    assert len(rows(client, Escalation)) == 1
    assert any("back in the queue" in m.text for m in rows(client, Message, Message.author == "system"))
    # The bot answers again after the hand-back (here the safety net, as Rasa is down).
    assert any(m["source"] == "safety_net" for m in (await history(client, token))[-3:])
