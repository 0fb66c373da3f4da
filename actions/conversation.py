"""Supportive conversation: listening, small talk, remembering the person, and what Kindred knows."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import db
from actions.wording import choose
from bot.models import utcnow
from directory.search import DAYS
from residents import store
from residents.disclosure import Disclosure, detect_all, without_idioms
from residents.extract import Facts, extract
from residents.questions import is_question

UPSET = {"sad", "anxious", "grieving", "overwhelmed"}
RISK_INTENTS = {"risk_urgent", "risk_concern"}
JUST_TALK = re.compile(r"\bjust (?:want|like|need)(?: to)? (?:talk|chat|a chat|someone to talk to)\b|\bjust talk\b")
# The circumstance acknowledged first when a message mentions several.
CIRCUMSTANCE_ORDER = (
    "bereaved",
    "new_baby",
    "carer",
    "stopped_driving",
    "moved_area",
    "unemployed",
    "retired",
    "illness_disability",
    "living_alone",
    "language",
)


def facts_of(tracker: Tracker) -> Facts:
    """The facts in the latest message (from the NLU component, or extracted here); the feeling is
    read without idioms ("I nearly died laughing" is not grief)."""
    text = tracker.latest_message.get("text") or ""
    facts = extract(text)
    facts.feeling = feeling_of(text)
    return facts


def feeling_of(text: str) -> str | None:
    """The feeling in a message, idioms that only sound like bad news left out."""
    return extract(without_idioms(text)).feeling


def session_user_events(tracker: Tracker) -> list[dict]:
    """The person's messages in the current session."""
    events = []
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") == "user":
            events.append(event)
    return list(reversed(events))


def wants_only_to_talk(tracker: Tracker) -> bool:
    """Whether the person said this session that they only want to talk (no offers to look)."""
    return any(JUST_TALK.search((e.get("text") or "").lower()) for e in session_user_events(tracker))


def remember(s: Any, sender_id: str, facts: Facts) -> tuple[list[str], list[EventType]]:
    """Keep what a message said in the profile, and the place it named when the directory knows it.
    Returns what was new, and the slot events for the place."""
    new = store.remember(s, sender_id, facts)
    events: list[EventType] = []
    if facts.place or facts.postcode:
        place = store.resolve_place(s, facts.postcode or facts.place or "")
        if place is not None:
            store.set_place(s, sender_id, *place)
            events.append(SlotSet("location", place[0]))
    return new, events


def at_risk(tracker: Tracker) -> bool:
    """Whether anything the person said in this session was a risk."""
    for event in session_user_events(tracker):
        parse = event.get("parse_data") or {}
        if (parse.get("intent") or {}).get("name") in RISK_INTENTS:
            return True
        if (parse.get("risk") or {}).get("risk") not in (None, "none"):
            return True
    return False


def upset(tracker: Tracker) -> bool:
    """Whether any of the last few messages sounded upset (sad, anxious, grieving, overwhelmed)."""
    return any(feeling_of(e.get("text") or "") in UPSET for e in session_user_events(tracker)[-3:])


# Messages that are not real conversation for the check-in (point 3): greetings, thanks, yes/no.
NOT_CONVERSATION = {"greet", "goodbye", "thank", "affirm", "deny", "cancel"}
MIN_REAL_MESSAGES = 3  # real messages (four words or more, typed) before a check-in may be offered
CHECKIN_OFFER_MARK = "four quick questions"
# Lines that sound cheerful, and what to say instead once something hard has been told this session.
GENTLE = {
    "family": "gentle_family",
    "pets": "gentle_pets",
    "weather": "gentle_weather",
    "hobbies": "gentle_hobbies",
    "food": "gentle_food",
    "health": "gentle_health",
    "happy": "gentle_happy",
    "chat": "gentle",
    "noted": "gentle",
}


def real_messages(tracker: Tracker) -> int:
    """How many things the person has typed this session that are real conversation: not the page's
    hidden greeting, not a button (a payload starting with "/"), not a greeting, thanks or yes/no."""
    count = 0
    for event in session_user_events(tracker):
        text = (event.get("text") or "").strip()
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if not text or text.startswith("/") or intent in NOT_CONVERSATION or len(text.split()) < 4:
            continue
        count += 1
    return count


def session_disclosures(tracker: Tracker) -> list[Disclosure]:
    """Every hard thing told in this session (a death, a diagnosis, a break-up, ...), oldest first."""
    return [d for e in session_user_events(tracker) for d in detect_all(e.get("text") or "")]


