"""The order checker finds what is wrong: it is only worth using in the other tests if it can fail."""

from __future__ import annotations

from typing import Any

from bt_planner.journal import CommandOutcome, JournalCommand, JournalEvent, command_problems


def command(status: CommandOutcome | None = CommandOutcome.SUCCEEDED, reason: str = "") -> JournalCommand:
    return JournalCommand(
        id=7, run_id=1, source="api", command="x", received_at=0.0, status=status, reason=reason
    )


def events(*kinds: str | tuple[str, dict[str, Any]]) -> list[JournalEvent]:
    made = []
    for seq, kind in enumerate(kinds, start=1):
        name, data = (kind, {}) if isinstance(kind, str) else kind
        if name == "ended":
            data = {"state": "succeeded", "reason": "", **data}
        made.append(JournalEvent(seq=seq, command_id=7, run_id=1, kind=name, at=float(seq), data=data))
    return made


def act(kind: str, index: int) -> tuple[str, dict[str, Any]]:
    return kind, {"outcome": {"index": index}}


GOOD = ["received", "planning_started", "planning_finished", "verified", "executing",
        act("action_started", 0), act("action_ended", 0), act("action_ended", 1), "ended"]  # fmt: skip


def test_a_consistent_command_has_no_problems() -> None:
    assert command_problems(command(), events(*GOOD)) == []


def test_a_missing_or_repeated_or_early_end_is_found() -> None:
    assert command_problems(command(None), events(*GOOD[:-1])) == [
        "command 7: 0 'ended' events, expected exactly 1"
    ]
    twice = command_problems(command(), events(*GOOD, "ended"))
    assert "command 7: 2 'ended' events, expected exactly 1" in twice
    late = command_problems(command(), events(*GOOD[:-2], "ended", GOOD[-2]))
    assert any("comes after 'ended'" in p for p in late)


def test_a_status_that_disagrees_with_the_ended_event_is_found() -> None:
    problems = command_problems(command(CommandOutcome.FAILED), events(*GOOD))
    assert problems == ["command 7: status CommandOutcome.FAILED but its 'ended' event says 'succeeded'"]


def test_execution_before_verification_or_approval_and_actions_out_of_order_are_found() -> None:
    unverified = events("received", "planning_started", "executing", "ended")
    assert command_problems(command(), unverified) == ["command 7: executing (seq 3) without a verified plan"]
    unapproved = events(
        "received", "planning_started", "verified", "approval_requested", "executing", "ended"
    )
    assert "command 7: executing (seq 5) before its approval was granted" in command_problems(
        command(), unapproved
    )
    backwards = events("received", "planning_started", "verified", "executing",
                       act("action_started", 1), act("action_started", 0), "ended")  # fmt: skip
    assert "command 7: action 0 started after action 1" in command_problems(command(), backwards)
    outside = events("received", act("action_ended", 0), "ended")
    assert "command 7: action_ended of action 0 (seq 2) outside an execution" in command_problems(
        command(), outside
    )
