"""Staff sign-in: argon2 passwords, server-side sessions, CSRF tokens, rate limits and roles.

Every route under `/staff` declares the role it needs with `@requires(...)`; the `guard` middleware
refuses a route that declares none (default deny), sends people who are not signed in to the sign-in
page, answers 403 to a role that is too low, and checks the CSRF token on every state-changing
request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from aiohttp import web
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.models import LoginFailure, StaffSession, StaffUser, utcnow

ROLES = ("staff", "editor", "admin")
COOKIE = "kindred_staff"
LOGIN_COOKIE = "kindred_signin"
# A session ends after this long whatever happens (the idle limit is a setting).
ABSOLUTE_HOURS = 12
# Sign-in attempts: this many failures per username, or per address, in the window, then a pause.
FAILURES_PER_USER = 5
FAILURES_PER_ADDRESS = 20
FAILURE_WINDOW = dt.timedelta(minutes=15)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

_hasher = PasswordHasher()
# Verified when the username is unknown, so an attacker cannot tell users apart by timing.
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))

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


def multipart(handler: Handler) -> Handler:
    """Mark an upload route: it checks the CSRF field itself, before it reads the file."""
    handler.kindred_multipart = True  # type: ignore[attr-defined]
    return handler


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_session(session: Session, user: StaffUser) -> str:
    """Start a session for `user`; returns the cookie's token (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    session.add(StaffSession(token_hash=_token_hash(token), user_id=user.id, csrf=secrets.token_urlsafe(32)))
    user.last_login_at = utcnow()
    return token


def end_session(session: Session, token: str) -> None:
    """Sign out: the session row goes."""
    session.execute(delete(StaffSession).where(StaffSession.token_hash == _token_hash(token)))


def current(session: Session, token: str | None, idle_minutes: int) -> tuple[StaffSession, StaffUser] | None:
    """The live session for a cookie, touched; None when missing, expired or the user is disabled."""
    if not token or len(token) > 200:
        return None
    row = session.get(StaffSession, _token_hash(token))
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
    if now - row.last_seen_at > dt.timedelta(seconds=30):
        row.last_seen_at = now
    return row, user


def as_staff(user: StaffUser) -> Staff:
    """The request's view of a user."""
    return Staff(user.id, user.username, user.display_name, tuple(user.roles or ()))


# --- sign-in rate limits ----------------------------------------------------------------------------


def too_many_failures(session: Session, username: str, address: str) -> bool:
    """Whether sign-in is paused for this username or address."""
    since = utcnow() - FAILURE_WINDOW
    by_user = session.scalar(
        select(func.count()).where(LoginFailure.username == username.lower(), LoginFailure.at > since)
    )
    by_address = session.scalar(select(func.count()).where(LoginFailure.address == address, LoginFailure.at > since))
    return (by_user or 0) >= FAILURES_PER_USER or (by_address or 0) >= FAILURES_PER_ADDRESS


def note_failure(session: Session, username: str, address: str) -> None:
    """Remember a failed sign-in (old ones are cleared as we go)."""
    session.execute(delete(LoginFailure).where(LoginFailure.at < utcnow() - 4 * FAILURE_WINDOW))
    session.add(LoginFailure(username=username.lower()[:64], address=address[:64]))


def client_address(request: web.Request) -> str:
    """The caller's address (the direct peer: a proxy in front should be trusted explicitly)."""
    return request.remote or "unknown"


# --- cookies and CSRF -------------------------------------------------------------------------------


def secure_request(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS (directly, or through a proxy that says so)."""
    return request.secure or request.headers.get("X-Forwarded-Proto", "").lower() == "https"


def set_cookie(response: web.StreamResponse, request: web.Request, name: str, value: str, max_age: int) -> None:
    """A cookie only this site's pages send, that scripts cannot read, and only over HTTPS when we have it."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/staff",
        httponly=True,
        samesite="Strict",
        secure=secure_request(request) or not _loopback(request.host),
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
