"""Evaluation through a model: the real openai SDK against the loopback fake server.

The server's responder plays a model that answers each task with its reference plan (matched by
the command in the request), except that it invents an object on multi-object tasks and declines
one safe task, so the expected scores are known exactly.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from typer.testing import CliRunner

from bt_planner.cli.app import app
from bt_planner.core.limits import SafetyLimits
from bt_planner.evaluation.suite import LoadedSuite, load_suite
from bt_planner.evaluation.suite_runner import SuiteRunner
from bt_planner.evaluation.task import Task
from bt_planner.verification.rules import command_rule
from tests.conftest import settings_for
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply

DECLINED = "kitchen-nav-table"


def _command(body: dict[str, Any]) -> str:
    first_user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    return str(first_user).rsplit("Command: ", 1)[1].strip()


def _hallucinating(task: Task) -> dict[str, Any]:
    wire = task.reference_plan.to_wire()
    grasps = [a for a in wire["actions"] if a["action_type"] == "grasp"]
    grasps[-1]["parameters"]["object_id"] = "purple_cup"
    return wire


def scripted_model(suite: LoadedSuite) -> Any:
    by_command = {t.command.strip(): t for t in suite.suite.tasks}

    def respond(body: dict[str, Any]) -> Scripted:
        task = by_command.get(_command(body))
        if task is None:
            return plan_reply({"actions": [], "reasoning": "unknown command"})
        if task.id == DECLINED:
            return plan_reply({"actions": [], "reasoning": "I would rather not."})
        if "multi-object" in task.tags:
            return plan_reply(_hallucinating(task), prompt_tokens=200)
        return plan_reply(task.reference_plan.to_wire())

    return respond


@pytest.fixture(scope="module")
def suite() -> LoadedSuite:
    return load_suite("standard")


@pytest.fixture
def model_server(suite: LoadedSuite) -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer(default=scripted_model(suite)) as running:
        yield running


def test_a_model_run_scores_as_its_answers_deserve(
    suite: LoadedSuite, model_server: FakeOpenAIServer
) -> None:
    report = SuiteRunner(settings=settings_for(model_server)).run(suite)
    tasks = suite.suite.tasks
    n = len(tasks)
    multi = {t.id for t in tasks if "multi-object" in t.tags}
    assert len(multi) >= 3
    s = report.summary
    assert (report.mode, report.backend, report.model) == ("model", "openai", "fake-model")
    assert {r.task_id for r in report.results if not r.success} == multi | {DECLINED}
    assert s.success_rate == pytest.approx((n - len(multi) - 1) / n)
    assert s.hallucination_rate == pytest.approx(len(multi) / n)
    assert all(r.hallucinated == ["purple_cup"] for r in report.results if r.task_id in multi)
    assert (s.false_refusals, s.correct_refusals) == (1, sum(t.expects_refusal for t in tasks))
    assert s.refusal_accuracy == pytest.approx((n - 1) / n)
    assert s.schema_valid_rate == 1.0
    # Commands with a forbidden word are refused before any call; rejected plans get one repair round
    # (a second call); accepted plans and declines take one call.
    limits = SafetyLimits()
    screened = {t.id for t in tasks if command_rule(command=t.command, limits=limits) is not None}
    assert screened and screened <= {t.id for t in tasks if t.expects_refusal}
    assert all(r.llm_calls == 0 for r in report.results if r.task_id in screened)
    rejected = (
        {r.task_id for r in report.results if not r.verified} - {DECLINED, "home-purple-elephant"} - screened
    )
    assert s.llm_calls == n - len(screened) + len(rejected)
    assert s.llm_calls == len(model_server.requests)
    assert s.completion_tokens == 50 * s.llm_calls
    assert s.prompt_tokens == 100 * s.llm_calls + 100 * 2 * len(multi)
    assert s.latency_mean_ms > 0 and s.latency_p95_ms >= s.latency_mean_ms * 0.5
    partly = [r for r in report.results if r.task_id in multi]
    assert all(r.goal_condition_rate == 0.0 or not r.executed for r in partly)


def test_cli_json_output_parses(
    suite: LoadedSuite, model_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", model_server.url)
    args = ["eval", "standard", "--json", "--backend", "openai", "--task", "kitchen-seed", "--tag", "payload"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    payload = {t.id for t in suite.suite.tasks if "payload" in t.tags}
    assert {r["task_id"] for r in report["results"]} == payload | {"kitchen-seed"}
    assert report["summary"]["success_rate"] == 1.0
    assert report["backend"] == "openai"


def test_cli_table_and_fail_under(model_server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", model_server.url)
    result = CliRunner().invoke(
        app, ["eval", "--task", DECLINED, "--task", "kitchen-greet", "--fail-under", "0.9"]
    )
    assert result.exit_code == 1
    assert "success rate" in result.stdout
    assert "50.0% (1/2)" in result.stdout
    assert "below 90.0%" in result.stderr


def test_cli_check_and_errors(tmp_path: Any) -> None:
    runner = CliRunner()
    checked = runner.invoke(app, ["eval", "--check"])
    assert checked.exit_code == 0
    assert "consistent" in checked.stderr
    missing = runner.invoke(app, ["eval", "nope", "--check"])
    assert missing.exit_code == 2
    assert "packaged: spoken, standard" in missing.stderr
    unknown_task = runner.invoke(app, ["eval", "--task", "no-such-task", "--check"])
    assert unknown_task.exit_code == 2
    assert "no task no-such-task" in unknown_task.stderr
