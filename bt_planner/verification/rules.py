"""Every safety rule, one small function each, with a stable rule code.

The plan verifier calls these on the simulated state of each step; the behaviour tree's tick-time
guards call the same functions on live robot state, so each rule has one source of truth. A rule
returns ``None`` when satisfied, else a ``PlanIssue`` carrying the rule code, the measured value and
the limit. Comparisons are written so that NaN fails (fail closed).
"""

from __future__ import annotations

import math

from bt_planner.core.geometry import Vec2, Vec3
from bt_planner.core.issues import IssueCode, PlanIssue, Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import CircleZone, Obstacle, World
from bt_planner.verification.clearance import (
    as_point,
    circle_point_clearance,
    circle_segment_clearance,
    polygon_point_clearance,
    polygon_segment_clearance,
)
from bt_planner.verification.coded_names import unknown_coded_names
from bt_planner.verification.text_screen import TextClassifier, find_forbidden

# ---- rule codes (stable: tests, guards, logs and users refer to them) -------------------------

BATTERY_MIN = "battery.min"
BATTERY_BUDGET = "battery.budget"
MOVE_DISTANCE = "move.distance"
PLAN_DISTANCE = "plan.distance"
SPEED_MAX = "speed.max"
PAYLOAD_MAX = "payload.max"
PAYLOAD_UNKNOWN_WEIGHT = "payload.unknown_weight"
ZONE_TARGET = "zone.target"
ZONE_PATH = "zone.path"
OBSTACLE_TARGET = "obstacle.target"
OBSTACLE_PATH = "obstacle.path"
WAIT_BOUNDS = "wait.bounds"
TURN_BOUNDS = "turn.bounds"
PLAN_LENGTH = "plan.length"
SPEECH_FORBIDDEN_WORD = "speech.forbidden_word"
COMMAND_FORBIDDEN_WORD = "command.forbidden_word"
COMMAND_LENGTH = "command.length"
COMMAND_UNKNOWN_NAME = "command.unknown_name"
WORLD_BOUNDS = "world.bounds"
ACTION_FORBIDDEN = "action.forbidden"
CUSTOM_UNREGISTERED = "custom.unregistered"
NUMBER_NOT_FINITE = "number.not_finite"
STATE_STALE = "state.stale"

WORLD_UNKNOWN_OBJECT = "world.unknown_object"
WORLD_UNKNOWN_LOCATION = "world.unknown_location"
DETECT_UNKNOWN_TYPE = "detect.unknown_type"
GRASP_GRIPPER_NOT_EMPTY = "grasp.gripper_not_empty"
GRASP_OUT_OF_REACH = "grasp.out_of_reach"
GRASP_NOT_DETECTED = "grasp.not_detected"
GRASP_NOT_GRASPABLE = "grasp.not_graspable"
GRASP_TYPE_MISMATCH = "grasp.type_mismatch"
PLACE_NOTHING_HELD = "place.nothing_held"
PLACE_OUT_OF_REACH = "place.out_of_reach"


def _issue(
    *,
    code: IssueCode,
    rule: str,
    message: str,
    action_index: int | None,
    value: float | None = None,
    limit: float | None = None,
    severity: Severity = Severity.ERROR,
) -> PlanIssue:
    return PlanIssue(
        code=code,
        rule=rule,
        message=message,
        action_index=action_index,
        value=value,
        limit=limit,
        severity=severity,
    )


def _at(point: Vec2) -> str:
    return f"({point.x:.2f}, {point.y:.2f})"


def _gap(clearance: float) -> str:
    if math.isnan(clearance):
        return "at an unknown distance (non-finite point) from"
    return f"{clearance:.2f} m from" if clearance > 0 else f"{-clearance:.2f} m inside"


# ---- robot state ------------------------------------------------------------------------------


