"""BT.CPP v4 interoperability, proven against the real BehaviorTree.CPP (``behaviortreepy``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import py_trees
import pytest
from py_trees.common import Status

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.evaluation.suite import LoadedSuite, load_suite
from bt_planner.execution.sim_run import execute_plan
from bt_planner.plans.plan import Plan
from bt_planner.sim import SimulatedRobot
from bt_planner.tree import compile_plan, keys
from bt_planner.tree.compiler import CompiledPlan
from bt_planner.tree.guards import SafetyGuard
from bt_planner.tree.leaves import ActionLeaf
from bt_planner.tree.mission import Mission
from bt_planner.tree.tree_files import find_tree
from bt_planner.tree.xml_export import tree_to_xml
from bt_planner.tree.xml_load import load_tree_xml, plan_node_registry
from tests.sample_plans import kitchen_plan
from tests.tree.btcpp_harness import run_in_btcpp
from tests.tree.test_xml import rich_plan, shout_registry

STANDARD = load_suite("standard")


def _export(plan: Plan, world: World) -> tuple[CompiledPlan, str]:
    robot = SimulatedRobot(world)
    compiled = compile_plan(plan, robot=robot, world=world, limits=SafetyLimits())
    return compiled, tree_to_xml(compiled.root)


def _py_trees_order(compiled: CompiledPlan) -> list[str]:
    """Leaf names in the order py_trees starts them, every action succeeding at once."""
    order: list[str] = []
    for node in compiled.root.iterate():
        if isinstance(node, SafetyGuard):
            node.violation = lambda: None  # type: ignore[method-assign]  # stubs: no live state
    for leaf in compiled.leaves:
        leaf.start = lambda leaf=leaf: order.append(leaf.name)  # type: ignore[method-assign]
        leaf.poll = lambda: (Status.SUCCESS, "stub")  # type: ignore[method-assign]
    keys.init_robot_keys(estop=False)
    for _ in range(len(compiled.leaves) * 2 + 2):
        compiled.root.tick_once()
        if compiled.root.status != Status.RUNNING:
            break
    compiled.release()
    return order


@pytest.mark.parametrize("task", STANDARD.suite.tasks, ids=[t.id for t in STANDARD.suite.tasks])
def test_every_standard_reference_plan_loads_in_btcpp_and_visits_actions_in_py_trees_order(
    task: Any,
) -> None:
    world = STANDARD.world_for(task)
    compiled, xml = _export(task.reference_plan, world)
    run = run_in_btcpp(xml)
    assert run.status == "SUCCESS"
    assert [v.name for v in run.visits] == _py_trees_order(compiled)
    assert [v.node_id for v in run.visits] == [type(leaf).__name__ for leaf in compiled.leaves]


@pytest.mark.parametrize("task", STANDARD.suite.tasks, ids=[t.id for t in STANDARD.suite.tasks])
def test_every_standard_reference_plan_round_trips_byte_identical(task: Any) -> None:
    world = STANDARD.world_for(task)
    _, xml = _export(task.reference_plan, world)
    robot = SimulatedRobot(world)
    parsed = load_tree_xml(xml, registry=plan_node_registry(robot=robot, world=world, limits=SafetyLimits()))
    assert tree_to_xml(parsed) == xml
    again = CompiledPlan.from_root(parsed)
    assert [leaf.params for leaf in again.leaves] == [a.parameters for a in task.reference_plan.actions]
    again.release()


def test_standard_suite_count(loaded: LoadedSuite = STANDARD) -> None:
    assert len(loaded.suite.tasks) >= 20


def test_btcpp_sees_every_action_type_with_its_ports(world: World) -> None:
    registry = shout_registry()
    robot = SimulatedRobot(world)
    compiled = compile_plan(
        rich_plan(registry), robot=robot, world=world, limits=SafetyLimits(), custom_actions=registry
    )
    run = run_in_btcpp(tree_to_xml(compiled.root, custom_actions=registry))
    assert run.status == "SUCCESS"
    by_id = {v.node_id: v.ports for v in run.visits}
    assert set(by_id) == {"Navigate", "Detect", "Grasp", "Place", "Speak", "Turn", "Wait", "Move", "shout"}
    assert by_id["Speak"] == {"message": 'Done {ok} 100% "yes" <b> & 50%7B.'}
    assert by_id["Move"] == {"x": "4.0", "y": "1.0", "z": "0.0", "speed": "0.3"}
    assert by_id["Turn"] == {"direction_vector": 'json:{"x":0.0,"y":-1.0}'}
    assert by_id["shout"] == {"text": "\\{hey}", "volume": "9"}
    compiled.release()


def test_a_failing_action_stops_the_btcpp_sequence_like_py_trees(world: World) -> None:
    _, xml = _export(Plan.model_validate(kitchen_plan()), world)
    run = run_in_btcpp(xml, fail=frozenset({"#3 grasp red_cup"}))
    assert run.status == "FAILURE"
    assert [v.name for v in run.visits] == ["#1 navigate kitchen", "#2 detect cup", "#3 grasp red_cup"]


def _mission(world: World) -> Mission:
    class NoPlanner:
        def plan(self, *args: Any, **kwargs: Any) -> Any:
            raise AssertionError("not planned in this test")

    return Mission(planner=NoPlanner(), robot=SimulatedRobot(world), world=world, limits=SafetyLimits())


def test_mission_tree_file_is_the_export_of_itself_and_loads_in_btcpp(world: World) -> None:
    mission = _mission(world)
    try:
        xml = tree_to_xml(mission.root, tree_id="Mission")
    finally:
        mission.shutdown()
    text = find_tree("mission").read_text(encoding="utf-8")
    start, end = text.index("<!--"), text.index("-->") + len("-->\n")
    assert text[:start] + text[end:] == xml
    run = run_in_btcpp(xml)
    # Stubs succeed: the state copy, then the e-stop branch wins the fallback.
    assert run.status == "SUCCESS"
    assert [v.node_id for v in run.visits] == ["RobotStateToBlackboard", "EStopHalt"]


GROOT_FILE = """<?xml version="1.0" encoding="UTF-8"?>
<root BTCPP_format="4" main_tree_to_execute="Fetch">
  <BehaviorTree ID="Fetch">
    <Sequence name="fetch the cup">
      <SubTree ID="GoAndLook" name="kitchen" place="kitchen" thing="cup"/>
      <RetryUntilSuccessful num_attempts="3">
        <Timeout msec="15000">
          <SafetyGuard>
            <Grasp object_id="red_cup"/>
          </SafetyGuard>
        </Timeout>
      </RetryUntilSuccessful>
      <SubTree ID="GoTo" place="table"/>
      <ForceSuccess>
        <Place location_name="table"/>
      </ForceSuccess>
    </Sequence>
  </BehaviorTree>
  <BehaviorTree ID="GoAndLook">
    <Sequence>
      <SubTree ID="GoTo" place="{place}"/>
      <Detect object_type="{thing}" search_area="{place}"/>
    </Sequence>
  </BehaviorTree>
  <BehaviorTree ID="GoTo">
    <Timeout msec="60000">
      <Navigate location_name="{place}"/>
    </Timeout>
  </BehaviorTree>
  <TreeNodesModel>
    <SubTree ID="GoAndLook">
      <input_port name="place"/>
      <input_port name="thing"/>
    </SubTree>
    <SubTree ID="GoTo">
      <input_port name="place"/>
    </SubTree>
    <Action ID="Navigate"><input_port name="location_name" type="std::string"/></Action>
  </TreeNodesModel>
