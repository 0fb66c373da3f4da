"""The reply to a message Rasa did not understand: listening for anything long or sad, and for a short
message the ladder (rephrase, options, default) without the same rung twice (issue 14, point 1)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from actions.fallback import LADDER, ActionFallbackReply, listen_instead, next_rung
from actions.wording import LINES
from tests.test_actions import database, run, slot_events, texts, tracker  # noqa: F401 - the fixture is used by name

RESPONSES = yaml.safe_load(Path("domain.yml").read_text(encoding="utf-8"))["responses"]


def said(response: str) -> set[str]:
    return {variant["text"] for variant in RESPONSES[response]}


def after(reply: str | None, text: str) -> list[dict]:
    """The events of a conversation whose previous bot reply was `reply` and whose latest message is `text`."""
    latest = {"text": text, "intent": {"name": "nlu_fallback", "confidence": 1.0}, "entities": []}
    events: list[dict] = [{"event": "user", "text": "first", "parse_data": latest}]
    if reply:
        events.append({"event": "bot", "text": "...", "metadata": {"utter_action": reply}})
    events.append({"event": "user", "text": text, "parse_data": latest})
    return events


def test_a_short_message_climbs_the_ladder_once_each() -> None:
    assert next_rung(tracker("l1", "asdf", "nlu_fallback", events=after(None, "asdf"))) == LADDER[0]
    assert next_rung(tracker("l1", "asdf", "nlu_fallback", events=after(LADDER[0], "asdf"))) == LADDER[1]
    assert next_rung(tracker("l1", "asdf", "nlu_fallback", events=after(LADDER[1], "asdf"))) == LADDER[2]
    assert next_rung(tracker("l1", "asdf", "nlu_fallback", events=after(LADDER[2], "asdf"))) == LADDER[2]
    assert next_rung(tracker("l1", "asdf", "nlu_fallback", events=after("utter_greet", "asdf"))) == LADDER[0]


def test_long_or_sad_messages_are_listened_to() -> None:
    assert listen_instead("I'm 45, I've been on sick leave with depression")
    assert listen_instead("it was cancer")
    assert not listen_instead("qwerty")


def test_a_long_message_not_understood_gets_a_reflective_reply(database: Path) -> None:  # noqa: F811
    text = "I'm 45, I've been on sick leave with depression since the summer and the days are long"
    _, messages = run(ActionFallbackReply(), tracker("l2", text, "nlu_fallback", events=after(None, text)))
    reply = texts(messages)
    assert reply
    assert not any(line in reply for r in LADDER for line in said(r))
    assert "depression" in reply.lower()


def test_a_short_message_not_understood_is_asked_about(database: Path) -> None:  # noqa: F811
    _, messages = run(ActionFallbackReply(), tracker("l3", "zzz", "nlu_fallback", events=after(None, "zzz")))
    assert [m.get("response") for m in messages] == ["utter_ask_rephrase"]


def test_the_default_line_is_never_said_twice_in_a_row(database: Path) -> None:  # noqa: F811
    """Held-out journeys 2: after a search found nothing, "Weekday dinner times" got the default line
    twice running. The top of the ladder is said once; then a listening reply."""
    _, messages = run(
        ActionFallbackReply(), tracker("l4", "weekday dinner times", "nlu_fallback", events=after(LADDER[2], "x"))
    )
    assert [m.get("response") for m in messages] != [LADDER[2]]
    assert texts(messages)


@pytest.mark.parametrize(
    "text", ["Rotherham, S65", "BS5", "Weekday dinner times", "tuesdays or thursdays after school"]
)
def test_a_place_or_a_day_with_no_search_going_is_noted_and_a_search_offered(
    database: Path,  # noqa: F811
    text: str,
) -> None:
    """Held-out journeys 2: places and days given outside the search form got "I'm not sure what to
    say to that", turn after turn."""
    events, messages = run(ActionFallbackReply(), tracker("l5", text, "nlu_fallback", events=after(None, text)))
    assert not any(m.get("response") in LADDER for m in messages)
    assert texts(messages) in LINES["details_offer"]
    assert [b["payload"] for m in messages for b in m.get("buttons") or []][0] == "/ask_local_help"
    if "day" in text.lower():
        assert slot_events(events).get("when")


def test_details_from_someone_who_only_wants_to_talk_are_noted_without_an_offer(database: Path) -> None:  # noqa: F811
    events = [
        {"event": "user", "text": "I'd just like to talk", "parse_data": {"intent": {"name": "chitchat"}}},
        {"event": "user", "text": "BS5", "parse_data": {"intent": {"name": "nlu_fallback"}}},
    ]
    _, messages = run(ActionFallbackReply(), tracker("l6", "BS5", "nlu_fallback", events=events))
    assert texts(messages) in LINES["details_noted"] and not any(m.get("buttons") for m in messages)