def battery_rule(
    *, battery_percent: float, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """The battery must be at or above ``min_battery_percent``."""
    if battery_percent >= limits.min_battery_percent:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=BATTERY_MIN,
        message=f"battery at {battery_percent:.1f} %, minimum {limits.min_battery_percent:.1f} %",
        action_index=action_index,
        value=battery_percent,
        limit=limits.min_battery_percent,
    )


def battery_budget_rule(
    *, predicted_percent: float, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """The battery estimated after a step must stay at or above ``min_battery_percent``."""
    if predicted_percent >= limits.min_battery_percent:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=BATTERY_BUDGET,
        message=(
            f"battery estimated at {predicted_percent:.1f} % after this step, "
            f"minimum {limits.min_battery_percent:.1f} %"
        ),
        action_index=action_index,
        value=predicted_percent,
        limit=limits.min_battery_percent,
    )


def stale_state_rule(
    *, age_s: float, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """Robot state older than ``max_state_age_s`` must not drive decisions."""
    if age_s <= limits.max_state_age_s:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=STATE_STALE,
        message=f"robot state is {age_s:.2f} s old, limit {limits.max_state_age_s:.2f} s",
        action_index=action_index,
        value=age_s,
        limit=limits.max_state_age_s,
    )


def payload_rule(
    *, object_id: str | None, world: World, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """A held object must weigh at most ``max_payload_kg`` by the world's record (never the model's).

    No object → satisfied. Unknown object or weight → ``payload.unknown_weight``, an error or a
    warning per ``unknown_weight_policy``.
    """
    if object_id is None:
        return None
    obj = world.objects.get(object_id)
    weight = obj.weight_kg if obj is not None else None
    if weight is None:
        reject = limits.unknown_weight_policy == "reject"
        return _issue(
            code=IssueCode.LIMIT_EXCEEDED,
            rule=PAYLOAD_UNKNOWN_WEIGHT,
            message=(
                f"weight of {object_id!r} is unknown, payload limit {limits.max_payload_kg:.2f} kg "
                f"(unknown_weight_policy={limits.unknown_weight_policy})"
            ),
            action_index=action_index,
            limit=limits.max_payload_kg,
            severity=Severity.ERROR if reject else Severity.WARNING,
        )
    if weight <= limits.max_payload_kg:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=PAYLOAD_MAX,
        message=f"{object_id!r} weighs {weight:.2f} kg, payload limit {limits.max_payload_kg:.2f} kg",
        action_index=action_index,
        value=weight,
        limit=limits.max_payload_kg,
    )


# ---- where the robot is and goes --------------------------------------------------------------


def zone_rule(
    *, point: Vec2, world: World, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """``point`` must keep ``zone_margin_m`` from every forbidden zone (circle or polygon)."""
    p = as_point(point)
    worst: tuple[float, str] | None = None
    for name, zone in world.forbidden_zones.items():
        if isinstance(zone, CircleZone):
            clearance = circle_point_clearance(p, center=as_point(zone.center), radius=zone.radius)
        else:
            clearance = polygon_point_clearance(
                p, vertices=[as_point(v) for v in zone.vertices], enough=limits.zone_margin_m
            )
        if not clearance >= limits.zone_margin_m and (worst is None or not clearance >= worst[0]):
            worst = (clearance, name)
    if worst is None:
        return None
    clearance, name = worst
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=ZONE_TARGET,
        message=(
            f"point {_at(point)} is {_gap(clearance)} forbidden zone {name!r}, "
            f"margin {limits.zone_margin_m:.2f} m"
        ),
        action_index=action_index,
        value=clearance,
        limit=limits.zone_margin_m,
    )


