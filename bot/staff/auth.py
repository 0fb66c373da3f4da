"""Staff sign-in: argon2 passwords, server-side sessions, CSRF tokens, rate limits and roles.

Every route under `/staff` declares the role it needs with `@requires(...)`; the `guard` middleware
refuses a route that declares none (default deny), sends people who are not signed in to the sign-in
page, answers 403 to a role that is too low, and checks the CSRF token on every state-changing
request. Routes a page calls by itself (`@background`: polling, the live stream) never count as use,
so an open queue page does not keep an unattended session alive.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.addresses import request_is_https
from bot.models import LoginFailure, StaffSession, StaffUser, utcnow

ROLES = ("staff", "editor", "admin")
COOKIE = "kindred_staff"
LOGIN_COOKIE = "kindred_signin"
# A session ends after this long whatever happens (the idle limit is a setting).
ABSOLUTE_HOURS = 12
# Sign-in attempts are limited per username-and-address pair (so nobody elsewhere can keep a named
# person out) and per address (so one address cannot try many usernames): a few failures are free,
# then each attempt must wait twice as long as the one before, up to LONGEST_PAUSE.
FREE_FAILURES_PER_PAIR = 5
FREE_FAILURES_PER_ADDRESS = 20
FIRST_PAUSE = dt.timedelta(seconds=15)
LONGEST_PAUSE = dt.timedelta(minutes=15)
# Failures older than this are forgotten.
FAILURE_WINDOW = dt.timedelta(hours=1)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

_hasher = PasswordHasher()
# Verified when the username is unknown, so an attacker cannot tell users apart by timing.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))
# argon2 costs a quarter to half a second of CPU on purpose, so it never runs on the event loop: it
# runs in these threads (argon2-cffi releases the GIL while it works). A pool of its own, so a burst
# of sign-in attempts queues here instead of filling the default executor the rest of the gateway uses.
_PASSWORD_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="argon2")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class PasswordRejected(ValueError):
    """A password that does not meet the rules, with the reason in words."""


def hash_password(password: str) -> str:
    """An argon2id hash of a password that meets the rules."""
    if len(password) < 12:
        raise PasswordRejected("Passwords need at least 12 characters (a few words together works well).")
    if len(password) > 1024:
        raise PasswordRejected("That password is too long.")
    return _hasher.hash(password)


def check_password(stored: str | None, password: str) -> bool:
    """Whether `password` matches; runs the same work when there is no such user."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


async def verify_password(stored: str | None, password: str) -> bool:
    """`check_password` off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_PASSWORD_THREADS, check_password, stored, password)


async def password_hash(password: str) -> str:
    """`hash_password` off the event loop (raises PasswordRejected the same way)."""
    return await asyncio.get_running_loop().run_in_executor(_PASSWORD_THREADS, hash_password, password)


@dataclass(frozen=True)
class Staff:
    """The signed-in member of staff, as a request sees them."""

    id: int
    username: str
    display_name: str
    roles: tuple[str, ...]

    def can(self, role: str) -> bool:
        """Admins may do everything; others what their roles say."""
        return "admin" in self.roles or role in self.roles


# What the guard puts on a request for the views.
STAFF = web.RequestKey("staff", Staff)
CSRF = web.RequestKey("csrf", str)


def requires(role: str) -> Callable[[Handler], Handler]:
    """Declare the role a console route needs ("any" signed-in user; "public" for the sign-in page)."""
    if role not in (*ROLES, "public", "any"):
        raise ValueError(role)

    def mark(handler: Handler) -> Handler:
        handler.kindred_role = role  # type: ignore[attr-defined]
        return handler

    return mark


def background(handler: Handler) -> Handler:
    """Mark a route a page calls by itself (polling, the live stream): it does not count as use."""
    handler.kindred_background = True  # type: ignore[attr-defined]
    return handler


def multipart(handler: Handler) -> Handler:
    """Mark an upload route: it checks the CSRF field itself, before it reads the file."""
    handler.kindred_multipart = True  # type: ignore[attr-defined]
    return handler


def token_hash(token: str) -> str:
    """What is stored of a session cookie's token."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_session(session: Session, user: StaffUser) -> str:
    """Start a session for `user`; returns the cookie's token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=token_hash(token), user_id=user.id, csrf=secrets.token_urlsafe(32)))
    user.last_login_at = utcnow()
    return token


def end_session(session: Session, token: str) -> None:
    """Sign out: the session row goes."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == token_hash(token)))


