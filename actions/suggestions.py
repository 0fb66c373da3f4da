"""Suggestions from the directory: a form that asks only for what is missing, one to three
results with the directory's reason for each, and "more", "how would I get there?", "remind me"
and "not for me"."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions import db
from actions.wording import choose
from bot import jobs
from directory import models as dm
from directory.categories import BY_KEY
from directory.geo import Point
from directory.joining import how_to_join
from directory.search import DAY_NAMES, DAYS, Query, Result, search
from residents import lifecourse, store
from residents.extract import extract, time_fits, when_of, when_parts
from residents.models import FollowUp, Suggestion
from residents.vocabulary import INTERESTS

PAGE = 3
DAY_BUTTONS = [{"title": "Any day", "payload": "Any day"}] + [
    {"title": DAY_NAMES[d][:-1], "payload": DAY_NAMES[d][:-1]} for d in DAYS
]
REFINE = {
    "far": r"\bfar\b|\bdistance\b|\bcloser\b|\bnearer\b|\bget there\b",
    "day": r"\bday\b|\btime\b|\bwhen\b|\bmorning|\bevening|\bafternoon|\bweekend",
    "thing": r"\bkind of thing\b|\bnot my\b|\bnot for me\b|\bnot really me\b|\bsomething different\b|\bboring\b|"
    r"\binterest",
    "cost": r"\bcost|\bmoney\b|\bexpensive\b|\bafford\b|\bprice\b|\bpay\b|£",
    "other": r"\bsomething else\b|\bother\b",
}


# The form stops itself by setting `search_page` to one of these (no new slot in the domain needed):
# `action_suggest_services`, which the rules run when the form ends, then answers instead of searching.
STOPPED_NO, STOPPED_CONVERSE, STOPPED_GAVE_UP = -1.0, -2.0, -3.0
# The refine form's answer when the person told something instead of a reason: listen, don't search.
LISTEN = "listen"
STOPPED = {STOPPED_NO, STOPPED_CONVERSE, STOPPED_GAVE_UP}
# The question asked when a form question should not be asked again this turn: a slot with no
# `utter_ask_` response, so the form says nothing and the validator's re-ask is the only bubble.
SILENT_SLOT = "shown"
# "No", "I don't want to go anywhere", "I'd just like to talk": the search stops.
REFUSAL = re.compile(
    r"\b(?:don'?t|do not|dont|doesn'?t|won'?t|not) (?:really )?(?:want|wanna|need|like) (?:to )?(?:go|going|get out|"
    r"leave|be sent|sending|anything|any of (?:it|that|this)|a group|groups|help|to be)\b|"
    r"\bnot going anywhere\b|\bnot interested\b|\bno,? thanks?\b|\bno,? thank you\b|\bno ta\b|"
    r"\b(?:just|only|rather) (?:want|like|need|have)?(?: to)? ?(?:talk|chat|a chat)\b|\bjust talk\b|"
    r"\bstop asking\b|\bleave it\b|\bforget (?:it|that)\b|\bnone of your business\b|\bnot telling\b|"
    r"\brather not (?:say|tell)\b|\bnot (?:right )?now\b|\bmaybe later\b"
)
FEELING_WORD = re.compile(
    r"\b(?:sad|lonely|scared|afraid|frightened|anxious|depressed|upset|crying|miserable|awful|terrible|rubbish|"
    r"alone|worried|stressed|died|dead|passed)\b"
)
UPSET = {"sad", "anxious", "grieving", "overwhelmed", "lonely"}
QUESTION_START = re.compile(
    r"^(?:what|who|why|how|when|where|which|can|could|would|will|do|does|did|is|are|am|should|shall)\b"
)


def _intent(tracker: Tracker) -> str | None:
    return (tracker.latest_message.get("intent") or {}).get("name")


def not_an_answer(tracker: Tracker, text: str, strict: bool = True) -> str | None:
    """Why a message to a form question is not an answer: "no", or "converse" (a disclosure, a
    question, distress, a long story), or None when it may be an answer.

    `strict` is for questions a long or chatty reply cannot answer (where, which day); the
    others only stop for a refusal or a disclosure.
    """
    lower = text.lower().replace("’", "'").strip()
    if REFUSAL.search(lower) or (_intent(tracker) == "deny" and strict):
        return "no"
    facts = extract(text)
    entities = {e.get("entity"): e.get("value") for e in tracker.latest_message.get("entities") or []}
    level = str(entities.get("safety_level") or "none").lower()
    if level not in ("none", "", "no"):
        return "converse"
    disclosed = facts.feeling in UPSET or set(facts.circumstances) & {"bereaved", "illness_disability", "unemployed"}
    if disclosed and (len(lower.split()) > 3 or FEELING_WORD.search(lower)):
        return "converse"  # a short answer may be a place ("Low Fell"), unless it says how they feel
    if not strict:
        return None
    if lower.endswith("?") or QUESTION_START.match(lower):
        return "converse"
    if _intent(tracker) in ("feeling_lonely", "worry_about_someone", "unsure") or len(lower.split()) > 12:
        return "converse"
    return None


# How the form's questions and re-asks begin, for trackers whose bot events carry no response name.
ASKED_TEXT = {
    "location": ("Whereabouts are you?", "Sorry, I couldn't find that place."),
    "when": ("Which day would suit you best?", "Sorry, I didn't catch that. Which day"),
}


def times_asked(tracker: Tracker, slot: str) -> int:
    """How often the form has asked for `slot` in this session (its question and its re-asks)."""
    count = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "bot":
            continue
        metadata = event.get("metadata") or {}
        custom = ((event.get("data") or {}).get("custom") or {}).get("kindred") or {}
        if (
            metadata.get("utter_action") == f"utter_ask_{slot}"
            or (custom.get("event") == "asking" and custom.get("slot") == slot)
            or (event.get("text") or "").startswith(ASKED_TEXT.get(slot, ()) or ("\0",))
        ):
            count += 1
    return count


def _asking(slot: str) -> dict:
    """The marker the gateway reads as "the next message answers this question"."""
    return {"kindred": {"event": "asking", "slot": slot}}


def locate_words(s: Any, text: str) -> tuple[str, Point] | None:
    """Where a message says: a postcode anywhere in it (an unknown full postcode falls back to its
    outward code), a place the directory knows, or the words themselves."""
    facts = extract(text)
    candidates: list[str] = []
    if facts.postcode:
        candidates.append(facts.postcode)
        if " " in facts.postcode:
            candidates.append(facts.postcode.split(" ")[0])
    if facts.place:
        candidates.append(facts.place)
    rest = text
    if facts.postcode:
        rest = re.sub(re.escape(facts.postcode).replace("\\ ", r"\s*"), " ", rest, flags=re.IGNORECASE)
    for piece in re.split(r"[.,;!?\n]+", rest):
        piece = re.sub(r"(?i)^\s*(?:i live in|i'?m in|i am in|im in|in|near|around|it'?s|its|from)\s+", "", piece)
        piece = piece.strip(" '\"")
        if 3 <= len(piece) <= 40 and len(piece.split()) <= 4:
            candidates.append(piece)
    for candidate in candidates:
        found = store.resolve_place(s, candidate)
        if found is not None:
            return found
    return None


def earlier_place(s: Any, tracker: Tracker) -> tuple[str, Point] | None:
    """A postcode or place the person gave earlier in this session, newest first."""
    seen = 0
    for event in reversed(tracker.events):
        if event.get("event") == "session_started":
            break
        if event.get("event") != "user" or (event.get("text") or "").startswith("/"):
            continue
        seen += 1
        if seen > 30:
            break
        facts = extract(event.get("text") or "")
        if facts.postcode or facts.place:
            found = locate_words(s, event.get("text") or "")
            if found is not None:
                return found
    return None


def _pick(tracker: Tracker, shown: list[str]) -> int:
    """Which shown service a button or a message means (an index into everything shown this search).

    A card's buttons carry the card's own number in everything shown ("Remind me" on the second card
    after "Show me more" is number 5), so a button always means the card it is on, even one scrolled
    back to. Typed words ("the second one") mean the cards on screen now: the last page shown.
    """
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "pick":
            try:
                return max(0, min(len(shown) - 1, int(entity.get("value")) - 1))
            except (TypeError, ValueError):
                break
    on_screen = int(tracker.get_slot("shown_from") or 0)
    on_screen = on_screen if 0 <= on_screen < len(shown) else 0
    text = (tracker.latest_message.get("text") or "").lower()
    words = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2}
    for word, index in words.items():
        if re.search(rf"\b{word}\b", text) and on_screen + index < len(shown):
            return on_screen + index
    return on_screen


def _profile_point(s: Any, sender_id: str) -> Point | None:
    found = store.profile(s, sender_id, create=False)
    if found is None or found.latitude is None:
        return None
    return Point(found.latitude, found.longitude)


# A cost preference that is a condition, not a wish ("it has to be free", "I can't afford anything").
MUST_BE_FREE = (
    r"\b(?:must|has to|have to|needs? to|got to|gotta|only)\b(?:\s+\w+){0,3}\s+free\b|\bcan'?t afford"
    r"|\bno money\b|\bnothing that costs\b|\bfree only\b|\bonly (?:if|when) (?:it'?s|its) free\b"
)


def _free_first(results: list[tuple[Result, str | None]], free_ids: set[str]) -> list[tuple[Result, str | None]]:
    """The same results with the free ones first (a soft preference ranks, it does not filter)."""
    return sorted(results, key=lambda pair: pair[0].id not in free_ids)


def _find(
    s: Any,
    sender_id: str,
    kind: str | None,
    day: str | None,
    exclude: set[str],
    within: float = 3.0,
    free_only: bool | None = None,
    first_interest: str | None = None,
) -> tuple[list[tuple[Result, str | None]], lifecourse.Plan]:
    """Services for a request, best first, shaped by the person's profile."""
    found = store.profile(s, sender_id)
    profile = store.as_dict(found)
    if first_interest and first_interest != "any":
        profile["interests"] = [first_interest] + [i for i in profile["interests"] if i != first_interest]
    plan = lifecourse.plan(kind, profile)
    prefs = profile.get("preferences") or {}
    point = _profile_point(s, sender_id)
    area = (found.place or "").split(" ")[0].upper() if found and found.place else None
    results: list[tuple[Result, str | None]] = []
    seen = set(exclude)
    for step in plan.searches:
        # "Too far" means nearer only; otherwise widen once when nothing is close.
        for radius in (within, within * 2.5) if within >= 3.0 else (within,):
            query = Query(
                text=step.words,
                near=point,
                within_miles=radius,
                category=step.category,
                day=day if plan.needs_day or step.category in lifecourse.DAY_KINDS else None,
                free_only=bool(prefs.get("free_only")) if free_only is None else free_only,
                access=["step_free"] if prefs.get("step_free") else [],
                age=plan.age,
                language=profile.get("language") if kind == "advice" else None,
                area=area[:8] if area else None,
                limit=10,
            )
            batch = [r for r in search(s, query, record_unmet=False) if r.id not in seen]
            if batch:
                break
        for result in batch:
            seen.add(result.id)
            results.append((result, step.category))
    if prefs.get("free_first") and not free_only and results:
        ids = [r.id for r, _ in results]
        free = set(
            s.scalars(
                select(dm.SearchDocument.service_id).where(
                    dm.SearchDocument.service_id.in_(ids), dm.SearchDocument.free.is_(True)
                )
            )
        )
        results = _free_first(results, free)
    if not results and plan.searches:
        first = plan.searches[0]
        s.add(
            dm.UnmetSearch(category=first.category, area=area[:8] if area else None, day=day, terms=first.words or None)
        )
    return results, plan


