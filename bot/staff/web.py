"""The staff console's plumbing: templates, the guard middleware, sign-in and sign-out."""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
from pathlib import Path
from urllib.parse import urlencode

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.keys import SESSIONS, SETTINGS
from bot.models import StaffUser
from bot.staff import audit, auth

log = logging.getLogger("kindred.staff")
TEMPLATES = Path(__file__).resolve().parent / "templates"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "media-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"
)
# Where each role lands after signing in.
HOME = (("staff", "/staff/queue"), ("editor", "/staff/directory"), ("admin", "/staff/admin/users"))


def render(request: web.Request, template: str, context: dict | None = None, status: int = 200) -> web.Response:
    """A console page, with who is signed in, their CSRF token and the navigation they may use."""
    base = {"me": request.get(auth.STAFF), "csrf": request.get(auth.CSRF, ""), "path": request.path}
    return aiohttp_jinja2.render_template(template, request, base | (context or {}), status=status)


def forbidden(request: web.Request, why: str) -> web.Response:
    """403, as a page a person can read."""
    return render(request, "forbidden.html", {"why": why}, status=403)


@web.middleware
async def guard(request: web.Request, handler: auth.Handler) -> web.StreamResponse:
    """Default deny for `/staff`: a declared role, a live session, that role, and CSRF on changes."""
    if not request.path.startswith("/staff"):
        return await handler(request)
    response = await _checked(request, handler)
    response.headers["Content-Security-Policy"] = CSP
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"
    # Not "no-referrer": with it, browsers send `Origin: null` on our own forms, which we refuse.
    response.headers["Referrer-Policy"] = "same-origin"
    return response


async def _checked(request: web.Request, handler: auth.Handler) -> web.StreamResponse:
    info = request.match_info
    if info.http_exception is not None:
        raise info.http_exception
    target = info.route.handler
    role = getattr(target, "kindred_role", None)
    if role is None:
        log.error("the console route %s declares no role; refusing it", request.path)
        return forbidden(request, "This page is not open to anyone.")
    if role == "public":
        return await handler(request)
    settings = request.app[SETTINGS]
    with request.app[SESSIONS].begin() as session:
        found = auth.current(session, request.cookies.get(auth.COOKIE), settings.staff_idle_minutes)
        if found is not None:
            row, user = found
            request[auth.STAFF], request[auth.CSRF] = auth.as_staff(user), row.csrf
    if found is None:
        if auth.wants_page(request):
            raise auth.login_redirect(request)
        raise web.HTTPUnauthorized(text="Your session has ended. Please sign in again.")
    staff: auth.Staff = request[auth.STAFF]
    if role != "any" and not staff.can(role):
        return forbidden(request, f"This part of the console is for the {role} role, which your account doesn't have.")
    if request.method in auth.UNSAFE:
        if not auth.same_origin(request):
            return forbidden(request, "That request didn't come from a console page.")
        if request.content_type == "multipart/form-data":
            if not getattr(target, "kindred_multipart", False):
                return forbidden(request, "Uploads are not accepted here.")
        elif not hmac.compare_digest(await auth.submitted_csrf(request), request[auth.CSRF]):
            return forbidden(request, "That form had expired. Go back, reload the page and try again.")
    return await handler(request)


async def form_fields(request: web.Request) -> dict[str, str]:
    """A posted form's text fields (the first value of each)."""
    form = await request.post()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def see_other(path: str, **query: str) -> web.HTTPSeeOther:
    """Post/redirect/get: back to a page, with `done=` or `error=` for it to show."""
    shown = urlencode({k: v for k, v in query.items() if v})
    return web.HTTPSeeOther(path + (f"?{shown}" if shown else ""))


def current_user(session: Session, request: web.Request) -> StaffUser:
    """The signed-in member of staff's row, for changes and the audit log."""
    user = session.get(StaffUser, request[auth.STAFF].id)
    if user is None:
        raise web.HTTPUnauthorized(text="Your account no longer exists.")
    return user


def check_upload_token(request: web.Request, value: str) -> bool:
    """For upload routes: the form's CSRF field, read before the file."""
    return hmac.compare_digest(value, request.get(auth.CSRF, ""))


# --- sign-in ------------------------------------------------------------------------------------------


def _safe_next(value: str | None) -> str:
    if value and value.startswith("/staff") and not value.startswith("//") and "\\" not in value:
        return value
    return "/staff"


@auth.requires("public")
async def login_page(request: web.Request) -> web.Response:
    """The sign-in form."""
    return _login_form(request)


