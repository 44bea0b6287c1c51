"""Every topic the nodes use: name, message type, QoS profile, who talks to whom, and the payload.

Names are relative, so a node started in a namespace (``__ns:=/robot1``) keeps them together, and each
can be remapped with ``--ros-args -r name:=other``. This table is the documentation: the README's topic
table is printed from it (``python -m bt_planner.ros.topics``).
"""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, ConfigDict


class QosKind(str, Enum):
    """The QoS profiles of :mod:`bt_planner.ros.qos`, by name (so this module needs no rclpy)."""

    COMMAND = "command"
    """reliable, volatile, keep last 10: every message counts, late joiners get nothing old."""
    COMMAND_QUEUE = "command_queue"
    """reliable, volatile, keep last 1000: like command, deep enough that a burst of commands is not lost."""
    STATUS = "status"
    """reliable, transient local, keep last 1000: every command's statuses survive a burst of commands."""
    LATCHED = "latched"
    """reliable, transient local, keep last 1: a late joiner gets the current value at once."""
    LATCHED_HISTORY = "latched_history"
    """reliable, transient local, keep last 20: no transition is lost; a late joiner gets recent ones."""
    SENSOR = "sensor"
    """best effort, volatile, keep last 5: high-rate state where only the newest sample matters."""


class Topic(BaseModel):
    """One topic: default name, ``package/Type``, QoS, publisher → subscriber, and what it carries."""

    model_config = ConfigDict(frozen=True)

    name: str
    type: str
    qos: QosKind
    route: str
    payload: str


