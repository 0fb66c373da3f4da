"""Rate limits on new conversations and on messages, per source and per conversation.

A *source* is where a conversation comes from: the client's address for the web chat (the one
`bot.addresses.client_address` gives, so `TRUSTED_PROXIES` decides whom to believe; an IPv6 client
counts by its /64, which one household or phone holds whole), or the Telegram chat. Only a keyed
hash of it is kept (`source_key`), so neither the limiter's store nor the database holds an address.

The counting is the `limits` library's moving window, in memory, or in Redis when `REDIS_URL` is set
so that every gateway shares the counts. A refusal is `RateLimited`, a kind sentence from
`safety.yml` (the gateway's wording) that the error middleware answers with 429. Whether a refused
message is risky is the relay's business (`Relay.accept_limited`): that one still gets the crisis
reply.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from limits import RateLimitItem, parse_many
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from bot.validation import BadInput
from safety.replies import fill, load_config
from settings import ConfigError, Settings

# A kind sentence at most this often per conversation: a flood of refusals must not become a flood
# of answers (on Telegram each one is a message sent).
NOTICE_EVERY = "1/minute"


class RateLimited(BadInput):
    """More than the limits allow: `message` says so kindly (wording `key` in safety.yml)."""

    def __init__(self, key: str = "slow_down") -> None:
        config = load_config()
        super().__init__(fill(config.wording[key], config), status=429)


def source_key(secret: str, kind: str, identity: str) -> str:
    """A short keyed hash of a source ("address" or "telegram" plus its identity): the same source gives
    the same key, and the key gives away neither the address nor the chat (IPv4 is small enough to
    guess through a plain hash, hence the key)."""
    if kind == "address":
        identity = _bucket(identity)
    digest = hmac.new(secret.encode(), f"{kind}:{identity}".encode(), hashlib.sha256).hexdigest()
    return f"{kind[:2]}-{digest[:24]}"


def _bucket(address: str) -> str:
    """An address as the limits count it: IPv4 whole, IPv6 by its /64 (one customer's prefix)."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _items(name: str, value: str) -> list[RateLimitItem]:
    try:
        items = parse_many(value)
    except ValueError:
        items = []
    if not items:
        raise ConfigError(f"{name} must be limits like '5/minute;30/hour', but it is {value!r}")
    return items


class RateLimits:
    """The gateway's limits on new conversations and messages (see the module's docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.secret = settings.secret
        self.sessions_per_source = _items("LIMIT_NEW_SESSIONS", settings.limit_new_sessions)
        self.messages_per_source = _items("LIMIT_MESSAGES_PER_ADDRESS", settings.limit_messages_per_address)
        self.messages_per_conversation = _items(
            "LIMIT_MESSAGES_PER_CONVERSATION", settings.limit_messages_per_conversation
        )
        self.notices = _items("NOTICE_EVERY", NOTICE_EVERY)
        storage: Storage = (
            RedisStorage(f"async+{settings.redis_url}", implementation="redispy", key_prefix="kindred-limits")
            if settings.redis_url
            else MemoryStorage()
        )
        self._limiter = MovingWindowRateLimiter(storage)

    def source(self, kind: str, identity: str) -> str:
        """The key of a source: `kind` is "address" (web chat) or "telegram" (a chat id)."""
        return source_key(self.secret, kind, identity)

    async def allow_session(self, source: str) -> bool:
        """Whether `source` may start another conversation now (counted when it may)."""
        return await self._take([(item, "session", source) for item in self.sessions_per_source])

    async def allow_message(self, conversation_id: str, source: str | None) -> bool:
        """Whether a conversation, and the source it comes from, may send another message now."""
        wanted = [(item, "conversation", conversation_id) for item in self.messages_per_conversation]
        if source:
            wanted += [(item, "message", source) for item in self.messages_per_source]
        return await self._take(wanted)

    async def notice_due(self, conversation_key: str) -> bool:
        """Whether to tell this conversation that it is limited (at most once a minute)."""
        return await self._take([(item, "notice", conversation_key) for item in self.notices])

    async def _take(self, wanted: list[tuple[RateLimitItem, str, str]]) -> bool:
        """Count one against every limit, or against none when any of them is used up (so a refused
        attempt costs nothing and the person is not locked out for longer than the window)."""
        for item, *keys in wanted:
            if not await self._limiter.test(item, *keys):
                return False
        for item, *keys in wanted:
            if not await self._limiter.hit(item, *keys):
                return False  # another request took the last one meanwhile
        return True
