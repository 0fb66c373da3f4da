"""Admin pages: users and roles, the audit log, retention and canned replies."""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy import select

from bot.keys import SESSIONS, SETTINGS, STAFF_BUS, TRACKER_ENGINE
from bot.models import AuditEvent, CannedReply, StaffUser
from bot.staff import audit, auth, retention
from bot.staff.users import UserError, create_user
from bot.staff.web import current_user, form_fields, render, see_other


async def _roles(request: web.Request) -> list[str]:
    """The roles ticked on a user form."""
    form = await request.post()
    return [r for r in form.getall("roles", []) if isinstance(r, str)]


@auth.requires("admin")
async def users_page(request: web.Request) -> web.Response:
    """Every account, and a form for a new one."""
    with request.app[SESSIONS]() as session:
        users = list(session.scalars(select(StaffUser).order_by(StaffUser.username)))
    return render(
        request,
        "users.html",
        {
            "users": users,
            "roles": auth.ROLES,
            "done": request.query.get("done", ""),
            "error": request.query.get("error", "")[:300],
        },
    )


@auth.requires("admin")
async def add_user(request: web.Request) -> web.StreamResponse:
    """Create an account."""
    form = await form_fields(request)
    roles = await _roles(request)
    try:
        hashed = await auth.password_hash(form.get("password", ""))
        with request.app[SESSIONS].begin() as session:
            user = create_user(
                session, form.get("username", ""), form.get("display_name", ""), "", roles, password_hash=hashed
            )
            session.flush()
            audit.record(session, current_user(session, request), "add_user", "staff_user", user.id, roles=user.roles)
    except auth.PasswordRejected as error:
        raise see_other("/staff/admin/users", error=str(error)) from None
    except UserError as error:
        raise see_other("/staff/admin/users", error=str(error)) from None
    raise see_other("/staff/admin/users", done="added")


