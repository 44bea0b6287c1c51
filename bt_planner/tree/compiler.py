"""Plan -> behaviour tree: a ``Sequence(memory=True)`` of guarded, time-limited action leaves.

Each action becomes::

    ActionTimeout "#2 timeout 30s"        fails the action when it overruns (robot clock)
    └── SafetyGuard "#2 guard"             re-checks e-stop, stale state, battery, zone, payload
        └── Detect "#2 detect cup"         the action itself (one leaf class per action type)

Node names avoid ``.`` because py_trees' XML parser joins parent and child names with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import py_trees

from bt_planner.core.geometry import Vec2
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.plans.actions import ActionType
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Action, CustomAction, Plan
from bt_planner.robot.interface import RobotInterface
from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus
from bt_planner.tree.guards.action_timeout import ActionTimeout
from bt_planner.tree.guards.safety_guard import SafetyGuard
from bt_planner.tree.leaves import LEAF_BY_TYPE, ActionLeaf
from bt_planner.tree.leaves.custom import CustomAction as CustomActionLeaf
from bt_planner.tree.leaves.speak import Speak
from bt_planner.tree.timeout_policy import TimeoutPolicy, timeout_s
from bt_planner.verification.trace import drive_end


def clean_name(text: str, limit: int = 40) -> str:
    """``text`` usable as a node name: no dots (the XML parser's separator), short, one line."""
    flat = " ".join(text.replace(".", "·").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def action_title(action: Action) -> str:
    """A short human title: ``navigate kitchen``, ``speak 'hello there'``, ``custom wave``."""
    p = action.parameters.model_dump(mode="json", exclude_none=True)
    kind = action.action_type
    detail = {
        ActionType.NAVIGATE: p.get("location_name", ""),
        ActionType.GRASP: p.get("object_id", ""),
        ActionType.PLACE: p.get("location_name", "at point"),
        ActionType.DETECT: p.get("object_type", ""),
        ActionType.SPEAK: repr(p.get("message", "")),
        ActionType.WAIT: f"{p.get('duration_seconds', 0):g}s",
        ActionType.TURN: f"{p['angle']:g}°" if "angle" in p else "to direction",
        ActionType.MOVE: "to point",
        ActionType.CUSTOM: p.get("name", ""),
    }[kind]
    return clean_name(f"{kind.value} {detail}".strip())


@dataclass(frozen=True)
class CompiledPlan:
    """A plan's behaviour tree (``root``) and its action leaves, in plan order."""

    plan: Plan | None
    root: py_trees.behaviour.Behaviour
    leaves: tuple[ActionLeaf[Any], ...]

    @classmethod
    def from_root(cls, root: py_trees.behaviour.Behaviour, plan: Plan | None = None) -> CompiledPlan:
        """Wrap a tree built elsewhere (e.g. loaded from XML); leaves are found in tree order."""
        leaves = tuple(
            sorted((n for n in root.iterate() if isinstance(n, ActionLeaf)), key=lambda n: n.index)
        )
        return cls(plan=plan, root=root, leaves=leaves)

    def outcomes(self) -> list[ActionOutcome]:
        """Every action's outcome so far (``not_run`` for those never reached)."""
        return [leaf.outcome for leaf in self.leaves]

    def failed_index(self) -> int | None:
        """Index of the first action that failed, if any."""
        for leaf in self.leaves:
            if leaf.outcome.status is ActionStatus.FAILED:
                return leaf.index
        return None

    def progress(self) -> float:
        """Fraction of the plan done, 0..1, counting the running action's own progress."""
        if not self.leaves:
            return 1.0
        done = 0.0
        for leaf in self.leaves:
            status = leaf.outcome.status
            if status is ActionStatus.SUCCEEDED:
                done += 1.0
            elif status is ActionStatus.RUNNING:
                done += leaf.progress
        return done / len(self.leaves)

    def release(self) -> None:
        """Unregister this tree's blackboard clients; py_trees keeps every client until told to.

        Call once the tree will not be ticked again (``execute_plan`` and the mission do), so a
        long-running process does not accumulate one registration per node per plan.
        """
        nodes = list(self.root.iterate())
        for leaf in self.leaves:
            if isinstance(leaf, CustomActionLeaf):
                nodes += list(leaf.body.iterate())
        for node in nodes:
            for client in node.blackboards:
                if client.id() in py_trees.blackboard.Blackboard.clients:
                    client.unregister(clear=False)
            node.blackboards = []

    def reset(self) -> None:
        """Stop the tree if running and forget outcomes, so it can run again from the start."""
        if self.root.status == py_trees.common.Status.RUNNING:
            self.root.stop(py_trees.common.Status.INVALID)
        for leaf in self.leaves:
            leaf.reset_outcome()


def compile_plan(
    plan: Plan,
    *,
    robot: RobotInterface,
    world: World,
    limits: SafetyLimits,
    custom_actions: CustomActionRegistry | None = None,
    timeouts: TimeoutPolicy | None = None,
    rules: Sequence[str] | None = None,
    name: str | None = None,
) -> CompiledPlan:
    """Build the behaviour tree of ``plan`` for ``robot`` in ``world``.

    ``rules`` selects the guard checks (default: all of ``bt_planner.tree.guards.ALL_CHECKS``).
    Raises ``ValueError`` for a custom action that is unregistered or has no behaviour factory.
    """
    policy = timeouts if timeouts is not None else TimeoutPolicy()
    registry = custom_actions if custom_actions is not None else CustomActionRegistry()
    pose = robot.state().pose
    cursor = Vec2(x=pose.x, y=pose.y)
    slots: list[py_trees.behaviour.Behaviour] = []
    leaves: list[ActionLeaf[Any]] = []
    for index, action in enumerate(plan.actions):
        number = f"#{index + 1}"
        title = f"{number} {action_title(action)}"
        leaf: ActionLeaf[Any]
        if isinstance(action, CustomAction):
            leaf = CustomActionLeaf(
                title,
                robot=robot,
                world=world,
                custom_actions=registry,
                index=index,
                params=action.parameters,
            )
        else:
            leaf = LEAF_BY_TYPE[action.action_type](
                title, robot=robot, world=world, index=index, params=action.parameters
            )
            if isinstance(leaf, Speak):
                leaf.limits = limits  # the tick-time speech screen uses the configured word lists
        end_x, end_y = drive_end(action, (cursor.x, cursor.y), world)
        end = Vec2(x=end_x, y=end_y)
        limit = timeout_s(action, start=cursor, end=end, policy=policy)
        cursor = end
        guard = SafetyGuard(
            f"{number} guard",
            leaf,
            robot=robot,
            world=world,
            limits=limits,
            rules=list(rules) if rules else None,
        )
        slots.append(ActionTimeout(f"{number} timeout {limit:.0f}s", guard, robot=robot, duration=limit))
        leaves.append(leaf)
    count = len(plan.actions)
    title = clean_name(name) if name else f"plan ({count} action{'s' if count != 1 else ''})"
    root = py_trees.composites.Sequence(name=title, memory=True, children=slots)
    return CompiledPlan(plan=plan, root=root, leaves=tuple(leaves))
