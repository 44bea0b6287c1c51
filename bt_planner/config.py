"""Configuration: a YAML or TOML file plus environment variables, via pydantic-settings.

Precedence, highest first:

1. keyword arguments to ``Settings.load`` / ``Settings(...)`` (code),
2. ``BT_PLANNER_*`` environment variables, nested with ``__`` (``BT_PLANNER_LLM__MODEL=...``),
3. the standard ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``,
4. the config file (``path`` argument, else ``BT_PLANNER_CONFIG``), ``.yaml``/``.yml`` or ``.toml``,
5. defaults.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
    YamlConfigSettingsSource,
)

from bt_planner.core.limits import SafetyLimits

StructuredOutput = Literal["auto", "json_schema", "json_object", "none"]


class LLMSettings(BaseModel):
    """Which model answers, and how it is called."""

    model_config = ConfigDict(extra="forbid")

    backend: Literal["auto", "openai", "local"] = Field(
        default="auto", description="auto: openai when a key or base URL is set, else the embedded model"
    )
    base_url: str | None = None
    api_key: SecretStr | None = None
    model: str = "gpt-4o-mini"
    temperature: float = Field(default=0.0, ge=0, le=2)
    max_tokens: int = Field(default=1024, ge=16)
    timeout: float = Field(default=30.0, gt=0, description="seconds per request")
    structured_output: StructuredOutput = Field(
        default="auto", description="auto: strict json_schema, falling back to json_object, then none"
    )
    max_repair_rounds: int = Field(default=1, ge=0, le=3)
    requests_per_minute: float | None = Field(default=None, gt=0, description="client-side limit")
    local_model: Literal["qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b", "small", "gemma3-270m"] = Field(
        default="qwen2.5-coder-1.5b",
        description="the embedded model (bt_planner.backends.local.model_registry); small = qwen2.5-coder-0.5b",
    )
    local_model_path: Path | None = Field(default=None, description="any .gguf; overrides local_model")
    local_threads: int | None = Field(default=None, ge=1)
    local_context: int = Field(default=8192, ge=512, description="tokens; the prompt and the reply share it")


class RetrySettings(BaseModel):
    """Exponential backoff with jitter on 429, 5xx, connection errors and timeouts."""

    model_config = ConfigDict(extra="forbid")

    max_attempts: int = Field(default=4, ge=1)
    initial_wait_s: float = Field(default=0.5, ge=0)
    max_wait_s: float = Field(default=20.0, ge=0)
    jitter_s: float = Field(default=0.5, ge=0)
    total_timeout_s: float = Field(
        default=90.0,
        gt=0,
        description="one wall-clock deadline per planning call: connect, every read, every retry and repair",
    )
    max_retry_after_s: float = Field(
        default=30.0, ge=0, description="a server's Retry-After is honoured up to this many seconds"
    )


class CacheSettings(BaseModel):
    """The plan cache: LRU with a time to live, keyed on command, relevant state, world, model and prompt."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    max_entries: int = Field(default=256, ge=1)
    max_bytes: int = Field(default=16_000_000, ge=1, description="approximate memory of the stored results")
    ttl_s: float = Field(default=600.0, gt=0)


ApprovalMode = Literal["never", "always", "on_warnings", "for_actions"]
"""When an operator must approve a verified plan before it moves the robot."""


