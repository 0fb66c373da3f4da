"""No secret reaches a log: every record a Kindred process makes has its secrets replaced by their names.

Every process Kindred starts (the gateway, the action server, Rasa, and the launcher that copies their
output into `var/log/`) calls `install(settings.log_secrets)` first. Libraries log whatever they like
(httpx logs each Telegram Bot API URL, which carries the bot token; aiohttp and Sanic log request
paths, which carry the callback secret), so a filter on our own loggers would not be enough, and a
filter on handlers would miss the handlers Rasa and Sanic add after we start. So this works at the
one point every record passes through whoever made it: the log record factory. The message is
formatted there (with its arguments) and redacted, and so is the traceback of an exception.

Standard library only: it runs inside both virtual environments.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from collections.abc import Mapping
from urllib.parse import quote


class Redactor:
    """Replaces each secret with `[redacted <its name>]`."""

    def __init__(self, secrets: Mapping[str, str]) -> None:
        pairs: dict[str, str] = {}
        for name, value in secrets.items():
            if not value:
                continue
            replacement = f"[redacted {name}]"
            pairs[value] = replacement
            # The same secret as it appears inside a URL.
            pairs.setdefault(quote(value, safe=""), replacement)
        # Longest first, so that a secret containing another is replaced whole.
        self._pairs = sorted(pairs.items(), key=lambda pair: len(pair[0]), reverse=True)

    def text(self, text: str) -> str:
        """`text` without any of the secrets."""
        for secret, replacement in self._pairs:
            if secret in text:
                text = text.replace(secret, replacement)
        return text

    def bytes(self, data: bytes) -> bytes:
        """The same for raw output (a child process's), keeping bytes that are not UTF-8 as they were."""
        return self.text(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")


_redactor = Redactor({})
_original_factory = logging.getLogRecordFactory()


def install(secrets: Mapping[str, str]) -> None:
    """From now on, redact these secrets (by name) from every log record this process makes.

    Calling it again replaces the list. Uncaught exceptions are logged (so redacted) too, instead of
    being printed straight to stderr.
    """
    global _redactor
    _redactor = Redactor(secrets)
    logging.setLogRecordFactory(_redacted_record)
    sys.excepthook = _log_uncaught
    threading.excepthook = _log_uncaught_in_thread


def _redacted_record(*args: object, **kwargs: object) -> logging.LogRecord:
    record = _original_factory(*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception as error:  # noqa: BLE001 - a record that cannot be formatted is still logged, saying why
        message = f"{record.msg!r} with arguments {record.args!r} (could not be formatted: {error!r})"
    record.msg, record.args = _redactor.text(message), None
    if record.exc_info and record.exc_info[0] is not None:
        # The formatter uses `exc_text` when it is set, so the traceback it prints is this one.
        record.exc_text = _redactor.text("".join(traceback.format_exception(*record.exc_info)).rstrip("\n"))
    if record.stack_info:
        record.stack_info = _redactor.text(record.stack_info)
    return record


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: object) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, trace)  # type: ignore[arg-type]
        return
    logging.getLogger("kindred").critical("uncaught exception", exc_info=(kind, error, trace))  # type: ignore[arg-type]


def _log_uncaught_in_thread(args: threading.ExceptHookArgs) -> None:
    if args.exc_type is SystemExit:
        return
    logging.getLogger("kindred").critical(
        "uncaught exception in thread %s",
        args.thread.name if args.thread else "?",
        exc_info=(args.exc_type, args.exc_value, args.exc_traceback),  # type: ignore[arg-type]
    )