def _find_when(
    s: Any,
    sender_id: str,
    kind: str | None,
    days: list[str],
    part: str | None,
    exclude: set[str],
    within: float,
    free_only: bool | None,
    first_interest: str | None,
) -> tuple[list[tuple[Result, str | None]], lifecourse.Plan]:
    """`_find` for each day asked ("Tuesdays or Thursdays"), merged; then only the sessions at the
    time of day asked ("mornings", "after 2"), unless that leaves nothing (the time is a preference)."""
    merged: list[tuple[Result, str | None]] = []
    plan = None
    for day in days or [None]:
        batch, plan = _find(s, sender_id, kind, day, exclude | {r.id for r, _ in merged}, within, free_only,
                            first_interest)  # fmt: skip
        merged += batch
    assert plan is not None
    if len(days) > 1:
        merged.sort(key=lambda pair: pair[0].distance_miles if pair[0].distance_miles is not None else 99.0)
    if part and merged:
        sessions = dict(
            s.execute(
                select(dm.SearchDocument.service_id, dm.SearchDocument.sessions).where(
                    dm.SearchDocument.service_id.in_([r.id for r, _ in merged])
                )
            ).all()
        )
        fitting = [
            (r, c)
            for r, c in merged
            if not sessions.get(r.id)
            or any((not days or d in days) and time_fits(part, o, e) for d, o, e in sessions.get(r.id) or [])
        ]
        merged = fitting or merged
    return merged, plan


