"""BT.CPP-style XML export read back by py_trees' own parser, and tree-definition lookup."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import py_trees
import pytest
from py_trees.common import Status
from pydantic import BaseModel

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.robot import RobotInterface
from bt_planner.sim import SimulatedRobot
from bt_planner.tree import compile_plan, keys
from bt_planner.tree.compiler import CompiledPlan
from bt_planner.tree.leaves import CustomAction, Speak
from bt_planner.tree.tree_files import available_trees, find_tree, tree_search_paths
from bt_planner.tree.xml_export import tree_to_xml
from bt_planner.tree.xml_load import load_tree_xml, plan_node_registry
from tests.sample_plans import action, kitchen_plan

REPO = Path(__file__).resolve().parents[2]


class ShoutParams(BaseModel):
    text: str
    volume: int = 5


def shout_registry() -> CustomActionRegistry:
    registry = CustomActionRegistry()

    def factory(*, name: str, params: Any, robot: RobotInterface) -> py_trees.behaviour.Behaviour:
        return py_trees.behaviours.Success(name=f"{name} {params.volume}")

    registry.register("shout", ShoutParams, "shout", behaviour_factory=factory)
    return registry


def rich_plan(registry: CustomActionRegistry) -> Plan:
    data = kitchen_plan()
    data["actions"] += [
        action("speak", "tricky text", None, message='Done {ok} 100% "yes" <b> & 50%7B.'),
        action("turn", "face the door", None, direction_vector=[0.0, -1.0]),
        action("wait", "rest", 1.5, duration_seconds=1.5),
        action("move", "step back", None, x=4.0, y=1.0, speed=0.3),
        {"action_type": "custom", "parameters": {"name": "shout", "text": "{hey}", "volume": 9}},
    ]
    return Plan.model_validate(data, context={"custom_actions": registry})


def shape(node: py_trees.behaviour.Behaviour) -> list[tuple[int, str, str]]:
    return [(depth, type(n).__name__, n.name) for depth, n in _walk(node, 0)]


def _walk(node: py_trees.behaviour.Behaviour, depth: int) -> list[tuple[int, py_trees.behaviour.Behaviour]]:
    out = [(depth, node)]
    for child in node.children:
        out += _walk(child, depth + 1)
    return out


def test_round_trip_through_py_trees_parser_keeps_structure_names_and_parameters(
    world: World, sim_robot: SimulatedRobot
) -> None:
    registry = shout_registry()
    limits = SafetyLimits()
    compiled = compile_plan(
        rich_plan(registry), robot=sim_robot, world=world, limits=limits, custom_actions=registry
    )
    xml = tree_to_xml(compiled.root)
    document = ET.fromstring(xml)
    assert document.tag == "root" and document.get("main_tree_to_execute") == "Plan"
    assert document.find("BehaviorTree/Sequence").get("memory") == "true"  # type: ignore[union-attr]

    nodes = plan_node_registry(robot=sim_robot, world=world, limits=limits, custom_actions=registry)
    parsed = load_tree_xml(xml, registry=nodes)
    assert shape(parsed) == shape(compiled.root)
    assert tree_to_xml(parsed) == xml
    again = CompiledPlan.from_root(parsed)
    original = {leaf.index: leaf.params for leaf in compiled.leaves}
    assert {leaf.index: leaf.params for leaf in again.leaves} == original
    speak = next(leaf for leaf in again.leaves if isinstance(leaf, Speak))
    assert speak.params.message == 'Done {ok} 100% "yes" <b> & 50%7B.'
    custom = next(leaf for leaf in again.leaves if isinstance(leaf, CustomAction))
    assert custom.body.name == "shout 9"


def test_parsed_tree_ticks_the_kitchen_plan_to_success(
    tmp_path: Path, world: World, sim_robot: SimulatedRobot
) -> None:
    limits = SafetyLimits()
    compiled = compile_plan(Plan.model_validate(kitchen_plan()), robot=sim_robot, world=world, limits=limits)
    path = tmp_path / "kitchen.xml"
    path.write_text(tree_to_xml(compiled.root), encoding="utf-8")
    parsed = CompiledPlan.from_root(
        load_tree_xml(path, registry=plan_node_registry(robot=sim_robot, world=world, limits=limits))
    )
    keys.init_robot_keys()
    for _ in range(1000):
        parsed.root.tick_once()
        if parsed.root.status != Status.RUNNING:
            break
        sim_robot.step(0.1)
    assert parsed.root.status == Status.SUCCESS
    assert sim_robot.world_state().objects["red_cup"].location == "table"


def test_exporting_an_unknown_node_type_is_refused() -> None:
    root = py_trees.composites.Sequence("plan", memory=True, children=[py_trees.behaviours.Success("ok")])
    with pytest.raises(ValueError, match="cannot export Success node 'ok'"):
        tree_to_xml(root)


def test_missing_xml_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="tree XML file not found"):
        load_tree_xml(tmp_path / "nope.xml", registry={})


def test_mission_tree_is_found_in_the_checkout() -> None:
    path = find_tree("mission")
    assert path == REPO / "trees" / "mission.xml"
    assert find_tree("mission.xml") == path
    assert available_trees()["mission"] == path


def test_trees_path_variable_takes_precedence(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "mission.xml").write_text("<root/>", encoding="utf-8")
    monkeypatch.setenv("BT_PLANNER_TREES_PATH", str(tmp_path))
    assert find_tree("mission") == tmp_path / "mission.xml"


def test_ros_install_share_folder_is_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    share = tmp_path / "install" / "share" / "bt_planner" / "trees"
    share.mkdir(parents=True)
    (share / "patrol.xml").write_text("<root/>", encoding="utf-8")
    monkeypatch.setenv("AMENT_PREFIX_PATH", f"/nonexistent:{tmp_path / 'install'}")
    assert find_tree("patrol") == share / "patrol.xml"


def test_wheel_install_share_folder_is_searched() -> None:
    import sys

    assert Path(sys.prefix) / "share" / "bt_planner" / "trees" in tree_search_paths()


def test_unknown_tree_lists_where_it_looked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BT_PLANNER_TREES_PATH", raising=False)
    with pytest.raises(FileNotFoundError) as error:
        find_tree("no_such_tree")
    message = str(error.value)
    assert "'no_such_tree.xml' not found" in message and str(REPO / "trees") in message
    assert "BT_PLANNER_TREES_PATH" in message
