"""Typed application keys: one place for everything the gateway app holds."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.hub import Hub
from bot.limits import RateLimits
from bot.rasa_client import RasaClient
from bot.relay import Relay
from bot.staff.events import StaffBus
from settings import Settings

SETTINGS = web.AppKey("settings", Settings)
ENGINE = web.AppKey("engine", Engine)
TRACKER_ENGINE = web.AppKey("tracker_engine", Engine)
SESSIONS = web.AppKey("sessions", sessionmaker[Session])
HTTP = web.AppKey("http", aiohttp.ClientSession)
RASA = web.AppKey("rasa", RasaClient)
RELAY = web.AppKey("relay", Relay)
HUB = web.AppKey("hub", Hub)
# The Telegram channel, when TELEGRAM_TOKEN is set (bot.telegram.TelegramChannel).
TELEGRAM = web.AppKey("telegram", object)
# Rate limits on new conversations and messages (bot/limits.py).
LIMITS = web.AppKey("limits", RateLimits)
# Live updates for open staff console pages.
STAFF_BUS = web.AppKey("staff_bus", StaffBus)
