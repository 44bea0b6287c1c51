"""``ActionTimeout``: fails its action when it runs longer than allowed, on the robot's clock."""

import py_trees
from py_trees.common import Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.robot.interface import RobotInterface
from bt_planner.tree.leaves.action_leaf import find_action_leaf


class ActionTimeout(PortsMixin, py_trees.decorators.Decorator, register=False):
    """Like ``py_trees.decorators.Timeout`` but timed by ``robot.now()`` (simulated time in simulation).

    Lifecycle: ``initialise`` sets the deadline ``now + duration``; ``update`` mirrors the child's
    status until the deadline, then tells the action leaf it timed out, stops the child with
    INVALID (cancelling its goal) and returns FAILURE; ``terminate`` has nothing to release.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(
        self,
        name: str,
        child: py_trees.behaviour.Behaviour,
        *,
        robot: RobotInterface,
        duration: float,
        behaviour_class_name: str | None = None,
    ) -> None:
        super().__init__(name=name, child=child, behaviour_class_name=behaviour_class_name)
        if float(duration) <= 0:
            raise ValueError(f"timeout duration must be positive, got {duration}")
        self.robot = robot
        self.duration = float(duration)
        self.deadline = 0.0

    def initialise(self) -> None:
        self.deadline = self.robot.now() + self.duration
        self.feedback_message = ""

    def update(self) -> Status:
        status = self.decorated.status
        if status != Status.RUNNING:
            return status
        if self.robot.now() < self.deadline:
            return Status.RUNNING
        reason = f"timed out after {self.duration:.1f} s"
        leaf = find_action_leaf(self.decorated)
        if leaf is not None:
            leaf.interrupt(reason)
        self.feedback_message = reason
        self.decorated.stop(Status.INVALID)
        return Status.FAILURE

    def xml_attributes(self) -> dict[str, str]:
        return {"duration": repr(self.duration)}
