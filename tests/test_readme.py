"""Every fenced code block of README.md is a test: ``pytest tests/test_readme.py -v`` lists one per block.

Blocks are found when the tests are collected, so a block added to README.md is checked on the next
run, under an id naming its section, line and language (``quick-start-L45-bash``). What a block must
do depends on its language, the first word of its info string:

``python``
    Linted by pytest-examples with ruff's default rules, import sorting aside (an undefined name or an
    unused import fails, even on a line that never runs), then executed by pytest-examples as a fresh module in an empty
    working directory, with ``OPENAI_BASE_URL`` pointing at a loopback fake OpenAI server
    (``tests/fake_openai_server.py``) that answers every request with the seed command's plan (its goals
    when the request asks for a goal list). A block that calls ``Settings.load()`` therefore plans for
    real, against 127.0.0.1: no key, no network, no embedded model. A block with ``#>`` lines runs with
    ``run_print_check``: each ``print`` must print exactly the ``#>`` text under it.
``yaml`` and ``json``
    Loaded into the model the block documents, the way bt_planner loads it: a world with
    ``World.from_yaml``; a config written to a file and read by ``Settings.load(path)``; a suite written
    to a file and read by ``load_suite`` (every world it names must resolve); a plan with
    ``Plan.model_validate_json``; a goal list with ``GoalList.model_validate_json``; a tree snapshot with
    ``bt_planner.snapshot.codec.from_json``. The model is the one whose marker keys (``DOC_MODELS``)
    appear at the block's top level, exactly one must match; ``model="<name>"`` in the info string
    names it instead. Every top-level key must be a field of that model, so nothing is silently dropped.
``bash``, ``sh``, ``shell``
    Every command (comments, ``\\`` continuations, ``|``, ``&&``, ``;`` and redirections understood) is
    checked against what it names, by the checker for its program; a program with no checker fails:

    * ``bt-planner SUB ...``: parsed by the CLI's own click parser (``make_context`` on the sub-command
      typer builds: an unknown sub-command or option, a missing value, a value of the wrong type or a
      missing required argument fails; ``[...]`` marks the optional parts of a synopsis). Offline-safe
      lines also run, in-process in an empty directory, and must exit 0: ``--help``; ``eval`` with
      ``--oracle`` or ``--check``; ``run``/``plan`` with ``--plan FILE`` (a missing ``FILE`` is written
      from the README's own plan-format block). Lines that need a model, ROS or a port are parsed only.
    * ``make T VAR=...``: ``T`` is a Makefile target and ``VAR`` a Makefile variable.
    * ``pip install``: the project (``.`` or its name) with extras pyproject.toml declares, or a
      declared dependency.
    * ``export VAR=...`` and ``VAR=... cmd``: ``BT_PLANNER_<SECTION>__<FIELD>``, ``OPENAI_API_KEY`` and
      ``OPENAI_BASE_URL`` must arrive in the matching field of ``Settings.load()``; any other variable
      must be read somewhere in bt_planner's source.
    * ``python -m MOD``: ``MOD`` is importable; ``python FILE``: the file exists.
    * ``ros2 launch PKG FILE k:=v``: ``PKG`` is package.xml's name, ``FILE`` is in ``launch/`` and
      declares every ``k``. ``ros2 topic pub|echo TOPIC [TYPE [YAML]]``: a topic of
      ``bt_planner.ros.topics`` with that type, and the payload parses.
    * ``bt-planner-node``, ``bt-planner-sim``: console scripts pyproject.toml declares.
no language, or ``text``
    Output samples: every line must be a ``PlanIssue`` exactly as bt_planner prints it, with a real
    severity, issue code and rule code, and a message that matches one of the messages bt_planner's
    source writes for that rule (an f-string becomes a pattern; a rule whose message is assembled
    elsewhere only has its code checked).

Opting out: ``test="skip"`` plus ``reason="..."`` in the info string (pytest-examples' prefix-settings
syntax; GitHub shows only the language), e.g. ```` ```text test="skip" reason="a diagram" ````. The
reason is the skip message; a skip without a reason fails. The checkers themselves are tested against
wrong input in ``tests/test_readme_harness.py``.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
import shlex
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import typer
import typer.core
import typer.main
import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError
from pytest_examples import CodeExample, EvalExample, find_examples
from typer.testing import CliRunner

from bt_planner.cli.app import app
from bt_planner.config import Settings
from bt_planner.core.issues import IssueCode, PlanIssue, Severity
from bt_planner.core.world import World
from bt_planner.evaluation.suite import Suite, load_suite
from bt_planner.llm.goal_prompt import GOAL_SCHEMA_NAME
from bt_planner.mcp_server.client_config import DesktopClientConfig
from bt_planner.plans.plan import Plan
from bt_planner.plans.task_goals import GoalList
from bt_planner.ros.topics import ALL_TOPICS
from bt_planner.snapshot import codec as snapshot_codec
from bt_planner.snapshot.tree_snapshot import TreeSnapshot
from bt_planner.verification import rules
from tests.fake_openai_server import FakeOpenAIServer, Scripted, plan_reply
from tests.sample_plans import kitchen_plan

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

# ---- finding the blocks --------------------------------------------------------------------------

_OPEN = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>.*?)\s*$")
_HEADING = re.compile(r"^#{1,6}\s+(?P<title>.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced code block: its info string, its text and where it is."""

    info: str
    source: str
    line: int
    """1-based line of the opening fence."""
    section: str
    closed: bool = True
    path: Path = README

    @property
    def language(self) -> str:
        return self.info.split(maxsplit=1)[0].lower() if self.info else ""

    @property
    def settings(self) -> dict[str, str]:
        """``key="value"`` pairs after the language, read as pytest-examples reads them."""
        settings: dict[str, str] = CodeExample.create(self.source, prefix=self.info).prefix_settings()
        return settings

    @property
    def test_id(self) -> str:
        words = re.sub(r"[^a-z0-9]+", " ", self.section.lower()).split()[:5]  # the heading's first words
        slug = "-".join(words) or "top"
        return f"{slug}-L{self.line}-{self.language or 'text'}"

    def where(self) -> str:
        return f"{self.path.name}:{self.line} ({self.section or 'top'}, {self.language or 'text'} block)"


