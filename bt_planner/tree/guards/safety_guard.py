"""``SafetyGuard``: re-checks the safety rules on live robot state before every tick of its child."""

from collections.abc import Iterator

import py_trees
from py_trees.common import Access, Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.robot.interface import RobotInterface
from bt_planner.tree import keys
from bt_planner.tree.guards.guard_checks import ALL_CHECKS, CHECKS, LiveState
from bt_planner.tree.leaves.action_leaf import find_action_leaf


class SafetyGuard(PortsMixin, py_trees.decorators.Decorator, register=False):
    """Fails its action the moment a safety rule is violated on live state (an "eternal guard").

    ``rules`` names the checks of ``bt_planner.tree.guards.guard_checks.CHECKS`` to run (default: all):
    ``estop``, ``stale``, ``battery``, ``zone``, ``payload``.

    Blackboard: reads ``/robot/estop`` (``bool``) when the ``estop`` rule is on; a missing flag
    trips the guard (fail closed).

    Lifecycle: ``tick`` runs the checks *before* ticking the child, every tick. On a violation it
    tells the action leaf why (so its outcome reads "failed: <rule message>"), stops the child with
    INVALID (the leaf cancels its robot goal) and returns FAILURE with the rule's message as
    ``feedback_message``. Otherwise it ticks the child and ``update`` mirrors the child's status.
    ``initialise`` clears the feedback; ``terminate`` has nothing of its own to release.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(
        self,
        name: str,
        child: py_trees.behaviour.Behaviour,
        *,
        robot: RobotInterface,
        world: World,
        limits: SafetyLimits,
        rules: list[str] | None = None,
        behaviour_class_name: str | None = None,
    ) -> None:
        super().__init__(name=name, child=child, behaviour_class_name=behaviour_class_name)
        chosen = list(ALL_CHECKS if rules is None else rules)
        unknown = [rule for rule in chosen if rule not in CHECKS]
        if unknown:
            raise ValueError(f"unknown safety guard rule(s) {unknown}; known: {', '.join(ALL_CHECKS)}")
        self.rules = [rule for rule in ALL_CHECKS if rule in chosen]
        self._checks = [CHECKS[rule] for rule in self.rules]
        self.robot = robot
        self.world = world
        self.limits = limits
        leaf = find_action_leaf(child)
        self._index = leaf.index if leaf is not None else -1
        self.blackboard = self.attach_blackboard_client(name=name)
        if "estop" in self.rules:
            self.blackboard.register_key(key=keys.ESTOP, access=Access.READ)

    def violation(self) -> str | None:
        """The first tripped rule's message, or None when everything is within limits."""
        estop: bool | None = None
        if "estop" in self.rules:
            try:
                estop = bool(self.blackboard.get(keys.ESTOP))
            except KeyError:
                estop = None
        live = LiveState(state=self.robot.state(), age_s=self.robot.state_age_s(), estop=estop)
        for check in self._checks:
            reason = check(live, self.world, self.limits, self._index)
            if reason is not None:
                return reason
        return None

    def tick(self) -> Iterator[py_trees.behaviour.Behaviour]:
        reason = self.violation()
        if reason is None:
            yield from super().tick()
            return
        leaf = find_action_leaf(self.decorated)
        if leaf is not None:
            leaf.interrupt(f"safety guard: {reason}")
        self.feedback_message = reason
        self.stop(Status.FAILURE)
        yield self

    def initialise(self) -> None:
        self.feedback_message = ""

    def update(self) -> Status:
        return self.decorated.status

    def xml_attributes(self) -> dict[str, str]:
        return {"rules": ",".join(self.rules)}
