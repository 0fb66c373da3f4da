"""The relay between residents and Rasa, with the safety net.

Every message a resident sends is committed first (state `pending`), before triage or anything
else, so the channel can show it at once and a crash loses nothing. Triage follows in the
background. A worker per conversation hands pending messages to Rasa one at a time, in order, each
once its triage is done; if Rasa is down it waits and tries again, so nothing is lost and the order
is kept. Each delivery carries the message's id as an idempotency key (`kindred.message_id` in the
metadata): Rasa's channel (nlu/callback_channel.py) skips a message it has already processed, so a
retried delivery (a timeout, a restart of the gateway or of Rasa) is never processed twice.
Rasa's replies come back through the callback channel and are matched to the message being
processed (or, when none is, they are proactive: reminders).

The safety net: the gateway runs the same rule layer as Rasa on every message. If a risky message
has had no answer from Rasa within `SAFETY_NET_SECONDS` (Rasa down, slow, or stuck behind earlier
messages), the gateway sends the safety reply itself, with a note that the assistant is having
trouble, and escalates. When Rasa's own answer to that message arrives later, its safety reply is
not sent a second time.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot import jobs, store
from bot.escalations import escalate
from bot.limits import RateLimited
from bot.models import Conversation, Message, StaffUser, utcnow
from bot.rasa_client import RasaClient, RasaUnavailable
from bot.scheduler import RetryLater
from bot.staff import audit
from database import checkpoint
from residents.models import Profile
from safety.encoder import vector_to_text
from safety.replies import load_config, reply_for, staff_timing
from safety.rules import Assessment

log = logging.getLogger(__name__)

Push = Callable[[Conversation, dict], Awaitable[None]]
# "Forget me" waits this long for a turn Rasa is in the middle of, and retries a failed one this often.
FORGET_WAIT_SECONDS = 30.0
FORGET_RETRY_SECONDS = 60.0
# The scheduler's job kind for a forget to try again (bot/jobs.py).
FORGET_JOB = "forget"
# Without risk, a resident hears about trouble later than the safety net would answer.
TROUBLE_FACTOR = 2.5


@dataclass
class Turn:
    """What has happened so far while Rasa processes one resident message."""

    message_id: int
    # The gateway's semantic triage of the message, passed to Rasa so it isn't computed twice.
    semantic: dict = field(default_factory=dict)
    # ... and its sentence embedding (base64 float16), so Rasa's intent classifier need not encode it.
    vector: str | None = None
    # The person's age from their profile, when the message itself gives none (chooses Papyrus or Childline).
    age: int | None = None
    # The question the assistant had just asked (a form's slot), which this message answers.
    answering: str | None = None
    answered: bool = False
    suppress: bool = False
    forget: bool = False
    done: asyncio.Event = field(default_factory=asyncio.Event)
    # Set once the gateway's triage has filled in the fields above: only then may Rasa have it.
    triaged: asyncio.Event = field(default_factory=lambda: _set(asyncio.Event()))


def message_view(message: Message) -> dict:
    """A message as a channel shows it."""
    return {
        "type": "message",
        "id": message.id,
        "author": message.author,
        "text": message.text,
        "buttons": message.buttons or [],
        "state": message.state,
        "reply_to": message.reply_to,
        "source": message.source,
        "at": message.created_at.isoformat() + "Z",
    }


class Relay:
    """Moves messages between channels and Rasa; owns the safety net and escalations."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        tracker_engine: Engine,
        rasa: RasaClient,
        triage: Callable[..., Assessment],
        push: Push,
        net_seconds: float,
    ) -> None:
        self.sessions = sessions
        self.tracker_engine = tracker_engine
        self.rasa = rasa
        self.triage = triage
        self.push = push
        self.net_seconds = net_seconds
        self.rasa_up = True
        # How often a "forget me" whose tracker could not be deleted is tried again.
        self.forget_retry_seconds = FORGET_RETRY_SECONDS
        self._inflight: dict[str, Turn] = {}
        self._turns: dict[int, Turn] = {}
        self._workers: dict[str, asyncio.Task] = {}
        self._tasks: set[asyncio.Task] = set()
        self._troubled: set[str] = set()
        # The question each conversation was last asked, until the person's next message.
        self._asking: dict[str, str] = {}
        # Called with small events ({"kind": "message" | "queue" | ...}) for the staff console.
        self.listeners: list[Callable[[dict], None]] = []

    def _notify(self, **event: object) -> None:
        for listener in self.listeners:
            try:
                listener(dict(event))
            except Exception:  # the console's trouble must never stop a resident's message
                log.exception("a staff listener failed")

    # --- incoming -------------------------------------------------------------------------------

    async def accept(self, conversation_id: str, text: str, payload: str | None = None) -> Message:
        """Store a resident's message and return it at once; it is triaged and queued for Rasa next."""
        # The message answers the question the assistant just asked, if it asked one.
        answering = self._asking.pop(conversation_id, None)
        with self.sessions.begin() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise LookupError(conversation_id)
            with_staff = conversation.paused_by is not None
            message = store.add_message(
                session,
                conversation,
                "resident",
                text,
                payload=payload,
                # While staff have the conversation, Rasa never sees the message: staff answer it.
                state="delivered" if with_staff else "pending",
                source="staff" if with_staff else None,
            )
            session.expunge(message)
        self._notify(kind="message", conversation=conversation_id, author="resident")
        turn = None if with_staff else self._hold(message.id, answering)
        self._spawn(self._prepare(conversation_id, message, turn, since=asyncio.get_running_loop().time()))
        if turn is not None:
            self.kick(conversation_id)
        return message

    def _hold(self, message_id: int, answering: str | None) -> Turn:
        """A turn that Rasa may not have until `_prepare` has triaged its message."""
        turn = Turn(message_id, answering=answering, triaged=asyncio.Event())
        self._turns[message_id] = turn
        return turn

    async def _prepare(
        self, conversation_id: str, message: Message, turn: Turn | None, since: float, fresh: bool = True
    ) -> None:
        """Triage a stored message, keep what it found, and start the safety net's timer from `since`.

        `turn` is None while staff have the conversation (Rasa never sees it); `fresh` is False when
        the message is resumed after a restart (its escalations, if any, were raised the first time).
        """
        try:
            # Rules and meaning, off the event loop (the sentence encoder takes some milliseconds).
            answering = turn.answering if turn is not None else None
            assessment = (
                await asyncio.to_thread(self.triage, message.text, answering=answering)
                if message.payload is None
                else Assessment()
            )
            with self.sessions.begin() as session:
                stored = session.get(Message, message.id)
                if stored is None:  # forgotten meanwhile
                    return
                if assessment.age is None and (assessment.risk != "none" or assessment.ask):
                    # Only a safety reply needs the age the person gave earlier (Papyrus, Childline).
                    known = session.get(Profile, conversation_id)
                    assessment.age = known.age if known is not None else None
                if assessment.risk != "none":
                    stored.risk = assessment.as_dict()
                net_sent = stored.safety_net_sent
            if fresh and assessment.language != "en":
                # Kindred only understands English so far: staff are told, so they can find an interpreter.
                await self._escalate(conversation_id, "person", [], f"language:{assessment.language}", message.id)
            if turn is None:
                if fresh and assessment.risk != "none":
                    # The bot stays silent, but the console raises the alarm for the person reading.
                    await self._escalate(
                        conversation_id, assessment.risk, list(assessment.risk_types), "risk", message.id
                    )
                return
            turn.semantic = dict(assessment.semantic)
            turn.vector = vector_to_text(assessment.vector) if assessment.vector is not None else None
            turn.age = assessment.age
            if not net_sent:
                self._spawn(self._watch(conversation_id, message.id, assessment, since))
        finally:
            if turn is not None:
                turn.triaged.set()

    async def accept_limited(self, conversation_id: str, text: str, payload: str | None = None) -> Message:
        """A message over the rate limits (bot/limits.py): refused with `RateLimited`, unless it is risky.

        The triage still runs, first: a risky message is stored and answered at once with the crisis
        reply, and escalated, as the safety net would; only Rasa's turn is refused (Rasa never sees
        it). Nothing else is stored, so a flood cannot fill the database.
        """
        if payload is not None:
            raise RateLimited()  # a button press: never risky
        assessment = await asyncio.to_thread(self.triage, text)
        if assessment.risk == "none" and not assessment.ask:
            raise RateLimited()
        with self.sessions.begin() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                raise LookupError(conversation_id)
            if assessment.age is None:
                # The crisis reply needs the age the person gave earlier (Papyrus, Childline).
                known = session.get(Profile, conversation_id)
                assessment.age = known.age if known is not None else None
            message = store.add_message(
                session, conversation, "resident", text, state="delivered", source="limited", risk=assessment.as_dict()
            )
            session.expunge(message)
        self._notify(kind="message", conversation=conversation_id, author="resident")
        log.warning("answered a rate-limited risky message %s without Rasa", message.id)
        reply = reply_for(assessment)
        if reply is not None:
            # While staff have the conversation `say` sends nothing: the person reading answers.
            await self.say(conversation_id, reply.text, source="safety_net", reply_to=message.id)
            if reply.level == "urgent":
                ask = load_config().wording["ask_safe"]
                await self.say(
                    conversation_id, ask["text"], buttons=ask["buttons"], source="safety_net", reply_to=message.id
                )
        # Asked directly (risk not explicit): a concern about what was asked, as the safety net does.
        level = assessment.risk if assessment.risk != "none" else "concern"
        types = list(assessment.risk_types) or ([assessment.ask] if assessment.ask else [])
        await self._escalate(conversation_id, level, types, "risk", message.id)
        return message

    async def wait_processed(self, message_id: int, timeout: float) -> bool:
        """Wait until Rasa has finished with a message. False if it has not within `timeout`."""
        turn = self._turns.get(message_id)
        if turn is None:
            return True
        try:
            await asyncio.wait_for(turn.done.wait(), timeout)
        except asyncio.TimeoutError:  # not the builtin TimeoutError before Python 3.11
            return False
        return True

    def kick(self, conversation_id: str) -> None:
        """Make sure a worker is delivering this conversation's pending messages."""
        worker = self._workers.get(conversation_id)
        if worker is None or worker.done():
            self._workers[conversation_id] = asyncio.create_task(self._work(conversation_id))

    def resume_pending(self) -> int:
        """After a restart: deliver what residents sent while the gateway or Rasa was down.

        Each waiting message is triaged again (what the last run found was in its memory) and the
        safety net's timer runs from when the message arrived, so a risky message that waited
        through the restart is answered at once if Rasa does not answer it first.
        """
        with self.sessions() as session:
            ids = store.conversations_with_pending(session)
            waiting = {conversation_id: store.pending(session, conversation_id) for conversation_id in ids}
            session.expunge_all()
        now, clock = utcnow(), asyncio.get_running_loop().time()
        for conversation_id, messages in waiting.items():
            for message in messages:
                turn = self._hold(message.id, None)
                waited = max((now - message.created_at) / dt.timedelta(seconds=1), 0.0)
                self._spawn(self._prepare(conversation_id, message, turn, since=clock - waited, fresh=False))
            self.kick(conversation_id)
        return len(ids)

    async def _work(self, conversation_id: str) -> None:
        while True:
            with self.sessions.begin() as session:
                queue = store.pending(session, conversation_id)
                conversation = session.get(Conversation, conversation_id)
                if queue and conversation is not None and conversation.paused_by is not None:
                    # Claimed while these waited: they are for the member of staff now, not Rasa.
                    for waiting in queue:
                        waiting.state, waiting.source = "delivered", "staff"
                        self._turns.pop(waiting.id, None)
                    return
                message = queue[0] if queue else None
                if message is not None:
                    session.expunge(message)
            if message is None:
                return
            await self._deliver(conversation_id, message)

    async def _deliver(self, conversation_id: str, message: Message) -> None:
        """Hand one message to Rasa, retrying with back-off until Rasa takes it.

        Every attempt carries the same idempotency key, so Rasa processes the message once however
        often it is sent (after a timeout, Rasa may still be working on the first attempt).
        """
        turn = self._turns.setdefault(message.id, Turn(message.id))
        await turn.triaged.wait()
        delay = 0.5
        text = message.payload or _literal(message.text)
        triage = (
            {
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
                "semantic": turn.semantic,
                **({"vector": turn.vector} if turn.vector else {}),
                **({"age": turn.age} if turn.age is not None else {}),
                **({"answering": turn.answering} if turn.answering else {}),
            }
            if turn.semantic and not message.payload
            else {}
        )
        metadata = {"kindred": {"message_id": message.id, **triage}}
        # The turn stays in flight between attempts too: replies to an earlier attempt that Rasa
        # finishes late still belong to this message.
        self._inflight[conversation_id] = turn
        try:
            while True:
                try:
                    replica = await self.rasa.send(conversation_id, text, metadata)
                except RasaUnavailable as error:
                    if self.rasa_up:
                        log.warning("Rasa unavailable, keeping messages until it returns: %s", error)
                    self.rasa_up = False
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, 5.0)
                    continue
                break
        finally:
            self._inflight.pop(conversation_id, None)
        self.rasa_up = True
        self._troubled.discard(conversation_id)
        with self.sessions.begin() as session:
            stored = session.get(Message, message.id)
            if stored is not None:
                stored.state = "delivered"
                stored.replica = replica
        self._turns.pop(message.id, None)
        if turn.forget:
            await self.forget(conversation_id)
        elif not turn.answered:
            # Rasa took the message but said nothing (a custom action failed, say): never leave a
            # resident talking to silence.
            log.warning("no reply from Rasa to message %s in %s", message.id, conversation_id)
            await self.say(
                conversation_id, load_config().wording["no_answer_note"], source="gateway", reply_to=message.id
            )
        turn.done.set()

    # --- from Rasa ------------------------------------------------------------------------------

    async def from_rasa(self, body: dict) -> None:
        """Handle one bot message that Rasa posted to the callback URL."""
        conversation_id = str(body.get("recipient_id") or "")
        turn = self._inflight.get(conversation_id)
        if turn is not None:
            turn.answered = True
        custom = body.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("kindred"), dict):
            await self._event(conversation_id, turn, custom["kindred"])
            return
        if turn is not None and turn.suppress:
            return
        text = str(body.get("text") or "")
        buttons = _buttons(body.get("buttons"))
        if not text and not buttons:
            return
        await self.say(conversation_id, text, buttons=buttons or None, reply_to=turn.message_id if turn else None)

    async def _event(self, conversation_id: str, turn: Turn | None, event: dict) -> None:
        kind = event.get("event")
        trigger_id = turn.message_id if turn else None
        if kind == "safety":
            level = str(event.get("level") or "concern")
            types = [t for t in str(event.get("types") or "").split(",") if t]
            if turn is not None and self._net_already_sent(trigger_id):
                turn.suppress = True
            await self._escalate(
                conversation_id, level if level in ("urgent", "concern") else "concern", types, "risk", trigger_id
            )
        elif kind == "handoff":
            changed = await self._escalate(conversation_id, "person", [], "asked_for_person", trigger_id)
            if changed:
                await self.say(conversation_id, staff_note(), reply_to=trigger_id, source="gateway")
        elif kind == "asking" and isinstance(event.get("slot"), str):
            # The assistant asked a form's question: the person's next message answers it.
            self._asking[conversation_id] = event["slot"][:40]
        elif kind == "forget" and turn is not None:
            turn.forget = True
        elif kind == "messages" and isinstance(event.get("messages"), list):
            # Several messages in one callback (search results): stored together, shown apart.
            if turn is not None and turn.suppress:
                return
            items = [
                (str(m.get("text") or ""), _buttons(m.get("buttons")))
                for m in event["messages"][:10]
                if isinstance(m, dict)
            ]
            await self.say_many(conversation_id, [i for i in items if i[0] or i[1]], reply_to=trigger_id)

    def _net_already_sent(self, message_id: int | None) -> bool:
        if message_id is None:
            return False
        with self.sessions() as session:
            message = session.get(Message, message_id)
            return bool(message and message.safety_net_sent)

    # --- outgoing -------------------------------------------------------------------------------

    async def say(
        self,
        conversation_id: str,
        text: str,
        buttons: list[dict] | None = None,
        reply_to: int | None = None,
        source: str = "rasa",
        author: str = "bot",
    ) -> Message | None:
        """Store one message to the resident and push it to their channel (see `say_many`)."""
        said = await self.say_many(conversation_id, [(text, buttons)], reply_to, source, author)
        return said[0] if said else None

    async def say_many(
        self,
        conversation_id: str,
        items: list[tuple[str, list[dict] | None]],
        reply_to: int | None = None,
        source: str = "rasa",
        author: str = "bot",
    ) -> list[Message]:
        """Store messages to the resident in one transaction, then push each to their channel.

        While a member of staff has the conversation, nothing the bot says (Rasa's replies, reminders,
        the safety net, gateway notes) is stored or sent: this is the one door every bot message
        goes through.
        """
        with self.sessions.begin() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None or not items:
                return []
            if author == "bot" and conversation.paused_by is not None:
                log.info("the bot stays silent in %s: staff have the conversation", conversation_id)
                return []
            messages = [
                store.add_message(
                    session, conversation, author, text, buttons=buttons or None, reply_to=reply_to, source=source
                )
                for text, buttons in items
            ]
            views = [message_view(m) for m in messages]
            session.expunge(conversation)
        self._notify(kind="message", conversation=conversation_id, author=author)
        for view in views:
            await self.push(conversation, view)
        return messages

    async def _escalate(
        self, conversation_id: str, level: str, types: list[str], reason: str, trigger_id: int | None
    ) -> bool:
        with self.sessions.begin() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                return False
            trigger = session.get(Message, trigger_id) if trigger_id else None
            escalation, changed = escalate(
                session,
                conversation_id,
                conversation.channel,
                level,
                types,
                reason,
                trigger,
                handed_back=conversation.paused_by is None,
            )
            if changed:
                log.info("escalation %s: %s %s (%s)", escalation.id, escalation.level, escalation.risk_types, reason)
                escalation_id, current = escalation.id, escalation.level
        if changed:
            self._notify(
                kind="queue", conversation=conversation_id, escalation=escalation_id, urgent=current == "urgent"
            )
        return changed

    # --- the safety net -------------------------------------------------------------------------

    async def _watch(self, conversation_id: str, message_id: int, assessment: Assessment, since: float) -> None:
        """Answer a risky message ourselves if Rasa has not begun answering it in time (counted from
        `since`, the event loop's time when the message arrived)."""
        reply = reply_for(assessment)
        wait = self.net_seconds * (TROUBLE_FACTOR if reply is None else 1)
        await asyncio.sleep(max(since + wait - asyncio.get_running_loop().time(), 0.0))
        turn = self._turns.get(message_id)
        if turn is None or turn.answered:
            return
        if reply is None:
            if not self.rasa_up and conversation_id not in self._troubled:
                self._troubled.add(conversation_id)
                await self.say(
                    conversation_id, load_config().wording["trouble_note"], source="safety_net", reply_to=message_id
                )
            return
        with self.sessions.begin() as session:
            message = session.get(Message, message_id)
            if message is None:
                return
            message.safety_net_sent = True
        wording = load_config().wording
        log.warning("safety net answered message %s (%s %s)", message_id, reply.level, list(reply.types))
        self._troubled.add(conversation_id)
        await self.say(conversation_id, wording["trouble_note"], source="safety_net", reply_to=message_id)
        await self.say(conversation_id, reply.text, source="safety_net", reply_to=message_id)
        if reply.level == "urgent":
            ask = wording["ask_safe"]
            await self.say(
                conversation_id, ask["text"], buttons=ask["buttons"], source="safety_net", reply_to=message_id
            )
        if reply.level in ("urgent", "concern"):
            await self._escalate(conversation_id, reply.level, list(reply.types), "safety_net", message_id)

    # --- forget me ------------------------------------------------------------------------------

    async def forget(self, conversation_id: str, actor: StaffUser | str = "resident", action: str = "forget") -> None:
        """Delete everything about a conversation: Rasa's tracker first, then ours (audited).

        The resident's own "forget me", or a member of staff deleting it for them (`actor`). The tracker
        goes first and is checked until it is gone, so a failure there leaves everything in place to
        be tried again (never our data gone and Rasa's kept); it is deleted once more at the end, in
        case a turn that was ending wrote it again. SQLite's write-ahead log is emptied afterwards.
        When the tracker cannot be deleted, a `forget` job is scheduled (a row in the database, so a
        gateway restart does not lose it) and the scheduler tries again with back-off until it is
        gone (`forget_job`); a member of staff gets the error (`store.TrackerNotGone`).
        """
        if await self._forget(conversation_id, actor, action):
            return
        who = str(actor.id) if isinstance(actor, StaffUser) else actor
        await asyncio.to_thread(self._schedule_forget, conversation_id, who, action)
        if isinstance(actor, StaffUser):
            raise store.TrackerNotGone(f"Rasa's tracker for {conversation_id} could not be deleted yet")

    async def _forget(self, conversation_id: str, actor: StaffUser | str, action: str) -> bool:
        """One attempt at `forget`. False when Rasa's tracker could not be deleted (nothing was)."""
        with self.sessions() as session:
            conversation = session.get(Conversation, conversation_id)
            if conversation is None:
                return True
            session.expunge(conversation)
        turn = self._inflight.get(conversation_id)
        if turn is not None and self.rasa_up:
            # Rasa is in the middle of a turn: it saves the tracker when the turn ends.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(turn.done.wait(), FORGET_WAIT_SECONDS)
        worker = self._workers.get(conversation_id)
        if worker is not None and worker is not asyncio.current_task():
            # Messages still waiting for Rasa must never reach it now: it would keep them again.
            worker.cancel()
        try:
            await asyncio.to_thread(store.forget_tracker_until_gone, self.tracker_engine, conversation_id)
        except store.TrackerNotGone:
            log.exception("could not forget %s yet: nothing was deleted; trying again later", conversation_id)
            return False
        with self.sessions.begin() as session:
            store.forget(session, conversation_id)
            if isinstance(actor, StaffUser):
                actor = session.get(StaffUser, actor.id) or "unknown"
            audit.record(session, actor, action, "conversation", conversation_id, channel=conversation.channel)
            engine = session.get_bind()
        self._asking.pop(conversation_id, None)
        self._troubled.discard(conversation_id)
        self._notify(kind="queue", conversation=conversation_id, urgent=False)
        await asyncio.to_thread(store.forget_tracker_until_gone, self.tracker_engine, conversation_id)
        for used in {engine, self.tracker_engine}:
            try:
                await asyncio.to_thread(checkpoint, used)
            except RuntimeError:  # deleted and overwritten; only the log's old copy waits for the next one
                log.exception("forgot %s, but the write-ahead log could not be emptied yet", conversation_id)
        log.info("forgot conversation %s", conversation_id)
        await self.push(conversation, {"type": "forgotten"})
        return True

    def _schedule_forget(self, conversation_id: str, actor: str, action: str) -> None:
        """A forget to try again: a job row, fired by the scheduler until the tracker is gone."""
        with self.sessions.begin() as session:
            jobs.schedule(
                session,
                f"forget-{conversation_id}",
                FORGET_JOB,
                utcnow() + dt.timedelta(seconds=self.forget_retry_seconds),
                conversation_id=conversation_id,
                entities={"actor": actor, "action": action},
            )

    def _staff_user(self, user_id: int) -> StaffUser | str:
        with self.sessions() as session:
            return session.get(StaffUser, user_id) or "unknown"

    def forget_job(self) -> Callable[[jobs.Claimed], Awaitable[None]]:
        """The scheduler's handler for a `forget` job: one more attempt; RetryLater until it works."""

        async def run(job: jobs.Claimed) -> None:
            actor: StaffUser | str = str(job.entities.get("actor") or "resident")
            if actor.isdigit():
                actor = await asyncio.to_thread(self._staff_user, int(actor))
            if job.conversation_id and not await self._forget(
                job.conversation_id, actor, str(job.entities.get("action") or "forget")
            ):
                raise RetryLater("Rasa's tracker could not be deleted yet")

        return run

    # --- housekeeping ---------------------------------------------------------------------------

    def _spawn(self, coroutine: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        """A background task ended: a failure is logged with its traceback, never dropped silently."""
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("background task failed", exc_info=task.exception())

    async def close(self) -> None:
        """Stop workers and timers (pending messages stay stored and resume at the next start)."""
        for task in [*self._workers.values(), *self._tasks]:
            task.cancel()
        await asyncio.gather(*self._workers.values(), *self._tasks, return_exceptions=True)


def staff_note() -> str:
    """When a member of staff will be in touch, from safety.yml's office hours."""
    config = load_config()
    open_now, when = staff_timing(config)
    template = config.wording["staff_in_hours"] if open_now else config.wording["staff_out_of_hours"]
    return template.format(when=when)


def _buttons(raw: object) -> list[dict]:
    """Buttons from Rasa, as title and payload strings."""
    if not isinstance(raw, list):
        return []
    return [
        {"title": str(b.get("title", "")), "payload": str(b.get("payload", ""))} for b in raw if isinstance(b, dict)
    ]


def _literal(text: str) -> str:
    """Typed text is never a command: Rasa treats a leading "/" as an intent, so escape it."""
    return "\u200b" + text if text.lstrip().startswith("/") else text


def _set(event: asyncio.Event) -> asyncio.Event:
    event.set()
    return event
