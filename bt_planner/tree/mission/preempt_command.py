"""``PreemptCommand``: a newly submitted command cancels the one being handled."""

import py_trees
from py_trees.common import Access, Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.tree import keys
from bt_planner.tree.mission.mission_status import MissionState
from bt_planner.tree.mission.reporter import MissionReporter


class PreemptCommand(PortsMixin, py_trees.behaviour.Behaviour, register=False):
    """SUCCESS (for one tick) when a new command waits while another is active; FAILURE otherwise.

    Blackboard: reads ``/mission/request``; reads and clears ``/mission/active``.

    Lifecycle: ``update`` reports the active command CANCELLED ("pre-empted by command N"), clears
    ``/mission/active`` and returns SUCCESS; the parent selector then stops the command branch with
    INVALID (its leaves cancel their robot goals and the planner call is dropped). On the next tick
    this returns FAILURE and the command branch picks the new command up. ``initialise`` and
    ``terminate`` do nothing.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(
        self, name: str, *, reporter: MissionReporter, behaviour_class_name: str | None = None
    ) -> None:
        super().__init__(name=name, behaviour_class_name=behaviour_class_name)
        self.reporter = reporter
        self.blackboard = self.attach_blackboard_client(name=name)
        self.blackboard.register_key(key=keys.MISSION_REQUEST, access=Access.READ)
        self.blackboard.register_key(key=keys.MISSION_ACTIVE, access=Access.WRITE)

    def update(self) -> Status:
        request = self.blackboard.get(keys.MISSION_REQUEST)
        active = self.blackboard.get(keys.MISSION_ACTIVE)
        if request is None or active is None:
            self.feedback_message = "no newer command"
            return Status.FAILURE
        self.reporter.report(
            active, MissionState.CANCELLED, reason=f"pre-empted by command {request.id}: {request.command!r}"
        )
        self.blackboard.set(keys.MISSION_ACTIVE, None)
        self.feedback_message = f"command {active.id} pre-empted by command {request.id}"
        return Status.SUCCESS

    def xml_attributes(self) -> dict[str, str]:
        return {}
