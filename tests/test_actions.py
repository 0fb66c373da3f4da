"""Custom actions with a Tracker built from a dict, a CollectingDispatcher and a real SQLite database
holding the demo directory: suggestions, reminders, follow-ups, check-ins, the profile and forgetting."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from actions import checkin as checkin_actions
from actions import conversation, db, followup, suggestions
from bot import jobs
from bot.models import ScheduledJob
from database import make_engine, upgrade
from directory import demo
from directory import models as dm
from residents import store
from residents.models import CheckIn, FollowUp, Profile, ServiceFlag, Suggestion

DOMAIN: dict = {}


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A fresh app database with the demo directory, which the actions' own session factory uses."""
    path = tmp_path_factory.mktemp("actions") / "kindred.db"
    patch = pytest.MonkeyPatch()
    patch.setenv("DATABASE_URL", f"sqlite:///{path}")
    patch.setenv("KINDRED_VAR", str(path.parent))
    db.config.cache_clear()
    db._factory.cache_clear()
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with Session(engine) as session, session.begin():
        demo.ensure_loaded(session)
    yield path
    patch.undo()
    db.config.cache_clear()
    db._factory.cache_clear()


def tracker(
    sender: str,
    text: str = "",
    intent: str = "chitchat",
    slots: dict | None = None,
    entities: list | None = None,
    events: list | None = None,
) -> Tracker:
    """A tracker as the action server receives it."""
    latest = {"text": text, "intent": {"name": intent, "confidence": 1.0}, "entities": entities or []}
    return Tracker.from_dict(
        {
            "sender_id": sender,
            "slots": slots or {},
            "latest_message": latest,
            "events": events if events is not None else [{"event": "user", "text": text, "parse_data": latest}],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def run(action, t: Tracker) -> tuple[list[dict], list[dict]]:  # noqa: ANN001 - any action
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, DOMAIN))
    return events, shown(dispatcher.messages)


def shown(messages: list[dict]) -> list[dict]:
    """What the person sees: several cards sent together are separate messages (as the gateway does)."""
    out = []
    for message in messages:
        kindred = (message.get("custom") or {}).get("kindred") or {}
        out += kindred["messages"] if kindred.get("event") == "messages" else [message]
    return out


def texts(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def slot_events(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_the_form_asks_only_for_what_is_missing(database: Path) -> None:
    form = suggestions.ValidateSuggestForm()
    dispatcher = CollectingDispatcher()
    need = asyncio.run(form.required_slots([], dispatcher, tracker("f1", slots={"service_kind": "activities"}), {}))
    assert need == ["location", "interest", "when", "access_cost"]
    need = asyncio.run(form.required_slots([], dispatcher, tracker("f1", slots={"service_kind": "befriending"}), {}))
    assert need == ["location", "access_cost"]
    assert form.validate_location("BS5 6XY", dispatcher, tracker("f1"), {}) == {"location": "BS5 6XY"}
    need = asyncio.run(form.required_slots([], dispatcher, tracker("f1", slots={"service_kind": "befriending"}), {}))
    assert need == ["access_cost"]
    # A place the directory knows, a shared location, and something unknown (asked again, kindly).
    assert form.validate_location("I live in Easton", dispatcher, tracker("f2"), {}) == {"location": "Easton"}
    assert form.validate_location("51.4600,-2.5600", dispatcher, tracker("f3"), {}) == {"location": "where you shared"}
    # asked again in one message: the form's own question is not sent as well (a slot with no question)
    silent = {"location": None, "requested_slot": suggestions.SILENT_SLOT}
    assert form.validate_location("Narnia", dispatcher, tracker("f4"), {}) == silent
    assert form.validate_location("ZZ9 9ZZ", dispatcher, tracker("f4"), {}) == silent
    assert "postcode" in texts(dispatcher.messages)
    assert form.validate_when("Tuesday", dispatcher, tracker("f1"), {}) == {"when": "tu"}
    assert form.validate_when("any day", dispatcher, tracker("f1"), {}) == {"when": "any"}
    assert form.validate_when("purple", dispatcher, tracker("f1"), {}) == {
        "when": None,
        "requested_slot": suggestions.SILENT_SLOT,
    }
    assert form.validate_access_cost("It needs to be free", dispatcher, tracker("f1"), {}) == {"access_cost": "known"}
    with db.session() as s:
        assert store.profile(s, "f1").preferences == {"free_only": True, "free_first": False, "step_free": False}


def test_suggestions_show_three_with_reasons_and_buttons_then_more(database: Path) -> None:
    with db.session() as s:
        store.set_place(s, "s1", "BS5", store.resolve_place(s, "BS5")[1])
    events, messages = run(
        suggestions.ActionSuggestServices(), tracker("s1", slots={"service_kind": "food", "when": "any"})
    )
    results = [m for m in messages if m.get("buttons") and m["buttons"][0]["title"] == "Remind me"]
    assert 1 <= len(results) <= 3
    for m in results:
        assert "miles away" in m["text"]
        assert {b["title"] for b in m["buttons"][:2]} == {"Remind me", "How would I get there?"}
    assert messages[-1]["buttons"][-2:] == suggestions._closing_buttons()
    assert messages[0]["text"].startswith("Here's what I found near BS5:") and len(messages) == len(results)
    shown = slot_events(events)["shown"]
    assert len(shown) == len(results)
    more_events, more = run(
        suggestions.ActionMoreServices(), tracker("s1", slots={"service_kind": "food", "shown": shown})
    )
    assert not set(slot_events(more_events)["shown"][len(shown) :]) & set(shown)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.sender_id == "s1")) >= 2


