"""``Wait``: stay still for a while, timed on the robot's clock."""

from py_trees.common import Status

from bt_planner.plans.actions import ActionType, WaitParams
from bt_planner.tree.leaves.action_leaf import ActionLeaf


class Wait(ActionLeaf[WaitParams], register=False):
    """Wait ``params.duration_seconds`` of robot time (simulated time under the simulator).

    Lifecycle: ``initialise`` notes the deadline (no robot goal is sent); ``update`` is RUNNING
    with the time left, then SUCCESS; ``terminate(INVALID)`` has nothing to cancel.
    """

    action_type = ActionType.WAIT
    params_model = WaitParams
    _until = 0.0

    def start(self) -> None:
        self._until = self.robot.now() + self.params.duration_seconds

    def poll(self) -> tuple[Status, str]:
        left = self._until - self.robot.now()
        duration = self.params.duration_seconds
        if left <= 1e-9:
            return Status.SUCCESS, f"waited {duration:g} s"
        self.progress = 1.0 - left / duration if duration > 0 else 1.0
        return Status.RUNNING, f"{left:.1f} s left"