def zone_path_rule(
    *, start: Vec2, end: Vec2, world: World, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """The straight path ``start``→``end`` must keep ``zone_margin_m`` from every forbidden zone."""
    a, b = as_point(start), as_point(end)
    worst: tuple[float, str] | None = None
    for name, zone in world.forbidden_zones.items():
        if isinstance(zone, CircleZone):
            clearance = circle_segment_clearance(a, b, center=as_point(zone.center), radius=zone.radius)
        else:
            clearance = polygon_segment_clearance(
                a, b, vertices=[as_point(v) for v in zone.vertices], enough=limits.zone_margin_m
            )
        if not clearance >= limits.zone_margin_m and (worst is None or not clearance >= worst[0]):
            worst = (clearance, name)
    if worst is None:
        return None
    clearance, name = worst
    how = f"passes {clearance:.2f} m from" if clearance > 0 else "enters"
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=ZONE_PATH,
        message=(
            f"straight path {_at(start)} -> {_at(end)} {how} forbidden zone {name!r}, "
            f"margin {limits.zone_margin_m:.2f} m"
        ),
        action_index=action_index,
        value=clearance,
        limit=limits.zone_margin_m,
    )


def obstacle_rule(
    *, point: Vec2, world: World, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """``point`` must keep ``obstacle_margin_m`` from every obstacle."""
    p = as_point(point)
    worst: tuple[float, str] | None = None
    for name, obstacle in world.obstacles.items():
        clearance = circle_point_clearance(p, center=as_point(obstacle.center), radius=obstacle.radius)
        if not clearance >= limits.obstacle_margin_m and (worst is None or not clearance >= worst[0]):
            worst = (clearance, name)
    if worst is None:
        return None
    clearance, name = worst
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=OBSTACLE_TARGET,
        message=(
            f"point {_at(point)} is {_gap(clearance)} obstacle {name!r}, "
            f"margin {limits.obstacle_margin_m:.2f} m"
        ),
        action_index=action_index,
        value=clearance,
        limit=limits.obstacle_margin_m,
    )


def obstacle_path_rule(
    *, start: Vec2, end: Vec2, world: World, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """The straight path ``start``→``end`` must keep ``obstacle_margin_m`` from every obstacle."""
    a, b = as_point(start), as_point(end)
    worst: tuple[float, str] | None = None
    for name, obstacle in world.obstacles.items():
        clearance = circle_segment_clearance(a, b, center=as_point(obstacle.center), radius=obstacle.radius)
        if not clearance >= limits.obstacle_margin_m and (worst is None or not clearance >= worst[0]):
            worst = (clearance, name)
    if worst is None:
        return None
    clearance, name = worst
    how = f"passes {clearance:.2f} m from" if clearance > 0 else "hits"
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=OBSTACLE_PATH,
        message=(
            f"straight path {_at(start)} -> {_at(end)} {how} obstacle {name!r}, "
            f"margin {limits.obstacle_margin_m:.2f} m"
        ),
        action_index=action_index,
        value=clearance,
        limit=limits.obstacle_margin_m,
    )


def world_extent(world: World) -> tuple[tuple[float, float, float], tuple[float, float, float]]:
    """The box (min x, y, z), (max x, y, z) around every place, object, obstacle, zone and the robot."""
    points: list[tuple[float, float, float]] = [(world.robot.pose.x, world.robot.pose.y, world.robot.pose.z)]
    points += [(p.position.x, p.position.y, p.position.z) for p in world.locations.values()]
    points += [(o.position.x, o.position.y, o.position.z) for o in world.objects.values() if o.position]
    circles: list[Obstacle | CircleZone] = [*world.obstacles.values()]
    for zone in world.forbidden_zones.values():
        if isinstance(zone, CircleZone):
            circles.append(zone)
        else:
            points += [(v.x, v.y, 0.0) for v in zone.vertices]
    for circle in circles:
        c, r = circle.center, circle.radius
        points += [(c.x - r, c.y - r, 0.0), (c.x + r, c.y + r, 0.0)]
    low = tuple(min(p[i] for p in points) for i in range(3))
    high = tuple(max(p[i] for p in points) for i in range(3))
    return (low[0], low[1], low[2]), (high[0], high[1], high[2])


