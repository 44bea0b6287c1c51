"""Planning modes in the evaluation: the oracle's two answers, ``--mode`` from the CLI to the report,
and a goal-mode model run scored like an actions-mode one (hallucinated names read from goal replies).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bt_planner.backends.testing import FunctionBackend, Scripted
from bt_planner.cli.app import app
from bt_planner.config import Settings
from bt_planner.core.world import packaged_world
from bt_planner.errors import BackendError
from bt_planner.evaluation.oracle import ReferencePlanBackend
from bt_planner.evaluation.suite import LoadedSuite, load_suite, parse_suite
from bt_planner.evaluation.suite_runner import SuiteRunner
from bt_planner.llm.chat import ChatMessage, ChatRequest
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.plan import Plan
from bt_planner.plans.task_goals import GoalList, HoldGoal

PLAN = Plan.model_validate({"actions": [{"action_type": "speak", "parameters": {"message": "hi"}}]})
GOALS = GoalList(goals=[HoldGoal(object="red_cup")])


def request(schema_name: str) -> ChatRequest:
    return ChatRequest(
        messages=(ChatMessage(role="user", content="c"),), json_schema={}, schema_name=schema_name
    )


def test_the_oracle_answers_a_goal_list_request_with_goals_and_any_other_with_the_plan() -> None:
    backend = ReferencePlanBackend(PLAN, GOALS)
    assert isinstance(backend, FunctionBackend) and backend.name == "oracle"
    assert json.loads(backend.complete(request("goal_list")).content) == GOALS.to_wire()
    assert json.loads(backend.complete(request("action_plan")).content) == PLAN.to_wire()
    assert [r.schema_name for r in backend.requests] == ["goal_list", "action_plan"]
    assert backend.complete(request("goal_list")).usage.total_tokens == 0


def test_the_oracle_without_reference_goals_fails_the_call_not_the_run() -> None:
    backend = ReferencePlanBackend(PLAN)
    assert json.loads(backend.complete(request("action_plan")).content) == PLAN.to_wire()
    with pytest.raises(BackendError, match="no reference goals"):
        backend.complete(request("goal_list"))


# The reference plan of "split" is wrong on purpose (it never grasps), its reference goals are right:
# which answer the oracle gave shows in the score.
SPLIT = """
name: split
tasks:
  - id: split
    world: kitchen
    command: Bring the red cup to the table.
    tags: [fetch, both]
    goals: [{kind: object_at, object: red_cup, location: table}, {kind: holding, object: null}]
    reference_plan:
      actions: [{action_type: navigate, parameters: {location_name: table}}]
    reference_goals:
      goals: [{goal: deliver, object: red_cup, location: table}]
  - id: plan-only
    world: kitchen
    command: Go to the table.
    tags: [both]
    goals: [{kind: robot_at, location: table}]
    reference_plan:
      actions: [{action_type: navigate, parameters: {location_name: table}}]