def test_carers_young_carers_and_new_parents_get_what_fits(database: Path) -> None:
    with db.session() as s:
        for sender in ("c1", "y1", "p1"):
            store.set_place(s, sender, "BS5", store.resolve_place(s, "BS5")[1])
        store.profile(s, "y1").age = 14
        store.profile(s, "y1").circumstances = ["carer"]
        store.profile(s, "p1").circumstances = ["new_baby"]
    _, carer = run(suggestions.ActionSuggestServices(), tracker("c1", slots={"service_kind": "respite", "when": "any"}))
    assert "Sitting Service" in texts(carer) and "carer's assessment" in texts(carer)
    _, young = run(suggestions.ActionSuggestServices(), tracker("y1", slots={"service_kind": "carers", "when": "any"}))
    assert "Young Carers" in texts(young) and "Sitting Service" not in texts(young)
    _, parent = run(suggestions.ActionSuggestServices(), tracker("p1", slots={"when": "any"}))
    assert "Parent and Baby" in texts(parent)


def test_nothing_found_is_said_kindly_and_recorded(database: Path) -> None:
    with db.session() as s:
        store.set_place(s, "n1", "TR19", store.resolve_place(s, "TR19")[1])  # Land's End: no demo services
        before = s.scalar(select(func.count()).select_from(dm.UnmetSearch))
    _, messages = run(suggestions.ActionSuggestServices(), tracker("n1", slots={"service_kind": "befriending"}))
    assert "couldn't find" in texts(messages) and "TR19" in texts(messages)
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(dm.UnmetSearch)) == before + 1


