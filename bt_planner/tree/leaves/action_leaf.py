"""``ActionLeaf``: the lifecycle every plan-action leaf shares, and ``GoalLeaf`` for robot goals.

No ``from __future__ import annotations`` here (nor in other node modules): py_trees' XML parser
reads constructor type hints at runtime to convert attribute strings.
"""

from typing import Any, ClassVar, Generic, TypeVar, cast

import py_trees
from py_trees.common import Status
from py_trees.ports import PortInformation, PortsMixin
from pydantic import BaseModel

from bt_planner.core.world import World
from bt_planner.errors import ActionRefused
from bt_planner.plans.actions import ActionType
from bt_planner.robot.goal_status import GoalState, GoalStatus
from bt_planner.robot.interface import RobotInterface
from bt_planner.robot.robot_goals import Goal
from bt_planner.tree.action_outcome import ActionOutcome, ActionStatus
from bt_planner.tree.xml_attributes import from_attributes, to_attributes

P = TypeVar("P", bound=BaseModel)


class ActionLeaf(PortsMixin, py_trees.behaviour.Behaviour, Generic[P], register=False):
    """Base of the one-leaf-per-action behaviours; subclasses implement ``start``, ``poll``, ``halt``.

    Lifecycle:

    * ``initialise``: records the start time and calls ``start`` (sends the robot goal).
    * ``update``: calls ``poll`` and returns its status with a readable ``feedback_message``.
    * ``terminate``: on ``SUCCESS``/``FAILURE`` records the outcome; on ``INVALID`` (pre-empted by a
      parent, a guard or a timeout) calls ``halt`` (cancels the goal) and records it cancelled, or
      failed if a guard or timeout said why via ``interrupt``.

    ``outcome`` always holds this action's ``ActionOutcome`` (status, message, robot-clock times).
    Construct with typed ``params``; the XML parser passes the parameters as attribute strings.
    """

    INPUT_PORTS: dict[str, PortInformation] = {}
    OUTPUT_PORTS: dict[str, PortInformation] = {}
    action_type: ClassVar[ActionType]
    params_model: ClassVar[type[BaseModel]]

    def __init__(
        self,
        name: str,
        *,
        robot: RobotInterface,
        world: World,
        index: int = 0,
        params: P | None = None,
        behaviour_class_name: str | None = None,
        **kwargs: str,
    ) -> None:
        super().__init__(name=name, behaviour_class_name=behaviour_class_name)
        self.robot = robot
        self.world = world
        self.index = int(index)
        if params is None:
            params = cast(P, self.params_model.model_validate(from_attributes(self.params_model, kwargs)))
        elif kwargs:
            raise TypeError(f"{type(self).__name__}: pass params or attributes, not both ({sorted(kwargs)})")
        self.params: P = params
        self.progress = 0.0
        self.outcome = ActionOutcome(index=self.index, action_type=self.action_type, name=self.label())
        self._active = False
        self._refusal: str | None = None
        self._interrupt: str | None = None

    # ---- for subclasses -------------------------------------------------------------------

    def label(self) -> str:
        """The action's name in outcomes: its type, or a custom action's registered name."""
        return self.action_type.value

    def start(self) -> None:
        """Begin the action (send the goal). Raise ``ActionRefused`` if it cannot begin."""

    def poll(self) -> tuple[Status, str]:
        """This tick's status and feedback message."""
        raise NotImplementedError

    def halt(self) -> None:
        """Stop the action on the robot (it was pre-empted)."""

    def xml_attributes(self) -> dict[str, str]:
        """Attributes that rebuild this leaf from XML (see ``bt_planner.tree.xml_export``)."""
        values = self.params.model_dump(mode="json", exclude_none=True)
        return {"index": str(self.index), **to_attributes(values)}

    # ---- lifecycle ------------------------------------------------------------------------

    def initialise(self) -> None:
        """Record the start and send the goal."""
        self._active = True
        self._interrupt = None
        self.progress = 0.0
        self.feedback_message = "starting"
        self.outcome = self.outcome.model_copy(
            update={
                "status": ActionStatus.RUNNING,
                "message": "",
                "started_at": self.robot.now(),
                "ended_at": None,
            }
        )
        try:
            self.start()
            self._refusal = None
        except ActionRefused as refusal:
            self._refusal = str(refusal)

    def update(self) -> Status:
        """Poll the robot: RUNNING while the goal runs, SUCCESS or FAILURE when it ends."""
        if self._refusal is not None:
            self.feedback_message = self._refusal
            return Status.FAILURE
        status, message = self.poll()
        self.feedback_message = message
        return status

    def terminate(self, new_status: Status) -> None:
        """Record the outcome; when pre-empted (INVALID) cancel the robot goal first."""
        if not self._active:
            return
        self._active = False
        if new_status == Status.SUCCESS:
            self.progress = 1.0
            self._record(ActionStatus.SUCCEEDED, self.feedback_message)
        elif new_status == Status.FAILURE:
            self._record(ActionStatus.FAILED, self.feedback_message)
        else:
            self.halt()
            if self._interrupt is not None:
                self.feedback_message = self._interrupt
                self._record(ActionStatus.FAILED, self._interrupt)
            else:
                self.feedback_message = "cancelled"
                self._record(ActionStatus.CANCELLED, "cancelled before it finished")

    def interrupt(self, reason: str) -> None:
        """A guard or timeout is about to stop this action: fail it with ``reason`` instead of cancelling."""
        if self._active:
            self._interrupt = reason
            return
        now = self.robot.now()
        self.feedback_message = reason
        self.outcome = self.outcome.model_copy(
            update={"status": ActionStatus.FAILED, "message": reason, "started_at": now, "ended_at": now}
        )

    def reset_outcome(self) -> None:
        """Forget any previous run (the plan runs again from the start)."""
        self.outcome = ActionOutcome(index=self.index, action_type=self.action_type, name=self.label())
        self.progress = 0.0

    def _record(self, status: ActionStatus, message: str) -> None:
        self.outcome = self.outcome.model_copy(
            update={"status": status, "message": message, "ended_at": self.robot.now()}
        )


