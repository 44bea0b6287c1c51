"""One task's planning result and (optional) simulated run → its ``TaskResult``."""

from __future__ import annotations

from bt_planner.core.issues import Severity
from bt_planner.core.world import World
from bt_planner.evaluation.end_state import EndState
from bt_planner.evaluation.execution_outcome import ExecutionOutcome
from bt_planner.evaluation.hallucination import reply_actions, unknown_names
from bt_planner.evaluation.metrics import TaskResult
from bt_planner.evaluation.refusal import is_refusal, is_schema_valid
from bt_planner.evaluation.task import Task
from bt_planner.planning.result import PlanResult


def score_task(
    *, task: Task, world: World, result: PlanResult, execution: ExecutionOutcome | None
) -> TaskResult:
    """Check the goal conditions on how the run ended and fill in every per-task metric.

    ``world`` is the task's starting world; ``execution`` is None when no plan ran.
    """
    refused = is_refusal(result)
    end = (
        execution.end if execution is not None else EndState(robot=world.robot, world=world, refused=refused)
    )
    goals = [goal.check(end) for goal in task.goals]
    met = sum(goal.met for goal in goals)
    actions = (
        result.plan.to_wire()["actions"] if result.plan is not None else reply_actions(result.raw_response)
    )
    executability = None
    if execution is not None and execution.actions_total:
        executability = execution.actions_succeeded / execution.actions_total
    return TaskResult(
        task_id=task.id,
        world=task.world,
        tags=task.tags,
        command=task.command,
        expects_refusal=task.expects_refusal,
        schema_valid=is_schema_valid(result),
        verified=result.success,
        refused=refused,
        executed=execution is not None,
        actions_total=execution.actions_total if execution is not None else 0,
        actions_succeeded=execution.actions_succeeded if execution is not None else 0,
        executability=executability,
        goals=goals,
        goal_condition_rate=met / len(goals),
        success=met == len(goals),
        hallucinated=sorted({thing.name for thing in unknown_names(actions, world)}),
        issues=[str(issue) for issue in result.issues if issue.severity is Severity.ERROR],
        execution_failure=execution.failure if execution is not None else None,
        latency_ms=result.timings.total_ms,
        prompt_tokens=result.usage.prompt_tokens,
        completion_tokens=result.usage.completion_tokens,
        llm_calls=result.llm_calls,
        sim_time_s=execution.sim_time_s if execution is not None else 0.0,
    )
