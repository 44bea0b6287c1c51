"""Each rule of ``bt_planner.verification.rules`` on both sides of its limit, with its numbers."""

from __future__ import annotations

import math

import pytest

from bt_planner.core.geometry import Vec2
from bt_planner.core.issues import IssueCode, Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.verification import rules

LIMITS = SafetyLimits()

WORLD = World.model_validate(
    {
        "locations": {"dock": {"position": [0, 0, 0]}},
        "objects": {
            "cup": {"type": "cup", "position": [1, 0, 0], "weight_kg": 0.3},
            "anvil": {"type": "anvil", "position": [1, 0, 0], "weight_kg": 2.5},
            "at_limit": {"type": "box", "position": [1, 0, 0], "weight_kg": 2.0},
            "mystery": {"type": "box", "position": [1, 0, 0]},
        },
        "obstacles": {"pillar": {"center": [10, 0], "radius": 0.5}},
        "forbidden_zones": {
            "pit": {"shape": "circle", "center": [0, 10], "radius": 1.0},
            "stairs": {"shape": "polygon", "vertices": [[20, 0], [22, 0], [22, 2], [20, 2]]},
        },
    }
)


def test_battery_rule_both_sides():
    assert rules.battery_rule(battery_percent=20.0, limits=LIMITS) is None
    issue = rules.battery_rule(battery_percent=19.5, limits=LIMITS, action_index=3)
    assert issue is not None
    assert (issue.rule, issue.code, issue.value, issue.limit) == (
        rules.BATTERY_MIN,
        IssueCode.LIMIT_EXCEEDED,
        19.5,
        20.0,
    )
    assert issue.action_index == 3
    assert "19.5 %" in issue.message and "20.0 %" in issue.message


def test_battery_budget_rule_both_sides():
    assert rules.battery_budget_rule(predicted_percent=20.0, limits=LIMITS) is None
    issue = rules.battery_budget_rule(predicted_percent=12.25, limits=LIMITS, action_index=1)
    assert issue is not None and issue.rule == rules.BATTERY_BUDGET
    assert (issue.value, issue.limit) == (12.25, 20.0)


def test_stale_state_rule_both_sides():
    assert rules.stale_state_rule(age_s=2.0, limits=LIMITS) is None
    issue = rules.stale_state_rule(age_s=2.5, limits=LIMITS)
    assert issue is not None and issue.rule == rules.STATE_STALE
    assert "2.50 s old" in issue.message and (issue.value, issue.limit) == (2.5, 2.0)


def test_payload_rule_uses_the_world_weight():
    assert rules.payload_rule(object_id=None, world=WORLD, limits=LIMITS) is None
    assert rules.payload_rule(object_id="cup", world=WORLD, limits=LIMITS) is None
    assert rules.payload_rule(object_id="at_limit", world=WORLD, limits=LIMITS) is None
    issue = rules.payload_rule(object_id="anvil", world=WORLD, limits=LIMITS, action_index=2)
    assert issue is not None and issue.rule == rules.PAYLOAD_MAX
    assert (issue.value, issue.limit, issue.severity) == (2.5, 2.0, Severity.ERROR)
    assert "2.50 kg" in issue.message and "2.00 kg" in issue.message


@pytest.mark.parametrize(("policy", "severity"), [("warn", Severity.WARNING), ("reject", Severity.ERROR)])
@pytest.mark.parametrize("object_id", ["mystery", "not_in_world"])
def test_payload_rule_unknown_weight_follows_the_policy(policy, severity, object_id):
    limits = SafetyLimits(unknown_weight_policy=policy)
    issue = rules.payload_rule(object_id=object_id, world=WORLD, limits=limits)
    assert issue is not None
    assert (issue.rule, issue.severity) == (rules.PAYLOAD_UNKNOWN_WEIGHT, severity)


def test_zone_rule_circle_with_margin():
    # pit: radius 1.0 at (0, 10); default margin 0.3 → the boundary of the kept-out area is 1.3 m away
    assert rules.zone_rule(point=Vec2(x=0, y=10 - 1.31), world=WORLD, limits=LIMITS) is None
    near = rules.zone_rule(point=Vec2(x=0, y=10 - 1.2), world=WORLD, limits=LIMITS, action_index=0)
    assert near is not None and near.rule == rules.ZONE_TARGET
    assert near.value == pytest.approx(0.2) and near.limit == 0.3
    assert "'pit'" in near.message and "0.20 m from" in near.message
    inside = rules.zone_rule(point=Vec2(x=0, y=10), world=WORLD, limits=LIMITS)
    assert inside is not None and inside.value == pytest.approx(-1.0) and "inside" in inside.message


