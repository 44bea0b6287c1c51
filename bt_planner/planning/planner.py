"""``LLMActionPlanner``: command + robot state + world → verified ``PlanResult``.

One pipeline serves ``plan()`` and ``aplan()``: it is written as a generator that yields each
``ChatRequest`` and receives the ``ChatReply`` (sans-I/O), so the sync and async entry points
differ only in how they call the backend. The pipeline:

1. cache lookup (hit → return the stored result);
2. compact prompt + per-request JSON schema (names are enums of the world's names): in actions
   mode the model writes the steps; in goal mode it writes a goal list (``plans.task_goals``);
3. call the backend (retries, backoff, rate limit: ``CallPolicy``);
4. parse and validate (goal mode: expand the goals with the symbolic planner); verify against
   safety limits and the world model;
5. on any error, up to ``max_repair_rounds`` repair rounds that feed the exact errors back;
6. still wrong → ``PlanResult(success=False)`` with the reasons. Nothing raises out of ``plan()``.
"""

from __future__ import annotations

import concurrent.futures
import functools
import time
from collections.abc import Callable, Generator
from typing import Any, Literal, Protocol

from bt_planner.config import Settings
from bt_planner.core.issues import IssueCode, PlanIssue, Severity, has_errors
from bt_planner.core.state import RobotState
from bt_planner.core.text import safe_text
from bt_planner.core.world import World, default_world
from bt_planner.errors import BackendError
from bt_planner.llm.background_loop import BackgroundLoop
from bt_planner.llm.call_policy import CallPolicy
from bt_planner.llm.chat import ChatBackend, ChatMessage, ChatReply, ChatRequest, TokenUsage
from bt_planner.llm.goal_prompt import (
    GOAL_PROMPT_VERSION,
    GOAL_SCHEMA_NAME,
    build_goal_messages,
    goal_repair_message,
)
from bt_planner.llm.harm_check import (
    HARM_CHECK_SCHEMA_NAME,
    harm_check_schema,
    harm_question,
    harmful_issue,
    read_harm_answer,
    unreadable_issue,
)
from bt_planner.llm.prompt import PROMPT_VERSION, build_messages, repair_message
from bt_planner.llm.rate_limit import RateLimiter
from bt_planner.planning.plan_cache import PlanCache, cache_key
from bt_planner.planning.result import PlanResult, Timings
from bt_planner.planning.stats import PlanHistory, PlannerStats
from bt_planner.planning.symbolic_planner import Expansion, expand_goals
from bt_planner.plans.custom_actions import CustomActionRegistry
from bt_planner.plans.feedback import ExecutionFeedback
from bt_planner.plans.parsing import parse_goals, parse_plan
from bt_planner.plans.plan import Plan
from bt_planner.plans.schema import goal_json_schema, plan_json_schema
from bt_planner.plans.task_goals import Goal, GoalList
from bt_planner.verification import Verifier
from bt_planner.verification.rules import command_length_rule, command_names_rule, command_rule
from bt_planner.verification.text_screen import TextClassifier


class PlanVerifier(Protocol):
    """What checks a plan before it is accepted (``bt_planner.verification.Verifier`` by default)."""

    def verify(self, plan: Plan, state: RobotState, world: World) -> list[PlanIssue]:
        """Every issue of ``plan`` for a robot in ``state`` in ``world``."""
        ...


