"""What the journal holds, as read back: commands with their terminal status, and their events."""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class CommandOutcome(str, Enum):
    """A journalled command's terminal status: the mission's four, plus ``aborted`` (the process died)."""

    SUCCEEDED = "succeeded"
    FAILED = "failed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    ABORTED = "aborted"


ABORTED_REASON = "process ended before the command finished"
"""The reason recorded for a command its process left open (it crashed or was killed)."""


class JournalEvent(BaseModel):
    """One durable event. ``seq`` orders every event of the file; ``at`` is Unix time (wall clock)."""

    model_config = ConfigDict(frozen=True)

    seq: int
    command_id: int | None = Field(description="None: about the mission, not one command (e-stop, halt)")
    run_id: int
    kind: str
    at: float
    sim_time_s: float | None = Field(default=None, description="the robot clock, when the event had one")
    data: dict[str, Any] = Field(default_factory=dict)


class JournalCommand(BaseModel):
    """One command as journalled: where it came from and how it ended (``status`` None: still open)."""

    model_config = ConfigDict(frozen=True)

    id: int
    run_id: int
    mission_command_id: int | None = None
    source: str
    command: str
    received_at: float
    status: CommandOutcome | None = None
    reason: str | None = None
    ended_at: float | None = None
    approval: str | None = Field(default=None, description="approved / rejected / timed out, by whom")
    events: int = Field(default=0, description="how many events it has")