def test_zone_rule_polygon_with_margin():
    assert rules.zone_rule(point=Vec2(x=19.6, y=1), world=WORLD, limits=LIMITS) is None
    near = rules.zone_rule(point=Vec2(x=19.8, y=1), world=WORLD, limits=LIMITS)
    assert near is not None and "'stairs'" in near.message and near.value == pytest.approx(0.2)
    inside = rules.zone_rule(point=Vec2(x=21, y=0.5), world=WORLD, limits=LIMITS)
    assert inside is not None and inside.value == pytest.approx(-0.5)


def test_zone_path_rule_catches_paths_whose_ends_are_both_clear():
    clear = rules.zone_path_rule(start=Vec2(x=-5, y=8.6), end=Vec2(x=5, y=8.6), world=WORLD, limits=LIMITS)
    assert clear is None  # passes 0.4 m from the pit, margin 0.3
    grazing = rules.zone_path_rule(start=Vec2(x=-5, y=8.8), end=Vec2(x=5, y=8.8), world=WORLD, limits=LIMITS)
    assert grazing is not None and grazing.rule == rules.ZONE_PATH and grazing.value == pytest.approx(0.2)
    through = rules.zone_path_rule(start=Vec2(x=19, y=1), end=Vec2(x=23, y=1), world=WORLD, limits=LIMITS)
    assert through is not None and "enters forbidden zone 'stairs'" in through.message
    assert through.value is not None and through.value <= 0


def test_obstacle_rules_with_margin():
    # pillar: radius 0.5 at (10, 0); default obstacle margin 0.2
    assert rules.obstacle_rule(point=Vec2(x=10.75, y=0), world=WORLD, limits=LIMITS) is None
    issue = rules.obstacle_rule(point=Vec2(x=10.6, y=0), world=WORLD, limits=LIMITS)
    assert issue is not None and issue.rule == rules.OBSTACLE_TARGET and issue.value == pytest.approx(0.1)
    assert (
        rules.obstacle_path_rule(start=Vec2(x=5, y=0.75), end=Vec2(x=15, y=0.75), world=WORLD, limits=LIMITS)
        is None
    )
    hit = rules.obstacle_path_rule(start=Vec2(x=5, y=0), end=Vec2(x=15, y=0), world=WORLD, limits=LIMITS)
    assert hit is not None and hit.rule == rules.OBSTACLE_PATH and "hits obstacle 'pillar'" in hit.message


def test_move_distance_rule_both_sides():
    assert rules.move_distance_rule(distance_m=10.0, limits=LIMITS) is None
    issue = rules.move_distance_rule(distance_m=12.4, limits=LIMITS, action_index=2)
    assert issue is not None and issue.rule == rules.MOVE_DISTANCE
    assert str(issue) == (
        "error limit_exceeded [move.distance]: action 2: moves 12.40 m, limit 10.00 m per action"
    )


def test_plan_distance_rule_both_sides():
    assert rules.plan_distance_rule(distance_m=50.0, limits=LIMITS) is None
    issue = rules.plan_distance_rule(distance_m=50.5, limits=LIMITS)
    assert issue is not None and issue.rule == rules.PLAN_DISTANCE and issue.limit == 50.0


def test_speed_rule_both_sides():
    assert rules.speed_rule(speed_mps=1.0, limits=LIMITS) is None
    issue = rules.speed_rule(speed_mps=1.5, limits=LIMITS)
    assert issue is not None and issue.rule == rules.SPEED_MAX and "1.50 m/s" in issue.message


def test_wait_rule_both_bounds():
    limits = SafetyLimits(min_wait_s=1.0, max_wait_s=60.0)
    assert rules.wait_rule(duration_s=1.0, limits=limits) is None
    assert rules.wait_rule(duration_s=60.0, limits=limits) is None
    short = rules.wait_rule(duration_s=0.5, limits=limits)
    long = rules.wait_rule(duration_s=61.0, limits=limits)
    assert (
        short is not None
        and short.rule == rules.WAIT_BOUNDS
        and short.limit == 1.0
        and "minimum" in short.message
    )
    assert long is not None and long.limit == 60.0 and "maximum" in long.message


