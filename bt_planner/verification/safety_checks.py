"""The safety validator: every step of a traced plan against the configured limits.

Numbers come from ``SafetyLimits`` (configuration) and the world file, never from the command or
the model. Path checks use the straight line between simulated positions; on navigate steps they
follow ``navigate_path_policy``. The plan-wide distance and battery budget are reported once, at
the first step that breaks them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from bt_planner.core.geometry import Vec2
from bt_planner.core.issues import IssueCode, PlanIssue, Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import RobotState
from bt_planner.core.world import World
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import (
    CustomAction,
    GraspAction,
    MoveAction,
    NavigateAction,
    PlaceAction,
    Plan,
    SpeakAction,
    TurnAction,
    WaitAction,
)
from bt_planner.verification import rules
from bt_planner.verification.text_screen import TextClassifier
from bt_planner.verification.trace import Step


def _numbers(value: Any, path: str) -> Iterator[tuple[str, float]]:
    if isinstance(value, float):
        yield path, value
    elif isinstance(value, BaseModel):
        for name, item in value:
            yield from _numbers(item, f"{path}.{name}")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _numbers(item, f"{path}[{i}]")


def _finite_issues(step: Step) -> Iterator[PlanIssue | None]:
    action = step.action
    if action.estimated_duration is not None:
        yield rules.finite_rule(
            name="estimated_duration", value=action.estimated_duration, action_index=step.index
        )
    for name, value in _numbers(action.parameters, "parameters"):
        yield rules.finite_rule(name=name, value=value, action_index=step.index)


def _point(p: tuple[float, float]) -> Vec2:
    return Vec2(x=p[0], y=p[1])


def _drive_issues(step: Step, world: World, limits: SafetyLimits, verb: str) -> Iterator[PlanIssue | None]:
    if step.drive_m == 0.0:
        return
    start, end = _point(step.start), _point(step.end)
    yield rules.move_distance_rule(distance_m=step.drive_m, limits=limits, action_index=step.index, verb=verb)
    yield rules.zone_rule(point=end, world=world, limits=limits, action_index=step.index)
    on_path = (
        rules.zone_path_rule(start=start, end=end, world=world, limits=limits, action_index=step.index),
        rules.obstacle_path_rule(start=start, end=end, world=world, limits=limits, action_index=step.index),
    )
    soften = isinstance(step.action, NavigateAction) and limits.navigate_path_policy == "warn"
    for issue in on_path:
        yield issue.model_copy(update={"severity": Severity.WARNING}) if issue and soften else issue


def _step_issues(
    step: Step,
    world: World,
    limits: SafetyLimits,
    registry: CustomActionRegistry | None,
    classifier: TextClassifier | None,
) -> Iterator[PlanIssue | None]:
    action, index = step.action, step.index
    yield from _finite_issues(step)
    yield rules.forbidden_action_rule(name=action.action_type.value, limits=limits, action_index=index)
    if isinstance(action, MoveAction):
        if action.parameters.speed is not None:
            yield rules.speed_rule(speed_mps=action.parameters.speed, limits=limits, action_index=index)
        yield rules.world_bounds_rule(
            point=action.parameters.target(), world=world, limits=limits, action_index=index
        )
        yield from _drive_issues(step, world, limits, "moves")
    elif isinstance(action, NavigateAction):
        yield from _drive_issues(step, world, limits, "navigates")
    elif isinstance(action, WaitAction):
        yield rules.wait_rule(
            duration_s=action.parameters.duration_seconds, limits=limits, action_index=index
        )
    elif isinstance(action, TurnAction) and step.turn_deg is not None:
        yield rules.turn_rule(angle_deg=step.turn_deg, limits=limits, action_index=index)
    elif isinstance(action, SpeakAction):
        yield rules.speech_rule(
            message=action.parameters.message, limits=limits, action_index=index, classifier=classifier
        )
    elif isinstance(action, GraspAction) and action.parameters.object_id in world.objects:
        yield rules.payload_rule(
            object_id=action.parameters.object_id, world=world, limits=limits, action_index=index
        )
    elif isinstance(action, PlaceAction) and action.parameters.position is not None:
        yield rules.world_bounds_rule(
            point=action.parameters.position, world=world, limits=limits, action_index=index
        )
        yield rules.zone_rule(
            point=action.parameters.position.xy(), world=world, limits=limits, action_index=index
        )
    elif isinstance(action, CustomAction):
        name = action.parameters.name
        yield rules.forbidden_action_rule(name=name, limits=limits, action_index=index)
        if registry is None or registry.get(name) is None:
            yield PlanIssue(
                code=IssueCode.FORBIDDEN_ACTION,
                rule=rules.CUSTOM_UNREGISTERED,
                message=f"custom action {name!r} is not registered with this verifier",
                action_index=index,
            )


def check_safety(
    *,
    plan: Plan,
    steps: list[Step],
    state: RobotState,
    world: World,
    limits: SafetyLimits,
    custom_actions: CustomActionRegistry | None = None,
    classifier: TextClassifier | None = None,
) -> list[PlanIssue]:
    """Every safety issue of ``plan`` (traced as ``steps``), in plan order; plan-wide ones first."""
    too_low = rules.battery_rule(battery_percent=state.battery_percent, limits=limits)
    found = [rules.plan_length_rule(length=len(plan.actions), limits=limits), too_low]
    if plan.estimated_total_time is not None:
        found.append(rules.finite_rule(name="estimated_total_time", value=plan.estimated_total_time))
    distance_reported = False
    budget_reported = too_low is not None
    for step in steps:
        found.extend(_step_issues(step, world, limits, custom_actions, classifier))
        if not distance_reported:
            issue = rules.plan_distance_rule(
                distance_m=step.total_drive_m, limits=limits, action_index=step.index
            )
            distance_reported = issue is not None
            found.append(issue)
        if not budget_reported:
            issue = rules.battery_budget_rule(
                predicted_percent=step.battery_after, limits=limits, action_index=step.index
            )
            budget_reported = issue is not None
            found.append(issue)
    return [issue for issue in found if issue is not None]
