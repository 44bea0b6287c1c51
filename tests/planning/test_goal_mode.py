"""Goal mode end to end through the real openai SDK and a loopback server: the model writes goals,
the symbolic planner writes the steps, verification and the repair round work as in actions mode."""

from __future__ import annotations

import json
from typing import Any

from bt_planner.config import PlanningSettings, Settings
from bt_planner.core.issues import IssueCode
from bt_planner.core.world import default_world, packaged_world
from bt_planner.evaluation.refusal import is_refusal
from bt_planner.llm.chat import ChatReply, ChatRequest
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.task_goals import GoalList
from tests.conftest import settings_for
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply

SEED = "Go to the kitchen, pick up the red cup, and bring it to the table"


def goals(*items: dict[str, Any]) -> Scripted:
    return plan_reply({"goals": list(items)})


def goal_planner(server: FakeOpenAIServer, **planning: Any) -> LLMActionPlanner:
    settings = settings_for(server).model_copy(
        update={"planning": PlanningSettings(mode="goals", **planning)}
    )
    return LLMActionPlanner(settings)


def test_the_model_writes_goals_and_the_plan_is_expanded_and_verified(server: FakeOpenAIServer) -> None:
    server.push(
        goals({"goal": "deliver", "object": "red_cup", "location": "table"}, {"goal": "say", "text": "done"})
    )
    result = goal_planner(server).plan(SEED)
    assert result.success, result.issues
    assert result.mode == "goals" and result.backend == "openai" and result.llm_calls == 1
    assert result.goals == GoalList.model_validate(json.loads(result.raw_response or ""))
    assert result.plan is not None
    assert [a.action_type.value for a in result.plan.actions] == [
        "navigate",
        "detect",
        "grasp",
        "navigate",
        "place",
        "speak",
    ]
    assert result.action_goals == (0, 0, 0, 0, 0, 1)
    (request,) = server.requests
    response_format = request["response_format"]
    assert response_format["type"] == "json_schema"
    assert response_format["json_schema"]["name"] == "goal_list"
    variants = response_format["json_schema"]["schema"]["properties"]["goals"]["items"]["anyOf"]
    deliver = next(v for v in variants if v["properties"]["goal"]["enum"] == ["deliver"])
    assert deliver["properties"]["location"]["enum"] == ["kitchen", "table"]
    last = request["messages"][-1]["content"]
    assert "red_cup (red cup, at kitchen)" in last and last.endswith(f"Request: {SEED}")


def test_a_goal_the_world_cannot_satisfy_is_repaired_with_the_goal_named(server: FakeOpenAIServer) -> None:
    server.push(
        goals({"goal": "go_to", "location": "garage"}),
        goals({"goal": "go_to", "location": "table"}),
    )
    result = goal_planner(server).plan("go to the table")
    assert result.success and result.llm_calls == 2
    repair = server.requests[1]["messages"][-1]["content"]
    assert "goal 0: go_to(garage): this world has no location 'garage'" in repair
    assert server.requests[1]["messages"][-2] == {
        "role": "assistant",
        "content": json.dumps({"goals": [{"goal": "go_to", "location": "garage"}]}),
    }


def test_a_refusal_goal_is_an_empty_plan_that_counts_as_refused(server: FakeOpenAIServer) -> None:
    server.push(goals({"goal": "refuse", "reason": "that would hurt the cat"}))
    result = goal_planner(server).plan("scare the cat off the sofa")
    assert not result.success and is_refusal(result) and result.llm_calls == 1
    (issue,) = result.issues
    assert issue.code is IssueCode.EMPTY_PLAN and "hurt the cat" in issue.message


def test_a_limit_is_verifications_to_judge_and_the_rejection_names_the_goal(server: FakeOpenAIServer) -> None:
    world = packaged_world("home")
    heavy = goals({"goal": "deliver", "object": "cast_iron_pot", "location": "table"})
    server.push(heavy, heavy)
    result = goal_planner(server).plan("Lift the cast iron pot onto the dining table.", world.robot, world)
    assert not result.success and is_refusal(result) and result.llm_calls == 2
    payload = next(issue for issue in result.issues if issue.rule == "payload.max")
    assert payload.goal_index == 0 and payload.value == 4.5 and payload.limit == 2.0


def test_garbage_in_goal_mode_is_an_issue_not_an_exception(server: FakeOpenAIServer) -> None:
    server.push(Scripted(content="goals: go to the table"), Scripted(content='{"goals": [{"goal": "fly"}]}'))
    result = goal_planner(server).plan("go to the table")
    assert not result.success
    assert [issue.code for issue in result.issues] == [IssueCode.SCHEMA_INVALID]


def test_auto_mode_is_goals_for_the_embedded_model_and_actions_for_remote_ones(
    server: FakeOpenAIServer,
) -> None:
    class Embedded:
        name = "local"
        model = "fake-embedded"

        def complete(self, request: ChatRequest) -> ChatReply:
            return ChatReply(content='{"goals": []}')

        async def acomplete(self, request: ChatRequest) -> ChatReply:
            return self.complete(request)

    assert LLMActionPlanner(Settings(), backend=Embedded()).mode == "goals"
    assert LLMActionPlanner(settings_for(server)).mode == "actions"
    assert goal_planner(server).mode == "goals"


def test_expand_plans_from_goals_without_calling_any_model(server: FakeOpenAIServer) -> None:
    planner = goal_planner(server)
    world = default_world()
    result = planner.expand(
        GoalList.model_validate({"goals": [{"goal": "hold", "object": "red_cup"}]}), world.robot, world
    )
    assert result.success and result.backend == "symbolic" and result.llm_calls == 0
    assert server.requests == []


def test_goal_results_are_cached_apart_from_action_results(server: FakeOpenAIServer) -> None:
    planner = goal_planner(server)
    server.push(goals({"goal": "go_to", "location": "table"}))
    first = planner.plan("go to the table")
    again = planner.plan("go to the table")
    assert first.success and again.cache_hit and len(server.requests) == 1
    actions = LLMActionPlanner(settings_for(server), cache=planner.cache)
    server.push(
        plan_reply({"actions": [{"action_type": "navigate", "parameters": {"location_name": "table"}}]})
    )
    assert not actions.plan("go to the table").cache_hit and len(server.requests) == 2


def test_a_backend_that_breaks_its_contract_still_gives_a_result() -> None:
    from bt_planner.backends.testing import FunctionBackend

    def broken(request: ChatRequest) -> str:
        raise StopIteration("a generator leaked")

    planner = LLMActionPlanner(Settings(), backend=FunctionBackend(broken))
    result = planner.plan("go to the table")
    assert not result.success
    (issue,) = result.issues
    assert issue.code is IssueCode.LLM_ERROR and "StopIteration" in issue.message