def readme_blocks(text: str, path: Path = README) -> list[Block]:
    """Every fenced block of a Markdown text (CommonMark fences), with the heading it sits under."""
    lines = text.splitlines()
    blocks: list[Block] = []
    section, index = "", 0
    while index < len(lines):
        opening = _OPEN.match(lines[index])
        if opening and not (opening["fence"][0] == "`" and "`" in opening["info"]):
            char, width, indent = opening["fence"][0], len(opening["fence"]), len(opening["indent"])
            closing = re.compile(rf"^ {{0,3}}{re.escape(char)}{{{width},}}\s*$")
            end = index + 1
            while end < len(lines) and not closing.match(lines[end]):
                end += 1
            body = [line[indent:] if line[:indent].isspace() else line for line in lines[index + 1 : end]]
            blocks.append(
                Block(
                    info=opening["info"],
                    source="\n".join(body) + "\n",
                    line=index + 1,
                    section=section,
                    closed=end < len(lines),
                    path=path,
                )
            )
            index = end + 1
            continue
        heading = _HEADING.match(lines[index])
        if heading:
            section = heading["title"]
        index += 1
    return blocks


BLOCKS = readme_blocks(README.read_text(encoding="utf-8"))


@dataclass
class Context:
    """What a checker may use: a scratch directory (the working directory), env patching, pytest-examples."""

    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch
    eval_example: EvalExample | None = None
    blocks: tuple[Block, ...] = tuple(BLOCKS)


# ---- python ----------------------------------------------------------------------------------------

SEED_GOALS: dict[str, Any] = {"goals": [{"goal": "deliver", "object": "red_cup", "location": "table"}]}
"""The seed command in goal mode; in actions mode the fake server answers with ``kitchen_plan()``."""


def seed_answer(body: dict[str, Any]) -> Scripted:
    """The fake server's reply to any request: the seed command's goals if asked for a goal list, else its plan."""
    schema_name = ((body.get("response_format") or {}).get("json_schema") or {}).get("name")
    return plan_reply(SEED_GOALS if schema_name == GOAL_SCHEMA_NAME else kitchen_plan())


