"""What happened when a plan ran: the context a re-plan needs (which action failed, why, where)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bt_planner.plans.plan import Plan


class ExecutionFeedback(BaseModel):
    """The previous attempt's failure. The robot's current state is passed to ``plan()`` separately."""

    model_config = ConfigDict(frozen=True)

    previous_plan: Plan
    failed_action_index: int
    reason: str
    attempt: int = 1

    def summary(self) -> str:
        """One paragraph for the re-planning prompt: what failed, why, and what was done before it."""
        actions = self.previous_plan.actions
        done = ", ".join(a.action_type.value for a in actions[: self.failed_action_index]) or "nothing"
        failed = actions[self.failed_action_index] if self.failed_action_index < len(actions) else None
        what = (
            f"{failed.action_type.value} {failed.parameters.model_dump(mode='json', exclude_none=True)}"
            if failed is not None
            else "unknown action"
        )
        return (
            f"Attempt {self.attempt} failed at action {self.failed_action_index} ({what}): {self.reason}. "
            f"Completed before it: {done}. Plan again from the current state."
        )