</root>
"""


def test_groot2_style_file_runs_in_the_simulator_to_the_plans_end_state(tmp_path: Path, world: World) -> None:
    limits = SafetyLimits()
    expected = execute_plan(
        Plan.model_validate(kitchen_plan()), robot=SimulatedRobot(world), world=world, limits=limits
    )
    assert expected.success
    robot = SimulatedRobot(world)
    path = tmp_path / "fetch.xml"
    path.write_text(GROOT_FILE, encoding="utf-8")
    root = load_tree_xml(path, registry=plan_node_registry(robot=robot, world=world, limits=limits))
    compiled = CompiledPlan.from_root(root)
    assert [type(leaf).__name__ for leaf in compiled.leaves] == [
        "Navigate",
        "Detect",
        "Grasp",
        "Navigate",
        "Place",
    ]
    assert [leaf.index for leaf in compiled.leaves] == [0, 1, 2, 3, 4]
    keys.init_robot_keys(estop=False)
    tree = py_trees.trees.BehaviourTree(root)
    tree.setup()
    for _ in range(5000):
        tree.tick()
        if root.status != Status.RUNNING:
            break
        robot.step(0.1)
    assert root.status == Status.SUCCESS
    end, reference = robot.world_state(), expected.final_world
    assert end.objects["red_cup"].location == reference.objects["red_cup"].location == "table"
    assert robot.state().holding is None
    assert all(isinstance(leaf, ActionLeaf) for leaf in compiled.leaves)
    tree.shutdown()
    compiled.release()


def test_groot2_style_file_loads_in_btcpp_too() -> None:
    run = run_in_btcpp(GROOT_FILE)
    assert run.status == "SUCCESS"
    assert [(v.node_id, v.ports) for v in run.visits][:2] == [
        ("Navigate", {"location_name": "kitchen"}),
        ("Detect", {"object_type": "cup", "search_area": "kitchen"}),
    ]