def test_remind_me_schedules_a_reminder_before_and_a_follow_up_after(database: Path) -> None:
    with db.session() as s:
        store.set_place(s, "r1", "BS5", store.resolve_place(s, "BS5")[1])
    events, _ = run(suggestions.ActionSuggestServices(), tracker("r1", slots={"service_kind": "food", "when": "any"}))
    shown = slot_events(events)["shown"]
    events, messages = run(
        suggestions.ActionRemindMe(),
        tracker("r1", "/remind_me", "remind_me", slots={"shown": shown}, entities=[{"entity": "pick", "value": "2"}]),
    )
    # Both are rows in the app database for the gateway's scheduler, not Rasa reminders in memory.
    assert events == []
    with db.session() as s:
        followup_row = s.scalars(select(FollowUp).where(FollowUp.sender_id == "r1")).one()
        assert followup_row.service_id == shown[1]
        assert followup_row.remind_at < followup_row.starts_at < followup_row.ask_at
        assert "I'll remind you about " + followup_row.service_name in texts(messages)
        fid = followup_row.id
        scheduled = {job.intent: job for job in jobs.conversation_jobs(s, "r1")}
    assert set(scheduled) == {"EXTERNAL_reminder", "EXTERNAL_followup"}
    remind, ask = scheduled["EXTERNAL_reminder"], scheduled["EXTERNAL_followup"]
    assert {remind.kind, ask.kind, remind.status, ask.status} == {"rasa", "scheduled"}
    assert remind.entities == ask.entities == {"followup_id": str(fid)}
    assert db.utc_naive(db.local_now()) < remind.run_at == followup_row.remind_at < ask.run_at == followup_row.ask_at
    # The reminder is useless once the session is over; the follow-up a few days after its time.
    assert followup_row.starts_at < remind.expires_at < ask.run_at < ask.expires_at
    # The reminder fires: the resident hears it. For someone forgotten since, nothing is said.
    _, said = run(
        suggestions.ActionSendReminder(),
        tracker("r1", "", "EXTERNAL_reminder", entities=[{"entity": "followup_id", "value": str(fid)}]),
    )
    assert "Just a reminder" in texts(said)
    _, said = run(
        suggestions.ActionSendReminder(),
        tracker("someone-else", "", "EXTERNAL_reminder", entities=[{"entity": "followup_id", "value": str(fid)}]),
    )
    assert said == []


def test_a_late_reminder_says_it_is_late(database: Path) -> None:
    """Sent long after its time (everything was down): it says so, and whether the session has begun."""
    now = db.utc_naive(db.local_now())
    with db.session() as s:
        row = FollowUp(
            sender_id="late1",
            service_id="svc-late",
            service_name="Easton Lunch Club",
            starts_at=now + dt.timedelta(minutes=40),
            remind_at=now - dt.timedelta(minutes=80),
            ask_at=now + dt.timedelta(hours=4),
        )
        s.add(row)
        s.flush()
        fid = str(row.id)
    fired = tracker("late1", "", "EXTERNAL_reminder", entities=[{"entity": "followup_id", "value": fid}])
    _, said = run(suggestions.ActionSendReminder(), fired)
    assert texts(said).startswith("Sorry, I meant to remind you earlier: Easton Lunch Club starts at")
    with db.session() as s:
        s.get(FollowUp, int(fid)).starts_at = now - dt.timedelta(minutes=5)
    _, said = run(suggestions.ActionSendReminder(), fired)
    assert "Easton Lunch Club started at" in texts(said) and "next one" in texts(said)
    # On time (within a few minutes of its time): the usual words.
    with db.session() as s:
        s.get(FollowUp, int(fid)).remind_at = now - dt.timedelta(minutes=1)
    _, said = run(suggestions.ActionSendReminder(), fired)
    assert texts(said).startswith("Just a reminder: Easton Lunch Club")


def test_a_follow_up_records_the_outcome_and_flags_a_wrong_entry(database: Path) -> None:
    with db.session() as s:
        row = FollowUp(
            sender_id="u1",
            service_id="svc-1",
            service_name="Easton Community Choir",
            starts_at=dt.datetime(2026, 12, 2, 19),
            remind_at=dt.datetime(2026, 12, 2, 17),
            ask_at=dt.datetime(2026, 12, 2, 23),
        )
        s.add(row)
        store.profile(s, "u1").name = "Jean"
        s.flush()
        fid = str(row.id)
    _, asked = run(
        followup.ActionAskWent(),
        tracker("u1", "", "EXTERNAL_followup", entities=[{"entity": "followup_id", "value": fid}]),
    )
    assert texts(asked) == "Hello Jean! Did you get to Easton Community Choir?"
    events, said = run(
        followup.ActionRecordFollowup(),
        tracker("u1", slots={"followup_id": fid, "went": False, "followup_notes": "It wasn't on"}),
    )
    assert "told the people who look after the directory" in texts(said)
    with db.session() as s:
        assert s.get(FollowUp, int(fid)).went is False and s.get(FollowUp, int(fid)).status == "done"
        flag = s.scalars(select(ServiceFlag).where(ServiceFlag.service_id == "svc-1")).one()
        assert flag.reason == "not_running"
    _, said = run(followup.ActionRecordFollowup(), tracker("u1", slots={"followup_id": "999999", "went": True}))
    assert said == []


