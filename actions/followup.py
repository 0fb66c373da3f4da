"""Following up: "Did you get to the choir? How was it?", and opt-in regular check-ins."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from actions import db
from actions.conversation import next_weekday
from actions.wording import choose
from bot import jobs
from directory.search import DAY_NAMES, DAYS
from residents import store
from residents.extract import extract
from residents.models import FollowUp, Suggestion

NOT_WENT_BUTTONS = [
    {"title": "It wasn't on", "payload": "It wasn't on"},
    {"title": "The details were wrong", "payload": "The details were wrong"},
    {"title": "I couldn't get there", "payload": "I couldn't get there"},
    {"title": "I didn't feel up to it", "payload": "I didn't feel up to it"},
]
FLAGS = (
    (
        "not_running",
        r"\bwasn'?t on\b|\bnot on\b|\bclosed\b|\bcancel+ed\b|\bno one there\b|\bnobody there\b|"
        r"\bdoesn'?t run\b|\bstopped running\b|\bnot running\b|\bdidn'?t exist\b",
    ),
    ("wrong_details", r"\bwrong\b|\bincorrect\b|\bout of date\b|\bmoved\b|\bdifferent (?:time|day|place)\b"),
    (
        "unsuitable",
        r"\bnot suitable\b|\bunsuitable\b|\bnot accessible\b|\bwasn'?t accessible\b|\bstairs\b|"
        r"\bnot for (?:people like me|my age)\b",
    ),
)
# The one scheduled check-in of a conversation (scheduling it again moves it).
CHECKIN_JOB = "weekly-checkin-{}"


def _followup_id(tracker: Tracker) -> int | None:
    value = tracker.get_slot("followup_id")
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "followup_id":
            value = entity.get("value")
    return int(value) if str(value or "").isdigit() else None


def _load(s: Any, tracker: Tracker) -> FollowUp | None:
    followup_id = _followup_id(tracker)
    found = s.get(FollowUp, followup_id) if followup_id else None
    return found if found is not None and found.sender_id == tracker.sender_id else None


class ValidateFollowupForm(FormValidationAction):
    """Whether they went, then how it was or what got in the way."""

    def name(self) -> str:
        """Form validator name."""
        return "validate_followup_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """Nothing to ask when the follow-up no longer exists (the person asked to be forgotten)."""
        with db.session() as s:
            return ["went", "followup_notes"] if _load(s, tracker) is not None else []

    def validate_went(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Yes or no."""
        return {"went": bool(slot_value)}


class ActionAskWent(Action):
    """ "Did you get to the choir?" naming the service."""

    def name(self) -> str:
        """The form's question for `went`."""
        return "action_ask_went"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Ask, with yes/no buttons."""
        with db.session() as s:
            found = _load(s, tracker)
            name = found.service_name if found else "it"
            if found is not None:
                found.status = "asked"
            profile = store.profile(s, tracker.sender_id, create=False)
            person = profile.name if profile is not None else None
        hello = f"Hello {person}! " if person else "Hello! "
        dispatcher.utter_message(
            text=f"{hello}Did you get to {name}?",
            buttons=[{"title": "Yes, I went", "payload": "/affirm"}, {"title": "No, I didn't", "payload": "/deny"}],
        )
        return [SlotSet("followup_id", str(_followup_id(tracker) or ""))]


class ActionAskFollowupNotes(Action):
    """ "How was it?" or "What got in the way?"."""

    def name(self) -> str:
        """The form's question for `followup_notes`."""
        return "action_ask_followup_notes"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Ask the second question."""
        if tracker.get_slot("went"):
            dispatcher.utter_message(text="Lovely! How was it?")
        else:
            dispatcher.utter_message(text="That's OK. What got in the way?", buttons=NOT_WENT_BUTTONS)
        return []


class ActionRecordFollowup(Action):
    """Record the outcome; tell the directory editor when the entry was wrong or unsuitable."""

    def name(self) -> str:
        """Action name."""
        return "action_record_followup"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Store went / didn't and why; flag the entry if needed; thank them."""
        went = bool(tracker.get_slot("went"))
        notes = str(tracker.get_slot("followup_notes") or "")[:1000]
        clear = [SlotSet("went", None), SlotSet("followup_notes", None), SlotSet("followup_id", None)]
        flagged = None
        with db.session() as s:
            found = _load(s, tracker)
            if found is None:
                return clear
            found.status, found.went, found.outcome = "done", went, notes
            if found.suggestion_id:
                suggestion = s.get(Suggestion, found.suggestion_id)
                if suggestion is not None:
                    suggestion.status = "went" if went else "did_not_go"
                    suggestion.reason = notes
            lowered = notes.lower()
            flagged = next((key for key, pattern in FLAGS if re.search(pattern, lowered)), None)
            if flagged:
                store.flag_service(s, tracker.sender_id, found.service_id, found.service_name, flagged, notes)
            feeling = extract(notes).feeling
        if went:
            if feeling in ("sad", "anxious", "bored") or flagged:
                dispatcher.utter_message(text="Thank you for telling me. I'm sorry it wasn't quite right.")
            else:
                dispatcher.utter_message(text="I'm so glad you went. Thank you for telling me.")
        else:
            dispatcher.utter_message(text="Thanks for letting me know.")
        if flagged:
            dispatcher.utter_message(text="I've told the people who look after the directory, so they can check it.")
        dispatcher.utter_message(
            text="Would you like me to find something else?",
            buttons=[{"title": "Yes, please", "payload": "/ask_local_help"}, {"title": "Not now", "payload": "/deny"}],
        )
        return clear


