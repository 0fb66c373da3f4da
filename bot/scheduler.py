"""The scheduler: fires due jobs from the database (reminders, follow-ups, check-ins, retention runs).

Every gateway runs one. Each polls the `scheduled_jobs` table every few seconds, claims what is due
(bot/jobs.py: a claimed row is this gateway's alone, so a job fires once even with several gateways)
and fires it: a `rasa` job becomes Rasa's `trigger_intent` for its conversation, exactly the external
event Rasa's own reminders used to send, so the actions and stories are unchanged; a `retention` job
runs the purge. A polling loop over the table is deliberate, rather than a scheduler library (for
example APScheduler with its SQLAlchemy job store): the rows are the whole state, due jobs need no
timer per job, claiming with a conditional UPDATE is what makes several gateways safe, and the only
cost is one indexed query per poll. Nothing here blocks the event loop: database work runs in a
thread.

While the parts a job needs are down (Rasa, the action server) it waits unclaimed and goes as soon
as they are back; one that fails anyway is tried again with back-off. Either way it arrives late
rather than never: the actions choose words that fit a late reminder, and a job whose
`expires_at` has passed (the session it reminds of is over) is dropped instead.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable

import aiohttp
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs
from bot.models import Conversation, utcnow
from bot.rasa_client import RasaClient, RasaRefused, RasaUnavailable

log = logging.getLogger(__name__)

# A handler fires one claimed job. It may also have `async def ready() -> str | None`: None when the
# parts it needs are up, else why not; jobs of its kind then wait unclaimed, and go as soon as it is up.
Handler = Callable[[jobs.Claimed], Awaitable[None]]
POLL_SECONDS = 2.0
# Back-off after a failed attempt: 5 s, 10 s, 20 s ... at most 5 minutes.
FIRST_RETRY = dt.timedelta(seconds=5)
LAST_RETRY = dt.timedelta(minutes=5)


class Drop(Exception):
    """The job is no longer useful: record it as dropped, and do nothing."""


class Failed(Exception):
    """The job can never work (a bug or a broken configuration): record it as failed, loudly."""


class RetryLater(Exception):
    """The job cannot work right now (a part is down): try again later."""


class Scheduler:
    """Claims and fires due jobs until stopped."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        handlers: dict[str, Handler],
        poll_seconds: float = POLL_SECONDS,
        batch: int = 8,
    ) -> None:
        self.sessions = sessions
        self.handlers = handlers
        self.poll_seconds = poll_seconds
        self.batch = batch
        self._stopping = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._database_down = False
        self._waiting: dict[str, str] = {}  # kinds whose parts are down, and why

    def start(self) -> None:
        """Start polling in the background."""
        self._task = asyncio.create_task(self._run(), name="scheduler")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop polling; jobs being fired get `grace` seconds to finish (a cut one is taken over later)."""
        self._stopping.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), grace)
        except asyncio.TimeoutError:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                fired = await self.tick()
                if self._database_down:
                    log.info("the scheduler reaches the database again")
                self._database_down = False
            except Exception:  # the database is down, say: logged once, then polled until it is back
                if not self._database_down:
                    log.exception("the scheduler cannot claim jobs; it keeps trying")
                self._database_down = True
                fired = 0
            if fired < self.batch:
                try:
                    await asyncio.wait_for(self._stopping.wait(), self.poll_seconds)
                except asyncio.TimeoutError:
                    pass

    async def tick(self, now: dt.datetime | None = None) -> int:
        """Claim what is due (of kinds whose parts are up) and fire it; returns how many were claimed."""
        due = await asyncio.to_thread(self._due_kinds, now)
        kinds = [kind for kind in sorted(due) if await self._ready(kind)]
        if not kinds:
            return 0
        claimed = await asyncio.to_thread(self._claim, now, kinds)
        await asyncio.gather(*(self._fire(job) for job in claimed))
        return len(claimed)

    def _due_kinds(self, now: dt.datetime | None) -> set[str]:
        with self.sessions() as session:
            return jobs.due_kinds(session, now)

    async def _ready(self, kind: str) -> bool:
        probe = getattr(self.handlers.get(kind), "ready", None)
        why = await probe() if probe is not None else None
        if why and kind not in self._waiting:
            log.warning("%s jobs wait: %s", kind, why)
        elif not why and kind in self._waiting:
            log.info("%s jobs go again (%s no longer)", kind, self._waiting[kind])
        if why:
            self._waiting[kind] = why
        else:
            self._waiting.pop(kind, None)
        return not why

    def _claim(self, now: dt.datetime | None, kinds: list[str]) -> list[jobs.Claimed]:
        with self.sessions.begin() as session:
            return jobs.claim_due(session, now, self.batch, kinds)

    async def _fire(self, job: jobs.Claimed) -> None:
        status, error, retry_at = "done", None, None
        try:
            if job.expires_at is not None and utcnow() >= job.expires_at:
                raise Drop(f"it was for before {job.expires_at:%Y-%m-%d %H:%M} UTC")
            handler = self.handlers.get(job.kind)
            if handler is None:
                raise Failed(f"no handler for jobs of kind {job.kind!r}")
            await handler(job)
        except Drop as why:
            status, error = "dropped", str(why)
            log.info("dropped job %s (%s): %s", job.id, job.name, why)
        except Failed as why:
            status, error = "failed", str(why)
            log.error("job %s (%s) failed for good: %s", job.id, job.name, why)
        except RetryLater as why:
            status, error, retry_at = "scheduled", str(why), self._retry_at(job)
            log.warning("job %s (%s) waits until %s: %s", job.id, job.name, retry_at, why)
        except Exception as why:
            status, error, retry_at = "scheduled", repr(why), self._retry_at(job)
            log.exception("job %s (%s) failed; it is tried again at %s", job.id, job.name, retry_at)
        await asyncio.to_thread(self._finish, job, status, error, retry_at)

    @staticmethod
    def _retry_at(job: jobs.Claimed) -> dt.datetime:
        wait = min(FIRST_RETRY * 2 ** max(0, job.attempts - 1), LAST_RETRY)
        return utcnow() + wait

    def _finish(self, job: jobs.Claimed, status: str, error: str | None, retry_at: dt.datetime | None) -> None:
        with self.sessions.begin() as session:
            jobs.finish(session, job, status, error, retry_at)


class ToRasa:
    """Fires a `rasa` job: its external intent into its conversation, as Rasa's reminders did."""

    def __init__(
        self, sessions: sessionmaker[Session], rasa: RasaClient, http: aiohttp.ClientSession, action_health_url: str
    ) -> None:
        self.sessions = sessions
        self.rasa = rasa
        self.http = http
        self.action_health_url = action_health_url

    async def ready(self) -> str | None:
        """None when a Rasa replica and the action server are up; else which is down."""
        # Rasa answers a trigger even when the action server is down, and what the action would have
        # said is lost: so jobs wait for the action server too.
        if not await self._action_server_up():
            return "the action server is down"
        if not any(replica["up"] for replica in await self.rasa.status()):
            return "Rasa is down"
        return None

    async def __call__(self, job: jobs.Claimed) -> None:
        """Send the event to Rasa, unless the conversation is gone (a part down since: tried again)."""
        if not job.conversation_id or not job.intent:
            raise Failed("a rasa job needs a conversation and an intent")
        if not await asyncio.to_thread(self._conversation_exists, job.conversation_id):
            raise Drop("its conversation was deleted")
        try:
            await self.rasa.trigger_intent(job.conversation_id, job.intent, job.entities)
        except RasaUnavailable as error:
            raise RetryLater(str(error)) from error
        except RasaRefused as error:
            raise Failed(str(error)) from error
        log.info("fired %s for %s", job.intent, job.conversation_id)

    def _conversation_exists(self, conversation_id: str) -> bool:
        with self.sessions() as session:
            return session.get(Conversation, conversation_id) is not None

    async def _action_server_up(self) -> bool:
        try:
            async with self.http.get(self.action_health_url, timeout=aiohttp.ClientTimeout(total=3)) as response:
                return response.status == 200
        except (aiohttp.ClientError, asyncio.TimeoutError, OSError):
            return False
