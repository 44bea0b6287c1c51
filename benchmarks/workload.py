"""The plan and command the speed benchmarks share: 20 actions in the seed's kitchen world."""

from __future__ import annotations

from bt_planner.plans.plan import Plan

COMMAND = "Carry the red cup to the table and back to the kitchen twice, saying when each round is done."
"""Unused by the stages timed here except as prompt text; the reply is fixed."""

SEED_COMMAND = "Go to the kitchen, pick up the red cup, and bring it to the table"


def _round(number: int) -> list[dict[str, object]]:
    def step(kind: str, **params: object) -> dict[str, object]:
        return {"action_type": kind, "parameters": params, "description": kind, "estimated_duration": 3.0}

    return [
        step("navigate", location_name="kitchen"),
        step("detect", object_type="cup", search_area="kitchen"),
        step("grasp", object_id="red_cup"),
        step("navigate", location_name="table"),
        step("place", location_name="table"),
        step("detect", object_type="cup", search_area="table"),
        step("grasp", object_id="red_cup"),
        step("navigate", location_name="kitchen"),
        step("place", location_name="kitchen"),
        step("speak", message=f"Round {number} done."),
    ]


def twenty_action_plan() -> Plan:
    """Two rounds of kitchen -> table -> kitchen with the red cup: verifies clean in the kitchen world."""
    return Plan.model_validate(
        {"actions": _round(1) + _round(2), "reasoning": "two rounds", "estimated_total_time": 60.0}
    )
