"""``Replan``: after a failed execution, plan again with the failure context, up to a limit."""

import py_trees
from py_trees.common import Access, Status
from py_trees.ports import PortInformation, PortsMixin

from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.tree import keys
from bt_planner.tree.mission.mission_status import MissionState
from bt_planner.tree.mission.reporter import MissionReporter


class Replan(PortsMixin, py_trees.decorators.Decorator, register=False):
    """Re-runs its child (plan, then execute) while executions fail and re-plans remain.

    Blackboard: reads ``/mission/feedback`` (written by ``ExecutePlan`` on failure); reads and
    clears ``/mission/active`` when it gives up.

    Lifecycle: ``update`` mirrors the child while it runs or succeeds. When the child fails after an
    execution (``/mission/feedback`` is set) and ``feedback.attempt <= max_replans``, it reports
    REPLANNING and returns RUNNING: on the next tick the child starts over and ``PlanCommand`` plans
    with the feedback. Out of re-plans, it reports the command FAILED with the last failure and
    returns FAILURE. A child that failed before executing (rejected plan) already reported its
    terminal state, so FAILURE passes through. ``initialise`` and ``terminate`` do nothing.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}

    def __init__(
        self,
        name: str,
        child: py_trees.behaviour.Behaviour,
        *,
        max_replans: int,
        reporter: MissionReporter,
        behaviour_class_name: str | None = None,
    ) -> None:
        super().__init__(name=name, child=child, behaviour_class_name=behaviour_class_name)
        if int(max_replans) < 0:
            raise ValueError(f"max_replans must be >= 0, got {max_replans}")
        self.max_replans = int(max_replans)
        self.reporter = reporter
        self.blackboard = self.attach_blackboard_client(name=name)
        self.blackboard.register_key(key=keys.MISSION_FEEDBACK, access=Access.READ)
        self.blackboard.register_key(key=keys.MISSION_ACTIVE, access=Access.WRITE)

    def update(self) -> Status:
        status = self.decorated.status
        if status != Status.FAILURE:
            return status
        active = self.blackboard.get(keys.MISSION_ACTIVE)
        feedback: ExecutionFeedback | None = self.blackboard.get(keys.MISSION_FEEDBACK)
        if active is None:
            return Status.FAILURE
        if feedback is None:
            self.reporter.report(
                active, MissionState.FAILED, reason=self.decorated.feedback_message or "failed"
            )
            self.blackboard.set(keys.MISSION_ACTIVE, None)
            return Status.FAILURE
        if feedback.attempt <= self.max_replans:
            self.reporter.report(
                active,
                MissionState.REPLANNING,
                attempt=feedback.attempt + 1,
                reason=f"action {feedback.failed_action_index} failed: {feedback.reason}",
            )
            self.feedback_message = f"re-planning (attempt {feedback.attempt + 1} of {self.max_replans + 1})"
            return Status.RUNNING
        tries = f"{feedback.attempt} attempt{'s' if feedback.attempt != 1 else ''}"
        self.reporter.report(
            active,
            MissionState.FAILED,
            reason=f"action {feedback.failed_action_index} failed: {feedback.reason} (gave up after {tries})",
            failed_action_index=feedback.failed_action_index,
        )
        self.blackboard.set(keys.MISSION_ACTIVE, None)
        self.feedback_message = "out of re-plans"
        return Status.FAILURE

    def xml_attributes(self) -> dict[str, str]:
        return {}