class ActionScheduleCheckins(Action):
    """Opt in to a regular check-in on a day of their choosing (today's weekday by default)."""

    def name(self) -> str:
        """Action name."""
        return "action_schedule_checkins"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Remember the day and schedule the next check-in."""
        now = db.local_now()
        day = extract(tracker.latest_message.get("text") or "").day or DAYS[now.weekday()]
        with db.session() as s:
            found = store.profile(s, tracker.sender_id)
            found.checkin_day = day
            _schedule(s, tracker.sender_id, day, now)
        dispatcher.utter_message(
            text=f'Lovely. I\'ll message you on {DAY_NAMES[day]} to see how you are. Say "stop messages" any time.'
        )
        return [SlotSet("offer", None)]


def _schedule(s: Session, sender_id: str, day: str, now: dt.datetime) -> None:
    """The next check-in: a row the gateway's scheduler fires as EXTERNAL_checkin (bot/scheduler.py).

    A check-in missed while everything was down fires once when it is back, and schedules the next.
    """
    jobs.schedule(
        s,
        CHECKIN_JOB.format(sender_id),
        "rasa",
        db.utc_naive(next_weekday(day, now)),
        conversation_id=sender_id,
        intent="EXTERNAL_checkin",
    )


class ActionStopCheckins(Action):
    """Stop every proactive message: regular check-ins and follow-ups."""

    def name(self) -> str:
        """Action name."""
        return "action_stop_checkins"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Forget the day, cancel every scheduled message (check-ins, reminders, follow-ups), confirm."""
        with db.session() as s:
            found = store.profile(s, tracker.sender_id, create=False)
            if found is not None:
                found.checkin_day = None
            for followup in s.scalars(
                select(FollowUp).where(FollowUp.sender_id == tracker.sender_id, FollowUp.status == "scheduled")
            ):
                followup.status = "cancelled"
            jobs.cancel_conversation(s, tracker.sender_id)
        dispatcher.utter_message(
            text="OK, I won't send you any more messages unless you talk to me first. "
            "I'm still here whenever you want to chat."
        )
        return []


class ActionCheckIn(Action):
    """A regular check-in fired by the gateway's scheduler; schedules the next one."""

    def name(self) -> str:
        """Action name."""
        return "action_check_in"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Say hello if they still want check-ins; otherwise stay silent."""
        with db.session() as s:
            found = store.profile(s, tracker.sender_id, create=False)
            if found is None or not found.checkin_day:
                return []
            recent = list(found.recent_lines or [])
            text, line = choose("checkin", recent, name=found.name or "")
            found.recent_lines = (recent + [line])[-12:]
            _schedule(s, tracker.sender_id, found.checkin_day, db.local_now())
        dispatcher.utter_message(
            text=text.replace(" ,", ",").replace(" .", "."),
            buttons=[
                {"title": "I'm OK", "payload": "/chitchat"},
                {"title": "Not so good", "payload": "/feeling_lonely"},
            ],
        )
        return []
