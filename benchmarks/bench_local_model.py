"""Benchmark an embedded model: load time, cold and warm seconds per plan, decode tokens per second.

    .venv/bin/python benchmarks/bench_local_model.py [--model NAME] [--mode goals|actions|both]
                                                     [--threads N] [--repeat N] [--harm-check auto|on|off]

(or through ``python -m benchmarks.run_all``, which calls ``run(quick=...)`` for its table, with
the default model.) ``--model`` is an ``llm.local_model`` name (default: the configured default).

Plans a few commands on the default kitchen world through the real planner (verification and one
repair round included, plan cache off). The first plan starts from an empty prompt cache (cold);
the others reuse what the fixed start of the prompt left in it (warm), as a follow-up command
does. Then it decodes one request with each draft source (none, grammar-forced text, prompt
lookup) and checks that all three write the same reply. Targets: goal mode at
most 2.5 s per warm plan (median) and actions mode at most 5 s, on two cores. Other busy
processes slow llama.cpp a lot: the load average is printed so a noisy run shows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any, Literal

import llama_cpp

from bt_planner.backends.local.decoding import DraftSource, decode
from bt_planner.backends.local.embedded_backend import LocalLlamaBackend
from bt_planner.backends.local.few_shot import build_prompt
from bt_planner.backends.local.grammar import grammar_for_schema
from bt_planner.backends.local.model_registry import model_names
from bt_planner.backends.local.prompt_tokens import PromptTokens
from bt_planner.config import LLMSettings, Settings
from bt_planner.core.world import default_world
from bt_planner.llm.chat import ChatRequest
from bt_planner.llm.goal_prompt import GOAL_SCHEMA_NAME, build_goal_messages
from bt_planner.llm.prompt import build_messages
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.schema import goal_json_schema, plan_json_schema

Mode = Literal["actions", "goals"]

COMMANDS = (
    "Go to the kitchen, pick up the red cup, and bring it to the table",
    "Go to the table",
    "Turn right 45 degrees",
    "Say hello, then wait 3 seconds",
    "Look for the cup in the kitchen",
    "Bring me a banana",
)
TARGET_S: dict[Mode, float] = {"goals": 2.5, "actions": 5.0}


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def _forget(backend: LocalLlamaBackend) -> None:
    """Empty the model's prompt cache, so the next plan is a cold one."""
    model = backend._model
    with model.lock:
        model.cached_tokens.clear()
        model.cached_batch_ends.clear()
        llama_cpp.llama_memory_clear(llama_cpp.llama_get_memory(model.llama.ctx), True)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _plans(
    backend: LocalLlamaBackend,
    mode: Mode,
    repeat: int,
    commands: tuple[str, ...] = COMMANDS,
    *,
    harm_check: str = "auto",
) -> tuple[float, list[float], float]:
    """Plan each command, the first from a cold cache; (cold s, warm s per plan, decode tok/s)."""
    settings = Settings(cache={"enabled": False}, planning={"mode": mode, "harm_check": harm_check})
    planner = LLMActionPlanner(settings, backend=backend)
    world = default_world()
    print(f"\n{mode} mode:")
    print(
        f"{'command':<44} {'s/plan':>7} {'cpu s':>6} {'calls':>5} {'prompt':>6} {'out':>4} {'tok/s':>6}  result"
    )
    _forget(backend)
    cold = 0.0
    warm: list[float] = []
    tokens, llm_seconds = 0, 0.0
    for index, command in enumerate(commands):
        walls, cpus = [], []
        for attempt in range(repeat):
            started, cpu = time.perf_counter(), time.process_time()
            result = planner.plan(command, world=world)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            if index == 0 and attempt == 0:
                cold = walls[-1]
            else:
                warm.append(walls[-1])
                tokens += result.usage.completion_tokens
                llm_seconds += result.timings.llm_ms / 1000
        rate = (
            result.usage.completion_tokens / (result.timings.llm_ms / 1000) if result.timings.llm_ms else 0.0
        )
        if result.success and result.plan is not None:
            outcome = "ok: " + ", ".join(a.action_type.value for a in result.plan.actions)
        else:
            outcome = "rejected: " + (str(result.issues[0]) if result.issues else "?")
        label = f"{command[:38]} (cold)" if index == 0 else command[:44]
        print(
            f"{label:<44} {statistics.median(walls):7.2f} {statistics.median(cpus):6.2f} {result.llm_calls:5d} "
            f"{result.usage.prompt_tokens:6d} {result.usage.completion_tokens:4d} {rate:6.1f}  {outcome[:70]}"
        )
    if warm:
        print(
            f"cold {cold:.2f} s; warm median {statistics.median(warm):.2f} s, p95 {_p95(warm):.2f} s "
            f"(target {TARGET_S[mode]:g} s)"
        )
    return cold, warm, tokens / llm_seconds if llm_seconds else 0.0


