"""The launch description is plain data: arguments, parameters and environment (no processes, no rclpy)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bt_planner.ros.launch_description import network_env, simulation_launch
from bt_planner.ros.node_parameters import PlannerNodeParameters, SimNodeParameters

LAUNCH_FILE = Path(__file__).resolve().parents[2] / "launch" / "bt.launch.py"


def test_simulation_launch_has_both_nodes_with_shared_world():
    spec = simulation_launch(
        world_file="/w.yaml", time_scale=4.0, planner=PlannerNodeParameters(tick_period_s=0.05)
    )
    sim, planner = spec.nodes
    assert (sim.executable, planner.executable) == ("bt-planner-sim", "bt-planner-node")
    assert sim.parameters == {"world_file": "/w.yaml", "time_scale": 4.0}
    # only what was set is passed, so the planner's other defaults still come from its config file
    assert planner.parameters == {"world_file": "/w.yaml", "config_file": "", "tick_period_s": 0.05}


def test_ros_args_spell_values_as_yaml():
    spec = simulation_launch(world_file="/my worlds/k.yaml", sim=SimNodeParameters(state_rate_hz=50.0))
    argv = spec.nodes[0].argv(python="/py")
    assert argv[:3] == ["/py", "-m", "bt_planner.ros.sim_node"]
    assert argv[3:6] == ["--ros-args", "-r", "__node:=bt_planner_sim"]
    assert 'world_file:="/my worlds/k.yaml"' in argv
    assert "state_rate_hz:=50.0" in argv and "time_scale:=1.0" in argv


def test_network_env_defaults_to_localhost_and_checks_domain(monkeypatch):
    monkeypatch.delenv("ROS_AUTOMATIC_DISCOVERY_RANGE", raising=False)
    assert network_env() == {"ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}
    monkeypatch.setenv("ROS_AUTOMATIC_DISCOVERY_RANGE", "SUBNET")
    assert network_env(domain_id=7) == {"ROS_AUTOMATIC_DISCOVERY_RANGE": "SUBNET", "ROS_DOMAIN_ID": "7"}
    with pytest.raises(ValueError, match=r"0\.\.232"):
        network_env(domain_id=300)


def test_launch_file_explains_itself_without_ros_launch():
    spec = importlib.util.spec_from_file_location("bt_launch", LAUNCH_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    if importlib.util.find_spec("launch_ros") is None:
        with pytest.raises(RuntimeError, match="bt-planner launch"):
            module.generate_launch_description()
    else:  # a ROS distro: the description builds
        assert module.generate_launch_description() is not None