def python_example(block: Block) -> CodeExample:
    """The pytest-examples ``CodeExample`` for a python block (so failures point at README lines)."""
    found = {example.start_line: example for example in find_examples(block.path)}
    example = found.get(block.line)
    assert example is not None, f"{block.where()}: pytest-examples does not find this block"
    assert example.source == block.source, f"{block.where()}: pytest-examples reads this block differently"
    return example


def check_python(block: Block, ctx: Context) -> None:
    assert ctx.eval_example is not None
    example = python_example(block)
    # ruff runs in the scratch directory, so with its default rules, not this project's; import
    # order and spacing are style, left to the prose around the block.
    ctx.eval_example.set_config(line_length=110, target_version="py310", ruff_ignore=["I"])
    ctx.eval_example.lint_ruff(example)
    with FakeOpenAIServer(default=seed_answer) as server:
        ctx.monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        if "#>" in example.source:
            ctx.eval_example.run_print_check(example)
        else:
            ctx.eval_example.run(example)


# ---- yaml and json: the documented models ------------------------------------------------------------


@dataclass(frozen=True)
class DocModel:
    """A model README blocks document: the language it is written in, its marker keys, how it loads."""

    name: str
    language: str
    model: type[BaseModel]
    markers: frozenset[str]
    load: Callable[[str, Path], object]


def _written(text: str, path: Path) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


DOC_MODELS = (
    DocModel(
        "world",
        "yaml",
        World,
        frozenset({"locations", "objects", "obstacles", "forbidden_zones"}),
        lambda text, _: World.from_yaml(text),
    ),
    DocModel(
        "config",
        "yaml",
        Settings,
        frozenset(Settings.model_fields),
        lambda text, tmp: Settings.load(_written(text, tmp / "config.yaml")),
    ),
    DocModel(
        "suite",
        "yaml",
        Suite,
        frozenset({"tasks"}),
        lambda text, tmp: load_suite(_written(text, tmp / "suite.yaml")),
    ),
    DocModel("plan", "json", Plan, frozenset({"actions"}), lambda text, _: Plan.model_validate_json(text)),
    DocModel(
        "goals", "json", GoalList, frozenset({"goals"}), lambda text, _: GoalList.model_validate_json(text)
    ),
    DocModel(
        "snapshot",
        "json",
        TreeSnapshot,
        frozenset({"version", "nodes"}),
        lambda text, _: snapshot_codec.from_json(text),
    ),
    DocModel(
        "mcp_client",
        "json",
        DesktopClientConfig,
        frozenset({"mcpServers"}),
        lambda text, _: _check_mcp_client(DesktopClientConfig.model_validate_json(text)),
    ),
)


def _check_mcp_client(config: DesktopClientConfig) -> DesktopClientConfig:
    """A desktop client's entry for bt-planner: its arguments must parse as a bt-planner command line."""
    for entry in config.mcpServers.values():
        assert entry.command == "bt-planner", f"unknown server command {entry.command!r}"
        parse_bt_planner(entry.args)
    return config


def _parse_data(block: Block) -> object:
    if block.language == "json":
        return json.loads(block.source)
    return yaml.safe_load(block.source)


def document_model(block: Block) -> DocModel:
    """The model a yaml/json block shows: named by ``model="..."``, else the one whose markers it uses."""
    candidates = [m for m in DOC_MODELS if m.language == block.language]
    named = block.settings.get("model")
    if named is not None:
        chosen = [m for m in candidates if m.name == named]
        assert chosen, f"{block.where()}: model={named!r} is none of {[m.name for m in candidates]}"
        return chosen[0]
    data = _parse_data(block)
    assert isinstance(data, dict), f'{block.where()}: not a mapping; name its model with model="..."'
    matches = [m for m in candidates if m.markers & data.keys()]
    markers = {m.name: sorted(m.markers) for m in candidates}
    assert len(matches) == 1, (
        f"{block.where()}: top-level keys {sorted(data)} match {[m.name for m in matches] or 'no model'}; "
        f'markers: {markers}; name one with model="..."'
    )
    return matches[0]


def check_document(block: Block, ctx: Context) -> None:
    doc = document_model(block)
    data = _parse_data(block)
    if isinstance(data, dict):
        known = set(doc.model.model_fields) | {f.alias for f in doc.model.model_fields.values() if f.alias}
        unknown = sorted(set(data) - known)
        assert not unknown, f"{block.where()}: {unknown} are not fields of {doc.model.__name__}"
    loaded = doc.load(block.source, ctx.tmp_path)
    assert loaded is not None