@auth.requires("admin")
async def update_user(request: web.Request) -> web.StreamResponse:
    """Change roles, switch an account off or on, or set a new password."""
    form = await form_fields(request)
    try:
        user_id = int(request.match_info["user_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    password = form.get("password", "")
    try:
        hashed = await auth.password_hash(password) if password else None
    except auth.PasswordRejected as error:
        raise see_other("/staff/admin/users", error=str(error)) from None
    with request.app[SESSIONS].begin() as session:
        me = current_user(session, request)
        user = session.get(StaffUser, user_id)
        if user is None:
            raise web.HTTPNotFound(text="There is no such user.")
        roles = [r for r in await _roles(request) if r in auth.ROLES]
        active = form.get("active") == "on"
        if user.id == me.id and ("admin" not in roles or not active):
            raise see_other("/staff/admin/users", error="You can't remove your own admin role or switch yourself off.")
        changes = {}
        if roles != list(user.roles or []):
            changes["roles"] = roles
            user.roles = roles
        if active != user.active:
            changes["active"] = active
            user.active = active
        if hashed:
            user.password_hash = hashed
            changes["password"] = "changed"  # noqa: S105 - an audit note, not a password
        if changes:
            audit.record(session, me, "update_user", "staff_user", user.id, **changes)
            if "active" in changes or "password" in changes:
                # Switched off or new password: their open sessions end now.
                from bot.models import StaffSession

                for row in session.scalars(select(StaffSession).where(StaffSession.user_id == user.id)):
                    if user.id != me.id:
                        session.delete(row)
    if ("active" in changes or "password" in changes) and user_id != me.id:
        request.app[STAFF_BUS].sign_out(user_id=user_id)  # and their live streams close
    raise see_other("/staff/admin/users", done="saved")


@auth.requires("admin")
async def audit_page(request: web.Request) -> web.Response:
    """The audit log, newest first, 200 at a time."""
    action = request.query.get("action", "")[:32] or None
    try:
        before = int(request.query["before"]) if request.query.get("before") else None
    except ValueError:
        before = None
    with request.app[SESSIONS]() as session:
        events = audit.recent(session, action=action, before=before)
        actions = sorted(set(session.scalars(select(AuditEvent.action).distinct())))
    return render(request, "audit.html", {"events": events, "action": action or "", "actions": actions})


@auth.requires("admin")
async def settings_page(request: web.Request) -> web.Response:
    """Retention and canned replies."""
    settings = request.app[SETTINGS]
    with request.app[SESSIONS]() as session:
        days = retention.retention_days(session, settings.retention_days)
        canned = list(session.scalars(select(CannedReply).order_by(CannedReply.id)))
    return render(
        request,
        "settings.html",
        {
            "days": days,
            "canned": canned,
            "idle": settings.staff_idle_minutes,
            "done": request.query.get("done", ""),
            "error": request.query.get("error", "")[:300],
        },
    )


@auth.requires("admin")
async def save_settings(request: web.Request) -> web.StreamResponse:
    """Change the retention period."""
    form = await form_fields(request)
    try:
        days = int(form.get("retention_days", ""))
        if not 1 <= days <= 3650:
            raise ValueError(days)
    except ValueError:
        raise see_other(
            "/staff/admin/settings", error="Retention must be a whole number of days from 1 to 3650."
        ) from None
    with request.app[SESSIONS].begin() as session:
        retention.set_retention_days(session, current_user(session, request), days)
    raise see_other("/staff/admin/settings", done="saved")


@auth.requires("admin")
async def purge_now(request: web.Request) -> web.StreamResponse:
    """Run the retention purge now."""
    with request.app[SESSIONS]() as session:
        me = current_user(session, request)
    deleted = await asyncio.to_thread(
        retention.purge, request.app[SESSIONS], request.app[TRACKER_ENGINE], request.app[SETTINGS].retention_days, me
    )
    raise see_other("/staff/admin/settings", done=f"purged {deleted}")


@auth.requires("admin")
async def add_canned(request: web.Request) -> web.StreamResponse:
    """Add a canned reply."""
    form = await form_fields(request)
    title, text = form.get("title", "").strip()[:80], form.get("text", "").strip()[:2000]
    if not title or not text:
        raise see_other("/staff/admin/settings", error="A canned reply needs a title and its text.")
    with request.app[SESSIONS].begin() as session:
        reply = CannedReply(title=title, text=text)
        session.add(reply)
        session.flush()
        audit.record(session, current_user(session, request), "add_canned", "canned_reply", reply.id)
    raise see_other("/staff/admin/settings", done="saved")


@auth.requires("admin")
async def delete_canned(request: web.Request) -> web.StreamResponse:
    """Remove a canned reply."""
    try:
        reply_id = int(request.match_info["reply_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    with request.app[SESSIONS].begin() as session:
        reply = session.get(CannedReply, reply_id)
        if reply is not None:
            session.delete(reply)
            audit.record(session, current_user(session, request), "delete_canned", "canned_reply", reply_id)
    raise see_other("/staff/admin/settings", done="saved")


def setup_routes(app: web.Application) -> None:
    """The admin routes."""
    app.router.add_get("/staff/admin/users", users_page, name="staff_users")
    app.router.add_post("/staff/admin/users", add_user, name="staff_user_add")
    app.router.add_post("/staff/admin/users/{user_id}", update_user, name="staff_user_update")
    app.router.add_get("/staff/admin/audit", audit_page, name="staff_audit")
    app.router.add_get("/staff/admin/settings", settings_page, name="staff_settings")
    app.router.add_post("/staff/admin/settings", save_settings, name="staff_settings_save")
    app.router.add_post("/staff/admin/purge", purge_now, name="staff_purge")
    app.router.add_post("/staff/admin/canned", add_canned, name="staff_canned_add")
    app.router.add_post("/staff/admin/canned/{reply_id}/delete", delete_canned, name="staff_canned_delete")
