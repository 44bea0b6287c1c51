"""The embedded model's parts that need no model: example bank, selection, prompt, grammar, files."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bt_planner.backends.local.decode_constraints import NoStayNavigate, navigate_locations
from bt_planner.backends.local.example_bank import command_words, packaged_examples, parse_bank, rank_examples
from bt_planner.backends.local.few_shot import CUE, HEADER, build_prompt, example_text, plan_line
from bt_planner.backends.local.grammar import KEY_ORDER, grammar_for_schema
from bt_planner.backends.local.model_file import resolve_weights
from bt_planner.core.world import default_world
from bt_planner.errors import ModelFileError
from bt_planner.llm.chat import ChatMessage, ChatRequest
from bt_planner.llm.prompt import build_messages, repair_message
from bt_planner.plans.actions import ActionType
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.plan import Plan
from bt_planner.plans.schema import plan_json_schema
from tests.sample_plans import KITCHEN_COMMAND


def _words(text: str) -> int:
    return len(text.split())


def _request(command: str = KITCHEN_COMMAND, registry: CustomActionRegistry | None = None) -> ChatRequest:
    world = default_world()
    return ChatRequest(
        messages=build_messages(command, world.robot, world, custom_actions=registry),
        json_schema=plan_json_schema(world, registry),
    )


# ---- the example bank ---------------------------------------------------------------------------


def test_bank_covers_every_builtin_action_and_has_refusals():
    bank = packaged_examples()
    assert len(bank) >= 15
    used = {action.action_type for example in bank for action in example.plan.actions}
    assert used == set(ActionType) - {ActionType.CUSTOM}
    refusals = [example for example in bank if not example.plan.actions]
    assert len(refusals) >= 3
    assert all(example.plan.reasoning for example in refusals)


def test_bank_examples_only_name_their_own_world():
    for example in packaged_examples():
        locations, objects = example.world.names()
        for action in example.plan.actions:
            params = action.parameters.model_dump()
            for key in ("location_name", "search_area"):
                assert params.get(key) in (None, *locations), (example.command, params)
            if "object_id" in params:
                assert params["object_id"] in objects, (example.command, params)


def test_a_broken_example_fails_loudly():
    text = """
worlds: {w: {locations: {a: {position: [0, 0, 0]}}}}
examples:
  - command: go
    world: w
    plan: {actions: [{action_type: navigate, parameters: {place: a}}], reasoning: r}
