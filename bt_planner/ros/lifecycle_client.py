"""Drive managed (lifecycle) nodes from outside through their standard ``~/change_state`` and ``~/get_state``.

``bt-planner launch`` uses it to bring its planner nodes up (configure → activate) and, on stop, down
(deactivate → cleanup → shutdown) — what ``ros2 lifecycle set`` or Nav2's lifecycle manager do on a ROS
distro. The client has its own rclpy context on the launch's ROS domain and spins in a daemon thread.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from lifecycle_msgs.msg import State, Transition
from lifecycle_msgs.srv import ChangeState, GetState
from rclpy.client import Client

from bt_planner.ros.private_node import PrivateNode

TRANSITIONS = {
    "configure": Transition.TRANSITION_CONFIGURE,
    "activate": Transition.TRANSITION_ACTIVATE,
    "deactivate": Transition.TRANSITION_DEACTIVATE,
    "cleanup": Transition.TRANSITION_CLEANUP,
}
SHUTDOWN_FROM = {
    State.PRIMARY_STATE_UNCONFIGURED: Transition.TRANSITION_UNCONFIGURED_SHUTDOWN,
    State.PRIMARY_STATE_INACTIVE: Transition.TRANSITION_INACTIVE_SHUTDOWN,
    State.PRIMARY_STATE_ACTIVE: Transition.TRANSITION_ACTIVE_SHUTDOWN,
}


class LifecycleClient:
    """Change and read the lifecycle state of nodes by fully qualified name (``/robot1/bt_planner_node``)."""

    def __init__(self, *, domain_id: int | None = None) -> None:
        self._private = PrivateNode(
            "bt_planner_lifecycle_client", thread_name="lifecycle-client", domain_id=domain_id
        )
        self.context, self.node = self._private.context, self._private.node
        self._clients: dict[tuple[str, str], Client[Any, Any]] = {}
        self._lock = threading.Lock()
        self._private.start()

    def _client(self, node: str, service: str, kind: Any) -> Client[Any, Any]:
        with self._lock:
            key = (node, service)
            if key not in self._clients:
                self._clients[key] = self.node.create_client(kind, f"{node.rstrip('/')}/{service}")
            return self._clients[key]

    def _call(self, client: Client[Any, Any], request: Any, timeout_s: float) -> Any | None:
        deadline = time.monotonic() + timeout_s
        if not client.wait_for_service(timeout_sec=timeout_s):
            return None
        future = client.call_async(request)
        done = threading.Event()
        future.add_done_callback(lambda _future: done.set())
        if not done.wait(max(0.0, deadline - time.monotonic())):
            client.remove_pending_request(future)
            return None
        return future.result()

    def wait_ready(self, node: str, *, timeout_s: float, stop: threading.Event | None = None) -> bool:
        """Wait until ``node`` serves ``change_state`` (it is up); False after ``timeout_s`` or on ``stop``."""
        client = self._client(node, "change_state", ChangeState)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if stop is not None and stop.is_set():
                return False
            if client.wait_for_service(timeout_sec=0.1):
                return True
        return False

    def state(self, node: str, *, timeout_s: float = 5.0) -> str:
        """The node's state label (``unconfigured``, ``inactive``, ``active``, ``finalized``); "" if no answer."""
        response = self._call(self._client(node, "get_state", GetState), GetState.Request(), timeout_s)
        return "" if response is None else str(response.current_state.label)

    def change(self, node: str, transition: str, *, timeout_s: float = 30.0) -> bool:
        """Trigger ``transition`` (configure, activate, deactivate, cleanup, shutdown); True on success."""
        request = ChangeState.Request()
        if transition == "shutdown":
            response = self._call(self._client(node, "get_state", GetState), GetState.Request(), timeout_s)
            if response is None or response.current_state.id not in SHUTDOWN_FROM:
                return False
            request.transition.id = SHUTDOWN_FROM[response.current_state.id]
        else:
            request.transition.id = TRANSITIONS[transition]
        answer = self._call(self._client(node, "change_state", ChangeState), request, timeout_s)
        return answer is not None and bool(answer.success)

    def bring_down(self, node: str, *, timeout_s: float = 10.0) -> list[str]:
        """From whatever state: deactivate → cleanup → shutdown; returns the transitions that succeeded."""
        done: list[str] = []
        label = self.state(node, timeout_s=timeout_s)
        steps = {"active": ["deactivate", "cleanup"], "inactive": ["cleanup"]}.get(label, [])
        for step in [*steps, "shutdown"] if label and label != "finalized" else []:
            if not self.change(node, step, timeout_s=timeout_s):
                break
            done.append(step)
        return done

    def close(self) -> None:
        self._private.close(timeout_s=1.0)