ROBOT_COMMAND = Topic(
    name="robot_command", type="std_msgs/String", qos=QosKind.COMMAND_QUEUE, route="user → planner",
    payload="the command in plain words; a new command pre-empts the running one; empty, too long or "
    "beyond the queue: REJECTED on planner_status",
)  # fmt: skip
ESTOP = Topic(
    name="estop", type="std_msgs/Bool", qos=QosKind.LATCHED, route="user → planner",
    payload="true halts everything at once and cancels the running command; false releases",
)  # fmt: skip
PLANNED_ACTIONS = Topic(
    name="planned_actions", type="std_msgs/String", qos=QosKind.LATCHED, route="planner → any",
    payload='the accepted plan, seed wire format: {"actions": [...], "reasoning", "estimated_total_time"}',
)  # fmt: skip
PLANNER_STATUS = Topic(
    name="planner_status", type="std_msgs/String", qos=QosKind.STATUS, route="planner → any",
    payload='{"status", "timestamp", "details", "command"}; status is a PlannerStatus name',
)  # fmt: skip
PLANNER_FEEDBACK = Topic(
    name="planner_feedback", type="std_msgs/String", qos=QosKind.COMMAND, route="planner → any",
    payload='{"timestamp", "command", "attempt", "action_index", "action_count", "action", "message"}',
)  # fmt: skip
PLANNER_STATE = Topic(
    name="planner_state", type="bt_planner_msgs/PlannerStatus", qos=QosKind.LATCHED_HISTORY,
    route="planner → any",
    payload="the same statuses as planner_status, typed (stamp, status constant, status_name, command, "
    "details); for rqt, ros2 topic echo and C++ clients",
)  # fmt: skip
WORLD_MARKERS = Topic(
    name="world_markers", type="visualization_msgs/MarkerArray", qos=QosKind.LATCHED, route="planner → RViz",
    payload="namespaces locations, objects, obstacles, forbidden_zones (the world belief) and plan_path, "
    "plan_targets (the current plan, the running step highlighted); frame map; launch/bt_planner.rviz",
)  # fmt: skip
TREE_SNAPSHOT = Topic(
    name="tree_snapshot", type="std_msgs/String", qos=QosKind.LATCHED, route="planner → viewers",
    payload="TreeSnapshot JSON (bt_planner.snapshot), on change and every snapshot_period_s",
)  # fmt: skip
GOAL_POSE = Topic(
    name="goal_pose", type="geometry_msgs/PoseStamped", qos=QosKind.COMMAND, route="planner → robot",
    payload="base goal: a drive (facing its direction of travel) or, at the robot's own position, a turn; "
    "goal id = header.stamp in integer nanoseconds",
)  # fmt: skip
CMD_VEL = Topic(
    name="cmd_vel", type="geometry_msgs/Twist", qos=QosKind.COMMAND, route="planner → robot",
    payload="base velocity; the planner sends a zero twist to stop the base on cancel and e-stop "
    "(the simulator treats any twist as a stop)",
)  # fmt: skip
SPEECH = Topic(
    name="speech", type="std_msgs/String", qos=QosKind.COMMAND, route="planner → robot",
    payload='{"op": "goal", "goal_id", "goal": {"kind": "speak", "message"}}',
)  # fmt: skip
MANIPULATION = Topic(
    name="manipulation", type="std_msgs/String", qos=QosKind.COMMAND, route="planner → robot",
    payload='{"op": "goal", "goal_id", "goal": {"kind": grasp|place|detect, ...}} or {"op": "cancel", "goal_id"}',
)  # fmt: skip
GOAL_STATUS = Topic(
    name="goal_status", type="std_msgs/String", qos=QosKind.LATCHED_HISTORY, route="robot → planner",
    payload='{"goal_id", "kind", "state": idle|running|succeeded|failed|cancelled, "progress", "message", '
    '"detections"}',
)  # fmt: skip
ODOM = Topic(
    name="odom", type="nav_msgs/Odometry", qos=QosKind.SENSOR, route="robot → planner",
    payload="base pose (x, y, z, yaw as a quaternion) and velocity, frame_id → child_frame_id",
)  # fmt: skip
BATTERY = Topic(
    name="battery_state", type="sensor_msgs/BatteryState", qos=QosKind.SENSOR, route="robot → planner",
    payload="percentage in [0, 1] (ROS convention; the planner works in percent)",
)  # fmt: skip
JOINT_STATES = Topic(
    name="joint_states", type="sensor_msgs/JointState", qos=QosKind.SENSOR, route="robot → planner",
    payload="joint names and positions (rad)",
)  # fmt: skip
GRIPPER_STATE = Topic(
    name="gripper_state", type="std_msgs/String", qos=QosKind.SENSOR, route="robot → planner",
    payload='{"state": open|closed|holding, "holding": object id or null}',
)  # fmt: skip
DETECTIONS = Topic(
    name="detections", type="std_msgs/String", qos=QosKind.LATCHED, route="robot → planner",
    payload='{"timestamp", "detections": [{"object_id", "object_type", "position", "distance_m", "confidence"}]}'
    ": the latest detect result",
)  # fmt: skip
APPROVAL_REQUESTS = Topic(
    name="approval_requests", type="std_msgs/String", qos=QosKind.LATCHED, route="planner → operators",
    payload='{"timestamp", "pending": [{"id", "command_id", "command", "plan", "issues", "reasons", '
    '"timeout_s", ...}]}: plans waiting for approval (answer with the decide_approval service)',
)  # fmt: skip
WORLD_STATE = Topic(
    name="world_state", type="std_msgs/String", qos=QosKind.LATCHED, route="simulator → tests, viewers",
    payload="the simulated World (bt_planner.core.world) as JSON: objects where they are now, robot state",
)  # fmt: skip

ALL_TOPICS: tuple[Topic, ...] = (
    ROBOT_COMMAND, ESTOP, PLANNED_ACTIONS, PLANNER_STATUS, PLANNER_FEEDBACK, TREE_SNAPSHOT, APPROVAL_REQUESTS,
    PLANNER_STATE, WORLD_MARKERS,
    GOAL_POSE, CMD_VEL, SPEECH, MANIPULATION, GOAL_STATUS,
    ODOM, BATTERY, JOINT_STATES, GRIPPER_STATE, DETECTIONS, WORLD_STATE,
)  # fmt: skip


def markdown_table() -> str:
    """The topic table in Markdown, for the README."""
    rows = ["| topic | type | QoS | route | payload |", "| --- | --- | --- | --- | --- |"]
    rows += [
        f"| `{t.name}` | {t.type} | {t.qos.value} | {t.route} | {t.payload.replace('|', '/')} |"
        for t in ALL_TOPICS
    ]
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
