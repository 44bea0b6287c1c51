"""``SimulatedRobot``: an in-process humanoid that implements ``RobotInterface`` against a ``World``.

The base turns toward its target at a bounded rate, then walks at a bounded speed; it stops at
obstacles. The battery drains with distance walked and with time. The gripper is open, closed
(on nothing) or holding one object, which then moves with the hand. Perception sees objects of a
type within range. Speech is logged. Forbidden zones are not enforced here: keeping out of them is
the job of the tree's guards, so a plan that walks into one is caught the way it would be on a
real robot.

Time only moves in ``step(dt)``: tests and the plan runner step it deterministically; demos pace
the steps with :class:`bt_planner.sim.RealTimePacer`. All public methods are thread-safe.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from bt_planner.core.geometry import Pose, Vec2, Vec3, wrap_angle
from bt_planner.core.state import GripperState, RobotState
from bt_planner.core.world import World, WorldObject
from bt_planner.robot.goal_status import Detection, GoalState, GoalStatus
from bt_planner.robot.robot_goals import (
    DetectGoal,
    DriveGoal,
    Goal,
    GraspGoal,
    PlaceGoal,
    SpeakGoal,
    TurnGoal,
)
from bt_planner.sim.clock import SimClock
from bt_planner.sim.motion import first_contact, turn_toward, walk_toward
from bt_planner.sim.perception import detect
from bt_planner.sim.sim_params import SimParams

_DOING = {"grasp": "grasping", "place": "placing", "speak": "speaking", "detect": "looking"}


@dataclass
class _Active:
    """The goal being executed and what is needed to report its progress."""

    goal: Goal
    goal_id: int
    total: float
    """Initial distance (m), angle (rad) or duration (s): the denominator of progress."""
    elapsed_s: float = 0.0
    place_at: Vec3 | None = None


class SimulatedRobot:
    """A simulated humanoid in ``world``; see the module docstring for what it models."""

    def __init__(
        self, world: World, *, params: SimParams | None = None, clock: SimClock | None = None
    ) -> None:
        self.params = params if params is not None else SimParams()
        self.clock = clock if clock is not None else SimClock()
        self._world = world
        self._objects: dict[str, WorldObject] = dict(world.objects)
        start = world.robot
        self._x, self._y, self._yaw = start.pose.x, start.pose.y, start.pose.yaw
        self._battery = start.battery_percent
        self._gripper = start.gripper
        self._holding = start.holding
        self._joints = dict(start.joints)
        self._spoken: list[str] = []
        self._active: _Active | None = None
        self._status = GoalStatus()
        self._next_id = 1
        self._velocity = (0.0, 0.0)
        self._frozen: tuple[RobotState, float] | None = None
        self._cached: RobotState | None = None
        self._lock = threading.RLock()

    # ---- RobotInterface ---------------------------------------------------------------------

    def send_goal(self, goal: Goal) -> int:
        """Start ``goal``; a running goal ends ``CANCELLED``. Impossible goals fail at once."""
        with self._lock:
            if self._active is not None:
                self._finish(GoalState.CANCELLED, "pre-empted by a new goal")
            goal_id = self._next_id
            self._next_id += 1
            self._changed()
            active = _Active(goal=goal, goal_id=goal_id, total=0.0)
            self._status = GoalStatus(goal_id=goal_id, kind=goal.kind, state=GoalState.RUNNING)
            self._active = active
            refusal = self._start(active)
            if refusal is not None:
                self._finish(GoalState.FAILED, refusal)
            return goal_id

    def goal_status(self) -> GoalStatus:
        with self._lock:
            return self._status

    def cancel(self) -> None:
        with self._lock:
            if self._active is not None:
                self._finish(GoalState.CANCELLED, "cancelled")
            self._velocity = (0.0, 0.0)

    def state(self) -> RobotState:
        with self._lock:
            if self._frozen is not None:
                return self._frozen[0]
            if self._cached is None:
                self._cached = RobotState(
                    pose=Pose(x=self._x, y=self._y, yaw=self._yaw),
                    battery_percent=max(0.0, min(100.0, self._battery)),
                    gripper=self._gripper,
                    holding=self._holding,
                    joints=dict(self._joints),
                    current_task=self._active.goal.kind if self._active is not None else None,
                    timestamp=self.clock.now(),
                )
            return self._cached

    def now(self) -> float:
        return self.clock.now()

    def state_age_s(self) -> float:
        with self._lock:
            return 0.0 if self._frozen is None else self.clock.now() - self._frozen[1]

    # ---- simulation -------------------------------------------------------------------------

    def step(self, dt_s: float) -> None:
        """Advance the clock by ``dt_s`` seconds and integrate the base, battery, gripper and goal."""
        with self._lock:
            self.clock.advance(dt_s)
            self._battery = max(0.0, self._battery - self.params.battery_percent_per_s * dt_s)
            self._velocity = (0.0, 0.0)
            active = self._active
            if active is not None and dt_s > 0:
                goal = active.goal
                if isinstance(goal, DriveGoal):
                    self._step_drive(active, goal, dt_s)
                elif isinstance(goal, TurnGoal):
                    self._step_turn(active, goal, dt_s)
                else:
                    self._step_timed(active, dt_s)
            self._carry()
            self._changed()

    @property
    def spoken(self) -> tuple[str, ...]:
        """Everything the robot has said, in order."""
        with self._lock:
            return tuple(self._spoken)

    @property
    def velocity(self) -> tuple[float, float]:
        """Linear (m/s) and angular (rad/s) speed during the last step."""
        with self._lock:
            return self._velocity

    def is_moving(self) -> bool:
        """True if the base moved during the last step or a drive/turn goal is still running."""
        with self._lock:
            running_motion = self._active is not None and isinstance(self._active.goal, (DriveGoal, TurnGoal))
            return running_motion or self._velocity != (0.0, 0.0)

    def world_state(self) -> World:
        """The world as it is now: objects where they ended up, and the robot's current state."""
        with self._lock:
            return self._world.model_copy(update={"objects": dict(self._objects), "robot": self.state()})

    # ---- test hooks (fault injection) -----------------------------------------------------

    def move_object(self, object_id: str, position: Vec3, *, location: str | None = None) -> None:
        """Teleport an object (e.g. the cup is not where the planner believes)."""
        with self._lock:
            obj = self._objects[object_id]
            self._objects[object_id] = obj.model_copy(update={"position": position, "location": location})

    def remove_object(self, object_id: str) -> None:
        with self._lock:
            del self._objects[object_id]
            if self._holding == object_id:
                self._holding, self._gripper = None, GripperState.CLOSED
                self._changed()

    def set_battery(self, percent: float) -> None:
        with self._lock:
            self._battery = max(0.0, min(100.0, percent))
            self._changed()

    def set_pose(self, *, x: float, y: float, yaw: float = 0.0) -> None:
        with self._lock:
            self._x, self._y, self._yaw = x, y, wrap_angle(yaw)
            self._changed()

    def freeze_state(self, frozen: bool = True) -> None:
        """Stop refreshing ``state()`` (as if the state topic went silent); ``state_age_s`` grows."""
        with self._lock:
            self._frozen = None
            self._frozen = (self.state(), self.clock.now()) if frozen else None

    # ---- goals --------------------------------------------------------------------------

    def _changed(self) -> None:
        self._cached = None

    def _finish(self, state: GoalState, message: str, detections: tuple[Detection, ...] = ()) -> None:
        active = self._active
        assert active is not None
        progress = 1.0 if state is GoalState.SUCCEEDED else self._status.progress
        self._status = GoalStatus(
            goal_id=active.goal_id,
            kind=active.goal.kind,
            state=state,
            progress=progress,
            message=message,
            detections=detections,
        )
        self._active = None
        self._changed()

    def _progress(self, active: _Active, fraction: float, message: str) -> None:
        self._status = self._status.model_copy(
            update={"progress": max(0.0, min(1.0, fraction)), "message": message}
        )

    def _start(self, active: _Active) -> str | None:
        """Set up ``active``; return why it cannot run, or None."""
        goal, p = active.goal, self.params
        if isinstance(goal, DriveGoal):
            active.total = math.hypot(goal.x - self._x, goal.y - self._y)
        elif isinstance(goal, TurnGoal):
            active.total = abs(wrap_angle(goal.yaw - self._yaw))
        elif isinstance(goal, GraspGoal):
            active.total = p.grasp_duration_s
            return self._grasp_refusal(goal.object_id)
        elif isinstance(goal, PlaceGoal):
            active.total = p.place_duration_s
            target, refusal = self._place_target(goal)
            active.place_at = target
            return refusal
        elif isinstance(goal, SpeakGoal):
            active.total = max(p.min_speech_s, len(goal.message) / p.speech_chars_per_s)
            self._spoken.append(goal.message)
        else:
            active.total = p.detect_duration_s
        return None

    def _step_drive(self, active: _Active, goal: DriveGoal, dt: float) -> None:
        """Turn to face the target, then walk; time left over from turning is spent walking."""
        p = self.params
        remaining = math.hypot(goal.x - self._x, goal.y - self._y)
        turned = walked = 0.0
        if remaining > p.position_tolerance_m:
            budget = dt
            heading = math.atan2(goal.y - self._y, goal.x - self._x)
            error = abs(wrap_angle(heading - self._yaw))
            if error > p.heading_tolerance_rad:
                turned = min(error, p.max_turn_rate_rad_s * budget)
                self._yaw = turn_toward(self._yaw, heading, max_step=turned)
                budget -= turned / p.max_turn_rate_rad_s
            if budget > 1e-9 and abs(wrap_angle(heading - self._yaw)) <= p.heading_tolerance_rad:
                if self._battery <= 0.0:
                    self._finish(GoalState.FAILED, "battery empty: the robot cannot walk")
                    return
                speed = min(goal.speed_mps or p.max_linear_speed_mps, p.max_linear_speed_mps)
                nx, ny, walked = walk_toward(self._x, self._y, goal.x, goal.y, max_step=speed * budget)
                blocked = self._blocking_obstacle(nx, ny)
                if blocked is not None:
                    self._velocity = (0.0, turned / dt)
                    self._finish(
                        GoalState.FAILED, f"blocked by obstacle {blocked!r} at ({self._x:.2f}, {self._y:.2f})"
                    )
                    return
                self._x, self._y = nx, ny
                self._battery = max(0.0, self._battery - p.battery_percent_per_m * walked)
            self._velocity = (walked / dt, turned / dt)
            remaining = math.hypot(goal.x - self._x, goal.y - self._y)
        if remaining <= p.position_tolerance_m:
            self._finish(GoalState.SUCCEEDED, f"arrived at ({goal.x:.2f}, {goal.y:.2f})")
            return
        fraction = 1.0 - remaining / active.total if active.total > 0 else 0.0
        self._progress(active, fraction, f"{remaining:.2f} m to go")

    def _blocking_obstacle(self, nx: float, ny: float) -> str | None:
        """An obstacle the step to ``(nx, ny)`` would push into (moving away from contact is allowed)."""
        radius = self.params.robot_radius_m
        hit = first_contact(nx, ny, self._world.obstacles, robot_radius=radius)
        if hit is None:
            return None
        center = self._world.obstacles[hit].center
        closer = math.hypot(nx - center.x, ny - center.y) < math.hypot(self._x - center.x, self._y - center.y)
        return hit if closer else None

    def _step_turn(self, active: _Active, goal: TurnGoal, dt: float) -> None:
        p = self.params
        if abs(wrap_angle(goal.yaw - self._yaw)) > p.heading_tolerance_rad:
            new_yaw = turn_toward(self._yaw, goal.yaw, max_step=p.max_turn_rate_rad_s * dt)
            self._velocity = (0.0, abs(wrap_angle(new_yaw - self._yaw)) / dt)
            self._yaw = new_yaw
        error = abs(wrap_angle(goal.yaw - self._yaw))
        if error <= p.heading_tolerance_rad:
            self._finish(GoalState.SUCCEEDED, f"facing {math.degrees(goal.yaw):.0f} deg")
            return
        fraction = 1.0 - error / active.total if active.total > 0 else 0.0
        self._progress(active, fraction, f"{math.degrees(error):.0f} deg to go")

    def _step_timed(self, active: _Active, dt: float) -> None:
        active.elapsed_s += dt
        if active.elapsed_s + 1e-9 < active.total:
            self._progress(active, active.elapsed_s / active.total, _DOING[active.goal.kind])
            return
        goal = active.goal
        if isinstance(goal, GraspGoal):
            self._complete_grasp(goal)
        elif isinstance(goal, PlaceGoal):
            self._complete_place(goal, active.place_at)
        elif isinstance(goal, SpeakGoal):
            self._finish(GoalState.SUCCEEDED, f"said {goal.message!r}")
        elif isinstance(goal, DetectGoal):
            self._complete_detect(goal)

    # ---- manipulation and perception ------------------------------------------------------

    def _object_position(self, object_id: str) -> Vec3:
        obj = self._objects[object_id]
        if obj.position is not None:
            return obj.position
        assert obj.location is not None
        return self._world.locations[obj.location].position

    def _grasp_refusal(self, object_id: str) -> str | None:
        p = self.params
        if self._holding is not None:
            return f"already holding {self._holding!r}; place it first"
        obj = self._objects.get(object_id)
        if obj is None:
            return f"there is no object {object_id!r}"
        if not obj.graspable:
            return f"{object_id!r} cannot be grasped"
        if obj.weight_kg is not None and obj.weight_kg > p.max_payload_kg:
            return f"{object_id!r} weighs {obj.weight_kg:g} kg; the arm lifts at most {p.max_payload_kg:g} kg"
        distance = self._object_position(object_id).planar_distance(Vec2(x=self._x, y=self._y))
        if distance > p.reach_m:
            return f"{object_id!r} is {distance:.2f} m away; reach is {p.reach_m:g} m"
        return None

    def _complete_grasp(self, goal: GraspGoal) -> None:
        refusal = self._grasp_refusal(goal.object_id) if goal.object_id in self._objects else "it disappeared"
        if refusal is not None:
            self._gripper = GripperState.CLOSED
            self._finish(GoalState.FAILED, f"gripper closed on nothing: {refusal}")
            return
        self._gripper, self._holding = GripperState.HOLDING, goal.object_id
        self._carry()
        self._finish(GoalState.SUCCEEDED, f"holding {goal.object_id!r}")

    def _place_target(self, goal: PlaceGoal) -> tuple[Vec3 | None, str | None]:
        p = self.params
        if self._holding is None:
            return None, "not holding anything to place"
        here = Vec2(x=self._x, y=self._y)
        if goal.position is not None:
            distance = goal.position.planar_distance(here)
            if distance > p.reach_m:
                return None, f"the place point is {distance:.2f} m away; reach is {p.reach_m:g} m"
            return goal.position, None
        assert goal.location_name is not None
        location = self._world.locations.get(goal.location_name)
        if location is None:
            return None, f"there is no location {goal.location_name!r}"
        distance = location.position.planar_distance(here)
        if distance > p.location_radius_m:
            return None, f"{goal.location_name!r} is {distance:.2f} m away; go there first"
        height = location.position.z if location.position.z > 0 else p.surface_height_m
        return self._ahead(height), None

    def _complete_place(self, goal: PlaceGoal, target: Vec3 | None) -> None:
        held = self._holding
        if held is None or target is None or held not in self._objects:
            self._finish(GoalState.FAILED, "lost the object while placing")
            return
        obj = self._objects[held]
        self._objects[held] = obj.model_copy(update={"position": target, "location": goal.location_name})
        self._gripper, self._holding = GripperState.OPEN, None
        where = goal.location_name or f"({target.x:.2f}, {target.y:.2f}, {target.z:.2f})"
        self._finish(GoalState.SUCCEEDED, f"placed {held!r} at {where}")

    def _complete_detect(self, goal: DetectGoal) -> None:
        visible = {
            object_id: (obj.type, self._object_position(object_id))
            for object_id, obj in self._objects.items()
            if object_id != self._holding
        }
        p = self.params
        radius = goal.radius_m or p.search_radius_m
        found = detect(
            robot_xy=Vec2(x=self._x, y=self._y),
            objects=visible,
            wanted=goal.object_type,
            range_m=p.perception_range_m,
            near=goal.near,
            radius_m=radius,
        )
        if not found:
            where = (
                f"within {radius:g} m of ({goal.near.x:.2f}, {goal.near.y:.2f})"
                if goal.near is not None
                else f"within {p.perception_range_m:g} m of the robot"
            )
            self._finish(GoalState.FAILED, f"no {goal.object_type} seen {where}")
            return
        names = ", ".join(d.object_id for d in found)
        self._finish(GoalState.SUCCEEDED, f"saw {names}", detections=tuple(found))

    def _ahead(self, height: float) -> Vec3:
        offset = self.params.hand_offset_m
        return Vec3(
            x=self._x + offset * math.cos(self._yaw), y=self._y + offset * math.sin(self._yaw), z=height
        )

    def _carry(self) -> None:
        """The held object moves with the hand."""
        held = self._holding
        if held is not None and held in self._objects:
            obj = self._objects[held]
            hand = self._ahead(self.params.hand_height_m)
            self._objects[held] = obj.model_copy(update={"position": hand, "location": None})