class GoalLeaf(ActionLeaf[P], register=False):
    """An action that is one robot goal: ``goal()`` builds it, the robot's goal status drives the leaf.

    Lifecycle: ``initialise`` sends ``goal()``; ``update`` maps the robot's status of *this* goal to
    RUNNING (with progress), SUCCESS or FAILURE (with the robot's reason); ``terminate`` with INVALID
    cancels the goal if it is still the robot's running goal.
    """

    goal_id: int = 0
    """Id of the goal this leaf sent last (0: none yet)."""

    def goal(self) -> Goal:
        raise NotImplementedError

    def on_success(self, status: GoalStatus) -> None:
        """Hook for leaves that publish results (e.g. detections)."""

    def start(self) -> None:
        self.goal_id = self.robot.send_goal(self.goal())

    def poll(self) -> tuple[Status, str]:
        status = self.robot.goal_status()
        if status.goal_id != self.goal_id:
            return Status.FAILURE, f"goal {self.goal_id} was replaced on the robot by goal {status.goal_id}"
        if status.state is GoalState.RUNNING:
            self.progress = status.progress
            detail = f" - {status.message}" if status.message else ""
            return Status.RUNNING, f"{status.progress:.0%}{detail}"
        if status.state is GoalState.SUCCEEDED:
            self.on_success(status)
            return Status.SUCCESS, status.message or "done"
        if status.state is GoalState.FAILED:
            return Status.FAILURE, status.message or "the robot reported a failure without a reason"
        if status.state is GoalState.CANCELLED:
            return Status.FAILURE, f"the robot cancelled the goal ({status.message or 'no reason given'})"
        return Status.FAILURE, "the robot has no record of the goal"

    def halt(self) -> None:
        status = self.robot.goal_status()
        if status.goal_id == self.goal_id and status.state is GoalState.RUNNING:
            self.robot.cancel()


def find_action_leaf(node: py_trees.behaviour.Behaviour) -> ActionLeaf[Any] | None:
    """The action leaf under a chain of decorators (``node`` itself if it is one)."""
    while isinstance(node, py_trees.decorators.Decorator):
        node = node.decorated
    return node if isinstance(node, ActionLeaf) else None