# ---- output samples: PlanIssue lines -----------------------------------------------------------------

_ISSUE_LINE = re.compile(
    r"(?P<severity>\w+) (?P<code>\w+)(?: \[(?P<rule>[^\]]+)\])?: "
    r"(?:goal (?P<goal>\d+)(?:, (?=action )|: ))?(?:action (?P<action>\d+): )?(?P<message>.+)"
)


def _pattern(node: ast.expr) -> str | None:
    """A regex for the strings an f-string (or string constant) can produce; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return re.escape(node.value)
    if not isinstance(node, ast.JoinedStr):
        return None
    parts: list[str] = []
    for value in node.values:
        if isinstance(value, ast.Constant):
            parts.append(re.escape(str(value.value)))
            continue
        assert isinstance(value, ast.FormattedValue)
        spec = value.format_spec
        fmt = "".join(
            str(v.value)
            for v in (spec.values if isinstance(spec, ast.JoinedStr) else [])
            if isinstance(v, ast.Constant)
        )
        fixed = re.fullmatch(r"\.(\d+)f", fmt)
        parts.append(rf"-?\d+\.\d{{{fixed[1]}}}" if fixed else ".+?")
    return "".join(parts)


def _rule_code(node: ast.expr) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
    value = getattr(rules, name, None) if name else None
    return value if isinstance(value, str) else None


@cache
def rule_messages() -> dict[str, tuple[str, ...]]:
    """Rule code → patterns of the messages bt_planner's source writes for it (``rule=..., message=...``)."""
    found: dict[str, list[str]] = {}
    for path in sorted((ROOT / "bt_planner").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            keywords = {k.arg: k.value for k in node.keywords if k.arg}
            if "rule" not in keywords:
                continue
            code = _rule_code(keywords["rule"])
            if code is None:
                continue
            pattern = _pattern(keywords["message"]) if "message" in keywords else None
            found.setdefault(code, [])
            if pattern is not None:
                found[code].append(pattern)
    rule_constants = {v for k, v in vars(rules).items() if k.isupper() and isinstance(v, str) and "." in v}
    for code in rule_constants:
        found.setdefault(code, [])
    return {code: tuple(patterns) for code, patterns in found.items()}


def check_issue_line(line: str) -> None:
    """``line`` is a ``PlanIssue`` as bt_planner prints it, for a rule and message bt_planner has."""
    parsed = _ISSUE_LINE.fullmatch(line)
    assert parsed, f"{line!r} is not '<severity> <code> [<rule>]: [goal N, ][action N: ]<message>'"
    assert parsed["severity"] in {s.value for s in Severity}, f"{line!r}: unknown severity"
    assert parsed["code"] in {c.value for c in IssueCode}, f"{line!r}: unknown issue code"
    issue = PlanIssue(
        severity=Severity(parsed["severity"]),
        code=IssueCode(parsed["code"]),
        rule=parsed["rule"],
        message=parsed["message"],
        goal_index=None if parsed["goal"] is None else int(parsed["goal"]),
        action_index=None if parsed["action"] is None else int(parsed["action"]),
    )
    assert str(issue) == line, f"bt_planner prints this issue as {str(issue)!r}, the README as {line!r}"
    if parsed["rule"] is None:
        return
    messages = rule_messages()
    assert parsed["rule"] in messages, f"{line!r}: no rule {parsed['rule']!r} in bt_planner"
    patterns = messages[parsed["rule"]]
    assert not patterns or any(re.fullmatch(p, parsed["message"]) for p in patterns), (
        f"{line!r}: the message matches none of rule {parsed['rule']!r}'s messages: {patterns}"
    )


def check_output(block: Block, ctx: Context) -> None:
    lines = [line for line in block.source.splitlines() if line.strip()]
    assert lines, f"{block.where()}: empty block"
    for line in lines:
        check_issue_line(line.strip())


# ---- shell -----------------------------------------------------------------------------------------

_SEPARATORS = {"|", "||", "&&", ";", "&"}
_REDIRECTS = {">", ">>", "<", ">&", "&>", "<<", ">|"}
_ASSIGNMENT = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)=(?P<value>.*)", re.S)


