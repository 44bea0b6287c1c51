"""The embedded backend with the real base model (Gemma 3 270M, few-shot, actions mode): planning,
determinism, repair, concurrency, selection.

The model loads once per process (a few hundred ms) and is shared by every test here. Commands
are kept short where the point is not plan quality, so the whole file runs in well under a minute
on two cores. The instruct models' path is tested in ``test_instruct_model``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time

import llama_cpp
import pytest

from bt_planner.backends.local.embedded_backend import LocalLlamaBackend
from bt_planner.backends.local.model_registry import GEMMA3_270M
from bt_planner.backends.selection import make_backend
from bt_planner.config import LLMSettings, Settings
from bt_planner.core.issues import IssueCode, PlanIssue
from bt_planner.core.state import RobotState
from bt_planner.core.world import World, default_world
from bt_planner.llm.chat import ChatReply, ChatRequest
from bt_planner.llm.prompt import build_messages
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.plan import Plan
from bt_planner.plans.schema import plan_json_schema
from tests.sample_plans import KITCHEN_COMMAND

pytestmark = pytest.mark.llm_local

SHORT_COMMAND = "Turn right 45 degrees"


GEMMA = LLMSettings(local_model="gemma3-270m")
ACTIONS_MODE = Settings(cache={"enabled": False}, planning={"mode": "actions"})


@pytest.fixture(scope="module")
def backend() -> LocalLlamaBackend:
    return LocalLlamaBackend(GEMMA)


def _planner(backend: LocalLlamaBackend, **kwargs: object) -> LLMActionPlanner:
    return LLMActionPlanner(ACTIONS_MODE, backend=backend, **kwargs)  # type: ignore[arg-type]


def _request(command: str) -> ChatRequest:
    world = default_world()
    return ChatRequest(
        messages=build_messages(command, world.robot, world), json_schema=plan_json_schema(world)
    )


def _names_used(plan: Plan) -> set[str]:
    used = set()
    for action in plan.actions:
        params = action.parameters.model_dump()
        used |= {params[k] for k in ("location_name", "search_area", "object_id") if params.get(k)}
    return used


def test_kitchen_command_gives_a_schema_valid_plan_that_verifies_or_is_rejected_with_reasons(backend):
    world = default_world()
    result = _planner(backend).plan(KITCHEN_COMMAND, world=world)

    assert (result.backend, result.model) == ("local", GEMMA3_270M.label)
    assert backend.prompting == "few_shot"
    assert result.llm_calls >= 1
    assert result.usage.prompt_tokens > 0 and result.usage.completion_tokens > 0
    assert result.timings.llm_ms > 0
    assert result.raw_response is not None
    written = Plan.model_validate(json.loads(result.raw_response))  # grammar-constrained: always parses
    locations, objects = world.names()
    assert _names_used(written) <= set(locations) | set(objects)
    if result.success:
        assert result.plan is not None and result.plan.actions
    else:
        assert result.issues and all(issue.message for issue in result.issues)


def test_kitchen_command_carries_the_cup_to_the_table(backend):
    """The seed command (``make run``): the cup goes to the table, not back to the kitchen."""
    result = _planner(backend).plan(KITCHEN_COMMAND, world=default_world())
    assert result.success and result.plan is not None
    steps = [(a.action_type.value, a.parameters.model_dump()) for a in result.plan.actions]
    navigated = [p["location_name"] for kind, p in steps if kind == "navigate"]
    assert navigated == ["kitchen", "table"]
    assert [p["object_id"] for kind, p in steps if kind == "grasp"] == ["red_cup"]
    assert [p["location_name"] for kind, p in steps if kind == "place"] == ["table"]


def test_local_backend_never_navigates_to_where_the_robot_already_is(backend):
    world = default_world()
    for command in (KITCHEN_COMMAND, "Go to the kitchen, then go to the kitchen again"):
        result = _planner(backend).plan(command, world=world)
        assert result.raw_response is not None
        written = Plan.model_validate(json.loads(result.raw_response))
        targets = [
            a.parameters.model_dump()["location_name"]
            for a in written.actions
            if a.action_type.value == "navigate"
        ]
        assert all(a != b for a, b in itertools.pairwise(targets)), targets


def test_same_request_at_temperature_zero_gives_the_same_reply(backend):
    request = _request(KITCHEN_COMMAND)
    first = backend.complete(request)
    second = backend.complete(request)  # the prompt is now cached: a different code path, same text
    assert first.content == second.content
    assert first.usage == second.usage
    assert first.finish_reason == "stop"


def test_the_reply_never_depends_on_what_was_decoded_before(backend):
    request = _request(SHORT_COMMAND)
    model = backend._model
    with model.lock:
        model.cached_tokens.clear()
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(model.llama.ctx), True)
    cold = backend.complete(request)
    backend.complete(_request(KITCHEN_COMMAND))  # leaves another prompt and reply in the cache
    warm = backend.complete(request)
    assert warm.content == cold.content
    assert warm.usage == cold.usage


def test_grammar_keeps_names_to_the_world_even_for_unknown_things(backend):
    world = World.model_validate(
        {
            "locations": {"pantry": {"position": [1, 1, 0]}, "porch": {"position": [3, 0, 0]}},
            "objects": {"jar_of_honey": {"type": "jar", "location": "pantry", "weight_kg": 0.5}},
        }
    )
    result = _planner(backend).plan("Bring the flamingo from the garage to the attic", world=world)
    assert result.raw_response is not None
    written = Plan.model_validate(json.loads(result.raw_response))
    assert _names_used(written) <= {"pantry", "porch", "jar_of_honey"}


class _RejectFirstPlan:
    """A verifier that rejects the first plan it sees and accepts every later one."""

    def __init__(self) -> None:
        self.seen = 0

    def verify(self, plan: Plan, state: RobotState, world: World) -> list[PlanIssue]:
        self.seen += 1
        if self.seen == 1:
            return [PlanIssue(code=IssueCode.MISSING_STEP, message="say what you are doing before turning")]
        return []


class _Recording:
    """Wraps a backend and keeps every request it was asked to complete."""

    def __init__(self, inner: LocalLlamaBackend) -> None:
        self.inner = inner
        self.requests: list[ChatRequest] = []
        self.name = inner.name
        self.model = inner.model

    def complete(self, request: ChatRequest) -> ChatReply:
        self.requests.append(request)
        return self.inner.complete(request)

    async def acomplete(self, request: ChatRequest) -> ChatReply:
        self.requests.append(request)
        return await self.inner.acomplete(request)


def test_repair_round_works_unchanged(backend):
    recording = _Recording(backend)
    planner = LLMActionPlanner(ACTIONS_MODE, backend=recording, verifier=_RejectFirstPlan())
    result = planner.plan(SHORT_COMMAND)
    assert result.llm_calls == 2
    assert result.success, result.issues
    repair = recording.requests[1].messages
    assert [m.role for m in repair[-2:]] == ["assistant", "user"]
    assert "say what you are doing before turning" in repair[-1].content


async def test_concurrent_async_plans_are_serialised_and_agree(backend):
    planner = _planner(backend)
    first, second = await asyncio.gather(planner.aplan(SHORT_COMMAND), planner.aplan(SHORT_COMMAND))
    assert first.raw_response == second.raw_response
    assert first.backend == second.backend == "local"


def test_no_key_selects_the_embedded_model_and_reuses_the_loaded_one(backend):
    chosen = make_backend(GEMMA)
    assert isinstance(chosen, LocalLlamaBackend)
    assert chosen._model is backend._model
    assert chosen.model == GEMMA3_270M.label


def test_a_goal_list_request_is_answered_from_its_own_example_turns(backend):
    """Goal mode on the base model: a transcript of the request's examples, no veto, a valid list."""
    from bt_planner.llm.goal_prompt import GOAL_SCHEMA_NAME, build_goal_messages
    from bt_planner.plans.schema import goal_json_schema
    from bt_planner.plans.task_goals import GoalList

    world = default_world()
    request = ChatRequest(
        messages=build_goal_messages("Go to the table", world.robot, world),
        json_schema=goal_json_schema(world),
        schema_name=GOAL_SCHEMA_NAME,
        max_tokens=96,
    )
    reply = backend.complete(request)
    assert reply.finish_reason == "stop"
    GoalList.model_validate(json.loads(reply.content))


def test_decoding_stops_when_the_planning_deadline_has_passed(backend):
    from bt_planner.errors import BackendError

    request = _request(KITCHEN_COMMAND).model_copy(update={"deadline": time.monotonic() - 1.0})
    with pytest.raises(BackendError, match=r"stopped after 0 of at most \d+ tokens: the planning deadline"):
        backend.complete(request)
    assert backend.complete(_request(SHORT_COMMAND)).content  # the model is free again
