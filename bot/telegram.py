"""The Telegram channel, with python-telegram-bot 22, inside the gateway.

Two modes, chosen by `TELEGRAM_MODE`: a **webhook** (Telegram posts to `/telegram/webhook` on the
gateway with a secret header, checked on every request; `setWebhook` is called at start) or **long
polling** (no public address needed). Either way every update goes through the same handlers:

- text, button presses (inline keyboards; the callback query is always answered), `/start`,
  `/help`, `/stop`, `/forget` and a shared location become resident messages, stored before
  anything else and delivered to Rasa in order by the relay (so nothing is lost while Rasa is down);
- every other kind of update (photos, stickers, voice notes, documents, edited messages, group
  chats, channel posts, very long text) gets a kind answer and never a crash;
- a repeated `update_id` is processed once (kept in `telegram_updates`).

Replies go out per chat in order: split at Telegram's 4,096-character limit, HTML-escaped for the
HTML parse mode, with a typing indicator while Rasa thinks. A 429 is waited out for `retry_after`;
5xx and network errors are retried with back-off; a 403 (the person blocked the bot) marks the
conversation unreachable, which staff can see.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import os
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatAction, ChatType, MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import store
from bot.limits import RateLimited, RateLimits
from bot.models import Conversation, Message, TelegramUpdate, utcnow
from bot.validation import ALLOWED_PAYLOADS, BadInput, clean_payload, clean_text, location_payload

if TYPE_CHECKING:
    from bot.relay import Relay
    from settings import Settings

log = logging.getLogger(__name__)

CHANNEL = "telegram"
COMMANDS = {"start": "/greet", "help": "/ask_capabilities", "stop": "/stop_checkins", "forget": "/forget_me"}
VOICE = "I can't listen to voice messages yet — could you type it?"
PICTURE = "I can't see pictures or videos yet. Could you tell me in words?"
STICKER = "Thank you for the sticker! I can only read words, though. What would you like to say?"
DOCUMENT = "I can't open files. Could you type what you'd like to say?"
OTHER = "I can only read written messages. Could you type it for me?"
EDITED = "I can only read new messages, so if you changed something, please send it again."
GROUP = "I only chat one to one, to keep things private. Please message me directly."
SEND_ATTEMPTS = 6


def split_text(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split a reply into parts Telegram accepts, at paragraph, line or word boundaries."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        # The latest paragraph break in the second half of the window, else a line break, else a space.
        candidates = (rest.rfind(sep, 0, limit) for sep in ("\n\n", "\n", " "))
        cut = next((c for c in candidates if c > limit // 2), limit)
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not parts:
        parts.append(rest)
    return parts


def _retry_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    return float(value.total_seconds() if hasattr(value, "total_seconds") else value)


class NotAnUpdate(ValueError):
    """A webhook body that is not a Telegram update (the webhook answers 400)."""


class TelegramChannel:
    """Receives Telegram updates and sends the assistant's messages back to Telegram."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], relay: Relay) -> None:
        # Opt in to python-telegram-bot's next behaviour (time periods as timedelta): without it,
        # every 429 raises a deprecation warning inside the library.
        os.environ.setdefault("PTB_TIMEDELTA", "1")
        self.settings = settings
        self.sessions = sessions
        self.relay = relay
        self.limits = RateLimits(settings)
        builder = Application.builder().token(settings.telegram_token or "").base_url(settings.telegram_api_url)
        if settings.telegram_mode == "webhook":
            builder = builder.updater(None)
        self.application = builder.build()
        self._queues: dict[int, asyncio.Queue] = {}
        self._workers: dict[int, asyncio.Task] = {}
        self._tasks: set[asyncio.Task] = set()
        # Chats that were last sent a "share your location" keyboard, to be removed afterwards.
        self._had_keyboard: dict[int, bool] = {}
        self._register()

    # --- lifecycle ------------------------------------------------------------------------------

    def _register(self) -> None:
        """Every handler, in one place (group -1 runs first and drops repeated updates)."""
        app = self.application
        app.add_handler(TypeHandler(Update, self.once), group=-1)
        app.add_handler(MessageHandler(~filters.ChatType.PRIVATE, self.group_chat), group=0)
        app.add_handler(MessageHandler(filters.UpdateType.EDITED, self.edited), group=0)
        app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POSTS, self.channel_post), group=0)
        for command in COMMANDS:
            app.add_handler(CommandHandler(command, self.command), group=0)
        app.add_handler(CallbackQueryHandler(self.button), group=0)
        app.add_handler(MessageHandler(filters.LOCATION, self.location), group=0)
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.text), group=0)
        app.add_handler(MessageHandler(filters.VOICE | filters.AUDIO | filters.VIDEO_NOTE, self.kind(VOICE)), 0)
        app.add_handler(MessageHandler(filters.PHOTO | filters.VIDEO | filters.ANIMATION, self.kind(PICTURE)), 0)
        app.add_handler(MessageHandler(filters.Sticker.ALL, self.kind(STICKER)), group=0)
        app.add_handler(MessageHandler(filters.Document.ALL, self.kind(DOCUMENT)), group=0)
        app.add_handler(MessageHandler(filters.COMMAND, self.kind(OTHER)), group=0)
        app.add_handler(MessageHandler(filters.ALL, self.kind(OTHER)), group=0)
        app.add_error_handler(self.error)

    async def start(self) -> None:
        """Connect to the Bot API, then set the webhook or start polling."""
        await self.application.initialize()
        await self.application.start()
        if self.settings.telegram_mode == "webhook":
            await self.application.bot.set_webhook(
                url=f"{self.settings.telegram_webhook_url}/telegram/webhook",
                secret_token=self.settings.telegram_secret,
                allowed_updates=Update.ALL_TYPES,
            )
        else:
            await self.application.bot.delete_webhook()
            await self.application.updater.start_polling(
                allowed_updates=Update.ALL_TYPES, poll_interval=0.0, timeout=10
            )
        log.info("Telegram channel started (%s)", self.settings.telegram_mode)

    async def stop(self) -> None:
        """Stop polling and sending; undelivered replies stay in the transcript."""
        if self.application.updater is not None and self.application.updater.running:
            await self.application.updater.stop()
        for task in [*self._workers.values(), *self._tasks]:
            task.cancel()
        await self.application.stop()
        await self.application.shutdown()

    async def webhook(self, data: dict) -> None:
        """An update Telegram posted to the webhook (the caller checked the secret).

        Raises NotAnUpdate when python-telegram-bot cannot read `data` as an update.
        """
        try:
            update = Update.de_json(data, self.application.bot)
        except (TypeError, KeyError, ValueError, AttributeError, IndexError, OverflowError, RecursionError) as error:
            # python-telegram-bot reads fields without checking their types: a list where an object
            # belongs, a date past the year 9999. Whoever sent it gets a 400, not a 500.
            raise NotAnUpdate(type(error).__name__) from error  # its text could quote the body
        await self.application.update_queue.put(update)

    # --- incoming -------------------------------------------------------------------------------

    async def once(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Drop an update whose id was processed before (Telegram retries, restarts)."""
        try:
            with self.sessions.begin() as session:
                session.add(TelegramUpdate(update_id=update.update_id))
        except IntegrityError:
            log.info("Telegram update %s seen before: skipped", update.update_id)
            from telegram.ext import ApplicationHandlerStop

            raise ApplicationHandlerStop from None

    async def _conversation(self, chat_id: int, source: str) -> str | None:
        """The chat's conversation, started on first contact within the limits on new ones (None: refused)."""
        with self.sessions() as session:
            known = session.scalar(
                select(Conversation.id).where(Conversation.external_id == store.telegram_identity(chat_id))
            )
        if known is None and not await self.limits.allow_session(source):
            await self._refused(chat_id, RateLimited("too_many_chats"))
            return None
        with self.sessions.begin() as session:
            conversation = store.telegram_conversation(session, chat_id)
            conversation.unreachable_at = None  # they wrote to us: reachable again
            conversation.source = source
            return conversation.id

    async def _accept(self, chat_id: int, text: str, payload: str | None = None) -> None:
        source = self.limits.source("telegram", str(chat_id))
        conversation_id = await self._conversation(chat_id, source)
        if conversation_id is None:
            return
        # Over the rate limits only a risky message is taken in (and answered with the crisis reply).
        allowed = await self.limits.allow_message(conversation_id, source)
        accept = self.relay.accept if allowed else self.relay.accept_limited
        try:
            message = await accept(conversation_id, text, payload=payload)
        except RateLimited as refused:
            await self._refused(chat_id, refused)
            return
        self._spawn(self._typing(chat_id, message.id))

    async def _refused(self, chat_id: int, refused: RateLimited) -> None:
        """Say kindly that the limits were reached, at most once a minute (a flood gets one answer)."""
        if await self.limits.notice_due(f"telegram-{chat_id}"):
            await self.send_direct(chat_id, refused.message)

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A typed message."""
        try:
            text = clean_text(update.effective_message.text)
        except BadInput as error:
            await self.send_direct(update.effective_chat.id, error.message)
            return
        await self._accept(update.effective_chat.id, text)

    async def command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start, /help, /stop and /forget become the matching intents."""
        name = (update.effective_message.text or "").split()[0].lstrip("/").split("@")[0].lower()
        await self._accept(update.effective_chat.id, f"/{name}", payload=COMMANDS[name])

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button under one of our messages: answer the query, then act on the button."""
        query = update.callback_query
        with contextlib.suppress(TelegramError):
            await query.answer()
        chat = update.effective_chat
        if chat is None or not query.data or ":" not in query.data:
            return
        message_id, _, index = query.data.partition(":")
        with self.sessions() as session:
            sent = session.get(Message, int(message_id)) if message_id.isdigit() else None
            conversation = session.get(Conversation, sent.conversation_id) if sent else None
            if sent is None or conversation is None or conversation.external_id != store.telegram_identity(chat.id):
                return
            buttons = sent.buttons or []
        if not index.isdigit() or int(index) >= len(buttons):
            return
        title, payload = buttons[int(index)]["title"], buttons[int(index)]["payload"]
        if payload.startswith("/") and clean_payload(payload) is None and payload not in ALLOWED_PAYLOADS:
            payload = title
        if payload.startswith("/"):
            await self._accept(chat.id, title, payload=payload)
        else:
            await self._accept(chat.id, payload)

    async def location(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A shared location: services near it."""
        where = update.effective_message.location
        try:
            payload = location_payload({"latitude": where.latitude, "longitude": where.longitude})
        except BadInput as error:
            await self.send_direct(update.effective_chat.id, error.message)
            return
        await self._accept(update.effective_chat.id, "📍 I shared my location", payload=payload)

    def kind(self, answer: str) -> Callable:
        """A handler that answers an update we can't read with a kind sentence."""

        async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            chat = update.effective_chat
            if chat is not None and await self._within_limits(chat.id):
                await self.send_direct(chat.id, answer)

        return reply

    async def edited(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """An edited message: we only read new ones."""
        if await self._within_limits(update.effective_chat.id):
            await self.send_direct(update.effective_chat.id, EDITED)

    async def _within_limits(self, chat_id: int) -> bool:
        """Whether a chat may have another kind answer to something we can't read (a flood of stickers
        must not become a flood of answers)."""
        source = self.limits.source("telegram", str(chat_id))
        if await self.limits.allow_message(f"telegram-{chat_id}", source):
            return True
        await self._refused(chat_id, RateLimited())
        return False

    async def group_chat(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Someone added the bot to a group: one to one only, and nothing from the group is kept."""
        chat = update.effective_chat
        if chat is not None and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
            await self.send_direct(chat.id, GROUP)

    async def channel_post(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Channel posts are not conversations: noted and ignored."""
        log.info("ignored a channel post in chat %s", update.effective_chat.id if update.effective_chat else "?")

    async def error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log first; then tell the person something went wrong, if there is a person to tell."""
        log.error("error handling a Telegram update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            with contextlib.suppress(TelegramError):
                await self.send_direct(
                    update.effective_chat.id, "Sorry, something went wrong on my side. Could you try that again?"
                )

    # --- outgoing -------------------------------------------------------------------------------

    async def deliver(self, conversation: Conversation, event: dict) -> None:
        """Queue one of the assistant's (or staff's) messages for the person's chat, in order."""
        if event.get("type") != "message" or event.get("author") == "resident":
            return
        if conversation.unreachable_at is not None:
            return  # they blocked the bot; the message stays in the transcript for staff
        await self._enqueue(store.telegram_chat_id(conversation), (conversation.id, event))

    async def send_direct(self, chat_id: int, text: str) -> None:
        """A kind answer that doesn't go through Rasa (nothing stored: there was nothing to read)."""
        await self._enqueue(chat_id, (None, {"type": "message", "text": text, "buttons": None, "id": None}))

    async def _enqueue(self, chat_id: int, item: tuple[str | None, dict]) -> None:
        queue = self._queues.setdefault(chat_id, asyncio.Queue())
        await queue.put(item)
        worker = self._workers.get(chat_id)
        if worker is None or worker.done():
            self._workers[chat_id] = asyncio.create_task(self._send_loop(chat_id, queue))

    async def _send_loop(self, chat_id: int, queue: asyncio.Queue) -> None:
        while not queue.empty():
            conversation_id, event = await queue.get()
            try:
                await self._send(chat_id, conversation_id, event)
            except Exception:  # one bad message must not stop the chat's queue
                log.exception("could not send a message to Telegram chat %s", chat_id)

    def _markup(self, event: dict) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
        buttons = event.get("buttons") or []
        if not buttons:
            return None
        if any(b.get("payload") == "/share_location" for b in buttons):
            return ReplyKeyboardMarkup(
                [[KeyboardButton("📍 Use my location", request_location=True)]],
                one_time_keyboard=True,
                resize_keyboard=True,
            )
        rows = [
            [InlineKeyboardButton(b["title"][:64], callback_data=f"{event['id']}:{i}")] for i, b in enumerate(buttons)
        ]
        return InlineKeyboardMarkup(rows)

    async def _send(self, chat_id: int, conversation_id: str | None, event: dict) -> None:
        parts = split_text(str(event.get("text") or ""))
        markup = self._markup(event) if event.get("id") is not None else None
        for number, part in enumerate(parts):
            last = number == len(parts) - 1
            reply_markup = markup if last else None
            if reply_markup is None and last and conversation_id is not None:
                reply_markup = ReplyKeyboardRemove() if self._had_keyboard.pop(chat_id, False) else None
            if isinstance(markup, ReplyKeyboardMarkup) and last:
                self._had_keyboard[chat_id] = True
            if not await self._send_part(chat_id, conversation_id, part or "…", reply_markup):
                return

    async def _send_part(self, chat_id: int, conversation_id: str | None, text: str, markup: object) -> bool:
        delay = 1.0
        for attempt in range(SEND_ATTEMPTS):
            try:
                await self.application.bot.send_message(
                    chat_id, html.escape(text, quote=False), parse_mode=ParseMode.HTML, reply_markup=markup
                )
                return True
            except RetryAfter as error:
                wait = _retry_seconds(error)
                log.info("Telegram asks us to wait %.1f s (chat %s)", wait, chat_id)
                await asyncio.sleep(wait)
            except Forbidden:
                await self._unreachable(chat_id, conversation_id)
                return False
            except BadRequest:
                log.exception("Telegram refused a message to chat %s", chat_id)
                return False
            except (TimedOut, NetworkError, TelegramError) as error:
                log.warning("Telegram send failed (attempt %s): %s", attempt + 1, error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30)
        log.error("gave up sending to Telegram chat %s; the message stays in the transcript", chat_id)
        return False

    async def _unreachable(self, chat_id: int, conversation_id: str | None) -> None:
        """The person blocked the bot: mark the conversation, tell staff in the transcript, stop sending."""
        log.info("Telegram chat %s blocked the bot", chat_id)
        queue = self._queues.get(chat_id)
        while queue is not None and not queue.empty():
            queue.get_nowait()
        with self.sessions.begin() as session:
            conversation = session.get(Conversation, conversation_id) if conversation_id else None
            if conversation is None or conversation.unreachable_at is not None:
                return
            conversation.unreachable_at = utcnow()
            store.add_message(
                session,
                conversation,
                "system",
                "Telegram says this person has blocked Kindred: messages can no longer reach them.",
            )

    async def _typing(self, chat_id: int, message_id: int) -> None:
        """Show "typing…" until Rasa has finished with the message (Telegram shows it for 5 s)."""
        for _ in range(12):
            with contextlib.suppress(TelegramError):
                await self.application.bot.send_chat_action(chat_id, ChatAction.TYPING)
            if await self.relay.wait_processed(message_id, timeout=4.5):
                return

    def _spawn(self, coroutine) -> None:  # noqa: ANN001 - a coroutine
        task = asyncio.create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
