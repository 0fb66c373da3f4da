"""Issue 14, points 1 and 3: listening comes first, and the check-in is offered at the right time.

The detector is tested on its own (the quoted messages, and idioms that only sound like bad news);
ActionConverse with a real SQLite database (as in tests/test_actions.py); the quoted exchanges end to
end through the gateway, Rasa and the action server (as in tests/test_journeys.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from actions import conversation
from launcher.stack import Stack
from residents.disclosure import detect, detect_all
from tests.helpers import Resident, texts
from tests.test_actions import database, run, slot_events, tracker  # noqa: F401 - the database fixture

CHEERY = re.compile(
    r"^\W*(lovely|how lovely|how nice|that sounds (nice|lovely|like a lovely)|it'?s lovely|oh,? i love)", re.I
)
CHECKIN_OFFER = "four quick questions"


# --- the detector ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("said", "kind", "named"),
    [
        ("it was cancer. she was only 61. i was with her at the end", "bereavement", "your loss"),
        ("My wife Krystyna is dead since January. We are married 48 years.", "bereavement", "your wife"),
        ("…he's stopped answering the phone to anyone but me", "caring_strain", "worried"),
        ("I'm 45, I've been on sick leave with depression and I'm struggling", "low_mood", "depression"),
        ("wife left in august. took the dog", "break_up", "your wife leaving"),
        ("split with my ex in jan", "break_up", "break-up"),
        ("got made redundant in june. 26 years.", "job_loss", "redundant"),
        ("My Wife Is On Oxygen 24 Hours. COPD.", "diagnosis", "your wife's COPD"),
        ("had to give my licence up in the spring. eyes. macular", "diagnosis", "eyesight"),
        ("my son has schizophrenia, he's 26", "diagnosis", "your son's schizophrenia"),
        ("i shouted at her tonight. i cant keep doing this", "caring_strain", "edge"),
        ("my wife doesn't know me any more", "caring_strain", "no longer knowing you"),
        ("I sit in my coat in the afternoons to save the gas.", "money", "keeping warm"),
    ],
)
def test_a_disclosure_is_found_and_named(said: str, kind: str, named: str) -> None:
    found = detect(said)
    assert found is not None and found.kind == kind and named in found.what


@pytest.mark.parametrize(
    "said",
    [
        "I nearly died laughing at Strictly",
        "this heat is killing me. flat is like an oven.",
        "I'm dying for a cuppa",
        "the cake was to die for",
        "Hello. My granddaughter put this on my tablet for me.",
        "I love my cat, she's great",
        "/greet",
    ],
)
def test_idioms_and_small_talk_are_not_disclosures(said: str) -> None:
    assert detect(said) is None


def test_several_disclosures_are_all_found_most_serious_first() -> None:
    kinds = [d.kind for d in detect_all("business went under in april. 30k in debt. wife left in august. took the dog")]
    assert kinds == ["break_up", "job_loss", "money"]


# --- ActionConverse -------------------------------------------------------------------------------


def user(text: str, intent: str = "chitchat") -> dict:
    return {"event": "user", "text": text, "parse_data": {"text": text, "intent": {"name": intent}}}


HIDDEN_GREETING = user("/greet", "greet")


def converse(sender: str, said: list[str], intent: str = "chitchat") -> tuple[list[dict], list[dict]]:
    """ActionConverse answering the last of `said`, after the page's hidden greeting and the rest."""
    events = [HIDDEN_GREETING, *(user(text, intent) for text in said)]
    return run(conversation.ActionConverse(), tracker(sender, said[-1], intent, events=events))


