"""Clearance between the robot's footprint point or straight-line path and round or polygonal areas.

Clearance is signed, in metres: positive outside the area (the gap to its edge), negative inside a
circle or polygon (how deep), and ``0.0`` for a path that crosses a polygon's edge. A rule compares
it with a margin: anything but ``clearance >= margin`` is a violation, so the NaN returned for a
non-finite point fails closed. Plain floats keep this fast enough to run
at every tick.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from bt_planner.core.geometry import Point, Vec2, point_segment_distance


def _cross(o: Point, a: Point, b: Point) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _segments_intersect(a: Point, b: Point, c: Point, d: Point) -> bool:
    d1, d2 = _cross(c, d, a), _cross(c, d, b)
    d3, d4 = _cross(a, b, c), _cross(a, b, d)
    if ((d1 > 0) != (d2 > 0)) and ((d3 > 0) != (d4 > 0)) and 0.0 not in (d1, d2, d3, d4):
        return True
    touching = (
        (d1 == 0 and point_segment_distance(a, c, d) == 0.0)
        or (d2 == 0 and point_segment_distance(b, c, d) == 0.0)
        or (d3 == 0 and point_segment_distance(c, a, b) == 0.0)
        or (d4 == 0 and point_segment_distance(d, a, b) == 0.0)
    )
    return touching


def _segment_segment(a: Point, b: Point, c: Point, d: Point) -> float:
    if _segments_intersect(a, b, c, d):
        return 0.0
    return min(
        point_segment_distance(a, c, d),
        point_segment_distance(b, c, d),
        point_segment_distance(c, a, b),
        point_segment_distance(d, a, b),
    )


def _inside_polygon(p: Point, vertices: Sequence[Point]) -> bool:
    inside = False
    x, y = p
    j = len(vertices) - 1
    for i in range(len(vertices)):
        xi, yi = vertices[i]
        xj, yj = vertices[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _edges(vertices: Sequence[Point]) -> list[tuple[Point, Point]]:
    return [(vertices[i - 1], vertices[i]) for i in range(len(vertices))]


def as_point(v: Vec2) -> Point:
    return (v.x, v.y)


def _finite(*points: Point) -> bool:
    return all(math.isfinite(c) for p in points for c in p)


def circle_point_clearance(p: Point, *, center: Point, radius: float) -> float:
    """Gap from ``p`` to the circle's edge; negative inside; NaN for a non-finite point."""
    if not _finite(p):
        return math.nan
    return math.hypot(p[0] - center[0], p[1] - center[1]) - radius


def circle_segment_clearance(a: Point, b: Point, *, center: Point, radius: float) -> float:
    """Smallest gap from the path ``a``-``b`` to the circle's edge; negative if it enters."""
    if not _finite(a, b):
        return math.nan
    return point_segment_distance(center, a, b) - radius


def _bounding_circle(vertices: Sequence[Point]) -> tuple[Point, float]:
    cx = sum(v[0] for v in vertices) / len(vertices)
    cy = sum(v[1] for v in vertices) / len(vertices)
    return (cx, cy), max(math.hypot(v[0] - cx, v[1] - cy) for v in vertices)


def polygon_point_clearance(p: Point, *, vertices: Sequence[Point], enough: float = math.inf) -> float:
    """Gap from ``p`` to the polygon's edge; negative (depth) inside.

    Exact when below ``enough``; otherwise some value ``>= enough`` (a cheap bound), which is all a
    margin check needs.
    """
    if not _finite(p):
        return math.nan
    if enough < math.inf:
        center, radius = _bounding_circle(vertices)
        bound = circle_point_clearance(p, center=center, radius=radius)
        if bound >= enough:
            return bound
    edge = min(point_segment_distance(p, a, b) for a, b in _edges(vertices))
    return -edge if _inside_polygon(p, vertices) else edge


def polygon_segment_clearance(
    a: Point, b: Point, *, vertices: Sequence[Point], enough: float = math.inf
) -> float:
    """Smallest gap from the path ``a``-``b`` to the polygon; ``<= 0`` if the path enters it.

    Exact when below ``enough``; otherwise some value ``>= enough`` (see ``polygon_point_clearance``).
    """
    if not _finite(a, b):
        return math.nan
    if enough < math.inf:
        center, radius = _bounding_circle(vertices)
        bound = circle_segment_clearance(a, b, center=center, radius=radius)
        if bound >= enough:
            return bound
    ends = min(polygon_point_clearance(a, vertices=vertices), polygon_point_clearance(b, vertices=vertices))
    if ends <= 0.0:
        return ends
    return min(_segment_segment(a, b, c, d) for c, d in _edges(vertices))
