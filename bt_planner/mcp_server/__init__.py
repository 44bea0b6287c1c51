"""The MCP adapter: ``bt-planner mcp`` serves verified planning and execution to any MCP client.

Only this package imports the ``mcp`` SDK (an import-linter contract). Its tools take and return the
pydantic models of the layers below; safety limits come from the server's settings, never from a tool's
arguments.
"""