def _show(dispatcher: CollectingDispatcher, s: Any, sender_id: str, results: list, start: int,
          intro: str = "", outro: str = "", before: int = 0) -> list[str]:  # fmt: skip
    """Show up to three results, each with its reason and buttons. Returns the ids shown.

    `before` is how many cards this search showed already: a card's buttons carry its number in
    everything shown, so they always mean that card (`_pick`).

    The introduction goes on the first card and the closing question (with "Show me more" and "Not
    for me") on the last, so a search is three messages, not six. The cards travel to the gateway as
    one message (`kindred.messages`), which stores and shows them as separate messages: one
    callback and one database transaction instead of three, on the busiest turn there is.
    """
    page = results[start : start + PAGE]
    ids = []
    cards = []
    for position, (result, category) in enumerate(page, start=1):
        number = before + position
        store.record_suggestion(s, sender_id, result, category)
        ids.append(result.id)
        summary = (result.description or "").replace("(Fictional demo entry: not a real service.) ", "")
        summary = summary if len(summary) <= 160 else summary[:157].rsplit(" ", 1)[0] + "…"
        text = f"{result.name}\n{result.why}\n{summary}\n{how_to_join(s, result.id)}".strip()
        buttons = [
            {"title": "Remind me", "payload": f'/remind_me{{"pick":"{number}"}}'},
            {"title": "How would I get there?", "payload": f'/ask_transport{{"pick":"{number}"}}'},
        ]
        if position == 1 and intro:
            text = f"{intro}\n\n{text}"
        if position == len(page):
            text = f"{text}\n\n{outro}".strip()
            buttons += _closing_buttons()
        cards.append({"text": text, "buttons": buttons})
    if cards:
        dispatcher.utter_message(json_message={"kindred": {"event": "messages", "messages": cards}})
    return ids


