"""The staff console seen by an attacker (issue 16, points 5 and 7 and the console's smaller findings).

Each test tries what a reviewer tried against a running Kindred and checks it no longer works: it
runs the real gateway (real HTTP, real SQLite) as tests/test_staff.py does.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import datetime as dt
import io
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import create_engine, select, update
from sqlalchemy.orm import Session

import settings as settings_module
from bot.addresses import client_address, forwarded_for, request_is_https
from bot.app import init_app
from bot.keys import SESSIONS, SETTINGS, STAFF_BUS
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
from bot.staff import auth
from bot.staff.users import create_user
from database import upgrade
from directory import demo
from directory import models as dm
from directory.search import Query, search
from residents import store as residents_store
from tests.helpers import CSRF_FIELD, free_port, staff_sign_in
from tests.test_staff import HTML, ORIGIN, PASSWORD, rows

# --- who is calling ----------------------------------------------------------------------------------


def _networks(text: str) -> tuple:
    return settings_module.load({"KINDRED_SECRET": "x", "TRUSTED_PROXIES": text}).trusted_proxies


def test_forwarded_for_is_believed_only_from_a_trusted_proxy() -> None:
    proxies = _networks("10.0.0.5, 192.168.0.0/16")
    # From the open internet a header is just text the caller chose.
    assert forwarded_for("203.0.113.9", ["1.2.3.4"], proxies) == "203.0.113.9"
    assert forwarded_for("203.0.113.9", ["1.2.3.4"], ()) == "203.0.113.9"
    # Through our proxy: the address the proxy saw, not what the client put in front of it.
    assert forwarded_for("10.0.0.5", ["6.6.6.6, 198.51.100.7"], proxies) == "198.51.100.7"
    # Two proxies of ours in a chain (and a second header line) are walked through.
    assert forwarded_for("10.0.0.5", ["6.6.6.6, 198.51.100.7", "192.168.1.2"], proxies) == "198.51.100.7"
    # Junk from the proxy stops the walk at the proxy: no bucket named by the attacker.
    assert forwarded_for("10.0.0.5", ["not-an-address"], proxies) == "10.0.0.5"
    assert forwarded_for("10.0.0.5", [], proxies) == "10.0.0.5"
    # IPv4 seen through an IPv6 socket is the same client.
    assert forwarded_for("::ffff:10.0.0.5", ["198.51.100.7"], proxies) == "198.51.100.7"
    assert forwarded_for(None, ["1.2.3.4"], proxies) == "unknown"


def test_trusted_proxies_must_be_addresses() -> None:
    assert _networks("") == ()
    try:
        _networks("10.0.0.5, proxy.example")
    except settings_module.ConfigError as error:
        assert "proxy.example" in str(error)
    else:
        raise AssertionError("a host name in TRUSTED_PROXIES was accepted")


async def _who(aiohttp_client, trusted: str) -> TestClient:  # noqa: ANN001
    async def whoami(request: web.Request) -> web.Response:
        return web.json_response({"address": client_address(request), "https": request_is_https(request)})

    app = web.Application()
    app[SETTINGS] = settings_module.load({"KINDRED_SECRET": "x", "TRUSTED_PROXIES": trusted})
    app.router.add_get("/", whoami)
    return await aiohttp_client(app)


async def test_client_address_and_https_from_the_request(aiohttp_client) -> None:  # noqa: ANN001
    spoof = {"X-Forwarded-For": "198.51.100.7", "X-Forwarded-Proto": "https"}
    direct = await _who(aiohttp_client, "")
    assert await (await direct.get("/", headers=spoof)).json() == {"address": "127.0.0.1", "https": False}
    behind = await _who(aiohttp_client, "127.0.0.1")
    assert await (await behind.get("/", headers=spoof)).json() == {"address": "198.51.100.7", "https": True}
    # The proxy's own X-Forwarded-Proto (the last value) wins over one the client sent first.
    answer = await (await behind.get("/", headers={"X-Forwarded-Proto": "https, http"})).json()
    assert answer == {"address": "127.0.0.1", "https": False}


# --- the console, attacked --------------------------------------------------------------------------


@pytest.fixture
async def gateway(aiohttp_client, tmp_path: Path) -> TestClient:  # noqa: ANN001
    """The real gateway behind a reverse proxy on this machine, so tests can arrive from any address."""
    config = settings_module.load(
        {
            "KINDRED_VAR": str(tmp_path),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "SAFETY_NET_SECONDS": "0.3",
            "PUBLIC_ORIGINS": ORIGIN,
            "TRUSTED_PROXIES": "127.0.0.1",
        }
    )
    client = await aiohttp_client(init_app(config))
    with client.app[SESSIONS].begin() as session:
        create_user(session, "sam", "Sam Patel", PASSWORD, ["staff"])
        create_user(session, "ada", "Ada Admin", PASSWORD, ["admin"])
        create_user(session, "eddie", "Eddie Editor", PASSWORD, ["editor"])
    return client


def base(client: TestClient) -> str:
    return str(client.make_url("")).rstrip("/")


@contextlib.asynccontextmanager
async def browser(client: TestClient, username: str | None = None) -> AsyncIterator[tuple[aiohttp.ClientSession, str]]:
    """Another browser (its own cookies), signed in as `username`; yields it and its CSRF token."""
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        csrf = await staff_sign_in(http, base(client), username, PASSWORD) if username else ""
        yield http, csrf


async def attempt(http: aiohttp.ClientSession, client: TestClient, username: str, password: str, address: str) -> int:
    """One sign-in from `address` (as our proxy reports it); returns the status."""
    headers = {"Accept": "text/html", "X-Forwarded-For": address}
    async with http.get(f"{base(client)}/staff/login", headers=headers) as response:
        token = CSRF_FIELD.search(await response.text()).group(1)
    form = {"csrf": token, "username": username, "password": password}
    async with http.post(f"{base(client)}/staff/login", data=form, headers=headers, allow_redirects=False) as response:
        return response.status


def add_conversation(client: TestClient, conversation_id: str, said: str, escalated: bool) -> int | None:
    """A conversation with one resident message (and an urgent escalation when asked); the escalation's id."""
    with client.app[SESSIONS].begin() as session:
        session.add(Conversation(id=conversation_id, channel="web", external_id=f"x-{conversation_id}"))
        session.flush()
        session.add(Message(conversation_id=conversation_id, author="resident", text=said))
        if not escalated:
            return None
        escalation = Escalation(
            conversation_id=conversation_id, channel="web", level="urgent", risk_types=["suicide"], reason="risk"
        )
        session.add(escalation)
        session.flush()
        return escalation.id


