"""What a task's goal conditions are checked against: the world after the run, or the refusal."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bt_planner.core.state import RobotState
from bt_planner.core.world import World


class EndState(BaseModel):
    """The robot, the world and the speech log when a task ended.

    ``refused`` means no plan ran because the model declined or verification rejected the plan on
    a safety rule; then ``robot`` and ``world`` are the starting ones and ``spoken`` is empty.
    """

    model_config = ConfigDict(frozen=True)

    robot: RobotState
    world: World
    spoken: list[str] = Field(default_factory=list)
    refused: bool = False
