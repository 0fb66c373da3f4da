"""The directory for editors: find and correct a service, mark it checked, residents' flags, import."""

from __future__ import annotations

import asyncio
import datetime as dt
import tempfile
from pathlib import Path

from aiohttp import web
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.keys import ENGINE, SESSIONS
from bot.staff import audit, auth
from bot.staff.web import check_upload_token, current_user, forbidden, form_fields, render
from directory import models as m
from directory import oruk
from directory.search import reindex
from residents.models import ServiceFlag

STATUSES = ("active", "inactive", "defunct", "temporarily closed")
FLAG_REASONS = {"not_running": "Not running", "wrong_details": "Wrong details", "unsuitable": "Unsuitable"}
MAX_UPLOAD = 20 * 1024 * 1024
# What an editor can change here; the rest comes with the next import.
EDITABLE = ("name", "description", "url", "email", "fees", "alert", "status", "minimum_age", "maximum_age")


@auth.requires("editor")
async def directory_page(request: web.Request) -> web.Response:
    """Search services by name; open flags and the longest-unchecked first."""
    words = request.query.get("q", "").strip()[:100]
    with request.app[SESSIONS]() as session:
        statement = select(m.Service).order_by(
            m.Service.assured_date.is_not(None), m.Service.assured_date, m.Service.name
        )
        if words:
            # autoescape: % and _ typed in the box are letters to find, not wildcards.
            statement = statement.where(
                or_(
                    m.Service.name.icontains(words, autoescape=True),
                    m.Service.description.icontains(words, autoescape=True),
                )
            )
        services = list(session.scalars(statement.limit(100)))
        flags = dict(
            session.execute(
                select(ServiceFlag.service_id, func.count())
                .where(ServiceFlag.status == "open")
                .group_by(ServiceFlag.service_id)
            ).all()
        )
        total = session.scalar(select(func.count()).select_from(m.Service))
        open_flags = session.scalar(select(func.count()).select_from(ServiceFlag).where(ServiceFlag.status == "open"))
    return render(
        request,
        "directory.html",
        {"services": services, "flags": flags, "q": words, "total": total, "open_flags": open_flags},
    )


@auth.requires("editor")
async def flags_page(request: web.Request) -> web.Response:
    """Residents' reports that an entry was wrong or unsuitable."""
    with request.app[SESSIONS]() as session:
        flags = list(
            session.scalars(
                select(ServiceFlag).order_by(ServiceFlag.status != "open", ServiceFlag.id.desc()).limit(300)
            )
        )
    return render(request, "flags.html", {"flags": flags, "reasons": FLAG_REASONS})


def _service(session: Session, service_id: str) -> m.Service:
    service = session.get(m.Service, service_id)
    if service is None:
        raise web.HTTPNotFound(text="There is no service with that id.")
    return service


@auth.requires("editor")
async def service_page(request: web.Request) -> web.Response:
    """One service's editable details and its flags."""
    with request.app[SESSIONS]() as session:
        service = _service(session, request.match_info["service_id"])
        flags = list(
            session.scalars(
                select(ServiceFlag).where(ServiceFlag.service_id == service.id).order_by(ServiceFlag.id.desc())
            )
        )
    return render(
        request,
        "service.html",
        {
            "service": service,
            "flags": flags,
            "reasons": FLAG_REASONS,
            "statuses": STATUSES,
            "done": request.query.get("done", ""),
            "error": request.query.get("error", "")[:300],
        },
    )


def _age(value: str) -> float | None:
    value = value.strip()
    if not value:
        return None
    number = float(value)
    if not 0 <= number <= 130:
        raise ValueError(value)
    return number


@auth.requires("editor")
async def save_service(request: web.Request) -> web.StreamResponse:
    """Save an editor's corrections, re-index, and audit which fields changed."""
    service_id = request.match_info["service_id"]
    form = await form_fields(request)
    back = f"/staff/directory/services/{service_id}"
    with request.app[SESSIONS].begin() as session:
        service = _service(session, service_id)
        changed = []
        for field in EDITABLE:
            if field not in form:
                continue
            raw = form[field].strip()
            if field in ("minimum_age", "maximum_age"):
                try:
                    value = _age(raw)
                except ValueError:
                    raise web.HTTPSeeOther(f"{back}?error=Ages+must+be+numbers+from+0+to+130.") from None
            elif field == "name" and not raw:
                raise web.HTTPSeeOther(f"{back}?error=A+service+needs+a+name.")
            elif field == "status" and raw not in STATUSES:
                continue
            else:
                value = raw[:5000] or None
            if getattr(service, field) != value:
                setattr(service, field, value)
                changed.append(field)
        if changed:
            if "description" in changed:
                service.description_text = oruk.plain_text(service.description)
            service.last_modified = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            session.flush()
            reindex(session, [service.id])
            audit.record(session, current_user(session, request), "edit_service", "service", service.id, fields=changed)
    raise web.HTTPSeeOther(f"{back}?done={'saved' if changed else 'unchanged'}")


