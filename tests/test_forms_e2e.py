"""The suggestion form in the web chat, through the gateway, Rasa and the action server: answers are
taken as people give them, a wrong answer is asked about once in one message, and a "no", a
question or a disclosure stops the search instead of being taken for a place."""

from __future__ import annotations

import pytest

from tests.helpers import Resident, texts

pytestmark = pytest.mark.stack

WHERE = "Whereabouts are you?"


def questions(replies: list[dict]) -> list[str]:
    return [m["text"] for m in replies if m["text"].rstrip().endswith(("?", "."))]


async def test_a_postcode_with_a_place_is_taken_without_asking_again(resident: Resident) -> None:
    await resident.say("hello")
    asked = await resident.press("/ask_local_help", "Find something nearby")
    assert WHERE in texts(asked)
    answered = await resident.say("low fell. NE9")
    assert "couldn't find that place" not in texts(answered)
    assert WHERE not in texts(answered)


async def test_a_wrong_answer_is_asked_about_again_in_one_message(resident: Resident) -> None:
    await resident.say("hello")
    await resident.press("/ask_local_help", "Find something nearby")
    again = await resident.say("Narnia")
    assert len(again) == 1 and "couldn't find that place" in again[0]["text"]  # one bubble, not two
    assert WHERE not in texts(again)
    assert [b["title"] for b in again[0].get("buttons") or []] == ["Use my location"]


async def test_i_dont_want_to_go_anywhere_stops_the_search(resident: Resident) -> None:
    await resident.say("hello")
    await resident.press("/ask_local_help", "Find something nearby")
    stopped = await resident.say("No thanks, I don't want to go anywhere. I'd just like to talk.")
    assert WHERE not in texts(stopped) and "couldn't find that place" not in texts(stopped)
    assert not any(b["title"] == "Remind me" for m in stopped for b in m.get("buttons") or [])
    after = await resident.say("We used to go dancing every Friday, my husband and me, before he died.")
    assert WHERE not in texts(after) and "couldn't find that place" not in texts(after)


async def test_a_disclosure_in_the_middle_of_the_form_is_listened_to(resident: Resident) -> None:
    await resident.say("hello")
    await resident.press("/ask_local_help", "Find something nearby")
    heard = await resident.say("I'm 45, I've been on sick leave with depression and I haven't left the flat in weeks")
    assert "couldn't find that place" not in texts(heard) and WHERE not in texts(heard)
    assert heard  # answered, not ignored


async def test_a_postcode_given_earlier_is_used_and_days_are_taken_as_said(resident: Resident) -> None:
    await resident.say("hello")
    await resident.say("I'm in DY1 9ZZ, it's very quiet round here")  # an unknown full postcode: DY1 is used
    asked = await resident.say("Is there a lunch club near me I could go to?")
    assert WHERE not in texts(asked)
    if "Which day" in texts(asked):
        answered = await resident.say("Tuesdays or Thursdays")
        assert "Which day" not in texts(answered) and "didn't catch" not in texts(answered)
