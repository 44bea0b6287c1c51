"""Property tests: random worlds, states, limits and plans never crash the verifier, and tightening
any limit never turns a rejected plan into an accepted one."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from bt_planner.core.geometry import Pose
from bt_planner.core.issues import PlanIssue, has_errors
from bt_planner.core.limits import DEFAULT_FORBIDDEN_WORDS, SafetyLimits
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World
from bt_planner.plans.actions import ActionType
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.verification import Verifier

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, database=None)

LOCATIONS = ("dock", "kitchen", "table", "shelf")
OBJECTS = ("cup", "box", "anvil")
TYPES = ("cup", "box", "anvil", "plate")
GHOSTS = ("ghost", "Kitchen")
WORDS = (*DEFAULT_FORBIDDEN_WORDS[:4], "ready", "cup")
SENTENCES = ("I am ready", "Breakfast is served", "I will break the cup", "KILL the lights", "hello")
ACTION_NAMES = (*(t.value for t in ActionType), "beep")

coord = st.floats(min_value=-25, max_value=25, allow_nan=False)
odd_number = st.sampled_from([math.nan, math.inf, -math.inf, 1e308])
maybe_odd = st.one_of(coord, coord, coord, odd_number)


class BeepParams(BaseModel):
    times: int = 1


REGISTRY = CustomActionRegistry()
REGISTRY.register("beep", BeepParams, "beep a number of times")


@st.composite
def worlds(draw: st.DrawFn, *, hazards: int = 3, hazard_size: float = 4.0) -> World:
    locations = {
        name: {"position": [draw(coord), draw(coord), 0.0]}
        for name in draw(st.lists(st.sampled_from(LOCATIONS), unique=True, max_size=4))
    }
    objects: dict[str, Any] = {}
    for name in draw(st.lists(st.sampled_from(OBJECTS), unique=True, max_size=3)):
        obj: dict[str, Any] = {
            "type": draw(st.sampled_from(TYPES)),
            "weight_kg": draw(st.none() | st.floats(min_value=0, max_value=6)),
            "graspable": draw(st.booleans()),
        }
        if locations and draw(st.booleans()):
            obj["location"] = draw(st.sampled_from(sorted(locations)))
        else:
            obj["position"] = [draw(coord), draw(coord), draw(st.floats(0, 2))]
        objects[name] = obj
    radius = st.floats(min_value=0.05, max_value=hazard_size)
    obstacles = {
        f"obstacle{i}": {"center": [draw(coord), draw(coord)], "radius": draw(radius)}
        for i in range(draw(st.integers(0, hazards)))
    }
    zones: dict[str, Any] = {}
    for i in range(draw(st.integers(0, hazards))):
        if draw(st.booleans()):
            zones[f"zone{i}"] = {
                "shape": "circle",
                "center": [draw(coord), draw(coord)],
                "radius": draw(radius),
            }
        else:
            corner = st.tuples(st.floats(-hazard_size, hazard_size), st.floats(-hazard_size, hazard_size))
            cx, cy = draw(coord), draw(coord)
            vertices = [(cx + dx, cy + dy) for dx, dy in draw(st.lists(corner, min_size=3, max_size=6))]
            zones[f"zone{i}"] = {"shape": "polygon", "vertices": [list(v) for v in vertices]}
    return World.model_validate(
        {"locations": locations, "objects": objects, "obstacles": obstacles, "forbidden_zones": zones}
    )


@st.composite
def states(draw: st.DrawFn, *, empty_handed: bool = False, min_battery: float = 0.0) -> RobotState:
    holding = None if empty_handed else draw(st.none() | st.sampled_from(OBJECTS + GHOSTS))
    gripper = (
        GripperState.HOLDING if holding else draw(st.sampled_from([GripperState.OPEN, GripperState.CLOSED]))
    )
    return RobotState(
        pose=Pose(x=draw(coord), y=draw(coord), yaw=draw(st.floats(-math.pi, math.pi))),
        battery_percent=draw(st.floats(min_value=min_battery, max_value=100)),
        gripper=gripper,
        holding=holding,
    )


def _step(kind: str, description: str, duration: float | None, **parameters: Any) -> dict[str, Any]:
    return {
        "action_type": kind,
        "parameters": parameters,
        "description": description,
        "estimated_duration": duration,
    }


@st.composite
def actions(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(ACTION_NAMES[:-1]))
    place_name = st.sampled_from(LOCATIONS + GHOSTS)
    duration = draw(st.none() | st.floats(min_value=0, max_value=120) | st.just(math.inf))
    if kind == "move":
        speed = draw(st.none() | st.floats(min_value=0.01, max_value=4) | st.just(math.inf))
        return _step(kind, kind, duration, x=draw(maybe_odd), y=draw(maybe_odd), speed=speed)
    if kind == "navigate":
        return _step(kind, kind, duration, location_name=draw(place_name))
    if kind == "grasp":
        said = draw(st.none() | st.sampled_from(TYPES))
        return _step(
            kind, kind, duration, object_id=draw(st.sampled_from(OBJECTS + GHOSTS)), object_type=said
        )
    if kind == "place":
        if draw(st.booleans()):
            return _step(kind, kind, duration, location_name=draw(place_name))
        return _step(kind, kind, duration, position=[draw(maybe_odd), draw(maybe_odd), 0.5])
    if kind == "detect":
        area = draw(st.none() | place_name)
        return _step(
            kind, kind, duration, object_type=draw(st.sampled_from((*TYPES, "unicorn"))), search_area=area
        )
    if kind == "speak":
        return _step(kind, kind, duration, message=draw(st.sampled_from(SENTENCES)))
    if kind == "wait":
        return _step(kind, kind, duration, duration_seconds=draw(st.floats(min_value=0, max_value=900)))
    if kind == "turn":
        if draw(st.booleans()):
            return _step(kind, kind, duration, angle=draw(st.floats(-720, 720) | odd_number))
        heading, length = draw(st.floats(-math.pi, math.pi)), draw(st.floats(0.1, 5))
        direction = (length * math.cos(heading), length * math.sin(heading))
        return _step(kind, kind, duration, direction_vector=list(direction))
    return _step("custom", "beep", duration, name="beep", times=draw(st.integers(0, 5)))


def _plan(steps: list[dict[str, Any]]) -> Plan:
    return Plan.model_validate({"actions": steps}, context={"custom_actions": REGISTRY})


plans = st.lists(actions(), min_size=1, max_size=12).map(_plan)


@st.composite
def sensible_plans(draw: st.DrawFn, world: World) -> Plan:
    """Plans a competent model might write for ``world``: approach, detect, grasp, carry, place."""
    steps: list[dict[str, Any]] = []
    for _ in range(draw(st.integers(1, 4))):
        if not (world.objects and draw(st.booleans())):
            steps.append(draw(st.sampled_from(CHATTER)))
            continue
        object_id = draw(st.sampled_from(sorted(world.objects)))
        obj = world.objects[object_id]
        here = world.object_position(object_id)
        if obj.location is not None:
            steps.append(_step("navigate", "approach", None, location_name=obj.location))
        else:
            steps.append(_step("move", "approach", None, x=here.x + 0.3, y=here.y))
        steps.append(_step("detect", "look", 1.0, object_type=obj.type))
        steps.append(_step("grasp", "take", 2.0, object_id=object_id, object_type=obj.type))
        if world.locations and draw(st.booleans()):
            destination = draw(st.sampled_from(sorted(world.locations)))
            steps.append(_step("navigate", "carry", None, location_name=destination))
            steps.append(_step("place", "put down", 2.0, location_name=destination))
        else:
            steps.append(_step("place", "put it back", 2.0, position=[here.x, here.y, here.z]))
    return _plan(steps)


CHATTER = (
    _step("speak", "say", 1.0, message="On my way"),
    _step("wait", "pause", None, duration_seconds=1.0),
    _step("turn", "look around", None, angle=45.0),
)


@st.composite
def limits(draw: st.DrawFn, *, generous: bool = False) -> SafetyLimits:
    """Random limits; ``generous`` ones accept most sensible plans, so tightening them has bite."""
    g = generous
    min_wait = draw(st.floats(0, 1 if g else 10))
    return SafetyLimits(
        max_move_distance_m=draw(st.floats(40 if g else 0.1, 80)),
        max_plan_distance_m=draw(st.floats(150 if g else 0.1, 300)),
        max_speed_mps=draw(st.floats(0.5 if g else 0.05, 3)),
        max_payload_kg=draw(st.floats(4 if g else 0, 6)),
        unknown_weight_policy=draw(st.sampled_from(["warn"] if g else ["reject", "warn"])),
        min_battery_percent=draw(st.floats(0, 10 if g else 100)),
        battery_percent_per_m=draw(st.floats(0, 0.1 if g else 2)),
        battery_percent_per_s=draw(st.floats(0, 0.01 if g else 0.1)),
        forbidden_actions=tuple(
            draw(st.lists(st.sampled_from(ACTION_NAMES), unique=True, max_size=0 if g else 3))
        ),
        zone_margin_m=draw(st.floats(0, 0.2 if g else 2)),
        obstacle_margin_m=draw(st.floats(0, 0.2 if g else 2)),
        navigate_path_policy=draw(st.sampled_from(["warn"] if g else ["reject", "warn"])),
        min_wait_s=min_wait,
        max_wait_s=draw(st.floats(max(min_wait, 300 if g else 0), 600)),
        max_turn_deg=draw(st.floats(90 if g else 1, 720)),
        max_plan_length=draw(st.integers(20 if g else 1, 30)),
        forbidden_words=tuple(draw(st.lists(st.sampled_from(WORDS), unique=True, max_size=4))),
        reach_m=draw(st.floats(1 if g else 0.1, 3)),
        require_detect_before_grasp=draw(st.booleans()),
        max_state_age_s=draw(st.floats(0.1, 10)),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[World, RobotState, Plan, SafetyLimits]:
    """Half fully random, half a sensible plan in a sparse world under generous limits."""
    if draw(st.booleans()):
        return draw(worlds()), draw(states()), draw(plans), draw(limits())
    world = draw(worlds(hazards=1, hazard_size=1.0))
    plan = draw(sensible_plans(world))
    return world, draw(states(empty_handed=True, min_battery=60)), plan, draw(limits(generous=True))


def tighter(data: st.DataObject, base: SafetyLimits) -> SafetyLimits:
    """``base`` with a random subset of its limits made stricter (never looser)."""

    def maybe(field: str) -> bool:
        return data.draw(st.booleans(), label=f"tighten {field}")

    def lower(value: float) -> float:
        return value * data.draw(st.floats(0.01, 1.0))

    def higher(value: float, top: float) -> float:
        return data.draw(st.floats(value, top))

    changed: dict[str, Any] = {}
    for field in ("max_move_distance_m", "max_plan_distance_m", "max_speed_mps", "max_payload_kg", "max_turn_deg",
                  "reach_m", "max_state_age_s"):  # fmt: skip
        if maybe(field):
            changed[field] = lower(getattr(base, field))
    for field, top in (("min_battery_percent", 100.0), ("battery_percent_per_m", 5.0),
                       ("battery_percent_per_s", 1.0), ("zone_margin_m", 4.0), ("obstacle_margin_m", 4.0)):  # fmt: skip
        if maybe(field):
            changed[field] = higher(getattr(base, field), top)
    for field in ("unknown_weight_policy", "navigate_path_policy"):
        if maybe(field):
            changed[field] = "reject"
    if maybe("require_detect_before_grasp"):
        changed["require_detect_before_grasp"] = True
    if maybe("max_plan_length"):
        changed["max_plan_length"] = data.draw(st.integers(1, base.max_plan_length))
    if maybe("forbidden_actions"):
        extra = data.draw(st.lists(st.sampled_from(ACTION_NAMES), max_size=2))
        changed["forbidden_actions"] = tuple(dict.fromkeys((*base.forbidden_actions, *extra)))
    if maybe("forbidden_words"):
        extra = data.draw(st.lists(st.sampled_from(WORDS), max_size=2))
        changed["forbidden_words"] = tuple(dict.fromkeys((*base.forbidden_words, *extra)))
    if maybe("wait bounds"):
        changed["max_wait_s"] = data.draw(st.floats(base.min_wait_s, base.max_wait_s))
        changed["min_wait_s"] = data.draw(st.floats(base.min_wait_s, changed["max_wait_s"]))
    return SafetyLimits.model_validate({**base.model_dump(), **changed})


@PROPERTY_SETTINGS
@given(world=worlds(), state=states(), plan=plans, limits=limits())
def test_random_worlds_and_plans_never_crash_the_verifier(world, state, plan, limits):
    issues = Verifier(limits, REGISTRY).verify(plan, state, world)
    assert all(isinstance(issue, PlanIssue) and issue.rule for issue in issues)
    assert all(issue.action_index is None or 0 <= issue.action_index < len(plan.actions) for issue in issues)
    indices = [-1 if issue.action_index is None else issue.action_index for issue in issues]
    assert indices == sorted(indices)
    if any(not math.isfinite(n) for a in plan.actions for n in _coordinates(a.parameters.model_dump())):
        assert has_errors(issues)


def _coordinates(value: Any) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [n for item in value.values() for n in _coordinates(item)]
    if isinstance(value, list):
        return [n for item in value for n in _coordinates(item)]
    return []


@PROPERTY_SETTINGS
@given(scenario=scenarios(), data=st.data())
def test_tightening_any_limit_never_accepts_a_rejected_plan(scenario, data):
    world, state, plan, base = scenario
    strict = tighter(data, base)
    loose_issues = Verifier(base, REGISTRY).verify(plan, state, world)
    strict_issues = Verifier(strict, REGISTRY).verify(plan, state, world)
    event(f"loose {has_errors(loose_issues)} strict {has_errors(strict_issues)}")
    if has_errors(loose_issues):
        assert has_errors(strict_issues), (
            [str(i) for i in loose_issues if i.severity.value == "error"],
            strict.model_dump(),
        )
