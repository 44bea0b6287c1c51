"""``approval_reasons``: does a verified plan need an operator's approval, and why.

The configured policy (``execution.approval``) is the operator's; a per-command override can add a
gate but never remove one: a plan needs approval when either of them asks for it.
"""

from __future__ import annotations

from bt_planner.config import ApprovalPolicy
from bt_planner.core.issues import PlanIssue, Severity
from bt_planner.plans.plan import CustomAction, Plan


def _reasons(policy: ApprovalPolicy, plan: Plan, issues: list[PlanIssue], *, who: str) -> list[str]:
    if policy.mode == "always":
        return [f"{who} approval policy is 'always'"]
    if policy.mode == "on_warnings":
        warnings = [issue for issue in issues if issue.severity is Severity.WARNING]
        return [f"verification warning: {issue}" for issue in warnings]
    if policy.mode == "for_actions":
        gated = set(policy.actions)
        found = []
        for index, action in enumerate(plan.actions):
            name = action.parameters.name if isinstance(action, CustomAction) else action.action_type.value
            if name in gated or action.action_type.value in gated:
                found.append(f"action {index} ({name}) needs approval ({who} for_actions policy)")
        return found
    return []


def approval_reasons(
    policy: ApprovalPolicy, override: ApprovalPolicy | None, plan: Plan, issues: list[PlanIssue]
) -> list[str]:
    """Why ``plan`` needs approval under ``policy`` and the command's ``override``; empty: it does not."""
    reasons = _reasons(policy, plan, issues, who="the configured")
    if override is not None:
        reasons += [r for r in _reasons(override, plan, issues, who="the command's") if r not in reasons]
    return reasons


def approval_timeout_s(policy: ApprovalPolicy, override: ApprovalPolicy | None) -> float:
    """How long a request waits: the shorter of the two timeouts (no answer rejects)."""
    return min(policy.timeout_s, override.timeout_s) if override is not None else policy.timeout_s
