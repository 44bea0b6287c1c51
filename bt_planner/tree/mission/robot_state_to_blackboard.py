"""``RobotStateToBlackboard``: publishes the robot's latest state on ``/robot/state`` every tick."""

import py_trees
from py_trees.common import Access, Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.robot.interface import RobotInterface
from bt_planner.tree import keys


class RobotStateToBlackboard(PortsMixin, py_trees.behaviour.Behaviour, register=False):
    """Copies ``robot.state()`` to ``/robot/state`` (``RobotState``, WRITE).

    Lifecycle: ``initialise`` does nothing; ``update`` writes the state and returns SUCCESS (every
    tick); ``terminate`` has nothing to release.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(self, name: str, *, robot: RobotInterface, behaviour_class_name: str | None = None) -> None:
        super().__init__(name=name, behaviour_class_name=behaviour_class_name)
        self.robot = robot
        self.blackboard = self.attach_blackboard_client(name=name)
        self.blackboard.register_key(key=keys.ROBOT_STATE, access=Access.WRITE)

    def update(self) -> Status:
        self.blackboard.set(keys.ROBOT_STATE, self.robot.state())
        return Status.SUCCESS

    def xml_attributes(self) -> dict[str, str]:
        return {}
