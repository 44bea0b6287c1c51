"""The typed plan model: wire format, per-type parameters, units, world files."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from bt_planner.core.state import GripperState
from bt_planner.core.world import World, default_world
from bt_planner.plans.actions import ActionType
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.plans.schema import plan_json_schema
from tests.sample_plans import action, kitchen_plan


def test_wire_format_round_trips():
    plan = Plan.model_validate(kitchen_plan())
    wire = plan.to_wire()
    assert set(wire) == {"actions", "reasoning", "estimated_total_time"}
    assert wire["actions"][0] == kitchen_plan()["actions"][0]
    assert Plan.model_validate(wire) == plan


def test_every_action_type_has_a_parameter_model():
    samples = {
        "move": {"x": 1, "y": 2, "speed": 0.5},
        "grasp": {"object_id": "red_cup"},
        "place": {"position": [1, 2, 0.8], "orientation": 90},
        "speak": {"message": "hello"},
        "detect": {"object_type": "cup", "search_area": "kitchen"},
        "navigate": {"location_name": "kitchen"},
        "wait": {"duration_seconds": 2},
        "turn": {"direction_vector": [0, 1]},
    }
    plan = Plan.model_validate({"actions": [action(t, **p) for t, p in samples.items()]})
    assert [a.action_type for a in plan.actions] == [ActionType(t) for t in samples]


@pytest.mark.parametrize(
    ("action_type", "parameters", "fragment"),
    [
        ("move", {"x": "far", "y": 0}, "x"),
        ("move", {"x": 1, "y": 0, "speed": -1}, "speed"),
        ("place", {"location_name": "table", "position": [1, 1, 1]}, "exactly one"),
        ("place", {}, "exactly one"),
        ("turn", {}, "exactly one"),
        ("turn", {"direction_vector": [0, 0]}, "zero"),
        ("wait", {"duration_seconds": -1}, "duration_seconds"),
        ("speak", {"message": ""}, "message"),
        ("navigate", {"location_name": "kitchen", "speed": 2}, "speed"),
        ("custom", {"name": "wave"}, "not registered"),
    ],
)
def test_invalid_parameters_are_rejected_with_the_field_named(action_type, parameters, fragment):
    with pytest.raises(ValidationError, match=fragment):
        Plan.model_validate({"actions": [action(action_type, **parameters)]})


class WaveParams(BaseModel):
    hand: str
    times: int = 1


def _registry() -> CustomActionRegistry:
    registry = CustomActionRegistry()
    registry.register("wave", WaveParams, "wave a hand")
    return registry


def test_registered_custom_actions_validate_their_parameters():
    registry = _registry()
    plan = Plan.model_validate(
        {"actions": [action("custom", name="wave", hand="left")]}, context={"custom_actions": registry}
    )
    params = plan.actions[0].parameters
    assert registry.typed_params(params) == WaveParams(hand="left", times=1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="hand"):
        Plan.model_validate(
            {"actions": [action("custom", name="wave")]}, context={"custom_actions": registry}
        )
    with pytest.raises(ValidationError, match=r"'dance' is not registered \(registered: wave\)"):
        Plan.model_validate(
            {"actions": [action("custom", name="dance")]}, context={"custom_actions": registry}
        )


def test_custom_actions_appear_in_schema_and_prompt(world: World):
    from bt_planner.llm.prompt import system_prompt

    registry = _registry()
    variants = plan_json_schema(world, registry)["properties"]["actions"]["items"]["anyOf"]
    custom = [v for v in variants if v["properties"]["action_type"]["enum"] == ["custom"]]
    assert len(custom) == 1
    params = custom[0]["properties"]["parameters"]
    assert params["properties"]["name"]["enum"] == ["wave"]
    assert set(params["required"]) == {"name", "hand", "times"}
    assert 'custom(name="wave",hand,times) wave a hand' in system_prompt(registry)


def test_registry_rejects_duplicates_and_bad_names():
    registry = _registry()
    with pytest.raises(ValueError, match="already registered"):
        registry.register("wave", WaveParams, "again")
    with pytest.raises(ValueError, match="identifier"):
        registry.register("two words", WaveParams, "x")


def test_schema_is_strict_everywhere(world: World):
    def walk(node):
        if isinstance(node, dict):
            assert "oneOf" not in node and "$ref" not in node and "default" not in node
            if "properties" in node:
                assert node["additionalProperties"] is False
                assert set(node["required"]) == set(node["properties"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(plan_json_schema(world))


def test_schema_drops_actions_that_cannot_name_anything():
    empty = World(locations={}, objects={})
    variants = plan_json_schema(empty)["properties"]["actions"]["items"]["anyOf"]
    types = {v["properties"]["action_type"]["enum"][0] for v in variants}
    assert "grasp" not in types and "navigate" not in types
    assert {"move", "speak", "wait", "turn", "place"} <= types


def test_default_world_is_the_seed_example():
    world = default_world()
    assert world.locations["kitchen"].position.model_dump() == {"x": 3, "y": 2, "z": 0}
    assert world.locations["table"].position.model_dump() == {"x": 5, "y": 1, "z": 0}
    cup = world.objects["red_cup"]
    assert (cup.type, cup.color, cup.weight_kg) == ("cup", "red", 0.3)
    assert world.object_position("red_cup").model_dump() == {"x": 3.2, "y": 2.1, "z": 0.8}
    assert world.robot.battery_percent == 85 and world.robot.gripper is GripperState.OPEN


def test_world_yaml_round_trip_and_reference_errors(tmp_path, world: World):
    path = tmp_path / "w.yaml"
    path.write_text(world.to_yaml())
    assert World.load(path) == world
    with pytest.raises(ValidationError, match="unknown location 'attic'"):
        World.from_yaml("objects:\n  box: {type: box, location: attic}\n")
    zones = World.from_yaml(
        "forbidden_zones:\n  stairs: {shape: circle, center: [1, 1], radius: 0.5}\n"
        "  pool: {shape: polygon, vertices: [[0, 0], [1, 0], [1, 1]]}\n"
    )
    assert set(zones.forbidden_zones) == {"stairs", "pool"}


def test_replies_json_cannot_parse_safely_are_issues_not_exceptions() -> None:
    from bt_planner.core.issues import IssueCode
    from bt_planner.plans.parsing import parse_goals, parse_plan

    deep = "[" * 5000 + "]" * 5000
    huge = '{"actions": [{"action_type": "wait", "parameters": {"duration_seconds": ' + "9" * 5000 + "}}]}"
    for text, rule in ((deep, "reply.json_depth"), (huge, "reply.number_size")):
        for issues in (parse_plan(text).issues, parse_goals(text).issues):
            assert [(i.code, i.rule) for i in issues] == [(IssueCode.INPUT_TOO_LARGE, rule)]
            assert issues[0].limit is not None
