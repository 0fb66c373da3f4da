"""Answers to what people ask about support (issue 14, point 4): what respite, a carer's assessment
and befriending are, what things cost, how to get there, bereavement help that is not a group, who
Kindred is for. A short accurate answer with the national number that fits, then an offer to look."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions.answers import ActionAnswerQuestion
from actions.fallback import ActionFallbackReply
from residents.questions import is_question, topic_of
from safety.replies import load_config
from tests.helpers import Resident
from tests.test_actions import database, run, texts, tracker  # noqa: F401 - the fixture is used by name

CONTACTS = load_config().contacts


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("The nurse mentioned respite. What does that actually mean?", "respite"),
        ("wot is respite", "respite"),
        ("what's a carer's assessment and how do I get one", "carers_assessment"),
        ("wats a carers assesment", "carers_assessment"),
        ("what does a befriending service actually do", "befriending"),
        ("how much does befriending cost", "cost"),
        ("do i have to pay", "cost"),
        ("Is there a charge for these services?", "cost"),
        ("are these things free or do you have to pay", "cost"),
        ("is there any kind of support for people who've lost someone? not a group though", "bereavement"),
        ("can I talk to someone about grief on the phone?", "bereavement"),
        ("how do people get to these groups if they don't drive?", "transport"),
        ("how does dial a ride work", "transport"),
        ("is a day centre the same as a care home?", "day_centre"),
        ("what do young carers groups do", "young_carers"),
        ("is this like for young ppl as well or just old ppl", "who_for"),
        # held-out journeys 2, after it was measured
        ("it is free? we dont have much money", "cost"),
        ("Do you pay them? And would they wait for me while I play?", "cost"),
        ("hello is this for kids", "who_for"),
    ],
)
def test_the_topic_of_a_question_is_found_as_people_word_it(text: str, topic: str) -> None:
    assert topic_of(text) == topic


@pytest.mark.parametrize(
    "text", ["I'm free on Tuesday", "my wife can't do steps", "hello", "I had a lovely lunch", "thanks"]
)
def test_ordinary_sentences_have_no_question_topic(text: str) -> None:
    assert topic_of(text) is None


def test_questions_are_told_from_statements() -> None:
    assert is_question("do i have to pay")
    assert is_question("respite, what is that exactly?")
    assert not is_question("I pay for my own shopping")


def answer(text: str, sender: str, intent: str = "ask_about_support", **kwargs: object) -> list[dict]:
    _, messages = run(ActionAnswerQuestion(), tracker(sender, text, intent, **kwargs))
    return messages


def test_respite_is_explained_with_carers_uk_and_an_offer_to_look(database: Path) -> None:  # noqa: F811
    messages = answer("The nurse mentioned respite. What does that actually mean? I won't put her in a home.", "q1")
    said = texts(messages)
    assert "break" in said and "doesn't mean a move into a home" in said
    assert CONTACTS["carers_uk"] in said
    payloads = [b["payload"] for m in messages for b in m.get("buttons") or []]
    assert '/ask_local_help{"service_kind":"respite"}' in payloads


def test_a_carers_assessment_is_explained(database: Path) -> None:  # noqa: F811
    said = texts(answer("what's a carer's assessment and how do I get one", "q2"))
    assert "council" in said and "whatever their income" in said
    assert CONTACTS["carers_uk"] in said


def test_befriending_and_its_cost(database: Path) -> None:  # noqa: F811
    assert "volunteer" in texts(answer("what is befriending", "q3"))
    assert CONTACTS["age_uk"] in texts(answer("what is befriending", "q3"))
    assert "free" in texts(answer("do i have to pay", "q4"))


def test_bereavement_support_that_is_not_a_group_names_cruse(database: Path) -> None:  # noqa: F811
    said = texts(answer("is there any kind of support for people who've lost someone? not a group though", "q5"))
    assert CONTACTS["cruse"] in said
    assert "one-to-one" in said


def test_a_disclosure_in_the_question_is_acknowledged_first(database: Path) -> None:  # noqa: F811
    messages = answer("my husband died in march. is there bereavement help that isn't a group?", "q6")
    assert len(messages) >= 2
    assert "sorry" in messages[0]["text"].lower()
    assert CONTACTS["cruse"] in texts(messages[1:])


def test_no_offer_to_look_for_someone_who_only_wants_to_talk(database: Path) -> None:  # noqa: F811
    text = "what is befriending"
    events = [
        {"event": "user", "text": "I'd just like to talk", "parse_data": {"intent": {"name": "chitchat"}}},
        {"event": "user", "text": text, "parse_data": {"intent": {"name": "ask_about_support"}}},
    ]
    messages = answer(text, "q7", events=events)
    assert not any(m.get("buttons") for m in messages)


def test_a_question_the_nlu_did_not_place_is_still_answered(database: Path) -> None:  # noqa: F811
    _, messages = run(ActionFallbackReply(), tracker("q8", "do i have to pay", "nlu_fallback"))
    assert "free" in texts(messages)


# --- end to end: the quoted exchanges --------------------------------------------------------------


@pytest.mark.stack
async def test_the_quoted_bereavement_question_is_offered_cruse(resident: Resident) -> None:
    await resident.start(greet=True)
    replies = await resident.say("is there any kind of support for people who've lost someone? not a group though")
    said = "\n".join(r.get("text") or "" for r in replies)
    assert CONTACTS["cruse"] in said
    assert "not sure I understood" not in said


@pytest.mark.stack
async def test_what_respite_means_is_answered_in_the_middle_of_a_search(resident: Resident) -> None:
    await resident.start(greet=True)
    await resident.say("can you find something for me nearby")
    replies = await resident.say("The nurse mentioned respite. What does that actually mean?")
    said = "\n".join(r.get("text") or "" for r in replies)
    assert CONTACTS["carers_uk"] in said
    assert "Sorry, I couldn't find that place" not in said
