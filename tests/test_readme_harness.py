"""The README checkers of ``tests/test_readme.py`` reject what is wrong, so a passing block means something.

Each test feeds a checker a small wrong block (or command) and expects it to fail, next to the right
one it accepts.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_examples import EvalExample

from tests.test_readme import (
    BLOCKS,
    Block,
    Context,
    check_block,
    check_issue_line,
    check_shell_command,
    opt_out_reason,
    readme_blocks,
    readme_plan_json,
    shell_commands,
)

Failed = pytest.fail.Exception
WRONG = (AssertionError, Failed)


def markdown(tmp_path: Path, text: str) -> list[Block]:
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return readme_blocks(text, path)


@pytest.fixture
def ctx(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, eval_example: EvalExample) -> Context:
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return Context(tmp_path=work, monkeypatch=monkeypatch, eval_example=eval_example, blocks=tuple(BLOCKS))


def test_blocks_carry_language_settings_section_and_line(tmp_path: Path) -> None:
    blocks = markdown(
        tmp_path,
        '# Top\n\n## Use it\n\n```yaml model="world"\nname: x\n```\n\n~~~~\nplain\n~~~~\n\n```python\nx = 1\n',
    )
    assert [(b.language, b.line, b.section, b.closed) for b in blocks] == [
        ("yaml", 5, "Use it", True),
        ("", 9, "Use it", True),
        ("python", 13, "Use it", False),
    ]
    assert blocks[0].settings == {"model": "world"} and blocks[0].source == "name: x\n"
    assert blocks[0].test_id == "use-it-L5-yaml"


def test_the_readme_has_blocks_of_every_kind_and_unique_ids() -> None:
    assert {"python", "bash", "yaml", "json", ""} <= {b.language for b in BLOCKS}
    assert len({b.test_id for b in BLOCKS}) == len(BLOCKS)


def test_an_unclosed_fence_fails(tmp_path: Path, ctx: Context) -> None:
    (block,) = markdown(tmp_path, "```bash\nmake run\n")
    with pytest.raises(AssertionError, match="never closed"):
        check_block(block, ctx)


def test_opting_out_needs_skip_and_a_reason(tmp_path: Path) -> None:
    plain, skipped, no_reason, unknown = markdown(
        tmp_path,
        '```text\na\n```\n```text test="skip" reason="a picture"\nb\n```\n'
        '```text test="skip"\nc\n```\n```text test="maybe" reason="r"\nd\n```\n',
    )
    assert opt_out_reason(plain) is None
    assert opt_out_reason(skipped) == "a picture"
    with pytest.raises(AssertionError, match="needs a reason"):
        opt_out_reason(no_reason)
    with pytest.raises(AssertionError, match='only "skip"'):
        opt_out_reason(unknown)


def test_a_language_without_a_checker_fails(tmp_path: Path, ctx: Context) -> None:
    (block,) = markdown(tmp_path, "```toml\n[llm]\n```\n")
    with pytest.raises(AssertionError, match="no checker for 'toml'"):
        check_block(block, ctx)


# ---- python ----------------------------------------------------------------------------------------


def test_python_runs_and_its_print_output_is_checked(tmp_path: Path, ctx: Context) -> None:
    good, wrong_output, undefined, raises = markdown(
        tmp_path,
        '```python\nprint("hello")\n#> hello\n```\n'
        '```python\nprint("hello")\n#> goodbye\n```\n'
        "```python\nresult = make_wave_behaviour()\n```\n"
        "```python\nfrom bt_planner import Plan\n\nPlan.model_validate({'actions': 1})\n```\n",
    )
    check_block(good, ctx)
    with pytest.raises(Failed, match="Print output changed"):
        check_block(wrong_output, ctx)
    with pytest.raises(Failed, match="F821"):  # undefined name: ruff fails it before it runs
        check_block(undefined, ctx)
    with pytest.raises(Exception, match="validation error"):
        check_block(raises, ctx)


def test_python_plans_against_the_loopback_server(tmp_path: Path, ctx: Context) -> None:
    (block,) = markdown(
        tmp_path,
        "```python\nimport os\n\nfrom bt_planner import LLMActionPlanner, Settings, default_world\n\n"
        "world = default_world()\nresult = LLMActionPlanner(Settings.load()).plan('go', world.robot, world)\n"
        "assert os.environ['OPENAI_BASE_URL'].startswith('http://127.0.0.1:')\n"
        "assert result.success and result.backend == 'openai', result.issues\n"
        "assert [a.action_type.value for a in result.plan.actions][-1] == 'place'\n```\n",
    )
    check_block(block, ctx)


# ---- yaml and json -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "```yaml\nname: w\nlocations: {a: {position: [0, 0, 0]}}\ncolour: red\n```\n",
            "not fields of World",
        ),
        ("```yaml\nlocations: {a: {position: [0, 0, up]}}\n```\n", "validation error"),
        ("```yaml\nllm: {model: m}\nlocations: {}\n```\n", "match \\['world', 'config'\\]"),
        ("```yaml\nsafety: {max_speed_mps: -1}\n```\n", "validation error"),
        (
            "```yaml\nname: s\ntasks: [{id: a, world: nowhere, command: c, goals: [{kind: refused}], reference_plan: {actions: []}}]\n```\n",
            "nowhere",
        ),
        ('```json\n{"goals": [], "reasoning": "?"}\n```\n', "not fields of GoalList"),
        ('```json\n{"goals": [{"goal": "fly"}]}\n```\n', "validation error"),
        ('```json\n{"actions": [{"action_type": "jump", "parameters": {}}]}\n```\n', "validation error"),
        ('```json\n{"version": 2, "timestamp": 1}\n```\n', "validation error"),
        ('```json model="suite"\n{}\n```\n', "none of"),
        ("```yaml\n- a\n```\n", "not a mapping"),
    ],
)
def test_documents_that_do_not_validate_fail(tmp_path: Path, ctx: Context, text: str, message: str) -> None:
    (block,) = markdown(tmp_path, text)
    with pytest.raises(Exception, match=message):
        check_block(block, ctx)


def test_a_world_and_a_goal_list_that_validate_pass(tmp_path: Path, ctx: Context) -> None:
    world, goals = markdown(
        tmp_path,
        "```yaml\nname: w\nlocations: {a: {position: [1, 0, 0]}}\n```\n"
        '```json\n{"goals": [{"goal": "go_to", "location": "a"}]}\n```\n',
    )
    check_block(world, ctx)
    check_block(goals, ctx)


# ---- output samples --------------------------------------------------------------------------------


def test_issue_lines_must_be_what_bt_planner_prints() -> None:
    check_issue_line(
        "error limit_exceeded [move.distance]: action 0: moves 50.00 m, limit 10.00 m per action"
    )
    check_issue_line(
        "error limit_exceeded [payload.max]: goal 1, action 3: 'pot' weighs 4.50 kg, payload limit 2.00 kg"
    )
    wrong = [
        "error limit_exceeded [move.distance]: action 0: walks 50 m",  # not the rule's message
        "error limit_exceeded [move.distance]: action 0: moves 50 m, limit 10.00 m per action",  # not %.2f
        "error limit_exceeded [move.far]: action 0: moves 50.00 m, limit 10.00 m per action",  # no such rule
        "fatal limit_exceeded [move.distance]: action 0: moves 50.00 m, limit 10.00 m per action",
        "error too_far [move.distance]: action 0: moves 50.00 m, limit 10.00 m per action",
        "the robot walked too far",
    ]
    for line in wrong:
        with pytest.raises(AssertionError):
            check_issue_line(line)


# ---- shell -----------------------------------------------------------------------------------------


def test_shell_lines_split_into_commands() -> None:
    source = "# a comment\nmake run  # and a comment\nA=1 bt-planner eval \\\n  --json > out.json 2>&1 | tee x && pip install .\n"
    assert shell_commands(source) == [
        ["make", "run"],
        ["A=1", "bt-planner", "eval", "--json"],
        ["tee", "x"],
        ["pip", "install", "."],
    ]


def run(line: str, ctx: Context) -> None:
    for argv in shell_commands(line):
        check_shell_command(argv, ctx)


@pytest.mark.parametrize(
    "line",
    [
        "bt-planner fly",  # no such sub-command
        "bt-planner run 'go' --wings 2",  # no such option
        "bt-planner run 'go' --speed fast",  # not a float
        "bt-planner run",  # the command argument is missing
        "bt-planner eval --check no_such_suite.yaml",  # runs (offline-safe) and exits 2
        "make deploy",
        "make run COLOUR=red",
        "pip install '.[gpu]'",
        "pip install left-pad",
        "export BT_PLANNER_LLM__COLOUR=red",
        "export BT_PLANNER_SAFETY__MAX_SPEED_MPS=fast",
        "export NOT_READ_BY_BT_PLANNER=1",
        "python -m bt_planner.no_such_module",
        "ros2 launch bt_planner bt.launch.py speed:=2",
        "ros2 launch bt_planner missing.launch.py",
        "ros2 topic pub --once /robot_command std_msgs/msg/Bool '{data: true}'",
        "ros2 topic echo /no_such_topic",
        "ros2 run bt_planner bt-planner-node",
        "curl http://example.com",
    ],
)
def test_wrong_shell_lines_fail(line: str, ctx: Context) -> None:
    with pytest.raises(WRONG):
        run(line, ctx)


@pytest.mark.parametrize(
    "line",
    [
        "bt-planner run '...' --world my_world.yaml --speed 0 --json",
        "bt-planner launch [--time-scale 5] [--exit-when-done]",
        "bt-planner --help",
        "bt-planner eval --check",
        "make run COMMAND='say hello'",
        "pip install -e '.[local,ros]'",
        "export OPENAI_BASE_URL=http://127.0.0.1:9/v1 BT_PLANNER_SAFETY__MAX_SPEED_MPS=0.5",
        "BT_PLANNER_CACHE_DIR=/tmp/cache python -m bt_planner.ros.topics",
        "ros2 launch bt_planner bt.launch.py time_scale:=2.0",
        "ros2 topic pub --once /estop std_msgs/msg/Bool '{data: true}'",
    ],
)
def test_right_shell_lines_pass(line: str, ctx: Context) -> None:
    run(line, ctx)


def test_a_runnable_plan_line_gets_the_readme_plan_and_must_exit_0(ctx: Context) -> None:
    run("bt-planner run 'go to the kitchen' --plan plan.json --speed 0", ctx)
    assert (ctx.tmp_path / "plan.json").read_text() == readme_plan_json(BLOCKS)
    (ctx.tmp_path / "bad.json").write_text(
        '{"actions": [{"action_type": "navigate", "parameters": {"location_name": "moon"}}]}'
    )
    with pytest.raises(AssertionError, match="exited 1"):
        run("bt-planner run 'go to the moon' --plan bad.json --speed 0", ctx)
