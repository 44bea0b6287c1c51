"""The ``bt-planner`` command line (typer + rich). One module per command."""
