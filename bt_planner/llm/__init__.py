"""Talking to a model: the chat port types every backend implements, the prompt, retries and rate limits.

No vendor SDK is imported here; adapters in ``bt_planner.backends`` implement ``ChatBackend``.
"""
