"""Replaying a recorded evaluation: every task is answered with the model reply an earlier run recorded.

``bt-planner eval --replay report.json`` re-runs the whole pipeline after the model (parsing, goal
expansion, verification, execution, scoring) on the replies of an earlier ``eval --json`` report,
without loading or calling any model. A change to the symbolic planner, the verifier or the scoring
is measured in seconds, and exactly: the model's side is held fixed. A task the report has no reply
for fails as a backend error naming it. A task the model needed several calls for (a repair round)
is answered with its last recorded reply on every call.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from bt_planner.backends.testing import FunctionBackend
from bt_planner.errors import BackendError, SuiteError
from bt_planner.evaluation.suite_runner import SuiteReport
from bt_planner.evaluation.task import Task
from bt_planner.llm.chat import ChatRequest


class RecordedReplyBackend(FunctionBackend):
    """A ``ChatBackend`` that answers with one task's recorded raw reply (no tokens, no network).

    Args:
        task_id: the task the reply belongs to (named in the error when there is none).
        reply: the recorded reply text, or None when the report has none for the task.
        model: the model that wrote the reply, reported in results.
    """

    name = "replay"

    def __init__(self, *, task_id: str, reply: str | None, model: str) -> None:
        def answer(request: ChatRequest) -> str:
            if reply is None:
                raise BackendError(f"the recorded report has no reply for task {task_id!r}")
            return reply

        super().__init__(answer, model=model)


class RecordedReplies:
    """The replies of one recorded ``eval --json`` report, by task id."""

    def __init__(self, report: SuiteReport) -> None:
        self.report = report
        self.replies: Mapping[str, str | None] = {r.task_id: r.reply for r in report.results}

    @property
    def model(self) -> str:
        """The model that wrote the recorded replies."""
        return self.report.model

    @classmethod
    def load(cls, path: Path) -> RecordedReplies:
        """Read a report written by ``bt-planner eval --json``.

        Raises:
            SuiteError: the file is missing or is not such a report.
        """
        try:
            return cls(SuiteReport.model_validate_json(path.read_bytes()))
        except OSError as error:
            raise SuiteError(f"cannot read the recorded report {path}: {error.strerror}") from None
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(map(str, first["loc"])) or "the top level"
            raise SuiteError(
                f"{path} is not an `eval --json` report ({error.error_count()} problem(s);"
                f" first at {where}: {first['msg']})"
            ) from None

    def backend_for(self, task: Task) -> RecordedReplyBackend:
        """The backend answering ``task`` with its recorded reply."""
        return RecordedReplyBackend(task_id=task.id, reply=self.replies.get(task.id), model=self.model)


__all__ = ["RecordedReplies", "RecordedReplyBackend"]
