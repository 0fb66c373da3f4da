"""What Kindred picks up about a person, how check-ins score, and how life stage shapes suggestions."""

from __future__ import annotations

import pytest

from residents import checkin, lifecourse
from residents.extract import extract


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my name is jean and I live in Easton", {"name": "Jean", "place": "Easton"}),
        ("I look after my husband who has dementia", {"cared_for": "husband", "circumstances": ["carer"]}),
        ("I'm 15 and I care for my mum", {"age": 15, "young": True, "cared_for": "mum"}),
        ("is there a choir near BS5 6XY on Wednesday?", {"postcode": "BS5 6XY", "day": "we", "interests": ["singing"]}),
        ("I stopped driving last year", {"circumstances": ["stopped_driving"]}),
        ("since my wife died I have nobody", {"circumstances": ["bereaved"]}),
        ("I've just had a baby and feel so alone", {"circumstances": ["new_baby"], "feeling": "lonely"}),
        ("I need a break from caring for my dad", {"service_kind": "respite", "cared_for": "dad"}),
        ("any day is fine", {"any_day": True}),
        ("I speak Polish", {"language": "Polish"}),
        ("in BS16 please", {"postcode": "BS16"}),
        ("Hello, I'm Margaret", {"name": "Margaret"}),
    ],
)
def test_facts_are_picked_up(text: str, expected: dict) -> None:
    found = extract(text).as_dict()
    for key, value in expected.items():
        assert found.get(key) == value, (text, found)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("I'm not a carer", "circumstances"),
        ("I don't live alone", "circumstances"),
        ("I'm tired", "name"),
        ("it's raining again", "name"),
        ("call me later", "name"),
        ("I'm 5 minutes away", "age"),
        ("I'm not lonely, just bored", "feeling_lonely"),
        ("", "anything"),
    ],
)
def test_negations_and_idioms_are_not_facts(text: str, absent: str) -> None:
    found = extract(text).as_dict()
    if absent == "feeling_lonely":
        assert found.get("feeling") == "bored"
    elif absent == "anything":
        assert found == {}
    else:
        assert absent not in found, (text, found)


def test_checkin_answers_score_the_ons_and_ucla_ways() -> None:
    assert [checkin.score_ons(label) for label, _ in checkin.ONS_OPTIONS] == [5, 4, 3, 2, 1]
    assert [checkin.score_ucla(label) for label, _ in checkin.UCLA_OPTIONS] == [1, 2, 3]
    assert checkin.score_ons("hardly ever, to be honest") == 2
    assert checkin.score_ucla("some of the time") == 2
    assert checkin.score_ucla("banana") is None
    assert checkin.score_ons("") is None


def test_the_trend_is_said_in_plain_words() -> None:
    assert checkin.trend(None, 6, None) is None
    assert checkin.trend(7, 6, 30) == "That's a bit better than last month."
    assert checkin.trend(5, 5, 7) == "That's about the same as last week."
    assert "harder" in checkin.trend(4, 8, 14)
    assert "quite a bit better" in checkin.trend(9, 4, 60)


@pytest.mark.parametrize(
    ("kind", "profile", "first", "also"),
    [
        (None, {"circumstances": ["new_baby"]}, "parents", ("befriending", "perinatal")),
        (None, {"circumstances": ["bereaved"]}, "bereavement", None),
        ("activities", {"age": 15}, "young_people", None),
        ("carers", {"age": 14, "circumstances": ["carer"]}, "young_carers", None),
        ("activities", {"age": 15, "circumstances": ["carer"]}, "young_carers", None),
        ("respite", {"circumstances": ["carer"]}, "respite", ("carers", "")),
        ("activities", {"interests": ["singing"]}, "activities", None),
        ("transport", {"circumstances": ["stopped_driving"]}, "transport", None),
    ],
)
def test_life_stage_shapes_the_searches(kind: str | None, profile: dict, first: str, also: tuple | None) -> None:
    plan = lifecourse.plan(kind, profile)
    assert plan.searches[0].category == first
    if also:
        assert any((s.category, s.words) == also for s in plan.searches)


def test_carers_hear_about_the_carers_assessment_and_drivers_about_transport() -> None:
    assert lifecourse.CARERS_ASSESSMENT in lifecourse.plan("carers", {"circumstances": ["carer"]}).notes
    notes = lifecourse.plan("activities", {"circumstances": ["stopped_driving"]}).notes
    assert any("How would I get there" in n for n in notes)
    singing = lifecourse.plan("activities", {"interests": ["singing"]})
    assert singing.searches[0].words == "choir" and singing.needs_day and not singing.needs_interest
