"""What to say when Rasa did not understand a message (the `nlu_fallback` intent).

"Didn't follow" is the last resort, not the answer to anything long or sad (issue 14): a question
about a kind of support the words name ("do i have to pay") is answered (`action_answer_question`); a message of
several words, or one that tells something hard, is answered by listening (`action_converse`
reflects what was said and names a disclosure). Only a short message that was not understood gets
the ladder: ask to rephrase, then offer options, then the default line, never the same rung twice
(after the default line, a listening reply).
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import db
from actions.answers import ActionAnswerQuestion
from actions.conversation import ActionConverse, remember, wants_only_to_talk
from actions.wording import choose
from residents import store
from residents.disclosure import detect_all
from residents.extract import extract, when_of
from residents.questions import is_question, topic_of

# A message of this many words is listened to, not asked to be rephrased.
LISTEN_FROM_WORDS = 4
LADDER = ("utter_ask_rephrase", "utter_fallback_options", "utter_default")


def previous_reply(tracker: Tracker) -> str | None:
    """The response the assistant answered the previous message with (`utter_action` of its last
    bot event before the latest message), if it was a response."""
    seen_latest = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest:
                return None
            seen_latest = True
        elif event.get("event") == "bot" and seen_latest:
            return (event.get("metadata") or {}).get("utter_action")
    return None


def next_rung(tracker: Tracker) -> str:
    """The next rung of the ladder after what the assistant said last."""
    last = previous_reply(tracker)
    if last in LADDER:
        return LADDER[min(LADDER.index(last) + 1, len(LADDER) - 1)]
    return LADDER[0]


def listen_instead(text: str) -> bool:
    """Whether a message not understood should be listened to rather than asked to be rephrased."""
    return len(text.split()) >= LISTEN_FROM_WORDS or bool(detect_all(text))


def gives_details(text: str) -> bool:
    """Whether a message gives a search's details (a place, a postcode, days or times of day)."""
    facts = extract(text)
    return bool(facts.postcode or facts.place or when_of(text))


def note_details(dispatcher: CollectingDispatcher, tracker: Tracker, text: str) -> list[EventType]:
    """ "Rotherham, S65", "weekday dinner times" with no search going: remember them and offer to
    look (never "I'm not sure what to say to that"); the search then asks only for what is missing."""
    with db.session() as s:
        _, events = remember(s, tracker.sender_id, extract(text))
        profile = store.profile(s, tracker.sender_id)
        recent = list(profile.recent_lines or [])
        only_talk = wants_only_to_talk(tracker)
        line, line_id = choose("details_noted" if only_talk else "details_offer", recent)
        profile.recent_lines = [*recent, line_id][-12:]
    when = when_of(text)
    if when:
        events.append(SlotSet("when", when))
    buttons = (
        []
        if only_talk
        else [
            {"title": "Yes, please look", "payload": "/ask_local_help"},
            {"title": "Just chat", "payload": "/chitchat"},
        ]
    )
    dispatcher.utter_message(text=line, buttons=buttons or None)
    return events


class ActionFallbackReply(Action):
    """Listen to a long or sad message that was not understood; ask again only about a short one."""

    def name(self) -> str:
        """Action name."""
        return "action_fallback_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """An answer to a question about support, a reflective reply, or the next rung of the ladder."""
        text = tracker.latest_message.get("text") or ""
        if is_question(text) and topic_of(text):  # "do i have to pay" is answered, not rephrased
            return await ActionAnswerQuestion().run(dispatcher, tracker, domain)
        if gives_details(text) and not detect_all(text):
            return note_details(dispatcher, tracker, text)
        rung = next_rung(tracker)
        if listen_instead(text) or rung == previous_reply(tracker):
            # the top of the ladder is never said twice in a row: a listening reply instead
            return await ActionConverse().run(dispatcher, tracker, domain)
        dispatcher.utter_message(response=rung)
        return []