"""
    with pytest.raises(ValueError, match="location_name"):
        parse_bank(text)
    with pytest.raises(ValueError, match="unknown world"):
        parse_bank("examples: [{command: go, world: nowhere, plan: {actions: []}}]")


# ---- choosing examples ----------------------------------------------------------------------------


def test_command_words_fold_synonyms_and_plurals():
    assert command_words("Please bring me the boxes") == {"fetch", "box"}
    assert command_words("Fetch it") == command_words("get it") == {"fetch"}


@pytest.mark.parametrize(
    ("command", "expected_type"),
    [
        ("Rotate 30 degrees to the right", ActionType.TURN),
        ("Announce that dinner is ready", ActionType.SPEAK),
        ("Pause for 4 seconds", ActionType.WAIT),
        (KITCHEN_COMMAND, ActionType.GRASP),
    ],
)
def test_the_most_relevant_example_does_what_the_command_asks(command, expected_type):
    best = rank_examples(command, packaged_examples())[0]
    assert expected_type in {action.action_type for action in best.plan.actions}, best.command


def test_ranking_is_deterministic_and_keeps_every_example():
    bank = packaged_examples()
    first = rank_examples("Take the mug to the sink", bank)
    assert first == rank_examples("Take the mug to the sink", bank)
    assert sorted(e.command for e in first) == sorted(e.command for e in bank)


# ---- the prompt -----------------------------------------------------------------------------------


def test_plan_line_round_trips_in_grammar_key_order():
    for example in packaged_examples():
        line = plan_line(example.plan)
        assert "\n" not in line
        data = json.loads(line)
        assert list(data) == ["reasoning", "actions", "estimated_total_time"]
        for action in data["actions"]:
            assert list(action) == ["action_type", "description", "parameters", "estimated_duration"]
        assert Plan.model_validate(data) == example.plan


def test_prompt_is_header_then_examples_then_the_request():
    request = _request()
    prompt = build_prompt(
        request, bank=packaged_examples(), count_tokens=_words, budget=10_000, max_examples=3
    )
    assert len(prompt.examples) == 3
    assert prompt.text.startswith(HEADER)
    assert prompt.text.endswith(request.messages[1].content + CUE)
    best = rank_examples(KITCHEN_COMMAND, packaged_examples())[0]
    assert prompt.examples[-1] == best.command  # most relevant right before the request
    assert example_text(best) in prompt.text
    assert "Reply with JSON only" not in prompt.text  # the chat instructions are left out


def test_prompt_fits_the_budget_by_dropping_examples():
    request = _request()
    alone = build_prompt(request, bank=(), count_tokens=_words, budget=10_000)
    one_example = _words(example_text(packaged_examples()[0])) + 5
    prompt = build_prompt(
        request, bank=packaged_examples(), count_tokens=_words, budget=_words(alone.text) + one_example
    )
    assert len(prompt.examples) <= 1
    assert _words(prompt.text) <= _words(alone.text) + one_example
    with pytest.raises(ValueError, match="tokens"):
        build_prompt(request, bank=packaged_examples(), count_tokens=_words, budget=10)


def test_repair_turns_and_custom_actions_reach_the_prompt():
    from pydantic import BaseModel

    class Wave(BaseModel):
        times: int

    registry = CustomActionRegistry()
    registry.register("wave", Wave, "wave the arm")
    request = _request(registry=registry)
    repaired = request.model_copy(
        update={
            "messages": (
                *request.messages,
                ChatMessage(role="assistant", content='{"actions": []}'),
                repair_message(["error unreachable: the table is too far"]),
            )
        }
    )
    text = build_prompt(repaired, bank=packaged_examples(), count_tokens=_words, budget=10_000).text
    assert 'custom(name="wave",times) wave the arm' in text
    assert (
        text.index('Rejected plan: {"actions": []}') < text.index("the table is too far") < text.rindex(CUE)
    )


# ---- the grammar ----------------------------------------------------------------------------------


def test_grammar_bounds_text_orders_keys_and_leaves_the_schema_alone():
    schema = plan_json_schema(default_world())
    before = copy.deepcopy(schema)
    grammar = grammar_for_schema(schema)
    assert schema == before
    rules = dict(line.split(" ::= ", 1) for line in grammar.splitlines())
    assert rules["root"].index("reasoning") < rules["root"].index("actions")
    assert r"\x00-\x1F" in rules["char"]  # no raw control characters inside strings
    assert "char*" not in grammar  # every free string is bounded
    assert '"\\"kitchen\\""' in grammar and '"\\"red_cup\\""' in grammar
    assert KEY_ORDER[0] == "reasoning"


# ---- plan-level constraints while decoding ---------------------------------------------------------

_AT_KITCHEN = (
    '{"reasoning":"r","actions":[{"action_type":"navigate","description":"go to kitchen",'
    '"parameters":{"location_name":"kitchen"},"estimated_duration":10},{"action_type":"grasp",'
    '"description":"pick up","parameters":{"object_id":"red_cup","object_type":null},"estimated_duration":3},'
)


def test_navigate_locations_come_from_the_schema():
    assert set(navigate_locations(plan_json_schema(default_world()))) == {"kitchen", "table"}
    assert navigate_locations({}) == ()


def test_a_navigate_step_may_not_target_where_the_robot_already_is():
    veto = NoStayNavigate(["kitchen", "kitchenette", "table"])
    first = '{"reasoning":"r","actions":[{"action_type":"navigate","description":"go","parameters":{"location_name":"'
    assert veto.open_value(first) is None  # the start is not known to be a location
    text = _AT_KITCHEN + '{"action_type":"navigate","description":"carry it","parameters":{"location_name":"'
    assert veto.open_value(text) == (True, "kitchen", "")
    assert veto.allows(True, "kitchen", "", "table")
    assert veto.allows(True, "kitchen", "", "kitchen")  # can still become kitchenette
    assert not veto.allows(True, "kitchen", "kitchen", '"')
    assert not veto.allows(True, "kitchen", "", 'kitchen"}')
    assert veto.allows(True, "kitchen", "kitchen", "ette")
    moved = _AT_KITCHEN.replace('{"action_type":"grasp"', '{"action_type":"move"')
    assert veto.open_value(moved + '{"action_type":"navigate","parameters":{"location_name":"') is None
    assert (
        veto.open_value(moved + '{"action_type":"navigate","description":"d","parameters":{"location_name":"')
        is None
    )


def test_a_place_step_may_only_name_where_the_robot_is():
    veto = NoStayNavigate(["kitchen", "table"])
    text = (
        _AT_KITCHEN + '{"action_type":"place","description":"put it down","parameters":{"location_name":"ki'
    )
    assert veto.open_value(text) == (False, "kitchen", "ki")
    assert veto.allows(False, "kitchen", "ki", 'tchen"')
    assert not veto.allows(False, "kitchen", "", "table")


# ---- files and imports ----------------------------------------------------------------------------


def test_a_configured_model_path_must_exist_and_overrides_the_registry_model(tmp_path: Path):
    with pytest.raises(ModelFileError, match="does not exist"):
        resolve_weights("small", tmp_path / "missing.gguf")
    model = tmp_path / "mine.gguf"
    model.write_bytes(b"GGUF")
    weights = resolve_weights("small", model)
    assert (weights.path, weights.model, weights.label) == (model, None, "mine")


def test_importing_the_package_and_the_pure_parts_does_not_load_llama_cpp():
    code = (
        "import sys, bt_planner, bt_planner.backends.local.example_bank, bt_planner.backends.local.few_shot, "
        "bt_planner.backends.local.grammar, bt_planner.backends.local.model_file, "
        "bt_planner.backends.local.model_registry, bt_planner.backends.local.prompt_tokens\n"
        "bad = [m for m in ('llama_cpp', 'openai', 'rclpy') if m in sys.modules]\n"
        "assert not bad, bad"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.llm_local
def test_packaged_gemma_is_assembled_verified_and_rebuilt_when_corrupted(tmp_path: Path):
    from bt_planner.backends.local.model_file import packaged_model_path, sha256_of
    from bt_planner.backends.local.model_registry import GEMMA3_270M

    path = packaged_model_path(tmp_path)
    assert path.parent == tmp_path and sha256_of(path) == GEMMA3_270M.sha256
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no scratch file left behind
    with path.open("r+b") as file:  # flip one byte in place
        file.seek(1000)
        byte = file.read(1)
        file.seek(1000)
        file.write(bytes([byte[0] ^ 0xFF]))
    assert sha256_of(path) != GEMMA3_270M.sha256
    assert packaged_model_path(tmp_path) == path
    assert sha256_of(path) == GEMMA3_270M.sha256
