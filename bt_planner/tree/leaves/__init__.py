"""One py_trees behaviour per plan action type, plus ``CustomAction`` for registered custom actions."""

from bt_planner.errors import ActionRefused
from bt_planner.plans.actions import ActionType
from bt_planner.tree.leaves.action_leaf import ActionLeaf, GoalLeaf, find_action_leaf
from bt_planner.tree.leaves.custom import CustomAction
from bt_planner.tree.leaves.detect import Detect
from bt_planner.tree.leaves.grasp import Grasp
from bt_planner.tree.leaves.move import Move
from bt_planner.tree.leaves.navigate import Navigate
from bt_planner.tree.leaves.place import Place
from bt_planner.tree.leaves.speak import Speak
from bt_planner.tree.leaves.turn import Turn
from bt_planner.tree.leaves.wait import Wait

LEAF_BY_TYPE: dict[ActionType, type[ActionLeaf]] = {  # type: ignore[type-arg]
    ActionType.MOVE: Move,
    ActionType.GRASP: Grasp,
    ActionType.PLACE: Place,
    ActionType.SPEAK: Speak,
    ActionType.DETECT: Detect,
    ActionType.NAVIGATE: Navigate,
    ActionType.WAIT: Wait,
    ActionType.TURN: Turn,
    ActionType.CUSTOM: CustomAction,
}
"""The behaviour class of each action type."""

__all__ = [
    "LEAF_BY_TYPE",
    "ActionLeaf",
    "ActionRefused",
    "CustomAction",
    "Detect",
    "GoalLeaf",
    "Grasp",
    "Move",
    "Navigate",
    "Place",
    "Speak",
    "Turn",
    "Wait",
    "find_action_leaf",
]
