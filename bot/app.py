"""The gateway's aiohttp application factory."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from sqlalchemy.orm import sessionmaker

from bot import health, webchat
from bot.addresses import request_is_https
from bot.hub import Hub
from bot.keys import ENGINE, HTTP, HUB, LIMITS, RASA, RELAY, SESSIONS, SETTINGS, STAFF_BUS, TELEGRAM, TRACKER_ENGINE
from bot.limits import RateLimits
from bot.rasa_client import RasaClient
from bot.relay import FORGET_JOB, Relay
from bot.scheduler import Scheduler, ToRasa
from bot.staff import retention
from bot.staff import web as staff_web
from bot.staff.events import StaffBus
from bot.tokens import same_secret
from bot.validation import BadInput
from database import make_engine, upgrade
from database import tracker_engine as open_tracker_engine
from safety.triage import triage
from safety.triage import warm_up as warm_up_triage
from settings import Settings

log = logging.getLogger("kindred.gateway")
MAX_BODY_BYTES = 64 * 1024


@web.middleware
async def errors(request: web.Request, handler) -> web.StreamResponse:  # noqa: ANN001
    """One place where errors become answers: kind JSON for the API, never a stack trace."""
    try:
        return await handler(request)
    except BadInput as error:
        return web.json_response({"error": error.message}, status=error.status)
    except web.HTTPRequestEntityTooLarge:
        return web.json_response(
            {"error": "That message is too big for me. Could you send it in a few shorter parts?"}, status=413
        )
    except web.HTTPException as error:
        if request.path.startswith("/api/") and error.status_code >= 400:
            return web.json_response({"error": error.text or error.reason}, status=error.status_code)
        raise
    except Exception:
        log.exception("unexpected error on %s %s", request.method, request.path)
        if request.path.startswith("/staff"):
            return web.Response(
                text="Sorry, something went wrong on our side. Nothing was lost; please go back and try again.",
                status=500,
            )
        return web.json_response(
            {"error": "Sorry, something went wrong on our side. Anything you sent before is safe. Please try again."},
            status=500,
        )


async def rasa_callback(request: web.Request) -> web.Response:
    """Rasa posts each bot message here. The path carries the shared secret."""
    if not same_secret(request.match_info["secret"], request.app[SETTINGS].secret):
        raise web.HTTPNotFound()
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, or nested too deep to read
        raise web.HTTPBadRequest(text="not JSON") from None
    if isinstance(body, dict):
        await request.app[RELAY].from_rasa(body)
    return web.json_response({"ok": True})


async def telegram_webhook(request: web.Request) -> web.Response:
    """Telegram posts updates here (webhook mode); the secret header is checked on every request."""
    settings = request.app[SETTINGS]
    channel = request.app.get(TELEGRAM)
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if channel is None or settings.telegram_mode != "webhook" or not same_secret(given, settings.telegram_secret):
        raise web.HTTPForbidden(text="not Telegram")
    try:
        body = await request.json()
    except (ValueError, RecursionError):  # bad JSON, bad UTF-8, or nested too deep to read
        raise web.HTTPBadRequest(text="not JSON") from None
    if not isinstance(body, dict) or not isinstance(body.get("update_id"), int):
        raise web.HTTPBadRequest(text="not a Telegram update")
    from bot.telegram import NotAnUpdate  # Telegram's library is imported only when Telegram is on

    try:
        await channel.webhook(body)
    except NotAnUpdate as error:
        log.warning("refused a webhook body that is not a Telegram update (%s)", error)
        raise web.HTTPBadRequest(text="not a Telegram update") from None
    return web.json_response({"ok": True})


def _schedule_retention(sessions: sessionmaker) -> None:
    with sessions.begin() as session:
        retention.schedule(session)


async def _resources(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    settings.var.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.app_database_url)
    await asyncio.to_thread(upgrade, engine)
    tracker_engine = open_tracker_engine(settings, engine)
    app[ENGINE] = engine
    app[TRACKER_ENGINE] = tracker_engine
    app[SESSIONS] = sessionmaker(engine, expire_on_commit=False)
    http = aiohttp.ClientSession()
    app[HTTP] = http
    app[RASA] = RasaClient(http, settings.rasa_urls, settings.rasa_token)
    app[HUB] = Hub()
    # Load the rules, the sentence encoder and classifier and the language detector now, so the
    # first message is not the slow one (and a broken safety configuration stops the start).
    await asyncio.to_thread(warm_up_triage)
    app[RELAY] = Relay(app[SESSIONS], tracker_engine, app[RASA], triage, app[HUB].push, settings.safety_net_seconds)
    app[RELAY].listeners.append(app[STAFF_BUS].publish)
    # Reminders, follow-ups, check-ins and retention runs: rows in the database, fired by this
    # gateway's scheduler (or another gateway's: each job fires once).
    await asyncio.to_thread(_schedule_retention, app[SESSIONS])
    scheduler = Scheduler(
        app[SESSIONS],
        {
            "rasa": ToRasa(app[SESSIONS], app[RASA], http, settings.action_health_url),
            "retention": retention.purge_job(app[SESSIONS], tracker_engine, settings.retention_days),
            FORGET_JOB: app[RELAY].forget_job(),
        },
    )
    scheduler.start()
    telegram = None
    if settings.telegram_token:
        from bot.telegram import TelegramChannel

        telegram = TelegramChannel(settings, app[SESSIONS], app[RELAY])
        app[TELEGRAM] = telegram
        app[HUB].channels["telegram"] = telegram.deliver
        await telegram.start()
    resumed = app[RELAY].resume_pending()
    if resumed:
        log.info("resuming %d conversations with messages kept while we were down", resumed)
    yield
    await scheduler.stop()
    if telegram is not None:
        await telegram.stop()
    await app[HUB].close_all()
    await app[RELAY].close()
    await http.close()
    engine.dispose()
    if tracker_engine is not engine:
        tracker_engine.dispose()


# Every script is a file from this server (no inline script, no other site); the console sets a
# stricter one of its own (bot/staff/web.py).
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors {ancestors}"
)
HSTS = "max-age=31536000"


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """The headers every answer carries: a script-src 'self' CSP, no sniffing, HSTS over HTTPS, and
    no caching of the chat API (its answers carry tokens and what people said)."""
    settings = request.app[SETTINGS]
    ancestors = " ".join(["'self'", *settings.public_origins])
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP.format(ancestors=ancestors))
    if request_is_https(request) or (settings.public_url or "").startswith("https://"):
        # Browsers ignore it over plain HTTP, so the public address being HTTPS is reason enough.
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if request.path.startswith("/api/"):
        response.headers["Cache-Control"] = "no-store"


def init_app(settings: Settings) -> web.Application:
    """Build the gateway for a configuration."""
    app = web.Application(middlewares=[errors, staff_web.guard], client_max_size=MAX_BODY_BYTES)
    app[SETTINGS] = settings
    app[STAFF_BUS] = StaffBus()
    app[LIMITS] = RateLimits(settings)
    app.on_response_prepare.append(_security_headers)
    app.cleanup_ctx.append(_resources)
    setup_routes(app)
    return app


def setup_routes(app: web.Application) -> None:
    """Every route, in one place."""
    webchat.setup_routes(app)
    health.setup_routes(app)
    staff_web.setup(app)
    app.router.add_post("/rasa/callback/{secret}", rasa_callback, name="rasa_callback")
    app.router.add_post("/telegram/webhook", telegram_webhook, name="telegram_webhook")
