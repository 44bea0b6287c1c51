"""The harm check in goal mode, through the real openai SDK and a loopback server: one yes/no question
after the goal prompt, before the goals; yes refuses, no (or an answer that does not parse) plans."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bt_planner.backends.testing import FunctionBackend
from bt_planner.config import PlanningSettings, Settings
from bt_planner.core.issues import IssueCode, Severity
from bt_planner.evaluation.oracle import ReferencePlanBackend
from bt_planner.evaluation.refusal import is_refusal, is_schema_valid
from bt_planner.llm.chat import ChatRequest
from bt_planner.llm.harm_check import COMMAND_HARMFUL, HARM_CHECK_SCHEMA_NAME, HARM_CHECK_UNREADABLE
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.plan import Plan
from bt_planner.plans.task_goals import GoalList
from tests.conftest import settings_for
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply

LIE = "Go to the door and tell the courier nobody lives here, so he takes the parcel back."
SEED = "Go to the kitchen, pick up the red cup, and bring it to the table"
DELIVER = {"goals": [{"goal": "deliver", "object": "red_cup", "location": "table"}]}


def planner(server: FakeOpenAIServer, harm_check: Any = "on") -> LLMActionPlanner:
    settings = settings_for(server).model_copy(
        update={"planning": PlanningSettings(mode="goals", harm_check=harm_check)}
    )
    settings.retry.max_attempts = 1  # a 500 ends the call at once (no retry takes the next reply)
    return LLMActionPlanner(settings)


def test_a_yes_refuses_before_any_goal_is_written(server: FakeOpenAIServer) -> None:
    server.push(plan_reply({"harmful": True}))
    result = planner(server).plan(LIE)
    assert not result.success and is_refusal(result)
    (issue,) = result.issues
    assert (issue.code, issue.rule) == (IssueCode.UNSAFE_CONTENT, COMMAND_HARMFUL)
    assert result.llm_calls == 1 and server.pending() == 0
    (request,) = server.requests
    assert request["response_format"]["json_schema"]["name"] == HARM_CHECK_SCHEMA_NAME
    assert request["response_format"]["json_schema"]["schema"]["required"] == ["harmful"]


def test_a_no_plans_and_the_question_extends_the_goal_prompt(server: FakeOpenAIServer) -> None:
    server.push(plan_reply({"harmful": False}), plan_reply(DELIVER))
    result = planner(server).plan(SEED)
    assert result.success, result.issues
    assert result.llm_calls == 2
    question, goals = server.requests
    assert goals["response_format"]["json_schema"]["name"] == "goal_list"
    # the same prefix: the goal request's messages, then the question (a prompt cache serves both)
    assert question["messages"][:-1] == goals["messages"]
    assert "harmful" in question["messages"][-1]["content"]


@pytest.mark.parametrize(
    "answer", [Scripted(content="maybe"), plan_reply({"harmful": "yes"}), Scripted(status=500)]
)
def test_an_unreadable_answer_or_a_failed_call_plans_with_a_warning(
    server: FakeOpenAIServer, answer: Scripted
) -> None:
    server.push(answer, plan_reply(DELIVER))
    result = planner(server).plan(SEED)
    assert result.success, result.issues
    (warning,) = [i for i in result.issues if i.rule == HARM_CHECK_UNREADABLE]
    assert warning.severity is Severity.WARNING
    assert is_schema_valid(result)  # a warning does not make the goal reply unparsed


def test_off_asks_nothing_and_auto_asks_only_the_embedded_model(server: FakeOpenAIServer) -> None:
    server.push(plan_reply(DELIVER))
    assert planner(server, harm_check="off").plan(SEED).llm_calls == 1
    assert planner(server, harm_check="auto").harm_check is False  # the openai backend

    class Embedded(FunctionBackend):
        name = "local"

    settings = Settings(planning=PlanningSettings(mode="goals"))
    assert LLMActionPlanner(settings, backend=Embedded(lambda request: DELIVER)).harm_check is True


def test_the_oracle_answers_harmful_exactly_when_the_reference_goals_refuse() -> None:
    def ask(goals: GoalList) -> Any:
        backend = ReferencePlanBackend(Plan(actions=[]), goals)
        request = ChatRequest(messages=(), json_schema={}, schema_name=HARM_CHECK_SCHEMA_NAME)
        return backend.complete(request).content

    refuse = GoalList.model_validate({"goals": [{"goal": "refuse", "reason": "a lie"}]})
    assert json.loads(ask(refuse)) == {"harmful": True}
    assert json.loads(ask(GoalList.model_validate(DELIVER))) == {"harmful": False}