def test_the_checkin_is_scored_stored_and_shown_as_a_trend(database: Path) -> None:
    form = checkin_actions.ValidateCheckinForm()
    dispatcher = CollectingDispatcher()
    t = tracker("k1")
    assert form.validate_ons_lonely("Some of the time", dispatcher, t, {}) == {"ons_lonely": "4", "offer": None}
    assert form.validate_ucla_company("rhubarb", dispatcher, t, {}) == {"ucla_company": None}
    assert dispatcher.messages[-1]["buttons"][0]["title"] == "Hardly ever"
    slots = {"ons_lonely": "4", "ucla_company": "3", "ucla_left_out": "2", "ucla_isolated": "3"}
    _, first = run(checkin_actions.ActionRecordCheckin(), tracker("k1", slots=slots))
    assert "lonely quite a lot" in texts(first) and "befriender" in texts(first)
    with db.session() as s:
        s.scalars(select(CheckIn).where(CheckIn.sender_id == "k1")).one().taken_at -= dt.timedelta(days=30)
    slots = {"ons_lonely": "3", "ucla_company": "2", "ucla_left_out": "2", "ucla_isolated": "2"}
    events, second = run(checkin_actions.ActionRecordCheckin(), tracker("k1", slots=slots))
    assert "quite a bit better than last month" in texts(second)
    assert slot_events(events)["ucla_company"] is None  # cleared for next time
    with db.session() as s:
        assert [c.ucla_total for c in s.scalars(select(CheckIn).where(CheckIn.sender_id == "k1"))] == [8, 6]
        assert not store.checkin_due(s, "k1", 14)


def test_conversation_reflects_remembers_and_never_pushes(database: Path) -> None:
    events, said = run(
        conversation.ActionConverse(), tracker("v1", "my name is Jean and I care for my husband", "chitchat")
    )
    assert "Jean" in texts(said) and "husband" in texts(said)
    assert any(q in texts(said) for q in ("How are you doing yourself", "Who looks after you", "time for yourself"))
    assert slot_events(events)["name"] == "Jean"
    # Lonely twice: the second time a gentle offer with buttons, the first time only listening.
    lonely = {"event": "user", "text": "I feel so lonely", "parse_data": {"intent": {"name": "feeling_lonely"}}}
    _, first = run(conversation.ActionConverse(), tracker("v1", "I feel so lonely", "feeling_lonely", events=[lonely]))
    assert not any(m.get("buttons") for m in first)
    _, second = run(
        conversation.ActionConverse(), tracker("v1", "I feel so lonely", "feeling_lonely", events=[lonely, lonely])
    )
    assert second[-1]["buttons"][0]["payload"] == "/ask_local_help"
    # Someone who only wants to talk is never offered a service.
    talk = {"event": "user", "text": "I just want to talk", "parse_data": {"intent": {"name": "feeling_lonely"}}}
    _, third = run(
        conversation.ActionConverse(), tracker("v2", "I feel lonely", "feeling_lonely", events=[talk, lonely, lonely])
    )
    assert not any(m.get("buttons") for m in third)
    # Someone upset is not offered the check-in; a relaxed chat is (once per interval).
    sad = {"event": "user", "text": "I feel sad", "parse_data": {"intent": {"name": "chitchat"}}}
    chat = {"event": "user", "text": "my cat knocked a plant over", "parse_data": {"intent": {"name": "chitchat"}}}
    _, upset = run(conversation.ActionConverse(), tracker("v3", "the weather is nice", "chitchat", events=[sad, chat]))
    assert not any(m.get("buttons") for m in upset)
    events, calm = run(
        conversation.ActionConverse(), tracker("v4", "the weather is nice", "chitchat", events=[chat, chat, chat])
    )
    assert calm[-1]["buttons"][0]["payload"] == "/start_checkin" and slot_events(events)["offer"] == "checkin"
    _, again = run(conversation.ActionConverse(), tracker("v4", "the weather is nice", "chitchat", events=[chat, chat]))
    assert not any(m.get("buttons") for m in again)


