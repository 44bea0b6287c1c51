"""Prompt size for the seed's example command: today's compact prompt versus the seed's layout.

Both are counted with one tokenizer, the embedded gemma model's (llama.cpp, vocabulary only). The
first ratio is the prompt text the model reads; the second adds the JSON schema that travels as
the response format (remote servers may count it; the embedded model turns it into a grammar).
"""

from __future__ import annotations

import json
from typing import Any

from benchmarks.rows import BenchRow, print_rows
from benchmarks.seed_prompt import seed_layout_prompt
from benchmarks.workload import SEED_COMMAND
from bt_planner.core.world import default_world
from bt_planner.llm.prompt import build_messages
from bt_planner.plans.plan import Plan
from bt_planner.plans.schema import plan_json_schema


def _tokenizer() -> Any:
    from llama_cpp import Llama

    from bt_planner.backends.local.model_file import packaged_model_path

    return Llama(model_path=str(packaged_model_path()), vocab_only=True, verbose=False)


def run(*, quick: bool = False) -> list[BenchRow]:
    name = "prompt size vs seed layout"
    try:
        llama = _tokenizer()
    except Exception as error:  # the [local] extra is optional
        return [BenchRow.skipped(name, f"gemma tokenizer unavailable ({type(error).__name__}: {error})")]

    def tokens(texts: list[str]) -> int:
        return sum(len(llama.tokenize(t.encode("utf-8"), add_bos=False, special=False)) for t in texts)

    world = default_world()
    ours = tokens([m.content for m in build_messages(SEED_COMMAND, world.robot, world)])
    schema = tokens([json.dumps(plan_json_schema(world), separators=(",", ":"))])
    seed = tokens(seed_layout_prompt(SEED_COMMAND, world.robot, world))
    typed_seed = tokens(seed_layout_prompt(SEED_COMMAND, world.robot, world, schema=Plan.model_json_schema()))
    return [
        BenchRow(name="seed-layout prompt (gemma tokens)", value=seed, unit="tok"),
        BenchRow(name="compact prompt (gemma tokens)", value=ours, unit="tok"),
        BenchRow(
            name="compact / seed, prompt text",
            value=100 * ours / seed,
            unit="%",
            target="<= 40%",
            met=ours <= 0.4 * seed,
            note="what the model reads; seed layout with the loose wire schema",
        ),
        BenchRow(
            name="compact / seed with typed plan schema",
            value=100 * ours / typed_seed,
            unit="%",
            note=f"seed layout dumping today's typed Plan schema ({typed_seed} tok)",
        ),
        BenchRow(
            name="compact + response schema / seed",
            value=100 * (ours + schema) / seed,
            unit="%",
            note=f"schema alone {schema} tok; sent as response_format, not prompt text",
        ),
    ]


if __name__ == "__main__":
    print_rows(run(), title="Prompt size")
