"""Measured speed-ups for Rasa 3.6's HTTP calls, applied when our components load.

1. Validating action server responses.

Rasa validates every action server response with `jsonschema.validate(result, schema)`, which
checks the (large, constant) events schema against the JSON Schema meta-schema and builds a new
validator on every call: about 59 ms of CPU per custom action on these machines, against 1.7 ms for
the same validation with a validator built once (`./kindred bench turns` found it to be most of
the gap between Kindred and a bare assistant, which has no custom actions). The replacement
validates against exactly the same schema and raises the same error with the same message, so
a malformed action server response is still refused.

2. Connections. Rasa's `EndpointConfig.request` opens a new aiohttp `ClientSession` (and so a new
TCP connection) for every call: each custom action, and each bot message posted to the gateway's
callback URL. `./kindred bench turns` profiling put that at about a tenth of Rasa's CPU per turn.
Here each endpoint setting gets one long-lived session per event loop, and connections are reused
(kept idle for at most 2 s, less than the action server's own 5 s keep-alive, so Rasa never sends
on a connection the other side has just closed).
"""

from __future__ import annotations

import asyncio
from functools import lru_cache
from typing import Any

import aiohttp
from jsonschema import validators
from jsonschema.exceptions import best_match
from rasa.core.actions.action import RemoteAction
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
from rasa.shared.constants import DOCS_BASE_URL
from rasa.utils.endpoints import EndpointConfig

_sessions: dict[tuple, aiohttp.ClientSession] = {}


@lru_cache(maxsize=1)
def _validator() -> Any:  # noqa: ANN401 - a jsonschema validator instance
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)  # once, not on every response
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the Action "
        f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


class _KeptSession:
    """What `async with config.session()` gets: a shared session, not closed on the way out."""

    def __init__(self, config: EndpointConfig) -> None:
        self.config = config

    async def __aenter__(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        key = (id(loop), repr(sorted((self.config.headers or {}).items())), repr(self.config.basic_auth))
        session = _sessions.get(key)
        if session is None or session.closed:
            # As Rasa's own `EndpointConfig.session`, plus a connector that keeps connections.
            credentials = self.config.basic_auth
            session = aiohttp.ClientSession(
                headers=self.config.headers,
                auth=aiohttp.BasicAuth(credentials["username"], credentials["password"]) if credentials else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=2),
            )
            _sessions[key] = session
        return session

    async def __aexit__(self, *_: object) -> bool:
        return False


def _session(self: EndpointConfig) -> _KeptSession:
    return _KeptSession(self)


def apply() -> None:
    """Install both (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
    EndpointConfig.session = _session
