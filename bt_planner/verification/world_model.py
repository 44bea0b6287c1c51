"""The symbolic world-model check: preconditions and effects of each step on a simulated world.

The simulation starts from the robot's state (what it holds) and the world (where objects are),
takes positions from the shared trace, and assumes each step does what it says, so one mistake is
reported once rather than cascading. Preconditions: names exist; grasp needs an empty gripper, the
object within ``reach_m`` (planar) and, if configured, a prior detect of its type; place needs
something held and its target within reach. Effects: grasp takes the object, place puts it down.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Iterator

from bt_planner.core.geometry import Point
from bt_planner.core.issues import IssueCode, PlanIssue, Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World
from bt_planner.plans.plan import DetectAction, GraspAction, NavigateAction, PlaceAction
from bt_planner.verification import rules
from bt_planner.verification.trace import Step

_UNKNOWN_HELD = "an unidentified object"


def _suggest(name: str, known: Iterable[str], kind: str) -> str:
    names = sorted(known)
    if not names:
        return f"the world has no {kind}s"
    close = difflib.get_close_matches(name, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    shown = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"{hint}known {kind}s: {shown}"


def _unknown_location(name: str, world: World, index: int) -> PlanIssue:
    return PlanIssue(
        code=IssueCode.HALLUCINATED_LOCATION,
        rule=rules.WORLD_UNKNOWN_LOCATION,
        message=f"unknown location {name!r}; {_suggest(name, world.locations, 'location')}",
        action_index=index,
    )


def _distance(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def _fmt(p: Point) -> str:
    return f"({p[0]:.2f}, {p[1]:.2f})"


def _out_of_reach(
    *, rule: str, what: str, target: Point, step: Step, steps: list[Step], world: World, limits: SafetyLimits
) -> PlanIssue | None:
    """``target`` must be within reach of the robot; the code says how the plan could be fixed."""
    gap = _distance(step.end, target)
    if gap <= limits.reach_m:
        return None
    head = (
        f"{what} at {_fmt(target)} is {gap:.2f} m from the robot at {_fmt(step.end)}, "
        f"reach {limits.reach_m:.2f} m"
    )
    later = next(
        (s.index for s in steps[step.index + 1 :] if _distance(s.end, target) <= limits.reach_m), None
    )
    near = sorted(
        (_distance((loc.position.x, loc.position.y), target), name) for name, loc in world.locations.items()
    )
    reachable = [name for gap_m, name in near if gap_m <= limits.reach_m]
    if later is not None:
        code, fix = IssueCode.WRONG_ORDER, f"action {later} brings the robot within reach: do it first"
    elif reachable:
        code, fix = IssueCode.MISSING_STEP, f"navigate to {reachable[0]!r} first"
    else:
        code, fix = IssueCode.UNREACHABLE, "no known location is within reach of it: move next to it first"
    return PlanIssue(
        code=code,
        rule=rule,
        message=f"{head}; {fix}",
        action_index=step.index,
        value=gap,
        limit=limits.reach_m,
    )


class _Simulation:
    """The world as the plan changes it: what is held, where placed objects are, what was detected."""

    def __init__(self, *, steps: list[Step], state: RobotState, world: World, limits: SafetyLimits) -> None:
        self.steps, self.world, self.limits = steps, world, limits
        self.holding = state.holding or (_UNKNOWN_HELD if state.gripper is GripperState.HOLDING else None)
        self.placed: dict[str, Point] = {}
        self.detected: set[str] = set()

    def run(self) -> Iterator[PlanIssue | None]:
        for step in self.steps:
            action = step.action
            if isinstance(action, NavigateAction):
                if action.parameters.location_name not in self.world.locations:
                    yield _unknown_location(action.parameters.location_name, self.world, step.index)
            elif isinstance(action, DetectAction):
                yield from self._detect(action, step.index)
            elif isinstance(action, GraspAction):
                yield from self._grasp(action, step)
            elif isinstance(action, PlaceAction):
                yield from self._place(action, step)

    def _object_position(self, object_id: str) -> Point:
        if object_id in self.placed:
            return self.placed[object_id]
        position = self.world.object_position(object_id)
        return (position.x, position.y)

    def _later(self, index: int, wanted: Callable[[Step], bool]) -> int | None:
        return next((s.index for s in self.steps[index + 1 :] if wanted(s)), None)

    def _detect(self, action: DetectAction, index: int) -> Iterator[PlanIssue | None]:
        params, world = action.parameters, self.world
        if params.search_area is not None and params.search_area not in world.locations:
            yield _unknown_location(params.search_area, world, index)
        kind = params.object_type.casefold()
        self.detected.add(kind)
        known = {obj.type.casefold() for obj in world.objects.values()} | {
            o.casefold() for o in world.objects
        }
        if kind not in known:
            yield PlanIssue(
                code=IssueCode.HALLUCINATED_OBJECT,
                rule=rules.DETECT_UNKNOWN_TYPE,
                message=f"no object of type {params.object_type!r} is known in this world; it may not be found",
                action_index=index,
                severity=Severity.WARNING,
            )

    def _grasp(self, action: GraspAction, step: Step) -> Iterator[PlanIssue | None]:
        object_id, index = action.parameters.object_id, step.index
        if self.holding is not None:
            yield PlanIssue(
                code=IssueCode.PRECONDITION_VIOLATED,
                rule=rules.GRASP_GRIPPER_NOT_EMPTY,
                message=f"cannot grasp {object_id!r}: already holding {self.holding!r}; place it first",
                action_index=index,
            )
        self.holding = object_id
        obj = self.world.objects.get(object_id)
        if obj is None:
            yield PlanIssue(
                code=IssueCode.HALLUCINATED_OBJECT,
                rule=rules.WORLD_UNKNOWN_OBJECT,
                message=f"unknown object {object_id!r}; {_suggest(object_id, self.world.objects, 'object')}",
                action_index=index,
            )
            return
        said = action.parameters.object_type
        if said is not None and said.casefold() != obj.type.casefold():
            yield PlanIssue(
                code=IssueCode.HALLUCINATED_OBJECT,
                rule=rules.GRASP_TYPE_MISMATCH,
                message=f"{object_id!r} is a {obj.type!r}, not a {said!r}",
                action_index=index,
            )
        if not obj.graspable:
            yield PlanIssue(
                code=IssueCode.PRECONDITION_VIOLATED,
                rule=rules.GRASP_NOT_GRASPABLE,
                message=f"{object_id!r} is marked not graspable in the world file",
                action_index=index,
            )
        names = (obj.type.casefold(), object_id.casefold())
        if self.limits.require_detect_before_grasp and not self.detected.intersection(names):
            later = self._later(
                index,
                lambda s: (
                    isinstance(s.action, DetectAction) and s.action.parameters.object_type.casefold() in names
                ),
            )
            fix = (
                f"action {later} detects it: do it first"
                if later is not None
                else f"detect a {obj.type!r} first"
            )
            yield PlanIssue(
                code=IssueCode.WRONG_ORDER if later is not None else IssueCode.MISSING_STEP,
                rule=rules.GRASP_NOT_DETECTED,
                message=f"grasps {object_id!r} before detecting it (require_detect_before_grasp); {fix}",
                action_index=index,
            )
        target = self._object_position(object_id)
        self.placed.pop(object_id, None)
        yield _out_of_reach(
            rule=rules.GRASP_OUT_OF_REACH, what=repr(object_id), target=target, step=step, steps=self.steps,
            world=self.world, limits=self.limits,
        )  # fmt: skip

    def _place(self, action: PlaceAction, step: Step) -> Iterator[PlanIssue | None]:
        index, params = step.index, action.parameters
        held, self.holding = self.holding, None
        if held is None:
            later = self._later(index, lambda s: isinstance(s.action, GraspAction))
            fix = f"action {later} grasps: do it first" if later is not None else "grasp an object first"
            yield PlanIssue(
                code=IssueCode.WRONG_ORDER if later is not None else IssueCode.MISSING_STEP,
                rule=rules.PLACE_NOTHING_HELD,
                message=f"places while holding nothing; {fix}",
                action_index=index,
            )
        if params.location_name is not None:
            location = self.world.locations.get(params.location_name)
            if location is None:
                yield _unknown_location(params.location_name, self.world, index)
                return
            target: Point = (location.position.x, location.position.y)
            what = f"location {params.location_name!r}"
        else:
            assert params.position is not None
            target = (params.position.x, params.position.y)
            what = "the place position"
        if held is not None and held in self.world.objects:
            self.placed[held] = target
        if all(math.isfinite(c) for c in target):
            yield _out_of_reach(
                rule=rules.PLACE_OUT_OF_REACH, what=what, target=target, step=step, steps=self.steps,
                world=self.world, limits=self.limits,
            )  # fmt: skip


def check_world_model(
    *, steps: list[Step], state: RobotState, world: World, limits: SafetyLimits
) -> list[PlanIssue]:
    """Every world-model issue of the traced plan, in plan order."""
    simulation = _Simulation(steps=steps, state=state, world=world, limits=limits)
    return [issue for issue in simulation.run() if issue is not None]
