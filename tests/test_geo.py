"""Offline postcodes and distances."""

from __future__ import annotations

import math

import pytest

from directory.geo import (
    BRITISH_GRID,
    Point,
    PostcodeError,
    _grid_to_latlon,
    grid_to_wgs84,
    locate,
    miles_between,
    normalise,
)


def test_grid_conversion_matches_the_ordnance_survey_worked_example() -> None:
    # OS guide, annex C: 651409.903 E, 313177.270 N is 52°39'27.2531"N 1°43'4.5177"E on OSGB36.
    lat, lon = _grid_to_latlon(BRITISH_GRID, 651409.903, 313177.270)
    assert math.degrees(lat) == pytest.approx(52 + 39 / 60 + 27.2531 / 3600, abs=1e-6)
    assert math.degrees(lon) == pytest.approx(1 + 43 / 60 + 4.5177 / 3600, abs=1e-6)
    # On WGS84 that point moves a few metres, mostly west (about 0.0019 degrees of longitude here).
    point = grid_to_wgs84(651409.903, 313177.270)
    assert point.lat == pytest.approx(52.6580, abs=0.0005)
    assert point.lon == pytest.approx(1.7160, abs=0.0005)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [("bs15tr", "BS1 5TR"), (" BS1 5TR ", "BS1 5TR"), ("bs5", "BS5"), ("SW1A 1AA", "SW1A 1AA"), ("bt1 5gs", "BT1 5GS")],
)
def test_postcodes_are_normalised(raw: str, clean: str) -> None:
    assert normalise(raw) == clean


@pytest.mark.parametrize("bad", ["", "hello", "12345", "BS1 5TR 9", "<script>", 42])
def test_malformed_postcodes_get_a_clear_message(bad: object) -> None:
    with pytest.raises(PostcodeError, match="postcode"):
        normalise(bad)  # type: ignore[arg-type]


def test_real_postcodes_and_outward_codes_are_found_offline() -> None:
    bristol = locate("BS1 5TR")
    assert 51.40 < bristol.lat < 51.50 and -2.65 < bristol.lon < -2.55
    easton = locate("BS5")
    assert miles_between(bristol, easton) < 3
    belfast = locate("BT1 5GS")
    assert 54.55 < belfast.lat < 54.65 and -6.0 < belfast.lon < -5.85


def test_unknown_postcodes_are_explained() -> None:
    with pytest.raises(PostcodeError, match="couldn't find"):
        locate("ZZ9 9ZZ")
    with pytest.raises(PostcodeError, match="couldn't find"):
        locate("QQ1")


def test_miles() -> None:
    london, bristol = Point(51.5074, -0.1278), Point(51.4545, -2.5879)
    assert miles_between(london, bristol) == pytest.approx(106, abs=2)