def test_a_death_is_acknowledged_by_name_first_and_never_with_cheer(database: Path) -> None:  # noqa: F811
    _, said = converse("l1", ["it was cancer. she was only 61. i was with her at the end"])
    assert "sorry" in said[0]["text"] and "loss" in said[0]["text"]
    assert not CHEERY.search(said[0]["text"]) and CHECKIN_OFFER not in texts(said)
    # Later small talk in the same session gets no cheer and no check-in.
    for i, later in enumerate(["my daughter came round with a cake", "I watched a film with my cat", "nice day"]):
        _, said = converse(
            "l1", ["it was cancer. she was only 61. i was with her at the end", "thanks", *(["the weather"] * i), later]
        )
        assert not CHEERY.search(said[0]["text"]), said[0]["text"]
        assert CHECKIN_OFFER not in texts(said)


def test_worry_about_someone_is_not_met_with_that_sounds_nice(database: Path) -> None:  # noqa: F811
    _, said = converse("l2", ["my son lives with me and he's stopped answering the phone to anyone but me"])
    assert "That sounds nice" not in texts(said) and "worried" in texts(said)


def test_laughing_is_not_a_loss(database: Path) -> None:  # noqa: F811
    _, said = converse("l3", ["I nearly died laughing at Strictly"])
    assert "sorry for your loss" not in texts(said).lower()


def test_a_new_name_after_a_disclosure_is_not_lovely(database: Path) -> None:  # noqa: F811
    _, said = converse("l4", ["My wife Krystyna is dead since January.", "my name is Tadeusz"])
    assert "lovely" not in texts(said).lower() and "Tadeusz" in texts(said)


def test_several_things_at_once_are_named_together(database: Path) -> None:  # noqa: F811
    _, said = converse("l5", ["business went under in april. 30k in debt. wife left in august. took the dog"])
    first = said[0]["text"]
    assert "wife leaving" in first and "business going under" in first and "pets" not in first


# --- the check-in offer (point 3) -----------------------------------------------------------------

CHAT = [
    "my cat knocked a plant over this morning",
    "we had a walk round the park after lunch",
    "the garden is looking better than last year",
]


def offered(said: list[dict]) -> bool:
    return CHECKIN_OFFER in texts(said)


def test_the_checkin_comes_only_after_real_conversation(database: Path) -> None:  # noqa: F811
    # The hidden greeting, a typed hello and a button are not conversation.
    events = [HIDDEN_GREETING, user("hello", "greet"), user("/chitchat"), user(CHAT[0])]
    _, said = run(conversation.ActionConverse(), tracker("c1", CHAT[0], "chitchat", events=events))
    assert not offered(said)
    _, said = converse("c1", CHAT[:2])
    assert not offered(said)
    events, said = converse("c1", CHAT)
    assert offered(said) and slot_events(events)["offer"] == "checkin"


def test_the_checkin_is_never_offered_to_under_18s(database: Path) -> None:  # noqa: F811
    _, said = converse("c2", ["im 15 and i dont really have anyone to hang out with", *CHAT])
    assert not offered(said)
    _, said = converse("c3", ["i'm in year 10 at school", *CHAT])
    assert not offered(said)


def test_the_checkin_is_never_offered_after_a_disclosure(database: Path) -> None:  # noqa: F811
    _, said = converse("c4", ["my wife has dementia and she no longer knows who i am", *CHAT])
    assert not offered(said)
    _, said = converse("c5", ["split with my ex in jan and its been rough", *CHAT])
    assert not offered(said)


def test_the_checkin_is_not_offered_to_someone_busy_finding_something_or_after_a_loss_in_passing(
    database: Path,  # noqa: F811
) -> None:
    """Held-out journeys 2: a man asking whether a lunch club minds if he's a bit deaf, and a widower
    who mentioned "my late wife" in a joke, were both offered the four questions."""
    looking = [user("Do they still have lunch clubs?", "ask_local_help")] + [user(t) for t in CHAT]
    _, said = run(conversation.ActionConverse(), tracker("c8", CHAT[-1], "chitchat", events=looking))
    assert not offered(said)
    _, said = converse("c9", ["All my pals are dead or in Eastbourne, my late wife used to say it", *CHAT])
    assert not offered(said)
    _, said = converse("c10", [*CHAT, "do they mind if you're a bit deaf?"])
    assert not offered(said)


