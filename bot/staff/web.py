"""The staff console's plumbing: templates, the guard middleware, sign-in and sign-out."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import secrets
from pathlib import Path
from urllib.parse import urlencode

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.addresses import client_address
from bot.keys import SESSIONS, SETTINGS, STAFF_BUS
from bot.models import StaffUser
from bot.staff import audit, auth
from bot.staff.events import Listener
from bot.tokens import same_secret

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
    # Only what a person does keeps the session alive; a page polling by itself does not.
    touch = not getattr(target, "kindred_background", False) and request.query.get("auto") != "1"
    with request.app[SESSIONS].begin() as session:
        found = auth.current(session, request.cookies.get(auth.COOKIE), settings.staff_idle_minutes, touch=touch)
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
        elif not same_secret(await auth.submitted_csrf(request), request[auth.CSRF]):
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


def listener(request: web.Request) -> Listener:
    """Who a live stream belongs to, so signing out (or being switched off) can end it."""
    return Listener(auth.token_hash(request.cookies.get(auth.COOKIE, "")), request[auth.STAFF].id)


async def still_signed_in(request: web.Request) -> bool:
    """Whether the request's session is still live (without counting as use), checked off the event loop."""
    token, idle = request.cookies.get(auth.COOKIE), request.app[SETTINGS].staff_idle_minutes

    def check() -> bool:
        with request.app[SESSIONS].begin() as session:
            return auth.current(session, token, idle, touch=False) is not None

    return await asyncio.to_thread(check)


def check_upload_token(request: web.Request, value: str) -> bool:
    """For upload routes: the form's CSRF field, read before the file."""
    return same_secret(value, request.get(auth.CSRF, ""))


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
        or not same_secret(given, auth.login_token(settings.secret, browser))
        or not auth.same_origin(request)
    ):
        return _login_form(request, "That sign-in form had expired. Please try again.", status=403)
    username = str(form.get("username") or "").strip()[:64]
    password = str(form.get("password") or "")
    address = client_address(request)
    with request.app[SESSIONS].begin() as session:
        wait = auth.sign_in_pause(session, username, address)
        if wait:
            audit.record(session, "system", "login_paused", "staff_user", username, address=address)
            return _login_form(
                request,
                f"Too many unsuccessful attempts from here. For safety, please wait {auth.in_words(wait)} "
                "before trying again. Ask an admin if you have forgotten your password.",
                status=429,
                username=username,
            )
        user = session.scalars(select(StaffUser).where(StaffUser.username == username.lower())).first()
    ok = await auth.verify_password(user.password_hash if user else None, password[:1024])
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
    """End the session, and close its live stream."""
    token = request.cookies.get(auth.COOKIE, "")
    with request.app[SESSIONS].begin() as session:
        auth.end_session(session, token)
        user = session.get(StaffUser, request[auth.STAFF].id)
        if user is not None:
            audit.record(session, user, "logout", "staff_user", user.id)
    request.app[STAFF_BUS].sign_out(sessions=[auth.token_hash(token)])
    response = web.HTTPSeeOther("/staff/login")
    response.del_cookie(auth.COOKIE, path="/staff")
    raise response


CHANGED_NOTICE = "Your password is changed. You have been signed out everywhere else."


@auth.requires("any")
async def password_page(request: web.Request) -> web.Response:
    """Change your own password."""
    done = CHANGED_NOTICE if request.query.get("done") == "changed" else ""
    return render(request, "password.html", {"error": "", "done": done})


@auth.requires("any")
async def change_password(request: web.Request) -> web.StreamResponse:
    """Check the current password (counted like a sign-in), set the new one, end every other session."""
    form = await form_fields(request)
    current_password, new, again = form.get("current", ""), form.get("new", ""), form.get("again", "")
    me: auth.Staff = request[auth.STAFF]
    address = client_address(request)

    def refuse(error: str, status: int) -> web.Response:
        return render(request, "password.html", {"error": error, "done": ""}, status=status)

    with request.app[SESSIONS]() as session:
        wait = auth.sign_in_pause(session, me.username, address)
        stored = current_user(session, request).password_hash
    if wait:
        return refuse(f"Too many wrong passwords. Please wait {auth.in_words(wait)} and try again.", 429)
    if not await auth.verify_password(stored, current_password[:1024]):
        with request.app[SESSIONS].begin() as session:
            auth.note_failure(session, me.username, address)
            audit.record(session, current_user(session, request), "password_failed", "staff_user", me.id)
        await auth.wait_a_little()
        return refuse("Your current password isn't right.", 401)
    if new != again:
        return refuse("The two new passwords are different. Please type the same one twice.", 400)
    if new == current_password:
        return refuse("Choose a password different from the one you have now.", 400)
    try:
        hashed = await auth.password_hash(new)
    except auth.PasswordRejected as error:
        return refuse(str(error), 400)
    keep = auth.token_hash(request.cookies.get(auth.COOKIE, ""))
    with request.app[SESSIONS].begin() as session:
        user = current_user(session, request)
        user.password_hash = hashed
        ended = auth.end_other_sessions(session, user.id, keep=keep)
        audit.record(session, user, "change_password", "staff_user", user.id, sessions_ended=len(ended))
    request.app[STAFF_BUS].sign_out(sessions=ended)
    raise see_other("/staff/account/password", done="changed")


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
    router.add_get("/staff/account/password", password_page, name="staff_password_page")
    router.add_post("/staff/account/password", change_password, name="staff_password")
    queue.setup_routes(app)
    conversations.setup_routes(app)
    reports.setup_routes(app)
    directory_pages.setup_routes(app)
    admin.setup_routes(app)
