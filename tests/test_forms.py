"""The suggestion form forgives: postcodes and places anywhere in a message, days and times as people
say them, and messages that are not answers (a "no", a question, a disclosure) recognised as such."""

from __future__ import annotations

import pytest
from rasa_sdk import Tracker

from actions.suggestions import not_an_answer, times_asked
from residents.extract import extract, time_fits, when_of, when_parts


@pytest.mark.parametrize(
    ("text", "postcode"),
    [
        ("I live in NE9", "NE9"),
        ("low fell. NE9", "NE9"),
        ("PR8. birkdale", "PR8"),
        ("DY1, tuesday evenings if poss", "DY1"),
        ("SE13. Weekday daytimes are easiest, I'm not working much right now.", "SE13"),
        ("fine. ts24. not that its any of your business", "TS24"),
        ("Fine. NR32, we're both on the same road.", "NR32"),
        ("GL1", "GL1"),
        ("my postcode is ne9 9zz", "NE9 9ZZ"),
        ("WR5. But like I said, I can't travel.", "WR5"),
    ],
)
def test_a_postcode_is_found_anywhere_in_a_message(text: str, postcode: str) -> None:
    assert extract(text).postcode == postcode


@pytest.mark.parametrize(
    "text",
    ["see you b4 then", "I'm 45 and lonely", "my b12 injections", "stuck on the M6 services again", "gr8 thanks"],
)
def test_words_that_only_look_like_an_outward_code_are_not_postcodes(text: str) -> None:
    assert extract(text).postcode is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Tuesdays or Thursdays", "tu,th"),
        ("weekday mornings", "mo,tu,we,th,fr|morning"),
        ("anytime really, ive got nowt on", "any"),
        ("weekends", "sa,su"),
        ("after 2", "any|after 14:00"),
        ("Any day", "any"),
        ("Monday", "mo"),
        ("DY1, tuesday evenings if poss", "tu|evening"),
        ("Weekday daytimes are easiest", "mo,tu,we,th,fr|daytime"),
        ("I am free most of the time", None),
        ("I love my garden", None),
    ],
)
def test_days_and_times_are_read_as_people_say_them(text: str, value: str | None) -> None:
    assert when_of(text) == value


def test_a_when_value_splits_into_days_and_a_time_of_day() -> None:
    assert when_parts("tu,th|morning") == (["tu", "th"], "morning")
    assert when_parts("any") == ([], None)
    assert when_parts("we") == (["we"], None)
    assert time_fits("morning", "10:00", "12:00") and not time_fits("morning", "14:00", "16:00")
    assert time_fits("after 14:00", "14:30", "16:00") and not time_fits("after 14:00", "10:00", "12:00")
    assert time_fits("evening", "18:00", "20:00") and not time_fits("evening", "10:00", "12:00")


def tracker(text: str, intent: str = "inform", entities: list | None = None, events: list | None = None) -> Tracker:
    message = {"text": text, "intent": {"name": intent}, "entities": entities or []}
    return Tracker("someone", {}, message, events or [], False, None, {"name": "suggest_form"}, "action_listen")


@pytest.mark.parametrize(
    ("text", "intent", "why"),
    [
        ("No thanks, I don't want to go anywhere. I'd just like to talk.", "chitchat", "no"),
        ("I DONT WANT SENDING TO NO DAY CENTRE", "chitchat", "no"),
        ("no", "deny", "no"),
        ("Does she have to agree to it, or can I just sign her up?", "chitchat", "converse"),
        ("my husband died three weeks ago", "chitchat", "converse"),
        (
            "We used to go to the tea dances at the town hall every Friday when my husband was alive, he loved it",
            "chitchat",
            "converse",
        ),
        ("Easton", "inform", None),
        ("low fell", "inform", None),
    ],
)
def test_what_is_not_an_answer_stops_the_form(text: str, intent: str, why: str | None) -> None:
    assert not_an_answer(tracker(text, intent), text) == why


def test_risk_seen_by_triage_is_not_an_answer() -> None:
    entities = [{"entity": "safety_level", "value": "concern"}]
    assert not_an_answer(tracker("im scared", "chitchat", entities), "im scared", strict=False) == "converse"


def test_the_times_a_question_was_asked_are_counted_in_the_session() -> None:
    asked = {"event": "bot", "text": "Whereabouts are you?", "metadata": {"utter_action": "utter_ask_location"}}
    marker = {"kindred": {"event": "asking", "slot": "location"}}
    reasked = {"event": "bot", "text": "Sorry", "data": {"custom": marker}}
    old = [asked, asked, {"event": "session_started"}]
    assert times_asked(tracker("x", events=[*old, asked]), "location") == 1
    assert times_asked(tracker("x", events=[*old, asked, reasked]), "location") == 2
    assert times_asked(tracker("x", events=[*old, asked, reasked]), "when") == 0