def test_the_checkin_is_not_offered_again_after_a_no(database: Path) -> None:  # noqa: F811
    _, said = converse("c6", CHAT)
    assert offered(said)
    offer = {"event": "bot", "text": said[-1]["text"]}
    events = [HIDDEN_GREETING, *(user(t) for t in CHAT), offer, user("/deny", "deny"), *(user(t) for t in CHAT)]
    _, said = run(conversation.ActionConverse(), tracker("c7", CHAT[-1], "chitchat", events=events))
    assert not offered(said)  # the same session: not again (and c7 has never been offered before)


# --- end to end: the quoted exchanges --------------------------------------------------------------


@pytest.mark.stack
async def test_the_quoted_death_gets_an_acknowledgement_not_lovely(resident: Resident) -> None:
    await resident.start(greet=True)
    said = await resident.say("my mum died last month")
    replies = await resident.say("it was cancer. she was only 61. i was with her at the end")
    assert "Lovely" not in texts(replies)
    assert any(w in texts(said) + texts(replies) for w in ("sorry", "loss"))
    assert CHECKIN_OFFER not in texts(said) + texts(replies)


@pytest.mark.stack
async def test_the_quoted_laugh_is_not_met_with_condolences(resident: Resident) -> None:
    await resident.start(greet=True)
    replies = await resident.say("I nearly died laughing at Strictly")
    assert "sorry for your loss" not in texts(replies).lower()


@pytest.mark.stack
async def test_no_checkin_on_the_first_real_message_after_the_hidden_greeting(resident: Resident) -> None:
    await resident.start(greet=True)
    heard = [await resident.say("hello")]
    heard.append(await resident.say("my cat knocked a plant over this morning"))
    assert not any(offered(r) for r in heard)


@pytest.mark.stack
async def test_no_checkin_for_a_fifteen_year_old_or_a_man_whose_wife_no_longer_knows_him(
    resident: Resident,
    stack: Stack,
) -> None:
    await resident.start(greet=True)
    heard = [await resident.say("im 15")]
    heard += [await resident.say(text) for text in CHAT]
    assert not any(offered(r) for r in heard)
    husband = Resident(resident.http, stack.settings.gateway_url)
    await husband.start(greet=True)
    heard = [await husband.say("my wife has dementia. she doesn't know who i am any more")]
    heard += [await husband.say(text) for text in CHAT]
    assert not any(offered(r) for r in heard)


def test_isolation_is_a_disclosure_and_stops_the_checkin(database: Path) -> None:  # noqa: F811
    said = "bit embarrassing but i havent actually spoken to anyone properly in like 2 weeks"
    assert detect(said).kind == "isolation"
    _, replies = converse("c8", [said, *CHAT])
    assert not offered(replies)


def test_asking_for_a_person_stops_the_checkin(database: Path) -> None:  # noqa: F811
    events = [HIDDEN_GREETING, user("can i talk to an actual human", "request_human"), *(user(t) for t in CHAT)]
    _, said = run(conversation.ActionConverse(), tracker("c9", CHAT[-1], "chitchat", events=events))
    assert not offered(said)


@pytest.mark.parametrize(
    ("said", "named"),
    [
        ("finished work in july after 31 yrs and i dont know what to do with meself", "empty"),
        ("But I feel a rotter saying this. I miss my golf.", "guilt"),
        ("my partner doesnt really like me going out without him tbh. he gets funny about it", "partner"),
    ],
)
def test_quieter_disclosures_are_heard(said: str, named: str) -> None:
    found = detect(said)
    assert found is not None and named in found.what


def test_a_loss_named_by_a_first_name_is_heard_even_among_laughter() -> None:
    said = "I nearly died laughing! First time I've laughed like that since Bernard passed."
    found = detect(said)
    assert found is not None and found.kind == "bereavement" and "Bernard" in found.what
