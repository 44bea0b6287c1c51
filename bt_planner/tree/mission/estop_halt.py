"""``EStopHalt``: while the e-stop is engaged, hold the mission's highest-priority branch and halt."""

import py_trees
from py_trees.common import Access, Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.robot.interface import RobotInterface
from bt_planner.tree import keys
from bt_planner.tree.mission.mission_status import MissionState
from bt_planner.tree.mission.reporter import MissionReporter


class EStopHalt(PortsMixin, py_trees.behaviour.Behaviour, register=False):
    """RUNNING while ``/robot/estop`` is true, so its parent selector pre-empts everything below it.

    Blackboard: reads ``/robot/estop`` (a missing flag counts as engaged: fail closed); reads and
    clears ``/mission/active`` and ``/mission/request``.

    Lifecycle: ``update`` returns FAILURE while the e-stop is off (lower-priority branches run). On
    the first engaged tick ``initialise`` cancels the robot's goal; ``update`` reports the active
    (and any pending) command CANCELLED with reason "emergency stop", clears them and returns
    RUNNING. The parent selector then stops the lower-priority branches with INVALID, whose leaves
    cancel what they started. ``terminate`` has nothing to release: releasing the e-stop does not
    resume the cancelled command.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(
        self,
        name: str,
        *,
        robot: RobotInterface,
        reporter: MissionReporter,
        behaviour_class_name: str | None = None,
    ) -> None:
        super().__init__(name=name, behaviour_class_name=behaviour_class_name)
        self.robot = robot
        self.reporter = reporter
        self.blackboard = self.attach_blackboard_client(name=name)
        self.blackboard.register_key(key=keys.ESTOP, access=Access.READ)
        self.blackboard.register_key(key=keys.MISSION_ACTIVE, access=Access.WRITE)
        self.blackboard.register_key(key=keys.MISSION_REQUEST, access=Access.WRITE)

    def _engaged(self) -> bool:
        try:
            return bool(self.blackboard.get(keys.ESTOP))
        except KeyError:
            return True

    def initialise(self) -> None:
        if self._engaged():
            self.robot.cancel()

    def update(self) -> Status:
        if not self._engaged():
            self.feedback_message = "e-stop released"
            return Status.FAILURE
        for key in (keys.MISSION_ACTIVE, keys.MISSION_REQUEST):
            request = self.blackboard.get(key)
            if request is not None:
                self.reporter.report(request, MissionState.CANCELLED, reason="emergency stop")
                self.blackboard.set(key, None)
        self.feedback_message = "e-stop engaged: robot halted"
        return Status.RUNNING

    def xml_attributes(self) -> dict[str, str]:
        return {}