def sombre(tracker: Tracker) -> bool:
    """Whether this session has had a disclosure, distress or a risk: no cheer and no check-in after it."""
    if at_risk(tracker) or session_disclosures(tracker):
        return True
    if any(
        ((e.get("parse_data") or {}).get("intent") or {}).get("name") == "request_human"
        for e in session_user_events(tracker)
    ):
        return True  # someone who asked for a person is not asked four questions
    events = session_user_events(tracker)
    if any("bereaved" in extract(e.get("text") or "").circumstances for e in events):
        return True  # "my late wife", "since the funeral": a loss, even told in passing
    return any(feeling_of(e.get("text") or "") in UPSET for e in events)


# Intents that mean the person came to find or ask about something practical this session.
PRACTICAL_INTENTS = {"ask_local_help", "ask_about_support", "ask_transport", "more_options", "share_location"}


def looking_for_something(tracker: Tracker) -> bool:
    """Whether the person has asked for services or about them this session."""
    return any(
        ((e.get("parse_data") or {}).get("intent") or {}).get("name") in PRACTICAL_INTENTS
        for e in session_user_events(tracker)
    )


def under_18(tracker: Tracker, profile: Any) -> bool:
    """Whether the person is (or says or sounds) under 18: profile, anything said this session, triage."""
    if profile is not None and profile.age is not None and profile.age < 18:
        return True
    for event in session_user_events(tracker):
        if extract(event.get("text") or "").young:
            return True
        age = ((event.get("parse_data") or {}).get("risk") or {}).get("age")
        if isinstance(age, int) and age < 18:
            return True
    return False


def checkin_offered_this_session(tracker: Tracker) -> bool:
    """Whether the check-in was offered already this session (answered or not: never twice)."""
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            return False
        if event.get("event") == "bot" and CHECKIN_OFFER_MARK in (event.get("text") or ""):
            return True
    return False


def acknowledgement(found: list[Disclosure]) -> tuple[str, dict[str, str]]:
    """The wording key and values for acknowledging what a message disclosed (names up to two things)."""
    if len(found) >= 2 and found[0].what != found[1].what:
        first, second = found[0].what, found[1].what
        return "ack_several", {"first": first[:1].upper() + first[1:], "second": second}
    return f"ack_{found[0].kind}", {"what": found[0].what}


def low(event: dict) -> bool:
    """Whether a message said the person feels lonely, bored or upset."""
    parse = event.get("parse_data") or {}
    if (parse.get("intent") or {}).get("name") == "feeling_lonely" or (parse.get("risk") or {}).get("loneliness"):
        return True
    return feeling_of(event.get("text") or "") in (*UPSET, "lonely", "bored")


