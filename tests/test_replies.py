"""Safety replies from safety.yml: the right numbers for each type, office hours, young people."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from safety.replies import compose, load_config, staff_timing

ROOT = Path(__file__).resolve().parent.parent
UTC = dt.timezone.utc
WEDNESDAY_NOON = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
FRIDAY_NIGHT = dt.datetime(2026, 11, 27, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("level", "types", "first", "also"),
    [
        ("urgent", ["medical_emergency"], "999", []),
        ("urgent", ["suicide"], "116 123", ["85258", "NHS 111, option 2"]),
        ("urgent", ["self_harm"], "116 123", ["85258"]),
        ("urgent", ["abuse"], "999", ["0808 2000 247"]),
        ("concern", ["abuse"], "0808 2000 247", []),
        ("concern", ["carer_strain"], "0808 808 7777", ["respite"]),
        ("concern", ["cold_home"], "0800 678 1602", []),
        ("concern", ["self_neglect"], "0800 678 1602", []),
    ],
)
def test_numbers_fit_the_type(level: str, types: list[str], first: str, also: list[str]) -> None:
    text = compose(level, types, now=WEDNESDAY_NOON).text
    assert first in text
    numbers = [n for n in ("999", "116 123", "0808 2000 247", "0808 808 7777", "0800 678 1602") if n in text]
    assert numbers[0] == first
    for extra in also:
        assert extra in text


def test_older_person_abuse_gets_hourglass_first() -> None:
    text = compose("concern", ["abuse"], older_person_abuse=True, now=WEDNESDAY_NOON).text
    assert text.index("0808 808 8141") < text.index("0808 2000 247")


def test_papyrus_only_where_age_is_known_under_35() -> None:
    assert "0800 068 4141" in compose("urgent", ["suicide"], age=28, now=WEDNESDAY_NOON).text
    assert "0800 068 4141" not in compose("urgent", ["suicide"], age=50, now=WEDNESDAY_NOON).text
    assert "0800 068 4141" not in compose("urgent", ["suicide"], now=WEDNESDAY_NOON).text
    assert "0800 1111" in compose("urgent", ["self_harm"], age=14, now=WEDNESDAY_NOON).text


def test_office_hours_and_out_of_hours() -> None:
    config = load_config()
    assert staff_timing(config, WEDNESDAY_NOON) == (True, "today before 5pm")
    assert staff_timing(config, FRIDAY_NIGHT) == (False, "on Monday from 9am")
    assert staff_timing(config, dt.datetime(2026, 11, 25, 7, 0, tzinfo=UTC)) == (False, "today from 9am")
    night = compose("concern", ["cold_home"], now=FRIDAY_NIGHT).text
    assert "office is closed" in night and "Monday from 9am" in night and "116 123" in night
    day = compose("concern", ["cold_home"], now=WEDNESDAY_NOON).text
    assert "today before 5pm" in day and "116 123" not in day


def test_the_safe_question_matches_the_domain() -> None:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text())
    response = domain["responses"]["utter_ask_safe"][0]
    ask = load_config().wording["ask_safe"]
    assert response["text"] == ask["text"]
    assert [(b["title"], b["payload"]) for b in response["buttons"]] == [
        (b["title"], b["payload"]) for b in ask["buttons"]
    ]


def test_no_crisis_number_is_written_in_the_domain() -> None:
    domain = (ROOT / "domain.yml").read_text()
    for number in ("116 123", "85258", "0808", "0800", "999"):
        assert number not in domain


def test_a_deployment_can_change_the_numbers(tmp_path: Path) -> None:
    custom = yaml.safe_load((ROOT / "safety.yml").read_text())
    custom["contacts"]["samaritans"] = "Our local crisis line on 0100 000 0000"
    path = tmp_path / "safety.yml"
    path.write_text(yaml.safe_dump(custom))
    text = compose("urgent", ["suicide"], config=load_config(path), now=WEDNESDAY_NOON).text
    assert "0100 000 0000" in text and "116 123" not in text


def test_a_broken_configuration_is_refused(tmp_path: Path) -> None:
    broken = yaml.safe_load((ROOT / "safety.yml").read_text())
    broken["contacts_for"]["suicide"] = ["no_such_line"]
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(broken))
    with pytest.raises(ValueError, match="no_such_line"):
        load_config(path)
