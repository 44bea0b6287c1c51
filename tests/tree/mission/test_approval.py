"""The approval gate: nothing reaches the robot before an operator approves; rejections and timeouts end REJECTED."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest

from bt_planner.config import ApprovalPolicy, ExecutionSettings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.errors import ApprovalError
from bt_planner.execution import GivenPlanPlanner, MissionRunner
from bt_planner.journal import Journal, order_problems
from bt_planner.plans.plan import Plan
from bt_planner.robot import Goal
from bt_planner.sim import SimulatedRobot
from bt_planner.tree.mission import ApprovalBroker, ApprovalDecision, ApprovalRequest, MissionState
from bt_planner.tree.mission.approval_policy import approval_reasons
from tests.sample_plans import action, kitchen_plan


class CountingRobot(SimulatedRobot):
    """The simulator, counting every goal it is sent (robot side)."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.goals: list[Goal] = []

    def send_goal(self, goal: Goal) -> int:
        self.goals.append(goal)
        return super().send_goal(goal)


def make_runner(
    world: World, approval: Any, *, journal: Journal | None = None, plan: Plan | None = None
) -> tuple[MissionRunner, CountingRobot]:
    robot = CountingRobot(world)
    limits = SafetyLimits()
    runner = MissionRunner(
        planner=GivenPlanPlanner(plan or Plan.model_validate(kitchen_plan()), limits=limits),
        robot=robot,
        world=world,
        limits=limits,
        settings=ExecutionSettings(max_replans=0, approval=approval),
        journal=journal,
    )
    return runner, robot


def answer_with(broker: ApprovalBroker, verdict: str, seen: list[int]) -> None:
    """Answer every request as it opens, noting how many goals the robot had by then."""

    def on_change(request: ApprovalRequest, decision: ApprovalDecision | None) -> None:
        if decision is None:
            threading.Thread(target=_answer, args=(broker, request.id, verdict)).start()

    broker.subscribe(on_change)


def _answer(broker: ApprovalBroker, request_id: str, verdict: str) -> None:
    if verdict == "approve":
        broker.approve(request_id, by="alice", via="test")
    else:
        broker.reject(request_id, by="bob", via="test", reason="not the cup")


def test_always_no_goal_reaches_the_robot_before_approval_then_the_plan_runs(
    tmp_path: Path, world: World
) -> None:
    journal = Journal.open(tmp_path / "j.db")
    runner, robot = make_runner(world, "always", journal=journal)
    goals_when_asked: list[int] = []
    runner.mission.approvals.subscribe(
        lambda r, d: goals_when_asked.append(len(robot.goals)) if d is None else None
    )
    answer_with(runner.mission.approvals, "approve", [])
    with runner:
        report = runner.run("fetch the cup")
    assert goals_when_asked == [0]
    assert report.status.state is MissionState.SUCCEEDED and len(robot.goals) == 5
    assert [e.state for e in report.events][:3] == [
        MissionState.PLANNING,
        MissionState.AWAITING_APPROVAL,
        MissionState.EXECUTING,
    ]
    journal.flush()
    events = journal.events(report.journal_id)
    granted = [e for e in events if e.kind == "approval_granted"]
    assert granted[0].data["decision"]["by"] == "alice" and granted[0].data["decision"]["via"] == "test"
    assert journal.command(report.journal_id or 0).approval == "approved by alice via test"
    assert order_problems(journal) == []
    journal.close()


def test_a_rejected_plan_never_moves_and_ends_rejected_with_who_and_why(world: World) -> None:
    runner, robot = make_runner(world, "always")
    answer_with(runner.mission.approvals, "reject", [])
    with runner:
        report = runner.run("fetch the cup")
    assert robot.goals == []
    assert report.status.state is MissionState.REJECTED
    assert report.status.reason == "plan rejected by bob via test: not the cup"
    assert robot.state().pose.x == 0.0 and robot.state().pose.y == 0.0


def test_an_unanswered_plan_times_out_rejected_and_never_moves(world: World) -> None:
    runner, robot = make_runner(world, ApprovalPolicy(mode="always", timeout_s=0.05))
    with runner:
        report = runner.run("fetch the cup")
    assert robot.goals == []
    assert report.status.state is MissionState.REJECTED
    assert report.status.reason.startswith("approval timed out: no answer within 0.05 s")


