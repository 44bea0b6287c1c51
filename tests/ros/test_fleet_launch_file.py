"""``launch/fleet.launch.py`` builds the fleet from the same node specs as ``bt-planner launch --robots N``
(namespaces, parameters, environment), testable as plain data without ROS launch installed."""

from __future__ import annotations

import importlib.util
import inspect
from pathlib import Path
from types import ModuleType

import pytest

from bt_planner.ros.fleet import cli_fleet_launch
from bt_planner.ros.launch_description import network_env

LAUNCH_DIR = Path(__file__).resolve().parents[2] / "launch"


@pytest.fixture(scope="module")
def fleet_file() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fleet_launch_file", LAUNCH_DIR / "fleet.launch.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_robots_n_puts_each_robots_nodes_in_its_namespace_with_peers(fleet_file, tmp_path):
    spec = fleet_file.fleet_spec(robots="2", time_scale="4", run_dir=tmp_path)
    placed = [(node.namespace, node.name) for node in spec.nodes]
    assert placed == [
        ("/robot1", "bt_planner_sim"), ("/robot1", "bt_planner_node"),
        ("/robot2", "bt_planner_sim"), ("/robot2", "bt_planner_node"),
    ]  # fmt: skip
    sim1, planner1, _, planner2 = spec.nodes
    assert sim1.parameters == {"world_file": str(tmp_path / "robot1.world.yaml"), "time_scale": 4.0}
    assert planner1.parameters["world_file"] == str(tmp_path / "robot1.world.yaml")
    assert (planner1.parameters["fleet_peers"], planner2.parameters["fleet_peers"]) == ("/robot2", "/robot1")
    assert (tmp_path / "robot2.world.yaml").is_file()
    assert spec.env["ROS_AUTOMATIC_DISCOVERY_RANGE"]


def test_the_description_is_the_one_bt_planner_launch_starts(fleet_file, tmp_path):
    from_file = fleet_file.fleet_spec(robots="3", time_scale="2.5", run_dir=tmp_path / "a")
    from_cli = cli_fleet_launch(
        robots=3, fleet_file=None, world_file="", config_file="", time_scale=2.5, env=network_env(),
        run_dir=tmp_path / "a",
    )  # fmt: skip
    assert from_file == from_cli


def test_each_node_becomes_a_launch_ros_node_in_its_namespace(fleet_file, tmp_path):
    node = fleet_file.fleet_spec(robots="2", run_dir=tmp_path).nodes[3]
    arguments = fleet_file.node_arguments(node)
    assert arguments["namespace"] == "/robot2" and arguments["name"] == "bt_planner_node"
    assert (arguments["package"], arguments["executable"]) == ("bt_planner", "bt-planner-node")
    assert arguments["parameters"] == [node.parameters]


def test_a_fleet_file_names_robots_adapters_and_fake_nav2(fleet_file, tmp_path):
    spec = fleet_file.fleet_spec(fleet_file=str(LAUNCH_DIR / "fleet.example.yaml"), run_dir=tmp_path)
    robot3 = [node for node in spec.nodes if node.namespace == "/robot3"]
    assert [node.name for node in robot3] == ["bt_planner_sim", "fake_nav2_server", "bt_planner_node"]
    assert robot3[-1].parameters["robot_adapter"] == "nav2"


def test_bad_arguments_say_which_and_every_declared_argument_is_used(fleet_file, tmp_path):
    with pytest.raises(ValueError, match=r"robots:=0: a fleet has 1 to 32"):
        fleet_file.fleet_spec(robots="0", run_dir=tmp_path)
    with pytest.raises(ValueError, match=r"robots:='two'"):
        fleet_file.fleet_spec(robots="two", run_dir=tmp_path)
    with pytest.raises(ValueError, match=r"unknown argument 'robot:=2'"):
        fleet_file.parse_arguments(["robot:=2"])
    assert fleet_file.parse_arguments(["robots:=3", "time_scale:=2"]) == {"robots": "3", "time_scale": "2"}
    declared = set(fleet_file.ARGUMENTS)
    assert declared == set(inspect.signature(fleet_file.fleet_spec).parameters) - {"run_dir"}


def test_the_launch_file_explains_itself_without_ros_launch(fleet_file):
    if importlib.util.find_spec("launch_ros") is None:
        with pytest.raises(RuntimeError, match="bt-planner launch --robots N"):
            fleet_file.generate_launch_description()
    else:  # a ROS distro: the description builds
        assert fleet_file.generate_launch_description() is not None
