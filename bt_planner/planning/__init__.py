"""Planning: command → validated, verified ``Plan`` (``LLMActionPlanner``), its result, cache and statistics."""
