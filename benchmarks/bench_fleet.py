"""Fleet scaling: three robots each running a different command at once vs each command alone on one robot.

``python -m benchmarks.bench_fleet [--quick]``. Every robot is a real simulator + planner node pair in its
own namespace (``bt_planner.ros.fleet``), started as child processes; the LLM is the scripted loopback
server of the tests (one plan per command, no model time). The single-robot baseline runs each of the three
commands alone on a one-robot launch and keeps the slowest; the fleet run starts three robots and sends all
three commands at once. Ratio = fleet wall time (first command sent → last terminal status) / slowest
single. Target ≤ 1.3. DDS stays on loopback (``ROS_AUTOMATIC_DISCOVERY_RANGE=LOCALHOST``) in
``ROS_DOMAIN_ID`` (default 90).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.rows import BenchRow, print_rows

TIME_SCALE = 10.0
TARGET_RATIO = 1.3


def _run_fleet(commands: list[str], *, domain: int, run_dir: Path) -> float:  # noqa: PLR0915 (one linear script)
    """Wall seconds from the first command sent to the last robot's terminal status (all must succeed)."""
    import rclpy
    from rclpy.context import Context
    from rclpy.executors import SingleThreadedExecutor
    from rclpy.signals import SignalHandlerOptions
    from std_msgs.msg import String

    from bt_planner.ros import qos, topics
    from bt_planner.ros.fleet import FleetConfig, fleet_launch
    from bt_planner.ros.node_parameters import PlannerNodeParameters
    from bt_planner.ros.payloads import StatusMessage
    from bt_planner.ros.processes import ChildProcess
    from tests.fake_openai_server import FakeOpenAIServer
    from tests.ros.fleet_plans import reply_by_command

    config = FleetConfig.numbered(len(commands))
    spec = fleet_launch(
        config, run_dir=run_dir, time_scale=TIME_SCALE, planner=PlannerNodeParameters(tick_period_s=0.05)
    )
    network = {"ROS_DOMAIN_ID": str(domain), "ROS_AUTOMATIC_DISCOVERY_RANGE": "LOCALHOST"}
    with FakeOpenAIServer(default=reply_by_command) as llm:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("BT_PLANNER_", "OPENAI_"))},
            **network,
            "OPENAI_BASE_URL": llm.url, "OPENAI_API_KEY": "bench", "BT_PLANNER_LLM__MODEL": "fake-model",
            "BT_PLANNER_CACHE__ENABLED": "false",
        }  # fmt: skip
        children = [
            ChildProcess(n.label, n.argv(), env=env, log_path=run_dir / f"{n.label}.log") for n in spec.nodes
        ]
        context = Context()
        rclpy.init(context=context, domain_id=domain, signal_handler_options=SignalHandlerOptions.NO)
        node = rclpy.create_node("bench_fleet", context=context)
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        done: dict[str, float] = {}
        cond = threading.Condition()
        wanted = dict(zip([r.namespace for r in config.robots], commands, strict=True))

        def on_status(namespace: str, msg: String) -> None:
            status = StatusMessage.model_validate_json(msg.data)
            if status.command == wanted[namespace] and status.status.terminal:
                with cond:
                    if status.status.value != "SUCCEEDED":
                        done[namespace] = -1.0
                    done.setdefault(namespace, time.monotonic())
                    cond.notify_all()

        publishers = {}
        for namespace in wanted:
            publishers[namespace] = node.create_publisher(
                String, f"{namespace}/robot_command", qos.for_topic(topics.ROBOT_COMMAND)
            )
            node.create_subscription(
                String, f"{namespace}/planner_status",
                lambda msg, ns=namespace: on_status(ns, msg), qos.for_topic(topics.PLANNER_STATUS),
            )  # fmt: skip
        stop = threading.Event()

        def spin() -> None:
            while not stop.is_set():
                executor.spin_once(timeout_sec=0.05)

        spinner = threading.Thread(target=spin, daemon=True)
        spinner.start()
        try:
            for child in children:
                child.start()
            deadline = time.monotonic() + 60
            while not all(p.get_subscription_count() > 0 for p in publishers.values()):
                if time.monotonic() > deadline:
                    raise RuntimeError("the planners did not subscribe to robot_command within 60 s")
                with cond:
                    cond.wait(0.02)
            started = time.monotonic()
            for namespace, publisher in publishers.items():
                publisher.publish(String(data=wanted[namespace]))
            with cond:
                if not cond.wait_for(lambda: len(done) == len(wanted), timeout=120):
                    raise RuntimeError(f"only {sorted(done)} finished within 120 s")
            if any(t < 0 for t in done.values()):
                raise RuntimeError(f"a command did not succeed: {done}")
            return max(done.values()) - started
        finally:
            stop.set()
            spinner.join(timeout=5)
            for child in reversed(children):
                child.stop(grace_s=5.0)
            executor.shutdown(timeout_sec=1.0)
            node.destroy_node()
            context.try_shutdown()


def run(*, quick: bool) -> list[BenchRow]:
    try:
        import rclpy  # noqa: F401
    except ImportError:
        return [BenchRow.skipped("fleet: 3 robots vs 1", "rclpy is not installed")]
    from tests.ros.fleet_plans import PLANS

    commands = list(PLANS)[:3]
    domain = int(os.environ.get("BT_PLANNER_BENCH_DOMAIN", "90"))
    with tempfile.TemporaryDirectory(prefix="bench_fleet_") as folder:
        root = Path(folder)
        singles = [
            _run_fleet([command], domain=domain, run_dir=root / f"single{i}")
            for i, command in enumerate(commands)
        ]
        fleet = _run_fleet(commands, domain=domain, run_dir=root / "fleet")
    slowest = max(singles)
    ratio = fleet / slowest
    return [
        BenchRow(name="fleet: slowest command alone, 1 robot", value=slowest, unit="s",
                 note=", ".join(f"{s:.2f}" for s in singles)),
        BenchRow(name="fleet: 3 commands on 3 robots at once", value=fleet, unit="s"),
        BenchRow(name="fleet: 3 robots / 1 robot wall time", value=ratio, unit="x",
                 target=f"<= {TARGET_RATIO}", met=ratio <= TARGET_RATIO,
                 note=f"time scale {TIME_SCALE:g}, {os.cpu_count()} cores"),
    ]  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    print_rows(run(quick=parser.parse_args().quick), title="fleet")
