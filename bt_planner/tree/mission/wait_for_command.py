"""``WaitForCommand``: RUNNING until a command is submitted, then makes it the active command."""

import py_trees
from py_trees.common import Access, Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.tree import keys


class WaitForCommand(PortsMixin, py_trees.behaviour.Behaviour, register=False):
    """Takes the pending command off ``/mission/request`` and puts it on ``/mission/active``.

    Blackboard: reads and clears ``/mission/request``; writes ``/mission/active`` and resets
    ``/mission/plan`` and ``/mission/feedback`` to None (a fresh command starts from scratch).

    Lifecycle: ``update`` is RUNNING while no command is pending, SUCCESS once it took one;
    ``initialise`` and ``terminate`` do nothing.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(self, name: str, *, behaviour_class_name: str | None = None) -> None:
        super().__init__(name=name, behaviour_class_name=behaviour_class_name)
        self.blackboard = self.attach_blackboard_client(name=name)
        for key in (keys.MISSION_REQUEST, keys.MISSION_ACTIVE, keys.MISSION_PLAN, keys.MISSION_FEEDBACK):
            self.blackboard.register_key(key=key, access=Access.WRITE)

    def update(self) -> Status:
        request = self.blackboard.get(keys.MISSION_REQUEST)
        if request is None:
            self.feedback_message = "waiting for a command"
            return Status.RUNNING
        self.blackboard.set(keys.MISSION_ACTIVE, request)
        self.blackboard.set(keys.MISSION_REQUEST, None)
        self.blackboard.set(keys.MISSION_PLAN, None)
        self.blackboard.set(keys.MISSION_FEEDBACK, None)
        self.feedback_message = f"command {request.id}: {request.command!r}"
        return Status.SUCCESS

    def xml_attributes(self) -> dict[str, str]:
        return {}
