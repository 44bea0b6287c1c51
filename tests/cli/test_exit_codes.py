"""``run_cli``: 0 success, 1 no safe plan, 2 usage, 3 internal error with a short message."""

from __future__ import annotations

import json

import pytest
import typer

from bt_planner.cli.options import EXIT_FAILED, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE, run_cli


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.command()
    def go(what: str, json_output: bool = typer.Option(False, "--json")) -> None:
        if what == "boom":
            raise RuntimeError("a bug")
        if what == "unsafe":
            raise typer.Exit(EXIT_FAILED)

    @app.command()
    def other() -> None:
        """A second command, so `go` is a sub-command."""

    return app


def test_exit_codes(capsys: pytest.CaptureFixture[str]) -> None:
    app = _app()
    assert run_cli(app, ["go", "fine"]) == EXIT_OK
    assert run_cli(app, ["go", "unsafe"]) == EXIT_FAILED
    assert run_cli(app, ["go", "--no-such-option"]) == EXIT_USAGE
    capsys.readouterr()
    assert run_cli(app, ["go", "boom"]) == EXIT_INTERNAL
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: a bug" in err and "Traceback" not in err and "--debug" in err


def test_internal_error_traceback_only_under_debug_and_json_stays_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app = _app()
    assert run_cli(app, ["go", "boom", "--debug"]) == EXIT_INTERNAL
    assert "Traceback" in capsys.readouterr().err
    assert run_cli(app, ["go", "boom", "--json"]) == EXIT_INTERNAL
    payload = json.loads(capsys.readouterr().out)
    assert payload == {
        "success": False,
        "error": {"type": "InternalError", "message": "internal error: RuntimeError: a bug"},
    }
