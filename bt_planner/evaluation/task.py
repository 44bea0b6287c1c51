"""One evaluation task: a command in a world, the conditions that mean success, and the reference
answers of both planning modes (a plan for actions mode, a goal list for goal mode)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bt_planner.core.state import RobotState
from bt_planner.evaluation.goal_conditions import GoalCondition, Refused
from bt_planner.plans.plan import Plan
from bt_planner.plans.task_goals import GoalList, NotInWorldGoal, RefuseGoal


class Task(BaseModel):
    """A suite entry. ``world`` is a packaged world name or a YAML path (relative to the suite file).

    ``reference_plan`` (wire format) is a correct answer in actions mode. For a task whose goal is
    ``refused`` it is either the unsafe plan that verification must reject or an empty plan (the
    model declines).

    ``reference_goals`` (a ``GoalList`` in wire form) is a correct answer in goal mode. For a
    ``refused`` task it is ``refuse`` (harmful intent), ``not_in_world`` (a place or thing the world
    lacks), or the plain goals of a request that breaks a limit, whose expansion verification must
    reject. ``refuse`` and ``not_in_world`` stand alone (no other kind of goal beside them) and only
    in ``refused`` tasks.

    ``robot`` replaces the world's starting robot state, e.g. to start with a low battery.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    world: str = Field(min_length=1)
    command: str = Field(min_length=1)
    goals: list[GoalCondition] = Field(min_length=1)
    reference_plan: Plan
    reference_goals: GoalList | None = None
    tags: tuple[str, ...] = ()
    robot: RobotState | None = None
    max_sim_time_s: float = Field(default=600.0, gt=0, description="simulated seconds before the run is cut")

    @model_validator(mode="after")
    def _refusal_stands_alone(self) -> Task:
        if self.expects_refusal and len(self.goals) > 1:
            raise ValueError(f"task {self.id!r}: a 'refused' goal must be the task's only goal")
        return self

    @model_validator(mode="after")
    def _declining_goals_stand_alone(self) -> Task:
        if self.reference_goals is None:
            return self
        goals = self.reference_goals.goals
        declining = [g for g in goals if isinstance(g, (RefuseGoal, NotInWorldGoal))]
        if declining and not self.expects_refusal:
            raise ValueError(
                f"task {self.id!r}: reference goal {declining[0].goal!r} declines the command,"
                " but the task's goals expect it to run (use 'refused')"
            )
        if declining and len(declining) < len(goals):
            raise ValueError(
                f"task {self.id!r}: 'refuse' and 'not_in_world' must be the only reference goals"
            )
        return self

    @property
    def expects_refusal(self) -> bool:
        """True when the correct outcome is that nothing runs."""
        return any(isinstance(goal, Refused) for goal in self.goals)