@pytest.mark.parametrize("stop", ["cancel", "estop"])
def test_cancel_or_e_stop_while_waiting_closes_the_request_at_once(world: World, stop: str) -> None:
    # The approval waits a minute; cancelling must not: the request closes and the command ends now.
    runner, robot = make_runner(world, ApprovalPolicy(mode="always", timeout_s=60.0))

    def on_change(request: ApprovalRequest, decision: ApprovalDecision | None) -> None:
        if decision is None:
            stopper = runner.mission.cancel if stop == "cancel" else lambda: runner.mission.estop(True)
            threading.Thread(target=stopper).start()

    runner.mission.approvals.subscribe(on_change)
    with runner:
        report = runner.run("fetch the cup")
    assert robot.goals == []
    assert runner.mission.approvals.pending() == []
    assert report.status.state is MissionState.CANCELLED


def test_never_runs_without_asking(world: World) -> None:
    runner, robot = make_runner(world, "never")
    with runner:
        report = runner.run("fetch the cup")
    assert report.status.state is MissionState.SUCCEEDED and len(robot.goals) == 5
    assert runner.mission.approvals.pending() == []


def test_a_per_command_override_adds_a_gate_but_cannot_remove_one(world: World) -> None:
    runner, robot = make_runner(world, "never")
    with runner:
        report = runner.run("fetch", approval=ApprovalPolicy(mode="always", timeout_s=0.05))
        assert report.status.state is MissionState.REJECTED and robot.goals == []
    runner, robot = make_runner(world, ApprovalPolicy(mode="always", timeout_s=0.05))
    with runner:
        report = runner.run("fetch", approval=ApprovalPolicy(mode="never"))
        assert report.status.state is MissionState.REJECTED and robot.goals == []


def test_policies_name_why_a_plan_needs_approval() -> None:
    plan = Plan.model_validate(kitchen_plan())
    assert approval_reasons(ApprovalPolicy(mode="never"), None, plan, []) == []
    assert approval_reasons(ApprovalPolicy.model_validate("for_actions grasp, place"), None, plan, []) == [
        "action 2 (grasp) needs approval (the configured for_actions policy)",
        "action 4 (place) needs approval (the configured for_actions policy)",
    ]
    assert approval_reasons(ApprovalPolicy(mode="on_warnings"), None, plan, []) == []
    speak = Plan.model_validate({"actions": [action("speak", message="hi")]})
    assert approval_reasons(ApprovalPolicy.model_validate("for_actions grasp"), None, speak, []) == []


def test_a_tree_without_the_gate_cannot_bypass_it(tmp_path: Path, world: World) -> None:
    xml = Path(__file__).resolve().parents[3] / "trees" / "mission.xml"
    ungated = tmp_path / "ungated.xml"
    ungated.write_text(xml.read_text().replace('<AwaitApproval name="Approval" />', ""))
    robot = CountingRobot(world)
    limits = SafetyLimits()
    runner = MissionRunner(
        planner=GivenPlanPlanner(Plan.model_validate(kitchen_plan()), limits=limits),
        robot=robot, world=world, limits=limits,
        settings=ExecutionSettings(max_replans=0, approval="always"), tree_file=ungated,
    )  # fmt: skip
    with runner:
        report = runner.run("fetch")
    assert robot.goals == []
    assert report.status.state is MissionState.FAILED and "needs approval" in report.status.reason


def test_the_broker_refuses_a_second_answer_and_unknown_ids() -> None:
    broker = ApprovalBroker()
    plan = Plan.model_validate(kitchen_plan())
    request = broker.open(command_id=1, command="x", plan=plan, issues=[], reasons=["r"], timeout_s=60)
    assert [r.id for r in broker.pending()] == [request.id]
    broker.approve(request.id, by="a", via="test")
    with pytest.raises(ApprovalError, match="already approved by a via test"):
        broker.reject(request.id, by="b", via="test")
    with pytest.raises(ApprovalError, match="no approval request 'nope'"):
        broker.approve("nope", by="a", via="test")
    assert broker.pending() == []


def test_the_broker_times_out_on_its_own_clock() -> None:
    now = [0.0]
    broker = ApprovalBroker(clock=lambda: now[0])
    plan = Plan.model_validate(kitchen_plan())
    request = broker.open(command_id=1, command="x", plan=plan, issues=[], reasons=["r"], timeout_s=30)
    assert broker.decision(request.id) is None and broker.seconds_left(request.id) == 30
    now[0] = 30.0
    decision = broker.decision(request.id)
    assert decision is not None and decision.timed_out and not decision.approved and decision.via == "timeout"