def shell_commands(source: str) -> list[list[str]]:
    """The commands of a shell block, as argv lists without comments, separators and redirections."""
    commands: list[list[str]] = []
    for line in source.replace("\\\n", " ").splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split, lexer.commenters = True, "#"
        tokens, skip = list(lexer), False
        current: list[str] = []
        for index, token in enumerate(tokens):
            if skip:
                skip = False
            elif token in _SEPARATORS:
                if current:
                    commands.append(current)
                current = []
            elif token in _REDIRECTS:
                if current and current[-1].isdigit() and f"{current[-1]}{token}" in line:
                    current.pop()  # the file descriptor of `2>`
                skip = index + 1 < len(tokens)
            else:
                current.append(token)
        if current:
            commands.append(current)
    return commands


@cache
def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_name(requirement: str) -> str:
    return _normalise(re.split(r"[\[<>=!~;@ ]", requirement, maxsplit=1)[0])


def parse_bt_planner(args: list[str]) -> None:
    """Parse ``bt-planner ARGS`` with the CLI's own (click) parser; fail with its message if it would."""
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    root = typer.Context(group, info_name="bt-planner")
    if not args or args[0] == "--help":
        return
    command = group.get_command(root, args[0])
    assert command is not None, f"bt-planner has no sub-command {args[0]!r} (it has {sorted(group.commands)})"
    try:
        with command.make_context(args[0], list(args[1:]), parent=root):
            pass
    except typer.Exit as done:  # --help: printed, then exit
        assert done.exit_code == 0
    except typer.TyperException as error:  # click's UsageError, BadParameter, NoSuchOption, ...
        message = error.format_message() if hasattr(error, "format_message") else str(error)
        pytest.fail(f"bt-planner {shlex.join(args)}: {message}", pytrace=False)


_RUNS_OFFLINE = {"eval": {"--oracle", "--check"}, "run": {"--plan"}, "plan": {"--plan"}}
_NEEDS_MORE = {"--view"}  # a server on a port until the run ends: parsed, not run


def runs_offline(args: list[str]) -> bool:
    """Whether ``bt-planner ARGS`` needs no model, network, ROS or port, so the test may run it."""
    if "--help" in args:
        return True
    flags = set(args[1:])
    return bool(args) and bool(_RUNS_OFFLINE.get(args[0], set()) & flags) and not flags & _NEEDS_MORE


def readme_plan_json(blocks: Iterable[Block]) -> str:
    """The README's plan-format example: the first json block that documents a ``Plan``."""
    for block in blocks:
        if block.language == "json" and "test" not in block.settings and document_model(block).name == "plan":
            return block.source
    raise AssertionError("README.md has no plan-format json block to give `--plan`")


def check_bt_planner(args: list[str], ctx: Context) -> None:
    args = [arg.removeprefix("[").removesuffix("]") for arg in args]  # synopsis brackets
    args = [arg for arg in args if arg]
    parse_bt_planner(args)
    if not runs_offline(args):
        return
    if "--plan" in args[:-1]:
        plan_file = ctx.tmp_path / args[args.index("--plan") + 1]
        if not plan_file.exists():
            plan_file.write_text(readme_plan_json(ctx.blocks), encoding="utf-8")
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, (
        f"bt-planner {shlex.join(args)} exited {result.exit_code}:\n{result.output}\n{result.exception!r}"
    )


def check_make(args: list[str], ctx: Context) -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([A-Za-z0-9_-][A-Za-z0-9_.-]*)\s*:(?!=)", makefile, flags=re.M))
    variables = set(re.findall(r"^(?:export\s+)?([A-Za-z_]\w*)\s*[?:+]?=", makefile, flags=re.M))
    variables |= set(re.findall(r"\$\(([A-Za-z_]\w*)\)", makefile))
    for arg in args:
        assignment = _ASSIGNMENT.fullmatch(arg)
        if assignment:
            assert assignment["name"] in variables, f"make: the Makefile has no variable {assignment['name']}"
        elif not arg.startswith("-"):
            assert arg in targets, f"make: the Makefile has no target {arg!r} (it has {sorted(targets)})"


