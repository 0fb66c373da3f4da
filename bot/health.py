"""Health: is each part of the assistant up? 503 while any is down."""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from sqlalchemy import text

from bot.keys import ENGINE, HTTP, RASA, SETTINGS


async def _action_server(request: web.Request) -> bool:
    url = request.app[SETTINGS].action_health_url
    try:
        async with request.app[HTTP].get(url, timeout=aiohttp.ClientTimeout(total=3)) as response:
            return response.status == 200
    except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
        return False


def _database(request: web.Request) -> bool:
    try:
        with request.app[ENGINE].connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure means "down"; the detail goes to the log, not the resident
        request.app.logger.exception("database health check failed")
        return False


async def health(request: web.Request) -> web.Response:
    """JSON with the state of Rasa (each replica), the action server and the database.

    503 while any part is down, with `degraded` naming each one ("rasa <url>", "action_server",
    "database"): the chat still takes messages then, and keeps them until the part is back.
    """
    rasa, actions, database = await asyncio.gather(
        request.app[RASA].status(), _action_server(request), asyncio.to_thread(_database, request)
    )
    degraded = [
        *(f"rasa {r['url']}" for r in rasa if not r["up"]),
        *([] if actions else ["action_server"]),
        *([] if database else ["database"]),
    ]
    body = {
        "status": "degraded" if degraded else "ok",
        "degraded": degraded,
        "rasa": rasa,
        "action_server": "up" if actions else "down",
        "database": "up" if database else "down",
    }
    return web.json_response(body, status=503 if degraded else 200)


async def live(_: web.Request) -> web.Response:
    """The gateway process itself answers (it keeps messages even while Rasa is down)."""
    return web.json_response({"status": "ok"})


def setup_routes(app: web.Application) -> None:
    """Register the health routes."""
    app.router.add_get("/health", health, name="health")
    app.router.add_get("/health/live", live, name="health_live")
