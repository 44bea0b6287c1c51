"""The symbolic planner: every goal kind expands to the shortest correct steps, every impossible goal
is an issue naming it, and whatever it expands the verifier's world model accepts."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from bt_planner.core.geometry import Pose
from bt_planner.core.issues import IssueCode, Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World, default_world, packaged_world
from bt_planner.planning import symbolic_planner as sp
from bt_planner.planning.symbolic_planner import Expansion, expand_goals
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.task_goals import GoalList, describe_goal
from bt_planner.verification import Verifier

LIMITS = SafetyLimits()
WORLD_MODEL_CODES = {
    IssueCode.HALLUCINATED_LOCATION,
    IssueCode.HALLUCINATED_OBJECT,
    IssueCode.PRECONDITION_VIOLATED,
    IssueCode.WRONG_ORDER,
    IssueCode.MISSING_STEP,
    IssueCode.UNREACHABLE,
}


class WaveParams(BaseModel):
    hand: str


def _registry() -> CustomActionRegistry:
    registry = CustomActionRegistry()
    registry.register("wave", WaveParams, "wave a hand")
    return registry


def expand(
    goals: list[dict[str, Any]],
    world: World | None = None,
    state: RobotState | None = None,
    **options: Any,
) -> Expansion:
    world = world or default_world()
    return expand_goals(
        GoalList.model_validate({"goals": goals}),
        state=state or world.robot,
        world=world,
        limits=options.pop("limits", LIMITS),
        **options,
    )


def steps(expansion: Expansion) -> list[tuple[str, dict[str, Any]]]:
    assert expansion.plan is not None, expansion.issues
    return [
        (a.action_type.value, a.parameters.model_dump(mode="json", exclude_none=True))
        for a in expansion.plan.actions
    ]


def at(world: World, location: str, *, holding: str | None = None) -> RobotState:
    position = world.locations[location].position
    return RobotState(
        pose=Pose(x=position.x, y=position.y),
        holding=holding,
        gripper=GripperState.HOLDING if holding else GripperState.OPEN,
    )


# ---- each goal kind ------------------------------------------------------------------------------


def test_deliver_goes_to_the_object_detects_grasps_carries_and_places() -> None:
    expansion = expand([{"goal": "deliver", "object": "red_cup", "location": "table"}])
    assert steps(expansion) == [
        ("navigate", {"location_name": "kitchen"}),
        ("detect", {"object_type": "cup", "search_area": "kitchen"}),
        ("grasp", {"object_id": "red_cup", "object_type": "cup"}),
        ("navigate", {"location_name": "table"}),
        ("place", {"location_name": "table"}),
    ]
    assert expansion.action_goals == (0, 0, 0, 0, 0)


def test_without_detect_before_grasp_the_expansion_is_shorter() -> None:
    expansion = expand([{"goal": "hold", "object": "red_cup"}], detect_before_grasp=False)
    assert steps(expansion) == [
        ("navigate", {"location_name": "kitchen"}),
        ("grasp", {"object_id": "red_cup", "object_type": "cup"}),
    ]


def test_safety_can_force_detection_on() -> None:
    limits = SafetyLimits(require_detect_before_grasp=True)
    expansion = expand([{"goal": "hold", "object": "red_cup"}], detect_before_grasp=False, limits=limits)
    assert [kind for kind, _ in steps(expansion)] == ["navigate", "detect", "grasp"]


def test_an_object_already_seen_is_not_looked_for_again() -> None:
    expansion = expand([{"goal": "hold", "object": "red_cup"}], seen=frozenset({"red_cup"}))
    assert [kind for kind, _ in steps(expansion)] == ["navigate", "grasp"]


def test_go_to_is_skipped_when_the_robot_is_already_there() -> None:
    world = default_world()
    assert steps(expand([{"goal": "go_to", "location": "table"}], world, at(world, "table"))) == []
    assert steps(expand([{"goal": "go_to", "location": "kitchen"}], world, at(world, "table"))) == [
        ("navigate", {"location_name": "kitchen"})
    ]


def test_no_navigate_to_where_the_robot_stands_between_goals() -> None:
    expansion = expand([{"goal": "go_to", "location": "kitchen"}, {"goal": "hold", "object": "red_cup"}])
    assert [kind for kind, _ in steps(expansion)] == ["navigate", "detect", "grasp"]
    assert expansion.action_goals == (0, 1, 1)


def test_go_to_point_say_wait_turn_and_find() -> None:
    expansion = expand(
        [
            {"goal": "go_to_point", "x": 2.0, "y": 1.0},
            {"goal": "say", "text": "hello"},
            {"goal": "wait", "seconds": 5},
            {"goal": "turn", "degrees": 180},
            {"goal": "find", "object_type": "cup", "area": "kitchen"},
        ]
    )
    assert steps(expansion) == [
        ("move", {"x": 2.0, "y": 1.0, "z": 0.0}),
        ("speak", {"message": "hello"}),
        ("wait", {"duration_seconds": 5.0}),
        ("turn", {"angle": 180.0}),
        ("navigate", {"location_name": "kitchen"}),
        ("detect", {"object_type": "cup", "search_area": "kitchen"}),
    ]
    assert expansion.action_goals == (0, 1, 2, 3, 4, 4)


def test_a_find_within_reach_counts_as_seeing_the_object() -> None:
    expansion = expand(
        [{"goal": "find", "object_type": "cup", "area": "kitchen"}, {"goal": "hold", "object": "red_cup"}]
    )
    assert [kind for kind, _ in steps(expansion)] == ["navigate", "detect", "grasp"]


def test_holding_something_else_puts_it_down_first_where_the_robot_stands(home_world: World) -> None:
    state = at(home_world, "table", holding="green_cup")
    expansion = expand([{"goal": "deliver", "object": "red_cup", "location": "sink"}], home_world, state)
    assert steps(expansion)[:3] == [
        ("place", {"location_name": "table"}),
        ("navigate", {"location_name": "kitchen"}),
        ("detect", {"object_type": "cup", "search_area": "kitchen"}),
    ]


def test_holding_the_object_already_skips_the_fetch(home_world: World) -> None:
    state = at(home_world, "kitchen", holding="red_cup")
    expansion = expand([{"goal": "deliver", "object": "red_cup", "location": "sink"}], home_world, state)
    assert steps(expansion) == [("navigate", {"location_name": "sink"}), ("place", {"location_name": "sink"})]
    assert steps(expand([{"goal": "hold", "object": "red_cup"}], home_world, state)) == []


def _plate_in_sink() -> World:
    world = packaged_world("home").model_copy(deep=True)
    placed = world.objects["plate"].model_copy(update={"position": None, "location": "sink"})
    return world.model_copy(update={"objects": {**world.objects, "plate": placed}})


def test_delivering_an_object_where_it_already_lies_is_a_no_op_when_fetching_is_off() -> None:
    expansion = expand(
        [{"goal": "deliver", "object": "plate", "location": "sink"}],
        _plate_in_sink(),
        fetch_from_source=False,
    )
    assert steps(expansion) == []
    assert expansion.issues == ()


def test_delivering_an_object_where_it_already_lies_reads_as_fetching_it() -> None:
    # "Bring me the plate from the sink", written as deliver(plate, sink): the robot fetches and keeps it.
    expansion = expand([{"goal": "deliver", "object": "plate", "location": "sink"}], _plate_in_sink())
    assert [name for name, _ in steps(expansion)] == ["navigate", "detect", "grasp"]
    assert [goal.model_dump() for goal in expansion.goals] == [{"goal": "hold", "object": "plate"}]
    (warning,) = expansion.issues
    assert warning.severity is Severity.WARNING
    assert warning.rule == sp.GOAL_READ_AS_FETCH
    assert warning.goal_index == 0
    assert "plate" in warning.message and "sink" in warning.message


def test_a_fetch_followed_by_a_go_to_delivers_there() -> None:
    # "Grab me the plate from the sink, I'm at the table": deliver(plate, sink), go_to(table).
    goals = [
        {"goal": "say", "text": "on my way"},
        {"goal": "deliver", "object": "plate", "location": "sink"},
        {"goal": "go_to", "location": "table"},
        {"goal": "wait", "seconds": 2},
    ]
    expansion = expand(goals, _plate_in_sink())
    assert [name for name, _ in steps(expansion)] == [
        "speak",
        "navigate",
        "detect",
        "grasp",
        "navigate",
        "place",
        "wait",
    ]
    assert steps(expansion)[-2] == ("place", {"location_name": "table"})
    assert [goal.model_dump()["goal"] for goal in expansion.goals] == ["say", "deliver", "wait"]
    assert expansion.action_goals == (0, 1, 1, 1, 1, 1, 2)
    assert expansion.issues[0].goal_index == 1


def test_goals_as_read_are_not_read_again_on_a_re_plan() -> None:
    world = _plate_in_sink()
    first = expand(
        [{"goal": "deliver", "object": "plate", "location": "sink"}, {"goal": "go_to", "location": "table"}],
        world,
    )
    holding = RobotState(pose=world.robot.pose, holding="plate", gripper=GripperState.HOLDING)
    again = expand([goal.model_dump() for goal in first.goals], world, holding)
    assert steps(again) == [("navigate", {"location_name": "table"}), ("place", {"location_name": "table"})]
    assert again.issues == ()


def test_two_deliveries_carry_one_object_at_a_time(home_world: World) -> None:
    expansion = expand(
        [
            {"goal": "deliver", "object": "red_cup", "location": "sink"},
            {"goal": "deliver", "object": "green_cup", "location": "sink"},
        ],
        home_world,
    )
    kinds = [kind for kind, _ in steps(expansion)]
    assert kinds == ["navigate", "detect", "grasp", "navigate", "place"] * 2
    assert Verifier(LIMITS).verify(expansion.plan, home_world.robot, home_world) == []  # type: ignore[arg-type]


def test_custom_goals_become_custom_actions() -> None:
    registry = _registry()
    expansion = expand([{"goal": "custom", "name": "wave", "hand": "left"}], custom_actions=registry)
    assert steps(expansion) == [("custom", {"name": "wave", "hand": "left"})]


# ---- impossible goals and deliberate empty plans -------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "code", "rule", "words"),
    [
        (
            {"goal": "go_to", "location": "garage"},
            IssueCode.HALLUCINATED_LOCATION,
            sp.GOAL_UNKNOWN_LOCATION,
            "garage",
        ),
        ({"goal": "hold", "object": "ghost"}, IssueCode.HALLUCINATED_OBJECT, sp.GOAL_UNKNOWN_OBJECT, "ghost"),
        (
            {"goal": "deliver", "object": "red_cup", "location": "attic"},
            IssueCode.HALLUCINATED_LOCATION,
            sp.GOAL_UNKNOWN_LOCATION,
            "attic",
        ),
        (
            {"goal": "find", "object_type": "cup", "area": "moon"},
            IssueCode.HALLUCINATED_LOCATION,
            sp.GOAL_UNKNOWN_LOCATION,
            "moon",
        ),
        ({"goal": "custom", "name": "juggle"}, IssueCode.SCHEMA_INVALID, sp.GOAL_UNKNOWN_CUSTOM, "juggle"),
    ],
)
def test_names_the_world_lacks_fail_naming_the_goal(
    goal: dict[str, Any], code: IssueCode, rule: str, words: str
) -> None:
    expansion = expand([{"goal": "say", "text": "hi"}, goal])
    assert expansion.plan is None and not expansion.refused
    (issue,) = expansion.issues
    assert (issue.code, issue.rule, issue.goal_index) == (code, rule, 1)
    assert words in issue.message and issue.severity is Severity.ERROR


def test_custom_goal_with_bad_parameters_names_the_goal() -> None:
    expansion = expand(
        [{"goal": "say", "text": "hi"}, {"goal": "custom", "name": "wave", "hand": 3}],
        custom_actions=_registry(),
    )
    (issue,) = expansion.issues
    assert issue.code is IssueCode.SCHEMA_INVALID and issue.goal_index == 1


def test_an_object_no_location_can_reach_is_unreachable_with_the_numbers() -> None:
    world = default_world()
    far = world.objects["red_cup"].model_copy(
        update={"position": world.objects["red_cup"].position.model_copy(update={"x": 9.0, "y": 9.0})}
    )  # type: ignore[union-attr]
    world = world.model_copy(update={"objects": {"red_cup": far}})
    (issue,) = expand([{"goal": "hold", "object": "red_cup"}], world).issues
    assert issue.code is IssueCode.UNREACHABLE and issue.rule == sp.GOAL_UNREACHABLE
    assert issue.limit == LIMITS.reach_m and issue.value is not None and issue.value > LIMITS.reach_m
    assert "'table'" in issue.message  # the nearest location


@pytest.mark.parametrize(
    ("goals", "rule"),
    [
        (
            [{"goal": "go_to", "location": "table"}, {"goal": "refuse", "reason": "it would hurt someone"}],
            sp.GOAL_REFUSED,
        ),
        ([{"goal": "not_in_world", "name": "purple elephant"}], sp.GOAL_NOT_IN_WORLD),
        ([], sp.GOAL_EMPTY),
    ],
)
def test_refusals_and_missing_things_give_an_empty_plan_that_counts_as_refused(
    goals: list[dict[str, Any]], rule: str
) -> None:
    expansion = expand(goals)
    assert expansion.refused and expansion.plan is None
    (issue,) = expansion.issues
    assert issue.code is IssueCode.EMPTY_PLAN and issue.rule == rule


def test_limits_are_left_to_verification_which_names_the_goal(home_world: World) -> None:
    expansion = expand(
        [{"goal": "say", "text": "ok"}, {"goal": "deliver", "object": "cast_iron_pot", "location": "table"}],
        home_world,
    )
    assert expansion.plan is not None  # the expansion does not judge weight
    issues = expansion.attribute(Verifier(LIMITS).verify(expansion.plan, home_world.robot, home_world))
    payload = [i for i in issues if i.rule == "payload.max"]
    assert payload and payload[0].goal_index == 1 and payload[0].code is IssueCode.LIMIT_EXCEEDED
    assert str(payload[0]) == (
        "error limit_exceeded [payload.max]: goal 1, action 3: 'cast_iron_pot' weighs 4.50 kg, payload limit 2.00 kg"
    )


def test_an_object_marked_not_graspable_fails_naming_the_goal() -> None:
    (issue,) = expand([{"goal": "hold", "object": "pallet"}], packaged_world("warehouse")).issues
    assert (issue.code, issue.rule, issue.goal_index) == (
        IssueCode.PRECONDITION_VIOLATED,
        sp.GOAL_NOT_GRASPABLE,
        0,
    )


# ---- the expansion and the verifier agree --------------------------------------------------------

WORLDS = {name: packaged_world(name) for name in ("kitchen", "home", "office", "warehouse")}


@st.composite
def goal_lists(draw: st.DrawFn) -> tuple[World, RobotState, list[dict[str, Any]]]:
    world = WORLDS[draw(st.sampled_from(sorted(WORLDS)))]
    locations, objects = sorted(world.locations), sorted(world.objects)
    types = sorted({o.type for o in world.objects.values()})
    goal = st.one_of(
        st.builds(lambda loc: {"goal": "go_to", "location": loc}, st.sampled_from(locations)),
        st.builds(lambda o: {"goal": "hold", "object": o}, st.sampled_from(objects)),
        st.builds(
            lambda o, loc: {"goal": "deliver", "object": o, "location": loc},
            st.sampled_from(objects),
            st.sampled_from(locations),
        ),
        st.builds(
            lambda t, a: {"goal": "find", "object_type": t, "area": a},
            st.sampled_from(types),
            st.one_of(st.none(), st.sampled_from(locations)),
        ),
        st.builds(lambda s: {"goal": "wait", "seconds": s}, st.integers(0, 20)),
        st.just({"goal": "say", "text": "done"}),
    )
    start = draw(st.sampled_from(locations))
    holding = draw(st.one_of(st.none(), st.sampled_from(objects)))
    return world, at(world, start, holding=holding), draw(st.lists(goal, max_size=8))


@settings(max_examples=200, deadline=None, database=None)
@given(case=goal_lists(), detect=st.booleans())
def test_every_expansion_passes_the_verifiers_world_model(
    case: tuple[World, RobotState, list[dict[str, Any]]], detect: bool
) -> None:
    world, state, goals = case
    expansion = expand(goals, world, state, detect_before_grasp=detect)
    if expansion.plan is None:
        assert expansion.refused or {i.rule for i in expansion.issues} <= {
            sp.GOAL_UNREACHABLE,
            sp.GOAL_NOT_GRASPABLE,
        }
        return
    issues = Verifier(LIMITS).verify(expansion.plan, state, world)
    assert [i for i in issues if i.code in WORLD_MODEL_CODES and i.severity is Severity.ERROR] == []
    assert len(expansion.action_goals) == len(expansion.plan.actions)
    assert list(expansion.action_goals) == sorted(expansion.action_goals)


def test_a_requested_speed_drives_with_move_so_verification_checks_it() -> None:
    world = default_world()
    slow = expand([{"goal": "go_to", "location": "table", "speed": 0.4}], world)
    assert steps(slow) == [("move", {"x": 5.0, "y": 1.0, "z": 0.0, "speed": 0.4})]
    assert Verifier(LIMITS).verify(slow.plan, world.robot, world) == []  # type: ignore[arg-type]
    sprint = expand([{"goal": "go_to_point", "x": 2.0, "y": 1.0, "speed": 3.0}], world)
    issues = Verifier(LIMITS).verify(sprint.plan, world.robot, world)  # type: ignore[arg-type]
    assert [i.code for i in sprint.attribute(issues)] == [IssueCode.LIMIT_EXCEEDED]
    assert sprint.attribute(issues)[0].goal_index == 0


def test_an_object_lying_near_its_destination_counts_as_already_there() -> None:
    # the red cup lies 0.22 m from the kitchen's position; the world file gives it no location name
    goals = [{"goal": "deliver", "object": "red_cup", "location": "kitchen"}]
    assert steps(expand(goals, fetch_from_source=False)) == []
    assert [goal.model_dump()["goal"] for goal in expand(goals).goals] == ["hold"]


def test_a_turn_to_the_right_is_clockwise_and_a_negative_one_turns_back() -> None:
    right = expand([{"goal": "turn", "direction": "right", "degrees": 90}])
    assert steps(right) == [("turn", {"angle": -90.0})]
    assert steps(expand([{"goal": "turn", "direction": "left", "degrees": 45}])) == [
        ("turn", {"angle": 45.0})
    ]
    assert steps(expand([{"goal": "turn", "degrees": 30}])) == [("turn", {"angle": 30.0})]  # left by default
    back = [
        {"goal": "turn", "direction": "left", "degrees": 90},
        {"goal": "turn", "direction": "right", "degrees": 30},
    ]
    assert steps(expand(back)) == [("turn", {"angle": 60.0})]  # merged: 90 left, then 30 right
    assert describe_goal(right.goals[0]) == "turn(right 90°)"


def test_consecutive_turns_and_waits_are_one_step_of_their_sum() -> None:
    spins = [{"goal": "turn", "degrees": 360}] * 5
    expansion = expand(
        [
            *spins,
            {"goal": "say", "text": "done"},
            {"goal": "wait", "seconds": 2},
            {"goal": "wait", "seconds": 3},
        ]
    )
    assert steps(expansion) == [
        ("turn", {"angle": 1800.0}),
        ("speak", {"message": "done"}),
        ("wait", {"duration_seconds": 5.0}),
    ]
    assert expansion.action_goals == (0, 5, 6)
    world = default_world()
    issues = Verifier(LIMITS).verify(expansion.plan, world.robot, world)  # type: ignore[arg-type]
    assert [i.rule for i in issues] == ["turn.bounds"]


def test_a_fetch_followed_by_a_go_to_back_where_it_was_asked_keeps_the_object_to_hand_over() -> None:
    # "Bring me the plate from the sink", said to the robot at its dock, written as
    # deliver(plate, sink), go_to(charging_dock): fetch it, drive back and keep it (no place at the dock).
    world = _plate_in_sink()
    assert world.robot.pose.x == 0.0 and world.robot.pose.y == 0.0  # at the charging dock
    goals = [
        {"goal": "deliver", "object": "plate", "location": "sink"},
        {"goal": "go_to", "location": "charging_dock"},
    ]
    expansion = expand(goals, world)
    assert [name for name, _ in steps(expansion)] == ["navigate", "detect", "grasp", "navigate"]
    assert steps(expansion)[-1] == ("navigate", {"location_name": "charging_dock"})
    assert [goal.model_dump() for goal in expansion.goals] == [
        {"goal": "hold", "object": "plate"},
        {"goal": "go_to", "location": "charging_dock", "speed": None},
    ]
    assert expansion.action_goals == (0, 0, 0, 1)
    (warning,) = expansion.issues
    assert warning.rule == sp.GOAL_READ_AS_FETCH and warning.goal_index == 0
    assert "hand over at charging_dock" in warning.message