class ApprovalPolicy(BaseModel):
    """The operator approval gate: which plans wait for a human, and for how long.

    Written as a mapping, or as a string: ``"always"``, ``"on_warnings"``, ``"for_actions grasp place"``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    mode: ApprovalMode = "never"
    actions: tuple[str, ...] = Field(
        default=(), description="for_actions: action types (or custom action names) that need approval"
    )
    timeout_s: float = Field(default=60.0, gt=0, description="wall seconds; no answer by then rejects")

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, str):
            mode, *actions = value.replace(",", " ").split()
            return {"mode": mode, "actions": tuple(actions)} if actions else {"mode": mode}
        return value


class ExecutionSettings(BaseModel):
    """How plans run: re-planning attempts, tick period and the operator approval gate."""

    model_config = ConfigDict(extra="forbid")

    max_replans: int = Field(default=2, ge=0)
    tick_period_s: float = Field(default=0.1, gt=0)
    approval: ApprovalPolicy = ApprovalPolicy()


class JournalSettings(BaseModel):
    """The mission journal (one SQLite file): where it is, how much it keeps, how it writes."""

    model_config = ConfigDict(extra="forbid")

    path: Path | None = Field(default=None, description="the journal file; None: no journal")
    max_commands: int | None = Field(default=10_000, ge=1, description="keep the newest N ended commands")
    max_age_days: float | None = Field(default=90.0, gt=0, description="drop ended commands older than this")
    max_size_mb: float | None = Field(
        default=None, gt=0, description="hard cap on the file; full stops the robot"
    )
    queue_size: int = Field(
        default=10_000, ge=1, description="events waiting for the writer; overflow stops the robot"
    )
    synchronous: Literal["normal", "full"] = Field(
        default="full", description="SQLite synchronous: full survives power loss, normal survives a crash"
    )


PlanningMode = Literal["auto", "actions", "goals"]
"""``actions``: the model writes the steps. ``goals``: the model writes a goal list and the symbolic
planner writes the steps. ``auto``: goals for the embedded model, actions for remote models."""


class PlanningSettings(BaseModel):
    """How a command becomes a plan: who writes the steps, and how the symbolic planner expands goals."""

    model_config = ConfigDict(extra="forbid")

    mode: PlanningMode = Field(
        default="auto", description="auto: goals for the embedded model, actions for remote models"
    )
    detect_before_grasp: bool = Field(
        default=True,
        description="goal mode: look for an object before its first grasp unless it was already seen"
        " (always on when safety.require_detect_before_grasp is)",
    )
    fetch_from_source: bool = Field(
        default=True,
        description="goal mode: read 'deliver X to where X already lies' as fetching X from there (to the"
        " place a directly following go_to names, else the robot keeps it), with a warning; off: a no-op",
    )
    harm_check: Literal["auto", "on", "off"] = Field(
        default="auto",
        description="goal mode: ask the model one yes/no question (would the request hurt, damage, deceive,"
        " steal or hide what someone needs?) before the goals, and refuse on yes; auto: on for the embedded"
        " model only",
    )


class MCPSettings(BaseModel):
    """``bt-planner mcp``: per-client rate limits, the simulator's pace, the HTTP transport's bind and tokens."""

    model_config = ConfigDict(extra="forbid")

    calls_per_minute: float = Field(default=120.0, gt=0, description="tool calls and reads per client")
    burst: int = Field(default=20, ge=1, description="calls a client may make at once before the limit bites")
    sim_speed: float = Field(
        default=1.0, ge=0, description="simulated seconds per wall-clock second; 0 = as fast as possible"
    )
    max_sim_time_s: float = Field(default=600.0, gt=0, description="a run is stopped after this")
    max_stored_plans: int = Field(default=256, ge=1, description="plan ids kept (oldest dropped)")
    allow_approvals: Literal["never", "other_clients", "any_client"] = Field(
        default="never",
        description="who may approve a plan over MCP (the approve tool): never (the viewer or another"
        " front end must), other_clients (not the client that executed it), any_client",
    )
    http_host: str = Field(default="127.0.0.1", description="streamable HTTP bind address; loopback only")
    http_port: int = Field(default=8766, ge=0, le=65535, description="0 picks a free port")
    http_tokens: dict[str, SecretStr] = Field(
        default_factory=dict,
        description="client name -> bearer token for the HTTP transport; each client has its own rate limit",
    )


class _OpenAIEnvSource(PydanticBaseSettingsSource):
    """Reads the SDK's standard ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` into ``llm``."""

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        llm: dict[str, Any] = {}
        if key := os.environ.get("OPENAI_API_KEY"):
            llm["api_key"] = key
        if url := os.environ.get("OPENAI_BASE_URL"):
            llm["base_url"] = url
        return {"llm": llm} if llm else {}


class Settings(BaseSettings):
    """All of bt_planner's configuration. Safety limits live in their own section."""

    model_config = SettingsConfigDict(
        env_prefix="BT_PLANNER_",
        env_nested_delimiter="__",
        extra="forbid",
        nested_model_default_partial_update=True,
    )

    llm: LLMSettings = LLMSettings()
    retry: RetrySettings = RetrySettings()
    cache: CacheSettings = CacheSettings()
    safety: SafetyLimits = SafetyLimits()
    execution: ExecutionSettings = ExecutionSettings()
    planning: PlanningSettings = PlanningSettings()
    journal: JournalSettings = JournalSettings()
    mcp: MCPSettings = MCPSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Precedence, highest first: code, ``BT_PLANNER_*``, ``OPENAI_*``, the YAML or TOML file."""
        return (
            init_settings,
            env_settings,
            _OpenAIEnvSource(settings_cls),
            YamlConfigSettingsSource(settings_cls),
            TomlConfigSettingsSource(settings_cls),
        )

    @classmethod
    def load(cls, path: str | Path | None = None, **overrides: Any) -> Settings:
        """Settings from ``path`` (or ``$BT_PLANNER_CONFIG``), the environment and ``overrides``."""
        chosen = path if path is not None else os.environ.get("BT_PLANNER_CONFIG")
        if chosen is None:
            return cls(**overrides)
        file = Path(chosen)
        if not file.is_file():
            raise FileNotFoundError(f"config file not found: {file}")
        key = "toml_file" if file.suffix == ".toml" else "yaml_file"
        config: dict[str, Any] = {**cls.model_config, key: file}
        bound = type(cls.__name__, (cls,), {"model_config": config})
        settings: Settings = bound(**overrides)
        return settings