async def test_argon2_does_not_stall_the_event_loop(gateway: TestClient) -> None:
    started = time.perf_counter()
    auth.check_password(None, "a wrong password")
    one_hash = time.perf_counter() - started
    longest, running = 0.0, True

    async def tick() -> None:
        nonlocal longest
        while running:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            longest = max(longest, time.perf_counter() - before)

    ticker = asyncio.create_task(tick())
    async with browser(gateway) as (http, _):
        # Four people signing in at once (different addresses, so no pause gets in the way).
        statuses = await asyncio.gather(
            *(attempt(http, gateway, "sam", "not the password", f"198.51.100.{i}") for i in range(4))
        )
    running = False
    await ticker
    assert statuses == [401] * 4
    # With argon2 on the loop, every chat stalled for a whole hash (or four) each time.
    assert longest < one_hash * 0.6, (longest, one_hash)


async def test_nobody_elsewhere_can_lock_a_named_person_out(gateway: TestClient) -> None:
    async with browser(gateway) as (attacker, _):
        statuses = [await attempt(attacker, gateway, "ada", f"guess {i}", "198.51.100.7") for i in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
    async with browser(gateway) as (ada, _):
        # Ada, at her own address, signs in at once.
        assert await attempt(ada, gateway, "ada", PASSWORD, "203.0.113.5") == 303
    # The attacker's pause doubles with each failure they make once it has run out.
    with gateway.app[SESSIONS].begin() as session:
        assert 10 <= auth.sign_in_pause(session, "ada", "198.51.100.7").total_seconds() <= 15
        for failure in session.scalars(select(LoginFailure)):
            failure.at -= dt.timedelta(seconds=16)
        session.flush()
        assert auth.sign_in_pause(session, "ada", "198.51.100.7") == dt.timedelta(0)
    async with browser(gateway) as (attacker, _):
        assert await attempt(attacker, gateway, "ada", "guess 8", "198.51.100.7") == 401
    with gateway.app[SESSIONS]() as session:
        assert 25 <= auth.sign_in_pause(session, "ada", "198.51.100.7").total_seconds() <= 30
    # Behind the proxy each client has a bucket of its own: one address trying many usernames is
    # paused, another address is not.
    async with browser(gateway) as (sprayer, _):
        for i in range(auth.FREE_FAILURES_PER_ADDRESS):
            assert await attempt(sprayer, gateway, f"user{i}", "guess", "192.0.2.66") == 401
        assert await attempt(sprayer, gateway, "sam", PASSWORD, "192.0.2.66") == 429
        assert await attempt(sprayer, gateway, "sam", PASSWORD, "192.0.2.67") == 303
    failures = rows(gateway, LoginFailure)
    assert {f.address for f in failures} == {"198.51.100.7", "192.0.2.66"}


async def test_polling_does_not_keep_an_idle_session_alive(gateway: TestClient) -> None:
    async with browser(gateway, "sam") as (http, _):
        almost = utcnow() - dt.timedelta(minutes=29)
        with gateway.app[SESSIONS].begin() as session:
            session.execute(update(StaffSession).values(last_seen_at=almost))
        conversation_id = "c-polled"
        add_conversation(gateway, conversation_id, "hello", escalated=True)
        # What an open page does by itself: the queue's rows, the noscript reload, the live stream, a
        # conversation's live part.
        for path in ("/staff/queue/rows", "/staff/queue?auto=1", f"/staff/conversations/{conversation_id}/live"):
            async with http.get(base(gateway) + path, headers=HTML) as response:
                assert response.status == 200, path
        async with http.get(base(gateway) + "/staff/events") as response:
            assert response.status == 200
        with gateway.app[SESSIONS]() as session:
            assert session.scalars(select(StaffSession.last_seen_at)).one() == almost
        with gateway.app[SESSIONS].begin() as session:
            session.execute(update(StaffSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=31)))
        async with http.get(base(gateway) + "/staff/queue/rows", headers=HTML, allow_redirects=False) as response:
            assert response.status == 303  # signed out: polling did not save it
    # A real page view is use.
    async with browser(gateway, "sam") as (http, _):
        with gateway.app[SESSIONS].begin() as session:
            session.execute(update(StaffSession).values(last_seen_at=almost))
        async with http.get(base(gateway) + "/staff/queue", headers=HTML) as response:
            assert response.status == 200
        with gateway.app[SESSIONS]() as session:
            assert session.scalars(select(StaffSession.last_seen_at)).one() > almost


