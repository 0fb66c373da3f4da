"""Kindred's configuration: the one module every process reads.

Values come from environment variables, then from an optional `.env` file at the repository root
(lines of `NAME=value`; the environment wins). The defaults need no server: SQLite files under
`var/`, Rasa's in-memory lock store, no Telegram.

| variable | default | meaning |
|---|---|---|
| `DATABASE_URL` | `sqlite:///var/kindred.db` | app data (conversations, messages, escalations) and, unless `TRACKER_DATABASE_URL` is set, Rasa's tracker store. Any SQLAlchemy URL; PostgreSQL in production, e.g. `postgresql://kindred@db/kindred` |
| `TRACKER_DATABASE_URL` | SQLite `var/rasa-tracker.db`, or `DATABASE_URL` when that is a server | Rasa's tracker store |
| `REDIS_URL` | unset | `redis://host:6379/0`: Rasa's lock store, needed for more than one Rasa replica |
| `RASA_REPLICAS` | `1` | Rasa servers to start (ports `RASA_PORT`, +1, ...); more than one needs Redis and a server database |
| `KINDRED_HOST` / `KINDRED_PORT` | `127.0.0.1` / `8080` | where the gateway (web chat, health) listens |
| `RASA_PORT` / `ACTION_PORT` | `5005` / `5055` | Rasa server and action server ports (Rasa is bound to 127.0.0.1) |
| `ACTION_HOST` | `127.0.0.1` | the interface the action server listens on (it always requires the action secret) |
| `PUBLIC_URL` | unset | the address residents use, e.g. `https://chat.example.org`; `https://` turns on HSTS |
| `PUBLIC_ORIGINS` | `http://127.0.0.1:<port>,http://localhost:<port>` | web origins allowed to open the chat WebSocket (add the sites that embed the chat) |
| `SAFETY_NET_SECONDS` | `4` | how long the gateway waits for Rasa to answer a risky message before it sends the safety reply itself |
| `CHECKIN_EVERY_DAYS` | `14` | offer the loneliness check-in at most this often (days) |
| `KINDRED_TIMEZONE` | `Europe/London` | local time for reminders and the directory's opening times |
| `TELEGRAM_TOKEN` | unset (Telegram off) | the bot token from @BotFather |
| `TELEGRAM_MODE` | `polling` | `polling` (no public address needed) or `webhook` |
| `TELEGRAM_WEBHOOK_URL` | unset | webhook mode: this gateway's public HTTPS address; Telegram posts to `<it>/telegram/webhook` with a secret header |
| `TELEGRAM_API_URL` | `https://api.telegram.org/bot` | the Bot API server (a local Bot API server, or the tests' fake) |
| `STAFF_SESSION_MINUTES` | `30` | a staff console session ends after this many minutes without use (and after 12 hours in any case) |
| `RETENTION_DAYS` | `365` | conversations with no activity for this many days are deleted (admins can change it in the console) |
| `KINDRED_VAR` | `var` | where data, logs, secrets and the built spaCy pipeline live |
| `KINDRED_SECRET` | generated into `var/secret` | the secret path Rasa posts replies to (and, derived from it, the Telegram webhook secret) |
| `RASA_TOKEN` | generated into `var/rasa-token` | the token for Rasa's HTTP API (independent of the other secrets) |
| `ACTION_SECRET` | generated into `var/action-secret` | the header Rasa sends the action server with every call (independent of the other secrets) |
| `LIMIT_NEW_SESSIONS` | `5/minute;30/hour` | new conversations one client address (web chat) or Telegram chat may start ([`limits`](https://limits.readthedocs.io) notation) |
| `LIMIT_MESSAGES_PER_ADDRESS` | `60/minute;600/hour` | messages from one client address (or Telegram chat), across its conversations |
| `LIMIT_MESSAGES_PER_CONVERSATION` | `10/10 seconds;40/minute` | messages in one conversation (a risky one is still answered with the crisis reply) |
| `TRUSTED_PROXIES` | empty | comma-separated addresses or CIDR networks of reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` headers are believed (nothing else's are) |
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
# The header Rasa sends the action server with the action secret (endpoints.yml's `headers`).
ACTION_SECRET_HEADER = "X-Kindred-Action-Secret"  # noqa: S105 - a header name, not a secret


def _read_dotenv(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        value = value.strip()
        if value[:1] in ('"', "'") and value.count(value[0]) >= 2:
            value = value[1 : value.index(value[0], 1)]
        else:
            value = value.split(" #", 1)[0].strip()
        values[name.strip()] = value
    return values


class ConfigError(ValueError):
    """A configuration value that cannot be used, explained in words."""


def _number(env: dict[str, str], name: str, default: str, kind: type = int) -> int | float:
    raw = env.get(name) or default
    try:
        return kind(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a {'whole ' if kind is int else ''}number, but it is {raw!r}") from None


def _is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


@dataclass(frozen=True)
class Settings:
    """Resolved configuration. Build with `load()`."""

    var: Path
    database_url: str
    tracker_database_url: str
    redis_url: str | None
    rasa_replicas: int
    host: str
    port: int
    rasa_port: int
    action_port: int
    public_origins: tuple[str, ...]
    safety_net_seconds: float
    secret: str = field(repr=False)
    # Rasa's HTTP API token and the action server's shared secret: generated, independent of `secret`.
    rasa_token: str = field(default="", repr=False)
    action_secret: str = field(default="", repr=False)
    # The interface the action server listens on (anything but loopback is for a private network).
    action_host: str = "127.0.0.1"
    # The address residents use (https:// turns on HSTS); unset when only reached locally.
    public_url: str | None = None
    # Offer the loneliness check-in at most this often (days).
    checkin_every_days: int = 14
    # Local time for reminders and "Tuesdays 12:00" (the directory's times are local).
    timezone: str = "Europe/London"
    # Telegram: off unless a bot token is set.
    telegram_token: str | None = field(default=None, repr=False)
    telegram_mode: str = "polling"
    telegram_webhook_url: str | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    # The staff console: minutes without use before a session ends.
    staff_idle_minutes: int = 30
    # Delete conversations with no activity for this many days (the console's setting wins).
    retention_days: int = 365
    # Rate limits (bot/limits.py), in the `limits` library's notation: per client address or
    # Telegram chat, and per conversation.
    limit_new_sessions: str = "5/minute;30/hour"
    limit_messages_per_address: str = "60/minute;600/hour"
    limit_messages_per_conversation: str = "10/10 seconds;40/minute"
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto headers are believed.
    trusted_proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @property
    def telegram_secret(self) -> str:
        """The secret Telegram sends with every webhook request (letters, digits, _ and - only)."""
        return "tg-" + hashlib.sha256(f"telegram:{self.secret}".encode()).hexdigest()[:40]

    @property
    def rasa_urls(self) -> list[str]:
        """The Rasa servers the gateway sends messages to, in turn."""
        return [f"http://127.0.0.1:{self.rasa_port + i}" for i in range(self.rasa_replicas)]

    @property
    def action_url(self) -> str:
        """The action server's webhook (where Rasa calls it)."""
        host = "127.0.0.1" if self.action_host in ("0.0.0.0", "::") else self.action_host  # noqa: S104
        return f"http://{host}:{self.action_port}/webhook"

    @property
    def action_health_url(self) -> str:
        """The action server's health check (the same host and port as its webhook)."""
        return self.action_url.removesuffix("/webhook") + "/health"

    @property
    def gateway_url(self) -> str:
        """Where the gateway answers locally."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host  # noqa: S104 - a comparison
        return f"http://{host}:{self.port}"

    @property
    def callback_url(self) -> str:
        """Where Rasa posts bot messages: a secret path on the gateway."""
        return f"{self.gateway_url}/rasa/callback/{self.secret}"

    @property
    def log_secrets(self) -> dict[str, str]:
        """Every secret a log line could carry, by name: `logfilter` replaces each with its name."""
        found = {
            "telegram token": self.telegram_token or "",
            "rasa token": self.rasa_token,
            "callback secret": self.secret,
            "action secret": self.action_secret,
            "telegram webhook secret": self.telegram_secret,
        }
        for name, url in (("database", self.database_url), ("tracker database", self.tracker_database_url)):
            found[f"{name} password"] = urlsplit(url).password or ""
        found["redis password"] = urlsplit(self.redis_url or "").password or ""
        return {name: value for name, value in found.items() if value}

    @property
    def app_database_url(self) -> str:
        """The app database URL in the form SQLAlchemy 2 with psycopg 3 expects."""
        return driver_url(self.database_url, "postgresql+psycopg")

    @property
    def rasa_tracker_url(self) -> str:
        """The tracker URL in the form Rasa's SQLAlchemy 1.4 with psycopg2 expects."""
        return driver_url(self.tracker_database_url, "postgresql")

    def check(self) -> list[str]:
        """Problems that make this configuration unusable, in plain words."""
        problems = []
        if self.rasa_replicas > 1 and not self.redis_url:
            problems.append(
                "RASA_REPLICAS is more than 1 but REDIS_URL is not set: replicas must share "
                "Redis as their lock store, or two of them could answer one conversation at once."
            )
        if self.rasa_replicas > 1 and _is_sqlite(self.tracker_database_url):
            problems.append(
                "RASA_REPLICAS is more than 1 but the tracker store is SQLite: set DATABASE_URL "
                "(or TRACKER_DATABASE_URL) to a PostgreSQL database that every replica can reach."
            )
        if self.telegram_token and self.telegram_mode not in ("polling", "webhook"):
            problems.append(f"TELEGRAM_MODE must be 'polling' or 'webhook', not '{self.telegram_mode}'.")
        if self.telegram_token and self.telegram_mode == "webhook" and not self.telegram_webhook_url:
            problems.append(
                "TELEGRAM_MODE is 'webhook' but TELEGRAM_WEBHOOK_URL is not set: give the public HTTPS address "
                "of this gateway (Telegram will post to <that address>/telegram/webhook)."
            )
        return problems