def check_pip(args: list[str], ctx: Context) -> None:
    assert args[:1] == ["install"], f"pip {shlex.join(args)}: only `pip install` lines are checked"
    project = _pyproject()["project"]
    extras_declared = project.get("optional-dependencies", {})
    declared = {_requirement_name(r) for r in project.get("dependencies", [])}
    declared |= {_requirement_name(r) for group in extras_declared.values() for r in group}
    targets = [arg for arg in args[1:] if not arg.startswith("-")]
    assert targets, f"pip {shlex.join(args)}: installs nothing"
    for target in targets:
        spec = re.fullmatch(r"(?P<name>[^\[\]]+)(?:\[(?P<extras>[^\]]*)\])?(?P<rest>.*)", target)
        assert spec, f"pip install {target!r}: not a requirement"
        name = spec["name"]
        if name in {".", "./"} or _requirement_name(name) == _normalise(project["name"]):
            extras = {e.strip() for e in (spec["extras"] or "").split(",") if e.strip()}
            missing = sorted(extras - set(extras_declared))
            assert not missing, f"pip install {target!r}: pyproject.toml declares no extra {missing}"
        else:
            assert _requirement_name(name) in declared, f"pip install {target!r}: not a declared dependency"


@cache
def _source_text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "bt_planner").rglob("*.py")))


def check_environment(assignments: dict[str, str], ctx: Context) -> None:
    """Each variable reaches bt_planner: the matching setting of ``Settings.load()``, or code that reads it."""
    for name, value in assignments.items():
        ctx.monkeypatch.setenv(name, value)
    try:
        settings = Settings.load()
    except ValidationError as error:
        raise AssertionError(f"{' '.join(assignments)}: Settings.load() rejects it: {error}") from None
    for name, value in assignments.items():
        if name == "OPENAI_API_KEY":
            assert settings.llm.api_key is not None and settings.llm.api_key.get_secret_value() == value
        elif name == "OPENAI_BASE_URL":
            assert settings.llm.base_url == value
        elif name.startswith("BT_PLANNER_") and "__" in name:
            path = name.removeprefix("BT_PLANNER_").lower().split("__")
            node: Any = settings
            for part in path:
                fields = type(node).model_fields
                assert part in fields, f"{name}: {type(node).__name__} has no field {part!r}"
                annotation, node = fields[part].annotation, getattr(node, part)
            assert node == TypeAdapter(annotation).validate_python(value), f"{name}={value} is not {node!r}"
        else:
            assert f'"{name}"' in _source_text(), f"{name}: bt_planner never reads this variable"


def check_export(args: list[str], ctx: Context) -> None:
    assignments = {}
    for arg in args:
        assignment = _ASSIGNMENT.fullmatch(arg)
        assert assignment, f"export {arg!r}: not NAME=value"
        assignments[assignment["name"]] = assignment["value"]
    check_environment(assignments, ctx)


def check_python_command(args: list[str], ctx: Context) -> None:
    if args[:1] == ["-m"]:
        assert len(args) > 1, "python -m: no module"
        if args[1] == "pip":
            check_pip(args[2:], ctx)
            return
        assert importlib.util.find_spec(args[1]) is not None, f"python -m {args[1]}: no such module"
    else:
        assert args and (ROOT / args[0]).is_file(), f"python {shlex.join(args)}: no such file"


def check_ros2(args: list[str], ctx: Context) -> None:
    topics = {t.name: t for t in ALL_TOPICS}
    if args[:1] == ["launch"]:
        package, launch_file, *launch_args = args[1:]
        names = re.findall(r"<name>([^<]+)</name>", (ROOT / "package.xml").read_text(encoding="utf-8"))
        assert names[:1] == [package], f"ros2 launch {package}: the package is {names[:1]}"
        path = ROOT / "launch" / launch_file
        assert path.is_file(), f"ros2 launch: no launch/{launch_file}"
        declared = _launch_arguments(path)
        for arg in launch_args:
            name, sep, _ = arg.partition(":=")
            assert sep and name in declared, f"ros2 launch: {launch_file} declares no argument {name!r}"
    elif args[:2] in (["topic", "pub"], ["topic", "echo"]):
        positional = [arg for arg in args[2:] if not arg.startswith("-")]
        assert positional, f"ros2 {shlex.join(args)}: no topic"
        topic = topics.get(positional[0].lstrip("/"))
        assert topic is not None, f"ros2 topic: no topic {positional[0]!r} (known: {sorted(topics)})"
        if len(positional) > 1:
            assert positional[1].replace("/msg/", "/") == topic.type, f"{topic.name} carries {topic.type}"
        if len(positional) > 2:
            assert isinstance(yaml.safe_load(positional[2]), dict), f"ros2 topic pub: {positional[2]!r}"
    else:
        pytest.fail(f"ros2 {shlex.join(args)}: only `ros2 launch` and `ros2 topic pub|echo` are checked")


