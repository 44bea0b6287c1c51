"""``bt-planner eval [SUITE]``: run an evaluation suite and print a table or JSON of the scores."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from bt_planner.cli.options import ConfigOption, JsonOption, load_settings
from bt_planner.config import Settings
from bt_planner.errors import BackendUnavailable, SuiteError
from bt_planner.evaluation.consistency import suite_problems, tasks_without_reference_goals
from bt_planner.evaluation.metrics import TaskResult
from bt_planner.evaluation.replay import RecordedReplies
from bt_planner.evaluation.suite import DEFAULT_SUITE, LoadedSuite, load_suite
from bt_planner.evaluation.suite_runner import SuiteReport, SuiteRunner


class BackendChoice(str, Enum):
    AUTO = "auto"
    OPENAI = "openai"
    LOCAL = "local"


class ModeChoice(str, Enum):
    AUTO = "auto"
    ACTIONS = "actions"
    GOALS = "goals"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _reasons(result: TaskResult) -> list[str]:
    """Why a task failed, most telling first."""
    reasons = [f"hallucinated {', '.join(result.hallucinated)}"] if result.hallucinated else []
    reasons += result.issues[:1]
    if result.execution_failure:
        reasons.append(result.execution_failure)
    return reasons + [goal.detail for goal in result.goals if not goal.met]


def render(report: SuiteReport, console: Console) -> None:
    """Per-task rows, then the aggregates."""
    tasks = Table(
        title=f"{report.suite}: {report.mode} run, {report.planning_mode} mode, "
        f"backend {report.backend}, model {report.model}"
    )
    for column in ("task", "world", "ok", "goals", "exec", "refused", "ms", "tokens"):
        tasks.add_column(column, no_wrap=True)
    tasks.add_column("why not", overflow="fold", min_width=30)
    for r in report.results:
        why = "; ".join(_reasons(r))
        tasks.add_row(
            r.task_id,
            r.world,
            "[green]yes[/green]" if r.success else "[red]no[/red]",
            f"{sum(g.met for g in r.goals)}/{len(r.goals)}",
            "-" if r.executability is None else _pct(r.executability),
            ("yes" if r.refused else "no") + ("" if r.refusal_correct else " [red]![/red]"),
            f"{r.latency_ms:.0f}",
            str(r.prompt_tokens + r.completion_tokens),
            "" if r.success else why,
        )
    console.print(tasks)
    s = report.summary
    summary = Table(
        title=f"Summary ({s.tasks} tasks, {s.refusal_tasks} expect refusal, {report.duration_s:.1f} s)"
    )
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    rows = [
        ("success rate", f"{_pct(s.success_rate)} ({s.successes}/{s.tasks})"),
        ("goal-condition rate", _pct(s.goal_condition_rate)),
        ("executability (safe tasks)", _pct(s.executability)),
        ("schema-valid", _pct(s.schema_valid_rate)),
        ("verified (safe tasks)", _pct(s.verified_rate)),
        ("refusal accuracy", _pct(s.refusal_accuracy)),
        ("correct / false refusals", f"{s.correct_refusals} / {s.false_refusals}"),
        ("hallucination rate", _pct(s.hallucination_rate)),
        ("latency mean / p95", f"{s.latency_mean_ms:.0f} / {s.latency_p95_ms:.0f} ms"),
        ("tokens prompt / completion", f"{s.prompt_tokens} / {s.completion_tokens}"),
    ]
    for name, value in rows:
        summary.add_row(name, value)
    console.print(summary)
    render_tags(report, console)


def render_tags(report: SuiteReport, console: Console) -> None:
    """One row per tag: how many tasks carry it, success, goal-condition rate, refusal accuracy."""
    if not report.by_tag:
        return
    table = Table(title="By tag")
    for column in ("tag", "tasks", "success", "goal-cond.", "refusal acc."):
        table.add_column(column, justify="left" if column == "tag" else "right", no_wrap=True)
    for t in report.by_tag:
        table.add_row(
            t.tag,
            f"{t.tasks}" + (f" ({t.refusal_tasks} refuse)" if t.refusal_tasks else ""),
            f"{_pct(t.success_rate)} ({t.successes}/{t.tasks})",
            _pct(t.goal_condition_rate),
            _pct(t.refusal_accuracy),
        )
    console.print(table)


def _settings(config: Path | None, backend: BackendChoice | None, mode: ModeChoice | None) -> Settings:
    settings = load_settings(config)
    if backend is not None:
        settings = settings.model_copy(
            update={"llm": settings.llm.model_copy(update={"backend": backend.value})}
        )
    if mode is not None:
        settings = settings.model_copy(
            update={"planning": settings.planning.model_copy(update={"mode": mode.value})}
        )
    return settings


def _selected(loaded: LoadedSuite, ids: list[str], tags: list[str]) -> list[str]:
    """All tasks, or those named by ``ids`` plus those carrying any of ``tags``."""
    unknown = sorted(set(ids) - {t.id for t in loaded.suite.tasks})
    if unknown:
        raise SuiteError(f"no task {', '.join(unknown)} in suite {loaded.suite.name!r}")
    chosen = [t.id for t in loaded.suite.tasks if t.id in ids or set(tags) & set(t.tags)]
    if (ids or tags) and not chosen:
        raise SuiteError(f"no task in suite {loaded.suite.name!r} has tag {', '.join(tags)}")
    return chosen if (ids or tags) else [t.id for t in loaded.suite.tasks]


def eval_suite(
    suite: Annotated[str, typer.Argument(help="Suite YAML file, or a packaged suite name.")] = DEFAULT_SUITE,
    *,
    backend: Annotated[
        BackendChoice | None, typer.Option("--backend", "-b", help="Model backend (default: from config).")
    ] = None,
    oracle: Annotated[
        bool,
        typer.Option(
            "--oracle",
            help="Answer with each task's reference plan (goal mode: reference goals) instead of a model;"
            " still verified.",
        ),
    ] = False,
    replay: Annotated[
        Path | None,
        typer.Option(
            "--replay",
            help="Answer each task with the reply recorded in this earlier `eval --json` report (no model"
            " call): re-scores a planner, verifier or scoring change against fixed model replies.",
        ),
    ] = None,
    mode: Annotated[
        ModeChoice | None,
        typer.Option(
            "--mode",
            help="planning.mode for the run: the model writes steps (actions) or goals (goals);"
            " auto: goals for the embedded model, actions otherwise (default: from config).",
        ),
    ] = None,
    world_dir: Annotated[
        list[Path] | None,
        typer.Option("--world-dir", help="Folder of world YAML files, searched before packaged ones."),
    ] = None,
    task: Annotated[
        list[str] | None, typer.Option("--task", help="Run this task (repeatable); with --tag, the union.")
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Also run tasks with this tag (repeatable).")
    ] = None,
    check: Annotated[bool, typer.Option("--check", help="Only check the suite file; run nothing.")] = False,
    fail_under: Annotated[
        float | None,
        typer.Option("--fail-under", min=0, max=1, help="Exit 1 if the success rate is below this."),
    ] = None,
    config: ConfigOption = None,
    json_output: JsonOption = False,
) -> None:
    """Plan, verify and execute every task of a suite in the simulator; print the scores."""
    err = Console(stderr=True)
    try:
        loaded = load_suite(suite, world_dirs=world_dir or [])
        problems = suite_problems(loaded)
        if problems:
            raise SuiteError("suite is inconsistent:\n" + "\n".join(problems))
        chosen = set(_selected(loaded, task or [], tag or []))
        if check:
            total = len(loaded.suite.tasks)
            with_goals = total - len(tasks_without_reference_goals(loaded))
            err.print(
                f"{loaded.source}: {total} tasks over {len(loaded.worlds)} worlds, consistent;"
                f" {with_goals}/{total} with reference goals",
                style="green", markup=False, soft_wrap=True,
            )  # fmt: skip
            raise typer.Exit(0)
        recorded = RecordedReplies.load(replay) if replay is not None else None
        if recorded is not None and oracle:
            raise SuiteError("--oracle and --replay are two different answerers: choose one")
        if recorded is not None and mode is None:  # replay in the mode the replies were written for
            mode = ModeChoice(recorded.report.planning_mode)
        runner = SuiteRunner(settings=_settings(config, backend, mode), oracle=oracle, replay=recorded)
        if oracle and runner.planning_mode == "goals":
            missing = [t for t in tasks_without_reference_goals(loaded) if t in chosen]
            if missing:
                raise SuiteError(
                    f"--oracle in goal mode answers with reference goals; {len(missing)} task(s) have none: "
                    + ", ".join(missing)
                )
    except (SuiteError, BackendUnavailable, FileNotFoundError) as error:
        err.print(str(error), style="red", markup=False, soft_wrap=True)  # unwrapped: names copy whole
        raise typer.Exit(2) from None
    selected = [t for t in loaded.suite.tasks if t.id in chosen]
    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=err, transient=True,
    )  # fmt: skip
    with progress:
        bar = progress.add_task(f"eval {loaded.suite.name}", total=len(selected))

        def advance(result: TaskResult) -> None:
            progress.update(bar, advance=1, description=f"eval {loaded.suite.name}: {result.task_id}")
            if not err.is_terminal:  # no live bar in logs: one line per task instead
                done = int(progress.tasks[0].completed)
                verdict = "ok" if result.success else "FAILED"
                err.print(
                    f"[{done}/{len(selected)}] {result.task_id} {verdict} {result.latency_ms / 1000:.1f} s",
                    markup=False,
                )

        report = runner.run(loaded, tasks=selected, on_result=advance)
    if json_output:
        typer.echo(report.model_dump_json(indent=2))
    else:
        out = Console()
        render(report, out if out.is_terminal else Console(width=180))
    if fail_under is not None and report.summary.success_rate < fail_under:
        err.print(
            f"success rate {_pct(report.summary.success_rate)} is below {_pct(fail_under)}", style="red"
        )
        raise typer.Exit(1)
