"""The desktop MCP client's server entry (``{"mcpServers": {...}}``), as a model the README example is checked against."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class StdioServerEntry(BaseModel):
    """One server a desktop client starts: the command, its arguments and extra environment."""

    model_config = ConfigDict(extra="forbid")

    command: str = Field(min_length=1)
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)


class DesktopClientConfig(BaseModel):
    """A desktop MCP client's configuration file: server name -> how to start it over stdio."""

    model_config = ConfigDict(extra="forbid")

    mcpServers: dict[str, StdioServerEntry]  # the clients' own key
