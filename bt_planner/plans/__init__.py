"""The plan model: action types and their parameters, plans, custom actions, goal lists, schema, parsing.

What a model writes and a robot runs, as typed pydantic models, plus the JSON schema a request is
constrained by and the parser that turns a reply into a ``Plan``.
"""