async def _open_stream(http: aiohttp.ClientSession, client: TestClient) -> aiohttp.ClientResponse:
    response = await http.get(base(client) + "/staff/events")
    assert response.status == 200
    assert (await response.content.readline()).startswith(b"retry:")
    await response.content.readline()
    return response


async def _ends_signed_out(stream: aiohttp.ClientResponse) -> None:
    line = await asyncio.wait_for(stream.content.readline(), 5)
    assert json.loads(line.decode().removeprefix("data: ")) == {"kind": "signed_out"}
    await asyncio.wait_for(stream.content.readline(), 5)
    assert await asyncio.wait_for(stream.content.read(), 5) == b""  # closed by the server
    stream.close()


async def test_the_live_stream_ends_with_the_session(gateway: TestClient) -> None:
    # Signing out closes the stream at once.
    async with browser(gateway, "sam") as (http, csrf):
        stream = await _open_stream(http, gateway)
        async with http.post(base(gateway) + "/staff/logout", data={"csrf": csrf}, allow_redirects=False):
            pass
        await _ends_signed_out(stream)
    # An admin switching the account off closes it.
    async with browser(gateway, "sam") as (http, _), browser(gateway, "ada") as (admin, admin_csrf):
        stream = await _open_stream(http, gateway)
        sam = rows(gateway, StaffUser, StaffUser.username == "sam")[0]
        form = {"csrf": admin_csrf, "roles": "staff"}  # no "active": switched off
        async with admin.post(f"{base(gateway)}/staff/admin/users/{sam.id}", data=form) as response:
            assert response.status == 200
        await _ends_signed_out(stream)
    # A session that ended any other way (idle, or in another gateway process) is noticed at the next event.
    with gateway.app[SESSIONS].begin() as session:
        session.execute(update(StaffUser).where(StaffUser.username == "sam").values(active=True))
    async with browser(gateway, "sam") as (http, _):
        stream = await _open_stream(http, gateway)
        with gateway.app[SESSIONS].begin() as session:
            session.execute(update(StaffSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=31)))
        gateway.app[STAFF_BUS].publish({"kind": "queue", "conversation": "c1", "urgent": False})
        await _ends_signed_out(stream)


