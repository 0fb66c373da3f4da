"""Answers to what people ask about support (issue 14 point 4): what respite, a carer's assessment,
befriending, a day centre or a young carers' group is, what things cost, how to get there, help with
grief that is not a group, who Kindred is for.

The path: a disclosure in the same message is acknowledged first (listening comes first); then a
short, accurate answer with the national number that fits (from safety.yml); then, outside a search
and unless the person said they only want to talk, an offer to look locally for that kind of help.
"""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import db
from actions.conversation import acknowledgement, wants_only_to_talk
from actions.wording import choose
from residents import store
from residents.disclosure import detect_all
from residents.questions import LOOK_FOR, topic_of
from safety.replies import load_config

# The contacts an answer may name, by their key in safety.yml.
NAMED_CONTACTS = ("carers_uk", "cruse", "age_uk")


def contact_values() -> dict[str, str]:
    """The contacts the answers name, as safety.yml shows them to a resident."""
    contacts = load_config().contacts
    return {key: contacts[key] for key in NAMED_CONTACTS}


class ActionAnswerQuestion(Action):
    """Answer a question about a kind of support, then offer to look for it nearby."""

    def name(self) -> str:
        """Action name."""
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Acknowledge, answer, offer."""
        text = tracker.latest_message.get("text") or ""
        topic = topic_of(text)
        in_form = bool((tracker.active_loop or {}).get("name"))
        said: list[str] = []
        buttons: list[dict] = []
        with db.session() as s:
            profile = store.profile(s, tracker.sender_id)
            recent = list(profile.recent_lines or [])

            def say(key: str, **values: str) -> None:
                line, line_id = choose(key, recent, **values)
                said.append(line)
                recent.append(line_id)

            disclosed = detect_all(text)
            if disclosed:
                key, values = acknowledgement(disclosed)
                say(key, **values)
            say(f"answer_{topic}" if topic else "answer_unknown", **contact_values())
            kind = LOOK_FOR.get(topic or "")
            if kind and not in_form and not wants_only_to_talk(tracker):
                say("answer_offer")
                buttons = [
                    {"title": "Look near me", "payload": f'/ask_local_help{{"service_kind":"{kind}"}}'},
                    {"title": "Just chat", "payload": "/chitchat"},
                ]
            elif not topic:
                buttons = [
                    {"title": "Talk to a person", "payload": "/request_human"},
                    {"title": "Find something nearby", "payload": "/ask_local_help"},
                ]
            profile.recent_lines = recent[-12:]
        for i, line in enumerate(said):
            dispatcher.utter_message(text=line, buttons=buttons if i == len(said) - 1 else None)
        return []