@pytest.mark.parametrize("angle", [90.0, -90.0])
def test_turn_rule_both_sides_both_ways(angle):
    limits = SafetyLimits(max_turn_deg=90.0)
    assert rules.turn_rule(angle_deg=angle, limits=limits) is None
    issue = rules.turn_rule(angle_deg=angle * 1.01, limits=limits)
    assert issue is not None and issue.rule == rules.TURN_BOUNDS and issue.limit == 90.0


def test_plan_length_rule_both_sides():
    assert rules.plan_length_rule(length=30, limits=LIMITS) is None
    issue = rules.plan_length_rule(length=31, limits=LIMITS)
    assert issue is not None and issue.rule == rules.PLAN_LENGTH and (issue.value, issue.limit) == (31, 30)


@pytest.mark.parametrize(
    "message", ["Breakfast is ready", "I will not breakdance", "unbreakable glass", "Harmony", "skill"]
)
def test_speech_rule_ignores_words_that_merely_contain_a_forbidden_one(message):
    assert rules.speech_rule(message=message, limits=LIMITS) is None


@pytest.mark.parametrize("message", ["I will BREAK it", "break!", "Kill-mode engaged", "(harm)"])
def test_speech_rule_matches_whole_words_in_any_case(message):
    issue = rules.speech_rule(message=message, limits=LIMITS, action_index=4)
    assert issue is not None
    assert (issue.code, issue.rule, issue.action_index) == (
        IssueCode.UNSAFE_CONTENT,
        rules.SPEECH_FORBIDDEN_WORD,
        4,
    )


def test_speech_rule_uses_the_configured_word_list():
    limits = SafetyLimits(forbidden_words=("self destruct", "c++"))
    assert rules.speech_rule(message="I will break it", limits=limits) is None
    found = rules.speech_rule(message="Initiating SELF DESTRUCT now", limits=limits)
    assert found is not None and "'SELF DESTRUCT'" in found.message
    assert rules.speech_rule(message="I like C++ a lot", limits=limits) is not None
    assert rules.speech_rule(message="anything", limits=SafetyLimits(forbidden_words=())) is None


def test_forbidden_action_rule_by_type_or_name_any_case():
    limits = SafetyLimits(forbidden_actions=("Move", "open_door"))
    assert rules.forbidden_action_rule(name="navigate", limits=limits) is None
    move = rules.forbidden_action_rule(name="move", limits=limits, action_index=0)
    door = rules.forbidden_action_rule(name="open_door", limits=limits)
    assert (
        move is not None and move.code is IssueCode.FORBIDDEN_ACTION and move.rule == rules.ACTION_FORBIDDEN
    )
    assert door is not None and "'open_door'" in door.message


def test_finite_rule():
    assert rules.finite_rule(name="parameters.x", value=1e300) is None
    issue = rules.finite_rule(name="parameters.x", value=math.inf, action_index=0)
    assert issue is not None and issue.rule == rules.NUMBER_NOT_FINITE and "parameters.x" in issue.message


@pytest.mark.parametrize(
    "check",
    [
        lambda v: rules.battery_rule(battery_percent=v, limits=LIMITS),
        lambda v: rules.battery_budget_rule(predicted_percent=v, limits=LIMITS),
        lambda v: rules.stale_state_rule(age_s=v, limits=LIMITS),
        lambda v: rules.move_distance_rule(distance_m=v, limits=LIMITS),
        lambda v: rules.plan_distance_rule(distance_m=v, limits=LIMITS),
        lambda v: rules.speed_rule(speed_mps=v, limits=LIMITS),
        lambda v: rules.wait_rule(duration_s=v, limits=LIMITS),
        lambda v: rules.turn_rule(angle_deg=v, limits=LIMITS),
        lambda v: rules.zone_rule(point=Vec2(x=v, y=0), world=WORLD, limits=LIMITS),
        lambda v: rules.zone_path_rule(start=Vec2(x=0, y=0), end=Vec2(x=v, y=0), world=WORLD, limits=LIMITS),
        lambda v: rules.obstacle_rule(point=Vec2(x=v, y=0), world=WORLD, limits=LIMITS),
        lambda v: rules.obstacle_path_rule(
            start=Vec2(x=v, y=0), end=Vec2(x=0, y=0), world=WORLD, limits=LIMITS
        ),
    ],
)
def test_nan_fails_closed(check):
    assert check(math.nan) is not None