async def test_staff_change_their_own_password_and_other_sessions_end(gateway: TestClient) -> None:
    new = "a different long passphrase"
    async with browser(gateway, "sam") as (laptop, csrf), browser(gateway, "sam") as (phone, _):
        stream = await _open_stream(phone, gateway)
        url = base(gateway) + "/staff/account/password"
        async with laptop.get(url, headers=HTML) as response:
            assert response.status == 200 and "Your current password" in await response.text()
        # The current password is required (a borrowed, signed-in browser is not enough).
        form = {"csrf": csrf, "current": "not my password", "new": new, "again": new}
        async with laptop.post(url, data=form) as response:
            assert response.status == 401 and "current password isn" in await response.text()
        form = {"csrf": csrf, "current": PASSWORD, "new": new, "again": new + "!"}
        async with laptop.post(url, data=form) as response:
            assert response.status == 400
        form = {"csrf": csrf, "current": PASSWORD, "new": "short", "again": "short"}
        async with laptop.post(url, data=form) as response:
            assert response.status == 400 and "at least 12 characters" in await response.text()
        async with laptop.post(url, data={"csrf": csrf, "current": PASSWORD, "new": new, "again": new}) as response:
            assert response.status == 200 and "signed out everywhere else" in await response.text()
        # The phone's session and its live stream ended; the laptop carries on.
        await _ends_signed_out(stream)
        async with phone.get(base(gateway) + "/staff/queue", headers=HTML, allow_redirects=False) as response:
            assert response.status == 303
        async with laptop.get(base(gateway) + "/staff/queue", headers=HTML, allow_redirects=False) as response:
            assert response.status == 200
    async with browser(gateway) as (http, _):
        assert await attempt(http, gateway, "sam", PASSWORD, "203.0.113.8") == 401
        assert await attempt(http, gateway, "sam", new, "203.0.113.8") == 303
    actions = [(e.action, e.detail) for e in rows(gateway, AuditEvent) if e.action.startswith("password")]
    actions += [(e.action, e.detail) for e in rows(gateway, AuditEvent) if e.action == "change_password"]
    assert ("password_failed", {}) in actions and ("change_password", {"sessions_ended": 1}) in actions


async def test_staff_read_only_escalated_conversations(gateway: TestClient) -> None:
    add_conversation(gateway, "quiet", "my neighbour Joan is moving away", escalated=False)
    add_conversation(gateway, "escalated", "I can't go on", escalated=True)
    async with browser(gateway, "sam") as (http, csrf):
        for path in ("/staff/conversations/quiet", "/staff/conversations/quiet/live"):
            async with http.get(base(gateway) + path, headers=HTML) as response:
                assert response.status == 403, path
                page = await response.text()
                assert "Joan" not in page and "was not escalated" in page
        # No acting on it either (a note would show staff it exists and what is in it).
        async with http.post(base(gateway) + "/staff/conversations/quiet/notes", data={"csrf": csrf, "text": "x"}) as r:
            assert r.status == 403
        assert rows(gateway, StaffNote) == []
        # And no telling a conversation that does not exist from one that is private.
        async with http.get(base(gateway) + "/staff/conversations/made-up", headers=HTML) as response:
            assert response.status == 403
        async with http.get(base(gateway) + "/staff/conversations/escalated", headers=HTML) as response:
            assert response.status == 200 and "I can&#39;t go on" in await response.text()
        # Opening with a reason is for admins only.
        async with http.post(
            base(gateway) + "/staff/conversations/quiet/open", data={"csrf": csrf, "reason": "I am curious about it"}
        ) as response:
            assert response.status == 403
    async with browser(gateway, "ada") as (admin, csrf):
        url = base(gateway) + "/staff/conversations/quiet"
        async with admin.get(url, headers=HTML) as response:
            page = await response.text()
            assert response.status == 403 and "Joan" not in page and 'name="reason"' in page
        async with admin.post(url + "/open", data={"csrf": csrf, "reason": "why not"}) as response:
            page = await response.text()
            assert "10 to 500 characters" in page and "Joan" not in page
        reason = "Safeguarding enquiry from the council, ref 1234"
        async with admin.post(url + "/open", data={"csrf": csrf, "reason": reason}) as response:
            assert response.status == 200 and "Joan" in await response.text()
    opened = [e for e in rows(gateway, AuditEvent) if e.action == "open_with_reason"]
    assert [(e.target_id, e.detail, e.actor) for e in opened] == [("quiet", {"reason": reason}, "Ada Admin (ada)")]
    async with browser(gateway, "sam") as (http, _):  # the admin's reason opened it to her, not to everyone
        async with http.get(base(gateway) + "/staff/conversations/quiet", headers=HTML) as response:
            assert response.status == 403


