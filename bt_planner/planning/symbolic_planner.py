"""The symbolic planner: expands a goal list into the ordinary action list, the way the verifier sees the world.

Goal mode lets the model say *what* is wanted (``bt_planner.plans.task_goals``) and works out *how*
here, with the same world model the verifier checks plans against: the robot's reach
(``safety.reach_m``, planar, from where the base stands), one object in the gripper, detection before
a grasp when configured, place only where the robot stands. Each goal is expanded in the order the
user asked, from the state the previous goals left:

- ``go_to`` navigates unless the robot is already there; ``go_to_point`` moves unless it is there.
  A requested ``speed`` makes the drive a ``move`` at that speed (navigate has none), so
  verification checks the speed against ``safety.max_speed_mps``.
- ``hold`` empties the gripper first if it holds something else (puts it down where the robot
  stands), drives to the nearest location from which the object is within reach (none if it already
  is), detects it unless it was already seen, and grasps.
- ``deliver`` holds the object (as above, unless already holding it), drives to the location and
  places it there. When the object already lies there (recorded at the location, or within
  ``ALREADY_THERE_M`` of it) the goal is read as a *fetch from* that place, because that is what
  such a goal almost always means ("bring me the milk from the fridge" written as
  ``deliver(milk, fridge)``): the object goes to the place of a directly following ``go_to``
  (which it replaces), else the robot keeps it (``hold``). When that ``go_to`` leads back to where the
  robot stood as the goals began, where whoever asked is taken to be ("bring me the milk", written
  as ``deliver(milk, fridge), go_to(<where the robot is>)``), the robot keeps the object and drives
  back with it (``hold``, then the ``go_to``) to hand it over instead of putting it down there. The
  reading is a warning
  (``goal.read_as_fetch``) and the result's goals are the goals as read, so a re-plan does not read
  them again. With ``fetch_from_source=False`` such a goal expands to nothing.
- ``find`` drives to the area if one is given, then detects. ``say``, ``wait``, ``turn`` and custom
  goals are one action each; consecutive turns (or waits) are one action of their sum, so "spin
  five times" is checked against ``safety.max_turn_deg`` as the 1800 degrees it is.
- ``refuse`` and ``not_in_world`` give an empty plan: nothing runs, and the result says why.

The expansion never judges limits (weight, distance, zones, battery, speed): the verifier does, on
the expanded plan, with the numbers. Problems only the expansion can see (a name the world lacks,
an object nothing is within reach of, one marked not graspable, an unregistered custom goal) are
issues naming the goal.
The result is an ordinary ``Plan``; ``action_goals`` maps each action back to its goal so
verification issues can name the goal too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from bt_planner.core.geometry import Point
from bt_planner.core.issues import IssueCode, PlanIssue, Severity
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.plans.task_goals import (
    CustomGoal,
    DeliverGoal,
    FindGoal,
    Goal,
    GoalList,
    GoToGoal,
    GoToPointGoal,
    HoldGoal,
    NotInWorldGoal,
    RefuseGoal,
    SayGoal,
    TurnGoal,
    WaitGoal,
    describe_goal,
)

GOAL_UNKNOWN_LOCATION = "goal.unknown_location"
GOAL_UNKNOWN_OBJECT = "goal.unknown_object"
GOAL_UNREACHABLE = "goal.unreachable"
GOAL_UNKNOWN_CUSTOM = "goal.unknown_custom"
GOAL_NOT_GRASPABLE = "goal.not_graspable"
GOAL_REFUSED = "goal.refused"
GOAL_NOT_IN_WORLD = "goal.not_in_world"
GOAL_EMPTY = "goal.empty"
GOAL_READ_AS_FETCH = "goal.read_as_fetch"

AT_TOLERANCE_M = 0.05
"""The robot counts as standing at a location (or point) when its base is this close to it."""
ALREADY_THERE_M = 0.5
"""An object counts as already at a location when it lies this close to the location's position."""