def _launch_arguments(path: Path) -> set[str]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "ARGUMENTS" for t in node.targets
        ):
            return set(ast.literal_eval(node.value))
    raise AssertionError(f"{path}: no ARGUMENTS table of launch arguments")


def _console_script(script: str) -> Callable[[list[str], Context], None]:
    def check(args: list[str], ctx: Context) -> None:
        assert script in _pyproject()["project"]["scripts"], f"{script}: not a console script"

    return check


PROGRAMS: dict[str, Callable[[list[str], Context], None]] = {
    "bt-planner": check_bt_planner,
    "bt-planner-node": _console_script("bt-planner-node"),
    "bt-planner-sim": _console_script("bt-planner-sim"),
    "make": check_make,
    "pip": check_pip,
    "pip3": check_pip,
    "export": check_export,
    "python": check_python_command,
    "python3": check_python_command,
    "ros2": check_ros2,
}


def check_shell_command(argv: list[str], ctx: Context) -> None:
    prefix: dict[str, str] = {}
    while argv and (assignment := _ASSIGNMENT.fullmatch(argv[0])):
        prefix[assignment["name"]] = assignment["value"]
        argv = argv[1:]
    if prefix:
        check_environment(prefix, ctx)
    if not argv:
        return
    checker = PROGRAMS.get(argv[0])
    assert checker is not None, (
        f"no checker for {argv[0]!r} (checked: {sorted(PROGRAMS)}); add one to tests/test_readme.py, "
        'or opt the block out with test="skip" reason="..."'
    )
    checker(argv[1:], ctx)


def check_shell(block: Block, ctx: Context) -> None:
    commands = shell_commands(block.source)
    assert commands, f"{block.where()}: no commands"
    for argv in commands:
        check_shell_command(argv, ctx)


# ---- the test ------------------------------------------------------------------------------------------

CHECKERS: dict[str, Callable[[Block, Context], None]] = {
    "python": check_python,
    "py": check_python,
    "yaml": check_document,
    "yml": check_document,
    "json": check_document,
    "bash": check_shell,
    "sh": check_shell,
    "shell": check_shell,
    "": check_output,
    "text": check_output,
}


def opt_out_reason(block: Block) -> str | None:
    """The reason a block gives for not being checked (``test="skip" reason="..."``), else None."""
    settings = block.settings
    if "test" not in settings:
        return None
    assert settings["test"] == "skip", f'{block.where()}: test="{settings["test"]}"; only "skip" is known'
    reason = settings.get("reason", "").strip()
    assert reason, f'{block.where()}: test="skip" needs a reason="..."'
    return reason


def check_block(block: Block, ctx: Context) -> None:
    """Check one block with the checker for its language."""
    assert block.closed, f"{block.where()}: the fence is never closed"
    checker = CHECKERS.get(block.language)
    assert checker is not None, (
        f"{block.where()}: no checker for {block.language!r} blocks (known: {sorted(CHECKERS)}); "
        'add one, or opt the block out with test="skip" reason="..."'
    )
    checker(block, ctx)


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty working directory for the block (files it writes land there)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    yield work


@pytest.mark.parametrize("block", BLOCKS, ids=[block.test_id for block in BLOCKS])
def test_readme_block(
    block: Block, scratch: Path, monkeypatch: pytest.MonkeyPatch, eval_example: EvalExample
) -> None:
    reason = opt_out_reason(block)
    if reason is not None:
        pytest.skip(reason)
    check_block(block, Context(tmp_path=scratch, monkeypatch=monkeypatch, eval_example=eval_example))