async def test_claiming_checks_the_escalation_belongs_to_the_conversation(gateway: TestClient) -> None:
    add_conversation(gateway, "mine", "I want to die", escalated=True)
    theirs = add_conversation(gateway, "theirs", "I can't cope", escalated=True)
    async with browser(gateway, "sam") as (http, csrf):
        url = base(gateway) + "/staff/conversations/mine/claim"
        async with http.post(url, data={"csrf": csrf, "escalation": str(theirs)}) as response:
            assert "belongs to a different conversation" in await response.text()
        url = base(gateway) + "/staff/conversations/mine/resolve"
        form = {"csrf": csrf, "escalation": str(theirs), "outcome": "no_action"}
        async with http.post(url, data=form) as response:
            assert "belongs to a different conversation" in await response.text()
    assert [e.status for e in rows(gateway, Escalation)] == ["new", "new"]
    assert [c.paused_by for c in rows(gateway, Conversation)] == [None, None]
    assert [m.author for m in rows(gateway, Message)] == ["resident", "resident"]  # nothing announced anywhere


async def test_report_csv_cells_cannot_run_as_formulas(gateway: TestClient) -> None:
    hostile = ["=1+1", "+1", "-1+1", "@SUM(1)", "\t=1+1", "\r=1+1", "BS5"]
    with gateway.app[SESSIONS].begin() as session:
        for area in hostile:
            session.add(dm.UnmetSearch(category="befriending", area=area, day=None, terms=None))
    async with browser(gateway, "sam") as (http, _):
        async with http.get(base(gateway) + "/staff/reports/unmet.csv") as response:
            table = list(csv.reader(io.StringIO(await response.text(), newline="")))
    areas = sorted(row[0] for row in table[1:])
    assert areas == sorted(["'" + a for a in hostile[:-1]] + ["BS5"])


async def test_like_wildcards_are_letters_not_wildcards(gateway: TestClient) -> None:
    with gateway.app[SESSIONS].begin() as session:
        session.add(dm.Service(id="s1", name="Tuesday Tea Dance", description="Dancing for all"))
        session.add(dm.Service(id="s2", name="100% Walks", description="A walk_group"))
        session.add(dm.Location(id="l1", name="Kingswood", latitude=51.46, longitude=-2.5))
    async with browser(gateway, "eddie") as (http, _):
        for words, found in (("%", ["100% Walks"]), ("_", ["100% Walks"]), ("Tea", ["Tuesday Tea Dance"])):
            async with http.get(base(gateway) + "/staff/directory", params={"q": words}, headers=HTML) as response:
                page = await response.text()
            shown = [name for name in ("Tuesday Tea Dance", "100% Walks") if name in page]
            assert shown == found, words
    with gateway.app[SESSIONS]() as session:
        # A resident who types "%%%" as their area is not put in the middle of every known place.
        assert residents_store.resolve_place(session, "%%%") is None
        assert residents_store.resolve_place(session, "___") is None
        assert residents_store.resolve_place(session, "kingswood") is not None


def test_directory_search_filters_take_wildcards_literally(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'directory.db'}")
    try:
        upgrade(engine)
        with Session(engine) as session:
            assert demo.ensure_loaded(session) >= 150
            assert search(session, Query(language="Somali", limit=50), record_unmet=False)
            # "_" stood for any letter and "%" for anything: a language no service offers found them all.
            assert search(session, Query(language="_omali", limit=50), record_unmet=False) == []
            assert search(session, Query(language="%", limit=50), record_unmet=False) == []
            assert search(session, Query(access=["%"], limit=50), record_unmet=False) == []
    finally:
        engine.dispose()