class Expansion(BaseModel):
    """What the symbolic planner made of a goal list.

    ``plan`` is set when every goal expanded (it still has to pass verification; ``issues`` then
    holds only warnings, such as a goal read as a fetch); otherwise ``issues`` say which goal failed
    and why. ``refused`` marks a deliberate empty plan (a ``refuse`` or ``not_in_world`` goal, or no
    goals at all), with the reason in ``issues``. ``goals`` are the goals as the planner read them;
    ``action_goals[i]`` is the index in ``goals`` of the goal that produced action ``i``.
    """

    model_config = ConfigDict(frozen=True)

    plan: Plan | None = None
    goals: tuple[Goal, ...] = ()
    action_goals: tuple[int, ...] = ()
    issues: tuple[PlanIssue, ...] = ()
    refused: bool = False

    def attribute(self, issues: Sequence[PlanIssue]) -> list[PlanIssue]:
        """``issues`` about this expansion's plan, each with the ``goal_index`` of its action's goal."""
        out = []
        for issue in issues:
            index = issue.action_index
            if issue.goal_index is None and index is not None and 0 <= index < len(self.action_goals):
                out.append(issue.model_copy(update={"goal_index": self.action_goals[index]}))
            else:
                out.append(issue)
        return out


class _Impossible(Exception):
    def __init__(self, issue: PlanIssue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _planar(a: Point, b: Point) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


class _Expander:
    """The world as the plan so far leaves it: where the robot is, what it holds, what it has seen."""

    def __init__(
        self,
        *,
        state: RobotState,
        world: World,
        limits: SafetyLimits,
        custom_actions: CustomActionRegistry | None,
        detect_before_grasp: bool,
        seen: frozenset[str],
        fetch_from_source: bool = True,
    ) -> None:
        self.world, self.limits, self.custom_actions = world, limits, custom_actions
        self.fetch_from_source = fetch_from_source
        self.warnings: list[PlanIssue] = []
        self.detect = detect_before_grasp or limits.require_detect_before_grasp
        self.position: Point = (state.pose.x, state.pose.y)
        self.holding = state.holding
        self.hand_busy = state.holding is not None or state.gripper is GripperState.HOLDING
        self.objects: dict[str, Point] = {}
        self.on: dict[str, str | None] = {object_id: obj.location for object_id, obj in world.objects.items()}
        self.seen = set(seen)
        self.actions: list[dict[str, Any]] = []
        self.action_goals: list[int] = []
        self.goals: Sequence[Goal] = ()
        self.goal = 0
        self.asked_at = self._standing_at()
        """Where the robot stands as the goals begin: where whoever asked is taken to be."""

    # ---- what the expansion knows -------------------------------------------------------

    def _object_point(self, object_id: str) -> Point:
        if object_id in self.objects:
            return self.objects[object_id]
        position = self.world.object_position(object_id)
        return (position.x, position.y)

    def _location_point(self, name: str) -> Point:
        position = self.world.locations[name].position
        return (position.x, position.y)

    def _standing_at(self) -> str | None:
        """The named location the base stands at, if any."""
        best = min(
            ((_planar(self.position, self._location_point(n)), n) for n in self.world.locations),
            default=None,
        )
        return best[1] if best is not None and best[0] <= AT_TOLERANCE_M else None

    def _fail(self, code: IssueCode, rule: str, message: str, **numbers: float) -> _Impossible:
        goal = self.goals[self.goal]
        text = f"{describe_goal(goal)}: {message}"
        return _Impossible(PlanIssue(code=code, rule=rule, message=text, goal_index=self.goal, **numbers))

    def _need_location(self, name: str) -> None:
        if name not in self.world.locations:
            known = ", ".join(sorted(self.world.locations)) or "none"
            raise self._fail(
                IssueCode.HALLUCINATED_LOCATION,
                GOAL_UNKNOWN_LOCATION,
                f"this world has no location {name!r} (locations: {known})",
            )

    def _need_object(self, object_id: str) -> None:
        if object_id not in self.world.objects:
            known = ", ".join(sorted(self.world.objects)) or "none"
            raise self._fail(
                IssueCode.HALLUCINATED_OBJECT,
                GOAL_UNKNOWN_OBJECT,
                f"this world has no object {object_id!r} (objects: {known})",
            )

    # ---- steps ------------------------------------------------------------------------------

    def _emit(self, action_type: str, description: str, **parameters: Any) -> None:
        self.actions.append(
            {"action_type": action_type, "parameters": parameters, "description": description}
        )
        self.action_goals.append(self.goal)

    def _merge_previous(self, action_type: str, field: str) -> tuple[float, int]:
        """Take back the last action if it is an ``action_type`` step, to merge it with the next.

        Returns its ``field`` (to add up) and the goal it came from: a merged step is attributed to
        the first goal it serves. ``(0, current goal)`` when there is nothing to merge.
        """
        if not self.actions or self.actions[-1]["action_type"] != action_type:
            return 0.0, self.goal
        first = self.action_goals.pop()
        merged: float = self.actions.pop()["parameters"][field]
        return merged, first

    def _navigate(self, name: str) -> None:
        target = self._location_point(name)
        if _planar(self.position, target) <= AT_TOLERANCE_M:
            return
        self._emit("navigate", f"go to {name}", location_name=name)
        self.position = target

    def _move(self, x: float, y: float, speed: float | None, description: str) -> None:
        if _planar(self.position, (x, y)) <= AT_TOLERANCE_M:
            return
        self._emit("move", description, x=x, y=y, z=0.0, **({"speed": speed} if speed is not None else {}))
        self.position = (x, y)

    def _put_down(self) -> None:
        """Empty the gripper where the robot stands (at its location, else at its feet)."""
        held = self.holding
        here = self._standing_at()
        if here is not None:
            self._emit("place", f"put {held or 'what it holds'} down at {here}", location_name=here)
            placed: Point = self._location_point(here)
        else:
            x, y = self.position
            self._emit(
                "place", f"put {held or 'what it holds'} down here", position={"x": x, "y": y, "z": 0.0}
            )
            placed = self.position
        if held is not None and held in self.world.objects:
            self.objects[held] = placed
            self.on[held] = here
        self.holding, self.hand_busy = None, False

    def _stand_within_reach(self, object_id: str) -> None:
        """Drive to the location nearest the robot from which ``object_id`` is within reach."""
        target = self._object_point(object_id)
        reach = self.limits.reach_m
        if _planar(self.position, target) <= reach:
            return
        candidates = sorted(
            (_planar(self.position, point), _planar(point, target), name)
            for name in self.world.locations
            if _planar(point := self._location_point(name), target) <= reach
        )
        if not candidates:
            nearest = min(
                ((_planar(self._location_point(n), target), n) for n in self.world.locations), default=None
            )
            where = (
                f"; the nearest location, {nearest[1]!r}, is {nearest[0]:.2f} m away"
                if nearest is not None
                else ""
            )
            raise self._fail(
                IssueCode.UNREACHABLE,
                GOAL_UNREACHABLE,
                f"no known location is within reach ({reach:.2f} m) of {object_id!r} at "
                f"({target[0]:.2f}, {target[1]:.2f}){where}",
                limit=reach,
                **({"value": nearest[0]} if nearest is not None else {}),
            )
        self._navigate(candidates[0][2])

    def _hold(self, object_id: str) -> None:
        self._need_object(object_id)
        if self.holding == object_id:
            return
        obj = self.world.objects[object_id]
        if not obj.graspable:
            raise self._fail(
                IssueCode.PRECONDITION_VIOLATED,
                GOAL_NOT_GRASPABLE,
                f"{object_id!r} is marked not graspable in the world file",
            )
        if self.hand_busy:
            self._put_down()
        self._stand_within_reach(object_id)
        if self.detect and object_id not in self.seen:
            self._emit(
                "detect", f"look for the {obj.type}", object_type=obj.type, search_area=self._standing_at()
            )
            self.seen.add(object_id)
        self._emit("grasp", f"pick up {object_id}", object_id=object_id, object_type=obj.type)
        self.holding, self.hand_busy = object_id, True
        self.on[object_id] = None

    def _deliver(self, goal: DeliverGoal) -> None:
        self._need_object(goal.object)
        self._need_location(goal.location)
        if self.holding != goal.object and self._already_at(goal.object, goal.location):
            return
        self._hold(goal.object)
        self._navigate(goal.location)
        self._emit("place", f"put {goal.object} at {goal.location}", location_name=goal.location)
        self.objects[goal.object] = self._location_point(goal.location)
        self.on[goal.object] = goal.location
        self.holding, self.hand_busy = None, False

    def _already_at(self, object_id: str, location: str) -> bool:
        recorded = self.on.get(object_id)
        if recorded is not None:
            return recorded == location
        return _planar(self._object_point(object_id), self._location_point(location)) <= ALREADY_THERE_M

    def _find(self, goal: FindGoal) -> None:
        if goal.area is not None:
            self._need_location(goal.area)
            self._navigate(goal.area)
        self._emit(
            "detect",
            f"look for {goal.object_type}" + (f" around {goal.area}" if goal.area else ""),
            object_type=goal.object_type,
            search_area=goal.area,
        )
        kind = goal.object_type.casefold()
        self.seen.update(
            object_id
            for object_id, obj in self.world.objects.items()
            if obj.type.casefold() == kind
            and _planar(self._object_point(object_id), self.position) <= self.limits.reach_m
        )

    def _custom(self, goal: CustomGoal) -> None:
        registry = self.custom_actions
        if registry is None or registry.get(goal.name) is None:
            known = ", ".join(registry.names()) if registry is not None and len(registry) else "none"
            raise self._fail(
                IssueCode.SCHEMA_INVALID,
                GOAL_UNKNOWN_CUSTOM,
                f"no custom action {goal.name!r} is registered (registered: {known})",
            )
        self._emit("custom", goal.name, name=goal.name, **goal.arguments)

    def expand_one(self, goal: Goal) -> None:
        if isinstance(goal, GoToGoal):
            self._need_location(goal.location)
            if goal.speed is None:
                self._navigate(goal.location)
            else:
                x, y = self._location_point(goal.location)
                self._move(x, y, goal.speed, f"drive to {goal.location} at {goal.speed:g} m/s")
        elif isinstance(goal, GoToPointGoal):
            self._move(goal.x, goal.y, goal.speed, f"drive to ({goal.x:g}, {goal.y:g})")
        elif isinstance(goal, HoldGoal):
            self._hold(goal.object)
        elif isinstance(goal, DeliverGoal):
            self._deliver(goal)
        elif isinstance(goal, FindGoal):
            self._find(goal)
        elif isinstance(goal, SayGoal):
            self._emit("speak", "say it", message=goal.text)
        elif isinstance(goal, WaitGoal):
            earlier, first = self._merge_previous("wait", "duration_seconds")
            total = goal.seconds + earlier
            self._emit("wait", f"wait {total:g} s", duration_seconds=total)
            self.action_goals[-1] = first
        elif isinstance(goal, TurnGoal):
            earlier, first = self._merge_previous("turn", "angle")
            total = goal.angle + earlier
            self._emit("turn", f"turn {total:g} degrees", angle=total)
            self.action_goals[-1] = first
        elif isinstance(goal, CustomGoal):
            self._custom(goal)

    def _read_as_fetch(self, goal: DeliverGoal, following: Goal | None) -> tuple[Goal, bool]:
        """``goal`` as read, and whether the directly following ``go_to`` became its destination.

        A ``deliver`` whose object already lies at its location is read as a fetch from there.
        """
        if (
            not self.fetch_from_source
            or goal.object not in self.world.objects
            or goal.location not in self.world.locations
            or self.holding == goal.object
            or not self._already_at(goal.object, goal.location)
        ):
            return goal, False
        read: Goal
        onward = False
        if isinstance(following, GoToGoal) and following.location == self.asked_at:
            read = HoldGoal(object=goal.object)
            meaning = (
                f"fetching it from there and keeping it to hand over at {following.location},"
                " where the robot was asked"
            )
        elif isinstance(following, GoToGoal) and following.speed is None:
            read, onward = DeliverGoal(object=goal.object, location=following.location), True
            meaning = f"fetching it from there to {following.location}"
        else:
            read = HoldGoal(object=goal.object)
            meaning = "fetching it from there (the robot keeps it)"
        self.warnings.append(
            PlanIssue(
                code=IssueCode.SCHEMA_INVALID,
                severity=Severity.WARNING,
                rule=GOAL_READ_AS_FETCH,
                message=f"deliver {goal.object} to {goal.location}: it already lies there, so the goal is"
                f" read as {meaning}",
                goal_index=len(self.read_goals),
            )
        )
        return read, onward

    def run(self, goals: Sequence[Goal]) -> Expansion:
        self.read_goals: list[Goal] = []
        self.goals = self.read_goals
        index = 0
        while index < len(goals):
            goal, consumed = goals[index], False
            if isinstance(goal, DeliverGoal):
                following = goals[index + 1] if index + 1 < len(goals) else None
                goal, consumed = self._read_as_fetch(goal, following)
            self.goal = len(self.read_goals)
            self.read_goals.append(goal)
            index += 2 if consumed else 1
            try:
                self.expand_one(goal)
            except _Impossible as impossible:
                return Expansion(issues=(impossible.issue,))
        goals = self.read_goals
        try:
            plan = Plan.model_validate(
                {
                    "actions": self.actions,
                    "reasoning": "expanded from goals: " + ", ".join(map(describe_goal, goals)),
                },
                context={"custom_actions": self.custom_actions},
            )
        except ValidationError as error:  # a custom goal's parameters broke its model
            first = error.errors()[0]
            loc = first["loc"]
            at = loc[1] if len(loc) > 1 and isinstance(loc[1], int) else None
            goal_index = self.action_goals[at] if at is not None else None
            return Expansion(
                issues=(
                    PlanIssue(
                        code=IssueCode.SCHEMA_INVALID,
                        message=f"{first['msg']} at {'.'.join(map(str, loc))}",
                        goal_index=goal_index,
                    ),
                )
            )
        return Expansion(
            plan=plan, goals=tuple(goals), action_goals=tuple(self.action_goals), issues=tuple(self.warnings)
        )


def _declined(goals: Sequence[Goal]) -> Expansion | None:
    """An empty plan on purpose: the first ``refuse`` / ``not_in_world`` goal, or no goals at all."""
    if not goals:
        issue = PlanIssue(code=IssueCode.EMPTY_PLAN, rule=GOAL_EMPTY, message="the model returned no goals")
        return Expansion(issues=(issue,), refused=True)
    for index, goal in enumerate(goals):
        if isinstance(goal, RefuseGoal):
            message = f"the model declined: {goal.reason}"
            rule = GOAL_REFUSED
        elif isinstance(goal, NotInWorldGoal):
            message = f"the command asks for {goal.name!r}, which this world does not have"
            rule = GOAL_NOT_IN_WORLD
        else:
            continue
        issue = PlanIssue(code=IssueCode.EMPTY_PLAN, rule=rule, message=message, goal_index=index)
        return Expansion(issues=(issue,), refused=True)
    return None


def expand_goals(
    goals: GoalList | Sequence[Goal],
    *,
    state: RobotState,
    world: World,
    limits: SafetyLimits,
    custom_actions: CustomActionRegistry | None = None,
    detect_before_grasp: bool = True,
    seen: frozenset[str] = frozenset(),
    fetch_from_source: bool = True,
) -> Expansion:
    """The shortest action list that achieves ``goals`` in order, starting from ``state`` in ``world``.

    Args:
        goals: what to achieve, in order.
        state: the robot now (pose, what it holds).
        world: where things are (the world file, or the mission's belief).
        limits: the safety section; its ``reach_m`` and ``require_detect_before_grasp`` shape the plan.
        custom_actions: the registry custom goals are resolved against.
        detect_before_grasp: look for an object before grasping it unless it is in ``seen`` or a
            ``find`` goal saw it from within reach (forced on by ``limits.require_detect_before_grasp``).
        seen: ids of objects already detected, whose positions are known.
        fetch_from_source: read a ``deliver`` of an object to where it already lies as fetching it
            from there (see the module docs); False expands such a goal to nothing.

    Returns:
        The expansion; verify its ``plan`` before running it (``LLMActionPlanner`` does).
    """
    listed = list(goals.goals if isinstance(goals, GoalList) else goals)
    declined = _declined(listed)
    if declined is not None:
        return declined
    expander = _Expander(
        state=state,
        world=world,
        limits=limits,
        custom_actions=custom_actions,
        detect_before_grasp=detect_before_grasp,
        seen=seen,
        fetch_from_source=fetch_from_source,
    )
    return expander.run(listed)


__all__ = [
    "ALREADY_THERE_M",
    "AT_TOLERANCE_M",
    "GOAL_EMPTY",
    "GOAL_NOT_GRASPABLE",
    "GOAL_NOT_IN_WORLD",
    "GOAL_READ_AS_FETCH",
    "GOAL_REFUSED",
    "GOAL_UNKNOWN_CUSTOM",
    "GOAL_UNKNOWN_LOCATION",
    "GOAL_UNKNOWN_OBJECT",
    "GOAL_UNREACHABLE",
    "Expansion",
    "expand_goals",
]