def current(
    session: Session, token: str | None, idle_minutes: int, touch: bool = True
) -> tuple[StaffSession, StaffUser] | None:
    """The live session for a cookie; None when missing, expired or the user is disabled.

    `touch` records use, which keeps the session alive: only what a person does (pages, actions),
    never what a page does by itself (`@background` routes).
    """
    if not token or len(token) > 200:
        return None
    row = session.get(StaffSession, token_hash(token))
    if row is None:
        return None
    now = utcnow()
    user = session.get(StaffUser, row.user_id)
    if (
        user is None
        or not user.active
        or now - row.last_seen_at > dt.timedelta(minutes=idle_minutes)
        or now - row.created_at > dt.timedelta(hours=ABSOLUTE_HOURS)
    ):
        session.delete(row)
        return None
    if touch and now - row.last_seen_at > dt.timedelta(seconds=30):
        row.last_seen_at = now
    return row, user


def as_staff(user: StaffUser) -> Staff:
    """The request's view of a user."""
    return Staff(user.id, user.username, user.display_name, tuple(user.roles or ()))


# --- sign-in rate limits ----------------------------------------------------------------------------


def _pause_left(count: int, latest: dt.datetime | None, free: int, now: dt.datetime) -> dt.timedelta:
    if count < free or latest is None:
        return dt.timedelta(0)
    pause = min(FIRST_PAUSE * 2 ** min(count - free, 16), LONGEST_PAUSE)
    return max(dt.timedelta(0), latest + pause - now)


def sign_in_pause(session: Session, username: str, address: str) -> dt.timedelta:
    """How long this username from this address must still wait before another try (zero: go ahead)."""
    now = utcnow()
    recent = (LoginFailure.address == address[:64], LoginFailure.at > now - FAILURE_WINDOW)
    pair_count, pair_latest = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(*recent, LoginFailure.username == username.lower()[:64])
    ).one()
    address_count, address_latest = session.execute(
        select(func.count(), func.max(LoginFailure.at)).where(*recent)
    ).one()
    return max(
        _pause_left(pair_count or 0, pair_latest, FREE_FAILURES_PER_PAIR, now),
        _pause_left(address_count or 0, address_latest, FREE_FAILURES_PER_ADDRESS, now),
    )


def in_words(wait: dt.timedelta) -> str:
    """ "40 seconds", "3 minutes": a pause as people say it (rounded up)."""
    seconds = max(1, int(-(-wait.total_seconds() // 1)))
    if seconds < 90:
        return f"{seconds} seconds"
    return f"{-(-seconds // 60)} minutes"


def note_failure(session: Session, username: str, address: str) -> None:
    """Remember a failed sign-in (old ones are cleared as we go)."""
    session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 4 * FAILURE_WINDOW))
    session.add(LoginFailure(username=username.lower()[:64], address=address[:64]))


# --- cookies and CSRF -------------------------------------------------------------------------------


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str, max_age: int) -> None:
    """A cookie only this site's pages send, that scripts cannot read, and only over HTTPS when we have it."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/staff",
        httponly=True,
        samesite="Strict",
        secure=request_is_https(request) or not _loopback(request.host),
    )


def _loopback(host: str) -> bool:
    name = urlsplit(f"//{host}").hostname or ""
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def login_token(secret: str, browser: str) -> str:
    """The sign-in form's CSRF token, bound to the browser's pre-sign-in cookie."""
    return hmac.new(secret.encode(), f"signin:{browser}".encode(), hashlib.sha256).hexdigest()


def same_origin(request: web.Request) -> bool:
    """A state-changing request from a page of ours (browsers send Origin on POST)."""
    origin = request.headers.get("Origin")
    if origin is None or origin == "null":
        return origin is None
    parts = urlsplit(origin)
    return parts.netloc == request.host


async def submitted_csrf(request: web.Request) -> str:
    """The token a request carries: the X-CSRF-Token header, or the form's `csrf` field."""
    header = request.headers.get("X-CSRF-Token")
    if header:
        return header
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        value = form.get("csrf")
        return value if isinstance(value, str) else ""
    return ""


def login_redirect(request: web.Request) -> web.HTTPSeeOther:
    """To the sign-in page, coming back here afterwards."""
    return web.HTTPSeeOther(f"/staff/login?next={quote(request.path_qs, safe='')}")


def wants_page(request: web.Request) -> bool:
    """A browser navigating (not a script asking for a fragment or a stream)."""
    return request.method == "GET" and "text/html" in request.headers.get("Accept", "text/html")


async def wait_a_little() -> None:
    """Slow every failed sign-in a little, so guessing is slow even below the limit."""
    await asyncio.sleep(0.3)


def end_other_sessions(session: Session, user_id: int, keep: str | None = None) -> list[str]:
    """End every session of a user but the one whose token hash is `keep`; returns the hashes ended."""
    ended = [
        row
        for row in session.scalars(select(StaffSession.token_hash).where(StaffSession.user_id == user_id))
        if row != keep
    ]
    if ended:
        session.execute(delete(StaffSession).where(StaffSession.token_hash.in_(ended)))
    return ended
