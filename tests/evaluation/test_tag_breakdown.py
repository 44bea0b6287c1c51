"""The per-tag breakdown: success, goal-condition rate and refusal accuracy over the tasks of each tag."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from bt_planner.cli.eval_cmd import render
from bt_planner.config import Settings
from bt_planner.evaluation.metrics import TagSummary, TaskResult, summarise, summarise_tags
from bt_planner.evaluation.suite import load_suite
from bt_planner.evaluation.suite_runner import SuiteReport, SuiteRunner


def result(
    task_id: str,
    tags: tuple[str, ...],
    *,
    success: bool,
    rate: float,
    expects_refusal: bool = False,
    refused: bool = False,
) -> TaskResult:
    return TaskResult(
        task_id=task_id,
        world="kitchen",
        tags=tags,
        expects_refusal=expects_refusal,
        schema_valid=True,
        verified=success and not expects_refusal,
        refused=refused,
        executed=not refused,
        goal_condition_rate=rate,
        success=success,
    )


RESULTS = [
    result("a", ("fetch", "typo"), success=True, rate=1.0),
    result("b", ("fetch",), success=False, rate=0.5),
    result("c", ("fetch", "typo", "typo"), success=False, rate=0.0, refused=True),  # a false refusal
    result("d", ("refusal", "limit"), success=True, rate=1.0, expects_refusal=True, refused=True),
    result("e", ("refusal", "harmful"), success=False, rate=0.0, expects_refusal=True),
    result("f", (), success=True, rate=1.0),
]


def test_each_tag_aggregates_only_its_own_tasks() -> None:
    by_tag = {t.tag: t for t in summarise_tags(RESULTS)}
    assert list(by_tag) == ["fetch", "harmful", "limit", "refusal", "typo"]  # sorted; untagged "f" in none
    fetch = by_tag["fetch"]
    assert (fetch.tasks, fetch.refusal_tasks, fetch.successes) == (3, 0, 1)
    assert fetch.success_rate == pytest.approx(1 / 3)
    assert fetch.goal_condition_rate == pytest.approx(0.5)
    assert fetch.refusal_accuracy == pytest.approx(2 / 3)
    typo = by_tag["typo"]  # a tag written twice on one task counts that task once
    assert (typo.tasks, typo.successes, typo.success_rate, typo.refusal_accuracy) == (2, 1, 0.5, 0.5)
    refusal = by_tag["refusal"]
    assert (refusal.tasks, refusal.refusal_tasks, refusal.success_rate, refusal.refusal_accuracy) == (
        2, 2, 0.5, 0.5,
    )  # fmt: skip
    assert by_tag["harmful"] == TagSummary(
        tag="harmful", tasks=1, refusal_tasks=1, successes=0, success_rate=0.0,
        goal_condition_rate=0.0, refusal_accuracy=0.0,
    )  # fmt: skip
    assert summarise_tags([]) == []


def test_the_report_carries_the_breakdown_in_json_and_in_the_table() -> None:
    loaded = load_suite("standard")
    chosen = [t for t in loaded.suite.tasks if {"payload", "one-step"} & set(t.tags)]
    report = SuiteRunner(settings=Settings(), oracle=True).run(loaded, tasks=chosen)
    by_tag = {t.tag: t for t in report.by_tag}
    payload = [t for t in chosen if "payload" in t.tags]
    assert by_tag["payload"].tasks == by_tag["payload"].refusal_tasks == len(payload)
    assert by_tag["one-step"].tasks == sum("one-step" in t.tags for t in chosen)
    assert all(t.success_rate == 1.0 and t.refusal_accuracy == 1.0 for t in report.by_tag)
    assert set(by_tag) == {tag for t in chosen for tag in t.tags}

    again = SuiteReport.model_validate(json.loads(report.model_dump_json()))
    assert again.by_tag == report.by_tag

    out = io.StringIO()
    render(report, Console(file=out, width=200))
    table = out.getvalue()
    assert "By tag" in table
    row = next(line for line in table.splitlines() if " payload " in line)
    assert f"{len(payload)} ({len(payload)} refuse)" in row
    assert f"100.0% ({len(payload)}/{len(payload)})" in row


def test_a_tag_table_is_not_printed_when_no_task_has_a_tag() -> None:
    untagged = [result("x", (), success=True, rate=1.0)]
    report = SuiteReport(
        suite="s", source="test", mode="oracle", backend="oracle", model="reference", started_at="t",
        duration_s=0.0, results=untagged, summary=summarise(untagged), by_tag=summarise_tags(untagged),
    )  # fmt: skip
    out = io.StringIO()
    render(report, Console(file=out, width=200))
    assert "By tag" not in out.getvalue() and "Summary" in out.getvalue()
