"""The OpenAI backend against hostile loopback servers: dribbling, silent, odd headers, odd usage."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from bt_planner.backends.openai_backend import OpenAIBackend, retry_after_seconds
from bt_planner.core.issues import IssueCode, Severity
from bt_planner.errors import BackendError
from bt_planner.llm.chat import ChatMessage, ChatRequest
from bt_planner.planning.planner import LLMActionPlanner
from tests.conftest import settings_for
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply
from tests.sample_plans import KITCHEN_COMMAND, kitchen_plan

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": " 2.5 "}, 2.5),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after-ms": "soon", "retry-after": "4"}, 4.0),
        ({"retry-after": "-5"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": ""}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after": "inf"}, None),
        ({"retry-after": "1e309"}, None),
        ({"retry-after": "Wed, 99 Foo 2024 99:99:99 GMT"}, None),
        ({"retry-after": "Tue, 14 Nov 2023 22:13:30 GMT"}, 10.0),
        ({"retry-after": "Mon, 01 Jan 2001 00:00:00 GMT"}, 0.0),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_is_parsed_robustly(headers, expected):
    got = retry_after_seconds(headers, now=NOW)
    assert got == (pytest.approx(expected) if expected is not None else None)


def _request(deadline: float | None) -> ChatRequest:
    return ChatRequest(
        messages=(ChatMessage(role="user", content="hi"),), json_schema={"type": "object"}, deadline=deadline
    )


def test_a_reply_dribbled_at_one_byte_per_second_ends_within_the_deadline_plus_one_second():
    budget = 2.0
    with FakeOpenAIServer(default=plan_reply(kitchen_plan(), dribble_interval_s=1.0)) as server:
        settings = settings_for(server, timeout=60.0)  # the per-read timeout alone never trips
        settings.retry.total_timeout_s = budget
        planner = LLMActionPlanner(settings)
        started = time.monotonic()
        result = planner.plan(KITCHEN_COMMAND)
        elapsed = time.monotonic() - started
        assert server.wait_for_hang_ups(1, timeout_s=5.0), "the request was not cancelled"
    assert not result.success
    assert result.issues[0].code is IssueCode.LLM_ERROR
    assert "deadline" in result.issues[0].message
    assert elapsed <= budget + 1.0


def test_a_server_that_never_answers_is_cut_off_at_the_deadline():
    with FakeOpenAIServer(default=Scripted(never_answer=True)) as server:
        settings = settings_for(server, timeout=60.0)
        settings.retry.total_timeout_s = 1.0
        planner = LLMActionPlanner(settings)
        started = time.monotonic()
        result = planner.plan(KITCHEN_COMMAND)
        elapsed = time.monotonic() - started
        assert server.wait_for_hang_ups(1, timeout_s=5.0)
    assert not result.success and "deadline" in result.issues[0].message
    assert elapsed <= 2.0


def test_per_request_timeout_is_retryable_but_the_deadline_is_final():
    with FakeOpenAIServer(default=Scripted(never_answer=True)) as server:
        backend = OpenAIBackend(settings_for(server, timeout=0.2).llm)
        with pytest.raises(BackendError, match=r"timed out after 0\.2 s") as timed_out:
            backend.complete(_request(deadline=None))
        assert getattr(timed_out.value, "retryable", False)
        with pytest.raises(BackendError, match="deadline") as expired:
            backend.complete(_request(deadline=time.monotonic() + 0.1))
        assert not getattr(expired.value, "retryable", True)


async def test_cancelling_aplan_cancels_the_request_in_flight():
    with FakeOpenAIServer(default=Scripted(never_answer=True)) as server:
        settings = settings_for(server, timeout=60.0)
        planner = LLMActionPlanner(settings)
        task = asyncio.create_task(planner.aplan(KITCHEN_COMMAND))
        for _ in range(500):
            if server.requests:
                break
            await asyncio.sleep(0.01)
        assert server.requests
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert await asyncio.to_thread(server.wait_for_hang_ups, 1, 5.0)


def test_a_submitted_plan_cancelled_by_a_newer_command_frees_the_planner_at_once():
    with FakeOpenAIServer() as server:
        server.push(Scripted(never_answer=True), plan_reply(kitchen_plan()))
        settings = settings_for(server, timeout=60.0)
        settings.cache.enabled = False
        planner = LLMActionPlanner(settings)
        first = planner.submit("go somewhere slowly")
        for _ in range(500):
            if server.requests:
                break
            time.sleep(0.01)
        first.cancel()
        assert server.wait_for_hang_ups(1, timeout_s=5.0)
        second = planner.submit(KITCHEN_COMMAND).result(timeout=10.0)
    assert first.cancelled()
    assert second.success


def test_negative_and_missing_token_counts_are_zero_with_a_warning(server, make_planner):
    server.push(plan_reply(kitchen_plan(), prompt_tokens=-5, completion_tokens=-1))
    result = make_planner().plan(KITCHEN_COMMAND)
    assert result.success
    assert (result.usage.prompt_tokens, result.usage.completion_tokens) == (0, 0)
    warnings = [i for i in result.issues if i.severity is Severity.WARNING and i.rule == "reply.usage"]
    assert len(warnings) == 2 and "-5" in warnings[0].message


def test_a_content_filtered_reply_is_not_a_plan(server, make_planner):
    server.push(plan_reply(kitchen_plan(), finish_reason="content_filter"))
    result = make_planner(max_repair_rounds=0).plan(KITCHEN_COMMAND)
    assert not result.success
    assert [i.code for i in result.issues] == [IssueCode.CONTENT_FILTERED]


def test_a_lone_surrogate_in_the_reply_becomes_a_replacement_character(server, make_planner):
    plan = {
        "actions": [{"action_type": "speak", "parameters": {"message": "hi \ud800 there"}}],
        "reasoning": "\udfff",
    }
    text = json.dumps(plan)  # the escapes \\ud800 and \\udfff, as a hostile model writes them
    server.push(plan_reply(text))
    result = make_planner().plan("say hi")
    assert result.success
    assert result.plan is not None
    assert result.plan.actions[0].parameters.message == "hi \ufffd there"  # type: ignore[union-attr]
    result.model_dump_json().encode("utf-8")
    json.dumps(result.model_dump(mode="json"), ensure_ascii=False).encode("utf-8")