def _request(mode: Mode, command: str) -> ChatRequest:
    world = default_world()
    if mode == "goals":
        return ChatRequest(
            messages=build_goal_messages(command, world.robot, world),
            json_schema=goal_json_schema(world),
            schema_name=GOAL_SCHEMA_NAME,
        )
    return ChatRequest(
        messages=build_messages(command, world.robot, world), json_schema=plan_json_schema(world)
    )


def _drafts(backend: LocalLlamaBackend, mode: Mode) -> dict[DraftSource, float]:
    """Decode the kitchen command with each draft source, prompt cached; tokens per second for each."""
    request = _request(mode, COMMANDS[0])
    model = backend._model
    grammar = grammar_for_schema(request.json_schema, compact=backend.prompting == "chat")
    with model.lock:
        prompt: str | PromptTokens
        if backend.prompting == "chat":
            prompt = backend.chat_prompt(request)
        else:
            prompt = build_prompt(
                request,
                bank=backend._examples,
                count_tokens=lambda text: len(
                    model.llama.tokenize(text.encode(), add_bos=True, special=False)
                ),
                budget=model.context_tokens // 2,
            ).text
        print(f"\ndecoding the kitchen command ({mode} mode), prompt already cached:")
        rates: dict[DraftSource, float] = {}
        replies: set[str] = set()
        sources: tuple[DraftSource, ...] = ("none", "forced", "lookup")
        for source in sources:
            decode(model, prompt, grammar, max_tokens=512, drafts=source)  # warm the prompt cache
            started = time.perf_counter()
            out = decode(model, prompt, grammar, max_tokens=512, drafts=source)
            seconds = time.perf_counter() - started
            print(
                f"  drafts={source:<6} {seconds:5.2f} s, {out.completion_tokens} tokens, "
                f"{out.completion_tokens / seconds:5.1f} tokens/s, {out.drafted_tokens} drafted, "
                f"{out.reused_prompt_tokens} of {out.prompt_tokens} prompt tokens from the cache"
            )
            rates[source] = out.completion_tokens / seconds
            replies.add(out.text)
        if len(replies) > 1:
            print(
                f"  the draft sources wrote {len(replies)} different replies (a near tie broke differently)"
            )
    return rates


def run(*, quick: bool) -> list[Any]:
    """Rows for ``benchmarks.run_all``: the default model's warm goal-mode plans and tokens/s."""
    from benchmarks.rows import BenchRow

    started = time.perf_counter()
    backend = LocalLlamaBackend(LLMSettings())
    loaded = time.perf_counter() - started
    cold, warm, _ = _plans(backend, "goals", 1, COMMANDS[:3] if quick else COMMANDS)
    rates = _drafts(backend, "goals")
    load = _load()
    median = statistics.median(warm)
    target = TARGET_S["goals"]
    name = f"embedded {backend.model}"
    return [
        BenchRow(name=f"{name}: load (hash check + llama.cpp)", value=loaded, unit="s", note=load),
        BenchRow(name=f"{name}: goal mode, cold plan", value=cold, unit="s", note=load),
        BenchRow(name=f"{name}: goal mode, warm plan (median of {len(warm)})", value=median, unit="s",
                 target=f"<= {target:g} s", met=median <= target, note=f"p95 {_p95(warm):.2f} s; {load}"),
        BenchRow(name=f"{name}: decode tokens/s (forced drafts)", value=rates["forced"], unit="tok/s",
                 note=f"{rates['none']:.1f} tok/s without drafts, {rates['lookup']:.1f} with prompt lookup"),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--model", choices=model_names(), default=LLMSettings().local_model)
    parser.add_argument("--mode", choices=("goals", "actions", "both"), default="both")
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: one per core)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command; the median is shown")
    parser.add_argument(
        "--harm-check", choices=("auto", "on", "off"), default="auto", help="planning.harm_check (goal mode)"
    )
    args = parser.parse_args()
    started = time.perf_counter()
    backend = LocalLlamaBackend(LLMSettings(local_model=args.model, local_threads=args.threads))
    print(
        f"model {backend.model} ({backend.prompting}), {backend.threads} threads, {os.cpu_count()} cores, {_load()}"
    )
    print(f"model ready in {time.perf_counter() - started:.2f} s (assembly check + load)")
    modes: tuple[Mode, ...] = ("goals", "actions") if args.mode == "both" else (args.mode,)
    for mode in modes:
        _plans(backend, mode, args.repeat, harm_check=args.harm_check)
        _drafts(backend, mode)
    print(f"\n{_load()}")


if __name__ == "__main__":
    main()
