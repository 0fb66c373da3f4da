"""Run the action server: `python -m actions.server` (the launcher does this for you).

rasa_sdk's own command line listens on every interface (it has no option for the address) and
answers anyone, and its error handler sends the whole request (a resident's tracker) back to Rasa,
which logs it. So this starts rasa_sdk's app (`create_app`, everything else is rasa_sdk's) with three
differences: it listens on `ACTION_HOST` (127.0.0.1 by default); every call but `/health` must carry
the action secret that the launcher also gives Rasa (in `endpoints.yml`'s `headers`); and a failed
action is logged with its traceback but answered without the request.
"""

from __future__ import annotations

import hmac
import logging

from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

import logfilter
import settings as settings_module
from settings import ACTION_SECRET_HEADER

log = logging.getLogger("kindred.actions")


def secured_app(action_secret: str) -> Sanic:
    """rasa_sdk's app for the `actions` package, answering only callers that know `action_secret`."""
    if not action_secret:
        raise ValueError("the action server needs an action secret (ACTION_SECRET, or var/action-secret)")
    app = create_app("actions", cors_origins=None)
    expected = action_secret.encode()

    @app.middleware("request")
    async def require_secret(request: Request) -> HTTPResponse | None:
        """403 for anyone without the secret (the health check is open: it says nothing)."""
        if request.path == "/health":
            return None
        given = request.headers.get(ACTION_SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "This server answers only Kindred's own Rasa."}, status=403)
        return None

    @app.exception(Exception)
    async def failed(request: Request, error: Exception) -> HTTPResponse:
        """Log what failed; answer without echoing the request (it holds the resident's tracker)."""
        if isinstance(error, SanicException):  # 404, 405, a body that is not JSON: Sanic's own answer
            return app.error_handler.default(request, error)
        try:
            body = request.json
        except SanicException:
            body = None
        name = str(body.get("next_action") or "")[:100] if isinstance(body, dict) else ""
        log.error("the action %s failed", name or "(unknown)", exc_info=error)
        return response.json({"error": "The action failed; see the action server's log.", "action_name": name}, 500)

    return app


def main() -> None:
    """Serve the actions on ACTION_HOST:ACTION_PORT, with rasa_sdk's logging and secrets redacted."""
    settings_module.private_files()
    config = settings_module.load()
    logfilter.install(config.log_secrets)
    utils.configure_colored_logging(None)
    utils.update_sanic_log_level()
    app = secured_app(config.action_secret)
    log.info("the action server listens on %s:%d", config.action_host, config.action_port)
    app.run(config.action_host, config.action_port, workers=utils.number_of_sanic_workers(), access_log=False)


if __name__ == "__main__":
    main()
