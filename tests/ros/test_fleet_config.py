"""Fleet configuration and its launch description: pure Python, no ROS needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bt_planner.core.world import World
from bt_planner.ros.fleet import FleetConfig, cli_fleet_launch, fleet_launch

EXAMPLE = Path(__file__).resolve().parents[2] / "launch" / "fleet.example.yaml"


def test_numbered_robots_stand_side_by_side_in_their_own_namespaces(tmp_path: Path) -> None:
    spec = fleet_launch(FleetConfig.numbered(3), run_dir=tmp_path, time_scale=5.0)
    assert [(n.namespace, n.name) for n in spec.nodes] == [
        (f"/robot{k}", name) for k in (1, 2, 3) for name in ("bt_planner_sim", "bt_planner_node")
    ]
    assert len({n.label for n in spec.nodes}) == 6
    planners = [n for n in spec.nodes if n.name == "bt_planner_node"]
    assert planners[1].parameters["fleet_peers"] == "/robot1,/robot3"
    assert "-r" in planners[1].ros_args() and "__ns:=/robot2" in planners[1].ros_args()
    starts = [World.load(str(n.parameters["world_file"])).robot.pose.y for n in planners]
    assert starts == [0.0, 1.5, 3.0]


def test_the_example_fleet_file_loads_and_starts_a_fake_nav2_for_the_nav2_robot(tmp_path: Path) -> None:
    config = FleetConfig.load(EXAMPLE)
    assert [r.name for r in config.robots] == ["robot1", "robot2", "robot3"]
    spec = fleet_launch(config, run_dir=tmp_path)
    robot3 = [n for n in spec.nodes if n.namespace == "/robot3"]
    assert [n.name for n in robot3] == ["bt_planner_sim", "fake_nav2_server", "bt_planner_node"]
    assert robot3[-1].parameters["robot_adapter"] == "nav2"
    assert World.load(str(robot3[0].parameters["world_file"])).robot.pose.x == 1.0


def test_a_world_not_shared_means_no_peers(tmp_path: Path) -> None:
    config = FleetConfig.numbered(2).model_copy(update={"shared_world": False})
    assert all("fleet_peers" not in n.parameters for n in fleet_launch(config, run_dir=tmp_path).nodes)


@pytest.mark.parametrize(
    ("robots", "message"),
    [
        ([{"name": "robot1"}, {"name": "robot1"}], "repeated: robot1"),
        ([{"name": "2nd-robot"}], "must be a ROS name"),
        ([], "at least 1"),
    ],
)
def test_bad_fleets_say_what_is_wrong(robots: list[dict[str, str]], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        FleetConfig.model_validate({"robots": robots})


def test_cli_refuses_both_a_count_and_a_file() -> None:
    with pytest.raises(ValueError, match="not both"):
        cli_fleet_launch(robots=2, fleet_file=EXAMPLE, world_file="", config_file="", time_scale=1.0, env={})
