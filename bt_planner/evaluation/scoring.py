"""One task's planning result and (optional) simulated run → its ``TaskResult``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bt_planner.core.issues import Severity
from bt_planner.core.world import World
from bt_planner.evaluation.hallucination import reply_actions, unknown_names
from bt_planner.evaluation.metrics import TaskResult
from bt_planner.evaluation.refusal import is_refusal, is_schema_valid
from bt_planner.evaluation.task import Task
from bt_planner.planning.result import PlanResult

if TYPE_CHECKING:  # the executor (and py_trees) load only when a plan runs
    from bt_planner.execution import ExecutionReport


def score_task(
    *, task: Task, world: World, result: PlanResult, execution: ExecutionReport | None
) -> TaskResult:
    """Check the goal conditions on how the run ended and fill in every per-task metric.

    ``world`` is the task's starting world; ``execution`` is the run of the accepted plan, or None
    when no plan was accepted (then the goals are checked on ``world``, with nothing said).
    """
    refused = is_refusal(result)
    end_world = (
        execution.final_world.model_copy(update={"robot": execution.final_state})
        if execution is not None
        else world
    )
    spoken = execution.spoken if execution is not None else []
    goals = [goal.check(end_world, spoken, refused=refused) for goal in task.goals]
    met = sum(goal.met for goal in goals)
    actions = (
        result.plan.to_wire()["actions"] if result.plan is not None else reply_actions(result.raw_response)
    )
    total = len(execution.plan.actions) if execution is not None else 0
    succeeded = execution.succeeded_count() if execution is not None else 0
    executability = succeeded / total if total else None
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
        actions_total=total,
        actions_succeeded=succeeded,
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
        reply=result.raw_response,
    )