@auth.requires("editor")
async def mark_checked(request: web.Request) -> web.StreamResponse:
    """Record that an editor checked the entry today (ORUK's assured date)."""
    service_id = request.match_info["service_id"]
    with request.app[SESSIONS].begin() as session:
        service = _service(session, service_id)
        user = current_user(session, request)
        service.assured_date = dt.date.today().isoformat()
        service.assurer_email = user.username
        audit.record(session, user, "check_service", "service", service.id)
    raise web.HTTPSeeOther(f"/staff/directory/services/{service_id}?done=checked")


@auth.requires("editor")
async def update_flag(request: web.Request) -> web.StreamResponse:
    """Mark a resident's flag fixed or dismissed."""
    form = await request.post()
    status = form.get("status")
    if status not in ("fixed", "dismissed", "open"):
        raise web.HTTPBadRequest(text="Choose fixed or dismissed.")
    try:
        flag_id = int(request.match_info["flag_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    with request.app[SESSIONS].begin() as session:
        flag = session.get(ServiceFlag, flag_id)
        if flag is None:
            raise web.HTTPNotFound(text="That flag no longer exists.")
        flag.status = str(status)
        audit.record(
            session, current_user(session, request), "flag_" + str(status), "service", flag.service_id, flag=flag.id
        )
        service_id = flag.service_id
    back = str(form.get("back") or "")
    raise web.HTTPSeeOther(back if back == "/staff/directory/flags" else f"/staff/directory/services/{service_id}")


@auth.requires("editor")
async def import_page(request: web.Request) -> web.Response:
    """The upload form."""
    return render(request, "import.html", {"report": None, "error": ""})


@auth.requires("editor")
@auth.multipart
async def import_upload(request: web.Request) -> web.Response:
    """Import an uploaded ORUK JSON file (3.0 or 1.0): the CSRF field first, then the file, streamed."""
    reader = await request.multipart()
    part = await reader.next()
    if part is None or part.name != "csrf" or not check_upload_token(request, (await part.text())[:200]):
        return forbidden(request, "That form had expired. Go back, reload the page and try again.")
    part = await reader.next()
    if part is None or part.name != "file" or not getattr(part, "filename", None):
        return render(request, "import.html", {"report": None, "error": "Choose a file to upload."}, status=400)
    name = Path(part.filename).name[:200]
    data = bytearray()
    while chunk := await part.read_chunk(256 * 1024):
        data += chunk
        if len(data) > MAX_UPLOAD:
            return render(
                request,
                "import.html",
                {
                    "report": None,
                    "error": "That file is bigger than 20 MB. Use ./kindred directory import for large files.",
                },
                status=413,
            )
    report, error = await asyncio.to_thread(_import, request.app[ENGINE], bytes(data))
    with request.app[SESSIONS].begin() as session:
        audit.record(
            session,
            current_user(session, request),
            "import",
            "directory",
            name,
            imported=len(report.imported) if report else 0,
            rejected=len(report.rejected) if report else 0,
            error=error or None,
        )
    status = 400 if error else 200
    return render(request, "import.html", {"report": report, "error": error, "filename": name}, status=status)


def _import(engine, data: bytes) -> tuple[oruk.Report | None, str]:  # noqa: ANN001 - an Engine
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.json"
        path.write_bytes(data)
        with Session(engine) as session:
            try:
                report = oruk.import_file(session, path)
            except oruk.ImportError_ as error:
                return None, f"That file could not be imported: {error}"
            reindex(session, report.imported)
            session.commit()
            return report, ""


def setup_routes(app: web.Application) -> None:
    """The directory editor's routes."""
    app.router.add_get("/staff/directory", directory_page, name="staff_directory")
    app.router.add_get("/staff/directory/flags", flags_page, name="staff_flags")
    app.router.add_post("/staff/directory/flags/{flag_id}", update_flag, name="staff_flag_update")
    app.router.add_get("/staff/directory/import", import_page, name="staff_import_page")
    app.router.add_post("/staff/directory/import", import_upload, name="staff_import")
    app.router.add_get("/staff/directory/services/{service_id}", service_page, name="staff_service")
    app.router.add_post("/staff/directory/services/{service_id}", save_service, name="staff_service_save")
    app.router.add_post("/staff/directory/services/{service_id}/checked", mark_checked, name="staff_service_checked")
