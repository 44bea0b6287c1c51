"""A command client run as its own process (inside a network namespace, by the cross-host test).

``python -m tests.ros.netns_client /robot1="command" /robot2="other command"`` publishes each command on
``<namespace>/robot_command`` once that robot's planner subscribes, waits for each terminal
``planner_status``, prints one JSON line per robot ({"namespace", "command", "status", "details"}) and exits
0 when every robot answered within ``--timeout`` seconds (1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time

import rclpy
from rclpy.executors import SingleThreadedExecutor
from std_msgs.msg import String

from bt_planner.ros import qos, topics
from bt_planner.ros.payloads import StatusMessage


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("commands", nargs="+", help="NAMESPACE=COMMAND")
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    wanted = dict(item.split("=", 1) for item in args.commands)
    rclpy.init()
    node = rclpy.create_node("netns_command_client")
    done: dict[str, StatusMessage] = {}
    cond = threading.Condition()

    def on_status(namespace: str, msg: String) -> None:
        status = StatusMessage.model_validate_json(msg.data)
        if status.command == wanted[namespace] and status.status.terminal:
            with cond:
                done.setdefault(namespace, status)
                cond.notify_all()

    publishers = {}
    for namespace in wanted:
        publishers[namespace] = node.create_publisher(
            String, f"{namespace}/{topics.ROBOT_COMMAND.name}", qos.for_topic(topics.ROBOT_COMMAND)
        )
        node.create_subscription(
            String, f"{namespace}/{topics.PLANNER_STATUS.name}",
            lambda msg, ns=namespace: on_status(ns, msg), qos.for_topic(topics.PLANNER_STATUS),
        )  # fmt: skip
    executor = SingleThreadedExecutor()
    executor.add_node(node)
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            executor.spin_once(timeout_sec=0.05)

    spinner = threading.Thread(target=spin, daemon=True)
    spinner.start()
    deadline = time.monotonic() + args.timeout
    sent: set[str] = set()
    with cond:
        while len(done) < len(wanted) and time.monotonic() < deadline:
            for namespace, publisher in publishers.items():
                if namespace not in sent and publisher.get_subscription_count() > 0:
                    publisher.publish(String(data=wanted[namespace]))
                    sent.add(namespace)
            cond.wait(0.05)
    for namespace, command in wanted.items():
        status = done.get(namespace)
        print(json.dumps({
            "namespace": namespace, "command": command, "sent": namespace in sent,
            "status": status.status.value if status else None, "details": status.details if status else "",
        }), flush=True)  # fmt: skip
    stop.set()
    spinner.join(timeout=5.0)
    executor.shutdown(timeout_sec=1.0)
    node.destroy_node()
    rclpy.try_shutdown()
    return 0 if len(done) == len(wanted) else 1


if __name__ == "__main__":
    sys.exit(main())