def test_replies_vary_for_a_daily_visitor(database: Path) -> None:
    seen = set()
    for _ in range(3):
        _, said = run(
            conversation.ActionConverse(),
            tracker("d1", "I feel lonely", "feeling_lonely", events=[{"event": "user", "text": "I just want to talk"}]),
        )
        seen.add(texts(said))
    assert len(seen) == 3


def test_the_profile_is_shown_from_the_database_and_forgotten(database: Path) -> None:
    run(conversation.ActionConverse(), tracker("w1", "I'm called Arthur and I live in Easton", "chitchat"))
    run(conversation.ActionConverse(), tracker("w1", "I stopped driving and I love gardening", "chitchat"))
    _, shown = run(conversation.ActionShowProfile(), tracker("w1", "what do you know about me", "ask_profile"))
    said = texts(shown)
    for fact in ("Arthur", "Easton", "don't drive", "gardening", "forget me"):
        assert fact in said
    with db.session() as s:
        s.add(ServiceFlag(service_id="x", service_name="X", reason="wrong_details", sender_id="w1"))
        store.record_checkin(s, "w1", 3, 2, 2, 2)
    with db.session() as s:
        store.forget(s, "w1")
    with db.session() as s:
        assert s.get(Profile, "w1") is None
        assert s.scalar(select(func.count()).select_from(CheckIn).where(CheckIn.sender_id == "w1")) == 0
        assert s.scalars(select(ServiceFlag).where(ServiceFlag.service_id == "x")).one().sender_id is None
    _, nothing = run(conversation.ActionShowProfile(), tracker("w1", "what do you know about me", "ask_profile"))
    assert "don't know anything about you yet" in texts(nothing)


def test_regular_checkins_start_fire_and_stop(database: Path) -> None:
    def checkins() -> list:
        with db.session() as s:
            return [(j.intent, j.status, j.run_at) for j in jobs.conversation_jobs(s, "q1")]

    def local(moment: dt.datetime) -> dt.datetime:
        return moment.replace(tzinfo=dt.timezone.utc).astimezone(db.local_now().tzinfo)

    events, said = run(
        followup.ActionScheduleCheckins(), tracker("q1", "message me on Thursdays", "want_regular_checkins")
    )
    [(intent, status, first)] = checkins()
    assert (intent, status) == ("EXTERNAL_checkin", "scheduled") and local(first).weekday() == 3
    assert local(first).hour == 10 and first > db.utc_naive(db.local_now())
    assert "Thursdays" in texts(said) and not [e for e in events if e["event"] != "slot"]
    # Fired (late, say, after everything was down): it says hello once and moves the one job on.
    with db.session() as s:
        s.execute(
            update(ScheduledJob)
            .where(ScheduledJob.conversation_id == "q1")
            .values(run_at=first - dt.timedelta(days=21))
        )
    events, said = run(followup.ActionCheckIn(), tracker("q1", "", "EXTERNAL_checkin"))
    assert said and said[0]["buttons"] and events == []
    [(_, status, following)] = checkins()
    assert status == "scheduled" and local(following).weekday() == 3 and following > db.utc_naive(db.local_now())
    events, said = run(followup.ActionStopCheckins(), tracker("q1", "stop messages", "stop_checkins"))
    assert events == [] and "won't send" in texts(said)
    assert [status for _, status, _ in checkins()] == ["cancelled"]
    _, said = run(followup.ActionCheckIn(), tracker("q1", "", "EXTERNAL_checkin"))
    assert said == [] and [status for _, status, _ in checkins()] == ["cancelled"]
