"""Benchmark the embedded model: seconds per plan and tokens per second on this machine.

    .venv/bin/python benchmarks/bench_local_model.py [--threads N] [--repeat N]

(or through ``python -m benchmarks.run_all``, which calls ``run(quick=...)`` for its table.)

Plans a few commands on the default kitchen world through the real planner (verification and one
repair round included, plan cache off) and prints one row per command, then compares decoding the
kitchen command with and without prompt-lookup drafts. The target is at most 5 s per plan on two
cores. Other busy processes slow llama.cpp a lot: the load average is printed so a noisy run shows.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from typing import Any

from bt_planner.backends.local.decoding import decode
from bt_planner.backends.local.embedded_backend import LocalLlamaBackend
from bt_planner.backends.local.few_shot import build_prompt
from bt_planner.backends.local.grammar import grammar_for_schema
from bt_planner.config import LLMSettings, Settings
from bt_planner.core.world import default_world
from bt_planner.llm.chat import ChatRequest
from bt_planner.llm.prompt import build_messages
from bt_planner.planning.planner import LLMActionPlanner
from bt_planner.plans.schema import plan_json_schema

COMMANDS = (
    "Go to the kitchen, pick up the red cup, and bring it to the table",
    "Go to the table",
    "Turn right 45 degrees",
    "Say hello, then wait 3 seconds",
    "Look for the cup in the kitchen",
    "Bring me a banana",
)


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


TARGET_S = 5.0


def _plans(backend: LocalLlamaBackend, repeat: int, commands: tuple[str, ...] = COMMANDS) -> list[float]:
    """Plan each command ``repeat`` times, print a row each; the median seconds per command."""
    planner = LLMActionPlanner(Settings(cache={"enabled": False}), backend=backend)
    world = default_world()
    print(
        f"{'command':<44} {'s/plan':>7} {'cpu s':>6} {'calls':>5} {'prompt':>6} {'out':>4} {'tok/s':>6}  result"
    )
    all_seconds = []
    for command in commands:
        walls, cpus = [], []
        for _ in range(repeat):
            started, cpu = time.perf_counter(), time.process_time()
            result = planner.plan(command, world=world)
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        wall = statistics.median(walls)
        all_seconds.append(wall)
        rate = (
            result.usage.completion_tokens / (result.timings.llm_ms / 1000) if result.timings.llm_ms else 0.0
        )
        if result.success and result.plan is not None:
            outcome = "ok: " + ", ".join(a.action_type.value for a in result.plan.actions)
        else:
            outcome = "rejected: " + (str(result.issues[0]) if result.issues else "?")
        print(
            f"{command[:44]:<44} {wall:7.2f} {statistics.median(cpus):6.2f} {result.llm_calls:5d} "
            f"{result.usage.prompt_tokens:6d} {result.usage.completion_tokens:4d} {rate:6.1f}  {outcome[:70]}"
        )
    print(f"median seconds per plan: {statistics.median(all_seconds):.2f}; worst {max(all_seconds):.2f}")
    return all_seconds


def _drafts(backend: LocalLlamaBackend) -> dict[bool, float]:
    """Decode the kitchen command with and without drafts; tokens per second for each."""
    world = default_world()
    command = COMMANDS[0]
    request = ChatRequest(
        messages=build_messages(command, world.robot, world), json_schema=plan_json_schema(world)
    )
    model = backend._model
    grammar = grammar_for_schema(request.json_schema)
    with model.lock:
        prompt = build_prompt(
            request,
            bank=backend._examples,
            count_tokens=lambda text: len(model.llama.tokenize(text.encode(), add_bos=True, special=False)),
            budget=model.context_tokens // 2,
        )
        print(f"\ndecoding the kitchen command ({len(prompt.examples)} examples), prompt already cached:")
        rates: dict[bool, float] = {}
        for drafts in (False, True):
            decode(model, prompt.text, grammar, max_tokens=512, drafts=drafts)  # warm the prompt cache
            started = time.perf_counter()
            out = decode(model, prompt.text, grammar, max_tokens=512, drafts=drafts)
            seconds = time.perf_counter() - started
            print(
                f"  drafts={'on ' if drafts else 'off'} {seconds:5.2f} s, {out.completion_tokens} tokens, "
                f"{out.completion_tokens / seconds:5.1f} tokens/s, {out.drafted_tokens} drafted"
            )
            rates[drafts] = out.completion_tokens / seconds
    return rates


def run(*, quick: bool) -> list[Any]:
    """Rows for ``benchmarks.run_all``: seconds per plan against the 5 s target, and tokens/s."""
    from benchmarks.rows import BenchRow

    backend = LocalLlamaBackend(LLMSettings())
    seconds = _plans(backend, 1, COMMANDS[:1] if quick else COMMANDS)
    rates = _drafts(backend)
    load = _load()
    kitchen = seconds[0]
    rows = [
        BenchRow(name="embedded model: kitchen command, s/plan", value=kitchen, unit="s",
                 target=f"<= {TARGET_S:g} s", met=kitchen <= TARGET_S, note=load),
        BenchRow(name="embedded model: decode tokens/s (drafts on)", value=rates[True], unit="tok/s",
                 note=f"{rates[False]:.1f} tok/s without drafts"),
    ]  # fmt: skip
    if not quick:
        median = statistics.median(seconds)
        rows.append(
            BenchRow(name=f"embedded model: median s/plan, {len(seconds)} commands", value=median, unit="s",
                     target=f"<= {TARGET_S:g} s", met=median <= TARGET_S, note=load)
        )  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=None, help="llama.cpp threads (default: one per core)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per command; the median is shown")
    args = parser.parse_args()
    started = time.perf_counter()
    backend = LocalLlamaBackend(LLMSettings(local_threads=args.threads))
    print(f"model {backend.model}, {backend.threads} threads, {os.cpu_count()} cores, {_load()}")
    print(f"model ready in {time.perf_counter() - started:.2f} s (assembly check + load)\n")
    _plans(backend, args.repeat)
    _drafts(backend)
    print(f"\n{_load()}")


if __name__ == "__main__":
    main()
