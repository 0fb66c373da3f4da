"""Suggestion cards (issue 14, point 5): how to take part is on every card, and a card's buttons
mean that card, even after "Show me more" (the reminder once went to a card shown earlier)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from actions import db, suggestions
from actions.suggestions import _pick
from bot.validation import clean_payload
from database import upgrade
from directory import demo
from directory import models as m
from directory.joining import ASK_US, how_to_join
from directory.oruk import import_services
from residents import store
from tests.test_actions import database, run, slot_events, texts, tracker  # noqa: F401 - the fixture is used by name


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('cards') / 'directory.db'}")
    upgrade(engine)
    with Session(engine) as session:
        demo.ensure_loaded(session)
    yield engine
    engine.dispose()


def test_demo_cards_carry_an_address_and_most_a_phone_or_website(engine: Engine) -> None:
    with Session(engine) as session:
        ids = session.scalars(select(m.Service.id)).all()
        lines = [how_to_join(session, i) for i in ids]
    assert all("Bristol" in line for line in lines)  # every demo service has an address
    with_phone = [line for line in lines if "Phone 0117 496 0" in line]
    assert 0.5 < len(with_phone) / len(lines) < 0.9  # most, not all: as in real feeds
    assert any("https://example.org/demo/" in line for line in lines)


def test_a_service_with_no_details_says_ask_us(engine: Engine, tmp_path: Path) -> None:
    bare = {"id": "bare-1", "name": "Bare Service", "description": "No details at all.", "status": "active"}
    with Session(engine) as session:
        import_services(session, [bare])
        session.commit()
        assert how_to_join(session, "bare-1") == ASK_US
        assert how_to_join(session, "no-such-service") == ASK_US


def shown_tracker(text: str, pick: str | None, shown: list[str], shown_from: float) -> object:
    entities = [{"entity": "pick", "value": pick}] if pick else []
    return tracker("c1", text, "remind_me", slots={"shown": shown, "shown_from": shown_from}, entities=entities)


SHOWN = ["lunch-1", "lunch-2", "lunch-3", "day-1", "day-2", "day-3"]


def test_a_button_means_its_own_card_after_show_me_more() -> None:
    # the second card of the second page carries number 5
    assert SHOWN[_pick(shown_tracker("/remind_me", "5", SHOWN, 3.0), SHOWN)] == "day-2"
    # a card scrolled back to on the first page still means itself
    assert SHOWN[_pick(shown_tracker("/remind_me", "2", SHOWN, 3.0), SHOWN)] == "lunch-2"


def test_typed_words_mean_the_cards_on_screen() -> None:
    assert SHOWN[_pick(shown_tracker("remind me about the second one", None, SHOWN, 3.0), SHOWN)] == "day-2"
    assert SHOWN[_pick(shown_tracker("remind me", None, SHOWN, 3.0), SHOWN)] == "day-1"
    assert SHOWN[_pick(shown_tracker("the third", None, SHOWN[:3], 0.0), SHOWN[:3])] == "lunch-3"


def test_card_numbers_beyond_nine_are_accepted_and_nothing_else_is() -> None:
    assert clean_payload('/remind_me{"pick":"12"}') == '/remind_me{"pick":"12"}'
    assert clean_payload('/remind_me{"pick":"0"}') is None
    assert clean_payload('/remind_me{"pick":"123"}') is None
    assert clean_payload('/remind_me{"pick":"1","x":"y"}') is None


# --- soft and hard preferences, and relaxing one filter (uses the actions' own database) ----------


def preferences_after(answer: str, sender: str) -> dict:
    form = suggestions.ValidateSuggestForm()
    assert form.validate_access_cost(answer, CollectingDispatcher(), tracker(sender), {}) == {"access_cost": "known"}
    with db.session() as s:
        return dict(store.profile(s, sender).preferences)


@pytest.mark.parametrize(
    ("answer", "hard"),
    [
        ("free would be good", False),
        ("free if possible", False),
        ("cheap ideally", False),
        ("it has to be free", True),
        ("I can't afford anything", True),
        ("only free ones please", True),
    ],
)
def test_a_wish_for_free_ranks_and_a_condition_filters(database: Path, answer: str, hard: bool) -> None:  # noqa: F811
    prefs = preferences_after(answer, f"free-{answer}")
    assert prefs["free_only"] is hard and prefs["free_first"] is (not hard)


def cards(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m.get("buttons") and m["buttons"][0]["title"] == "Remind me"]


def test_free_would_be_good_puts_free_first_without_hiding_the_rest(database: Path) -> None:  # noqa: F811
    with db.session() as s:
        for sender in ("soft", "hard"):
            store.set_place(s, sender, "BS5", store.resolve_place(s, "BS5")[1])
        store.profile(s, "soft").preferences = {"free_only": False, "free_first": True, "step_free": False}
        store.profile(s, "hard").preferences = {"free_only": True, "free_first": False, "step_free": False}
    slots = {"service_kind": "activities", "when": "any", "interest": "any"}
    soft_events, soft = run(suggestions.ActionSuggestServices(), tracker("soft", slots=slots))
    hard_events, hard = run(suggestions.ActionSuggestServices(), tracker("hard", slots=slots))
    assert cards(soft) and cards(hard)
    soft_ids = slot_events(soft_events)["shown"]
    with db.session() as s:
        free = {i: s.scalar(select(m.SearchDocument.free).where(m.SearchDocument.service_id == i)) for i in soft_ids}
    flags = [bool(free[i]) for i in soft_ids]
    assert flags == sorted(flags, reverse=True)  # every free one before any that costs


def test_nothing_on_the_day_asked_relaxes_the_day_and_says_so(database: Path) -> None:  # noqa: F811
    with db.session() as s:
        store.set_place(s, "relax", "BS5", store.resolve_place(s, "BS5")[1])
    # the demo's young carers' clubs meet on Tuesdays only: nothing on a Sunday
    events, messages = run(
        suggestions.ActionSuggestServices(),
        tracker("relax", slots={"service_kind": "young_carers", "when": "su"}),
    )
    assert cards(messages), texts(messages)
    assert "couldn't find anything on Sunday" in texts(messages) and "other days" in texts(messages)
    assert slot_events(events)["when"] is None  # "Show me more" goes on without the day


def test_not_for_me_with_nothing_shown_is_listened_to_not_searched(database: Path) -> None:  # noqa: F811
    """ "my wife left in january and then i got made redundant in february" once got "Thanks for
    telling me. Let me look again." (issue 14): nothing was shown, so there is nothing to refine."""
    text = "my wife left in january and then i got made redundant in february"
    form = suggestions.ValidateRefineForm()
    dispatcher = CollectingDispatcher()
    assert asyncio.run(form.required_slots([], dispatcher, tracker("r1", text, "not_for_me"), {})) == []
    shown = {"shown": ["a", "b"]}
    told = form.validate_refine_reason(text, dispatcher, tracker("r1", text, "not_for_me", slots=shown), {})
    assert told == {"refine_reason": suggestions.LISTEN}
    _, messages = run(suggestions.ActionRefineServices(), tracker("r1", text, "not_for_me"))
    assert "Let me look again" not in texts(messages) and texts(messages)
    _, messages = run(
        suggestions.ActionRefineServices(),
        tracker("r2", text, "not_for_me", slots={**shown, "refine_reason": suggestions.LISTEN}),
    )
    assert "Let me look again" not in texts(messages) and texts(messages)
