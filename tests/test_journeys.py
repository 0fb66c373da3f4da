"""Whole conversations in the web chat, over real HTTP through the gateway, Rasa and the action
server: an older resident, a carer and a young person each end with a fitting local suggestion and a
follow-up; the check-in; the profile across sessions; forgetting."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from launcher.stack import Stack
from residents.models import CheckIn, FollowUp, Profile, ServiceFlag, Suggestion
from tests.helpers import Resident, texts
from tests.test_e2e import conversation_id

pytestmark = pytest.mark.stack


def rows(stack: Stack, model, **where):  # noqa: ANN001, ANN201 - any table
    engine = create_engine(stack.settings.app_database_url)
    with Session(engine) as session:
        found = list(session.scalars(select(model).filter_by(**where)))
    engine.dispose()
    return found


async def rasa_api(resident: Resident, stack: Stack, path: str, body: dict) -> dict:
    """Call Rasa's HTTP API as the scheduler or a deployment would, replies going to the gateway."""
    url = f"{stack.settings.rasa_urls[0]}{path}"
    params = {"token": stack.settings.rasa_token, "output_channel": "callback"}
    async with resident.http.post(url, params=params, json=body) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def wait_for(resident: Resident, words: str, timeout: float = 30) -> dict:
    """A proactive message containing `words`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [m for m in await resident.history() if words in m["text"]]
        if found:
            return found[-1]
        await asyncio.sleep(0.3)
    raise AssertionError(f"no message with {words!r}")


def result_cards(replies: list[dict]) -> list[dict]:
    return [m for m in replies if m.get("buttons") and m["buttons"][0]["title"] == "Remind me"]


async def follow_up(resident: Resident, stack: Stack, cid: str, went: bool, notes: str) -> list[dict]:
    """The follow-up fires (as Rasa's scheduler would) and the resident answers it."""
    followup = rows(stack, FollowUp, sender_id=cid)[-1]
    await rasa_api(
        resident,
        stack,
        f"/conversations/{cid}/trigger_intent",
        {"name": "EXTERNAL_followup", "entities": {"followup_id": str(followup.id)}},
    )
    asked = await wait_for(resident, f"Did you get to {followup.service_name}?")
    assert asked["reply_to"] is None  # proactive
    second = await resident.press("/affirm" if went else "/deny", "Yes, I went" if went else "No, I didn't")
    assert ("How was it?" if went else "What got in the way?") in texts(second)
    return await resident.say(notes)


async def test_an_older_resident_is_listened_to_then_finds_a_group_and_is_followed_up(
    resident: Resident, stack: Stack
) -> None:
    await resident.say("hello")
    first = await resident.say("I've felt so lonely since my wife died")
    assert "Find something nearby" not in str(first)  # listens first, doesn't suggest
    third = await resident.say("my name is Arthur and I live in Easton")
    second = await resident.say("I get lonely in the evenings")
    # a gentle offer, after listening: on either of the next two turns (how lonely the introduction
    # sounds to the meaning layer decides which), and only once
    offers = [m["buttons"] for m in third + second if m.get("buttons")]
    assert len(offers) == 1 and offers[0][0]["payload"] == "/ask_local_help"
    asked = await resident.press("/ask_local_help", "Find something nearby")
    assert "Which day" in texts(asked)  # the area is known already: not asked again
    asked = await resident.press("Any day", "Any day")
    assert "keep in mind" in texts(asked)
    found = await resident.press("No, either is fine", "No, either is fine")
    cards = result_cards(found)
    assert 1 <= len(cards) <= 3
    assert "Bereavement" in cards[0]["text"]  # a bereaved person hears about bereavement support first
    assert all("miles away" in c["text"] for c in cards)
    reminded = await resident.press(cards[0]["buttons"][0]["payload"], "Remind me")
    assert "I'll remind you about" in texts(reminded) or "doesn't list a time" in texts(reminded)
    cid = await conversation_id(resident, stack)
    thanks = await follow_up(resident, stack, cid, went=True, notes="It was lovely, everyone was so kind")
    assert "glad you went" in texts(thanks)
    done = rows(stack, FollowUp, sender_id=cid)[-1]
    assert done.status == "done" and done.went is True
    assert rows(stack, Suggestion, id=done.suggestion_id)[0].status == "went"
    profile = rows(stack, Profile, sender_id=cid)[0]
    assert profile.name == "Arthur" and "bereaved" in profile.circumstances and profile.place == "Easton"


async def test_a_carer_is_asked_how_they_are_gets_respite_and_a_refined_search(
    resident: Resident, stack: Stack
) -> None:
    heard = await resident.say("I look after my husband, he has dementia")
    assert "husband" in texts(heard) and "?" in texts(heard)
    asked = await resident.say("I need a break from caring")
    assert "postcode" in texts(asked)
    asked = await resident.say("BS7")
    assert "keep in mind" in texts(asked)  # respite doesn't happen on one day: no day question
    found = await resident.press("No, either is fine", "No, either is fine")
    assert "carer's assessment" in texts(found)
    cards = result_cards(found)
    assert cards and any("Sitting Service" in c["text"] or "Carers" in c["text"] for c in cards)
    why = await resident.press("/not_for_me", "Not for me")
    assert "What didn't feel right?" in texts(why)
    refined = await resident.press("Too far away", "Too far away")
    again = result_cards(refined)
    assert not {c["text"] for c in again} & {c["text"] for c in cards}
    if again:
        assert all(float(re.search(r"([0-9.]+) miles away", c["text"]).group(1)) <= 1.5 for c in again)
    else:
        assert "couldn't find" in texts(refined)
    last = again or cards
    reminded = await resident.press(last[0]["buttons"][0]["payload"], "Remind me")
    assert "Afterwards I'll ask how it went" in texts(reminded)
    cid = await conversation_id(resident, stack)
    answer = await follow_up(resident, stack, cid, went=False, notes="The details were wrong")
    assert "told the people who look after the directory" in texts(answer)
    assert rows(stack, ServiceFlag, sender_id=cid)[0].reason == "wrong_details"


async def test_a_young_carer_is_offered_young_carers_services(resident: Resident, stack: Stack) -> None:
    heard = await resident.say("I'm 15 and I help look after my mum")
    assert "mum" in texts(heard) or "a lot to take on" in texts(heard)
    asked = await resident.say("is there anything for teenagers round here")
    assert "postcode" in texts(asked)
    asked = await resident.say("BS5 6XY")
    assert "Which day" in texts(asked)
    asked = await resident.say("any day")
    found = await resident.press("No, either is fine", "No, either is fine")
    cards = result_cards(found)
    assert cards and "Young Carers" in cards[0]["text"]
    assert not any("Lunch Club" in c["text"] or "Over 60s" in c["text"] for c in cards)
    transport = await resident.press(cards[0]["buttons"][1]["payload"], "How would I get there?")
    assert "get there" in texts(transport)
    reminded = await resident.press(cards[0]["buttons"][0]["payload"], "Remind me")
    assert "Afterwards I'll ask how it went" in texts(reminded)
    cid = await conversation_id(resident, stack)
    assert rows(stack, FollowUp, sender_id=cid)


async def test_the_checkin_is_asked_with_consent_and_stored_with_a_trend(resident: Resident, stack: Stack) -> None:
    intro = await resident.say("can I do the loneliness check-in")
    assert "How often do you feel lonely?" in texts(intro)
    assert [b["title"] for b in intro[-1]["buttons"]][0] == "Often or always"
    await resident.press("Some of the time", "Some of the time")
    digression = await resident.say("who can see what I write?")
    assert "support team" in texts(digression) and "lack companionship" in texts(digression)  # answered, resumed
    await resident.press("Often", "Often")
    await resident.press("Some of the time", "Some of the time")
    result = await resident.press("Often", "Often")
    assert "Thank you for answering" in texts(result)
    cid = await conversation_id(resident, stack)
    [stored] = rows(stack, CheckIn, sender_id=cid)
    assert (stored.ons, stored.ucla_total) == (4, 8)


async def test_a_risk_in_the_middle_of_a_form_is_answered_at_once(resident: Resident) -> None:
    asked = await resident.say("can you find me a lunch club")
    assert "postcode" in texts(asked)
    urgent = await resident.say("I want to end my life")
    assert "116 123" in texts(urgent) and "postcode" not in texts(urgent)
    after = await resident.say("BS5")
    assert "what I found near" not in texts(after)  # the form was stopped, not resumed


async def test_the_profile_outlives_a_session_and_forget_me_deletes_it(resident: Resident, stack: Stack) -> None:
    await resident.say("my name is Margaret and I live in Bedminster")
    await resident.say("I love singing")
    cid = await conversation_id(resident, stack)
    # A new Rasa session (as after an hour's quiet): the profile is still there.
    await rasa_api(resident, stack, f"/conversations/{cid}/execute", {"name": "action_session_start"})
    known = texts(await resident.say("what do you know about me?"))
    assert "Margaret" in known and "Bedminster" in known and "singing" in known
    await resident.say("forget me")
    await resident.send(payload="/affirm", title="Yes, delete it all")  # the conversation goes too
    deadline = time.monotonic() + 10
    while rows(stack, Profile, sender_id=cid) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    assert not rows(stack, Profile, sender_id=cid)
    engine = create_engine(stack.settings.app_database_url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Suggestion).where(Suggestion.sender_id == cid)) == 0
    engine.dispose()