def _closing_buttons() -> list[dict]:
    return [
        {"title": "Show me more", "payload": "/more_options"},
        {"title": "Not for me", "payload": "/not_for_me"},
    ]


class ValidateSuggestForm(FormValidationAction):
    """Asks only for what is missing: where, and for things on a day, which day and what they enjoy."""

    def name(self) -> str:
        """Form validator name."""
        return "validate_suggest_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """Where, unless known; day and interest only when the kind of service needs them; cost once."""
        with db.session() as s:
            # Whatever the person says while the form is open still counts ("I love singing").
            store.remember(s, tracker.sender_id, extract(tracker.latest_message.get("text") or ""))
            found = store.profile(s, tracker.sender_id)
            if found.latitude is None and (earlier := earlier_place(s, tracker)) is not None:
                store.set_place(s, tracker.sender_id, *earlier)  # a postcode given earlier in the chat
            plan = lifecourse.plan(tracker.get_slot("service_kind"), store.as_dict(found))
            has_point, has_preferences = found.latitude is not None, found.preferences is not None
        slots = [] if has_point else ["location"]
        if plan.needs_interest:
            slots.append("interest")
        if plan.needs_day:
            slots.append("when")
        if not has_preferences:
            slots.append("access_cost")
        return slots

    async def next_requested_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> EventType | None:
        """None once a validator has stopped the form (the search action then answers instead)."""
        if tracker.get_slot("search_page") in STOPPED:
            return SlotSet(REQUESTED_SLOT, None)
        return await super().next_requested_slot(dispatcher, tracker, domain)

    async def _extract_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """After an interruption the form asks again by itself: not a third time for where."""
        events = await super()._extract_validation_events(dispatcher, tracker, domain)
        asked = [e.get("value") for e in events if e.get("event") == "slot" and e.get("name") == REQUESTED_SLOT]
        if asked and asked[-1] == "location" and SILENT_SLOT not in asked and times_asked(tracker, "location") >= 2:
            self._give_up_place(dispatcher, tracker)
            events += [SlotSet("search_page", STOPPED_GAVE_UP), SlotSet(REQUESTED_SLOT, None)]
        return events

    @staticmethod
    def _give_up_place(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """Where was asked twice: a way out (never mind, or a person), not the question again."""
        with db.session() as s:
            profile = store.profile(s, tracker.sender_id)
            recent = list(profile.recent_lines or [])
            line, line_id = choose("form_gave_up_place", recent)
            profile.recent_lines = [*recent, line_id][-12:]
        dispatcher.utter_message(
            text=line,
            buttons=[
                {"title": "Never mind", "payload": "/cancel"},
                {"title": "Talk to a person", "payload": "/request_human"},
            ],
        )

    def _stop(self, why: str) -> dict[str, Any]:
        """Stop the form: a refusal, or something to answer rather than validate."""
        return {"search_page": STOPPED_NO if why == "no" else STOPPED_CONVERSE}

    def validate_location(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A postcode (anywhere in the message), part of one, a place the directory knows, or a
        shared location. Asked again once, in one message; then a way out, not the question again."""
        text = str(slot_value or "")
        latest = tracker.latest_message.get("text") or ""
        match = re.fullmatch(r"\s*(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)\s*", text)
        with db.session() as s:
            if match:
                point = Point(float(match.group(1)), float(match.group(2)))
                if not (49 < point.lat < 61 and -9 < point.lon < 3):
                    dispatcher.utter_message(
                        text="That location seems to be outside the UK. Could you give a postcode?"
                    )
                    return {"location": None}
                store.set_place(s, tracker.sender_id, "where you shared", point)
                return {"location": "where you shared"}
            said = latest if latest and not latest.startswith("/") else text
            lower = said.lower().replace("’", "'")
            refused = REFUSAL.search(lower) and not re.search(r"\b(?:too )?far\b|\bnearby\b|\bclose\b", lower)
            found = None if refused else (locate_words(s, said) or locate_words(s, text))
            if found is not None:
                store.set_place(s, tracker.sender_id, *found)
                out: dict[str, Any] = {"location": found[0]}
                when = when_of(said)
                if when and not tracker.get_slot("when") or (when and "|" in when):
                    out["when"] = when  # "DY1, tuesday evenings if poss"
                return out
            why = not_an_answer(tracker, said)
            if why:
                return {"location": None, **self._stop(why)}
            if times_asked(tracker, "location") >= 2:
                self._give_up_place(dispatcher, tracker)
                return {"location": None, "search_page": STOPPED_GAVE_UP}
        dispatcher.utter_message(
            text="Sorry, I couldn't find that place. Could you give your postcode, or just the first part, like BS5?",
            buttons=[{"title": "Use my location", "payload": "/share_location"}],
            json_message=_asking("location"),
        )
        return {"location": None, REQUESTED_SLOT: SILENT_SLOT}

    def validate_when(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Days and times as people say them ("Tuesdays or Thursdays", "weekday mornings",
        "anytime", "after 2"); asked again once, then any day."""
        text = str(slot_value or "")
        latest = tracker.latest_message.get("text") or ""
        said = latest if latest and not latest.startswith("/") else text
        stoppable = self.name() == "validate_suggest_form"
        if stoppable and REFUSAL.search(said.lower().replace("’", "'")):
            return {"when": None, **self._stop("no")}
        when = when_of(said)
        if when:
            return {"when": when}
        if text in DAYS or text == "any" or when_parts(text)[0] or "|" in text:
            return {"when": text}
        when = when_of(text)
        if when:
            return {"when": when}
        if re.search(r"\bany\b|^\s*no\b|\bnot bothered\b|\bdoesn'?t matter\b", said.lower()):
            return {"when": "any"}
        why = not_an_answer(tracker, said)
        if stoppable and why:
            return {"when": None, **self._stop(why)}
        if times_asked(tracker, "when") >= 2:
            return {"when": "any"}  # a day is optional: search any day rather than ask a third time
        dispatcher.utter_message(
            text='Sorry, I didn\'t catch that. Which day would suit you best? You can say "any day".',
            buttons=DAY_BUTTONS,
            json_message=_asking("when"),
        )
        return {"when": None, REQUESTED_SLOT: SILENT_SLOT}

    def validate_interest(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Something they enjoy, remembered; "anything" is fine too."""
        text = str(slot_value or "")
        facts = extract(text)
        if facts.interests:
            with db.session() as s:
                store.remember(s, tracker.sender_id, facts)
            return {"interest": facts.interests[0]}
        if text in INTERESTS:
            return {"interest": text}
        why = not_an_answer(tracker, text, strict=False) if self.name() == "validate_suggest_form" else None
        if why:
            return {"interest": None, **self._stop(why)}
        return {"interest": "any"}

    def validate_access_cost(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Whether it must be free and whether step-free access is needed (asked once, remembered)."""
        text = str(slot_value or "").lower()
        if text == "known":
            return {"access_cost": "known"}
        both = bool(re.search(r"\bboth\b", text))
        wants_free = both or bool(re.search(r"\bfree\b|\bno cost\b|\bcan'?t afford\b|\bcheap", text))
        # "free would be good" ranks free services first; "it must be free" leaves the rest out.
        must = bool(re.search(MUST_BE_FREE, text))
        prefs = {
            "free_only": wants_free and must,
            "free_first": wants_free and not must,
            "step_free": both or bool(re.search(r"step|wheelchair|stairs|walk|mobility|level access|frame", text)),
        }
        refusal = r"\b(?:don'?t|do not|dont) want to (?:go|get out)|just (?:talk|chat)"
        if not any(prefs.values()) and re.search(refusal, text):
            return {"access_cost": None, **self._stop("no")}
        with db.session() as s:
            store.profile(s, tracker.sender_id).preferences = prefs
        return {"access_cost": "known"}


class ActionSuggestServices(Action):
    """Search the directory and show up to three fitting services."""

    def name(self) -> str:
        """Action name."""
        return "action_suggest_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Search, show, and remember what was shown; or, when the form was stopped, answer instead."""
        stopped = tracker.get_slot("search_page")
        if stopped in STOPPED:
            events: list[EventType] = [SlotSet("search_page", None), SlotSet("when", None)]
            if stopped == STOPPED_NO:
                with db.session() as s:
                    profile = store.profile(s, tracker.sender_id)
                    recent = list(profile.recent_lines or [])
                    line, line_id = choose("form_no", recent)
                    profile.recent_lines = [*recent, line_id][-12:]
                dispatcher.utter_message(text=line)
            elif stopped == STOPPED_CONVERSE:
                from actions.conversation import ActionConverse  # the listening reply, as outside the form

                events += await ActionConverse().run(dispatcher, tracker, domain)
            return events
        return suggest(dispatcher, tracker, exclude=set(), page=0)


def _relax_one(
    s: Any,
    tracker: Tracker,
    kind: str | None,
    days: list[str],
    part: str | None,
    within: float,
    free_only: bool | None,
    place: str,
    profile: Any,
) -> tuple[list, lifecourse.Plan, str]:
    """Nothing matched every filter: drop one, the day first, then "free", and say which (a search that
    ends in nothing helps nobody; one that says "nothing on Saturday, this one is on Tuesday" does)."""
    interest = tracker.get_slot("interest")
    if days or part:
        results, plan = _find_when(s, tracker.sender_id, kind, [], None, set(), within, free_only, interest)
        if results:
            asked = " or ".join(DAY_NAMES[d] for d in days) if days else f"in the {part}"
            on = f"on {asked}" if days else asked
            return results, plan, f"I couldn't find anything {on} near {place}, but these are on other days:"
    prefs = (profile.preferences or {}) if profile is not None else {}
    if free_only or prefs.get("free_only"):
        results, plan = _find_when(s, tracker.sender_id, kind, days, part, set(), within, False, interest)
        if results:
            return results, plan, f"I couldn't find anything free near {place}. These ask for a small charge:"
    return [], lifecourse.plan(kind, store.as_dict(profile)), ""


def suggest(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    exclude: set[str],
    page: int,
    within: float = 3.0,
    free_only: bool | None = None,
) -> list[EventType]:
    """The shared search-and-show step behind suggestions, "more" and "not for me"."""
    kind = tracker.get_slot("service_kind")
    when = tracker.get_slot("when")
    days, part = when_parts(when)
    day = days[0] if len(days) == 1 else None
    with db.session() as s:
        results, plan = _find_when(
            s, tracker.sender_id, kind, days, part, exclude, within, free_only, tracker.get_slot("interest")
        )
        found = store.profile(s, tracker.sender_id)
        place = found.place or "you"
        relaxed = ""
        if not results and page == 0 and not exclude:
            results, plan, relaxed = _relax_one(s, tracker, kind, days, part, within, free_only, place, found)
            if relaxed and (days or part) and "other days" in relaxed:
                days, part, when, day = [], None, None, None  # "Show me more" goes on without the day, as shown
        if not results[page * PAGE :]:
            what = (
                BY_KEY[plan.searches[0].category].label.lower()
                if plan.searches and plan.searches[0].category
                else "anything"
            )
            on_day = f" on {' or '.join(DAY_NAMES[d] for d in days)}" if days and plan.needs_day else ""
            more = "anything else" if page or exclude else what
            dispatcher.utter_message(
                text=f"I'm sorry, I couldn't find {more} near {place}{on_day} in our directory. I've noted it, so "
                "the team knows what people are looking for.",
                buttons=[
                    {"title": "Talk to a person", "payload": "/request_human"},
                    {"title": "Just chat", "payload": "/chitchat"},
                ],
            )
            return [SlotSet("when", None), SlotSet("search_page", float(page))]
        intro = ""
        if page == 0 and not exclude:
            intro = relaxed or f"Here's what I found near {place}:"
        notes = plan.notes if page == 0 else []
        outro = "\n\n".join([*notes, "Would any of these suit you?"])
        previous = list(tracker.get_slot("shown") or []) if (page or exclude) else []
        shown = _show(dispatcher, s, tracker.sender_id, results, page * PAGE, intro, outro, before=len(previous))
    keep = when if (days or part) else day
    return [
        SlotSet("shown", previous + shown),
        SlotSet("shown_from", float(len(previous))),
        SlotSet("search_page", float(page)),
        SlotSet("when", keep),
    ]


class ActionMoreServices(Action):
    """ "Show me more": the next three."""

    def name(self) -> str:
        """Action name."""
        return "action_more_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Show the next page, leaving out what was shown."""
        shown = set(tracker.get_slot("shown") or [])
        if not shown:
            dispatcher.utter_message(
                text="What would you like me to look for? For example a lunch club, a "
                "befriender or a lift to the shops."
            )
            return []
        return suggest(dispatcher, tracker, exclude=shown, page=0)


class ActionTransportTo(Action):
    """ "How would I get there?": community transport near that place."""

    def name(self) -> str:
        """Action name."""
        return "action_transport_to"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Transport services near the chosen service, with the distance from the person."""
        shown = list(tracker.get_slot("shown") or [])
        with db.session() as s:
            if not shown:
                results = search(
                    s,
                    Query(category="transport", near=_profile_point(s, tracker.sender_id), within_miles=5, limit=2),
                    record_unmet=True,
                )
                target = None
            else:
                target = s.scalar(
                    select(dm.SearchDocument).where(dm.SearchDocument.service_id == shown[_pick(tracker, shown)])
                )
                near = Point(target.latitude, target.longitude) if target and target.latitude is not None else None
                results = search(
                    s,
                    Query(
                        category="transport", near=near or _profile_point(s, tracker.sender_id), within_miles=5, limit=2
                    ),
                    record_unmet=True,
                )
            if target is not None:
                dispatcher.utter_message(text=f"{target.name} is at {target.postcode or 'the address they list'}.")
            if not results:
                dispatcher.utter_message(
                    text="I couldn't find community transport there in our directory. Traveline (0871 200 22 33) "
                    "can help with buses, and the organisers may know someone who could give you a lift."
                )
                return []
            lines = [
                f"• {r.name}: {r.description[:120].replace('(Fictional demo entry: not a real service.) ', '')}"
                for r in results
            ]
        dispatcher.utter_message(text="These could help you get there:\n" + "\n".join(lines))
        dispatcher.utter_message(
            text="Most need booking a day ahead. Would you like me to remind you?",
            buttons=[{"title": "Remind me", "payload": "/remind_me"}, {"title": "No thanks", "payload": "/deny"}],
        )
        return []


def next_session(sessions: list, now: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """The next start and end of a weekly session after now (local, aware)."""
    best = None
    for day, opens, closes in sessions:
        if day not in DAYS or not opens:
            continue
        hour, minute = (int(x) for x in opens.split(":")[:2])
        ahead = (DAYS.index(day) - now.weekday()) % 7
        start = (now + dt.timedelta(days=ahead)).replace(hour=hour, minute=minute, second=0, microsecond=0)
        if start <= now + dt.timedelta(hours=1):
            start += dt.timedelta(days=7)
        end_h, end_m = (int(x) for x in (closes or opens).split(":")[:2])
        end = start.replace(hour=end_h, minute=end_m)
        if end <= start:
            end = start + dt.timedelta(hours=2)
        if best is None or start < best[0]:
            best = (start, end)
    return best


# "Remind me": the reminder comes this long before the session starts, the follow-up this long after it
# ends; a follow-up still unsent this long after its time (everything was down) is no longer asked.
REMIND_BEFORE = dt.timedelta(hours=2)
ASK_AFTER = dt.timedelta(hours=2)
FOLLOWUP_USEFUL_FOR = dt.timedelta(days=3)
# A reminder that goes out later than this after its time says it is late.
LATE_AFTER = dt.timedelta(minutes=10)


class ActionRemindMe(Action):
    """ "Remind me": a reminder before the next session, and a check-in afterwards."""

    def name(self) -> str:
        """Action name."""
        return "action_remind_me"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Record the follow-up and schedule both messages (rows the gateway's scheduler fires)."""
        shown = list(tracker.get_slot("shown") or [])
        if not shown:
            dispatcher.utter_message(
                text="I can remind you about something I've suggested. What would you like me to look for?"
            )
            return []
        service_id = shown[_pick(tracker, shown)]
        now = db.local_now()
        with db.session() as s:
            doc = s.scalar(select(dm.SearchDocument).where(dm.SearchDocument.service_id == service_id))
            if doc is None:
                dispatcher.utter_message(text="Sorry, that service is no longer in the directory.")
                return []
            when = next_session(doc.sessions or [], now)
            if when is None:
                start = end = now + dt.timedelta(days=7)
                remind_at = None
            else:
                start, end = when
                remind_at = start - REMIND_BEFORE
                if remind_at <= now:
                    remind_at = None
            ask_at = end + ASK_AFTER
            if ask_at.hour >= 21 or ask_at.hour < 9:
                ask_at = (ask_at + dt.timedelta(days=1 if ask_at.hour >= 21 else 0)).replace(hour=10, minute=0)
            suggestion = s.scalars(
                select(Suggestion)
                .where(Suggestion.sender_id == tracker.sender_id, Suggestion.service_id == service_id)
                .order_by(Suggestion.id.desc())
            ).first()
            if suggestion is not None:
                suggestion.status = "reminder"
            followup = FollowUp(
                sender_id=tracker.sender_id,
                suggestion_id=suggestion.id if suggestion else None,
                service_id=service_id,
                service_name=doc.name,
                starts_at=db.utc_naive(start),
                remind_at=db.utc_naive(remind_at or start),
                ask_at=db.utc_naive(ask_at),
            )
            s.add(followup)
            s.flush()
            followup_id, name = followup.id, doc.name
            entities = {"followup_id": str(followup_id)}
            if remind_at is not None:
                # Dropped, not sent late, once the session is over.
                jobs.schedule(
                    s,
                    f"remind-{followup_id}-{tracker.sender_id}",
                    "rasa",
                    db.utc_naive(remind_at),
                    conversation_id=tracker.sender_id,
                    intent="EXTERNAL_reminder",
                    entities=entities,
                    expires_at=db.utc_naive(end),
                )
            jobs.schedule(
                s,
                f"followup-{followup_id}-{tracker.sender_id}",
                "rasa",
                db.utc_naive(ask_at),
                conversation_id=tracker.sender_id,
                intent="EXTERNAL_followup",
                entities=entities,
                expires_at=db.utc_naive(ask_at + FOLLOWUP_USEFUL_FOR),
            )
        if remind_at is not None:
            dispatcher.utter_message(
                text=f"I'll remind you about {name} on {_when(remind_at)}. It starts at {start:%H:%M}."
            )
        else:
            dispatcher.utter_message(
                text=f"{name} doesn't list a time I can remind you about, so it's worth ringing them first."
            )
        dispatcher.utter_message(
            text="Afterwards I'll ask how it went. Say \"stop messages\" any time if you'd rather I didn't."
        )
        return []


def _when(moment: dt.datetime) -> str:
    return f"{moment:%A} {moment.day} {moment:%B} at {moment:%H:%M}"


class ActionSendReminder(Action):
    """A reminder the gateway's scheduler fires before a session (late, if everything was down then)."""

    def name(self) -> str:
        """Action name."""
        return "action_send_reminder"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Remind the person, saying so when it is late, unless they have since asked to be forgotten."""
        followup_id = next(
            (e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "followup_id"),
            None,
        )
        with db.session() as s:
            followup = s.get(FollowUp, int(followup_id)) if str(followup_id or "").isdigit() else None
            if followup is None or followup.sender_id != tracker.sender_id:
                return []
            now = db.local_now()
            start = followup.starts_at.replace(tzinfo=dt.timezone.utc).astimezone(ZoneInfo(db.config().timezone))
            due = followup.remind_at.replace(tzinfo=dt.timezone.utc)
            key = "reminder" if now - due <= LATE_AFTER else "reminder_late" if now < start else "reminder_started"
            day = "today" if start.date() == now.date() else f"on {start:%A}"
            text, _ = choose(key, [], name=followup.service_name, time=f"{start:%H:%M}", day=day)
            dispatcher.utter_message(text=text)
        return []


class ValidateRefineForm(FormValidationAction):
    """ "Not for me": asks why, and then only what that reason needs."""

    def name(self) -> str:
        """Form validator name."""
        return "validate_refine_form"

    async def required_slots(
        self, domain_slots: list[str], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[str]:
        """The reason, then a new day or interest when that was the reason."""
        if not tracker.get_slot("shown"):
            return []  # nothing was suggested, so nothing to refine: the message is listened to instead
        reason = tracker.get_slot("refine_reason")
        extra = {"day": ["when"], "thing": ["interest"]}.get(reason or "", [])
        return ["refine_reason", *extra]

    def validate_refine_reason(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Read the reason; a new day or interest is asked for next."""
        text = str(slot_value or "").lower()
        if not tracker.get_slot("shown") or not_an_answer(tracker, str(slot_value or ""), strict=False) == "converse":
            return {"refine_reason": LISTEN}  # a disclosure, or nothing was shown: listen, don't search
        reason = next((key for key, pattern in REFINE.items() if re.search(pattern, text)), "other")
        events: dict[str, Any] = {"refine_reason": reason}
        if reason == "day":
            events["when"] = None
        if reason == "thing":
            events["interest"] = None
        return events

    validate_when = ValidateSuggestForm.validate_when
    validate_interest = ValidateSuggestForm.validate_interest


class ActionRefineServices(Action):
    """Search again, with the reason it wasn't right taken into account."""

    def name(self) -> str:
        """Action name."""
        return "action_refine_services"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        """Record why, then show others that fit better."""
        reason = tracker.get_slot("refine_reason") or "other"
        shown = list(tracker.get_slot("shown") or [])
        if reason == LISTEN or not shown:
            # "my wife left in january and then i got made redundant" is not a reason to search again
            from actions.conversation import ActionConverse  # the listening reply, as outside the form

            return [*await ActionConverse().run(dispatcher, tracker, domain), SlotSet("refine_reason", None)]
        with db.session() as s:
            for row in s.scalars(
                select(Suggestion).where(Suggestion.sender_id == tracker.sender_id, Suggestion.service_id.in_(shown))
            ):
                row.status, row.reason = "not_for_me", reason
            if reason == "cost":
                found = store.profile(s, tracker.sender_id)
                found.preferences = {**(found.preferences or {}), "free_only": True}
        dispatcher.utter_message(text="Thanks for telling me. Let me look again.")
        if reason == "other":
            dispatcher.utter_message(
                text="I might not have the right thing in my list. Someone from our team may know other options.",
                buttons=[
                    {"title": "Talk to a person", "payload": "/request_human"},
                    {"title": "Look for something else", "payload": "/ask_local_help"},
                ],
            )
            return [SlotSet("refine_reason", None)]
        events = suggest(
            dispatcher,
            tracker,
            exclude=set(shown),
            page=0,
            within=1.5 if reason == "far" else 3.0,
            free_only=True if reason == "cost" else None,
        )
        return [*events, SlotSet("refine_reason", None)]
