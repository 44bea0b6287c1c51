"""BT.CPP v4 XML: export, import (with typed errors), round trips, and tree-definition lookup."""

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
from bt_planner.errors import TreeXmlError
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.robot import RobotInterface
from bt_planner.sim import SimulatedRobot
from bt_planner.tree import compile_plan, keys
from bt_planner.tree.btcpp_controls import SequenceWithMemory
from bt_planner.tree.compiler import CompiledPlan
from bt_planner.tree.leaves import CustomAction, Navigate, Speak
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


def test_round_trip_keeps_structure_names_and_parameters(world: World, sim_robot: SimulatedRobot) -> None:
    registry = shout_registry()
    limits = SafetyLimits()
    compiled = compile_plan(
        rich_plan(registry), robot=sim_robot, world=world, limits=limits, custom_actions=registry
    )
    xml = tree_to_xml(compiled.root, custom_actions=registry)
    document = ET.fromstring(xml)
    assert document.get("BTCPP_format") == "4" and document.get("main_tree_to_execute") == "Plan"
    assert document.find("BehaviorTree/Sequence/Timeout/SafetyGuard/Navigate") is not None
    assert "memory" not in xml
    declared = {node.get("ID") for node in document.find("TreeNodesModel")}  # type: ignore[union-attr]
    assert declared == {
        "Navigate",
        "Detect",
        "Grasp",
        "Place",
        "Speak",
        "Turn",
        "Wait",
        "Move",
        "shout",
        "SafetyGuard",
    }
    port = document.find("TreeNodesModel/Action[@ID='Move']/input_port[@name='speed']")
    assert port is not None and port.get("type") == "double" and port.text == "m/s"

    nodes = plan_node_registry(robot=sim_robot, world=world, limits=limits, custom_actions=registry)
    parsed = load_tree_xml(xml, registry=nodes)
    assert shape(parsed) == shape(compiled.root)
    assert tree_to_xml(parsed, custom_actions=registry) == xml
    again = CompiledPlan.from_root(parsed)
    original = {leaf.index: leaf.params for leaf in compiled.leaves}
    assert {leaf.index: leaf.params for leaf in again.leaves} == original
    speak = next(leaf for leaf in again.leaves if isinstance(leaf, Speak))
    assert speak.params.message == 'Done {ok} 100% "yes" <b> & 50%7B.'
    custom = next(leaf for leaf in again.leaves if isinstance(leaf, CustomAction))
    assert custom.body.name == "shout 9" and custom.params.arguments == {"text": "{hey}", "volume": 9}


def test_controls_map_by_memory_and_reactivity_both_ways() -> None:
    leaf = py_trees.behaviours.Success
    root = py_trees.composites.Selector(
        "root",
        memory=False,
        children=[
            py_trees.composites.Sequence("s", memory=True, children=[leaf("a")]),
            py_trees.composites.Sequence("r", memory=False, children=[leaf("b")]),
            py_trees.composites.Selector("f", memory=True, children=[leaf("c")]),
            SequenceWithMemory("m", children=[leaf("d")]),
            py_trees.decorators.Inverter("i", py_trees.decorators.FailureIsSuccess("fs", leaf("e"))),
            py_trees.decorators.Retry("rt", py_trees.decorators.Repeat("rp", leaf("f"), num_success=2), 3),
            py_trees.composites.Parallel(
                "p", policy=py_trees.common.ParallelPolicy.SuccessOnOne(), children=[leaf("g"), leaf("h")]
            ),
        ],
    )
    xml = tree_to_xml(root)
    tags = [element.tag for element in ET.fromstring(xml).find("BehaviorTree").iter()]  # type: ignore[union-attr]
    assert tags == [
        "BehaviorTree", "ReactiveFallback", "Sequence", "AlwaysSuccess", "ReactiveSequence", "AlwaysSuccess",
        "Fallback", "AlwaysSuccess", "SequenceWithMemory", "AlwaysSuccess", "Inverter", "ForceSuccess",
        "AlwaysSuccess", "RetryUntilSuccessful", "Repeat", "AlwaysSuccess", "Parallel", "AlwaysSuccess",
        "AlwaysSuccess",
    ]  # fmt: skip
    assert tree_to_xml(load_tree_xml(xml, registry={})) == xml