def driver_url(url: str, scheme: str) -> str:
    """`url` with its PostgreSQL driver set to `scheme` (other databases unchanged)."""
    for prefix in ("postgresql+psycopg2://", "postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return scheme + "://" + url[len(prefix) :]
    return url


def _networks(env: dict[str, str], name: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    networks = []
    for item in (env.get(name) or "").split(","):
        if not item.strip():
            continue
        try:
            networks.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            raise ConfigError(
                f"{name} must list IP addresses or networks (like 10.0.0.5 or 10.0.0.0/8), but it has {item.strip()!r}"
            ) from None
    return tuple(networks)


def private_files() -> None:
    """From now on, files and folders this process creates are its owner's alone (0600 and 0700).

    Every process Kindred starts calls this first, so a database, log or secret is never readable by
    other accounts, not even for the moment between its creation and a chmod.
    """
    os.umask(0o077)


def _secret(var: Path, env: dict[str, str], name: str, filename: str) -> str:
    """The secret in the variable `name`, else the one generated into `var/filename` (0600)."""
    if env.get(name):
        return env[name]
    path = var / filename
    if path.is_file():
        return path.read_text().strip()
    var.mkdir(mode=0o700, parents=True, exist_ok=True)
    value = secrets.token_urlsafe(32)
    # Created 0600 in one step, and never overwritten: two processes starting at once agree.
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(value)
    return value


def load(environ: dict[str, str] | None = None) -> Settings:
    """Read the configuration from the environment and `.env`."""
    env = _read_dotenv(ROOT / ".env") | dict(os.environ if environ is None else environ)
    var = Path(env.get("KINDRED_VAR", "var"))
    var = (var if var.is_absolute() else ROOT / var).resolve()
    database_url = env.get("DATABASE_URL") or f"sqlite:///{var / 'kindred.db'}"
    tracker = env.get("TRACKER_DATABASE_URL") or (
        f"sqlite:///{var / 'rasa-tracker.db'}" if _is_sqlite(database_url) else database_url
    )
    port = int(_number(env, "KINDRED_PORT", "8080"))
    origins = env.get("PUBLIC_ORIGINS") or f"http://127.0.0.1:{port},http://localhost:{port}"
    return Settings(
        var=var,
        database_url=database_url,
        tracker_database_url=tracker,
        redis_url=env.get("REDIS_URL") or None,
        rasa_replicas=max(1, int(_number(env, "RASA_REPLICAS", "1"))),
        host=env.get("KINDRED_HOST", "127.0.0.1"),
        port=port,
        rasa_port=int(_number(env, "RASA_PORT", "5005")),
        action_port=int(_number(env, "ACTION_PORT", "5055")),
        public_origins=tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip()),
        safety_net_seconds=float(_number(env, "SAFETY_NET_SECONDS", "4", float)),
        secret=_secret(var, env, "KINDRED_SECRET", "secret"),
        rasa_token=_secret(var, env, "RASA_TOKEN", "rasa-token"),
        action_secret=_secret(var, env, "ACTION_SECRET", "action-secret"),
        action_host=env.get("ACTION_HOST") or "127.0.0.1",
        public_url=(env.get("PUBLIC_URL") or "").rstrip("/") or None,
        checkin_every_days=max(1, int(_number(env, "CHECKIN_EVERY_DAYS", "14"))),
        timezone=env.get("KINDRED_TIMEZONE", "Europe/London"),
        telegram_token=env.get("TELEGRAM_TOKEN") or None,
        telegram_mode=env.get("TELEGRAM_MODE", "polling").strip().lower(),
        telegram_webhook_url=(env.get("TELEGRAM_WEBHOOK_URL") or "").rstrip("/") or None,
        telegram_api_url=env.get("TELEGRAM_API_URL") or "https://api.telegram.org/bot",
        staff_idle_minutes=max(1, int(_number(env, "STAFF_SESSION_MINUTES", "30"))),
        retention_days=max(1, int(_number(env, "RETENTION_DAYS", "365"))),
        trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
        limit_new_sessions=env.get("LIMIT_NEW_SESSIONS") or Settings.limit_new_sessions,
        limit_messages_per_address=env.get("LIMIT_MESSAGES_PER_ADDRESS") or Settings.limit_messages_per_address,
        limit_messages_per_conversation=(
            env.get("LIMIT_MESSAGES_PER_CONVERSATION") or Settings.limit_messages_per_conversation
        ),
    )
