"""Release what a lifecycle transition created on a node: publishers, subscriptions, services, timers, actions.

The planner node builds its mission, robot adapter and services in ``on_configure`` and must release them
all in ``on_cleanup`` (or when configuring fails half-way), so a later ``configure`` starts clean without
duplicate subscriptions. Rather than every component knowing how to destroy itself, :class:`EntityScope`
remembers which entities the node already had when the scope began and, on :meth:`EntityScope.release`,
destroys every entity created since (publishers and subscriptions with their event handlers; action
servers and clients through their own ``destroy()``).
"""

from __future__ import annotations

from typing import Any

from rclpy.node import Node


def _entities(node: Node) -> dict[str, set[int]]:
    return {
        "publishers": {id(e) for e in node.publishers},
        "subscriptions": {id(e) for e in node.subscriptions},
        "clients": {id(e) for e in node.clients},
        "services": {id(e) for e in node.services},
        "timers": {id(e) for e in node.timers},
        "waitables": {id(e) for e in node.waitables},
    }


class EntityScope:
    """Everything created on ``node`` between :meth:`begin` and :meth:`release`."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self._before: dict[str, set[int]] | None = None

    def begin(self) -> None:
        """Remember the node's current entities; the ones created from now on belong to this scope."""
        self._before = _entities(self.node)

    def release(self) -> int:
        """Destroy every entity created since :meth:`begin`; returns how many. Safe to call twice."""
        before = self._before
        if before is None:
            return 0
        self._before = None
        node = self.node
        released = 0

        def new(kind: str, entities: Any) -> list[Any]:
            return [entity for entity in entities if id(entity) not in before[kind]]

        for timer in new("timers", node.timers):
            released += node.destroy_timer(timer)
        for subscription in new("subscriptions", node.subscriptions):
            released += node.destroy_subscription(subscription)  # with its event handlers
        for service in new("services", node.services):
            released += node.destroy_service(service)
        for client in new("clients", node.clients):
            released += node.destroy_client(client)
        for publisher in new("publishers", node.publishers):
            released += node.destroy_publisher(publisher)  # with its event handlers
        for waitable in new("waitables", node.waitables):  # what is left: action servers and clients
            destroy = getattr(waitable, "destroy", None)
            if destroy is not None:
                destroy()  # removes itself from the node
            if any(w is waitable for w in node.waitables):
                node.remove_waitable(waitable)
            released += 1
        return released
