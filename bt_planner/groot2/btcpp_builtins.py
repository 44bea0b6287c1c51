"""Node models of the BT.CPP built-in nodes bt_planner's export uses, as BT.CPP's own publisher sends them.

BT.CPP's ``Groot2Publisher`` sends the models of the built-in nodes along with the tree
(``<TreeNodesModel>`` with ``Sequence``, ``Timeout msec``, ...), so Groot2 shows their ports. The
live tree does the same for the built-ins it contains. Kinds, port names, types and defaults are
BT.CPP 4's (checked against the real library in ``tests/groot2``).
"""

from __future__ import annotations

from bt_planner.tree.btcpp_nodes import NodeModel, PortModel


def _control(node_id: str, *ports: PortModel) -> NodeModel:
    return NodeModel(id=node_id, kind="Control", ports=ports)


def _decorator(node_id: str, *ports: PortModel) -> NodeModel:
    return NodeModel(id=node_id, kind="Decorator", ports=ports)


def _count(name: str, what: str) -> PortModel:
    return PortModel(
        name=name, type="int", description=f"{what} up to N times. Use -1 to create an infinite loop."
    )


BUILTIN_MODELS: dict[str, NodeModel] = {
    model.id: model
    for model in (
        _control("Sequence"),
        _control("SequenceWithMemory"),
        _control("ReactiveSequence"),
        _control("Fallback"),
        _control("ReactiveFallback"),
        _control(
            "Parallel",
            PortModel(
                name="failure_count",
                type="int",
                default="1",
                required=False,
                description="number of children that need to fail to trigger a FAILURE",
            ),
            PortModel(
                name="success_count",
                type="int",
                default="-1",
                required=False,
                description="number of children that need to succeed to trigger a SUCCESS",
            ),
        ),
        _decorator("Inverter"),
        _decorator("ForceSuccess"),
        _decorator("ForceFailure"),
        _decorator("Repeat", _count("num_cycles", "Repeat a successful child")),
        _decorator("RetryUntilSuccessful", _count("num_attempts", "Execute again a failing child")),
        _decorator(
            "Timeout",
            PortModel(
                name="msec",
                type="unsigned int",
                description="After a certain amount of time, halt() the child if it is still running.",
            ),
        ),
        NodeModel(id="AlwaysSuccess", kind="Action"),
        NodeModel(id="AlwaysFailure", kind="Action"),
    )
}
"""Model by node ID."""
