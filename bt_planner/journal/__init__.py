"""The mission journal: every command and what became of it, durable in one SQLite file (WAL mode)."""
