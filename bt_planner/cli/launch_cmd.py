"""``bt-planner launch``: the simulated robot and the planner node as child processes, no ros2cli needed.

Starts the nodes of the same launch description that ``launch/bt.launch.py`` uses; Ctrl-C stops them all.
``--command`` also sends one command once the planner is up and prints its status as it goes.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bt_planner.cli.options import ConfigOption, WorldOption

if TYPE_CHECKING:
    from bt_planner.ros.command_client import CommandClient
    from bt_planner.ros.launcher import Launcher
    from bt_planner.ros.payloads import StatusMessage


class _CommandSender:
    """Sends ``--command`` once the planner subscribes, echoes its statuses, ends the launch if asked."""

    def __init__(self, launcher: Launcher, command: str, *, exit_when_done: bool) -> None:
        self.launcher = launcher
        self.command = command
        self.exit_when_done = exit_when_done
        self.exit_code = 0
        self.client: CommandClient | None = None

    def start(self) -> None:
        from bt_planner.ros.command_client import CommandClient

        os.environ.update(self.launcher.spec.env)  # join the nodes' ROS domain and discovery range
        client = CommandClient(on_status=self.on_status)
        self.client = client

        def send() -> None:
            if not client.send(self.command, timeout_s=60.0, stop=self.launcher.stopping):
                typer.echo("[status] no planner subscribed to robot_command within 60 s", err=True)

        threading.Thread(target=send, name="send-command", daemon=True).start()

    def on_status(self, status: StatusMessage) -> None:
        if status.command != self.command:
            return
        details = f": {status.details}" if status.details else ""
        typer.echo(f"[status] {status.status.value}{details}")
        if self.exit_when_done and status.status.terminal:
            self.exit_code = 0 if status.status.value == "SUCCEEDED" else 1
            self.launcher.request_stop()

    def close(self) -> None:
        if self.client is not None:
            self.client.close()


def launch(
    *,
    world: WorldOption = None,
    config: ConfigOption = None,
    time_scale: Annotated[
        float, typer.Option("--time-scale", min=0.01, help="Simulated seconds per wall-clock second.")
    ] = 1.0,
    domain_id: Annotated[
        int | None, typer.Option("--domain-id", min=0, max=232, help="ROS_DOMAIN_ID (default: inherited).")
    ] = None,
    discovery_range: Annotated[
        str | None,
        typer.Option(
            "--discovery-range",
            help="ROS_AUTOMATIC_DISCOVERY_RANGE: LOCALHOST, SUBNET, SYSTEM_DEFAULT or OFF "
            "(default: inherited, else LOCALHOST).",
        ),
    ] = None,
    command: Annotated[
        str | None,
        typer.Option("--command", help="Send this command once the planner is up; print its status."),
    ] = None,
    exit_when_done: Annotated[
        bool,
        typer.Option(
            "--exit-when-done",
            help="With --command: stop everything when it ends; exit 0 only if it succeeded.",
        ),
    ] = False,
    restart: Annotated[
        bool,
        typer.Option(
            "--restart/--no-restart",
            help="Start a node that died again (the running command fails naming it; the robot is stopped).",
        ),
    ] = True,
    max_restarts: Annotated[
        int, typer.Option("--max-restarts", min=0, help="Restarts per node before the launch gives up.")
    ] = 3,
    log_dir: Annotated[
        Path | None,
        typer.Option("--log-dir", help="Write each node's output to DIR/NODE.log instead of the terminal."),
    ] = None,
    robots: Annotated[
        int | None,
        typer.Option("--robots", min=1, max=32, help="A fleet: robot1..robotN, each in its namespace."),
    ] = None,
    fleet: Annotated[
        Path | None,
        typer.Option("--fleet", help="A fleet file (YAML): each robot's name, world, start pose, adapter."),
    ] = None,
) -> None:
    """Run the simulated robot and the planner node until Ctrl-C; publish commands on robot_command."""
    from bt_planner.errors import RosUnavailable
    from bt_planner.ros.availability import require_ros
    from bt_planner.ros.launch_description import network_env, simulation_launch
    from bt_planner.ros.launcher import Launcher

    if world is not None and not world.is_file():
        typer.echo(f"error: world file not found: {world}", err=True)
        raise typer.Exit(2)
    if exit_when_done and command is None:
        typer.echo("error: --exit-when-done needs --command", err=True)
        raise typer.Exit(2)
    if command is not None and (robots is not None or fleet is not None):
        typer.echo(
            "error: --command addresses one robot; with a fleet publish on /<robot>/robot_command", err=True
        )
        raise typer.Exit(2)
    try:
        require_ros()
        if robots is not None or fleet is not None:
            from bt_planner.ros.fleet import cli_fleet_launch

            spec = cli_fleet_launch(
                robots=robots,
                fleet_file=fleet,
                world_file=str(world.resolve()) if world is not None else "",
                config_file=str(config.resolve()) if config is not None else "",
                time_scale=time_scale,
                env=network_env(domain_id=domain_id, discovery_range=discovery_range),
                run_dir=log_dir,
            )
        else:
            spec = simulation_launch(
                world_file=str(world.resolve()) if world is not None else "",
                config_file=str(config.resolve()) if config is not None else "",
                time_scale=time_scale,
                env=network_env(domain_id=domain_id, discovery_range=discovery_range),
            )
    except (RosUnavailable, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
    launcher = Launcher(spec, log_dir=log_dir, echo=typer.echo, restart=restart, max_restarts=max_restarts)
    sender = _CommandSender(launcher, command, exit_when_done=exit_when_done) if command is not None else None
    from bt_planner.ros.node_events import NodeEventPublisher

    os.environ.update(spec.env)  # join the nodes' ROS domain and discovery range
    events = NodeEventPublisher()
    launcher.on_death = events.died
    try:
        code = launcher.run(on_started=sender.start if sender is not None else None)
    finally:
        if sender is not None:
            sender.close()
        events.close()
    raise typer.Exit(code or (sender.exit_code if sender is not None else 0))
