"""The planner against a real loopback OpenAI-compatible server, through the real SDK."""

from __future__ import annotations

import asyncio
import json
import socket

import pytest

from bt_planner.config import Settings
from bt_planner.core.issues import IssueCode
from bt_planner.planning.planner import LLMActionPlanner
from tests.conftest import settings_for
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply
from tests.sample_plans import KITCHEN_COMMAND, action, kitchen_plan


def test_valid_plan_is_returned_with_backend_model_timings_and_usage(server, make_planner):
    server.push(plan_reply(kitchen_plan(), prompt_tokens=321, completion_tokens=77))
    result = make_planner().plan(KITCHEN_COMMAND)
    assert result.success, result.issues
    assert result.plan is not None
    assert [a.action_type.value for a in result.plan.actions] == [
        "navigate",
        "detect",
        "grasp",
        "navigate",
        "place",
    ]
    assert result.backend == "openai"
    assert result.model == "fake-model"
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (321, 77)
    assert result.timings.total_ms >= result.timings.llm_ms > 0
    assert result.llm_calls == 1
    assert json.loads(result.raw_response or "") == kitchen_plan()


def test_request_uses_strict_schema_with_world_names_as_enums(server, make_planner):
    server.push(plan_reply(kitchen_plan()))
    make_planner().plan(KITCHEN_COMMAND)
    fmt = server.requests[0]["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["strict"] is True
    variants = fmt["json_schema"]["schema"]["properties"]["actions"]["items"]["anyOf"]
    by_type = {v["properties"]["action_type"]["enum"][0]: v for v in variants}
    assert by_type["navigate"]["properties"]["parameters"]["properties"]["location_name"]["enum"] == [
        "kitchen",
        "table",
    ]
    assert by_type["grasp"]["properties"]["parameters"]["properties"]["object_id"]["enum"] == ["red_cup"]
    assert "custom" not in by_type


def test_unknown_action_type_is_repaired_with_the_exact_error(server, make_planner):
    bad = {"actions": [action("fly", location_name="kitchen")], "reasoning": "", "estimated_total_time": 1}
    server.push(plan_reply(bad), plan_reply(kitchen_plan()))
    result = make_planner().plan(KITCHEN_COMMAND)
    assert result.success
    assert result.llm_calls == 2
    repair = server.requests[1]["messages"]
    assert repair[-2]["role"] == "assistant"
    assert "actions.0" in repair[-1]["content"] and "'fly'" in repair[-1]["content"]


def test_wrong_parameter_types_fail_closed_when_the_repair_also_fails(server, make_planner):
    bad = {"actions": [action("move", x="far", y=1.0)], "reasoning": "", "estimated_total_time": None}
    server.push(plan_reply(bad), plan_reply(bad))
    result = make_planner().plan("move forward")
    assert not result.success
    assert result.plan is None
    assert result.llm_calls == 2
    assert any(
        i.code is IssueCode.SCHEMA_INVALID and i.action_index == 0 and "x" in i.message for i in result.issues
    )


def test_no_repair_round_when_configured_off(server, make_planner):
    server.push(plan_reply("not json at all"))
    result = make_planner(max_repair_rounds=0).plan(KITCHEN_COMMAND)
    assert not result.success
    assert result.llm_calls == 1
    assert result.issues[0].code is IssueCode.INVALID_JSON


def test_non_json_then_valid_json_in_code_fence(server, make_planner):
    server.push(
        plan_reply("Sure! Here is my plan."), plan_reply("```json\n" + json.dumps(kitchen_plan()) + "\n```")
    )
    result = make_planner().plan(KITCHEN_COMMAND)
    assert result.success
    assert "not valid JSON" in server.requests[1]["messages"][-1]["content"]


def test_truncated_reply_is_reported_as_truncated(server, make_planner):
    text = json.dumps(kitchen_plan())[:60]
    server.push(plan_reply(text, finish_reason="length"), plan_reply(text, finish_reason="length"))
    result = make_planner().plan(KITCHEN_COMMAND)
    assert not result.success
    assert [i.code for i in result.issues] == [IssueCode.TRUNCATED]


def test_empty_plan_is_a_refusal_without_repair(server, make_planner):
    server.push(
        plan_reply({"actions": [], "reasoning": "that would hurt someone", "estimated_total_time": 0})
    )
    result = make_planner().plan("hit the person")
    assert not result.success
    assert result.llm_calls == 1
    assert result.issues[0].code is IssueCode.EMPTY_PLAN
    assert "hurt someone" in result.issues[0].message


def _planner_with_recorded_waits(server: FakeOpenAIServer, waits: list[float]) -> LLMActionPlanner:
    from bt_planner.llm.call_policy import CallPolicy

    settings = settings_for(server)
    return LLMActionPlanner(settings, policy=CallPolicy(settings.retry, sleep=waits.append))


def test_429_with_retry_after_is_honoured_then_succeeds(server):
    waits: list[float] = []
    server.push(Scripted(status=429, headers={"retry-after": "3"}), plan_reply(kitchen_plan()))
    result = _planner_with_recorded_waits(server, waits).plan(KITCHEN_COMMAND)
    assert result.success
    assert waits == [3.0]
    assert len(server.requests) == 2


def test_500_is_retried_with_backoff_then_succeeds(server):
    waits: list[float] = []
    server.push(Scripted(status=500), Scripted(status=503), plan_reply(kitchen_plan()))
    result = _planner_with_recorded_waits(server, waits).plan(KITCHEN_COMMAND)
    assert result.success
    assert len(waits) == 2
    assert all(0 < w <= 0.05 for w in waits)


def test_4xx_other_than_429_is_not_retried(server):
    waits: list[float] = []
    server.push(Scripted(status=401))
    result = _planner_with_recorded_waits(server, waits).plan(KITCHEN_COMMAND)
    assert not result.success
    assert waits == []
    assert result.issues[0].code is IssueCode.LLM_ERROR
    assert "401" in result.issues[0].message


def test_reply_slower_than_the_timeout_fails_after_bounded_attempts(server):
    server.push(Scripted(delay_s=30, content="{}"), Scripted(delay_s=30, content="{}"))
    # 1 s, not less: on a loaded machine a shorter timeout can end an attempt before the server has
    # even read its request, and the server's log would then undercount the attempts
    settings = settings_for(server, timeout=1.0)
    settings = settings.model_copy(update={"retry": settings.retry.model_copy(update={"max_attempts": 2})})
    result = LLMActionPlanner(settings).plan(KITCHEN_COMMAND)
    assert not result.success
    assert result.issues[0].code is IssueCode.LLM_ERROR
    assert "timed out" in result.issues[0].message
    # the second attempt was sent (the server may log it after the client gave up on it)
    assert server.wait_for_requests(2, timeout_s=10.0)
    assert len(server.requests) == 2


def test_garbage_http_body_becomes_a_failed_result(server, make_planner):
    server.push(*[Scripted(raw_body=b"<html>oops</html>", headers={"content-type": "text/html"})] * 2)
    result = make_planner().plan(KITCHEN_COMMAND)
    assert not result.success
    assert result.plan is None
    assert result.issues


def test_server_down_becomes_a_failed_result():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings = Settings(
        llm={"base_url": f"http://127.0.0.1:{port}/v1", "timeout": 1.0},
        retry={"max_attempts": 2, "initial_wait_s": 0.0, "jitter_s": 0.0},
    )
    result = LLMActionPlanner(settings).plan(KITCHEN_COMMAND)
    assert not result.success
    assert result.issues[0].code is IssueCode.LLM_ERROR
    assert "cannot reach" in result.issues[0].message


def test_falls_back_to_json_object_when_the_server_rejects_json_schema():
    with FakeOpenAIServer(reject_json_schema=True) as server:
        server.push(plan_reply(kitchen_plan()), plan_reply(kitchen_plan()))
        planner = LLMActionPlanner(settings_for(server, structured_output="auto"))
        first = planner.plan(KITCHEN_COMMAND)
        planner.cache.clear()
        second = planner.plan(KITCHEN_COMMAND)
    assert first.success and second.success
    formats = [(r.get("response_format") or {}).get("type") for r in server.requests]
    assert formats == ["json_schema", "json_object", "json_object"]


def test_two_planners_in_one_process_use_their_own_servers():
    with (
        FakeOpenAIServer(default=plan_reply(kitchen_plan())) as one,
        FakeOpenAIServer(
            default=plan_reply(
                {"actions": [action("speak", message="hi")], "reasoning": "", "estimated_total_time": 1}
            )
        ) as two,
    ):
        a = LLMActionPlanner(settings_for(one)).plan(KITCHEN_COMMAND)
        b = LLMActionPlanner(settings_for(two)).plan("say hi")
    assert a.plan is not None and len(a.plan.actions) == 5
    assert b.plan is not None and b.plan.actions[0].action_type.value == "speak"
    assert len(one.requests) == len(two.requests) == 1


def test_prompt_is_compact_and_versioned(server, make_planner):
    server.push(plan_reply(kitchen_plan()))
    result = make_planner().plan(KITCHEN_COMMAND)
    messages = server.requests[0]["messages"]
    text = "\n".join(m["content"] for m in messages)
    assert '\n  "' not in text
    assert "kitchen (3,2,0)" in text and "red_cup=red cup" in text and "battery 85%" in text
    assert result.prompt_version


async def test_32_concurrent_aplan_calls_all_succeed():
    with FakeOpenAIServer(default=plan_reply(kitchen_plan(), delay_s=0.05)) as server:
        planner = LLMActionPlanner(settings_for(server))
        planner.settings.cache.enabled = False
        results = await asyncio.gather(*(planner.aplan(f"{KITCHEN_COMMAND} #{i}") for i in range(32)))
    assert all(r.success for r in results)
    assert len(server.requests) == 32
    assert planner.stats().requests == 32


async def test_aplan_reports_server_errors_as_failed_results():
    with FakeOpenAIServer(default=Scripted(status=500)) as server:
        settings = settings_for(server)
        settings.retry.max_attempts = 2
        result = await LLMActionPlanner(settings).aplan(KITCHEN_COMMAND)
    assert not result.success
    assert result.issues[0].code is IssueCode.LLM_ERROR


def test_stats_track_success_rate_latency_and_tokens(server, make_planner):
    server.push(plan_reply(kitchen_plan()), plan_reply("nope"), plan_reply("nope"))
    planner = make_planner()
    planner.plan(KITCHEN_COMMAND)
    planner.plan("something else")
    planner.plan(KITCHEN_COMMAND)
    stats = planner.stats()
    assert (stats.requests, stats.successes, stats.cache_hits) == (3, 2, 1)
    assert stats.success_rate == pytest.approx(2 / 3)
    assert stats.prompt_tokens == 300
    assert stats.latency_p95_ms >= stats.latency_p50_ms > 0