class _Exchange:
    """Mutable bookkeeping of one planning call."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.llm_ms = self.parse_ms = self.verify_ms = 0.0
        self.usage = TokenUsage()
        self.calls = 0
        self.model = ""
        self.raw: str | None = None
        self.warnings: list[str] = []


_Pipeline = Generator[ChatRequest, ChatReply, PlanResult]
Mode = Literal["actions", "goals"]


def _resume(pipeline: _Pipeline, outcome: ChatReply | Exception) -> Callable[[], ChatRequest]:
    """How the pipeline goes on after a backend call: with the reply, or with the error thrown in.

    A backend that breaks its contract (raises anything but ``BackendError``) is reported as one.
    """
    if isinstance(outcome, ChatReply):
        return functools.partial(pipeline.send, outcome)
    if not isinstance(outcome, BackendError):
        outcome = BackendError(f"the backend raised {type(outcome).__name__} instead of replying: {outcome}")
    return functools.partial(pipeline.throw, outcome)


def _reply_warning(text: str) -> PlanIssue:
    return PlanIssue(code=IssueCode.LLM_ERROR, rule="reply.usage", message=text, severity=Severity.WARNING)


class _Round:
    """What one model reply became: a plan (or not), its issues, and in goal mode the goals."""

    def __init__(self, plan: Plan | None, issues: list[PlanIssue], *, refused: bool = False) -> None:
        self.plan, self.issues, self.refused = plan, issues, refused
        self.goals: GoalList | None = None
        self.action_goals: tuple[int, ...] = ()


class LLMActionPlanner:
    """Plans with any ``ChatBackend``; by default the one the settings select.

    Thread-safe and asyncio-safe: one planner may serve many concurrent ``plan``/``aplan`` calls.
    ``planning.mode`` chooses who writes the steps (see ``mode``); ``expand`` plans from goals
    without any model call.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        backend: ChatBackend | None = None,
        custom_actions: CustomActionRegistry | None = None,
        verifier: PlanVerifier | None = None,
        cache: PlanCache | None = None,
        policy: CallPolicy | None = None,
        classifier: TextClassifier | None = None,
    ) -> None:
        self.settings = settings if settings is not None else Settings.load()
        self.classifier = classifier
        self.custom_actions = custom_actions if custom_actions is not None else CustomActionRegistry()
        if backend is None:
            from bt_planner.backends.selection import make_backend

            backend = make_backend(self.settings.llm)
        self.backend = backend
        self.verifier: PlanVerifier = verifier or Verifier(
            self.settings.safety, self.custom_actions, classifier=classifier
        )
        cache_cfg = self.settings.cache
        self.cache = (
            cache
            if cache is not None
            else PlanCache(
                max_entries=cache_cfg.max_entries, max_bytes=cache_cfg.max_bytes, ttl_s=cache_cfg.ttl_s
            )
        )
        rpm = self.settings.llm.requests_per_minute
        self.policy = policy or CallPolicy(self.settings.retry, limiter=RateLimiter(rpm) if rpm else None)
        self.history = PlanHistory()
        self._runner = BackgroundLoop(name="bt-planner-plan")

    # ---- public API -------------------------------------------------------------------------

    def plan(
        self,
        command: str,
        state: RobotState | None = None,
        world: World | None = None,
        *,
        feedback: ExecutionFeedback | None = None,
    ) -> PlanResult:
        """Plan synchronously. Never raises; ends by ``retry.total_timeout_s`` (see ``CallPolicy``)."""
        started, deadline = time.perf_counter(), self.policy.deadline()
        try:
            pipeline = self._pipeline(command, state, world, feedback)
            step: Callable[[], ChatRequest] = functools.partial(next, pipeline)
            while True:
                try:
                    request = step().model_copy(update={"deadline": deadline})
                except StopIteration as done:
                    return self._finish(done.value)
                try:
                    outcome: ChatReply | Exception = self.policy.call(
                        functools.partial(self.backend.complete, request), deadline=deadline
                    )
                except Exception as error:  # BackendError, or a broken backend: either way the call ends
                    outcome = error
                step = _resume(pipeline, outcome)
        except Exception as error:  # a bug below (a plug-in verifier, a rule): a result, not a crash
            return self._finish(self._internal_error(command, error, started))

    async def aplan(
        self,
        command: str,
        state: RobotState | None = None,
        world: World | None = None,
        *,
        feedback: ExecutionFeedback | None = None,
    ) -> PlanResult:
        """Plan without blocking the event loop. Never raises (except ``CancelledError`` when cancelled).

        Ends by ``retry.total_timeout_s``; cancelling the task cancels the model request in flight.
        """
        started, deadline = time.perf_counter(), self.policy.deadline()
        try:
            pipeline = self._pipeline(command, state, world, feedback)
            step: Callable[[], ChatRequest] = functools.partial(next, pipeline)
            while True:
                try:
                    request = step().model_copy(update={"deadline": deadline})
                except StopIteration as done:
                    return self._finish(done.value)
                try:
                    outcome: ChatReply | Exception = await self.policy.acall(
                        functools.partial(self.backend.acomplete, request), deadline=deadline
                    )
                except Exception as error:  # BackendError, or a broken backend: either way the call ends
                    outcome = error
                step = _resume(pipeline, outcome)
        except Exception as error:  # a bug below (a plug-in verifier, a rule): a result, not a crash
            return self._finish(self._internal_error(command, error, started))

    def submit(
        self,
        command: str,
        state: RobotState | None = None,
        world: World | None = None,
        *,
        feedback: ExecutionFeedback | None = None,
    ) -> concurrent.futures.Future[PlanResult]:
        """Start ``aplan`` on the planner's own event-loop thread; the future's ``cancel()`` really cancels.

        For callers that plan off a tick thread and pre-empt: cancelling the returned future cancels
        the planning task and the model request in flight, so the next command plans at once.
        """
        return self._runner.submit(self.aplan(command, state, world, feedback=feedback))

    def stats(self) -> PlannerStats:
        """Counts, success rate, latency and token totals over the recent planning calls."""
        return self.history.stats()

    @property
    def mode(self) -> Mode:
        """The planning mode in effect.

        ``planning.mode``, with ``auto`` resolved to goal mode for the embedded model and to actions
        mode for every other backend.
        """
        configured = self.settings.planning.mode
        if configured == "auto":
            return "goals" if self.backend.name == "local" else "actions"
        return configured

    def expand(
        self,
        goals: GoalList | list[Goal],
        state: RobotState | None = None,
        world: World | None = None,
        *,
        command: str = "",
        seen: frozenset[str] = frozenset(),
    ) -> PlanResult:
        """Plan from goals with the symbolic planner alone (no model call), verified like any plan.

        Args:
            goals: what to achieve, in order.
            state: the robot now (default: the world's robot).
            world: the world or the mission's belief (default: the packaged kitchen world).
            command: recorded in the result.
            seen: ids of objects already detected (no detect step is added before grasping them).
        """
        world = world if world is not None else default_world()
        state = state if state is not None else world.robot
        started = time.perf_counter()
        goal_list = goals if isinstance(goals, GoalList) else GoalList(goals=goals)
        outcome = self._expand_and_verify(goal_list, state, world, seen=seen)
        success = outcome.plan is not None and not has_errors(outcome.issues)
        result = PlanResult(
            success=success,
            command=command,
            plan=outcome.plan if success else None,
            issues=outcome.issues,
            timings=Timings(total_ms=(time.perf_counter() - started) * 1000),
            backend="symbolic",
            model="symbolic",
            prompt_version=GOAL_PROMPT_VERSION,
            mode="goals",
            goals=outcome.goals if outcome.goals is not None else goal_list,
            action_goals=outcome.action_goals if success else (),
        )
        return self._finish(result)

    # ---- the pipeline -----------------------------------------------------------------------

    def _finish(self, result: PlanResult) -> PlanResult:
        self.history.record(result)
        return result

    def _screen_command(self, command: str, world: World) -> tuple[str, PlanIssue | None]:
        """The command made safe to store and publish, and the reason to refuse it unplanned, if any."""
        limits = self.settings.safety
        too_long = command_length_rule(length=len(command), limits=limits)
        command = safe_text(command, max_chars=limits.max_command_chars)
        return command, (
            too_long
            or command_rule(command=command, limits=limits, classifier=self.classifier)
            or command_names_rule(command=command, world=world)
        )

    def _internal_error(self, command: str, error: Exception, started: float) -> PlanResult:
        where = type(error).__name__
        return PlanResult(
            success=False,
            command=safe_text(command, max_chars=self.settings.safety.max_command_chars),
            issues=[
                PlanIssue(
                    code=IssueCode.INTERNAL_ERROR,
                    message=safe_text(f"planning failed inside bt_planner: {where}: {error}", max_chars=500),
                )
            ],
            timings=Timings(total_ms=(time.perf_counter() - started) * 1000),
            backend=self.backend.name,
            model=self.backend.model,
        )

    def _pipeline(
        self, command: str, state: RobotState | None, world: World | None, feedback: ExecutionFeedback | None
    ) -> _Pipeline:
        world = world if world is not None else default_world()
        state = state if state is not None else world.robot
        llm = self.settings.llm
        ex = _Exchange()
        limits = self.settings.safety
        command, refusal = self._screen_command(command, world)
        if refusal is not None:
            return PlanResult(
                success=False,
                command=command,
                issues=[refusal],
                timings=Timings(total_ms=self._elapsed_ms(ex)),
                backend=self.backend.name,
                model=self.backend.model,
                prompt_version=PROMPT_VERSION,
            )
        key = None
        if self.settings.cache.enabled and feedback is None:
            key = cache_key(
                command=command, state=state, world=world, model=self.backend.model,
                temperature=llm.temperature,
                prompt_version=GOAL_PROMPT_VERSION if self.mode == "goals" else PROMPT_VERSION,
                extra=",".join(self.custom_actions.names()) + f";detect={self.settings.planning.detect_before_grasp}",
            )  # fmt: skip
            cached = self.cache.get(key)
            if cached is not None:
                return cached.model_copy(
                    update={
                        "cache_hit": True,
                        "timings": Timings(total_ms=self._elapsed_ms(ex)),
                        "llm_calls": 0,
                    }
                )
        mode = self.mode
        harm_warnings: list[PlanIssue] = []
        messages, schema, schema_name = self._prompt(mode, command, state, world, feedback)
        if mode == "goals" and self.harm_check:
            harmful = yield from self._harm_check(messages, ex, harm_warnings)
            if harmful:
                return self._harmful_result(command, ex)
        outcome = _Round(None, [])
        for round_ in range(llm.max_repair_rounds + 1):
            request = ChatRequest(
                messages=messages,
                json_schema=schema,
                schema_name=schema_name,
                temperature=llm.temperature,
                max_tokens=llm.max_tokens,
            )
            called = time.perf_counter()
            try:
                reply = yield request
            except BackendError as error:
                ex.llm_ms += (time.perf_counter() - called) * 1000
                outcome = _Round(None, [PlanIssue(code=IssueCode.LLM_ERROR, message=str(error))])
                break
            ex.llm_ms += (time.perf_counter() - called) * 1000
            ex.calls += 1
            ex.usage = ex.usage + reply.usage
            ex.model = reply.model or self.backend.model
            ex.raw = reply.content[: limits.max_reply_chars]
            ex.warnings.extend(reply.warnings)

            outcome = (
                self._goal_round(reply, state, world, ex)
                if mode == "goals"
                else self._action_round(reply, state, world, ex)
            )
            if outcome.refused or not has_errors(outcome.issues):
                break
            if round_ < llm.max_repair_rounds:
                problems = [str(issue) for issue in outcome.issues if issue.severity.value == "error"]
                repair = goal_repair_message if mode == "goals" else repair_message
                messages = (*messages, ChatMessage(role="assistant", content=ex.raw), repair(problems))
        plan = outcome.plan
        issues = [
            *outcome.issues,
            *harm_warnings,
            *(_reply_warning(text) for text in dict.fromkeys(ex.warnings)),
        ]
        success = plan is not None and not has_errors(issues)
        result = PlanResult(
            success=success,
            command=command,
            plan=plan if success else None,
            issues=issues,
            timings=Timings(
                total_ms=self._elapsed_ms(ex), llm_ms=ex.llm_ms, parse_ms=ex.parse_ms, verify_ms=ex.verify_ms
            ),
            backend=self.backend.name,
            model=ex.model or self.backend.model,
            usage=ex.usage,
            raw_response=ex.raw,
            llm_calls=ex.calls,
            prompt_version=GOAL_PROMPT_VERSION if mode == "goals" else PROMPT_VERSION,
            mode=mode,
            goals=outcome.goals,
            action_goals=outcome.action_goals if success else (),
        )
        if success and key is not None:
            self.cache.put(key, result)
        return result

    @property
    def harm_check(self) -> bool:
        """Whether goal mode asks the harm question first (``planning.harm_check``; auto: embedded model)."""
        configured = self.settings.planning.harm_check
        return configured == "on" or (configured == "auto" and self.backend.name == "local")

    def _prompt(
        self, mode: Mode, command: str, state: RobotState, world: World, feedback: ExecutionFeedback | None
    ) -> tuple[tuple[ChatMessage, ...], dict[str, Any], str]:
        """The first request's messages, JSON schema and schema name for ``mode``."""
        if mode == "goals":
            messages = build_goal_messages(
                command, state, world, custom_actions=self.custom_actions, feedback=feedback
            )
            return messages, goal_json_schema(world, self.custom_actions), GOAL_SCHEMA_NAME
        messages = build_messages(
            command, state, world, custom_actions=self.custom_actions, feedback=feedback
        )
        return messages, plan_json_schema(world, self.custom_actions), "action_plan"

    def _harmful_result(self, command: str, ex: _Exchange) -> PlanResult:
        return PlanResult(
            success=False,
            command=command,
            issues=[harmful_issue()],
            timings=Timings(total_ms=self._elapsed_ms(ex), llm_ms=ex.llm_ms),
            backend=self.backend.name,
            model=ex.model or self.backend.model,
            usage=ex.usage,
            raw_response=ex.raw,
            llm_calls=ex.calls,
            prompt_version=GOAL_PROMPT_VERSION,
            mode="goals",
        )

    def _harm_check(
        self, messages: tuple[ChatMessage, ...], ex: _Exchange, warnings: list[PlanIssue]
    ) -> Generator[ChatRequest, ChatReply, bool]:
        """Ask whether the request is harmful; True refuses it. A failed call or odd answer is a no."""
        request = ChatRequest(
            messages=(*messages, harm_question()),
            json_schema=harm_check_schema(),
            schema_name=HARM_CHECK_SCHEMA_NAME,
            temperature=0.0,
            max_tokens=16,
        )
        called = time.perf_counter()
        try:
            reply = yield request
        except BackendError as error:
            ex.llm_ms += (time.perf_counter() - called) * 1000
            warnings.append(unreadable_issue(f"the call failed: {error}"))
            return False
        ex.llm_ms += (time.perf_counter() - called) * 1000
        ex.calls += 1
        ex.usage = ex.usage + reply.usage
        ex.model = reply.model or self.backend.model
        answer = read_harm_answer(reply.content)
        if answer is None:
            warnings.append(unreadable_issue(reply.content))
            return False
        if answer:
            ex.raw = reply.content
        return answer

    def _action_round(self, reply: ChatReply, state: RobotState, world: World, ex: _Exchange) -> _Round:
        """Actions mode: the reply is the plan; parse, validate and verify it."""
        parsed_at = time.perf_counter()
        parsed = parse_plan(
            reply.content,
            finish_reason=reply.finish_reason,
            custom_actions=self.custom_actions,
            limits=self.settings.safety,
        )
        ex.parse_ms += (time.perf_counter() - parsed_at) * 1000
        if parsed.refused or parsed.plan is None:
            return _Round(None, list(parsed.issues), refused=parsed.refused)
        verified_at = time.perf_counter()
        issues = self.verifier.verify(parsed.plan, state, world)
        ex.verify_ms += (time.perf_counter() - verified_at) * 1000
        return _Round(parsed.plan, issues)

    def _goal_round(self, reply: ChatReply, state: RobotState, world: World, ex: _Exchange) -> _Round:
        """Goal mode: parse the goal list, expand it symbolically, verify the expansion."""
        parsed_at = time.perf_counter()
        parsed = parse_goals(reply.content, finish_reason=reply.finish_reason, limits=self.settings.safety)
        ex.parse_ms += (time.perf_counter() - parsed_at) * 1000
        if parsed.goals is None:
            return _Round(None, list(parsed.issues))
        verified_at = time.perf_counter()
        outcome = self._expand_and_verify(parsed.goals, state, world)
        ex.verify_ms += (time.perf_counter() - verified_at) * 1000
        return outcome

    def _expand_and_verify(
        self, goals: GoalList, state: RobotState, world: World, *, seen: frozenset[str] = frozenset()
    ) -> _Round:
        expansion: Expansion = expand_goals(
            goals,
            state=state,
            world=world,
            limits=self.settings.safety,
            custom_actions=self.custom_actions,
            detect_before_grasp=self.settings.planning.detect_before_grasp,
            seen=seen,
            fetch_from_source=self.settings.planning.fetch_from_source,
        )
        if expansion.plan is None:
            outcome = _Round(None, list(expansion.issues), refused=expansion.refused)
            outcome.goals = goals
        else:
            verified = self.verifier.verify(expansion.plan, state, world)
            issues = [*expansion.issues, *expansion.attribute(verified)]
            outcome = _Round(expansion.plan, issues)
            outcome.action_goals = expansion.action_goals
            outcome.goals = GoalList(goals=list(expansion.goals))
        return outcome

    @staticmethod
    def _elapsed_ms(ex: _Exchange) -> float:
        return (time.perf_counter() - ex.started) * 1000