class ActionConverse(Action):
    """Listen and reply warmly: reflect feelings, chat, acknowledge what the person shares."""

    def name(self) -> str:
        """Action name."""
        return "action_converse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Remember any facts, then one reflective reply with at most one question."""
        facts = facts_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        with db.session() as s:
            new, events = remember(s, tracker.sender_id, facts)
            profile = store.profile(s, tracker.sender_id)
            recent = list(profile.recent_lines or [])
            said: list[str] = []

            disclosed = detect_all(tracker.latest_message.get("text") or "")
            quiet = bool(disclosed) or sombre(tracker)

            def say(key: str, **values: str) -> None:
                if quiet and key in GENTLE:
                    key = GENTLE[key]
                text, line_id = choose(key, recent, **values)
                said.append(text)
                recent.append(line_id)

            if disclosed:  # listening comes first: name what was said before anything else
                key, values = acknowledgement(disclosed)
                say(key, **values)
            if "name" in new and profile.name:
                say("gentle_name" if quiet else "name", name=profile.name)
                events.append(SlotSet("name", profile.name))
            acknowledged = next((c for c in CIRCUMSTANCE_ORDER if c in facts.circumstances), None)
            young = profile.age is not None and profile.age < 18
            if disclosed:
                pass
            elif acknowledged == "carer":
                cared_for = facts.cared_for or profile.cared_for
                if young:
                    say("young_carer", cared_for=cared_for or "family")
                else:
                    say("carer", cared_for=cared_for) if cared_for else say("carer_generic")
            elif acknowledged:
                say(acknowledged)
            elif re.search(r"\blonel", (tracker.latest_message.get("text") or "").lower()):
                say("lonely")
            elif facts.feeling and facts.feeling != "lonely" and intent != "feeling_lonely":
                say(facts.feeling)
            elif intent == "feeling_lonely" or facts.feeling == "lonely":
                say("lonely")
            elif facts.topic:
                say(facts.topic)
            elif young and "age" in new:
                say("young")
            elif new:
                say("noted")
            elif not said:
                say("chat")
            buttons: list[dict] = []
            offer = self._offer(s, tracker, profile, facts, intent)
            if offer == "find":
                say("offer_find")
                buttons = [
                    {"title": "Find something nearby", "payload": "/ask_local_help"},
                    {"title": "Just chat", "payload": "/chitchat"},
                ]
            elif offer == "checkin":
                say("offer_checkin")
                profile.last_checkin_offer_at = utcnow()
                buttons = [
                    {"title": "Yes, ask me", "payload": "/start_checkin"},
                    {"title": "Not now", "payload": "/deny"},
                ]
                events.append(SlotSet("offer", "checkin"))
            if offer != "checkin" and tracker.get_slot("offer"):
                events.append(SlotSet("offer", None))  # an earlier offer is no longer the question
            profile.recent_lines = recent[-12:]
        for i, text in enumerate(said):
            dispatcher.utter_message(text=text, buttons=buttons if i == len(said) - 1 else None)
        return events

    @staticmethod
    def _offer(s: Any, tracker: Tracker, profile: Any, facts: Facts, intent: str | None) -> str | None:
        """At most one gentle offer, and never to someone who is upset or only wants to talk."""
        events = session_user_events(tracker)
        if wants_only_to_talk(tracker):
            return None
        if at_risk(tracker):
            return None
        lonely_turns = sum(1 for e in events if low(e))
        offered_find = any(
            e.get("event") == "bot" and "look for people and things" in (e.get("text") or "") for e in tracker.events
        ) or any(e.get("event") == "bot" and "a visitor helps" in (e.get("text") or "") for e in tracker.events)
        if lonely_turns >= 2 and not offered_find and facts.feeling in (None, "lonely", "bored"):
            return "find"
        if ActionConverse._may_offer_checkin(tracker, profile, facts, intent):
            if store.checkin_due(s, tracker.sender_id, db.config().checkin_every_days):
                return "checkin"
        return None

    @staticmethod
    def _may_offer_checkin(tracker: Tracker, profile: Any, facts: Facts, intent: str | None) -> bool:
        """Point 3 of issue 14: only after real conversation (greetings and buttons don't count), never
        to under-18s, never in a session with a disclosure of loss or distress, and never twice."""
        if facts.feeling not in (None, "happy") or intent != "chitchat":
            return False
        if real_messages(tracker) < MIN_REAL_MESSAGES:
            return False
        if under_18(tracker, profile) or sombre(tracker) or checkin_offered_this_session(tracker):
            return False
        if looking_for_something(tracker) or is_question(tracker.latest_message.get("text") or ""):
            return False  # someone busy finding a group or asking a question is answered, not surveyed
        return True


class ActionShowProfile(Action):
    """Answer "What do you know about me?"."""

    def name(self) -> str:
        """Action name."""
        return "action_show_profile"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """List what the profile holds, and how to delete it."""
        with db.session() as s:
            lines = store.summary(s, tracker.sender_id)
        if not lines:
            dispatcher.utter_message(
                text="I don't know anything about you yet, apart from our conversation. "
                'If you\'d like me to delete that, say "forget me".'
            )
        else:
            dispatcher.utter_message(text="Here's what I remember:\n" + "\n".join(f"• {line}" for line in lines))
            dispatcher.utter_message(
                text='I use this to suggest things that suit you. Say "forget me" to delete it all.'
            )
        return []


class ActionDeclineOffer(Action):
    """ "Not now" to an offer: fine, and don't ask again soon."""

    def name(self) -> str:
        """Action name."""
        return "action_decline_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Acknowledge and clear the offer."""
        dispatcher.utter_message(response="utter_ok")
        return [SlotSet("offer", None)]


def next_weekday(day: str, now: Any) -> Any:
    """The next date (after today) falling on a day key, at 10:00 local time."""
    target = DAYS.index(day)
    ahead = (target - now.weekday()) % 7 or 7
    return (now + dt.timedelta(days=ahead)).replace(hour=10, minute=0, second=0, microsecond=0)
