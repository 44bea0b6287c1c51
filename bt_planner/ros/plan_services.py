"""The planner node's dry-run services: ``plan_command`` (``srv/PlanCommand``) and ``verify_plan``
(``srv/VerifyPlan``).

Neither moves the robot nor touches the mission: ``plan_command`` plans and verifies a command with the
node's planner against the robot's current state and the mission's world belief and returns the plan and
every issue; ``verify_plan`` checks a plan in the seed wire format with the node's safety limits. Each
issue names its action, rule and numbers (``PlanIssue``).

Planning takes as long as the model does, so ``plan_command`` is an async callback: the state and world
are read on the executor thread (where the mission ticks), the planner runs on a worker thread, and a
short timer hands finished plans back to the executor, so ticks and feedback never wait for the model.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from typing import Any

from bt_planner_msgs.srv import PlanCommand, VerifyPlan
from rclpy.callback_groups import MutuallyExclusiveCallbackGroup
from rclpy.node import Node
from rclpy.task import Future

from bt_planner.core.issues import IssueCode, PlanIssue, has_errors
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.planning.result import PlanResult
from bt_planner.plans.parsing import parse_plan
from bt_planner.plans.plan import Plan
from bt_planner.ros import plan_messages
from bt_planner.tree.mission import CommandPlanner
from bt_planner.verification.verifier import Verifier

PLAN_COMMAND = "plan_command"
VERIFY_PLAN = "verify_plan"
DELIVERY_PERIOD_S = 0.02
"""How often finished plans are handed back to the executor thread."""


def _summary(plan: Plan | None, issues: list[PlanIssue]) -> str:
    errors = [issue for issue in issues if issue.severity.value == "error"]
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"{errors[0]}{more}"
    if plan is None:
        return "no plan"
    warned = f", {len(issues)} warning(s)" if issues else ""
    return f"a safe plan of {len(plan.actions)} step(s){warned}"


class PlanServices:
    """Serves ``plan_command`` and ``verify_plan`` on ``node``.

    ``state`` and ``world`` return the robot's current state and the mission's world belief (called on
    the executor thread); ``planner`` is the node's planner (the one the mission uses).
    """

    def __init__(
        self,
        node: Node,
        *,
        planner: CommandPlanner,
        limits: SafetyLimits,
        state: Callable[[], RobotState],
        world: Callable[[], World],
        max_command_length: int,
    ) -> None:
        self.node = node
        self.planner = planner
        self.limits = limits
        self.verifier = Verifier(limits)
        self._state = state
        self._world = world
        self.max_command_length = max_command_length
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="plan-service")
        self._pending: list[tuple[concurrent.futures.Future[PlanResult], Future[PlanResult]]] = []
        # A pending coroutine holds its callback group until it returns: plan_command gets its own group
        # (one call at a time; the rest queue), so the node's default group (the tick) never waits for it,
        # and so does the timer that completes it.
        self._plan_service = node.create_service(
            PlanCommand, PLAN_COMMAND, self._on_plan_command, callback_group=MutuallyExclusiveCallbackGroup()
        )
        self._verify_service = node.create_service(VerifyPlan, VERIFY_PLAN, self._on_verify_plan)
        self._timer = node.create_timer(
            DELIVERY_PERIOD_S, self._deliver, callback_group=MutuallyExclusiveCallbackGroup()
        )

    # ---- plan_command ---------------------------------------------------------------------------

    def _refusal(self, command: str) -> PlanIssue | None:
        if not command.strip():
            return PlanIssue(
                code=IssueCode.SCHEMA_INVALID, message="the command is empty", rule="command.empty"
            )
        if len(command) > self.max_command_length:
            return PlanIssue(
                code=IssueCode.INPUT_TOO_LARGE,
                message=f"the command has {len(command)} characters; the limit is {self.max_command_length} "
                "(parameter max_command_length)",
                rule="command.max_length",
                value=float(len(command)),
                limit=float(self.max_command_length),
            )
        return None

    async def _on_plan_command(self, request: Any, response: Any) -> Any:
        command = str(request.command)
        refusal = self._refusal(command)
        if refusal is not None:
            return self._fill(response, plan=None, issues=[refusal], world=None)
        state, world = self._state(), self._world()
        answer: Future[PlanResult] = Future(executor=self.node.executor)
        work = self._pool.submit(self.planner.plan, command.strip(), state, world)
        self._pending.append((work, answer))
        result = await answer
        assert result is not None
        response = self._fill(response, plan=result.plan, issues=list(result.issues), world=world)
        response.success = bool(result.success)
        return response

    def _deliver(self) -> None:
        """On the executor thread: complete the service calls whose planning finished."""
        still: list[tuple[concurrent.futures.Future[PlanResult], Future[PlanResult]]] = []
        for work, answer in self._pending:
            if not work.done():
                still.append((work, answer))
                continue
            error = work.exception()
            if error is None:
                answer.set_result(work.result())
            else:
                issue = PlanIssue(code=IssueCode.INTERNAL_ERROR, message=f"the planner failed: {error}")
                answer.set_result(PlanResult(success=False, command="", issues=[issue]))
        self._pending = still

    # ---- verify_plan ----------------------------------------------------------------------------

    def _on_verify_plan(self, request: Any, response: Any) -> Any:
        parsed = parse_plan(str(request.plan_json), limits=self.limits)
        world = self._world()
        if parsed.plan is None:
            return self._fill(response, plan=None, issues=list(parsed.issues), world=world)
        issues = self.verifier.verify(parsed.plan, self._state(), world)
        response = self._fill(response, plan=parsed.plan, issues=issues, world=world)
        response.valid = not has_errors(issues)
        return response

    # ---- shared ---------------------------------------------------------------------------------

    @staticmethod
    def _fill(response: Any, *, plan: Plan | None, issues: list[PlanIssue], world: World | None) -> Any:
        response.plan = plan_messages.plan_to_msg(plan, world=world)
        response.issues = [plan_messages.issue_to_msg(issue) for issue in issues]
        response.message = plan_messages.text(_summary(plan, issues))
        return response

    def destroy(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
        self.node.destroy_timer(self._timer)
        self.node.destroy_service(self._plan_service)
        self.node.destroy_service(self._verify_service)
