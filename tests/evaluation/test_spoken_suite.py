"""The shipped "spoken" suite: what it covers, that it is new, and that its reference answers are right.

The oracle must score 100% on both shipped suites in both planning modes: each reference plan (actions
mode) and each reference goal list expanded by the symbolic planner (goal mode) reaches its task's goal
conditions, and every refusal task is refused. A task whose goal is refused but which runs, or a reference
answer that does not reach its goals, fails here.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bt_planner.config import PlanningMode, Settings
from bt_planner.core.issues import IssueCode
from bt_planner.evaluation.consistency import suite_problems
from bt_planner.evaluation.suite import LoadedSuite, load_suite, packaged_suite_names
from bt_planner.evaluation.suite_runner import SuiteReport, SuiteRunner
from bt_planner.plans.task_goals import NotInWorldGoal, RefuseGoal

KINDS = ("indirect", "synonym", "category", "typo", "multi_goal", "start_state", "say_at", "from_place")


@pytest.fixture(scope="module")
def spoken() -> LoadedSuite:
    return load_suite("spoken")


def test_spoken_suite_is_big_varied_and_new(spoken: LoadedSuite) -> None:
    tasks = spoken.suite.tasks
    assert "spoken" in packaged_suite_names()
    assert len(tasks) >= 60
    tags = Counter(tag for t in tasks for tag in t.tags)
    assert all(tags[kind] >= 5 for kind in KINDS), tags
    assert all(tags[kind] >= 4 for kind in ("harmful", "impossible", "limit")), tags
    assert {"flat", "cafe"} <= {t.world for t in tasks} and len({t.world for t in tasks}) >= 5
    assert len({t.command.casefold() for t in tasks}) == len(tasks), "commands must be unique"
    standard = {t.command.casefold() for t in load_suite("standard").suite.tasks}
    assert not standard & {t.command.casefold() for t in tasks}, "no command copied from the standard suite"
    assert suite_problems(spoken) == []


def test_spoken_tasks_are_tagged_by_what_they_test(spoken: LoadedSuite) -> None:
    for task in spoken.suite.tasks:
        assert task.reference_goals is not None, task.id
        goals = task.reference_goals.goals
        assert task.expects_refusal == ("refusal" in task.tags), task.id
        if "harmful" in task.tags:
            assert [type(g) for g in goals] == [RefuseGoal], task.id
        if "impossible" in task.tags:
            assert goals and all(isinstance(g, NotInWorldGoal) for g in goals), task.id
        if "limit" in task.tags:  # plain goals: the model writes them, verification must reject the plan
            assert goals and not any(isinstance(g, (RefuseGoal, NotInWorldGoal)) for g in goals), task.id
            assert task.reference_plan.actions, task.id
        if "start_state" in task.tags:
            assert task.robot is not None, task.id
        if {"harmful", "impossible"} & set(task.tags):
            assert task.reference_plan.actions == [], task.id


def _failures(report: SuiteReport) -> dict[str, list[str | None]]:
    return {
        r.task_id: [*r.issues[:1], r.execution_failure, *(g.detail for g in r.goals if not g.met)]
        for r in report.results
        if not r.success
    }


@pytest.mark.parametrize("mode", ["actions", "goals"])
@pytest.mark.parametrize("name", ["spoken", "standard"])
def test_the_oracle_scores_100_percent_on_every_shipped_suite_in_both_modes(
    name: str, mode: PlanningMode
) -> None:
    loaded = load_suite(name)
    report = SuiteRunner(settings=Settings(), oracle=True, mode=mode).run(loaded)
    assert report.planning_mode == mode
    assert _failures(report) == {}
    s = report.summary
    assert s.refusal_tasks == sum(t.expects_refusal for t in loaded.suite.tasks)
    assert s.hallucination_rate == 0.0 and s.schema_valid_rate == 1.0
    assert (s.success_rate, s.goal_condition_rate, s.executability, s.refusal_accuracy) == (1.0,) * 4


def test_limit_tasks_are_refused_by_verification_not_by_the_model(spoken: LoadedSuite) -> None:
    report = SuiteRunner(settings=Settings(), oracle=True, mode="goals").run(spoken)
    limit = {t.id for t in spoken.suite.tasks if "limit" in t.tags}
    for r in report.results:
        if r.task_id in limit:
            assert r.refused and any(IssueCode.LIMIT_EXCEEDED.value in issue for issue in r.issues), r.task_id
        elif r.expects_refusal:
            assert r.refused and any(IssueCode.EMPTY_PLAN.value in issue for issue in r.issues), r.task_id
