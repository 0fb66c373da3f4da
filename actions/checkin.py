"""The loneliness check-in: the ONS direct question and the three-item UCLA scale, with consent."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import db
from actions.wording import choose
from directory.search import DAY_NAMES, DAYS
from residents import checkin, store

SLOTS = ("ons_lonely", "ucla_company", "ucla_left_out", "ucla_isolated")


def _ons_buttons() -> list[dict]:
    return [{"title": label, "payload": label} for label, _ in checkin.ONS_OPTIONS]


def _ucla_buttons() -> list[dict]:
    return [{"title": label, "payload": label} for label, _ in checkin.UCLA_OPTIONS]


class ValidateCheckinForm(FormValidationAction):
    """Turns each answer into its score; an answer it can't read is asked again with the options."""

    def name(self) -> str:
        """Form validator name."""
        return "validate_checkin_form"

    def validate_ons_lonely(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The direct question."""
        score = checkin.score_ons(str(slot_value or ""))
        if score is None:
            dispatcher.utter_message(text="Sorry, could you choose the answer that's closest?", buttons=_ons_buttons())
            return {"ons_lonely": None}
        return {"ons_lonely": str(score), "offer": None}

    def _ucla(self, slot: str, slot_value: Any, dispatcher: CollectingDispatcher) -> dict[str, Any]:
        score = checkin.score_ucla(str(slot_value or ""))
        if score is None:
            dispatcher.utter_message(text="Sorry, could you choose the answer that's closest?", buttons=_ucla_buttons())
            return {slot: None}
        return {slot: str(score)}

    def validate_ucla_company(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """UCLA item 1."""
        return self._ucla("ucla_company", slot_value, dispatcher)

    def validate_ucla_left_out(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """UCLA item 2."""
        return self._ucla("ucla_left_out", slot_value, dispatcher)

    def validate_ucla_isolated(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """UCLA item 3."""
        return self._ucla("ucla_isolated", slot_value, dispatcher)


class ActionRecordCheckin(Action):
    """Store the scores with the time, and tell the person what they mean and how they've changed."""

    def name(self) -> str:
        """Action name."""
        return "action_record_checkin"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Score, store, describe the trend; clear the answers for next time."""
        values = [tracker.get_slot(slot) for slot in SLOTS]
        clear = [SlotSet(slot, None) for slot in SLOTS] + [SlotSet("offer", None)]
        if not all(str(v or "").isdigit() for v in values):
            return clear
        ons, company, left_out, isolated = (int(v) for v in values)
        with db.session() as s:
            previous = store.last_checkin(s, tracker.sender_id)
            now = store.record_checkin(s, tracker.sender_id, ons, company, left_out, isolated)
            days = (now.taken_at - previous.taken_at).days if previous else None
            change = checkin.trend(previous.ucla_total if previous else None, now.ucla_total, days)
        dispatcher.utter_message(text="Thank you for answering. " + checkin.describe(ons, now.ucla_total))
        if change:
            dispatcher.utter_message(text=change)
        if now.ucla_total >= 6 or ons >= 4:
            dispatcher.utter_message(
                text="Would it help if I looked for a befriender, or a friendly group near you?",
                buttons=[
                    {"title": "A befriender", "payload": '/ask_local_help{"service_kind":"befriending"}'},
                    {"title": "A group", "payload": '/ask_local_help{"service_kind":"activities"}'},
                    {"title": "Not now", "payload": "/deny"},
                ],
            )
            return clear
        with db.session() as s:
            day = store.profile(s, tracker.sender_id).checkin_day
        if day:
            dispatcher.utter_message(text="I'll ask again in a few weeks, if that's all right.")
            return clear
        today = DAYS[db.local_now().weekday()]
        text, _ = choose("offer_weekly", [], day=DAY_NAMES[today])
        dispatcher.utter_message(
            text=text,
            buttons=[
                {"title": "Yes, please", "payload": "/want_regular_checkins"},
                {"title": "No, thanks", "payload": "/deny"},
            ],
        )
        return [*clear, SlotSet("offer", "weekly")]