def _login_form(request: web.Request, error: str = "", status: int = 200, username: str = "") -> web.Response:
    browser = request.cookies.get(auth.LOGIN_COOKIE) or secrets.token_urlsafe(24)
    token = auth.login_token(request.app[SETTINGS].secret, browser)
    response = render(
        request,
        "login.html",
        {"login_csrf": token, "error": error, "next": _safe_next(request.query.get("next")), "username": username},
        status=status,
    )
    auth.set_cookie(response, request, auth.LOGIN_COOKIE, browser, max_age=3600)
    return response


@auth.requires("public")
async def login(request: web.Request) -> web.StreamResponse:
    """Check the password (with rate limits) and start a session."""
    settings = request.app[SETTINGS]
    form = await request.post()
    browser = request.cookies.get(auth.LOGIN_COOKIE, "")
    given = form.get("csrf")
    if (
        not browser
        or not isinstance(given, str)
        or not hmac.compare_digest(given, auth.login_token(settings.secret, browser))
        or not auth.same_origin(request)
    ):
        return _login_form(request, "That sign-in form had expired. Please try again.", status=403)
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")
    address = auth.client_address(request)
    with request.app[SESSIONS].begin() as session:
        if auth.too_many_failures(session, username, address):
            audit.record(session, "system", "login_paused", "staff_user", username, address=address)
            return _login_form(
                request,
                "Too many unsuccessful attempts. For safety, sign-in is paused for 15 minutes. "
                "Ask an admin if you have forgotten your password.",
                status=429,
                username=username,
            )
        user = session.scalars(select(StaffUser).where(StaffUser.username == username.lower())).first()
    ok = auth.check_password(user.password_hash if user else None, password[:1024])
    with request.app[SESSIONS].begin() as session:
        user = session.get(StaffUser, user.id) if user else None
        if not ok or user is None or not user.active:
            auth.note_failure(session, username, address)
            audit.record(session, "system", "login_failed", "staff_user", username, address=address)
            failed = True
        else:
            token = auth.new_session(session, user)
            audit.record(session, user, "login", "staff_user", user.id)
            failed = False
    if failed:
        await auth.wait_a_little()
        return _login_form(request, "That username and password don't match.", status=401, username=username)
    response = web.HTTPSeeOther(_safe_next(str(form.get("next") or "")))
    auth.set_cookie(response, request, auth.COOKIE, token, max_age=auth.ABSOLUTE_HOURS * 3600)
    response.del_cookie(auth.LOGIN_COOKIE, path="/staff")
    raise response


@auth.requires("any")
async def logout(request: web.Request) -> web.StreamResponse:
    """End the session."""
    with request.app[SESSIONS].begin() as session:
        auth.end_session(session, request.cookies.get(auth.COOKIE, ""))
        user = session.get(StaffUser, request[auth.STAFF].id)
        if user is not None:
            audit.record(session, user, "logout", "staff_user", user.id)
    response = web.HTTPSeeOther("/staff/login")
    response.del_cookie(auth.COOKIE, path="/staff")
    raise response


@auth.requires("any")
async def home(request: web.Request) -> web.StreamResponse:
    """Each role's first page."""
    staff: auth.Staff = request[auth.STAFF]
    for role, path in HOME:
        if staff.can(role):
            raise web.HTTPSeeOther(path)
    return forbidden(request, "Your account has no role yet. Ask an admin to give you one.")


def ago(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """ "5 min", "2 h 10 min", "3 days": how long ago, for waiting times."""
    if value is None:
        return ""
    seconds = max(0, int(((now or dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)) - value).total_seconds()))
    if seconds < 60:
        return "under a minute"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{hours // 24} days"


def when(value: dt.datetime | None) -> str:
    """A UTC timestamp as staff read it."""
    return value.strftime("%d %b %Y, %H:%M UTC") if value else ""


def setup(app: web.Application) -> None:
    """Templates (autoescaped everywhere) and every console route."""
    from bot.staff import admin, conversations, directory_pages, queue, reports

    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["ago"] = ago
    env.filters["when"] = when
    router = app.router
    router.add_get("/staff", home, name="staff_home")
    router.add_get("/staff/login", login_page, name="staff_login_page")
    router.add_post("/staff/login", login, name="staff_login")
    router.add_post("/staff/logout", logout, name="staff_logout")
    queue.setup_routes(app)
    conversations.setup_routes(app)
    reports.setup_routes(app)
    directory_pages.setup_routes(app)
    admin.setup_routes(app)
