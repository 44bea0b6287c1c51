"""Behaviour trees: one leaf per action, safety guards, the plan compiler, XML, and the mission tree.

Importing this package does not import rclpy (leaves talk to ``bt_planner.robot.RobotInterface``).
"""

from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus
from bt_planner.tree.compiler import CompiledPlan, compile_plan
from bt_planner.tree.guards import ActionTimeout, SafetyGuard
from bt_planner.tree.keys import init_robot_keys
from bt_planner.tree.timeout_policy import TimeoutPolicy
from bt_planner.tree.tree_files import available_trees, find_tree
from bt_planner.tree.xml_export import tree_to_xml
from bt_planner.tree.xml_load import load_tree_xml, plan_node_registry

__all__ = [
    "ActionOutcome",
    "ActionStatus",
    "ActionTimeout",
    "CompiledPlan",
    "SafetyGuard",
    "TimeoutPolicy",
    "available_trees",
    "compile_plan",
    "find_tree",
    "init_robot_keys",
    "load_tree_xml",
    "plan_node_registry",
    "tree_to_xml",
]