"""


@pytest.fixture(scope="module")
def split() -> LoadedSuite:
    return LoadedSuite(suite=parse_suite(SPLIT), worlds={"kitchen": packaged_world("kitchen")}, source="test")


def test_an_oracle_run_answers_by_mode(split: LoadedSuite) -> None:
    actions = SuiteRunner(settings=Settings(), oracle=True, mode="actions").run(split)
    goals = SuiteRunner(settings=Settings(), oracle=True, mode="goals").run(split)
    assert (actions.planning_mode, actions.configured_mode) == ("actions", "actions")
    assert (goals.planning_mode, goals.configured_mode) == ("goals", "goals")
    by_id = {r.task_id: r for r in actions.results}
    assert (by_id["split"].success, by_id["plan-only"].success) == (False, True)
    by_id = {r.task_id: r for r in goals.results}
    assert by_id["split"].success and by_id["split"].executed
    assert by_id["split"].actions_total == 5  # navigate, detect, grasp, navigate, place
    missing = by_id["plan-only"]  # no reference goals: a failed call, scored, the run goes on
    assert (missing.success, missing.executed, missing.refused) == (False, False, False)
    assert any("llm_error" in issue and "reference goals" in issue for issue in missing.issues)


def test_mode_comes_from_the_settings_unless_the_runner_is_given_one(split: LoadedSuite) -> None:
    goal_settings = Settings(planning={"mode": "goals"})
    assert SuiteRunner(settings=goal_settings, oracle=True).planning_mode == "goals"
    assert SuiteRunner(settings=goal_settings, oracle=True, mode="actions").planning_mode == "actions"
    auto = SuiteRunner(settings=Settings(planning={"mode": "auto"}), oracle=True)
    assert (auto.configured_mode, auto.planning_mode) == ("auto", "actions")  # auto: goals only for local
    report = auto.run(split)
    assert (report.configured_mode, report.planning_mode) == ("auto", "actions")


def _answer_with_reference_goals(loaded: LoadedSuite, *, invent_for: str) -> FunctionBackend:
    by_command = {t.command: t for t in loaded.suite.tasks}

    def answer(req: ChatRequest) -> Scripted:
        assert req.schema_name == "goal_list"
        asked = [m.content for m in req.messages if m.role == "user"][-2:]  # the request, or it + a repair
        task = next(t for c, t in by_command.items() if any(c in text for text in asked))
        if task.id == invent_for:
            return {"goals": [{"goal": "deliver", "object": "purple_cup", "location": "table"}]}
        assert task.reference_goals is not None
        return task.reference_goals

    return FunctionBackend(answer, model="goal-writer")


def test_a_goal_mode_model_run_is_scored_and_its_invented_names_counted() -> None:
    loaded = load_suite("standard")
    chosen = [
        t for t in loaded.suite.tasks if t.id in {"kitchen-seed", "home-set-table", "home-purple-elephant"}
    ]
    backend = _answer_with_reference_goals(loaded, invent_for="home-set-table")
    planner = LLMActionPlanner(Settings(planning={"mode": "goals"}), backend=backend)
    report = SuiteRunner(settings=Settings(), planner=planner).run(loaded, tasks=chosen)
    assert (report.mode, report.planning_mode, report.backend, report.model) == (
        "model", "goals", "function", "goal-writer",
    )  # fmt: skip
    by_id = {r.task_id: r for r in report.results}
    assert by_id["kitchen-seed"].success and by_id["home-purple-elephant"].refused
    invented = by_id["home-set-table"]
    assert (invented.success, invented.schema_valid, invented.hallucinated) == (False, True, ["purple_cup"])
    assert report.summary.hallucination_rate == pytest.approx(1 / 3)
    assert invented.llm_calls == 2  # the unknown object is fed back once (the repair round)
    assert len(backend.requests) == 4


def test_cli_mode_sets_planning_mode_and_the_report_records_it() -> None:
    runner = CliRunner()
    base = [
        "eval",
        "standard",
        "--oracle",
        "--json",
        "--task",
        "kitchen-seed",
        "--task",
        "home-purple-elephant",
    ]
    for mode in ("goals", "actions"):
        result = runner.invoke(app, [*base, "--mode", mode])
        assert result.exit_code == 0, result.output
        report = json.loads(result.stdout)
        assert (report["planning_mode"], report["configured_mode"]) == (mode, mode)
        assert report["summary"]["success_rate"] == 1.0
    default = json.loads(runner.invoke(app, base).stdout)
    assert (default["configured_mode"], default["planning_mode"]) == ("auto", "actions")
    bad = runner.invoke(app, [*base, "--mode", "steps"])
    assert bad.exit_code == 2


def test_cli_goal_mode_oracle_needs_reference_goals_for_the_chosen_tasks(tmp_path: Path) -> None:
    path = tmp_path / "split.yaml"
    path.write_text(SPLIT)
    runner = CliRunner()
    refused = runner.invoke(app, ["eval", str(path), "--oracle", "--mode", "goals"])
    assert refused.exit_code == 2
    assert "1 task(s) have none: plan-only" in " ".join(refused.stderr.split())
    chosen = runner.invoke(app, ["eval", str(path), "--oracle", "--mode", "goals", "--task", "split"])
    assert chosen.exit_code == 0, chosen.output
    assert "goals mode" in chosen.stdout
    assert runner.invoke(app, ["eval", str(path), "--oracle", "--mode", "actions"]).exit_code == 0
