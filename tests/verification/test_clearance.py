"""Signed clearance between points or straight paths and circles or polygons."""

from __future__ import annotations

import math

import pytest

from bt_planner.verification.clearance import (
    circle_point_clearance,
    circle_segment_clearance,
    polygon_point_clearance,
    polygon_segment_clearance,
)

SQUARE = [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
# A "U" open to the top: the notch between x=1 and x=2 above y=1 is outside the polygon.
U_SHAPE = [(0.0, 0.0), (3.0, 0.0), (3.0, 3.0), (2.0, 3.0), (2.0, 1.0), (1.0, 1.0), (1.0, 3.0), (0.0, 3.0)]


def test_circle_point_is_signed():
    assert circle_point_clearance((3.0, 0.0), center=(0.0, 0.0), radius=1.0) == pytest.approx(2.0)
    assert circle_point_clearance((0.5, 0.0), center=(0.0, 0.0), radius=1.0) == pytest.approx(-0.5)


def test_circle_segment_measures_the_closest_point_of_the_path():
    assert circle_segment_clearance((-5.0, 2.0), (5.0, 2.0), center=(0.0, 0.0), radius=1.0) == pytest.approx(
        1.0
    )
    # the path ends before the circle: the closest point is the end, not the line's foot
    assert circle_segment_clearance((-5.0, 0.0), (-3.0, 0.0), center=(0.0, 0.0), radius=1.0) == pytest.approx(
        2.0
    )


def test_polygon_point_inside_outside_and_in_a_concave_notch():
    assert polygon_point_clearance((1.0, 0.5), vertices=SQUARE) == pytest.approx(-0.5)
    assert polygon_point_clearance((3.0, 1.0), vertices=SQUARE) == pytest.approx(1.0)
    assert polygon_point_clearance((1.5, 2.0), vertices=U_SHAPE) == pytest.approx(0.5)
    assert polygon_point_clearance((0.5, 2.0), vertices=U_SHAPE) < 0


def test_polygon_segment_crossing_with_both_ends_outside():
    assert polygon_segment_clearance((-1.0, 1.0), (3.0, 1.0), vertices=SQUARE) == 0.0
    assert polygon_segment_clearance((-1.0, 3.0), (3.0, 3.0), vertices=SQUARE) == pytest.approx(1.0)
    # down the middle of the U's notch: clear by 0.5 m on either side
    assert polygon_segment_clearance((1.5, 5.0), (1.5, 1.5), vertices=U_SHAPE) == pytest.approx(0.5)


def test_polygon_segment_ending_inside_is_negative():
    assert polygon_segment_clearance((-1.0, 1.0), (1.0, 1.0), vertices=SQUARE) == pytest.approx(-1.0)


def test_enough_gives_a_bound_only_when_far():
    far = polygon_segment_clearance((10.0, 10.0), (12.0, 10.0), vertices=SQUARE, enough=0.3)
    assert far >= 0.3
    near = polygon_segment_clearance((-0.1, 1.0), (-0.1, 5.0), vertices=SQUARE, enough=0.3)
    assert near == pytest.approx(0.1)
    assert polygon_point_clearance((2.2, 1.0), vertices=SQUARE, enough=0.3) == pytest.approx(0.2)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_points_give_nan(bad):
    assert math.isnan(circle_point_clearance((bad, 0.0), center=(0.0, 0.0), radius=1.0))
    assert math.isnan(circle_segment_clearance((0.0, 0.0), (bad, 0.0), center=(5.0, 5.0), radius=1.0))
    assert math.isnan(polygon_point_clearance((bad, 0.0), vertices=SQUARE))
    assert math.isnan(polygon_segment_clearance((bad, 0.0), (0.0, 0.0), vertices=SQUARE, enough=0.3))
