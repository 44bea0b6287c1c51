"""A real embedded instruct model (Qwen2.5-Coder-0.5B-Instruct, ``small``) end to end.

Kept to a few short calls: one cold goal-mode plan through the planner, then follow-up commands
that reuse the cached prompt prefix. The default model's selection is checked by loading it, not
by planning with it (the 1.5B model's cold prompt takes tens of seconds on two cores).
"""

from __future__ import annotations

import json

import llama_cpp
import pytest

from bt_planner.backends.local.decoding import Forced, ForcedText, GrammarFilter, decode
from bt_planner.backends.local.embedded_backend import LocalLlamaBackend
from bt_planner.backends.local.grammar import grammar_for_schema
from bt_planner.backends.local.model_registry import QWEN_CODER_0_5B, embedded_model
from bt_planner.backends.selection import make_backend
from bt_planner.config import LLMSettings, Settings
from bt_planner.core.world import default_world
from bt_planner.llm.chat import ChatRequest
from bt_planner.llm.goal_prompt import GOAL_SCHEMA_NAME, build_goal_messages
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.actions import ActionType
from bt_planner.plans.schema import goal_json_schema
from bt_planner.plans.task_goals import GoalList

pytestmark = pytest.mark.llm_local


@pytest.fixture(scope="module")
def small() -> LocalLlamaBackend:
    return LocalLlamaBackend(LLMSettings(local_model="small"))


def _goal_request(command: str) -> ChatRequest:
    world = default_world()
    return ChatRequest(
        messages=build_goal_messages(command, world.robot, world),
        json_schema=goal_json_schema(world),
        schema_name=GOAL_SCHEMA_NAME,
        max_tokens=128,
    )


def test_the_instruct_model_plans_a_spoken_greeting_in_goal_mode(small):
    assert small.prompting == "chat"
    planner = LLMActionPlanner(Settings(cache={"enabled": False}, planning={"mode": "goals"}), backend=small)
    result = planner.plan("Say hello", world=default_world())
    assert (result.backend, result.model, result.mode) == ("local", QWEN_CODER_0_5B.label, "goals")
    assert result.raw_response is not None
    GoalList.model_validate(json.loads(result.raw_response))  # grammar-constrained: always parses
    assert result.success, result.issues
    assert result.plan is not None
    spoken = [
        a.parameters.model_dump()["message"] for a in result.plan.actions if a.action_type is ActionType.SPEAK
    ]
    assert len(spoken) == 1 and "hello" in spoken[0].lower()


def test_the_prompt_is_the_models_chat_template_with_the_turns_as_they_are(small):
    request = _goal_request("Go to the table")
    prompt = small.chat_prompt(request)
    text = small._model.llama.detokenize(list(prompt.tokens), special=True).decode()
    assert text.startswith("<|im_start|>system\n" + request.messages[0].content + "<|im_end|>\n")
    assert text.endswith(
        "<|im_start|>user\n" + request.messages[-1].content + "<|im_end|>\n<|im_start|>assistant\n"
    )
    assert (
        text.count("<|im_start|>assistant\n") == (len(request.messages) - 2) // 2 + 1
    )  # the example replies
    assert "Plan:" not in text  # no few-shot document


def test_a_follow_up_command_reuses_the_cached_prefix_and_replies_as_from_a_cold_cache(small):
    model = small._model
    first, follow_up = _goal_request("Go to the table"), _goal_request("Go to the kitchen")
    grammar = grammar_for_schema(first.json_schema, compact=True)
    request_line = small.chat_prompt(follow_up).checkpoints[-2]  # where the "Request:" line starts

    def run(request: ChatRequest) -> tuple[str, int]:
        with model.lock:
            out = decode(model, small.chat_prompt(request), grammar, max_tokens=64, veto=None)
        return out.text, out.reused_prompt_tokens

    with model.lock:  # start cold
        model.cached_tokens.clear()
        model.cached_batch_ends.clear()
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(model.llama.ctx), True)
    cold_text, cold_reused = run(follow_up)
    run(first)
    warm_text, warm_reused = run(follow_up)
    assert cold_reused == 0
    assert warm_reused == request_line  # instructions, examples, world and robot all came from the cache
    assert warm_text == cold_text
    assert GoalList.model_validate(json.loads(warm_text)).goals[0].goal == "go_to"


def test_the_grammar_forced_text_is_found_character_by_character(small):
    model = small._model
    vocab = llama_cpp.llama_model_get_vocab(model.llama.model)
    grammar = GrammarFilter.compile(vocab, 'root ::= "{\\"kind\\":\\"" ("turn" | "tell") "\\"}"')
    forced = ForcedText(model.llama, model.llama.token_eos())
    try:
        assert forced.after(grammar) == Forced('{"kind":"t', complete=False)  # then "u" or "e": a choice
        for token in model.llama.tokenize(b'{"kind":"tu', add_bos=False, special=False):
            grammar.accept(token)
        assert forced.after(grammar) == Forced('rn"}', complete=True)  # the rest of "turn", then the end
        assert forced.after(grammar, limit=2) == Forced("rn", complete=False)
    finally:
        grammar.close()


@pytest.mark.parametrize(
    "command", ["Go to the kitchen, pick up the red cup", "Look for the cup in the kitchen"]
)
def test_forced_text_is_not_decoded_step_by_step(small, command):
    request = _goal_request(command)
    grammar = grammar_for_schema(request.json_schema, compact=True)
    opening = small._model.llama.tokenize(b'{"goals":[{"goal":"', add_bos=False, special=False)
    with small._model.lock:
        prompt = small.chat_prompt(request)
        plain = decode(small._model, prompt, grammar, max_tokens=128, drafts="none")
        first = decode(small._model, prompt, grammar, max_tokens=128, drafts="forced")
        again = decode(small._model, prompt, grammar, max_tokens=128, drafts="forced")
    assert plain.drafted_tokens == 0
    assert again.text == first.text  # the same prompt, the same reply, whatever the cache held
    GoalList.model_validate(json.loads(first.text))
    assert first.finish_reason == "stop"
    # the opening came with the prompt and the closing brackets were written, not decoded; the
    # keys, quotes and the rest of each name came from drafts: at most half the tokens took a step
    assert first.drafted_tokens >= len(opening)
    assert first.drafted_tokens >= first.completion_tokens // 2


def test_with_no_key_and_no_choice_the_default_instruct_model_is_selected():
    chosen = make_backend(LLMSettings())
    assert isinstance(chosen, LocalLlamaBackend)
    default = embedded_model(LLMSettings().local_model)
    assert chosen.model == default.label
    assert chosen.prompting == default.prompting


def test_an_action_request_gets_the_fixed_examples_unless_they_do_not_fit(small):
    from bt_planner.backends.local.chat_examples import fixed_examples
    from bt_planner.llm.prompt import build_messages
    from bt_planner.plans.schema import plan_json_schema

    world = default_world()
    request = ChatRequest(
        messages=build_messages("Go to the table", world.robot, world), json_schema=plan_json_schema(world)
    )

    def text(prompt: object) -> str:
        return small._model.llama.detokenize(list(prompt.tokens), special=True).decode()  # type: ignore[attr-defined]

    with_examples = text(small.chat_prompt(request))
    assert with_examples.count("<|im_start|>assistant\n") == len(fixed_examples()) + 1
    assert f"Command: {fixed_examples()[0].command}" in with_examples
    alone = small.chat_prompt(request, budget=len(small.chat_prompt(request).tokens) - 1)
    assert text(alone).count("<|im_start|>assistant\n") == 1