def test_sequence_with_memory_resumes_at_the_failed_child() -> None:
    ticks: list[str] = []

    class Flaky(py_trees.behaviour.Behaviour):
        def __init__(self, name: str, results: list[Status]) -> None:
            super().__init__(name)
            self.results = results

        def update(self) -> Status:
            ticks.append(self.name)
            return self.results.pop(0)

    root = SequenceWithMemory(
        "m", children=[Flaky("a", [Status.SUCCESS]), Flaky("b", [Status.FAILURE, Status.SUCCESS])]
    )
    root.tick_once()
    assert root.status == Status.FAILURE
    root.tick_once()
    assert root.status == Status.SUCCESS
    assert ticks == ["a", "b", "b"]


BAD_DOCUMENTS = [
    ("<root BTCPP_format='4'><BehaviorTree ID='T'><Sequence>", "line 1: malformed XML"),
    ('<root BTCPP_format="3"><BehaviorTree ID="T"><Navigate/></BehaviorTree></root>', "BTCPP_format='3'"),
    ('<root>\n<BehaviorTree ID="T">\n<Sequence>\n<Fly/>\n</Sequence></BehaviorTree></root>', "line 4: <Fly>: unknown node 'Fly'"),
    ('<root>\n<include path="x.xml"/></root>', "line 2: <include>: unsupported top-level element"),
    ('<root><BehaviorTree ID="T">\n<Wait duration_seconds="soon"/></BehaviorTree></root>', "line 2: <Wait>: bad port value for 'Wait': duration_seconds"),
    ('<root><BehaviorTree ID="T">\n<Navigate location="kitchen"/></BehaviorTree></root>', "line 2: <Navigate>: bad port value"),
    ('<root><BehaviorTree ID="T"><Timeout msec="fast"><Wait duration_seconds="1"/></Timeout></BehaviorTree></root>', "msec='fast' is not an integer"),
    ('<root><BehaviorTree ID="T"><Navigate location_name="{goal}"/></BehaviorTree></root>', "read the blackboard ({goal})"),
    ('<root><BehaviorTree ID="T"><Inverter/></BehaviorTree></root>', "needs exactly one child"),
    ('<root><BehaviorTree ID="T"><SubTree ID="Nope"/></BehaviorTree></root>', "SubTree ID 'Nope' is not defined"),
    ('<root><BehaviorTree ID="T"><SubTree ID="T"/></BehaviorTree></root>', "includes itself"),
    ('<root><BehaviorTree ID="T"><Wait duration_seconds="1" _skipIf="x"/></BehaviorTree></root>', "scripted"),
    ('<root><BehaviorTree ID="T"><Parallel success_count="2" failure_count="2"><Wait duration_seconds="1"/></Parallel></BehaviorTree></root>', "Parallel success_count='2'"),
    ('<root><BehaviorTree ID="T"><SafetyGuard rules="estop,luck"><Wait duration_seconds="1"/></SafetyGuard></BehaviorTree></root>', "unknown safety guard rule"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "message"), BAD_DOCUMENTS)
def test_bad_documents_are_one_typed_error_naming_element_and_line(
    text: str, message: str, world: World, sim_robot: SimulatedRobot
) -> None:
    registry = plan_node_registry(robot=sim_robot, world=world, limits=SafetyLimits())
    with pytest.raises(TreeXmlError) as error:
        load_tree_xml(text, registry=registry)
    assert message in str(error.value)
    assert "\n" not in str(error.value) and error.value.line >= 0


def test_subtree_ports_remap_literals_and_parent_keys(world: World, sim_robot: SimulatedRobot) -> None:
    text = """<root BTCPP_format="4" main_tree_to_execute="Main">
      <BehaviorTree ID="Main"><SubTree ID="Go" where="kitchen"/></BehaviorTree>
      <BehaviorTree ID="Go"><SubTree ID="Drive" _autoremap="true"/></BehaviorTree>
      <BehaviorTree ID="Drive"><Navigate location_name="{where}"/></BehaviorTree>
    </root>"""
    root = load_tree_xml(
        text, registry=plan_node_registry(robot=sim_robot, world=world, limits=SafetyLimits())
    )
    assert isinstance(root, Navigate) and root.params.location_name == "kitchen" and root.name == "Navigate"


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
    root = py_trees.composites.Sequence("plan", memory=True, children=[py_trees.behaviours.Running("go")])
    with pytest.raises(ValueError, match=r"cannot export Running node 'go' to BT\.CPP XML"):
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
