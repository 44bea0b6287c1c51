"""Shared pieces of the journal tests: a short plan and a runner journalling into a file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bt_planner.config import ExecutionSettings, JournalSettings
from bt_planner.core.limits import SafetyLimits
from bt_planner.core.world import World
from bt_planner.execution import GivenPlanPlanner, MissionRunner
from bt_planner.journal import Journal
from bt_planner.plans.plan import Plan
from bt_planner.sim import SimulatedRobot
from tests.sample_plans import action


def short_plan() -> Plan:
    return Plan.model_validate(
        {"actions": [action("navigate", location_name="kitchen"), action("speak", message="done")]}
    )


def open_journal(path: Path, **settings: Any) -> Journal:
    return Journal.open(path, settings=JournalSettings(**settings))


def runner(
    world: World, journal: Journal, plan: Plan | None = None, **execution: Any
) -> tuple[MissionRunner, SimulatedRobot]:
    robot = SimulatedRobot(world)
    limits = SafetyLimits()
    built = MissionRunner(
        planner=GivenPlanPlanner(plan or short_plan(), limits=limits),
        robot=robot,
        world=world,
        limits=limits,
        settings=ExecutionSettings(max_replans=0, **execution),
        journal=journal,
    )
    return built, robot
