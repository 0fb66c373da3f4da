"""Run the gateway: `python -m bot` (the launcher does this for you)."""

from __future__ import annotations

import logging

from aiohttp import web

import logfilter
import settings as settings_module
from bot.app import init_app


def main() -> None:
    """Serve the gateway on KINDRED_HOST:KINDRED_PORT."""
    settings_module.private_files()
    config = settings_module.load()
    logfilter.install(config.log_secrets)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    web.run_app(init_app(config), host=config.host, port=config.port, print=None)


if __name__ == "__main__":
    main()