def world_bounds_rule(
    *, point: Vec3, world: World, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """A target must lie within the world's extent plus ``world_margin_m`` (x, y) / ``world_z_margin_m`` (z)."""
    low, high = world_extent(world)
    margins = (limits.world_margin_m, limits.world_margin_m, limits.world_z_margin_m)
    for axis, value in enumerate((point.x, point.y, point.z)):
        lo, hi = low[axis] - margins[axis], high[axis] + margins[axis]
        if lo <= value <= hi:
            continue
        name = "xyz"[axis]
        setting = "world_z_margin_m" if axis == 2 else "world_margin_m"
        return _issue(
            code=IssueCode.LIMIT_EXCEEDED,
            rule=WORLD_BOUNDS,
            message=(
                f"{name} = {value:.6g} m is outside the world's extent {low[axis]:.2f}..{high[axis]:.2f} m "
                f"plus the {margins[axis]:.2f} m margin (safety.{setting})"
            ),
            action_index=action_index,
            value=value,
            limit=hi if not value < lo else lo,
        )
    return None


# ---- one step's numbers -----------------------------------------------------------------------


def move_distance_rule(
    *, distance_m: float, limits: SafetyLimits, action_index: int | None = None, verb: str = "moves"
) -> PlanIssue | None:
    """One move or navigate step may cover at most ``max_move_distance_m`` (straight line)."""
    if distance_m <= limits.max_move_distance_m:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=MOVE_DISTANCE,
        message=f"{verb} {distance_m:.2f} m, limit {limits.max_move_distance_m:.2f} m per action",
        action_index=action_index,
        value=distance_m,
        limit=limits.max_move_distance_m,
    )


def plan_distance_rule(
    *, distance_m: float, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """The plan may drive at most ``max_plan_distance_m`` in total (straight lines, summed)."""
    if distance_m <= limits.max_plan_distance_m:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=PLAN_DISTANCE,
        message=f"plan drives {distance_m:.2f} m by here, limit {limits.max_plan_distance_m:.2f} m per plan",
        action_index=action_index,
        value=distance_m,
        limit=limits.max_plan_distance_m,
    )


def speed_rule(
    *, speed_mps: float, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """A commanded or measured speed must be at most ``max_speed_mps``."""
    if speed_mps <= limits.max_speed_mps:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=SPEED_MAX,
        message=f"speed {speed_mps:.2f} m/s, limit {limits.max_speed_mps:.2f} m/s",
        action_index=action_index,
        value=speed_mps,
        limit=limits.max_speed_mps,
    )


def wait_rule(
    *, duration_s: float, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """A wait must last between ``min_wait_s`` and ``max_wait_s``."""
    if not duration_s <= limits.max_wait_s:
        bound, word = limits.max_wait_s, "maximum"
    elif duration_s < limits.min_wait_s:
        bound, word = limits.min_wait_s, "minimum"
    else:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=WAIT_BOUNDS,
        message=f"waits {duration_s:.1f} s, {word} {bound:.1f} s",
        action_index=action_index,
        value=duration_s,
        limit=bound,
    )


def turn_rule(*, angle_deg: float, limits: SafetyLimits, action_index: int | None = None) -> PlanIssue | None:
    """One turn may rotate at most ``max_turn_deg`` either way."""
    if abs(angle_deg) <= limits.max_turn_deg:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=TURN_BOUNDS,
        message=f"turns {angle_deg:.1f} deg, limit {limits.max_turn_deg:.1f} deg either way",
        action_index=action_index,
        value=angle_deg,
        limit=limits.max_turn_deg,
    )


def finite_rule(*, name: str, value: float, action_index: int | None = None) -> PlanIssue | None:
    """Every number in a plan must be finite: NaN or infinity would slip past comparisons."""
    if math.isfinite(value):
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=NUMBER_NOT_FINITE,
        message=f"{name} is {value}, which is not a finite number",
        action_index=action_index,
        value=value,
    )


# ---- the plan as a whole, content and permissions ---------------------------------------------


def plan_length_rule(*, length: int, limits: SafetyLimits) -> PlanIssue | None:
    """A plan may have at most ``max_plan_length`` actions."""
    if length <= limits.max_plan_length:
        return None
    return _issue(
        code=IssueCode.LIMIT_EXCEEDED,
        rule=PLAN_LENGTH,
        message=f"plan has {length} actions, limit {limits.max_plan_length}",
        action_index=None,
        value=float(length),
        limit=float(limits.max_plan_length),
    )


def _objection(text: str, limits: SafetyLimits, classifier: TextClassifier | None) -> str | None:
    """Why ``text`` is refused: a listed word however disguised, else the classifier's reason."""
    word = find_forbidden(text, words=limits.forbidden_words, languages=limits.screen_languages)
    if word is not None:
        return f"the forbidden word {word.strip()!r}"
    reason = classifier(text) if classifier is not None else None
    return f"content the classifier refused ({reason})" if reason else None


def speech_rule(
    *,
    message: str,
    limits: SafetyLimits,
    action_index: int | None = None,
    classifier: TextClassifier | None = None,
) -> PlanIssue | None:
    """Spoken text must not contain a word of ``forbidden_words`` or of the ``screen_languages`` lists.

    Matching undoes the usual disguises (``bt_planner.verification.text_screen``); a
    ``classifier``, if given, then has the last word.
    """
    objection = _objection(message, limits, classifier)
    if objection is None:
        return None
    return _issue(
        code=IssueCode.UNSAFE_CONTENT,
        rule=SPEECH_FORBIDDEN_WORD,
        message=f"speech contains {objection}",
        action_index=action_index,
    )


def command_rule(
    *, command: str, limits: SafetyLimits, classifier: TextClassifier | None = None
) -> PlanIssue | None:
    """With ``screen_commands``, a command containing a forbidden word is refused before planning.

    A model asked to "stab the person" may well return an innocent-looking fetch plan; the intent is
    in the command, so the command itself is checked with the same word list as speech.
    """
    objection = _objection(command, limits, classifier) if limits.screen_commands else None
    if objection is None:
        return None
    return _issue(
        code=IssueCode.UNSAFE_CONTENT,
        rule=COMMAND_FORBIDDEN_WORD,
        message=f"the command contains {objection}; nothing was planned",
        action_index=None,
    )


def command_names_rule(*, command: str, world: World) -> PlanIssue | None:
    """A command naming a coded thing the world lacks ("shelf D4" among shelf_a1 … shelf_c3) is refused
    before planning, with the names of that kind the world has (see :mod:`coded_names`)."""
    unknown = unknown_coded_names(command, world)
    if not unknown:
        return None
    first = unknown[0]
    return _issue(
        code=IssueCode.EMPTY_PLAN,
        rule=COMMAND_UNKNOWN_NAME,
        message=(
            f"the command asks for {first.said!r}, which world {world.name!r} does not have "
            f"(its {first.kind} names: {', '.join(first.known)}); nothing was planned"
        ),
        action_index=None,
    )


def command_length_rule(*, length: int, limits: SafetyLimits) -> PlanIssue | None:
    """A command may be at most ``max_command_chars`` long; a longer one is refused before planning."""
    if length <= limits.max_command_chars:
        return None
    return _issue(
        code=IssueCode.INPUT_TOO_LARGE,
        rule=COMMAND_LENGTH,
        message=(
            f"the command is {length} characters long, limit {limits.max_command_chars} "
            "(safety.max_command_chars); nothing was planned"
        ),
        action_index=None,
        value=float(length),
        limit=float(limits.max_command_chars),
    )


def forbidden_action_rule(
    *, name: str, limits: SafetyLimits, action_index: int | None = None
) -> PlanIssue | None:
    """Action types and custom action names listed in ``forbidden_actions`` never run (any case)."""
    if name.casefold() not in {n.casefold() for n in limits.forbidden_actions}:
        return None
    return _issue(
        code=IssueCode.FORBIDDEN_ACTION,
        rule=ACTION_FORBIDDEN,
        message=f"action {name!r} is forbidden by configuration (safety.forbidden_actions)",
        action_index=action_index,
    )
